"""Results per area, corrections as new records, the second assessor's sign-off and deciding:
a four-eyes standard cannot be finalised by one assessor."""

import pytest
from django.core.exceptions import ValidationError

from tests.validation import cases_support as support
from validation import services
from validation.models import AreaResult, CaseStatus, Method, Outcome, SignOff
from validation.selectors import area_standings, final_credited_courses


@pytest.fixture
def welding(region):
    # "grund" replaces one course, "mig" two.
    return support.standard(region, four_eyes=True)


@pytest.fixture
def plain(region):
    return support.standard(region, code="cnc", four_eyes=False)


def _record(case, by, area_code, outcome=Outcome.VALIDATED, courses=()):
    return services.result_record(
        acting_user=by,
        case=case,
        area=case.standard.areas.get(code=area_code),
        outcome=outcome,
        credited_courses=courses,
        evidence="Intervju och provsvetsning.",
        method=Method.PRACTICAL_CENTRE,
    )


def test_the_outcome_decides_the_credited_courses(region, plain):
    by = support.assessor(region)
    case = support.mapped_case(region, plain, by=by)
    mig_courses = list(plain.areas.get(code="mig").courses.order_by("code"))
    validated = _record(case, by, "grund")
    partly = _record(case, by, "mig", Outcome.PARTLY, mig_courses[:1])
    assert list(validated.credited_courses.all()) == list(
        plain.areas.get(code="grund").courses.all()
    )
    assert list(partly.credited_courses.all()) == mig_courses[:1]
    assert partly.assessor == by and partly.method == Method.PRACTICAL_CENTRE


def test_partly_needs_a_proper_part_and_not_validated_credits_nothing(region, plain):
    by = support.assessor(region)
    case = support.mapped_case(region, plain, by=by)
    mig_courses = list(plain.areas.get(code="mig").courses.all())
    grund_course = plain.areas.get(code="grund").courses.get()
    with pytest.raises(ValidationError, match="Choose the courses"):
        _record(case, by, "mig", Outcome.PARTLY, [])
    with pytest.raises(ValidationError, match="record the area as validated"):
        _record(case, by, "mig", Outcome.PARTLY, mig_courses)
    with pytest.raises(ValidationError, match="only courses that the area"):
        _record(case, by, "mig", Outcome.PARTLY, [grund_course])
    with pytest.raises(ValidationError, match="credits no course"):
        _record(case, by, "mig", Outcome.NOT_VALIDATED, mig_courses[:1])
    assert not AreaResult.objects.exists()


def test_a_result_needs_an_assessor_evidence_and_a_mapped_area(region, plain):
    by = support.assessor(region)
    case = support.direct_case(region, plain, by=by)
    case = services.case_map(acting_user=by, case=case, areas=plain.areas.filter(code="grund"))
    with pytest.raises(ValidationError, match="mapped for this case"):
        _record(case, by, "mig")
    with pytest.raises(ValidationError, match="assessor of the region"):
        _record(case, support.member(region, "region_admin"), "grund")
    with pytest.raises(ValidationError) as error:
        services.result_record(
            acting_user=by,
            case=case,
            area=plain.areas.get(code="grund"),
            outcome=Outcome.VALIDATED,
            evidence="  ",
            method="guessing",
        )
    assert set(error.value.message_dict) == {"evidence", "method"}
    _record(case, by, "grund")
    with pytest.raises(ValidationError, match="correct it instead"):
        _record(case, by, "grund")


def test_a_four_eyes_standard_cannot_be_decided_by_one_assessor(region, welding):
    first = support.assessor(region)
    case = support.mapped_case(region, welding, by=first)
    results = support.record_all(case, first)
    with pytest.raises(ValidationError) as error:
        services.case_decide(acting_user=first, case=case)
    assert "need a second assessor's sign-off: Område grund, Område mig" in error.value.messages[0]
    # The result's own assessor cannot sign it off either.
    with pytest.raises(ValidationError) as error:
        services.result_sign_off(acting_user=first, result=results[0], note="")
    assert error.value.messages == ["A second assessor must sign off; you recorded this result."]
    assert not SignOff.objects.exists()
    case.refresh_from_db()
    assert case.status == CaseStatus.ASSESSMENT and case.decided_at is None


def test_a_second_assessor_signs_off_and_the_case_can_be_decided(region, welding):
    first, second = support.assessor(region), support.assessor(region)
    case = support.mapped_case(region, welding, by=first)
    results = support.record_all(case, first)
    services.result_sign_off(acting_user=second, result=results[0], note="Granskat.")
    with pytest.raises(ValidationError, match="sign-off: Område mig"):
        services.case_decide(acting_user=first, case=case)
    services.result_sign_off(acting_user=second, result=results[1])
    with pytest.raises(ValidationError, match="already signed off"):
        services.result_sign_off(acting_user=support.assessor(region), result=results[1])
    case = services.case_decide(acting_user=first, case=case)
    assert case.status == CaseStatus.DECIDED and case.decided_at is not None


def test_deciding_names_the_areas_without_a_result(region, plain):
    by = support.assessor(region)
    case = support.mapped_case(region, plain, by=by)
    _record(case, by, "mig", Outcome.NOT_VALIDATED)
    with pytest.raises(ValidationError, match="no result yet: Område grund"):
        services.case_decide(acting_user=by, case=case)
    unmapped = support.direct_case(region, plain, by=by)
    with pytest.raises(ValidationError, match="Map the areas"):
        services.case_decide(acting_user=by, case=unmapped)


def test_a_standard_without_four_eyes_needs_no_sign_off(region, plain):
    by = support.assessor(region)
    case = support.mapped_case(region, plain, by=by)
    results = support.record_all(case, by)
    with pytest.raises(ValidationError, match="does not need"):
        services.result_sign_off(acting_user=support.assessor(region), result=results[0])
    assert services.case_decide(acting_user=by, case=case).status == CaseStatus.DECIDED


def test_a_correction_adds_a_record_and_the_old_one_stays(region, plain):
    by, other = support.assessor(region), support.assessor(region)
    case = support.mapped_case(region, plain, by=by)
    original = _record(case, by, "grund")
    with pytest.raises(ValidationError, match="why"):
        services.result_correct(
            acting_user=other,
            result=original,
            outcome=Outcome.NOT_VALIDATED,
            evidence="Omprov.",
            reason="",
        )
    correction = services.result_correct(
        acting_user=other,
        result=original,
        outcome=Outcome.NOT_VALIDATED,
        evidence="Omprov visade brister.",
        reason="Fel bedömningsmall användes.",
    )
    original.refresh_from_db()
    assert original.outcome == Outcome.VALIDATED
    assert original.credited_courses.count() == 1
    assert correction.replaces == original and correction.assessor == other
    assert correction.method == original.method
    assert AreaResult.objects.filter(case=case).count() == 2
    standing = next(s for s in area_standings(case) if s.area.code == "grund")
    assert standing.result == correction
    with pytest.raises(ValidationError, match="already corrected"):
        services.result_correct(
            acting_user=by,
            result=original,
            outcome=Outcome.VALIDATED,
            evidence="x",
            reason="y",
        )


def test_a_correction_under_four_eyes_needs_its_own_sign_off(region, welding):
    first, second = support.assessor(region), support.assessor(region)
    case = support.mapped_case(region, welding, by=first)
    results = support.record_all(case, first, sign_off_by=second)
    services.case_decide(acting_user=first, case=case)
    assert len(final_credited_courses(case)) == 3
    correction = services.result_correct(
        acting_user=first,
        result=results[1],
        outcome=Outcome.NOT_VALIDATED,
        evidence="Provbitarna höll inte.",
        reason="Sprickprovning efteråt.",
    )
    # Until a second assessor signs the correction, the area counts for nothing.
    assert [c.code for c in final_credited_courses(case)] == [
        c.code for c in welding.areas.get(code="grund").courses.all()
    ]
    with pytest.raises(ValidationError, match="corrected; sign off the latest"):
        services.result_sign_off(acting_user=second, result=results[1])
    services.result_sign_off(acting_user=second, result=correction)
    standing = next(s for s in area_standings(case) if s.area.code == "mig")
    assert standing.final and standing.result == correction
