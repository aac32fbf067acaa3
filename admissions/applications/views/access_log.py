"""The access log of one applicant, for the region admin: who opened their pages and files."""

from __future__ import annotations

from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from accounts.models import Role
from accounts.permissions import role_required
from admissions.applications import personnummer
from admissions.applications.forms.review import SearchForm
from admissions.applications.selectors.review import ACCESS_LOG_MATCHES, access_log_lookup, reads_of
from admissions.applications.services.access_log import READ_ACTIONS


@role_required(Role.REGION_ADMIN)
@never_cache
@require_http_methods(["GET", "POST"])
def access_log(request):
    """The search is posted and answered on the same page, so no identity number ever goes into
    a URL, a history or a server log."""
    form = SearchForm(request.POST or None)
    found = None
    shown = ""
    if request.method == "POST" and form.is_valid():
        term = form.cleaned_data["q"]
        found = [
            (application, [(entry, _label(entry)) for entry in reads_of(application)])
            for application in access_log_lookup(request.membership, term)
        ]
        try:
            # An identity number is not written back into the page, only its masked form.
            shown = personnummer.mask(personnummer.normalize(term))
            form = SearchForm()
        except personnummer.PersonnummerError:
            shown = term
    return render(
        request,
        "admissions/intake/access_log.html",
        {"form": form, "found": found, "shown": shown, "most": ACCESS_LOG_MATCHES},
    )


def _label(entry) -> str:
    return READ_ACTIONS.get(entry.action, entry.action)
