"""Credits on the study path: made when a case is decided, synced again on a correction or a
sign-off, through admissions' study_path_credits_sync."""

import pytest
from django.core.exceptions import ValidationError

from accounts.models import AuditEntry
from admissions.enrolment.credits import study_path_credits_sync
from admissions.enrolment.models import StudyPathCredit
from tests.factories import CourseFactory
from tests.validation import cases_support as support
from validation import services
from validation.models import Outcome


def _active(application):
    return sorted(
        StudyPathCredit.objects.filter(
            application=application, withdrawn_at__isnull=True
        ).values_list("course__code", "vp", "source_reference")
    )


def test_the_sync_records_withdraws_and_is_idempotent(region):
    application = support.application(region)
    a, b = CourseFactory(region=region, points=150), CourseFactory(region=region, points=50)
    by = support.assessor(region)
    first = study_path_credits_sync(
        acting_user=by, application=application, courses=[a, b], source_reference="VAL-2026-0001"
    )
    assert set(first.credited) == {a.code, b.code}
    assert _active(application) == sorted(
        [(a.code, 150, "VAL-2026-0001"), (b.code, 50, "VAL-2026-0001")]
    )
    entries = AuditEntry.objects.filter(action="application.credits_sync").count()
    again = study_path_credits_sync(
        acting_user=by, application=application, courses=[a, b], source_reference="VAL-2026-0001"
    )
    assert not again.changed
    assert AuditEntry.objects.filter(action="application.credits_sync").count() == entries
    fewer = study_path_credits_sync(
        acting_user=by,
        application=application,
        courses=[a],
        source_reference="VAL-2026-0001",
        reason="Rättat resultat.",
    )
    assert fewer.withdrawn == (b.code,)
    withdrawn = StudyPathCredit.objects.get(course=b)
    assert withdrawn.withdrawn_at is not None and withdrawn.withdrawn_reason == "Rättat resultat."
    # Credited again later: a new row; the withdrawn one stays as history.
    study_path_credits_sync(
        acting_user=by, application=application, courses=[a, b], source_reference="VAL-2026-0001"
    )
    assert StudyPathCredit.objects.filter(course=b).count() == 2


def test_the_sync_leaves_other_sources_alone(region):
    application = support.application(region)
    a, b = CourseFactory(region=region), CourseFactory(region=region)
    by = support.assessor(region)
    study_path_credits_sync(
        acting_user=by, application=application, courses=[a], source_reference="VAL-2026-0001"
    )
    result = study_path_credits_sync(
        acting_user=by, application=application, courses=[a, b], source_reference="VAL-2026-0002"
    )
    # a is credited already (by the first case): not twice.
    assert result.credited == (b.code,)
    study_path_credits_sync(
        acting_user=by, application=application, courses=[], source_reference="VAL-2026-0002"
    )
    assert _active(application) == [(a.code, 100, "VAL-2026-0001")]


def test_the_sync_refuses_a_course_of_another_region(region, foreign_region):
    with pytest.raises(ValidationError):
        study_path_credits_sync(
            acting_user=None,
            application=support.application(region),
            courses=[CourseFactory(region=foreign_region)],
            source_reference="VAL-2026-0001",
        )


def test_deciding_credits_the_final_results_courses(region):
    welding = support.standard(region, four_eyes=True)
    first, second = support.assessor(region), support.assessor(region)
    case = support.application_case(region, welding, by=first)
    case = services.case_map(acting_user=first, case=case, areas=welding.areas.all())
    mig = welding.areas.get(code="mig")
    grund_result = services.result_record(
        acting_user=first,
        case=case,
        area=welding.areas.get(code="grund"),
        outcome=Outcome.VALIDATED,
        evidence="Provsvetsning.",
        method="practical_centre",
    )
    mig_result = services.result_record(
        acting_user=first,
        case=case,
        area=mig,
        outcome=Outcome.PARTLY,
        credited_courses=mig.courses.order_by("code")[:1],
        evidence="Kälsvets godkänd, stumsvets inte.",
        method="practical_centre",
    )
    services.result_sign_off(acting_user=second, result=grund_result)
    services.result_sign_off(acting_user=second, result=mig_result)
    # Nothing is credited before the decision.
    assert _active(case.application) == []
    services.case_decide(acting_user=first, case=case)
    expected = sorted(
        [
            (welding.areas.get(code="grund").courses.get().code, 100, case.reference),
            (mig.courses.order_by("code").first().code, 100, case.reference),
        ]
    )
    assert _active(case.application) == expected


def test_a_correction_to_not_validated_withdraws_the_credit(region):
    plain = support.standard(region, code="cnc")
    by = support.assessor(region)
    case = support.application_case(region, plain, by=by)
    case = services.case_map(acting_user=by, case=case, areas=plain.areas.all())
    results = support.record_all(case, by)
    services.case_decide(acting_user=by, case=case)
    assert len(_active(case.application)) == 3
    services.result_correct(
        acting_user=by,
        result=results[0],
        outcome=Outcome.NOT_VALIDATED,
        evidence="Fel person gjorde provet.",
        reason="Provet var ogiltigt.",
    )
    grund_code = plain.areas.get(code="grund").courses.get().code
    assert grund_code not in [code for code, _vp, _ref in _active(case.application)]
    withdrawn = StudyPathCredit.objects.get(course__code=grund_code)
    assert withdrawn.withdrawn_reason == "Provet var ogiltigt."
    assert len(_active(case.application)) == 2


def test_a_four_eyes_correction_credits_again_once_signed_off(region):
    welding = support.standard(region, four_eyes=True)
    first, second = support.assessor(region), support.assessor(region)
    case = support.application_case(region, welding, by=first)
    case = services.case_map(acting_user=first, case=case, areas=welding.areas.all())
    results = support.record_all(case, first, outcome=Outcome.NOT_VALIDATED, sign_off_by=second)
    services.case_decide(acting_user=first, case=case)
    assert _active(case.application) == []
    correction = services.result_correct(
        acting_user=first,
        result=results[0],
        outcome=Outcome.VALIDATED,
        evidence="Omprov godkänt.",
        reason="Omprov efter beslut.",
    )
    assert _active(case.application) == []
    services.result_sign_off(acting_user=second, result=correction)
    assert [code for code, _vp, _ref in _active(case.application)] == [
        welding.areas.get(code="grund").courses.get().code
    ]


def test_a_case_without_an_application_credits_nothing(region):
    plain = support.standard(region, code="cnc")
    by = support.assessor(region)
    case = support.mapped_case(region, plain, by=by)
    support.record_all(case, by)
    services.case_decide(acting_user=by, case=case)
    assert not StudyPathCredit.objects.exists()
