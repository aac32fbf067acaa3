"""The intake office's admission rounds: list, create, preview, run (with live progress),
inspect the preliminary results, publish and close. Views parse input, call one service and
render; rounds are for the intake office and region admins only."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from accounts.models import Role
from accounts.permissions import role_required
from admissions.rounds.forms import ResultSearchForm, RoundCreateForm
from admissions.rounds.models import RoundStatus
from admissions.rounds.selectors import (
    application_results,
    cutoffs_of,
    get_round_for,
    offering_results,
    round_preview,
    round_run_unsent,
    rounds_for,
)
from admissions.rounds.services import rounds

ROUND_ROLES = (Role.INTAKE_OFFICER, Role.REGION_ADMIN)
round_staff = role_required(*ROUND_ROLES)


@round_staff
@require_GET
def round_list(request):
    return render(
        request, "admissions/rounds/list.html", {"rounds": list(rounds_for(request.membership))}
    )


@round_staff
@require_http_methods(["GET", "POST"])
def round_create(request):
    form = RoundCreateForm(request.POST or None, region=request.region)
    if request.method == "POST" and form.is_valid():
        try:
            created = rounds.round_create(
                acting_user=request.user, region=request.region, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return redirect("admissions:round_detail", pk=created.pk)
    return render(request, "admissions/rounds/create.html", {"form": form})


def _detail_context(admission_round) -> dict:
    return {
        "round": admission_round,
        "running": admission_round.status == RoundStatus.RUNNING and not admission_round.error,
        "can_run": admission_round.status in rounds.STARTABLE
        or (admission_round.status == RoundStatus.RUNNING and bool(admission_round.error)),
        "has_results": admission_round.status
        in (RoundStatus.PRELIMINARY, RoundStatus.PUBLISHED, RoundStatus.CLOSED),
    }


@round_staff
@require_GET
def round_detail(request, pk: int):
    admission_round = get_round_for(request, pk)
    context = _detail_context(admission_round)
    if admission_round.status in rounds.STARTABLE:
        context["preview"] = round_preview(admission_round)
    return render(request, "admissions/rounds/detail.html", context)


@round_staff
@require_GET
def round_status(request, pk: int):
    """The status fragment the detail page polls while the round runs."""
    admission_round = get_round_for(request, pk)
    return render(request, "admissions/rounds/detail.html#status", _detail_context(admission_round))


def _state_action(request, pk: int, service, done_message: str):
    # The round is looked up before the method is checked, so a foreign round answers 404 to
    # any method, exactly like a missing one.
    admission_round = get_round_for(request, pk)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    try:
        service(acting_user=request.user, admission_round=admission_round)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, done_message)
    return redirect("admissions:round_detail", pk=admission_round.pk)


@round_staff
def round_run(request, pk: int):
    response = _state_action(request, pk, rounds.round_start, _("The round has been started."))
    if round_run_unsent(pk):
        messages.warning(
            request,
            _(
                "The task queue cannot be reached right now. The start is saved and the run "
                "begins by itself when the queue is back."
            ),
        )
    return response


@round_staff
def round_publish(request, pk: int):
    return _state_action(
        request, pk, rounds.round_publish, _("The round is published; offers have been made.")
    )


@round_staff
def round_close(request, pk: int):
    return _state_action(request, pk, rounds.round_close, _("The round is closed."))


@round_staff
@require_GET
def round_results(request, pk: int):
    """Per offering the cutoff, then one offering's admitted and waiting lists
    (?offering=<pk>), and per application (?reference=...) what happened to each choice."""
    admission_round = get_round_for(request, pk)
    search = ResultSearchForm(request.GET or None)
    reference = search.cleaned_data["reference"] if search.is_valid() else ""
    offering_pk = request.GET.get("offering", "")
    selected = (
        offering_results(admission_round, int(offering_pk), request.membership)
        if offering_pk.isdigit()
        else None
    )
    return render(
        request,
        "admissions/rounds/results.html",
        {
            "round": admission_round,
            "cutoffs": list(cutoffs_of(admission_round)),
            "selected": selected,
            "search": search,
            "reference": reference,
            "explained": application_results(admission_round, reference, request.membership),
        },
    )
