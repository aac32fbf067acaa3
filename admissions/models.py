"""Applications and their ranked choices. Later issues add review, rounds, offers and letters."""

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import Region, Role
from accounts.tenancy import RegionQuerySet
from admissions import personnummer
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


# --- admission rounds, offers and decision letters ------------------------------------------------


class IntakeLottery(models.Model):
    """The seed from which every applicant's lottery number of an intake period is drawn, once;
    every round of the period reuses it, so an applicant keeps one number all period."""

    intake_period = models.OneToOneField(
        IntakePeriod, on_delete=models.PROTECT, related_name="lottery"
    )
    seed = models.BigIntegerField(_("seed"))
    drawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    drawn_at = models.DateTimeField(_("drawn"), auto_now_add=True)

    class Meta:
        verbose_name = _("intake lottery")
        verbose_name_plural = _("intake lotteries")

    def __str__(self) -> str:
        return f"{self.intake_period}: {self.seed}"


class RoundKind(models.TextChoices):
    MAIN = "main", _("Main round")
    SUPPLEMENTARY = "supplementary", _("Supplementary round")
    RESERVE = "reserve", _("Reserve round")


class RoundStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    RUNNING = "running", _("Running")
    PRELIMINARY = "preliminary", _("Preliminary")
    PUBLISHED = "published", _("Published")
    CLOSED = "closed", _("Closed")


class AdmissionRoundQuerySet(RegionQuerySet):
    def visible_to(self, membership):
        if membership is None or membership.role not in (Role.INTAKE_OFFICER, Role.REGION_ADMIN):
            return self.none()
        return self.for_region(membership.region)


class AdmissionRound(models.Model):
    """One regional admission round of an intake period: draft → running → preliminary →
    published → closed. Its inputs are frozen in a snapshot, hashed, so it can be explained and
    run again later with the same result."""

    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="rounds")
    intake_period = models.ForeignKey(
        IntakePeriod,
        verbose_name=_("intake period"),
        on_delete=models.PROTECT,
        related_name="rounds",
    )
    kind = models.CharField(_("kind"), max_length=16, choices=RoundKind.choices)
    number = models.PositiveSmallIntegerField(_("number"))
    status = models.CharField(
        _("status"), max_length=16, choices=RoundStatus.choices, default=RoundStatus.DRAFT
    )
    answer_deadline = models.DateField(_("answer deadline"))
    snapshot = models.JSONField(_("inputs"), null=True, blank=True, editable=False)
    snapshot_sha256 = models.CharField(max_length=64, blank=True, editable=False)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    error = models.TextField(_("error"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    published_at = models.DateTimeField(_("published"), null=True, blank=True)

    objects = AdmissionRoundQuerySet.as_manager()

    class Meta:
        verbose_name = _("admission round")
        verbose_name_plural = _("admission rounds")
        ordering = ["intake_period", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["intake_period", "number"], name="round_number_per_period"
            ),
            models.CheckConstraint(
                condition=Q(progress__lte=100), name="round_progress_at_most_100"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.intake_period} · {self.get_kind_display()} {self.number}"


class Outcome(models.TextChoices):
    ADMITTED = "admitted", _("Admitted")
    WAITING = "waiting", _("On the waiting list")
    NOT_ELIGIBLE = "not_eligible", _("Not eligible")
    BELOW_ASSIGNMENT = "below_assignment", _("Ranked below the course you were admitted to")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class RoundChildQuerySet(RegionQuerySet):
    region_path = "round__region"

    def visible_to(self, membership):
        return self.filter(round__in=AdmissionRound.objects.visible_to(membership))


class RoundResultQuerySet(RoundChildQuerySet):
    def visible_to(self, membership):
        return without_protected_identities(
            super().visible_to(membership), membership, "application__"
        )


class RoundResult(models.Model):
    """The round's decision on one choice: what happened to it and why."""

    round = models.ForeignKey(AdmissionRound, on_delete=models.CASCADE, related_name="results")
    choice = models.ForeignKey(Choice, on_delete=models.PROTECT, related_name="results")
    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="+")
    offering = models.ForeignKey(Offering, on_delete=models.PROTECT, related_name="+")
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices)
    waiting_position = models.PositiveIntegerField(_("place on the waiting list"), null=True)
    group = models.PositiveSmallIntegerField(_("selection group"), null=True)
    lottery = models.FloatField(_("lottery number"), null=True)

    objects = RoundResultQuerySet.as_manager()

    class Meta:
        verbose_name = _("round result")
        verbose_name_plural = _("round results")
        ordering = ["round", "offering", "outcome", "waiting_position"]
        constraints = [
            models.UniqueConstraint(fields=["round", "choice"], name="round_result_once_per_choice")
        ]
        indexes = [models.Index(fields=["round", "application"], name="round_result_application")]

    def __str__(self) -> str:
        return f"{self.round}: {self.choice} → {self.outcome}"


class RoundCutoff(models.Model):
    """Per offering and round: how many were admitted and the priority of the last of them."""

    round = models.ForeignKey(AdmissionRound, on_delete=models.CASCADE, related_name="cutoffs")
    offering = models.ForeignKey(Offering, on_delete=models.PROTECT, related_name="+")
    admitted = models.PositiveIntegerField(_("admitted"))
    waiting = models.PositiveIntegerField(_("waiting"))
    group = models.PositiveSmallIntegerField(_("cutoff group"), null=True)
    lottery = models.FloatField(_("cutoff lottery number"), null=True)

    objects = RoundChildQuerySet.as_manager()

    class Meta:
        verbose_name = _("cutoff")
        verbose_name_plural = _("cutoffs")
        constraints = [
            models.UniqueConstraint(fields=["round", "offering"], name="round_cutoff_per_offering")
        ]

    def __str__(self) -> str:
        return f"{self.round} · {self.offering}: {self.group}/{self.lottery}"


class OfferQuerySet(RegionQuerySet):
    region_path = "round__region"

    def visible_to(self, membership):
        return self.filter(application__in=Application.objects.visible_to(membership))


class Offer(models.Model):
    """A seat offered to an applicant by a published round, to be answered by a deadline."""

    round = models.ForeignKey(AdmissionRound, on_delete=models.PROTECT, related_name="offers")
    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="offers")
    choice = models.ForeignKey(Choice, on_delete=models.PROTECT, related_name="offers")
    answer_deadline = models.DateField(_("answer by"))
    created_at = models.DateTimeField(_("offered"), auto_now_add=True)

    objects = OfferQuerySet.as_manager()

    class Meta:
        verbose_name = _("offer")
        verbose_name_plural = _("offers")
        ordering = ["round", "application"]
        constraints = [
            models.UniqueConstraint(fields=["round", "application"], name="offer_once_per_round")
        ]

    def __str__(self) -> str:
        return f"{self.round}: {self.choice}"


class OfferAnswerKind(models.TextChoices):
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined, still waiting for higher choices")
    WITHDRAWN = "withdrawn", _("Declined and withdrew the application")
    EXPIRED = "expired", _("Not answered in time")


class OfferAnswer(models.Model):
    """The answer to an offer: a record of its own, so the offer itself never changes."""

    offer = models.OneToOneField(Offer, on_delete=models.PROTECT, related_name="answer")
    kind = models.CharField(_("answer"), max_length=16, choices=OfferAnswerKind.choices)
    # None when the deadline passed (the system recorded the expiry).
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    answered_at = models.DateTimeField(_("answered"), auto_now_add=True)

    class Meta:
        verbose_name = _("offer answer")
        verbose_name_plural = _("offer answers")

    def __str__(self) -> str:
        return f"{self.offer}: {self.kind}"


def letter_path(letter, filename: str) -> str:
    # Server-generated: nothing personal in the name.
    return f"letters/{letter.round.region_id}/{uuid.uuid4().hex}.pdf"


class DecisionLetter(models.Model):
    """An immutable PDF/A decision letter per applicant and round. Never regenerated over an old
    one: a correction is a new version that points at the letter it replaces."""

    round = models.ForeignKey(AdmissionRound, on_delete=models.PROTECT, related_name="letters")
    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="letters")
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    replaces = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="replaced_by"
    )
    correction_reason = models.TextField(_("reason for the correction"), blank=True)
    language = models.CharField(_("language"), max_length=8)
    file = models.FileField(upload_to=letter_path, max_length=200, editable=False)
    sha256 = models.CharField(max_length=64, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = ApplicationChildQuerySet.as_manager()

    class Meta:
        verbose_name = _("decision letter")
        verbose_name_plural = _("decision letters")
        ordering = ["application", "round", "version"]
        constraints = [
            models.UniqueConstraint(
                fields=["round", "application", "version"], name="letter_version_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.application} · {self.round} · v{self.version}"


# --- enrolment: who started, stopped early or completed an offering ------------------------------


class EnrolmentStatus(models.TextChoices):
    STARTED = "started", _("Studying")
    INTERRUPTED = "interrupted", _("Stopped early")
    COMPLETED = "completed", _("Completed")


class InterruptionReason(models.TextChoices):
    WORK = "work", _("Got a job")
    OTHER_STUDIES = "other_studies", _("Went on to other studies")
    HEALTH = "health", _("Health")
    MOVED = "moved", _("Moved away")
    PERSONAL = "personal", _("Personal reasons")
    ABSENCE = "absence", _("Did not attend")
    OTHER = "other", _("Other")


class EnrolmentQuerySet(RegionQuerySet):
    region_path = "offering__region"

    def visible_to(self, membership):
        """The intake office and region admins see the region; a coordinator sees their
        centre's students; a rector sees their municipality's residents and the students of
        the centres it hosts; a study counsellor sees residents; an applicant sees their own."""
        if membership is None:
            return self.none()
        queryset = self.for_region(membership.region)
        if membership.role == Role.APPLICANT:
            return queryset.filter(application__applicant_id=membership.user_id)
        queryset = without_protected_identities(queryset, membership, "application__")
        if membership.role in (Role.INTAKE_OFFICER, Role.REGION_ADMIN):
            return queryset
        if membership.role == Role.COORDINATOR:
            return queryset.filter(offering__centre_id=membership.scope_centre_id)
        if membership.role == Role.RECTOR:
            return queryset.filter(
                Q(application__home_municipality_id=membership.scope_municipality_id)
                | Q(offering__centre__host_municipality_id=membership.scope_municipality_id)
            )
        if membership.role == Role.COUNSELLOR:
            return queryset.filter(
                application__home_municipality_id=membership.scope_municipality_id
            )
        return queryset.none()


class Enrolment(models.Model):
    """An admitted student's studies in one offering: started, then stopped early or completed.
    What the cost settlement between municipalities is computed from."""

    application = models.ForeignKey(
        Application, on_delete=models.PROTECT, related_name="enrolments"
    )
    choice = models.OneToOneField(Choice, on_delete=models.PROTECT, related_name="enrolment")
    offering = models.ForeignKey(
        Offering, verbose_name=_("offering"), on_delete=models.PROTECT, related_name="enrolments"
    )
    started_on = models.DateField(_("start date"))
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=EnrolmentStatus.choices,
        default=EnrolmentStatus.STARTED,
    )
    ended_on = models.DateField(_("end date"), null=True, blank=True)
    interruption_reason = models.CharField(
        _("reason for stopping"), max_length=16, choices=InterruptionReason.choices, blank=True
    )
    interruption_note = models.TextField(_("note on stopping"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = EnrolmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        ordering = ["offering", "started_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "offering"], name="enrolment_once_per_offering"
            ),
            models.CheckConstraint(
                condition=(
                    Q(status=EnrolmentStatus.STARTED, ended_on__isnull=True)
                    | Q(
                        status__in=[EnrolmentStatus.INTERRUPTED, EnrolmentStatus.COMPLETED],
                        ended_on__isnull=False,
                    )
                ),
                name="enrolment_end_date_matches_status",
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("started_on")),
                name="enrolment_ends_after_start",
            ),
            models.CheckConstraint(
                condition=~Q(status=EnrolmentStatus.INTERRUPTED) | ~Q(interruption_reason=""),
                name="enrolment_interruption_has_reason",
            ),
        ]
        indexes = [models.Index(fields=["offering", "status"], name="enrolment_offering_status")]

    def __str__(self) -> str:
        return f"{self.application} · {self.offering}: {self.status}"


class StudyPathCredit(models.Model):
    """A course the applicant need not study because it was credited (by the validation
    centre): it shortens the study path in any offering whose programme contains the course, and
    so lowers the vp charged in the settlement. Withdrawn, not deleted, when the result behind
    it is corrected."""

    application = models.ForeignKey(
        Application, on_delete=models.PROTECT, related_name="study_path_credits"
    )
    course = models.ForeignKey(
        "yrkescenter.Course", verbose_name=_("course"), on_delete=models.PROTECT, related_name="+"
    )
    # The course's points when credited: a later change of the catalogue leaves it as decided.
    vp = models.PositiveIntegerField(_("credited vp"))
    # Where the credit comes from, e.g. "VAL-2026-0012"; the deciding app keeps the details.
    source_reference = models.CharField(_("decided in"), max_length=64)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded"), auto_now_add=True)
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)
    withdrawn_reason = models.TextField(_("why it was withdrawn"), blank=True)

    objects = ApplicationChildQuerySet.as_manager()

    class Meta:
        verbose_name = _("credited course")
        verbose_name_plural = _("credited courses")
        ordering = ["application", "course"]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "course"],
                condition=Q(withdrawn_at__isnull=True),
                name="study_path_credit_once_per_course",
            )
        ]

    def __str__(self) -> str:
        return f"{self.application}: {self.course_id} ({self.vp} vp)"


# --- the cost settlement as approved (fastställd) ---------------------------------------------


class SettlementApprovalQuerySet(RegionQuerySet):
    region_path = "intake_period__region"


class SettlementApproval(models.Model):
    """A term's cost settlement as the region approved it and sent it to the municipalities:
    the finance offices invoice from these figures, so every student's line of that moment is
    kept (`lines`, records of admissions.settlement.line_record) and later changes can be shown
    against them. Append-only: approving again adds the next version; none is ever changed."""

    intake_period = models.ForeignKey(
        IntakePeriod,
        verbose_name=_("intake period"),
        on_delete=models.PROTECT,
        related_name="settlement_approvals",
    )
    version = models.PositiveIntegerField(_("version"))
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(_("approved"), auto_now_add=True)
    note = models.TextField(_("note"), blank=True)
    # sha256 of the lines (admissions.settlement.settlement_digest): equal digests, equal lines.
    digest = models.CharField(_("digest"), max_length=64)
    payable_students = models.PositiveIntegerField(_("paying students"))
    total_amount = models.DecimalField(
        _("paid by home municipalities"), max_digits=14, decimal_places=2
    )
    lines = models.JSONField(_("lines"), default=list)

    objects = SettlementApprovalQuerySet.as_manager()

    class Meta:
        verbose_name = _("settlement approval")
        verbose_name_plural = _("settlement approvals")
        ordering = ["intake_period", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["intake_period", "version"], name="settlement_approval_version_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.intake_period} · v{self.version}"


# --- appeals (överklagande) of the decisions a letter says can be appealed ----------------------


class AppealSubject(models.TextChoices):
    # Skollagen 28 kap. 12 § 7-8: the decision not to receive (ta emot) the applicant, and the
    # home municipality's decision on its cost commitment (interkommunal ersättning).
    ACCEPTANCE = "acceptance", _("Acceptance (mottagande) to the course")
    COST_COMMITMENT = "cost_commitment", _("The home municipality's cost commitment")


class AppealState(models.TextChoices):
    RECEIVED = "received", _("Received")
    # Förvaltningslagen 46 §: changed as the appellant asked, so the appeal lapses.
    CHANGED = "changed", _("Decision changed on reconsideration")
    FORWARDED = "forwarded", _("Sent to Skolväsendets överklagandenämnd")
    DECIDED = "decided", _("Decided by Skolväsendets överklagandenämnd")


class BoardOutcome(models.TextChoices):
    UPHELD = "upheld", _("Upheld (bifall)")
    PARTLY_UPHELD = "partly_upheld", _("Partly upheld (delvis bifall)")
    REJECTED = "rejected", _("Rejected (avslag)")
    DISMISSED = "dismissed", _("Dismissed (avvisning)")
    REMANDED = "remanded", _("Sent back for a new decision (återförvisning)")
    WRITTEN_OFF = "written_off", _("Written off (avskrivning)")


def appeal_case_file_path(appeal, filename: str) -> str:
    return f"appeals/{appeal.region_id}/{uuid.uuid4().hex}.pdf"


class AppealQuerySet(RegionQuerySet):
    def visible_to(self, membership):
        """The intake office decides on appeals for every municipality of the agreement (it
        makes the decisions on their behalf), so intake officers see the region's appeals; an
        applicant sees their own; no other role sees any. admissions.appeal_selectors is the
        one way the pages reach them."""
        if membership is None:
            return self.none()
        queryset = self.for_region(membership.region)
        if membership.role == Role.INTAKE_OFFICER:
            return without_protected_identities(queryset, membership, "application__")
        if membership.role == Role.APPLICANT:
            return queryset.filter(application__applicant_id=membership.user_id)
        return queryset.none()


class Appeal(models.Model):
    """An applicant's appeal of one decision (a round's result on one choice) that the letter
    said can be appealed. The appeal itself is what the applicant wrote; what the authority does
    with it are records of their own (AppealReconsideration, AppealEvent)."""

    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="appeals")
    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="appeals")
    result = models.ForeignKey(RoundResult, on_delete=models.PROTECT, related_name="appeals")
    letter = models.ForeignKey(
        DecisionLetter, on_delete=models.PROTECT, related_name="appeals", verbose_name=_("letter")
    )
    subject = models.CharField(_("decision appealed"), max_length=20, choices=AppealSubject.choices)
    # Who made the decision and so reconsiders it: the centre's host municipality for
    # acceptance, the home municipality for the cost commitment.
    deciding_municipality = models.ForeignKey(
        Municipality,
        verbose_name=_("deciding municipality"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    requested_change = models.TextField(_("what you want changed"))
    grounds = models.TextField(_("why the decision should be changed"))
    lodged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    lodged_at = models.DateTimeField(_("received"))
    # The last day of the three weeks (förvaltningslagen 44 §), counted from the day the letter
    # was published in the portal; a late appeal is still received (the authority decides).
    deadline = models.DateField(_("appeal by"))
    is_late = models.BooleanField(_("received late"), default=False)
    state = models.CharField(
        _("state"), max_length=16, choices=AppealState.choices, default=AppealState.RECEIVED
    )
    forwarded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    forwarded_at = models.DateTimeField(_("sent to the board"), null=True, blank=True)
    case_file = models.FileField(
        upload_to=appeal_case_file_path, max_length=200, blank=True, editable=False
    )
    case_file_sha256 = models.CharField(max_length=64, blank=True, editable=False)
    board_outcome = models.CharField(
        _("the board's decision"), max_length=16, choices=BoardOutcome.choices, blank=True
    )
    board_reference = models.CharField(_("the board's reference"), max_length=64, blank=True)
    board_decided_on = models.DateField(_("decided by the board on"), null=True, blank=True)
    board_note = models.TextField(_("summary of the board's decision"), blank=True)

    objects = AppealQuerySet.as_manager()

    class Meta:
        verbose_name = _("appeal")
        verbose_name_plural = _("appeals")
        ordering = ["-lodged_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["result", "subject"], name="appeal_once_per_decision"),
            models.CheckConstraint(
                condition=~Q(state__in=["forwarded", "decided"])
                | Q(forwarded_at__isnull=False) & ~Q(case_file_sha256=""),
                name="appeal_forwarded_has_case_file",
            ),
            models.CheckConstraint(
                condition=Q(state="decided", board_decided_on__isnull=False) & ~Q(board_outcome="")
                | ~Q(state="decided") & Q(board_outcome=""),
                name="appeal_board_outcome_when_decided",
            ),
        ]
        indexes = [models.Index(fields=["region", "state"], name="appeal_region_state")]

    def __str__(self) -> str:
        return f"{self.application} · {self.get_subject_display()}"

    @property
    def is_open(self) -> bool:
        return self.state == AppealState.RECEIVED


def appeal_attachment_path(attachment, filename: str) -> str:
    return f"appeals/{attachment.appeal.region_id}/{uuid.uuid4().hex}"


class AppealChildQuerySet(RegionQuerySet):
    region_path = "appeal__region"

    def visible_to(self, membership):
        return self.filter(appeal__in=Appeal.objects.visible_to(membership))


class AppealAttachment(models.Model):
    """A file the applicant attached to the appeal: private, recognised by its content."""

    appeal = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("file"), upload_to=appeal_attachment_path, max_length=200)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("type"), max_length=64)
    size = models.PositiveIntegerField(_("size (bytes)"))
    sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    objects = AppealChildQuerySet.as_manager()

    class Meta:
        verbose_name = _("appeal attachment")
        verbose_name_plural = _("appeal attachments")
        ordering = ["appeal", "uploaded_at", "id"]

    def __str__(self) -> str:
        return self.original_name


def reconsideration_letter_path(reconsideration, filename: str) -> str:
    return f"letters/{reconsideration.appeal.region_id}/{uuid.uuid4().hex}.pdf"


class AppealReconsideration(models.Model):
    """The deciding municipality's new decision on reconsideration (omprövning, förvaltningslagen
    38-39 §§), with its own letter: the appealed decision and its letter stay as they were."""

    appeal = models.ForeignKey(Appeal, on_delete=models.PROTECT, related_name="reconsiderations")
    # Whether the new decision gives the applicant all they asked for (then the appeal lapses,
    # förvaltningslagen 46 §) or only part (then the appeal still goes to the board).
    fully_changed = models.BooleanField(_("changed as the applicant asked"))
    decision = models.TextField(_("the new decision"))
    reasons = models.TextField(_("grounds"))
    # The new eligibility record when acceptance was changed to eligible.
    eligibility = models.OneToOneField(
        EligibilityDecision, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided"), auto_now_add=True)
    language = models.CharField(_("language"), max_length=8)
    file = models.FileField(upload_to=reconsideration_letter_path, max_length=200, editable=False)
    sha256 = models.CharField(max_length=64, editable=False)

    objects = AppealChildQuerySet.as_manager()

    class Meta:
        verbose_name = _("reconsidered decision")
        verbose_name_plural = _("reconsidered decisions")
        ordering = ["appeal", "decided_at", "id"]

    def __str__(self) -> str:
        return f"{self.appeal}: {self.decision[:40]}"


class AppealEventKind(models.TextChoices):
    LODGED = "lodged", _("Appeal received")
    RECONSIDERED = "reconsidered", _("Decision reconsidered")
    FORWARDED = "forwarded", _("Sent to Skolväsendets överklagandenämnd")
    BOARD_DECIDED = "board_decided", _("Skolväsendets överklagandenämnd has decided")


class AppealEvent(models.Model):
    """One step of the appeal, as the applicant sees it on their page (the audit log has the
    same steps with who did them)."""

    appeal = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("step"), max_length=16, choices=AppealEventKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    at = models.DateTimeField(_("when"), auto_now_add=True)
    note = models.TextField(_("note"), blank=True)

    objects = AppealChildQuerySet.as_manager()

    class Meta:
        verbose_name = _("appeal step")
        verbose_name_plural = _("appeal steps")
        ordering = ["appeal", "at", "id"]

    def __str__(self) -> str:
        return f"{self.appeal}: {self.kind}"
