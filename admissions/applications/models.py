"""Applications, their ranked choices, documents, and the intake office's review of them:
eligibility and selection group per choice, completion requests and notes."""

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import Region, Role
from accounts.tenancy import RegionQuerySet
from admissions.applications import personnummer
from yrkescenter.models import IntakePeriod, Municipality, Offering


def validate_personnummer(value: str) -> None:
    """A stored number is twelve digits with a correct check digit (or empty: not every applicant
    has one)."""
    if not value:
        return
    if len(value) != 12 or not value.isdigit() or not personnummer.is_valid(value):
        raise ValidationError(
            _("Enter a valid personnummer or samordningsnummer (YYYYMMDDNNNN)."),
            code="invalid_personnummer",
        )


def personnummer_message(error: personnummer.PersonnummerError) -> str:
    """Why a number was refused, in the reader's language (personnummer.py knows no Django)."""
    if error.code == "check_digit":
        return _("The check digit does not match; please check the number.")
    if error.code == "date":
        return _("The date of birth in the number does not exist; please check the number.")
    return _("Enter the number as YYYYMMDD-NNNN, for example 19850312-1234.")


class ApplicationStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class PriorEducation(models.TextChoices):
    COMPULSORY_INCOMPLETE = "compulsory_incomplete", _("Compulsory school, not completed")
    COMPULSORY = "compulsory", _("Compulsory school (grundskola)")
    UPPER_SECONDARY_INCOMPLETE = (
        "upper_secondary_incomplete",
        _("Upper-secondary school, not completed"),
    )
    UPPER_SECONDARY = "upper_secondary", _("Upper-secondary school completed (gymnasieexamen)")
    POST_SECONDARY = "post_secondary", _("Post-secondary education")
    FOREIGN = "foreign", _("Education from another country")


class Situation(models.TextChoices):
    UNEMPLOYED = "unemployed", _("Unemployed")
    AT_RISK = "at_risk", _("At risk of redundancy")
    EMPLOYED = "employed", _("Employed")
    SICK_LEAVE = "sick_leave", _("On sick leave, needing a new occupation")
    SFI_STUDENT = "sfi_student", _("SFI student")
    STUDENT = "student", _("Studying")
    OTHER = "other", _("Other")


class RecruitmentChannel(models.TextChoices):
    ARBETSFORMEDLINGEN = "arbetsformedlingen", _("Arbetsförmedlingen")
    KAA = "kaa", _("The municipality's activity responsibility (KAA)")
    SFI = "sfi", _("SFI")
    KOMVUX = "komvux", _("Komvux")
    FOLKHOGSKOLA = "folkhogskola", _("Folkhögskola")
    EMPLOYER = "employer", _("Employer")
    OTHER = "other", _("Other")


def without_protected_identities(queryset, membership, path: str = ""):
    """People with protected personal data are seen by themselves and the intake office's named
    officers only: hidden from every other staff list, export and search. `path` leads from the
    queryset's model to its application ("application__")."""
    if membership is not None and membership.sees_protected_identities:
        return queryset
    return queryset.exclude(**{f"{path}protected_identity": True})


class ApplicationQuerySet(RegionQuerySet):
    def visible_to(self, membership):
        """The intake office and region admins see the region; a study counsellor sees the
        residents of their municipality; a centre coordinator sees applications with a choice at
        their centre; an applicant sees their own; other roles (the council) see none."""
        if membership is None:
            return self.none()
        queryset = self.for_region(membership.region)
        if membership.role == Role.APPLICANT:
            return queryset.filter(applicant_id=membership.user_id)
        queryset = without_protected_identities(queryset, membership)
        if membership.role in (Role.INTAKE_OFFICER, Role.REGION_ADMIN):
            return queryset
        if membership.role == Role.COUNSELLOR:
            return queryset.filter(home_municipality_id=membership.scope_municipality_id)
        if membership.role == Role.COORDINATOR:
            return queryset.filter(
                pk__in=Choice.objects.filter(offering__centre_id=membership.scope_centre_id).values(
                    "application_id"
                )
            ).exclude(status=ApplicationStatus.DRAFT)
        return queryset.none()


class Application(models.Model):
    """One person's application for one intake period, with up to the region's maximum of
    ranked choices."""

    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="applications")
    intake_period = models.ForeignKey(
        IntakePeriod,
        verbose_name=_("intake period"),
        on_delete=models.PROTECT,
        related_name="applications",
    )
    # Empty for an application the intake office registered on paper for someone without an
    # account.
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("applicant"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="applications",
    )
    reference = models.CharField(_("reference"), max_length=32, editable=False)
    personnummer = models.CharField(
        _("personnummer or samordningsnummer"),
        max_length=12,
        blank=True,
        validators=[validate_personnummer],
        help_text=_("Twelve digits. Some applicants have neither number."),
    )
    has_no_identity_number = models.BooleanField(
        _("I have no Swedish identity number"), default=False
    )
    # Null only while a draft: a submitted application always has them (checked by the service).
    birth_date = models.DateField(_("date of birth"), null=True, blank=True)
    first_name = models.CharField(_("first name"), max_length=100, blank=True)
    last_name = models.CharField(_("last name"), max_length=100, blank=True)
    email = models.EmailField(_("e-mail address"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    # Skyddade personuppgifter (sekretessmarkering, skyddad folkbokföring): the address is
    # never stored, letters go only to the portal, and only named intake officers see it.
    protected_identity = models.BooleanField(_("protected personal data"), default=False)
    street_address = models.CharField(_("street address"), max_length=200, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=10, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    home_municipality = models.ForeignKey(
        Municipality,
        verbose_name=_("home municipality"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    prior_education = models.CharField(
        _("highest completed education"),
        max_length=32,
        choices=PriorEducation.choices,
        blank=True,
    )
    situation = models.CharField(
        _("current situation"), max_length=32, choices=Situation.choices, blank=True
    )
    recruitment_channel = models.CharField(
        _("how did you hear about the education?"),
        max_length=32,
        choices=RecruitmentChannel.choices,
        blank=True,
    )
    combine_with_sfi = models.BooleanField(
        _("combine with SFI (Swedish for immigrants)"), default=False
    )
    combine_with_sas = models.BooleanField(
        _("combine with Swedish as a second language"), default=False
    )
    language_support_note = models.TextField(_("other language support needs"), blank=True)
    validation_requested = models.BooleanField(
        _("I want my prior competence validated"), default=False
    )
    validation_description = models.TextField(
        _("what you already know and how you learned it"), blank=True
    )
    consent_given_at = models.DateTimeField(_("consent given"), null=True, blank=True)
    # Which step of the form the applicant last saved, so a draft reopens where they were.
    draft_step = models.CharField(_("form step"), max_length=32, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=ApplicationStatus.choices,
        default=ApplicationStatus.DRAFT,
    )
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = ApplicationQuerySet.as_manager()

    class Meta:
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["region", "reference"], name="application_reference_per_region"
            ),
            models.UniqueConstraint(
                fields=["intake_period", "applicant"], name="application_one_per_period"
            ),
            models.CheckConstraint(
                condition=Q(status=ApplicationStatus.DRAFT) | Q(submitted_at__isnull=False),
                name="application_submitted_has_time",
            ),
            models.CheckConstraint(
                condition=Q(protected_identity=False)
                | Q(street_address="", postal_code="", city=""),
                name="application_protected_has_no_address",
            ),
        ]
        indexes = [
            models.Index(fields=["intake_period", "status"], name="application_period_status"),
            # The intake office's exact identity-number search.
            models.Index(fields=["region", "personnummer"], name="application_personnummer"),
            # An e-ID login looks for applications registered under its number in any region
            # (accounts' paper_applications_link); only those without an account are wanted.
            models.Index(
                fields=["personnummer"],
                condition=Q(applicant__isnull=True),
                name="application_unclaimed_pnr",
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def masked_personnummer(self) -> str:
        return personnummer.mask(self.personnummer)

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


class ChoiceQuerySet(RegionQuerySet):
    region_path = "application__region"

    def visible_to(self, membership):
        """Choices of the applications the membership may see."""
        return self.filter(application__in=Application.objects.visible_to(membership))


class Choice(models.Model):
    """An applicant's choice of one offering, ranked 1 (most wanted) to N."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="choices")
    offering = models.ForeignKey(
        Offering, verbose_name=_("offering"), on_delete=models.PROTECT, related_name="choices"
    )
    rank = models.PositiveSmallIntegerField(_("rank"))

    objects = ChoiceQuerySet.as_manager()

    class Meta:
        verbose_name = _("choice")
        verbose_name_plural = _("choices")
        ordering = ["application", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["application", "rank"], name="choice_rank_once"),
            models.UniqueConstraint(
                fields=["application", "offering"], name="choice_offering_once"
            ),
            models.CheckConstraint(condition=Q(rank__gte=1), name="choice_rank_from_1"),
        ]

    def __str__(self) -> str:
        return f"{self.application} #{self.rank}: {self.offering}"


# --- review: decisions are records; a correction adds a row -------------------------------------


class IneligibilityGround(models.TextChoices):
    AGE = "age", _("Under 20 and no completed upper-secondary programme")
    NOT_RESIDENT = "not_resident", _("Not resident in Sweden")
    PREREQUISITES = "prerequisites", _("Lacks the prerequisites of the course")
    HAS_EQUIVALENT = "has_equivalent", _("Already has an equivalent education")
    INCOMPLETE = "incomplete", _("The application was not completed in time")
    OTHER = "other", _("Other ground (see the explanation)")


class SelectionGroup(models.IntegerChoices):
    # Förordning (2011:1108) om vuxenutbildning, 3 kap. 7 §.
    FINISH_STUDY_PLAN = 1, _("1 – finish an existing study plan")
    NO_UPPER_SECONDARY = 2, _("2 – lacks an upper-secondary degree")
    UNEMPLOYED_OR_AT_RISK = 3, _("3 – unemployed or at risk of unemployment")
    CURRENT_JOB = 4, _("4 – needs it for the current job")
    PLANNED_CAREER = 5, _("5 – needs it for a planned career")


class ChoiceChildQuerySet(RegionQuerySet):
    region_path = "choice__application__region"

    def visible_to(self, membership):
        return self.filter(choice__in=Choice.objects.visible_to(membership))


class EligibilityDecision(models.Model):
    """The intake office's decision on one choice: eligible, or not, with grounds."""

    choice = models.ForeignKey(Choice, on_delete=models.CASCADE, related_name="eligibility")
    eligible = models.BooleanField(_("eligible"))
    ground = models.CharField(
        _("ground"), max_length=32, choices=IneligibilityGround.choices, blank=True
    )
    explanation = models.TextField(_("explanation"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided"), auto_now_add=True)

    objects = ChoiceChildQuerySet.as_manager()

    class Meta:
        verbose_name = _("eligibility decision")
        verbose_name_plural = _("eligibility decisions")
        ordering = ["choice", "-decided_at", "-id"]
        get_latest_by = ["decided_at", "id"]
        # The current decision of a choice is its latest row.
        indexes = [models.Index(fields=["choice", "-decided_at", "-id"], name="eligibility_latest")]
        constraints = [
            models.CheckConstraint(
                condition=Q(eligible=True, ground="") | Q(eligible=False) & ~Q(ground=""),
                name="eligibility_ground_when_not_eligible",
            )
        ]

    def __str__(self) -> str:
        return f"{self.choice}: {'eligible' if self.eligible else self.ground}"


class SelectionGroupDecision(models.Model):
    """The selection group of one choice, with the evidence it rests on and the suggestion."""

    choice = models.ForeignKey(Choice, on_delete=models.CASCADE, related_name="groups")
    group = models.PositiveSmallIntegerField(_("selection group"), choices=SelectionGroup.choices)
    suggested_group = models.PositiveSmallIntegerField(
        _("suggested group"), choices=SelectionGroup.choices, null=True, blank=True
    )
    evidence = models.TextField(_("evidence"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided"), auto_now_add=True)

    objects = ChoiceChildQuerySet.as_manager()

    class Meta:
        verbose_name = _("selection group decision")
        verbose_name_plural = _("selection group decisions")
        ordering = ["choice", "-decided_at", "-id"]
        get_latest_by = ["decided_at", "id"]
        indexes = [models.Index(fields=["choice", "-decided_at", "-id"], name="group_latest")]
        constraints = [
            models.CheckConstraint(
                condition=Q(group__gte=1) & Q(group__lte=5), name="selection_group_1_to_5"
            )
        ]

    def __str__(self) -> str:
        return f"{self.choice}: group {self.group}"


class ApplicationChildQuerySet(RegionQuerySet):
    region_path = "application__region"

    def visible_to(self, membership):
        return self.filter(application__in=Application.objects.visible_to(membership))


class DocumentKind(models.TextChoices):
    GRADES = "grades", _("Grades")
    CERTIFICATE = "certificate", _("Certificate or diploma")
    CV = "cv", _("CV")
    AF_CERTIFICATE = "af_certificate", _("Certificate from Arbetsförmedlingen")
    EMPLOYER_CERTIFICATE = "employer_certificate", _("Certificate from an employer")
    OTHER = "other", _("Other document")


def document_path(document, filename: str) -> str:
    # A server-generated name: nothing the applicant typed, no identity number, ends up on disk.
    return f"documents/{document.application.region_id}/{uuid.uuid4().hex}"


class Document(models.Model):
    """An uploaded document: private, recognised by content, served only through a view."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(_("kind of document"), max_length=32, choices=DocumentKind.choices)
    file = models.FileField(_("file"), upload_to=document_path, max_length=200)
    # The name as uploaded, with digit runs that could be an identity number masked.
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("type"), max_length=64)
    size = models.PositiveIntegerField(_("size (bytes)"))
    sha256 = models.CharField(max_length=64)
    completion_request = models.ForeignKey(
        "CompletionRequest",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="documents",
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    objects = ApplicationChildQuerySet.as_manager()

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["application", "uploaded_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.original_name}"


class CompletionRequest(models.Model):
    """The intake office asks for what is missing, by a deadline; the applicant answers."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="completion_requests"
    )
    # Document kinds asked for (DocumentKind values).
    missing = models.JSONField(_("what is missing"), default=list)
    message = models.TextField(_("message to the applicant"), blank=True)
    deadline = models.DateField(_("deadline"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(_("requested"), auto_now_add=True)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    answer = models.TextField(_("answer"), blank=True)

    objects = ApplicationChildQuerySet.as_manager()

    class Meta:
        verbose_name = _("completion request")
        verbose_name_plural = _("completion requests")
        ordering = ["application", "-requested_at", "-id"]
        indexes = [models.Index(fields=["application", "answered_at"], name="completion_open")]

    def __str__(self) -> str:
        return f"{self.application}: {', '.join(self.missing)} by {self.deadline}"

    @property
    def is_open(self) -> bool:
        return self.answered_at is None


class Note(models.Model):
    """An internal note on an application by the intake office (never shown to the applicant)."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="notes")
    text = models.TextField(_("note"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("written"), auto_now_add=True)

    objects = ApplicationChildQuerySet.as_manager()

    class Meta:
        verbose_name = _("note")
        verbose_name_plural = _("notes")
        ordering = ["application", "-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.application}: {self.text[:40]}"
