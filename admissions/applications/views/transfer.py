"""Import and export pages of the intake office. Views parse input, call one service, render.

Between the preview and the confirmation the uploaded file is kept on the server (in the
cache, for a limited time) under a random token that only the session knows: never in a URL,
never in the cookie, never in a log.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from accounts.permissions import role_required
from admissions.applications.forms.transfer import ExportForm, ImportUploadForm
from admissions.applications.services import import_rows, transfer
from admissions.files.staging import StagedUpload

PENDING_SESSION_KEY = "transfer_import_token"
PENDING = StagedUpload(session_key=PENDING_SESSION_KEY, cache_prefix="admissions:transfer-import")


def _owner(request) -> dict:
    # The file is bound to the user and the region it was uploaded by and for.
    return {"user": request.user.pk, "region": request.region.pk}


def _pending_store(request, content: bytes) -> None:
    PENDING.store(request, owner=_owner(request), content=content)


def _pending_load(request) -> bytes | None:
    pending = PENDING.load(request, owner=_owner(request))
    return None if pending is None else pending["content"]


def _pending_discard(request) -> None:
    PENDING.discard(request)


def _index(request, *, export_form=None, upload_form=None):
    if export_form is None:
        # The queue's filters may be passed along, so "export these" exports what was shown.
        initial = {
            key: request.GET[key] for key in ("intake_period", "status") if key in request.GET
        }
        export_form = ExportForm(membership=request.membership, initial=initial)
    return render(
        request,
        "admissions/transfer/index.html",
        {
            "export_form": export_form,
            "upload_form": upload_form or ImportUploadForm(),
            "columns": import_rows.IMPORT_COLUMNS[: 8 + request.region.max_choices],
            "has_pending": _pending_load(request) is not None,
        },
    )


@role_required(*transfer.TRANSFER_ROLES)
@require_GET
def index(request):
    return _index(request)


@role_required(*transfer.TRANSFER_ROLES)
@require_POST
def export(request):
    form = ExportForm(request.POST, membership=request.membership)
    if not form.is_valid():
        return _index(request, export_form=form)
    exported = transfer.applications_export(
        acting_user=request.user,
        membership=request.membership,
        intake_period=form.cleaned_data["intake_period"],
        status=form.cleaned_data["status"],
        file_format=form.cleaned_data["file_format"],
        include_identity_numbers=form.cleaned_data.get("include_identity_numbers", False),
    )
    response = HttpResponse(exported.content, content_type=exported.content_type)
    response["Content-Disposition"] = f'attachment; filename="{exported.file_name}"'
    response["Cache-Control"] = "no-store"
    return response


@role_required(*transfer.TRANSFER_ROLES)
@require_POST
def import_upload(request):
    form = ImportUploadForm(request.POST, request.FILES)
    if form.is_valid():
        content = form.cleaned_data["file"].read()
        try:
            transfer.import_dataset_read(content)
        except transfer.ImportFileError as error:
            form.add_error("file", str(error))
        else:
            _pending_store(request, content)
            return redirect("admissions:transfer_import_preview")
    return _index(request, upload_form=form)


@role_required(*transfer.TRANSFER_ROLES)
@require_GET
def import_preview(request):
    content = _pending_load(request)
    if content is None:
        messages.info(request, _("Upload a file to import (an earlier upload has expired)."))
        return redirect("admissions:transfer_index")
    try:
        preview = transfer.applications_import_preview(
            acting_user=request.user, region=request.region, content=content
        )
    except transfer.ImportFileError as error:
        _pending_discard(request)
        messages.error(request, str(error))
        return redirect("admissions:transfer_index")
    return render(request, "admissions/transfer/preview.html", {"preview": preview})


@role_required(*transfer.TRANSFER_ROLES)
@require_POST
def import_confirm(request):
    content = _pending_load(request)
    if content is None:
        messages.error(request, _("The uploaded file has expired; nothing was imported."))
        return redirect("admissions:transfer_index")
    try:
        created = transfer.applications_import(
            acting_user=request.user, region=request.region, content=content
        )
    except transfer.ImportFileError as error:
        _pending_discard(request)
        messages.error(request, str(error))
        return redirect("admissions:transfer_index")
    except transfer.ImportRefused as refused:
        return render(
            request,
            "admissions/transfer/preview.html",
            {"preview": refused.preview, "refused_at_confirm": True},
        )
    _pending_discard(request)
    messages.success(
        request,
        ngettext(
            "%(count)s application was imported.",
            "%(count)s applications were imported.",
            len(created),
        )
        % {"count": len(created)},
    )
    return redirect("admissions:transfer_index")
