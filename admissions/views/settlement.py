"""The cost settlement between municipalities: the terms, one term's matrix with the
municipalities' and grant years' figures, the drill-down to students and the exports.

Region admins see everything; a rector sees their municipality's row and column of the matrix,
its students and the region's totals; council members see the region's totals and the grant
years only (never a student: the drill-down and the exports are 403 for them). Other roles get
403; another region's term is a 404. The computation is admissions/settlement.py's."""

from __future__ import annotations

from django.http import Http404, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import render
from django.views.decorators.http import require_GET

from accounts.permissions import role_required
from admissions.settlement import (
    matrix_for,
    scope_for,
    settlement_of,
    settlement_students_view_log,
    shown_count,
    visible_municipalities,
)
from admissions.settlement_export import FORMATS, settlement_export
from admissions.settlement_selectors import (
    SETTLEMENT_ROLES,
    STUDENT_ROLES,
    get_municipality_by_code,
    get_period_for,
    settlement_periods_for,
)


@role_required(*SETTLEMENT_ROLES)
@require_GET
def settlement_index(request):
    return render(
        request,
        "admissions/settlement/index.html",
        {"periods": list(settlement_periods_for(request.membership))},
    )


@role_required(*SETTLEMENT_ROLES)
@require_GET
def settlement_detail(request, pk: int):
    period = get_period_for(request, pk)
    scope = scope_for(request.membership)
    settlement = settlement_of(period)
    return render(
        request,
        "admissions/settlement/detail.html",
        {
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
    response = HttpResponse(exported.content, content_type=exported.content_type)
    response["Content-Disposition"] = f'attachment; filename="{exported.file_name}"'
    response["Cache-Control"] = "no-store"
    return response
