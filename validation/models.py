"""The validation centre: competence standards, cases, assessments, results and certificates.

A result is a decision record: a correction adds a row that replaces the earlier one; where the
standard demands four eyes a second assessor signs it off before it counts."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from accounts.models import Region, Role
from accounts.tenancy import RegionQuerySet
from admissions.applications.models import Application
from yrkescenter.models import Course, Municipality

STAFF_READERS = (Role.ASSESSOR, Role.REGION_ADMIN)


class ValidationCentre(models.Model):
    """The region's validation centre, run by one municipality on behalf of all."""

    region = models.OneToOneField(
        Region, on_delete=models.CASCADE, related_name="validation_centre"
    )
    name = models.CharField(_("name"), max_length=120)
    host_municipality = models.ForeignKey(
        Municipality, verbose_name=_("run by"), on_delete=models.PROTECT, related_name="+"
    )
    address = models.CharField(_("address"), max_length=300, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)

    objects = RegionQuerySet.as_manager()

    class Meta:
        verbose_name = _("validation centre")
        verbose_name_plural = _("validation centres")

    def __str__(self) -> str:
        return self.name


class Method(models.TextChoices):
    INTERVIEW = "interview", _("Interview")
    THEORY_TEST = "theory_test", _("Theory test")
    PRACTICAL_CENTRE = "practical_centre", _("Practical test at a centre")
    PRACTICAL_WORKPLACE = "practical_workplace", _("Practical test at a workplace")


class CompetenceStandard(models.Model):
    """A branch validation model (e.g. welding, CNC, industrial electrician): competence areas
    mapped to the courses they can replace."""

    region = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="standards")
    code = models.SlugField(_("code"), max_length=60)
    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("name in English"), max_length=200, blank=True)
    branch = models.CharField(_("branch"), max_length=120)
    owner = models.CharField(
        _("owner of the branch model"),
        max_length=200,
        blank=True,
        help_text=_("The branch organisation that owns the validation model."),
    )
    description = models.TextField(_("description"), blank=True)
    four_eyes = models.BooleanField(
        _("a second assessor must sign off"),
        default=False,
        help_text=_("Results count only once a second assessor has signed them off."),
    )

    objects = RegionQuerySet.as_manager()

    class Meta:
        verbose_name = _("competence standard")
        verbose_name_plural = _("competence standards")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["region", "code"], name="standard_code_per_region")
        ]

    def __str__(self) -> str:
        return self.name


class StandardChildQuerySet(RegionQuerySet):
    region_path = "standard__region"


class CompetenceArea(models.Model):
    """One area of a standard, assessed by one method, that can replace the courses mapped to
    it (their points are the vp credited when the area is validated)."""

    standard = models.ForeignKey(CompetenceStandard, on_delete=models.CASCADE, related_name="areas")
    code = models.SlugField(_("code"), max_length=60)
    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("name in English"), max_length=200, blank=True)
    method = models.CharField(_("method"), max_length=24, choices=Method.choices)
    courses = models.ManyToManyField(
        Course, related_name="competence_areas", verbose_name=_("courses it can replace")
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    objects = StandardChildQuerySet.as_manager()

    class Meta:
        verbose_name = _("competence area")
        verbose_name_plural = _("competence areas")
        ordering = ["standard", "position", "code"]
        constraints = [
            models.UniqueConstraint(fields=["standard", "code"], name="area_code_per_standard")
        ]

    def __str__(self) -> str:
        return f"{self.standard}: {self.name}"


class CaseSource(models.TextChoices):
    APPLICATION = "application", _("Request in an application")
    ARBETSFORMEDLINGEN = "arbetsformedlingen", _("Referral from Arbetsförmedlingen")
    EMPLOYER = "employer", _("Employer upskilling staff")
    SELF = "self", _("The person's own request")


class CaseStatus(models.TextChoices):
    MAPPING = "mapping", _("Mapping")
    ASSESSMENT = "assessment", _("Assessment")
    DECIDED = "decided", _("Result decided")
    CLOSED = "closed", _("Closed without result")


class ValidationCaseQuerySet(RegionQuerySet):
    def visible_to(self, membership):
        """Assessors and region admins see the region's cases; the intake office sees cases
        of applications (to read results); the person sees their own; nobody else any."""
        if membership is None:
            return self.none()
        queryset = self.for_region(membership.region)
        if membership.role in STAFF_READERS:
            return queryset
        if membership.role == Role.INTAKE_OFFICER:
            return queryset.filter(application__isnull=False)
        if membership.role == Role.APPLICANT:
            return queryset.filter(person_id=membership.user_id)
        return queryset.none()


class ValidationCase(models.Model):
    """One person's validation against one standard: mapping, assessment, result."""

    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="validation_cases")
    reference = models.CharField(_("reference"), max_length=32, editable=False)
    standard = models.ForeignKey(
        CompetenceStandard,
        verbose_name=_("competence standard"),
        on_delete=models.PROTECT,
        related_name="cases",
    )
    source = models.CharField(_("opened from"), max_length=24, choices=CaseSource.choices)
    # The application whose validation request opened the case, if any.
    application = models.ForeignKey(
        Application,
        verbose_name=_("application"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="validation_cases",
    )
    # The person's account, when they have one: they see the case and download the certificate.
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="validation_cases",
    )
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    personnummer = models.CharField(
        _("personnummer or samordningsnummer"), max_length=12, blank=True
    )
    email = models.EmailField(_("e-mail address"), blank=True)
    home_municipality = models.ForeignKey(
        Municipality,
        verbose_name=_("home municipality"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # Arbetsförmedlingen's office or the employer's name, for referrals.
    referrer = models.CharField(_("referred by"), max_length=200, blank=True)
    description = models.TextField(_("what the person already knows"), blank=True)
    language = models.CharField(_("language"), max_length=8, default="sv")
    status = models.CharField(
        _("status"), max_length=16, choices=CaseStatus.choices, default=CaseStatus.MAPPING
    )
    assessor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("responsible assessor"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    requested_at = models.DateTimeField(_("requested"))
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("opened"), auto_now_add=True)
    decided_at = models.DateTimeField(_("result decided"), null=True, blank=True)

    objects = ValidationCaseQuerySet.as_manager()

    class Meta:
        verbose_name = _("validation case")
        verbose_name_plural = _("validation cases")
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["region", "reference"], name="validation_reference_per_region"
            ),
            models.CheckConstraint(
                condition=~Q(source=CaseSource.APPLICATION) | Q(application__isnull=False),
                name="validation_application_source_has_application",
            ),
        ]
        indexes = [models.Index(fields=["region", "status"], name="validation_case_status")]

    def __str__(self) -> str:
        return self.reference

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


class CaseChildQuerySet(RegionQuerySet):
    region_path = "case__region"

    def visible_to(self, membership):
        return self.filter(case__in=ValidationCase.objects.visible_to(membership))


class CaseArea(models.Model):
    """The mapping step: an area of the standard that the case will assess."""

    case = models.ForeignKey(ValidationCase, on_delete=models.CASCADE, related_name="areas")
    area = models.ForeignKey(CompetenceArea, on_delete=models.PROTECT, related_name="+")
    mapping_note = models.TextField(_("mapping note"), blank=True)

    objects = CaseChildQuerySet.as_manager()

    class Meta:
        verbose_name = _("area to assess")
        verbose_name_plural = _("areas to assess")
        ordering = ["case", "area__position", "area__code"]
        constraints = [
            models.UniqueConstraint(fields=["case", "area"], name="case_area_once"),
        ]

    def __str__(self) -> str:
        return f"{self.case}: {self.area}"


class Appointment(models.Model):
    """An assessment appointment: date, place and assessor."""

    case = models.ForeignKey(ValidationCase, on_delete=models.CASCADE, related_name="appointments")
    area = models.ForeignKey(
        CompetenceArea,
        verbose_name=_("competence area"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    place = models.CharField(_("place"), max_length=200)
    method = models.CharField(_("method"), max_length=24, choices=Method.choices)
    assessor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assessor"),
        on_delete=models.PROTECT,
        related_name="validation_appointments",
    )
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("booked"), auto_now_add=True)

    objects = CaseChildQuerySet.as_manager()

    class Meta:
        verbose_name = _("appointment")
        verbose_name_plural = _("appointments")
        ordering = ["starts_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="appointment_ends_after_start"
            )
        ]
        indexes = [models.Index(fields=["assessor", "starts_at"], name="appointment_calendar")]

    def __str__(self) -> str:
        return f"{self.case} · {self.starts_at:%Y-%m-%d %H:%M}"


class Outcome(models.TextChoices):
    VALIDATED = "validated", _("Validated: course credited")
    PARTLY = "partly", _("Partly validated")
    NOT_VALIDATED = "not_validated", _("Not validated")


class AreaResult(models.Model):
    """The result for one competence area: a decision record. A correction is a new row that
    replaces the earlier one; the latest row per area counts."""

    case = models.ForeignKey(ValidationCase, on_delete=models.CASCADE, related_name="results")
    area = models.ForeignKey(
        CompetenceArea,
        verbose_name=_("competence area"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices)
    # The courses this result credits: all of the area's for "validated", some for "partly".
    credited_courses = models.ManyToManyField(
        Course, blank=True, related_name="+", verbose_name=_("credited courses")
    )
    evidence = models.TextField(_("evidence"))
    method = models.CharField(_("method"), max_length=24, choices=Method.choices)
    assessor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assessor"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided"), auto_now_add=True)
    replaces = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="replaced_by"
    )
    correction_reason = models.TextField(_("reason for the correction"), blank=True)

    objects = CaseChildQuerySet.as_manager()

    class Meta:
        verbose_name = _("area result")
        verbose_name_plural = _("area results")
        ordering = ["case", "area", "decided_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(replaces__isnull=True) | ~Q(correction_reason=""),
                name="area_result_correction_has_reason",
            )
        ]

    def __str__(self) -> str:
        return f"{self.case} · {self.area.code}: {self.outcome}"


class SignOff(models.Model):
    """The second assessor's sign-off of a result (four eyes); never the result's own
    assessor (checked by the service)."""

    result = models.OneToOneField(AreaResult, on_delete=models.PROTECT, related_name="sign_off")
    assessor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("second assessor"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    note = models.TextField(_("note"), blank=True)
    signed_at = models.DateTimeField(_("signed off"), auto_now_add=True)

    class Meta:
        verbose_name = _("sign-off")
        verbose_name_plural = _("sign-offs")

    def __str__(self) -> str:
        return f"{self.result}: {self.assessor_id}"


def certificate_path(certificate, filename: str) -> str:
    # Server-generated: nothing personal in the name.
    return f"certificates/{certificate.case.region_id}/{uuid.uuid4().hex}.pdf"


class Certificate(models.Model):
    """An immutable PDF/A competence certificate of a decided case, with a public verification
    code. A corrected result gives a new version; the old one stays valid for what it said
    unless revoked. Revoking keeps the file: it is the record of what was issued."""

    case = models.ForeignKey(ValidationCase, on_delete=models.PROTECT, related_name="certificates")
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    language = models.CharField(_("language"), max_length=8)
    # Random, unguessable, shown on the certificate; the public page checks it.
    verification_code = models.CharField(_("verification code"), max_length=20, unique=True)
    file = models.FileField(upload_to=certificate_path, max_length=200, editable=False)
    sha256 = models.CharField(max_length=64, editable=False)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("issued"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("revoked by"),
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
    )
    # Shown to the validation centre's staff only: the public page tells just the date.
    revocation_reason = models.TextField(_("reason for revocation"), blank=True)

    objects = CaseChildQuerySet.as_manager()

    class Meta:
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        ordering = ["case", "version"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "version", "language"], name="certificate_version_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.case} · v{self.version} ({self.language})"
