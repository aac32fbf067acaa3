"""The cost settlement as the region approved it (fastställd)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.tenancy import RegionQuerySet
from yrkescenter.models import IntakePeriod

# --- the cost settlement as approved (fastställd) ---------------------------------------------


class SettlementApprovalQuerySet(RegionQuerySet):
    region_path = "intake_period__region"


class SettlementApproval(models.Model):
    """A term's cost settlement as the region approved it and sent it to the municipalities:
    the finance offices invoice from these figures, so every student's line of that moment is
    kept (`lines`, records of admissions.funding.settlement.line_record) and later changes can be
    shown against them. Append-only: approving again adds the next version; none is ever changed."""

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
    # sha256 of the lines (admissions.funding.settlement.settlement_digest): equal digests, equal
    # lines.
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
