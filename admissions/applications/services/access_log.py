"""The access log: who opened which applicant's page, document or letter, and when.

GDPR asks the region to be able to show who has read a person's data (accountability,
article 5(2)). Every read by staff is one audit entry on the application itself, whatever was
opened, so that one application's reads are one indexed lookup. The applicant's own reads
are not logged: the data is theirs.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from accounts.models import Membership, User
from accounts.services import audit_record
from admissions.applications.models import Application

# What was opened, as the access log names it: the entry's action is "<key>.view".
READS = {
    "application": _("Application page"),
    "document": _("Document"),
    "letter": _("Decision letter"),
    "appeal": _("Appeal"),
    "appeal.attachment": _("Appeal attachment"),
    "appeal.reconsideration_letter": _("Reconsideration letter"),
    "appeal.case_file": _("Appeal case file"),
}
READ_ACTIONS = {f"{key}.view": label for key, label in READS.items()}


def read_log(
    *,
    acting_user: User,
    membership: Membership | None,
    application: Application,
    read: str,
    detail: dict[str, Any] | None = None,
) -> None:
    """One entry each time staff open one of an applicant's pages or files."""
    if read not in READS:
        raise ValueError(f"unknown read {read!r}")
    if membership is None or not membership.is_staff_role:
        return
    audit_record(
        acting_user=acting_user,
        region=application.region,
        action=f"{read}.view",
        target=application,
        role=membership.role,
        data=detail or {},
    )
