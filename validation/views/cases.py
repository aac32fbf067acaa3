"""The validation centre's pages for assessors and region admins: the queue of cases, opening a
case, one case with its steps (mapping, appointments, results, sign-offs, decision) and the
assessor's calendar. Views parse input, call one service, render."""

from __future__ import annotations

import datetime as dt
import secrets
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.form_errors import put_errors
from accounts.models import Role
from accounts.permissions import role_required
from accounts.tenancy import get_scoped_or_404
from admissions.applications import personnummer
from validation import selectors, services
from validation.forms import (
    AppointmentForm,
    AssignForm,
    CalendarForm,
    CancelForm,
    CaseOpenForm,
    CloseForm,
    CorrectionForm,
    MappingForm,
    OpenFromApplicationForm,
    QueueFilterForm,
    ResultForm,
    SearchForm,
    SignOffForm,
)
from validation.models import Appointment, AreaResult, CaseArea, CaseStatus, CompetenceArea
from yrkescenter.models import Course

# The centre's staff: they run cases; only assessors record, correct, sign off and decide.
STAFF = (Role.ASSESSOR, Role.REGION_ADMIN)
ASSESSORS = (Role.ASSESSOR,)

# The name searches of a session, by token: names are personal data, so the term stays on the
# server and only the token goes into the queue's URL.
SEARCHES_SESSION_KEY = "validation_searches"
_SEARCHES_KEPT = 10


# --- the queue --------------------------------------------------------------------------------


def _queue_url(params) -> str:
    query = urlencode([(key, value) for key, value in params if value not in ("", None)])
    url = reverse("validation:case_queue")
    return f"{url}?{query}" if query else url


@role_required(*STAFF)
@require_http_methods(["GET", "POST"])
def case_queue(request):
    """GET lists the cases; POST takes a search term and redirects to the list keyed by a
    token."""
    if request.method == "POST":
        search = SearchForm(request.POST)
        term = search.cleaned_data["q"].strip() if search.is_valid() else ""
        params = [(k, v) for k, v in request.GET.items() if k not in {"page", "search"}]
        if term:
            searches = dict(request.session.get(SEARCHES_SESSION_KEY, {}))
            token = secrets.token_urlsafe(9)
            searches[token] = term
            request.session[SEARCHES_SESSION_KEY] = dict(list(searches.items())[-_SEARCHES_KEPT:])
            params.append(("search", token))
        return redirect(_queue_url(params))

    token = request.GET.get("search", "")
    term = request.session.get(SEARCHES_SESSION_KEY, {}).get(token, "") if token else ""
    if token and not term:
        messages.warning(request, _("That search has expired; please search again."))
    filter_form = QueueFilterForm(request.GET or None, region=request.region)
    cases = selectors.case_queue(request.membership, filter_form.filters(search=term))
    page = Paginator(cases, selectors.PAGE_SIZE).get_page(request.GET.get("page"))
    for case in page:
        # Lists show the identity number masked.
        case.masked_personnummer = personnummer.mask(case.personnummer)
    kept = [(k, v) for k, v in request.GET.items() if k != "page"]
    awaiting = list(
        selectors.applications_awaiting_case(request.membership).select_related(
            "home_municipality"
        )[:50]
    )
    return render(
        request,
        "validation/cases/queue.html",
        {
            "filter_form": filter_form,
            "search_form": SearchForm(initial={"q": term}),
            "search_shown": term,
            "page": page,
            "page_query": urlencode(kept),
            "clear_query": urlencode([(k, v) for k, v in kept if k != "search"]),
            "search_query": request.GET.urlencode(),
            "awaiting": awaiting,
            "open_form": OpenFromApplicationForm(region=request.region),
        },
    )


# --- opening a case ----------------------------------------------------------------------------


@role_required(*STAFF)
@require_http_methods(["GET", "POST"])
def case_new(request):
    form = CaseOpenForm(request.POST or None, region=request.region)
    if request.method == "POST" and form.is_valid():
        try:
            case = services.case_open(
                acting_user=request.user, region=request.region, **form.cleaned_data
            )
        except ValidationError as error:
            put_errors(form, error)
        else:
            messages.success(
                request, _("Case %(reference)s opened.") % {"reference": case.reference}
            )
            return redirect("validation:case_detail", pk=case.pk)
    return render(
        request,
        "validation/cases/case_new.html",
        {"form": form},
        status=400 if form.errors else 200,
    )


@role_required(*STAFF)
@require_http_methods(["GET", "POST"])
def case_open_from_application(request, pk: int):
    """POST from the queue's list of applications asking for validation."""
    application = get_scoped_or_404(
        selectors.applications_for_validation(request.membership), pk=pk
    )
    if request.method == "GET":
        return redirect("validation:case_queue")
    form = OpenFromApplicationForm(request.POST, region=request.region)
    if form.is_valid():
        try:
            case = services.case_open_from_application(
                acting_user=request.user,
                application=application,
                standard=form.cleaned_data["standard"],
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request, _("Case %(reference)s opened.") % {"reference": case.reference}
            )
            return redirect("validation:case_detail", pk=case.pk)
    else:
        messages.error(
            request,
            _("Choose a competence standard for application %(reference)s.")
            % {"reference": application.reference},
        )
    return redirect("validation:case_queue")


# --- one case --------------------------------------------------------------------------------


def get_case_for(request, pk):
    return get_scoped_or_404(selectors.case_for_detail(request.membership), pk=pk)


def _to_case(case_pk: int, anchor: str = ""):
    url = reverse("validation:case_detail", kwargs={"pk": case_pk})
    return redirect(f"{url}#{anchor}" if anchor else url)


def _standard_areas(case) -> list[CompetenceArea]:
    return list(
        CompetenceArea.objects.filter(standard_id=case.standard_id)
        .prefetch_related(Prefetch("courses", queryset=Course.objects.order_by("code")))
        .order_by("position", "code")
    )


def _render_case(request, case, *, bound: dict | None = None, status: int = 200):
    """The case page: every step's state and the forms to take it further. `bound` holds a
    form that failed, keyed like the forms below, so it is shown again as typed."""
    bound = bound or {}
    role = request.membership.role
    services.case_view_log(acting_user=request.user, case=case, role=role)
    is_open = case.status in services.OPEN_STATUSES
    can_assess = role in ASSESSORS
    areas = _standard_areas(case)
    by_pk = {area.pk: area for area in areas}
    standings = selectors.area_standings(case)
    mapped = [by_pk[standing.area.pk] for standing in standings]
    rows = []
    for standing in standings:
        area = by_pk[standing.area.pk]
        result = standing.result
        row = {"standing": standing, "area": area, "result": result}
        if can_assess and result is None and case.status == CaseStatus.ASSESSMENT:
            row["record_form"] = bound.get(("record", standing.case_area.pk)) or ResultForm(
                area=area, prefix=f"area-{standing.case_area.pk}"
            )
        if can_assess and result is not None and case.status != CaseStatus.CLOSED:
            row["correct_form"] = bound.get(("correct", result.pk)) or CorrectionForm(
                area=area,
                prefix=f"correct-{result.pk}",
                initial={"method": result.method},
            )
            if (
                standing.awaiting_sign_off
                and result.assessor_id != request.user.pk
                and selectors.result_sign_off_of(result) is None
            ):
                row["sign_off_form"] = bound.get(("sign_off", result.pk)) or SignOffForm(
                    prefix=f"sign-{result.pk}"
                )
        rows.append(row)
    history = list(selectors.case_result_history(case))
    for result in history:
        sign_off = selectors.result_sign_off_of(result)
        result.signed_by = sign_off.assessor if sign_off else None
    mapping_form = None
    if is_open:
        mapping_form = bound.get("map") or MappingForm(
            prefix="map",
            areas=areas,
            notes={s.area.pk: s.case_area.mapping_note for s in standings},
            initial={"areas": [str(area.pk) for area in mapped]},
        )
    return render(
        request,
        "validation/cases/case_detail.html",
        {
            "case": case,
            "rows": rows,
            "mapped": bool(standings),
            "all_final": bool(standings) and all(s.final for s in standings),
            "mapping_form": mapping_form,
            "assign_form": bound.get("assign")
            or AssignForm(
                prefix="assign", region=request.region, initial={"assessor": case.assessor_id}
            ),
            "appointment_form": bound.get("book")
            or AppointmentForm(
                prefix="book",
                region=request.region,
                areas=mapped,
                initial={"assessor": case.assessor_id or request.user.pk},
            ),
            "close_form": bound.get("close") or CloseForm(prefix="close"),
            "decide_errors": bound.get("decide", []),
            "appointments": list(selectors.case_appointments(case)),
            "history": history,
            "replaced_ids": {result.replaces_id for result in history if result.replaces_id},
            "credited_vp": sum(
                course.points
                for s in standings
                if s.final
                for course in s.result.credited_courses.all()
            ),
            "is_open": is_open,
            "can_assess": can_assess,
            "now": timezone.now(),
        },
        status=status,
    )


@role_required(*STAFF)
@require_http_methods(["GET"])
def case_detail(request, pk: int):
    return _render_case(request, get_case_for(request, pk))


def _case_step(request, case, *, key, form, call, saved: str, anchor: str):
    """A step on the case: a valid form calls one service and goes back to the case; errors
    (the form's or the service's) show the case again with the form as typed."""
    if form.is_valid():
        try:
            call(form)
        except ValidationError as error:
            put_errors(form, error)
        else:
            messages.success(request, saved)
            return _to_case(case.pk, anchor)
    return _render_case(request, case, bound={key: form}, status=400)


@role_required(*STAFF)
@require_http_methods(["GET", "POST"])
def case_map(request, pk: int):
    case = get_case_for(request, pk)
    if request.method == "GET":
        return _to_case(case.pk, "mapping")
    form = MappingForm(request.POST, prefix="map", areas=_standard_areas(case), notes={})
    return _case_step(
        request,
        case,
        key="map",
        form=form,
        call=lambda f: services.case_map(
            acting_user=request.user, case=case, areas=f.chosen_areas(), notes=f.notes()
        ),
        saved=_("The mapping was saved."),
        anchor="mapping",
    )


@role_required(*STAFF)
@require_http_methods(["GET", "POST"])
def case_assign(request, pk: int):
    case = get_case_for(request, pk)
    if request.method == "GET":
        return _to_case(case.pk)
    form = AssignForm(request.POST, prefix="assign", region=request.region)
    return _case_step(
        request,
        case,
        key="assign",
        form=form,
        call=lambda f: services.case_assign(
            acting_user=request.user, case=case, assessor=f.cleaned_data["assessor"]
        ),
        saved=_("The responsible assessor was changed."),
        anchor="",
    )


@role_required(*STAFF)
@require_http_methods(["GET", "POST"])
def appointment_book(request, pk: int):
    case = get_case_for(request, pk)
    if request.method == "GET":
        return _to_case(case.pk, "appointments")
    mapped = [s.area for s in selectors.area_standings(case)]
    form = AppointmentForm(request.POST, prefix="book", region=request.region, areas=mapped)
    return _case_step(
        request,
        case,
        key="book",
        form=form,
        call=lambda f: services.appointment_book(
            acting_user=request.user, case=case, **f.booking()
        ),
        saved=_("The appointment was booked."),
        anchor="appointments",
    )


@role_required(*STAFF)
@require_http_methods(["GET", "POST"])
def appointment_cancel(request, pk: int):
    appointment = get_scoped_or_404(Appointment.objects.visible_to(request.membership), pk=pk)
    if request.method == "GET":
        return _to_case(appointment.case_id, "appointments")
    form = CancelForm(request.POST)
    if form.is_valid():
        try:
            services.appointment_cancel(
                acting_user=request.user,
                appointment=appointment,
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The appointment was cancelled."))
    return _to_case(appointment.case_id, "appointments")


@role_required(*ASSESSORS)
@require_http_methods(["GET", "POST"])
def result_record(request, pk: int):
    case_area = get_scoped_or_404(
        CaseArea.objects.visible_to(request.membership).select_related("area"), pk=pk
    )
    if request.method == "GET":
        return _to_case(case_area.case_id, f"area-{case_area.pk}")
    case = get_case_for(request, case_area.case_id)
    form = ResultForm(request.POST, area=case_area.area, prefix=f"area-{case_area.pk}")
    return _case_step(
        request,
        case,
        key=("record", case_area.pk),
        form=form,
        call=lambda f: services.result_record(
            acting_user=request.user, case=case, area=case_area.area, **f.result()
        ),
        saved=_("The result for %(area)s was recorded.") % {"area": case_area.area.name},
        anchor=f"area-{case_area.pk}",
    )


def _get_result_for(request, pk):
    return get_scoped_or_404(
        AreaResult.objects.visible_to(request.membership).select_related("area"), pk=pk
    )


@role_required(*ASSESSORS)
@require_http_methods(["GET", "POST"])
def result_correct(request, pk: int):
    result = _get_result_for(request, pk)
    if request.method == "GET":
        return _to_case(result.case_id, "results")
    case = get_case_for(request, result.case_id)
    form = CorrectionForm(request.POST, area=result.area, prefix=f"correct-{result.pk}")
    return _case_step(
        request,
        case,
        key=("correct", result.pk),
        form=form,
        call=lambda f: services.result_correct(
            acting_user=request.user, result=result, **f.result()
        ),
        saved=_("The result for %(area)s was corrected.") % {"area": result.area.name},
        anchor="results",
    )


@role_required(*ASSESSORS)
@require_http_methods(["GET", "POST"])
def result_sign_off(request, pk: int):
    result = _get_result_for(request, pk)
    if request.method == "GET":
        return _to_case(result.case_id, "results")
    case = get_case_for(request, result.case_id)
    form = SignOffForm(request.POST, prefix=f"sign-{result.pk}")
    return _case_step(
        request,
        case,
        key=("sign_off", result.pk),
        form=form,
        call=lambda f: services.result_sign_off(
            acting_user=request.user, result=result, note=f.cleaned_data["note"]
        ),
        saved=_("The result for %(area)s was signed off.") % {"area": result.area.name},
        anchor="results",
    )


@role_required(*ASSESSORS)
@require_http_methods(["GET", "POST"])
def case_decide(request, pk: int):
    case = get_case_for(request, pk)
    if request.method == "GET":
        return _to_case(case.pk, "decision")
    try:
        services.case_decide(acting_user=request.user, case=case)
    except ValidationError as error:
        return _render_case(request, case, bound={"decide": error.messages}, status=400)
    messages.success(request, _("The case was decided."))
    return _to_case(case.pk, "decision")


@role_required(*STAFF)
@require_http_methods(["GET", "POST"])
def case_close(request, pk: int):
    case = get_case_for(request, pk)
    if request.method == "GET":
        return _to_case(case.pk, "decision")
    form = CloseForm(request.POST, prefix="close")
    return _case_step(
        request,
        case,
        key="close",
        form=form,
        call=lambda f: services.case_close(
            acting_user=request.user, case=case, reason=f.cleaned_data["reason"]
        ),
        saved=_("The case was closed."),
        anchor="decision",
    )


# --- the calendar ----------------------------------------------------------------------------


@role_required(*STAFF)
@require_http_methods(["GET"])
def calendar(request):
    """An assessor's appointments, one week at a time. An assessor sees their own; a region
    admin picks an assessor."""
    form = CalendarForm(request.GET or None, region=request.region)
    data = form.cleaned_data if form.is_valid() else {}
    day = data.get("week") or timezone.localdate()
    monday = day - dt.timedelta(days=day.weekday())
    membership = request.membership
    if membership.role == Role.ASSESSOR:
        assessor = request.user
    else:
        assessor = data.get("assessor") or selectors.region_assessors(request.region).first()
    appointments = (
        list(selectors.week_appointments(membership, assessor, monday)) if assessor else []
    )
    days = []
    for offset in range(7):
        date = monday + dt.timedelta(days=offset)
        days.append(
            {
                "date": date,
                "appointments": [
                    a for a in appointments if timezone.localtime(a.starts_at).date() == date
                ],
            }
        )

    def week_query(start: dt.date) -> str:
        params = {"week": start.isoformat()}
        if membership.role != Role.ASSESSOR and assessor is not None:
            params["assessor"] = assessor.pk
        return urlencode(params)

    return render(
        request,
        "validation/cases/calendar.html",
        {
            "form": form,
            "can_pick": membership.role != Role.ASSESSOR,
            "assessor": assessor,
            "monday": monday,
            "sunday": monday + dt.timedelta(days=6),
            "week_number": monday.isocalendar().week,
            "days": days,
            "previous_query": week_query(monday - dt.timedelta(days=7)),
            "next_query": week_query(monday + dt.timedelta(days=7)),
            "this_week_query": week_query(timezone.localdate()),
        },
    )
