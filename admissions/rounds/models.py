"""Admission rounds, their results and cutoffs, the offers they make, the applicants' answers
and the decision letters."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import Region, Role
from accounts.tenancy import RegionQuerySet
from admissions.applications.models import (
    Application,
    ApplicationChildQuerySet,
    Choice,
    without_protected_identities,
)
from yrkescenter.models import IntakePeriod, Offering

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
