"""Appeals (överklagande) of the decisions a letter says can be appealed, with their attachments,
reconsiderations (omprövning) and steps."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import Region, Role
from accounts.tenancy import RegionQuerySet
from admissions.applications.models import (
    Application,
    EligibilityDecision,
    without_protected_identities,
)
from admissions.rounds.models import DecisionLetter, RoundResult
from yrkescenter.models import Municipality

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
        applicant sees their own; no other role sees any. admissions.appeals.selectors is the
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
