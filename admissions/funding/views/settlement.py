"""The cost settlement between municipalities: the terms, one term's matrix with the
municipalities' and grant years' figures, the drill-down to students and the exports.

Region admins see everything; a rector sees their municipality's row and column of the matrix,
its students and the region's totals; council members see the region's totals and the grant
years only (never a student: the drill-down and the exports are 403 for them). Other roles get
403; another region's term is a 404. The computation is admissions/funding/settlement.py's.

Approval (fastställande): the detail page shows the latest approved version and what changed
since it (the students only to those who may see them: council members get the count); a
region admin approves the figures on screen (a POST to its own URL). A page per approved
version shows its matrix, scoped like the live one, to region admins and rectors."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from accounts.models import Role
from accounts.permissions import role_required
from accounts.tenancy import get_scoped_or_404
from admissions.funding import services as settlement_services
from admissions.funding.export import FORMATS, approved_export, settlement_export
from admissions.funding.forms.settlement import ApprovalForm
from admissions.funding.models import SettlementApproval
from admissions.funding.selectors import (
    SETTLEMENT_ROLES,
    STUDENT_ROLES,
    approvals_of,
    get_municipality_by_code,
    get_period_for,
    latest_approval,
    latest_approvals,
    settlement_periods_for,
)
from admissions.funding.settlement import (
    Changes,
    Funding,
    Scope,
    Settlement,
    approval_changes,
    approved_settlement,
    matrix_for,
    scope_for,
    settlement_digest,
    settlement_of,
    settlement_students_view_log,
    shown_count,
    visible_municipalities,
)


@role_required(*SETTLEMENT_ROLES)
@require_GET
def settlement_index(request):
    periods = list(settlement_periods_for(request.membership))
    approvals = latest_approvals(periods)
    return render(
        request,
        "admissions/settlement/index.html",
        {"rows": [(period, approvals.get(period.pk)) for period in periods]},
    )


@dataclass(frozen=True)
class ChangedStudent:
    """One student's line that differs from the approved version, as the page lists it."""

    kind: str  # "added", "changed" or "removed"
    reference: str
    home: str
    host: str
    then: Decimal | None  # the approved amount (None: not approved, or without a price)
    then_funding: str
    now: Decimal | None  # the live amount (None: no longer settled, or without a price)
    now_funding: str


def _place(name: str | None, code: str | None) -> str:
    return f"{name} ({code})" if name is not None else "–"


def _funding_label(funding: str) -> str:
    return str(Funding(funding).label)


def _changed_students(changes: Changes, scope: Scope) -> list[ChangedStudent]:
    """The changed lines this scope may see: a line of its municipality, then or now."""
    rows = []
    for line in changes.added:
        if scope.sees_line(line):
            rows.append(
                ChangedStudent(
                    kind="added",
                    reference=line.reference,
                    home=str(line.home) if line.home is not None else "–",
                    host=str(line.host),
                    then=None,
                    then_funding="",
                    now=line.amount,
                    now_funding=line.funding_label,
                )
            )
    for record, line in changes.changed:
        if scope.sees_line(line) or scope.sees_cell(record["home_id"], record["host_id"]):
            rows.append(
                ChangedStudent(
                    kind="changed",
                    reference=line.reference,
                    home=str(line.home) if line.home is not None else "–",
                    host=str(line.host),
                    then=Decimal(record["amount"]) if record["amount"] is not None else None,
                    then_funding=_funding_label(record["funding"]),
                    now=line.amount,
                    now_funding=line.funding_label,
                )
            )
    for record in changes.removed:
        if scope.sees_cell(record["home_id"], record["host_id"]):
            rows.append(
                ChangedStudent(
                    kind="removed",
                    reference=record["reference"],
                    home=_place(record["home_name"], record["home_code"]),
                    host=_place(record["host_name"], record["host_code"]),
                    then=Decimal(record["amount"]) if record["amount"] is not None else None,
                    then_funding=_funding_label(record["funding"]),
                    now=None,
                    now_funding="",
                )
            )
    return sorted(rows, key=lambda row: row.reference)


def _approval_context(
    request, period, settlement: Settlement, scope: Scope, approval_form: ApprovalForm | None
) -> dict:
    approval = latest_approval(period)
    changes = approval_changes(approval, settlement) if approval is not None else None
    may_approve = request.membership.role == Role.REGION_ADMIN
    digest = settlement_digest(settlement) if may_approve else ""
    # No form when the latest version has these very figures: approving would only be refused.
    # A refused form is shown again, with its message.
    up_to_date = approval is not None and approval.digest == digest
    show_form = may_approve and (approval_form is not None or not up_to_date)
    return {
        "approval": approval,
        "approval_students_shown": (
            shown_count(approval.payable_students, scope=scope) if approval is not None else ""
        ),
        "changes": changes if changes is not None and changes.count else None,
        "changes_shown": shown_count(changes.count, scope=scope) if changes is not None else "",
        "changed_students": _changed_students(changes, scope) if changes is not None else [],
        "may_see_versions": request.membership.role in STUDENT_ROLES,
        "approval_form": (approval_form or ApprovalForm()) if show_form else None,
        # The figures on screen: what an approval from this page approves.
        "digest": digest,
    }


def _detail_context(request, period, *, approval_form: ApprovalForm | None = None) -> dict:
    scope = scope_for(request.membership)
    settlement = settlement_of(period)
    return {
        **_approval_context(request, period, settlement, scope, approval_form),
        "period": period,
        "settlement": settlement,
        "scope": scope,
        "matrix": matrix_for(settlement, scope),
        "municipalities": visible_municipalities(settlement, scope),
        "problems": [line for line in settlement.problems if scope.sees_line(line)],
        "students_shown": shown_count(settlement.total.students, scope=scope),
        "problems_shown": shown_count(settlement.total.problems, scope=scope),
        "own_municipality": request.membership.scope_municipality
        if scope.municipality_id
        else None,
    }


@role_required(*SETTLEMENT_ROLES)
@require_GET
def settlement_detail(request, pk: int):
    period = get_period_for(request, pk)
    return render(request, "admissions/settlement/detail.html", _detail_context(request, period))


@role_required(Role.REGION_ADMIN)
def settlement_approve(request, pk: int):
    """Approve the figures the page showed as the term's next version (POST only)."""
    # The term is looked up before the method is checked, so another region's term answers 404
    # to any method, exactly like a missing one.
    period = get_period_for(request, pk)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    form = ApprovalForm(request.POST)
    if form.is_valid():
        try:
            approval = settlement_services.settlement_approve(
                acting_user=request.user,
                period=period,
                note=form.cleaned_data["note"],
                digest=form.cleaned_data["digest"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("The settlement is approved as version %(version)s.")
                % {"version": approval.version},
            )
            return redirect("admissions:settlement_detail", pk=period.pk)
    return render(
        request,
        "admissions/settlement/detail.html",
        _detail_context(request, period, approval_form=form),
    )


@role_required(*STUDENT_ROLES)
@require_GET
def settlement_approval(request, pk: int, version: int):
    """One approved version, read-only: who, when, the note, the totals and the matrix summed
    from its records (a rector's scoped like the live one). No students are listed."""
    period = get_period_for(request, pk)
    approval = get_scoped_or_404(
        SettlementApproval.objects.visible_to(request.membership)
        .filter(intake_period=period)
        .select_related("approved_by"),
        version=version,
    )
    scope = scope_for(request.membership)
    approved = approved_settlement(period, approval.lines)
    return render(
        request,
        "admissions/settlement/approval.html",
        {
            "period": period,
            "approval": approval,
            "approved": approved,
            "scope": scope,
            "matrix": matrix_for(approved, scope),
            "versions": list(approvals_of(period)),
            "own_municipality": request.membership.scope_municipality
            if scope.municipality_id
            else None,
        },
    )


@role_required(*STUDENT_ROLES)
@require_GET
def settlement_cell(request, pk: int, home: str, host: str):
    """The students of one cell of the matrix: residents of `home` at `host`'s centres."""
    period = get_period_for(request, pk)
    home_municipality = get_municipality_by_code(request.region, home)
    host_municipality = get_municipality_by_code(request.region, host)
    scope = scope_for(request.membership)
    # Outside the rector's row and column is outside their scope: the same as missing.
    if not scope.sees_cell(home_municipality.pk, host_municipality.pk):
        raise Http404
    settlement = settlement_of(period)
    lines = settlement.lines_between(home_municipality.pk, host_municipality.pk)
    settlement_students_view_log(
        acting_user=request.user,
        membership=request.membership,
        period=period,
        municipalities=[home_municipality.code, host_municipality.code],
    )
    return render(
        request,
        "admissions/settlement/cell.html",
        {
            "period": period,
            "home": home_municipality,
            "host": host_municipality,
            "lines": lines,
            "cell": settlement.cells.get((home_municipality.pk, host_municipality.pk)),
        },
    )


@role_required(*STUDENT_ROLES)
@require_GET
def settlement_municipality(request, pk: int, code: str):
    """One municipality's figures with the students it pays for and hosts."""
    period = get_period_for(request, pk)
    municipality = get_municipality_by_code(request.region, code)
    scope = scope_for(request.membership)
    if not scope.sees_municipality(municipality.pk):
        raise Http404
    settlement = settlement_of(period)
    lines = settlement.lines_of(municipality.pk)
    settlement_students_view_log(
        acting_user=request.user,
        membership=request.membership,
        period=period,
        municipalities=[municipality.code],
    )
    return render(
        request,
        "admissions/settlement/municipality.html",
        {
            "period": period,
            "municipality": municipality,
            "figures": settlement.figures_of(municipality.pk),
            "paying": [ln for ln in lines if ln.home and ln.home.id == municipality.pk],
            "hosted": [
                ln
                for ln in lines
                if ln.host.id == municipality.pk
                and (ln.home is None or ln.home.id != municipality.pk)
            ],
            "grant_years": settlement.grant_years,
        },
    )


@role_required(*STUDENT_ROLES)
def settlement_export_download(request, pk: int, file_format: str):
    """The export is a POST: it is recorded in the audit log as an export of students."""
    # The term is looked up before the method is checked, so another region's term answers 404
    # to any method, exactly like a missing one.
    period = get_period_for(request, pk)
    if file_format not in FORMATS:
        raise Http404
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    exported = settlement_export(
        acting_user=request.user,
        membership=request.membership,
        period=period,
        file_format=file_format,
    )
    return _attachment(exported)


def _attachment(exported) -> HttpResponse:
    response = HttpResponse(exported.content, content_type=exported.content_type)
    response["Content-Disposition"] = f'attachment; filename="{exported.file_name}"'
    response["Cache-Control"] = "no-store"
    return response


@role_required(*STUDENT_ROLES)
def settlement_approval_export(request, pk: int, version: int, file_format: str):
    """An approved version as a file for the finance offices: a POST, recorded in the audit
    log. Looked up before the method is checked, like the live export."""
    period = get_period_for(request, pk)
    approval = get_scoped_or_404(
        SettlementApproval.objects.visible_to(request.membership).filter(intake_period=period),
        version=version,
    )
    if file_format not in FORMATS:
        raise Http404
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    return _attachment(
        approved_export(
            acting_user=request.user,
            membership=request.membership,
            approval=approval,
            file_format=file_format,
        )
    )
