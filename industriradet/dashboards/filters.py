"""The dashboards' filters (intake period, centre, programme, applicants' home municipality,
needs survey) as query conditions on every model the figures count.

The figures count rows of several tables (choices, offers, enrolments, outcomes) that all lead
back to a choice, so one condition, written once with a path prefix, filters them all alike:
a figure filtered by a centre counts the same applications in every table."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext as _

from accounts.models import Region
from admissions.applications.models import Application, ApplicationStatus, Choice
from admissions.enrolment.models import Enrolment
from admissions.rounds.models import Offer
from industriradet.models import CompetenceNeed, NeedsSurvey, StudentOutcome
from yrkescenter.models import IntakePeriod, Municipality, Offering, Programme, Yrkescenter

# An application counts from its submission on; one withdrawn later was still an application.
COUNTED_STATUSES = (ApplicationStatus.SUBMITTED, ApplicationStatus.WITHDRAWN)


@dataclass(frozen=True)
class Filters:
    region: Region
    period: IntakePeriod | None = None
    centre: Yrkescenter | None = None
    programme: Programme | None = None
    municipality: Municipality | None = None
    survey: NeedsSurvey | None = None

    # --- conditions, with the path from the counted model to the offering/application ---

    def offering_q(self, prefix: str = "") -> Q:
        q = Q(**{f"{prefix}region": self.region})
        if self.period is not None:
            q &= Q(**{f"{prefix}intake_period": self.period})
        if self.centre is not None:
            q &= Q(**{f"{prefix}centre": self.centre})
        if self.programme is not None:
            q &= Q(**{f"{prefix}programme": self.programme})
        return q

    def application_q(self, prefix: str = "") -> Q:
        q = Q(**{f"{prefix}region": self.region, f"{prefix}status__in": COUNTED_STATUSES})
        if self.period is not None:
            q &= Q(**{f"{prefix}intake_period": self.period})
        if self.municipality is not None:
            q &= Q(**{f"{prefix}home_municipality": self.municipality})
        return q

    def choice_q(self, prefix: str = "") -> Q:
        return self.application_q(f"{prefix}application__") & self.offering_q(f"{prefix}offering__")

    def decided_choice_q(self, prefix: str = "") -> Q:
        """choice_q for rows that only exist for submitted applications (eligibility decisions,
        offers, enrolments, outcomes): the region and period are the offering's (a choice is
        of an offering of its application's period), so the application is joined only for
        the home municipality. The large application table stays out of the query."""
        q = self.offering_q(f"{prefix}offering__")
        if self.municipality is not None:
            q &= Q(**{f"{prefix}application__home_municipality": self.municipality})
        return q

    # --- the counted rows ---

    @property
    def narrows_offerings(self) -> bool:
        return self.centre is not None or self.programme is not None

    def offerings(self) -> QuerySet[Offering]:
        return Offering.objects.filter(self.offering_q())

    def applications(self) -> QuerySet[Application]:
        """Submitted applications; with a centre or programme chosen, those with a choice there."""
        applications = Application.objects.filter(self.application_q())
        if self.narrows_offerings:
            applications = applications.filter(
                Exists(
                    Choice.objects.filter(application=OuterRef("pk")).filter(
                        self.offering_q("offering__")
                    )
                )
            )
        return applications

    def choices(self) -> QuerySet[Choice]:
        return Choice.objects.filter(self.choice_q())

    def offers(self) -> QuerySet[Offer]:
        # Through the round (a few rows) rather than the choice (the largest table), unless a
        # centre or programme is chosen.
        q = Q(round__region=self.region)
        if self.period is not None:
            q &= Q(round__intake_period=self.period)
        if self.centre is not None:
            q &= Q(choice__offering__centre=self.centre)
        if self.programme is not None:
            q &= Q(choice__offering__programme=self.programme)
        if self.municipality is not None:
            q &= Q(application__home_municipality=self.municipality)
        return Offer.objects.filter(q)

    def enrolments(self) -> QuerySet[Enrolment]:
        # An enrolment is of its choice's offering and application: no join through the choice.
        return Enrolment.objects.filter(self.decided_choice_q())

    def outcomes(self) -> QuerySet[StudentOutcome]:
        return StudentOutcome.objects.filter(self.decided_choice_q("enrolment__"))

    def needs(self) -> QuerySet[CompetenceNeed]:
        """The needs of the chosen survey. A programme narrows them to its occupation, the
        municipality to needs there; a centre does not apply (a need is not tied to a centre)."""
        if self.survey is None:
            return CompetenceNeed.objects.none()
        needs = CompetenceNeed.objects.filter(survey=self.survey, company__region=self.region)
        if self.municipality is not None:
            needs = needs.filter(municipality=self.municipality)
        if self.programme is not None:
            needs = needs.filter(ssyk_code=self.programme.ssyk_code)
        return needs

    # --- how the filters are stated in reports and file names ---

    def described(self) -> list[tuple[str, str]]:
        every = _("all")
        return [
            (_("Intake period"), self.period.name if self.period else every),
            (_("Centre"), self.centre.name if self.centre else every),
            (_("Programme"), self.programme.name if self.programme else every),
            (
                _("Applicants' home municipality"),
                str(self.municipality) if self.municipality else every,
            ),
            (_("Needs survey"), self.survey.name if self.survey else "–"),
        ]

    @property
    def file_part(self) -> str:
        """The period in an export's name: its code (e.g. ht2027), or "alla" for every period.
        Codes are the region's own slugs, never personal data."""
        return self.period.code if self.period else "alla"


def default_period(region: Region) -> IntakePeriod | None:
    """The latest intake period that has submitted applications, else the latest one."""
    periods = IntakePeriod.objects.for_region(region).order_by("-starts_on", "-pk")
    with_applications = periods.filter(
        Exists(
            Application.objects.filter(intake_period=OuterRef("pk"), status__in=COUNTED_STATUSES)
        )
    ).first()
    return with_applications or periods.first()


def default_survey(region: Region) -> NeedsSurvey | None:
    return NeedsSurvey.objects.for_region(region).order_by("-opens_on", "-pk").first()


def default_filters(region: Region) -> Filters:
    """What a dashboard shows before anything is chosen: the latest period and survey."""
    return Filters(region=region, period=default_period(region), survey=default_survey(region))
