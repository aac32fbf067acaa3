"""The applicant's pages: start from an offering, the multi-step form, the receipt, the status
page, withdrawing, answering a completion request, documents and the own-data download."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_GET, require_http_methods

from accounts.form_errors import put_errors
from accounts.middleware import ACTIVE_MEMBERSHIP_SESSION_KEY
from accounts.models import Role
from accounts.permissions import role_required
from accounts.selectors import membership_in_role
from accounts.tenancy import get_scoped_or_404
from admissions.applications.forms import apply as forms
from admissions.applications.models import ApplicationStatus, DocumentKind
from admissions.applications.selectors.apply import (
    application_for_status_page,
    choices_editable,
    choices_editable_until,
    choices_of,
    eligibility_warnings,
    get_document_for,
    get_own_application_for,
    get_own_completion_request_for,
    get_own_document_for,
    is_open,
    missing_for_submit,
    offerings_to_add,
    own_applications,
)
from admissions.applications.services.access_log import read_log
from admissions.applications.services.applications import (
    DRAFT_STEPS,
    application_choices_set,
    application_draft_save,
    application_draft_submit,
    application_start,
    application_withdraw,
    completion_answer,
    document_delete,
    document_upload,
)
from yrkescenter.models import Offering

STEP_TITLES = {
    "identity": gettext_lazy("Identity"),
    "contact": gettext_lazy("Contact and home municipality"),
    "background": gettext_lazy("Background"),
    "choices": gettext_lazy("Courses"),
    "validation": gettext_lazy("Validation"),
    "documents": gettext_lazy("Documents"),
    "review": gettext_lazy("Review and submit"),
}

applicant_only = role_required(Role.APPLICANT)


def _step_url(application, step: str) -> str:
    return reverse("admissions:application_step", kwargs={"pk": application.pk, "step": step})


def _next_step(step: str) -> str:
    index = DRAFT_STEPS.index(step)
    return DRAFT_STEPS[min(index + 1, len(DRAFT_STEPS) - 1)]


def _messages_of(error: ValidationError) -> list[str]:
    return list(error.messages)


def _act_as_applicant(request) -> None:
    membership = membership_in_role(request.user, request.region, Role.APPLICANT)
    if membership is not None:
        request.session[ACTIVE_MEMBERSHIP_SESSION_KEY] = membership.pk


# --- start and overview --------------------------------------------------------------------------


@applicant_only
@require_GET
def my_applications(request):
    applications = list(own_applications(request))
    return render(request, "admissions/apply/my_applications.html", {"applications": applications})


@require_http_methods(["GET", "POST"])
def apply_start(request, offering_pk: int):
    """Anyone logged in may apply here (fritt sök), not only those who signed up in this
    region: starting an application makes them an applicant of the region."""
    offering = get_scoped_or_404(
        Offering.objects.for_region(request.region).select_related(
            "programme", "centre__host_municipality", "intake_period"
        ),
        pk=offering_pk,
    )
    existing = own_applications(request).filter(intake_period=offering.intake_period_id).first()
    if request.method == "POST":
        try:
            application = application_start(
                acting_user=request.user, region=request.region, offering=offering
            )
        except ValidationError as error:
            for message in _messages_of(error):
                messages.error(request, message)
            return redirect("yrkescenter:offering_detail", pk=offering.pk)
        _act_as_applicant(request)
        if existing is None:
            return redirect(_step_url(application, DRAFT_STEPS[0]))
        if not application.choices.filter(offering=offering).exists():
            messages.warning(
                request,
                _(
                    "You already have %(count)d courses, the most you can choose. Remove one "
                    "to add this course."
                )
                % {"count": request.region.max_choices},
            )
        return redirect(_step_url(application, "choices"))
    return render(
        request,
        "admissions/apply/start.html",
        {"offering": offering, "existing": existing, "open": is_open(offering)},
    )


@applicant_only
@require_GET
def application_detail(request, pk: int):
    application = application_for_status_page(get_own_application_for(request, pk))
    completion_requests = list(application.completion_requests.all())
    kinds = dict(DocumentKind.choices)
    for completion_request in completion_requests:
        completion_request.missing_labels = [kinds.get(k, k) for k in completion_request.missing]
    return render(
        request,
        "admissions/apply/status.html",
        {
            "application": application,
            "choices": list(application.choices.all()),
            "documents": list(application.documents.all()),
            "completion_requests": completion_requests,
            "incomplete": any(r.is_open for r in completion_requests),
            "choices_editable": choices_editable(application),
            "editable_until": choices_editable_until(application)
            if application.status == ApplicationStatus.SUBMITTED
            else None,
            "missing": missing_for_submit(application)
            if application.status == ApplicationStatus.DRAFT
            else [],
            "step_titles": STEP_TITLES,
        },
    )


# --- the form, step by step ----------------------------------------------------------------------


@applicant_only
@never_cache
@require_http_methods(["GET", "POST"])
def application_step(request, pk: int, step: str):
    application = get_own_application_for(request, pk)
    if step not in DRAFT_STEPS:
        raise Http404
    if application.status != ApplicationStatus.DRAFT and step != "choices":
        return redirect("admissions:application_detail", pk=application.pk)
    if step in forms.STEP_FORMS:
        return _form_step(request, application, step)
    handler = {"choices": _choices_step, "documents": _documents_step, "review": _review_step}
    return handler[step](request, application)


def _render_step(request, application, step: str, context: dict, status: int = 200):
    template = "form" if step in forms.STEP_FORMS else step
    return render(
        request,
        f"admissions/apply/step_{template}.html",
        {
            "application": application,
            "step": step,
            "step_title": STEP_TITLES[step],
            "steps": [(key, STEP_TITLES[key]) for key in DRAFT_STEPS],
            "step_number": DRAFT_STEPS.index(step) + 1,
            "step_count": len(DRAFT_STEPS),
            "next_step": _next_step(step),
            **context,
        },
        status=status,
    )


def _form_step(request, application, step: str):
    form_class = forms.STEP_FORMS[step]
    if request.method == "POST":
        form = form_class(request.POST, application=application)
        values = form.valid_values()
        try:
            application = application_draft_save(
                acting_user=request.user, application=application, step=step, values=values
            )
        except ValidationError as error:
            # The service's own checks (e.g. a municipality of another region): shown on the
            # form like the form's, and nothing of this step is saved.
            put_errors(form, error)
        if request.htmx:
            return render(request, "admissions/apply/_autosave.html", {"form": form})
        if not form.errors:
            if step == "background" and eligibility_warnings(application):
                # Warn, do not block: show the warning once before moving on.
                messages.warning(request, eligibility_warnings(application)[0])
            return redirect(_step_url(application, _next_step(step)))
        messages.info(
            request, _("What was correct has been saved. Correct the fields marked below.")
        )
    else:
        form = form_class(application=application)
    return _render_step(
        request,
        application,
        step,
        {"form": form, "warnings": eligibility_warnings(application)},
    )


def _choices_step(request, application):
    errors: list[str] = []
    add_form = forms.ChoiceAddForm(offerings=offerings_to_add(application))
    if request.method == "POST":
        order = list(application.choices.order_by("rank").values_list("offering_id", flat=True))
        wanted = _reordered(order, request.POST)
        if wanted is None:
            errors.append(_("Choose a course to add."))
            add_form = forms.ChoiceAddForm(request.POST, offerings=offerings_to_add(application))
        else:
            try:
                application_choices_set(
                    acting_user=request.user, application=application, offering_ids=wanted
                )
            except ValidationError as error:
                errors = _messages_of(error)
                add_form = forms.ChoiceAddForm(
                    request.POST, offerings=offerings_to_add(application)
                )
            else:
                if request.POST.get("action") == "continue":
                    return redirect(_step_url(application, "validation"))
                if application.status != ApplicationStatus.DRAFT:
                    messages.success(request, _("Your choices have been saved."))
                return redirect(_step_url(application, "choices"))
    return _render_step(
        request,
        application,
        "choices",
        {
            "choices": choices_of(application),
            "add_form": add_form,
            "errors": errors,
            "editable": choices_editable(application),
            "max_choices": application.region.max_choices,
            "is_draft": application.status == ApplicationStatus.DRAFT,
        },
        status=400 if errors else 200,
    )


def _reordered(order: list[int], data) -> list[int] | None:
    """The ranking after one button: move a course up or down, remove it, add one, or keep."""
    action = data.get("action", "")
    if action == "add":
        try:
            return [*order, int(data.get("offering", ""))]
        except ValueError:
            return None
    try:
        target = int(data.get("choice", ""))
    except ValueError:
        return order
    if target not in order:
        return order
    index = order.index(target)
    if action == "remove":
        return [pk for pk in order if pk != target]
    swap = {"up": index - 1, "down": index + 1}.get(action)
    if swap is not None and 0 <= swap < len(order):
        order[index], order[swap] = order[swap], order[index]
    return order


def _documents_step(request, application):
    form = forms.DocumentUploadForm()
    if request.method == "POST" and request.POST.get("action") == "delete":
        document = get_own_document_for(request, request.POST.get("document"))
        try:
            document_delete(acting_user=request.user, document=document)
        except ValidationError as error:
            for message in _messages_of(error):
                messages.error(request, message)
        return redirect(_step_url(application, "documents"))
    if request.method == "POST" and request.POST.get("action") == "upload":
        form = forms.DocumentUploadForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                document = document_upload(
                    acting_user=request.user,
                    application=application,
                    kind=form.cleaned_data["kind"],
                    file=form.cleaned_data["file"],
                )
            except ValidationError as error:
                put_errors(form, error)
            else:
                messages.success(
                    request,
                    _("%(name)s has been uploaded.") % {"name": document.original_name},
                )
                return redirect(_step_url(application, "documents"))
    elif request.method == "POST":
        return redirect(_step_url(application, "review"))
    return _render_step(
        request,
        application,
        "documents",
        {"form": form, "documents": list(application.documents.order_by("uploaded_at", "id"))},
        status=400 if form.errors else 200,
    )


def _review_step(request, application):
    form = forms.SubmitForm()
    if request.method == "POST":
        form = forms.SubmitForm(request.POST)
        if form.is_valid():
            try:
                application = application_draft_submit(
                    acting_user=request.user, application=application, consent=True
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                return redirect("admissions:application_receipt", pk=application.pk)
    status_application = application_for_status_page(application)
    return _render_step(
        request,
        status_application,
        "review",
        {
            "form": form,
            "missing": missing_for_submit(status_application),
            "warnings": eligibility_warnings(status_application),
            "choices": list(status_application.choices.all()),
            "documents": list(status_application.documents.all()),
        },
        status=400 if form.errors else 200,
    )


@applicant_only
@require_GET
def application_receipt(request, pk: int):
    application = get_own_application_for(request, pk)
    if application.status == ApplicationStatus.DRAFT:
        return redirect(_step_url(application, application.draft_step or DRAFT_STEPS[0]))
    return render(
        request,
        "admissions/apply/receipt.html",
        {"application": application, "choices": choices_of(application)},
    )


# --- after submitting ----------------------------------------------------------------------------


@applicant_only
@require_http_methods(["GET", "POST"])
def application_withdraw_view(request, pk: int):
    application = get_own_application_for(request, pk)
    if application.status == ApplicationStatus.WITHDRAWN:
        return redirect("admissions:application_detail", pk=application.pk)
    form = forms.WithdrawForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        application_withdraw(acting_user=request.user, application=application)
        messages.success(request, _("Your application has been withdrawn."))
        return redirect("admissions:application_detail", pk=application.pk)
    return render(
        request,
        "admissions/apply/withdraw.html",
        {"application": application, "form": form},
        status=400 if form.errors else 200,
    )


@applicant_only
@require_http_methods(["GET", "POST"])
def completion_answer_view(request, pk: int):
    completion_request = get_own_completion_request_for(request, pk)
    application = completion_request.application
    if completion_request.answered_at is not None:
        messages.info(request, _("You have already answered this request."))
        return redirect("admissions:application_detail", pk=application.pk)
    form = forms.CompletionAnswerForm()
    if request.method == "POST":
        form = forms.CompletionAnswerForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                completion_answer(
                    acting_user=request.user,
                    completion_request=completion_request,
                    answer=form.cleaned_data["answer"],
                    files=form.files_to_upload(),
                )
            except ValidationError as error:
                put_errors(form, error)
            else:
                messages.success(request, _("Thank you. The intake office has your answer."))
                return redirect("admissions:application_detail", pk=application.pk)
    return render(
        request,
        "admissions/apply/completion_answer.html",
        {
            "application": application,
            "completion_request": completion_request,
            "form": form,
        },
        status=400 if form.errors else 200,
    )


# --- documents and own data ----------------------------------------------------------------------

INLINE_TYPES = {"application/pdf", "image/jpeg", "image/png"}
DOWNLOAD_POLICY = "default-src 'none'; sandbox"
INLINE_POLICY = "frame-ancestors 'self'; form-action 'none'; base-uri 'none'"


@never_cache
@xframe_options_sameorigin
@require_GET
def document_download(request, pk: int):
    """A document for its owner or for staff whose scope includes the application; anyone
    else gets a 404. As an attachment, unless staff ask to view it inline (?inline=1)."""
    document = get_document_for(request, pk)
    read_log(
        acting_user=request.user,
        membership=request.membership,
        application=document.application,
        read="document",
        detail={"document": document.pk, "kind": document.kind},
    )
    inline = (
        request.GET.get("inline") == "1"
        and request.membership is not None
        and request.membership.is_staff_role
        and document.content_type in INLINE_TYPES
    )
    response = FileResponse(
        document.file.open("rb"),
        as_attachment=not inline,
        filename=document.original_name,
        content_type=document.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    # A downloaded file is never a page. Not for inline display: browsers refuse to show a PDF
    # in a sandboxed document, and the application page frames it (the site's own policy says
    # frame-ancestors 'none').
    response["Content-Security-Policy"] = INLINE_POLICY if inline else DOWNLOAD_POLICY
    return response
