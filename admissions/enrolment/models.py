"""Enrolment: who started, stopped early or completed an offering, and the courses credited on
a study path."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import Role
from accounts.tenancy import RegionQuerySet
from admissions.applications.models import (
    Application,
    ApplicationChildQuerySet,
    Choice,
    without_protected_identities,
)
from yrkescenter.models import Offering

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
