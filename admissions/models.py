"""Applications and their ranked choices. Later issues add review, rounds, offers and letters."""

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


class ApplicationStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class ApplicationQuerySet(RegionQuerySet):
    def visible_to(self, membership):
        """The intake office and region admins see the region; a study counsellor sees the
        residents of their municipality; an applicant sees their own; other roles see none."""
        if membership is None:
            return self.none()
        queryset = self.for_region(membership.region)
        if membership.role in (Role.INTAKE_OFFICER, Role.REGION_ADMIN):
            return queryset
        if membership.role == Role.COUNSELLOR:
            return queryset.filter(home_municipality_id=membership.scope_municipality_id)
        if membership.role == Role.APPLICANT:
            return queryset.filter(applicant_id=membership.user_id)
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
    birth_date = models.DateField(_("date of birth"))
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    email = models.EmailField(_("e-mail address"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    home_municipality = models.ForeignKey(
        Municipality,
        verbose_name=_("home municipality"),
        on_delete=models.PROTECT,
        related_name="+",
    )
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
        ]
        indexes = [
            models.Index(fields=["intake_period", "status"], name="application_period_status")
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
