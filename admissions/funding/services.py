"""Approving (fastställa) a term's cost settlement.

The settlement is computed live from the enrolments; the municipalities' finance offices
invoice from it, so once the region sends it they need the figures of that moment, and to know
whether anything changed afterwards. An approval keeps every line of the term as a record
(admissions.funding.settlement.line_record) with the totals and a digest of the lines.

The rules:

- Only a region admin of the term's region approves.
- A term without a started student has nothing to approve, and one with a line that cannot
  be priced is not approved: its sums leave money out.
- The figures approved are those the admin saw: the page sends the digest of what it showed,
  and a different live digest (an enrolment changed meanwhile) is refused.
- Approving figures that are already the latest version's is refused: nothing would change.
- Versions count 1, 2, 3... per term. The term's row is locked, so two approvals at once get
  consecutive versions or one clear refusal, never a clash on the unique version.

Audit data carries the version, digest and totals: no names, no note (free text).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import Role, User
from accounts.selectors import membership_in_role
from accounts.services import audit_record
from admissions.funding.models import SettlementApproval
from admissions.funding.settlement import settlement_digest, settlement_of, settlement_records
from yrkescenter.models import IntakePeriod


@transaction.atomic
def settlement_approve(
    *, acting_user: User, period: IntakePeriod, note: str, digest: str
) -> SettlementApproval:
    """Approve the term's settlement as it is now, as its next version. `digest` is the
    settlement_digest of the figures the page showed."""
    # The term's row is the lock: two approvals of the term queue here, and the second one
    # reads the first one's version.
    period = (
        IntakePeriod.objects.select_for_update(of=("self",))
        .select_related("region")
        .get(pk=period.pk)
    )
    if membership_in_role(acting_user, period.region, Role.REGION_ADMIN) is None:
        raise PermissionDenied(
            _("Only a region administrator of the term's region can approve its settlement.")
        )
    settlement = settlement_of(period)
    if not settlement.lines:
        raise ValidationError(
            _("No student has started this term: there is nothing to approve yet."),
            code="empty",
        )
    unpriced = len(settlement.problems)
    if unpriced:
        raise ValidationError(
            ngettext(
                "%(count)s line cannot be priced: put the prices right first.",
                "%(count)s lines cannot be priced: put the prices right first.",
                unpriced,
            )
            % {"count": unpriced},
            code="unpriced",
        )
    live = settlement_digest(settlement)
    if digest != live:
        raise ValidationError(
            _("The figures changed after you opened the page: check them and approve again."),
            code="stale",
        )
    latest = (
        SettlementApproval.objects.filter(intake_period=period)
        .defer("lines")
        .order_by("-version")
        .first()
    )
    if latest is not None and latest.digest == live:
        raise ValidationError(
            _("Already approved as version %(version)s; nothing has changed since.")
            % {"version": latest.version},
            code="unchanged",
        )
    total = settlement.total
    approval = SettlementApproval.objects.create(
        intake_period=period,
        version=(latest.version if latest is not None else 0) + 1,
        approved_by=acting_user,
        note=(note or "").strip(),
        digest=live,
        payable_students=total.payable_students,
        total_amount=total.payable_amount,
        lines=settlement_records(settlement),
    )
    audit_record(
        acting_user=acting_user,
        region=period.region,
        role=Role.REGION_ADMIN,
        action="settlement.approve",
        target=period,
        data={
            "version": approval.version,
            "digest": live,
            "payable_students": approval.payable_students,
            "total_amount": str(approval.total_amount),
        },
    )
    return approval
