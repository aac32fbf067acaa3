"""The intake office's pages: the work queue, one application, decisions per choice,
completion requests, notes and bulk actions. Views parse input, call one service, render."""

from __future__ import annotations

import secrets
from urllib.parse import parse_qsl, urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_http_methods, require_POST

from accounts.form_errors import put_errors
from accounts.models import Role
from accounts.permissions import role_required
from accounts.tenancy import get_scoped_or_404
from admissions.applications import personnummer
from admissions.applications.forms.review import (
    BulkSelectionForm,
    CompletionRequestForm,
    EligibilityForm,
    NoteForm,
    QueueFilterForm,
    SearchForm,
    SelectionGroupForm,
)
from admissions.applications.models import DocumentKind
from admissions.applications.selectors.review import (
    application_for_review,
    application_history,
    bulk_selection,
    choices_for_review,
    queue_for,
)
from admissions.applications.services import review
from admissions.applications.services.access_log import read_log

DECIDERS = (Role.INTAKE_OFFICER, Role.REGION_ADMIN)
NOTE_WRITERS = (*DECIDERS, Role.COUNSELLOR)
READERS = (*NOTE_WRITERS, Role.COORDINATOR)

# The searches of a session, by token: the term (maybe an identity number) stays on the server
# and only the token goes into the queue's URL, so paging and sorting keep the search.
SEARCHES_SESSION_KEY = "intake_searches"
_SEARCHES_KEPT = 10

HISTORY_LABELS = {
    "application.start": gettext_lazy("Draft started"),
    "application.draft_save": gettext_lazy("Draft saved"),
    "application.choices_set": gettext_lazy("Courses changed"),
    "application.submit": gettext_lazy("Submitted"),
    "application.withdraw": gettext_lazy("Withdrawn by the applicant"),
    "choice.eligibility": gettext_lazy("Eligibility decided"),
    "choice.selection_group": gettext_lazy("Selection group decided"),
    "application.note": gettext_lazy("Note written"),
    "application.completion_request": gettext_lazy("Completion requested"),
}


# --- the queue --------------------------------------------------------------------------------


def _remember_search(request, term: str) -> str:
    searches = dict(request.session.get(SEARCHES_SESSION_KEY, {}))
    token = secrets.token_urlsafe(9)
    searches[token] = term
    # Dicts keep insertion order: drop the oldest searches.
    request.session[SEARCHES_SESSION_KEY] = dict(list(searches.items())[-_SEARCHES_KEPT:])
    return token


def _queue_url(params) -> str:
    query = urlencode([(key, value) for key, value in params if value not in ("", None)])
    url = reverse("admissions:intake_queue")
    return f"{url}?{query}" if query else url


@role_required(*READERS)
@require_http_methods(["GET", "POST"])
def queue(request):
    """GET lists; POST takes a search term and redirects to the list keyed by a token."""
    if request.method == "POST":
        search = SearchForm(request.POST)
        term = search.cleaned_data["q"].strip() if search.is_valid() else ""
        params = [(k, v) for k, v in request.GET.items() if k not in {"page", "search"}]
        if term:
            params.append(("search", _remember_search(request, term)))
        return redirect(_queue_url(params))

    token = request.GET.get("search", "")
    term = request.session.get(SEARCHES_SESSION_KEY, {}).get(token, "") if token else ""
    if token and not term:
        messages.warning(request, _("That search has expired; please search again."))
    filter_form = QueueFilterForm(request.GET or None, region=request.region)
    filters = filter_form.filters(search=term)
    applications = queue_for(request.membership, filters)
    page = Paginator(applications, filter_form.page_size()).get_page(request.GET.get("page"))
    is_number = personnummer.is_valid(term) if term else False
    kept = [(k, v) for k, v in request.GET.items() if k != "page"]
    return render(
        request,
        "admissions/intake/queue.html",
        {
            "filter_form": filter_form,
            "search_form": SearchForm(initial={"q": "" if is_number else term}),
            "search_shown": personnummer.mask(personnummer.normalize(term)) if is_number else term,
            "page": page,
            "page_query": urlencode(kept),
            "clear_query": urlencode([(k, v) for k, v in kept if k != "search"]),
            "search_query": request.GET.urlencode(),
            "can_decide": request.membership.role in DECIDERS,
        },
    )


# --- one application --------------------------------------------------------------------------


def get_application_for(request, pk):
    return get_scoped_or_404(application_for_review(request.membership), pk=pk)


def get_choice_for(request, pk):
    return get_scoped_or_404(choices_for_review(request.membership), pk=pk)


def _choice_reviews(application, bound: dict | None = None):
    """Per choice: its current decisions, their history and the forms to change them."""
    bound = bound or {}
    suggestion = review.selection_group_suggest(application)
    rows = []
    for choice in application.choices.all():
        eligibility = list(choice.eligibility.all())
        groups = list(choice.groups.all())
        current_eligibility = eligibility[0] if eligibility else None
        current_group = groups[0] if groups else None
        prefix = f"choice-{choice.pk}"
        eligibility_form = bound.get(("eligibility", choice.pk)) or EligibilityForm(
            prefix=prefix,
            initial=(
                {
                    "eligible": "yes" if current_eligibility.eligible else "no",
                    "ground": current_eligibility.ground,
                    "explanation": current_eligibility.explanation,
                }
                if current_eligibility
                else {}
            ),
        )
        group_form = bound.get(("group", choice.pk)) or SelectionGroupForm(
            prefix=prefix,
            initial={"group": current_group.group if current_group else int(suggestion)},
        )
        rows.append(
            {
                "choice": choice,
                "eligibility": current_eligibility,
                "eligibility_history": eligibility,
                "group": current_group,
                "group_history": groups,
                "eligibility_form": eligibility_form,
                "group_form": group_form,
            }
        )
    return suggestion, rows


def _kind_labels(kinds) -> list[str]:
    return [DocumentKind(kind).label for kind in kinds if kind in DocumentKind.values]


def _render_application(request, application, *, bound=None, note_form=None, status=200):
    read_log(
        acting_user=request.user,
        membership=request.membership,
        application=application,
        read="application",
    )
    suggestion, choice_reviews = _choice_reviews(application, bound)
    role = request.membership.role
    history = [
        (entry, HISTORY_LABELS.get(entry.action, entry.action))
        for entry in application_history(application)
    ]
    return render(
        request,
        "admissions/intake/application_detail.html",
        {
            "application": application,
            "identity_number": (
                application.personnummer if role in DECIDERS else application.masked_personnummer
            ),
            "suggestion": suggestion,
            "choice_reviews": choice_reviews,
            "documents": application.documents.all(),
            "notes": application.notes.all(),
            "completion_requests": [
                (item, _kind_labels(item.missing)) for item in application.completion_requests.all()
            ],
            "history": history,
            "note_form": note_form or NoteForm(),
            "can_decide": role in DECIDERS,
            "can_note": role in NOTE_WRITERS,
        },
        status=status,
    )


@role_required(*READERS)
@require_http_methods(["GET"])
def application_detail(request, pk: int):
    return _render_application(request, get_application_for(request, pk))


def _to_detail(application_pk: int, anchor: str = ""):
    url = reverse("admissions:intake_application", kwargs={"pk": application_pk})
    return redirect(f"{url}#{anchor}" if anchor else url)


def _decide_on_choice(request, pk: int, *, form_class, bound_key: str, decide, saved: str):
    """A per-choice decision: POST parses its form and calls one decision service, then goes back
    to the application; errors re-render the application with the form as typed. GET (a
    bookmark, no JS) shows the application."""
    choice = get_choice_for(request, pk)
    if request.method == "GET":
        return _to_detail(choice.application_id, f"choice-{choice.pk}")
    form = form_class(request.POST, prefix=f"choice-{choice.pk}")
    if form.is_valid():
        try:
            decide(acting_user=request.user, choice=choice, **form.cleaned_data)
        except ValidationError as error:
            put_errors(form, error)
        else:
            messages.success(request, saved % {"rank": choice.rank})
            return _to_detail(choice.application_id, f"choice-{choice.pk}")
    application = get_application_for(request, choice.application_id)
    return _render_application(request, application, bound={(bound_key, choice.pk): form})


@role_required(*DECIDERS)
@require_http_methods(["GET", "POST"])
def choice_eligibility(request, pk: int):
    return _decide_on_choice(
        request,
        pk,
        form_class=EligibilityForm,
        bound_key="eligibility",
        decide=review.eligibility_decide,
        saved=_("Eligibility of choice %(rank)s saved."),
    )


@role_required(*DECIDERS)
@require_http_methods(["GET", "POST"])
def choice_selection_group(request, pk: int):
    return _decide_on_choice(
        request,
        pk,
        form_class=SelectionGroupForm,
        bound_key="group",
        decide=review.selection_group_decide,
        saved=_("Selection group of choice %(rank)s saved."),
    )


@role_required(*NOTE_WRITERS)
@require_http_methods(["GET", "POST"])
def note_create(request, pk: int):
    application = get_application_for(request, pk)
    if request.method == "GET":
        return _to_detail(application.pk, "notes")
    form = NoteForm(request.POST)
    if form.is_valid():
        try:
            review.note_add(
                acting_user=request.user, application=application, text=form.cleaned_data["text"]
            )
        except ValidationError as error:
            put_errors(form, error)
        else:
            messages.success(request, _("Note saved."))
            return _to_detail(application.pk, "notes")
    return _render_application(request, application, note_form=form)


@role_required(*DECIDERS)
@require_http_methods(["GET", "POST"])
def completion_request_new(request, pk: int):
    application = get_application_for(request, pk)
    form = CompletionRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            review.completion_request_create(
                acting_user=request.user,
                application=application,
                missing=form.cleaned_data["missing"],
                deadline=form.cleaned_data["deadline"],
                message=form.cleaned_data["message"],
            )
        except ValidationError as error:
            put_errors(form, error)
        else:
            messages.success(request, _("The completion request was sent to the applicant."))
            return _to_detail(application.pk, "completion")
    return render(
        request,
        "admissions/intake/completion_request.html",
        {"application": application, "form": form},
    )


# --- bulk actions -----------------------------------------------------------------------------


def _back_to_queue(request) -> str:
    # "back" is the queue's query string (filters, page, search token): rebuilt, never followed
    # as a URL, so it cannot send anyone elsewhere.
    return _queue_url(parse_qsl(request.POST.get("back", "")))


@role_required(*DECIDERS)
@require_POST
def bulk_action(request):
    """Three steps, all POST: the selection from the queue (and, to request completion, what is
    missing), a confirmation listing what will change, then the change in one transaction."""
    selection = BulkSelectionForm(request.POST)
    if not selection.is_valid():
        messages.error(request, _("Tick at least one application and choose an action."))
        return redirect(_back_to_queue(request))
    action = selection.cleaned_data["action"]
    applications = list(bulk_selection(request.membership, selection.cleaned_data["applications"]))
    if not applications:
        messages.error(request, _("None of the ticked applications can be changed."))
        return redirect(_back_to_queue(request))
    confirmed = request.POST.get("step") == "apply"
    context = {"applications": applications, "action": action, "back": request.POST.get("back")}

    if action == BulkSelectionForm.MARK_ELIGIBLE:
        if confirmed:
            count = review.bulk_mark_eligible(acting_user=request.user, applications=applications)
            messages.success(
                request,
                ngettext(
                    "%(count)s choice marked eligible.",
                    "%(count)s choices marked eligible.",
                    count,
                )
                % {"count": count},
            )
            return redirect(_back_to_queue(request))
        changes = review.bulk_eligible_preview(applications)
        context["rows"] = [(a, changes[a.pk]) for a in applications]
        context["change_count"] = sum(len(c) for c in changes.values())
        return render(request, "admissions/intake/bulk_confirm.html", context)

    # Requesting completion: the first POST (from the queue) has no request fields yet.
    has_fields = request.POST.get("step") in {"confirm", "apply"}
    form = CompletionRequestForm(request.POST if has_fields else None)
    context["form"] = form
    if has_fields and form.is_valid():
        if confirmed:
            try:
                review.bulk_request_completion(
                    acting_user=request.user,
                    applications=applications,
                    missing=form.cleaned_data["missing"],
                    deadline=form.cleaned_data["deadline"],
                    message=form.cleaned_data["message"],
                )
            except ValidationError as error:
                put_errors(form, error)
            else:
                messages.success(
                    request,
                    ngettext(
                        "Completion requested for %(applications)s application.",
                        "Completion requested for %(applications)s applications.",
                        len(applications),
                    )
                    % {"applications": len(applications)},
                )
                return redirect(_back_to_queue(request))
        else:
            context["missing_labels"] = [
                label
                for value, label in form.fields["missing"].choices
                if value in form.cleaned_data["missing"]
            ]
            return render(request, "admissions/intake/bulk_confirm.html", context)
    return render(request, "admissions/intake/bulk_completion.html", context)
