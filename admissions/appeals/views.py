"""Appeal pages: the applicant lodges and follows an appeal; the intake office (deciding on the
municipalities' behalf) works the queue, reconsiders, forwards to the board with the case file,
and records the board's decision. Views parse input, call one service, render."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_GET, require_http_methods

from accounts.form_errors import put_errors
from accounts.models import Role
from accounts.permissions import role_required
from admissions.appeals import services as appeals
from admissions.appeals.forms import AppealForm, BoardDecisionForm, ReconsiderForm
from admissions.appeals.models import AppealState
from admissions.appeals.selectors import (
    appeal_queue,
    get_appeal_for,
    get_attachment_for,
    get_decision_for_appeal,
    get_own_appeal_for,
    get_own_result_for,
    get_reconsideration_for,
)
from admissions.applications.services.access_log import read_log
from admissions.applications.views.apply import DOWNLOAD_POLICY, INLINE_POLICY

applicant_only = role_required(Role.APPLICANT)
# The intake office makes the decisions for the agreement's municipalities, and so reconsiders
# and forwards appeals of both kinds (see AppealQuerySet.visible_to).
deciders_only = role_required(Role.INTAKE_OFFICER)
INLINE_TYPES = {"application/pdf", "image/jpeg", "image/png"}


def _read(request, application, read: str, **detail) -> None:
    read_log(
        acting_user=request.user,
        membership=request.membership,
        application=application,
        read=read,
        detail=detail,
    )


def _file_response(file, *, filename: str, content_type: str, inline: bool = False):
    response = FileResponse(
        file.open("rb"), as_attachment=not inline, filename=filename, content_type=content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    # The case file frames an inline attachment (the site's own policy: frame-ancestors 'none').
    response["Content-Security-Policy"] = INLINE_POLICY if inline else DOWNLOAD_POLICY
    return response


# --- the applicant ------------------------------------------------------------------------------


@applicant_only
@require_http_methods(["GET", "POST"])
def appeal_lodge(request, result_pk: int):
    result = get_own_result_for(request, result_pk)
    application = result.application
    decision = get_decision_for_appeal(application, result.pk)
    if decision is None or not decision.appealable:
        raise Http404
    if decision.appeal is not None:
        return redirect("admissions:appeal_detail", pk=decision.appeal.pk)
    form = AppealForm()
    if request.method == "POST":
        form = AppealForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                appeal = appeals.appeal_lodge(
                    acting_user=request.user,
                    application=application,
                    result=result,
                    requested_change=form.cleaned_data["requested_change"],
                    grounds=form.cleaned_data["grounds"],
                    files=form.cleaned_data["files"],
                )
            except ValidationError as error:
                put_errors(form, error)
            else:
                messages.success(request, _("Your appeal has been received."))
                return redirect("admissions:appeal_detail", pk=appeal.pk)
    return render(
        request,
        "admissions/appeals/lodge.html",
        {"application": application, "decision": decision, "form": form},
        status=400 if form.errors else 200,
    )


@applicant_only
@require_GET
def appeal_detail(request, pk: int):
    appeal = get_own_appeal_for(request, pk)
    return render(
        request,
        "admissions/appeals/detail.html",
        {
            "appeal": appeal,
            "events": list(appeal.events.all()),
            "attachments": list(appeal.attachments.all()),
            "reconsiderations": list(appeal.reconsiderations.all()),
        },
    )


@never_cache
@xframe_options_sameorigin
@require_GET
def appeal_attachment(request, pk: int):
    """An attachment for the appellant and the intake office; anyone else gets a 404."""
    attachment = get_attachment_for(request, pk)
    _read(
        request,
        attachment.appeal.application,
        "appeal.attachment",
        appeal=attachment.appeal_id,
        attachment=attachment.pk,
    )
    inline = (
        request.GET.get("inline") == "1"
        and request.membership is not None
        and request.membership.is_staff_role
        and attachment.content_type in INLINE_TYPES
    )
    return _file_response(
        attachment.file,
        filename=attachment.original_name,
        content_type=attachment.content_type,
        inline=inline,
    )


@never_cache
@require_GET
def appeal_reconsideration_letter(request, pk: int):
    reconsideration = get_reconsideration_for(request, pk)
    _read(
        request,
        reconsideration.appeal.application,
        "appeal.reconsideration_letter",
        appeal=reconsideration.appeal_id,
        reconsideration=reconsideration.pk,
    )
    reference = reconsideration.appeal.application.reference
    return _file_response(
        reconsideration.file,
        filename=f"omprovning-{reference}-{reconsideration.pk}.pdf",
        content_type="application/pdf",
    )


# --- the intake office -------------------------------------------------------------------------


@deciders_only
@require_GET
def appeal_queue_view(request):
    state = request.GET.get("state", "")
    if state not in AppealState.values:
        state = ""
    page = Paginator(appeal_queue(request.membership, state=state), 50).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "admissions/appeals/queue.html",
        {"page": page, "state": state, "states": AppealState.choices},
    )


def _render_review(request, appeal, *, reconsider_form=None, board_form=None, status=200):
    return render(
        request,
        "admissions/appeals/review.html",
        {
            "appeal": appeal,
            "events": list(appeal.events.select_related("actor")),
            "attachments": list(appeal.attachments.all()),
            "reconsiderations": list(appeal.reconsiderations.select_related("decided_by")),
            "reconsider_form": reconsider_form or ReconsiderForm(),
            "board_form": board_form or BoardDecisionForm(),
        },
        status=status,
    )


@deciders_only
@require_GET
def appeal_review(request, pk: int):
    appeal = get_appeal_for(request, pk)
    _read(request, appeal.application, "appeal", appeal=appeal.pk)
    return _render_review(request, appeal)


@deciders_only
@require_http_methods(["GET", "POST"])
def appeal_reconsider(request, pk: int):
    """POST acts; GET (a bookmark) shows the appeal."""
    appeal = get_appeal_for(request, pk)
    if request.method == "GET":
        return redirect("admissions:appeal_review", pk=appeal.pk)
    form = ReconsiderForm(request.POST)
    if form.is_valid():
        try:
            appeals.appeal_reconsider(
                acting_user=request.user,
                appeal=appeal,
                fully_changed=form.cleaned_data["fully_changed"],
                decision=form.cleaned_data["decision"],
                reasons=form.cleaned_data["reasons"],
            )
        except ValidationError as error:
            put_errors(form, error)
        else:
            messages.success(request, _("The new decision and its letter have been made."))
            return redirect("admissions:appeal_review", pk=appeal.pk)
    return _render_review(request, appeal, reconsider_form=form, status=400)


@deciders_only
@require_http_methods(["GET", "POST"])
def appeal_forward(request, pk: int):
    """POST acts; GET (a bookmark) shows the appeal."""
    appeal = get_appeal_for(request, pk)
    if request.method == "GET":
        return redirect("admissions:appeal_review", pk=appeal.pk)
    try:
        appeals.appeal_forward(acting_user=request.user, appeal=appeal)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(
            request,
            _(
                "The appeal is marked as sent to Skolväsendets överklagandenämnd. Download the "
                "case file and send it to the board."
            ),
        )
    return redirect("admissions:appeal_review", pk=appeal.pk)


@deciders_only
@never_cache
@require_GET
def appeal_case_file(request, pk: int):
    appeal = get_appeal_for(request, pk)
    if not appeal.case_file:
        raise Http404
    _read(request, appeal.application, "appeal.case_file", appeal=appeal.pk)
    return _file_response(
        appeal.case_file,
        filename=f"overklagande-{appeal.application.reference}.pdf",
        content_type="application/pdf",
    )


@deciders_only
@require_http_methods(["GET", "POST"])
def appeal_board_decision(request, pk: int):
    """POST acts; GET (a bookmark) shows the appeal."""
    appeal = get_appeal_for(request, pk)
    if request.method == "GET":
        return redirect("admissions:appeal_review", pk=appeal.pk)
    form = BoardDecisionForm(request.POST)
    if form.is_valid():
        try:
            appeals.appeal_board_decision_record(
                acting_user=request.user,
                appeal=appeal,
                outcome=form.cleaned_data["outcome"],
                decided_on=form.cleaned_data["decided_on"],
                reference=form.cleaned_data["reference"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            put_errors(form, error)
        else:
            messages.success(request, _("The board's decision has been recorded."))
            return redirect("admissions:appeal_review", pk=appeal.pk)
    return _render_review(request, appeal, board_form=form, status=400)
