"""The centre's enrolment pages: its offerings with their counts, one offering's admitted
students, and recording a start, a stop, a completion or a correction.

Centre coordinators record, for their own centre. Intake officers and region admins see every
centre of the region, read only (the intake office follows up its admissions; the region admin
answers questions about them). Rectors and the rest have no page here: a rector's figures are on
the settlement pages. Objects are fetched through the scoped querysets, so another centre's
offering or student is a 404 like a missing one."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from accounts.form_errors import put_errors
from accounts.models import Role
from accounts.permissions import role_required
from admissions.enrolment import services
from admissions.enrolment.forms import (
    EnrolmentAnnulForm,
    EnrolmentCompleteForm,
    EnrolmentCorrectForm,
    EnrolmentInterruptForm,
    EnrolmentStartForm,
)
from admissions.enrolment.models import EnrolmentStatus
from admissions.enrolment.selectors import (
    enrolment_offerings,
    get_enrolment_for,
    get_enrolment_offering_for,
    get_startable_choice_for,
    offering_students,
)

RECORDERS = (Role.COORDINATOR,)
READERS = (*RECORDERS, Role.INTAKE_OFFICER, Role.REGION_ADMIN)


@role_required(*READERS)
@require_GET
def enrolment_index(request):
    return render(
        request,
        "admissions/enrolment/index.html",
        {"periods": enrolment_offerings(request.membership)},
    )


def _row_forms(row, offering, bound: dict, today) -> dict:
    """The forms of one student's row: bound to what was typed when this row's POST failed."""
    if row.enrolment is None:
        if not row.holds_seat:
            return {}
        key = ("start", row.choice.pk)
        return {
            "start": bound.get(key)
            or EnrolmentStartForm(
                prefix=f"start-{row.choice.pk}",
                initial={"started_on": offering.starts_on if offering.starts_on <= today else None},
            )
        }
    if row.enrolment.status != EnrolmentStatus.STARTED:
        return {}
    pk = row.enrolment.pk
    return {
        "interrupt": bound.get(("interrupt", pk))
        or EnrolmentInterruptForm(prefix=f"interrupt-{pk}"),
        "complete": bound.get(("complete", pk))
        or EnrolmentCompleteForm(
            prefix=f"complete-{pk}",
            # The planned last day, once it has come: a future date would only be refused.
            initial={"ended_on": offering.ends_on if offering.ends_on <= today else None},
        ),
    }


def _render_offering(request, offering, *, bound: dict | None = None):
    services.enrolment_list_view_log(
        acting_user=request.user, offering=offering, role=request.membership.role
    )
    can_record = request.membership.role in RECORDERS
    rows = offering_students(offering, request.membership)
    if can_record:
        for row in rows:
            row.forms = _row_forms(row, offering, bound or {}, timezone.localdate())
    return render(
        request,
        "admissions/enrolment/offering.html",
        {
            "offering": offering,
            "rows": rows,
            "can_record": can_record,
            # The form whose POST failed: its errors are summed up at the top of the page.
            "bound_form": next(iter(bound.values())) if bound else None,
        },
    )


@role_required(*READERS)
@require_GET
def enrolment_offering(request, pk: int):
    return _render_offering(request, get_enrolment_offering_for(request, pk))


def _record(request, *, offering_pk: int, form, key: tuple, call, done: str):
    """POST: parse the row's form and call one service; back to the offering with a message,
    or the offering page again with the row's form as typed and its errors."""
    if form.is_valid():
        try:
            call(form.cleaned_data)
        except ValidationError as error:
            put_errors(form, error)
        else:
            messages.success(request, done)
            return redirect("admissions:enrolment_offering", pk=offering_pk)
    offering = get_enrolment_offering_for(request, offering_pk)
    return _render_offering(request, offering, bound={key: form})


# The object is looked up before the method is checked, so a foreign one answers 404 to any
# method, exactly like a missing one. A GET (a bookmark) goes to the offering's page.


@role_required(*RECORDERS)
@require_http_methods(["GET", "POST"])
def enrolment_start(request, pk: int):
    choice = get_startable_choice_for(request, pk)
    if request.method == "GET":
        return redirect("admissions:enrolment_offering", pk=choice.offering_id)
    return _record(
        request,
        offering_pk=choice.offering_id,
        form=EnrolmentStartForm(request.POST, prefix=f"start-{choice.pk}"),
        key=("start", choice.pk),
        call=lambda data: services.enrolment_start(acting_user=request.user, choice=choice, **data),
        done=_("The start of %(name)s is recorded.") % {"name": choice.application.full_name},
    )


@role_required(*RECORDERS)
@require_http_methods(["GET", "POST"])
def enrolment_interrupt(request, pk: int):
    enrolment = get_enrolment_for(request, pk)
    if request.method == "GET":
        return redirect("admissions:enrolment_offering", pk=enrolment.offering_id)
    return _record(
        request,
        offering_pk=enrolment.offering_id,
        form=EnrolmentInterruptForm(request.POST, prefix=f"interrupt-{enrolment.pk}"),
        key=("interrupt", enrolment.pk),
        call=lambda data: services.enrolment_interrupt(
            acting_user=request.user, enrolment=enrolment, **data
        ),
        done=_("%(name)s is recorded as stopped early.")
        % {"name": enrolment.application.full_name},
    )


@role_required(*RECORDERS)
@require_http_methods(["GET", "POST"])
def enrolment_complete(request, pk: int):
    enrolment = get_enrolment_for(request, pk)
    if request.method == "GET":
        return redirect("admissions:enrolment_offering", pk=enrolment.offering_id)
    return _record(
        request,
        offering_pk=enrolment.offering_id,
        form=EnrolmentCompleteForm(request.POST, prefix=f"complete-{enrolment.pk}"),
        key=("complete", enrolment.pk),
        call=lambda data: services.enrolment_complete(
            acting_user=request.user, enrolment=enrolment, **data
        ),
        done=_("%(name)s is recorded as completed.") % {"name": enrolment.application.full_name},
    )


def _correct_form(enrolment, data=None) -> EnrolmentCorrectForm:
    return EnrolmentCorrectForm(
        data,
        initial={
            "status": enrolment.status,
            "started_on": enrolment.started_on,
            "ended_on": enrolment.ended_on,
            "interruption_reason": enrolment.interruption_reason,
            "interruption_note": enrolment.interruption_note,
        },
    )


def _render_correct(request, enrolment, *, form=None, annul_form=None):
    """The correction page; the form whose POST failed is bound to what was typed."""
    return render(
        request,
        "admissions/enrolment/correct.html",
        {
            "enrolment": enrolment,
            "form": form or _correct_form(enrolment),
            "annul_form": annul_form or EnrolmentAnnulForm(prefix="annul"),
        },
    )


@role_required(*RECORDERS)
@require_http_methods(["GET", "POST"])
def enrolment_correct(request, pk: int):
    """A page of its own: correcting is rarer than recording and needs a reason."""
    enrolment = get_enrolment_for(request, pk)
    form = _correct_form(enrolment, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.enrolment_correct(
                acting_user=request.user, enrolment=enrolment, **form.cleaned_data
            )
        except ValidationError as error:
            put_errors(form, error)
        else:
            messages.success(
                request,
                _("The record of %(name)s is corrected.")
                % {"name": enrolment.application.full_name},
            )
            return redirect("admissions:enrolment_offering", pk=enrolment.offering_id)
    return _render_correct(request, enrolment, form=form)


@role_required(*RECORDERS)
@require_http_methods(["GET", "POST"])
def enrolment_annul(request, pk: int):
    """POST from the correction page: the start was recorded by mistake. A GET (a bookmark)
    shows the correction page."""
    enrolment = get_enrolment_for(request, pk)
    if request.method == "GET":
        return redirect("admissions:enrolment_correct", pk=enrolment.pk)
    form = EnrolmentAnnulForm(request.POST, prefix="annul")
    if form.is_valid():
        try:
            services.enrolment_annul(
                acting_user=request.user, enrolment=enrolment, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            put_errors(form, error)
        else:
            messages.success(
                request,
                _("The start of %(name)s is removed: admitted, not started.")
                % {"name": enrolment.application.full_name},
            )
            return redirect("admissions:enrolment_offering", pk=enrolment.offering_id)
    return _render_correct(request, enrolment, annul_form=form)
