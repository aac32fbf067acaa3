"""The follow-up pages: the students to follow up about six months after they stopped or
completed, recording one student's outcome, and importing outcomes as CSV.

Centre coordinators record and import for their own centre; region admins see every centre and
may import for the region. Council members, and every other role, have no page here (403): they
see outcomes only as suppressed counts on the dashboards. Objects are fetched through the scoped
querysets, so another centre's student is a 404 like a missing one. Views parse input, call one
service, render.

Between the import's preview and its confirmation the uploaded file is kept in the cache under a
random token that only the session knows, bound to the user, region and role that uploaded it.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.form_errors import put_errors
from accounts.permissions import role_required
from admissions.files.staging import StagedUpload
from industriradet.outcome_forms import CentreFilterForm, OutcomeForm, OutcomeImportForm
from industriradet.selectors.outcomes import (
    follow_up_lists,
    get_followed_up_enrolment_for,
    outcome_of,
)
from industriradet.services import outcomes as services
from industriradet.services import outcomes_file

PENDING_SESSION_KEY = "outcome_import_token"
PENDING = StagedUpload(session_key=PENDING_SESSION_KEY, cache_prefix="industriradet:outcome-import")


@role_required(*services.READERS)
@require_GET
def outcome_list(request):
    membership = request.membership
    centre_form = None
    centre_id = None
    if membership.scope_centre_id is None:
        centre_form = CentreFilterForm(request.GET or None, region=request.region)
        if centre_form.is_valid() and centre_form.cleaned_data["centre"] is not None:
            centre_id = centre_form.cleaned_data["centre"].pk
    services.outcome_list_view_log(acting_user=request.user, membership=membership)
    return render(
        request,
        "industriradet/outcomes/list.html",
        {
            "lists": follow_up_lists(membership, centre_id=centre_id, page=request.GET.get("page")),
            "centre_id": centre_id,
            "centre_form": centre_form,
            "can_record": membership.role in services.RECORDERS,
            "can_import": membership.role in services.IMPORTERS,
        },
    )


# Lazy: the message is translated when shown, in the request's language.
_DONE = {
    "created": gettext_lazy("The outcome of %(name)s is recorded."),
    "updated": gettext_lazy(
        "The outcome of %(name)s is corrected; the earlier record is in the audit log."
    ),
    "unchanged": gettext_lazy("Nothing was changed: the outcome of %(name)s already says this."),
}


@role_required(*services.READERS)
@require_http_methods(["GET", "POST"])
def outcome_record(request, pk: int):
    """A coordinator records (or corrects) the outcome; a region admin reads it."""
    # The object is looked up before the method and role are checked, so a foreign one answers
    # 404 to anyone, exactly like a missing one.
    enrolment = get_followed_up_enrolment_for(request, pk)
    outcome = outcome_of(enrolment)
    can_record = request.membership.role in services.RECORDERS
    if request.method == "POST" and not can_record:
        raise PermissionDenied
    if request.method == "GET":
        services.outcome_view_log(
            acting_user=request.user, membership=request.membership, enrolment=enrolment
        )
    form = None
    if can_record:
        form = OutcomeForm(
            request.POST if request.method == "POST" else None,
            region=request.region,
            initial=services.outcome_initial(enrolment, outcome),
        )
    if request.method == "POST" and form.is_valid():
        try:
            recorded = services.outcome_record(
                acting_user=request.user, enrolment=enrolment, details=form.details()
            )
        except ValidationError as error:
            put_errors(form, error)
        else:
            name = enrolment.application.full_name
            messages.success(request, _DONE[recorded.change] % {"name": name})
            for warning in recorded.warnings:
                messages.warning(request, warning)
            return redirect("industriradet:outcome_list")
    return render(
        request,
        "industriradet/outcomes/record.html",
        {
            "enrolment": enrolment,
            "outcome": outcome,
            "form": form,
            "due_on": services.follow_up_due_on(enrolment),
        },
    )


# --- import -------------------------------------------------------------------------------------


def _owner(request) -> dict:
    # Bound to who uploaded it, for which region and in which role (a coordinator's file is
    # checked against their centre, a region admin's against the region).
    return {
        "user": request.user.pk,
        "region": request.region.pk,
        "membership": request.membership.pk,
    }


def _pending_store(request, content: bytes) -> None:
    PENDING.store(request, owner=_owner(request), content=content)


def _pending_load(request) -> bytes | None:
    pending = PENDING.load(request, owner=_owner(request))
    return None if pending is None else pending["content"]


def _pending_discard(request) -> None:
    PENDING.discard(request)


def _import_page(request, form=None):
    return render(
        request,
        "industriradet/outcomes/import.html",
        {
            "form": form or OutcomeImportForm(),
            "columns": services.IMPORT_COLUMNS,
            "has_pending": _pending_load(request) is not None,
            "scope_centre": request.membership.scope_centre,
        },
    )


@role_required(*services.IMPORTERS)
@require_http_methods(["GET", "POST"])
def outcome_import(request):
    if request.method == "GET":
        return _import_page(request)
    form = OutcomeImportForm(request.POST, request.FILES)
    if form.is_valid():
        content = form.cleaned_data["file"].read()
        try:
            services.import_dataset_read(content)
        except services.ImportFileError as error:
            form.add_error("file", str(error))
        else:
            _pending_store(request, content)
            return redirect("industriradet:outcome_import_preview")
    return _import_page(request, form)


@role_required(*services.IMPORTERS)
@require_GET
def outcome_import_preview(request):
    content = _pending_load(request)
    if content is None:
        messages.info(request, _("Upload a file to import (an earlier upload has expired)."))
        return redirect("industriradet:outcome_import")
    try:
        preview = outcomes_file.outcomes_import_preview(
            acting_user=request.user, membership=request.membership, content=content
        )
    except services.ImportFileError as error:
        _pending_discard(request)
        messages.error(request, str(error))
        return redirect("industriradet:outcome_import")
    return render(request, "industriradet/outcomes/preview.html", {"preview": preview})


@role_required(*services.IMPORTERS)
@require_POST
def outcome_import_confirm(request):
    content = _pending_load(request)
    if content is None:
        messages.error(request, _("The uploaded file has expired; nothing was imported."))
        return redirect("industriradet:outcome_import")
    try:
        saved = outcomes_file.outcomes_import(
            acting_user=request.user, membership=request.membership, content=content
        )
    except services.ImportFileError as error:
        _pending_discard(request)
        messages.error(request, str(error))
        return redirect("industriradet:outcome_import")
    except services.ImportRefused as refused:
        return render(
            request,
            "industriradet/outcomes/preview.html",
            {"preview": refused.preview, "refused_at_confirm": True},
        )
    _pending_discard(request)
    messages.success(
        request,
        ngettext("%(count)s outcome was imported.", "%(count)s outcomes were imported.", len(saved))
        % {"count": len(saved)},
    )
    return redirect("industriradet:outcome_list")
