"""The needs survey's pages: the list of needs one may handle, entering, changing and deleting
a need, and the import of a cluster's own survey (upload, a dry run with a row-by-row report,
then confirm).

Company contacts handle their own companies' needs; council members and region admins enter
needs on a company's behalf and handle only the rows they entered themselves (see
industriradet.selectors.needs). Views parse input, call one service and render.

Between the report and the confirmation the uploaded file is kept on the server (in the cache,
for a limited time) under a random token that only the session knows, as the intake office's
import does: never in a URL, never in the cookie.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.form_errors import put_errors
from accounts.permissions import role_required
from admissions.files.staging import StagedUpload
from industriradet.forms import NeedForm, NeedsImportForm
from industriradet.selectors.needs import (
    NEEDS_ROLES,
    ON_BEHALF_ROLES,
    clusters,
    enters_on_behalf,
    get_need_for,
    needs_for,
    open_surveys,
)
from industriradet.services import needs as services
from industriradet.services import needs_file

PENDING_SESSION_KEY = "needs_import_token"
PENDING = StagedUpload(session_key=PENDING_SESSION_KEY, cache_prefix="industriradet:needs-import")


@role_required(*NEEDS_ROLES)
@require_GET
def needs_list(request):
    needs = list(needs_for(request.membership))
    for need in needs:
        need.editable = services.survey_is_open(need.survey)
    return render(
        request,
        "industriradet/needs/list.html",
        {
            "needs": needs,
            "can_enter": open_surveys(request.region).exists(),
            "on_behalf": enters_on_behalf(request.membership),
        },
    )


@role_required(*NEEDS_ROLES)
@require_http_methods(["GET", "POST"])
def need_new(request):
    membership = request.membership
    form = NeedForm(request.POST or None, membership=membership)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        company = data["company"]
        try:
            services.need_create(
                acting_user=request.user,
                survey=data["survey"],
                company=company,
                ssyk_code=data["ssyk_code"],
                count=data["count"],
                horizon=data["horizon"],
                municipality=data["municipality"],
                level=data["level"],
                note=data["note"],
                # The council enters a need on the company's behalf, as its cluster.
                entered_by_organisation=company.organisation
                if enters_on_behalf(membership)
                else None,
            )
        except ValidationError as error:
            put_errors(form, error)
        else:
            messages.success(
                request,
                _("The need of %(company)s was recorded.") % {"company": company.name},
            )
            if "another" in request.POST:
                return redirect("industriradet:need_new")
            return redirect("industriradet:needs_list")
    return render(
        request,
        "industriradet/needs/form.html",
        {
            "form": form,
            "has_survey": form.fields["survey"].queryset.exists(),
            "has_company": form.fields["company"].queryset.exists(),
            "on_behalf": enters_on_behalf(membership),
        },
    )


@role_required(*NEEDS_ROLES)
@require_http_methods(["GET", "POST"])
def need_edit(request, pk: int):
    need = get_need_for(request, pk)
    is_open = services.survey_is_open(need.survey)
    initial = {
        "ssyk_code": need.ssyk_code,
        "count": need.count,
        "horizon": need.horizon,
        "municipality": need.municipality,
        "level": need.level,
        "note": need.note,
    }
    form = NeedForm(
        request.POST or None, membership=request.membership, existing=True, initial=initial
    )
    if request.method == "POST" and is_open and form.is_valid():
        data = form.cleaned_data
        try:
            services.need_update(
                acting_user=request.user,
                need=need,
                ssyk_code=data["ssyk_code"],
                count=data["count"],
                horizon=data["horizon"],
                municipality=data["municipality"],
                level=data["level"],
                note=data["note"],
            )
        except ValidationError as error:
            put_errors(form, error)
        else:
            messages.success(request, _("The need was saved."))
            return redirect("industriradet:needs_list")
    return render(
        request,
        "industriradet/needs/edit.html",
        {"need": need, "form": form, "is_open": is_open},
    )


@role_required(*NEEDS_ROLES)
@require_http_methods(["GET", "POST"])
def need_delete(request, pk: int):
    need = get_need_for(request, pk)
    is_open = services.survey_is_open(need.survey)
    error = None
    if request.method == "POST" and is_open:
        try:
            services.need_delete(acting_user=request.user, need=need)
        except ValidationError as refused:
            error = " ".join(refused.messages)
        else:
            messages.success(request, _("The need was deleted."))
            return redirect("industriradet:needs_list")
    return render(
        request,
        "industriradet/needs/delete.html",
        {"need": need, "is_open": is_open, "error": error},
    )


# --- import of a cluster's own survey -----------------------------------------------------------


def _owner(request) -> dict:
    return {"user": request.user.pk, "region": request.region.pk}


def _pending_store(request, *, survey, cluster, content: bytes) -> None:
    PENDING.store(
        request, owner=_owner(request), survey=survey.pk, cluster=cluster.pk, content=content
    )


def _pending_load(request):
    """(survey, cluster, content) of the file this session uploaded, or None. The token is
    bound to the user and the region it was uploaded by and for."""
    pending = PENDING.load(request, owner=_owner(request))
    if pending is None:
        return None
    survey = open_surveys(request.region).filter(pk=pending["survey"]).first()
    cluster = clusters(request.region).filter(pk=pending["cluster"]).first()
    if survey is None or cluster is None:
        return None
    return survey, cluster, pending["content"]


def _pending_discard(request) -> None:
    PENDING.discard(request)


@role_required(*ON_BEHALF_ROLES)
@require_http_methods(["GET", "POST"])
def needs_import(request):
    form = NeedsImportForm(
        request.POST or None, request.FILES or None, membership=request.membership
    )
    if request.method == "POST" and form.is_valid():
        content = form.cleaned_data["file"].read()
        try:
            services.import_dataset_read(content)
        except services.ImportFileError as error:
            form.add_error("file", str(error))
        else:
            _pending_store(
                request,
                survey=form.cleaned_data["survey"],
                cluster=form.cleaned_data["cluster"],
                content=content,
            )
            return redirect("industriradet:needs_import_preview")
    return render(
        request,
        "industriradet/needs/import.html",
        {
            "form": form,
            "columns": services.IMPORT_COLUMNS,
            "has_survey": form.fields["survey"].queryset.exists(),
            "has_pending": _pending_load(request) is not None,
        },
    )


@role_required(*ON_BEHALF_ROLES)
@require_GET
def needs_import_preview(request):
    pending = _pending_load(request)
    if pending is None:
        messages.info(request, _("Upload a file to import (an earlier upload has expired)."))
        return redirect("industriradet:needs_import")
    survey, cluster, content = pending
    try:
        report = needs_file.needs_import_preview(
            acting_user=request.user,
            region=request.region,
            survey=survey,
            cluster=cluster,
            content=content,
        )
    except (services.ImportFileError, ValidationError) as error:
        _pending_discard(request)
        messages.error(request, _message(error))
        return redirect("industriradet:needs_import")
    return render(
        request,
        "industriradet/needs/import_report.html",
        {"report": report, "survey": survey, "cluster": cluster},
    )


@role_required(*ON_BEHALF_ROLES)
@require_POST
def needs_import_confirm(request):
    pending = _pending_load(request)
    if pending is None:
        messages.error(request, _("The uploaded file has expired; nothing was imported."))
        return redirect("industriradet:needs_import")
    survey, cluster, content = pending
    try:
        created = needs_file.needs_import(
            acting_user=request.user,
            region=request.region,
            survey=survey,
            cluster=cluster,
            content=content,
        )
    except (services.ImportFileError, ValidationError) as error:
        _pending_discard(request)
        messages.error(request, _message(error))
        return redirect("industriradet:needs_import")
    except services.ImportRefused as refused:
        return render(
            request,
            "industriradet/needs/import_report.html",
            {
                "report": refused.report,
                "survey": survey,
                "cluster": cluster,
                "refused_at_confirm": True,
            },
        )
    _pending_discard(request)
    messages.success(
        request,
        ngettext("%(count)s need was imported.", "%(count)s needs were imported.", len(created))
        % {"count": len(created)},
    )
    return redirect("industriradet:needs_list")


def _message(error: Exception) -> str:
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return str(error)
