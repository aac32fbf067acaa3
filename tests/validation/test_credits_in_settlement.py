"""Issue 6, "it counts": a course credited by validation shortens the study path, so the vp
charged, the amount and the grant places used in the settlement go down by the course's vp.
Figures on the small region of tests/admissions/settlement_support.py."""

from __future__ import annotations

from decimal import Decimal

import pytest

from admissions.applications.models import Application, ApplicationStatus
from admissions.funding.settlement import settlement_of
from tests.admissions.settlement_support import small_region
from tests.factories import CourseFactory
from tests.validation import cases_support
from validation import services
from validation.models import Method, Outcome
from yrkescenter.models import ProgrammeCourse

D = Decimal


@pytest.fixture
def world(region):
    return small_region(region)


def _credit_welding_basics(region, world, student: str):
    """The student's application asks for validation; an assessor validates the area that
    replaces a 100 vp course of the Svetsare programme and decides the case."""
    course = CourseFactory(region=region, code="SVTSVG0", points=100)
    ProgrammeCourse.objects.create(programme=world.svetsare, course=course, position=1)
    standard = cases_support.standard(region, areas=())
    area = standard.areas.create(
        code="svets-grund", name="Svets grund", method=Method.PRACTICAL_CENTRE
    )
    area.courses.add(course)
    application = world.application(student)
    Application.objects.filter(pk=application.pk).update(
        validation_requested=True, status=ApplicationStatus.SUBMITTED
    )
    application.refresh_from_db()
    assessor = cases_support.assessor(region)
    case = services.case_open_from_application(
        acting_user=assessor, application=application, standard=standard
    )
    case = services.case_map(acting_user=assessor, case=case, areas=[area])
    services.result_record(
        acting_user=assessor,
        case=case,
        area=area,
        outcome=Outcome.VALIDATED,
        evidence="Provsvetsning godkänd.",
        method=Method.PRACTICAL_CENTRE,
    )
    return services.case_decide(acting_user=assessor, case=case)


def _line(world, student):
    reference = world.application(student).reference
    return next(line for line in settlement_of(world.period).lines if line.reference == reference)


def test_a_credited_course_lowers_the_vp_and_the_amount_a_municipality_pays(region, world):
    before = _line(world, "s4")
    # s4 (Kil) studies Svetsare on a municipal seat: 800 vp x 60 kr = 48 000.
    assert (before.vp_charged, before.amount) == (D(800), D("48000.00"))

    _credit_welding_basics(region, world, "s4")

    after = _line(world, "s4")
    # 100 vp credited: 700 vp x 60 kr = 42 000, i.e. 6 000 kr less.
    assert (after.vp_charged, after.amount) == (D(700), D("42000.00"))
    assert before.amount - after.amount == D("6000.00")
    assert after.rule == "studying: the whole course, 700 vp; 100 of 800 vp credited by validation"


def test_a_credit_is_charged_pro_rata_too(region, world):
    _credit_welding_basics(region, world, "s3")

    line = _line(world, "s3")
    # s3 stopped after 45 of O1's 120 days: (800 - 100) x 45 / 120 = 262.5 vp x 60 = 15 750
    # (18 000 without the credit).
    assert (line.vp_charged, line.amount) == (D("262.5"), D("15750.00"))


def test_a_credit_on_a_state_seat_uses_fewer_grant_places(region, world):
    _credit_welding_basics(region, world, "s2")

    line = _line(world, "s2")
    # s2 holds O1's state seat: (800 - 100) / 800 = 0.875 place x 80 000 = 70 000.
    assert line.places == D("0.875")
    assert line.amount == D("70000.00")


def test_a_withdrawn_credit_no_longer_lowers_the_cost(region, world):
    case = _credit_welding_basics(region, world, "s4")
    result = case.results.get()
    services.result_correct(
        acting_user=result.assessor,
        result=result,
        outcome=Outcome.NOT_VALIDATED,
        credited_courses=[],
        evidence="Omprövning: provet uppfyllde inte kraven.",
        reason="Fel provprotokoll registrerades.",
    )

    assert _line(world, "s4").amount == D("48000.00")
