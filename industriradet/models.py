"""The industry council: member organisations and their companies, competence needs from the
needs survey, APL places, and the follow-up of students' outcomes. Council members see these
only as aggregates with small counts suppressed; a company contact sees their own company's
needs and APL places."""

from django.conf import settings
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from accounts.models import Region, Role
from accounts.tenancy import RegionQuerySet
from admissions.applications.models import PriorEducation
from admissions.enrolment.models import Enrolment
from yrkescenter.models import IntakePeriod, Municipality, Programme, ssyk_validator

org_number_validator = RegexValidator(
    r"^\d{6}-?\d{4}$", _("An organisation number has ten digits, e.g. 556036-0793.")
)

COUNCIL_READERS = (Role.COUNCIL_MEMBER, Role.REGION_ADMIN)


class OrganisationKind(models.TextChoices):
    CLUSTER = "cluster", _("Industry cluster")
    UNION = "union", _("Trade union")
    REGION = "region", _("Region")
    OTHER = "other", _("Other")


class MemberOrganisation(models.Model):
    """A member of the council: a cluster (IUC/Stål & Verkstad, Paper Province, Compare), a
    union (IF Metall, Unionen, GS-facket) or the region itself."""

    region = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="council_members")
    code = models.SlugField(_("code"), max_length=60)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=16, choices=OrganisationKind.choices)
    # As the organisation reports it (e.g. 110 companies for IUC/Stål & Verkstad).
    member_companies = models.PositiveIntegerField(_("member companies"), null=True, blank=True)
    website = models.URLField(_("website"), blank=True)

    objects = RegionQuerySet.as_manager()

    class Meta:
        verbose_name = _("member organisation")
        verbose_name_plural = _("member organisations")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["region", "code"], name="member_organisation_code_per_region"
            )
        ]

    def __str__(self) -> str:
        return self.name


class CompanyQuerySet(RegionQuerySet):
    def visible_to(self, membership):
        """Council members and region admins see the region's companies; a company contact
        sees their own companies."""
        if membership is None:
            return self.none()
        queryset = self.for_region(membership.region)
        if membership.role in COUNCIL_READERS:
            return queryset
        if membership.role == Role.COMPANY_CONTACT:
            return queryset.filter(contacts__user_id=membership.user_id)
        return queryset.none()


class Company(models.Model):
    """An employer that states recruitment needs and offers APL places, usually a member of a
    cluster."""

    region = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="companies")
    name = models.CharField(_("name"), max_length=200)
    org_number = models.CharField(
        _("organisation number"),
        max_length=11,
        blank=True,
        validators=[org_number_validator],
    )
    organisation = models.ForeignKey(
        MemberOrganisation,
        verbose_name=_("cluster"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="companies",
    )
    municipality = models.ForeignKey(
        Municipality,
        verbose_name=_("municipality"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = CompanyQuerySet.as_manager()

    class Meta:
        verbose_name = _("company")
        verbose_name_plural = _("companies")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["region", "name"], name="company_name_per_region")
        ]

    def __str__(self) -> str:
        return self.name


class CompanyContact(models.Model):
    """A person who speaks for a company: with a company-contact membership in the region,
    they enter the company's needs and APL places."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="contacts")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="company_contacts"
    )
    title = models.CharField(_("title"), max_length=120, blank=True)

    class Meta:
        verbose_name = _("company contact")
        verbose_name_plural = _("company contacts")
        constraints = [
            models.UniqueConstraint(fields=["company", "user"], name="company_contact_once")
        ]

    def __str__(self) -> str:
        return f"{self.company}: {self.user}"


class NeedsSurvey(models.Model):
    """One round of the needs mapping, e.g. "Kompetensbehov 2027"."""

    region = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="needs_surveys")
    code = models.SlugField(_("code"), max_length=30)
    name = models.CharField(_("name"), max_length=120)
    opens_on = models.DateField(_("opens"))
    closes_on = models.DateField(_("closes"))

    objects = RegionQuerySet.as_manager()

    class Meta:
        verbose_name = _("needs survey")
        verbose_name_plural = _("needs surveys")
        ordering = ["-opens_on"]
        constraints = [
            models.UniqueConstraint(fields=["region", "code"], name="needs_survey_code_per_region"),
            models.CheckConstraint(
                condition=Q(closes_on__gte=F("opens_on")), name="needs_survey_closes_after_open"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Horizon(models.TextChoices):
    WITHIN_1 = "lt1", _("Within 1 year")
    YEARS_1_3 = "1to3", _("1–3 years")
    YEARS_3_5 = "3to5", _("3–5 years")


class Level(models.TextChoices):
    UPPER_SECONDARY = "upper_secondary", _("Upper secondary (yrkesvux)")
    HIGHER_VOCATIONAL = "higher_vocational", _("Higher vocational (YH)")
    UNIVERSITY = "university", _("University")
    NONE = "none", _("No formal requirement")


class CompanyChildQuerySet(RegionQuerySet):
    region_path = "company__region"

    def visible_to(self, membership):
        return self.filter(company__in=Company.objects.visible_to(membership))


class CompetenceNeed(models.Model):
    """A company's recruitment need in one survey: occupation, number, horizon, place, level."""

    survey = models.ForeignKey(NeedsSurvey, on_delete=models.PROTECT, related_name="needs")
    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="needs")
    # Set when a cluster entered or imported the need on the company's behalf.
    entered_by_organisation = models.ForeignKey(
        MemberOrganisation, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    ssyk_code = models.CharField(
        _("occupation (SSYK 2012)"), max_length=4, validators=[ssyk_validator]
    )
    count = models.PositiveIntegerField(_("number of people"), validators=[MinValueValidator(1)])
    horizon = models.CharField(_("horizon"), max_length=8, choices=Horizon.choices)
    municipality = models.ForeignKey(
        Municipality, verbose_name=_("municipality"), on_delete=models.PROTECT, related_name="+"
    )
    level = models.CharField(_("level"), max_length=20, choices=Level.choices)
    note = models.TextField(_("note"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("entered"), auto_now_add=True)

    objects = CompanyChildQuerySet.as_manager()

    class Meta:
        verbose_name = _("competence need")
        verbose_name_plural = _("competence needs")
        ordering = ["survey", "company", "ssyk_code"]
        constraints = [
            models.CheckConstraint(condition=Q(count__gte=1), name="competence_need_positive"),
        ]
        indexes = [models.Index(fields=["survey", "ssyk_code"], name="need_survey_occupation")]

    def __str__(self) -> str:
        return f"{self.company}: {self.count} × {self.ssyk_code}"


class AplOffer(models.Model):
    """Workplace-learning (APL) places a company offers for a programme in a term."""

    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="apl_offers")
    programme = models.ForeignKey(
        Programme, verbose_name=_("programme"), on_delete=models.PROTECT, related_name="+"
    )
    intake_period = models.ForeignKey(
        IntakePeriod, verbose_name=_("term"), on_delete=models.PROTECT, related_name="+"
    )
    places = models.PositiveIntegerField(_("places"), validators=[MinValueValidator(1)])
    note = models.TextField(_("note"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("offered"), auto_now_add=True)

    objects = CompanyChildQuerySet.as_manager()

    class Meta:
        verbose_name = _("APL offer")
        verbose_name_plural = _("APL offers")
        ordering = ["intake_period", "programme", "company"]
        constraints = [
            models.UniqueConstraint(
                fields=["company", "programme", "intake_period"], name="apl_offer_once_per_term"
            ),
            models.CheckConstraint(condition=Q(places__gte=1), name="apl_offer_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.company}: {self.places} × {self.programme}"


class AplBookingQuerySet(RegionQuerySet):
    region_path = "offer__company__region"


class AplBooking(models.Model):
    """A centre coordinator's booking of an offered APL place for an admitted student."""

    offer = models.ForeignKey(AplOffer, on_delete=models.PROTECT, related_name="bookings")
    enrolment = models.ForeignKey(Enrolment, on_delete=models.PROTECT, related_name="+")
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("to"))
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    booked_at = models.DateTimeField(_("booked"), auto_now_add=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)

    objects = AplBookingQuerySet.as_manager()

    class Meta:
        verbose_name = _("APL booking")
        verbose_name_plural = _("APL bookings")
        ordering = ["offer", "starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")), name="apl_booking_ends_after_start"
            ),
            models.UniqueConstraint(
                fields=["offer", "enrolment"],
                condition=Q(cancelled_at__isnull=True),
                name="apl_booking_once_per_student",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.offer}: {self.enrolment_id}"


class OutcomeStatus(models.TextChoices):
    EMPLOYED = "employed", _("Employed")
    STUDYING = "studying", _("Studying further")
    JOB_SEEKING = "job_seeking", _("Job-seeking")
    UNKNOWN = "unknown", _("Unknown")


class Sex(models.TextChoices):
    FEMALE = "female", _("Woman")
    MALE = "male", _("Man")
    UNKNOWN = "unknown", _("Not known")


class AgeBand(models.TextChoices):
    UNDER_25 = "lt25", _("Under 25")
    AGE_25_34 = "25_34", _("25–34")
    AGE_35_44 = "35_44", _("35–44")
    AGE_45_54 = "45_54", _("45–54")
    AGE_55_PLUS = "55plus", _("55 and over")
    UNKNOWN = "unknown", _("Not known")


class Birthplace(models.TextChoices):
    SWEDEN = "sweden", _("Born in Sweden")
    ABROAD = "abroad", _("Born outside Sweden")
    UNKNOWN = "unknown", _("Not known")


class TimeInSweden(models.TextChoices):
    NOT_APPLICABLE = "na", _("Born in Sweden")
    UNDER_2 = "lt2", _("Under 2 years")
    YEARS_2_5 = "2to5", _("2–5 years")
    YEARS_5_10 = "5to10", _("5–10 years")
    OVER_10 = "gt10", _("More than 10 years")
    UNKNOWN = "unknown", _("Not known")


class StudentOutcomeQuerySet(RegionQuerySet):
    region_path = "enrolment__offering__region"


class StudentOutcome(models.Model):
    """The follow-up of a student who finished or left, at about six months, with the
    dimensions of förordning (2016:937) 35-36 §§ as they stood at the follow-up."""

    enrolment = models.OneToOneField(Enrolment, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("outcome"), max_length=16, choices=OutcomeStatus.choices)
    followed_up_on = models.DateField(_("followed up on"))
    ssyk_code = models.CharField(
        _("occupation (SSYK 2012)"), max_length=4, blank=True, validators=[ssyk_validator]
    )
    employer_municipality = models.ForeignKey(
        Municipality,
        verbose_name=_("employer's municipality"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    sex = models.CharField(_("sex"), max_length=8, choices=Sex.choices, default=Sex.UNKNOWN)
    age_band = models.CharField(
        _("age band"), max_length=8, choices=AgeBand.choices, default=AgeBand.UNKNOWN
    )
    prior_education = models.CharField(
        _("prior education"), max_length=32, choices=PriorEducation.choices, blank=True
    )
    birthplace = models.CharField(
        _("born in or outside Sweden"),
        max_length=8,
        choices=Birthplace.choices,
        default=Birthplace.UNKNOWN,
    )
    time_in_sweden = models.CharField(
        _("time in Sweden"),
        max_length=8,
        choices=TimeInSweden.choices,
        default=TimeInSweden.UNKNOWN,
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    objects = StudentOutcomeQuerySet.as_manager()

    class Meta:
        verbose_name = _("student outcome")
        verbose_name_plural = _("student outcomes")
        ordering = ["-followed_up_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status=OutcomeStatus.EMPLOYED) | ~Q(ssyk_code=""),
                name="student_outcome_employed_has_occupation",
            )
        ]
        indexes = [models.Index(fields=["status"], name="student_outcome_status")]

    def __str__(self) -> str:
        return f"{self.enrolment_id}: {self.status}"
