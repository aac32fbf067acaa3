"""The industry council's part of seed_demo: needs in the open survey, APL offers, the company
contact linked to a company, and the follow-up of HT 2026's students who stopped early; seeding
again adds nothing; the open statistics and the follow-up pages have something to show."""

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEntry, Region, RegionHost
from admissions.enrolment.models import Enrolment, EnrolmentStatus
from industriradet import demo
from industriradet.models import (
    AplOffer,
    Company,
    CompanyContact,
    CompetenceNeed,
    NeedsSurvey,
    OutcomeStatus,
    StudentOutcome,
)

pytestmark = pytest.mark.django_db

COUNCIL_ACTIONS = (
    "competence_need.",
    "apl_offer.",
    "company_contact.",
    "outcome.",
    "needs_survey.",
)


def seed() -> str:
    out = StringIO()
    call_command("seed_demo", "--applicants", "10", stdout=out)
    return out.getvalue()


def counts() -> dict[str, int]:
    council_entries = AuditEntry.objects.none()
    for prefix in COUNCIL_ACTIONS:
        council_entries = council_entries | AuditEntry.objects.filter(action__startswith=prefix)
    return {
        "companies": Company.objects.count(),
        "surveys": NeedsSurvey.objects.count(),
        "needs": CompetenceNeed.objects.count(),
        "offers": AplOffer.objects.count(),
        "contacts": CompanyContact.objects.count(),
        "outcomes": StudentOutcome.objects.count(),
        "audit": council_entries.count(),
    }


def test_the_council_demo_is_seeded_once_and_shows_something():
    output = seed()
    first = counts()
    assert "Industry council: 11 companies" in output
    # Every need and offer of the lists whose company and programme the region has.
    assert first["needs"] == sum(len(needs) for needs in demo.NEEDS.values())
    assert first["offers"] == sum(len(offers) for offers in demo.APL_OFFERS.values())
    contact = CompanyContact.objects.select_related("company", "user").get()
    assert contact.user.email == "foretag@demo.yrkesporten.se"
    assert contact.company.name == demo.CONTACT_COMPANY
    # The contact entered their company's needs; clusters entered the others'.
    own = CompetenceNeed.objects.filter(company=contact.company)
    assert own.exists() and not own.filter(entered_by_organisation__isnull=False).exists()
    others = CompetenceNeed.objects.exclude(company=contact.company)
    assert not others.filter(entered_by_organisation__isnull=True).exists()

    # Every HT 2026 student who stopped early is followed up, by why they stopped.
    stopped = Enrolment.objects.filter(
        offering__intake_period__code="ht2026", status=EnrolmentStatus.INTERRUPTED
    )
    assert stopped.exists()
    assert first["outcomes"] == stopped.count()
    for outcome in StudentOutcome.objects.select_related("enrolment__offering__programme"):
        enrolment = outcome.enrolment
        assert outcome.followed_up_on <= timezone.localdate()
        assert outcome.followed_up_on >= enrolment.ended_on
        if enrolment.interruption_reason == "work":
            assert outcome.status == OutcomeStatus.EMPLOYED
            assert outcome.ssyk_code == enrolment.offering.programme.ssyk_code

    # Seeding again adds nothing and logs nothing.
    again = seed()
    assert counts() == first
    assert "0 needs created" in again and "0 APL offers created" in again
    assert "0 outcomes recorded" in again

    # The open statistics of the demo region show its courses and the followed-up students.
    region = Region.objects.get(slug="varmland")
    host = RegionHost.objects.filter(region=region).first().host
    page = Client(HTTP_HOST=host, HTTP_ACCEPT_LANGUAGE="en").get(
        reverse("statistik:index"), {"period": "ht2026"}
    )
    assert page.status_code == 200
    statistics = page.context["statistics"]
    assert statistics.rows
    assert statistics.total.followed_up.hidden or statistics.total.followed_up.value > 0


def test_a_survey_open_today_is_added_when_the_files_survey_is_closed():
    seed()
    region = Region.objects.get(slug="varmland")
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    NeedsSurvey.objects.filter(region=region).update(
        opens_on=yesterday - dt.timedelta(days=200), closes_on=yesterday
    )
    before = CompetenceNeed.objects.count()
    report = demo.seed_part(region=region)
    survey = NeedsSurvey.objects.get(region=region, code__startswith="demo-")
    assert survey.opens_on <= timezone.localdate() <= survey.closes_on
    assert survey.needs.count() == sum(len(needs) for needs in demo.NEEDS.values())
    assert CompetenceNeed.objects.count() == before + survey.needs.count()
    assert survey.name in report
    # And again: nothing more.
    demo.seed_part(region=region)
    assert NeedsSurvey.objects.filter(region=region).count() == 2
    assert CompetenceNeed.objects.count() == before + survey.needs.count()
