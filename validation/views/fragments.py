"""Validation results on an admissions page, served by validation (admissions never imports
validation): the intake office's application page loads this fragment with htmx."""

from __future__ import annotations

from django.shortcuts import render
from django.views.decorators.http import require_GET

from accounts.models import Role
from accounts.permissions import role_required
from accounts.tenancy import get_scoped_or_404
from admissions.applications.models import Application
from validation.case_summaries import case_summaries
from validation.models import ValidationCase

# The intake office decides eligibility and selection groups and cites results as evidence.
RESULT_READERS = (Role.INTAKE_OFFICER, Role.REGION_ADMIN)


@role_required(*RESULT_READERS)
@require_GET
def application_results(request, pk: int):
    """The application's validation cases: the current result per area, final or awaiting
    sign-off, the credited courses and vp, the certificate's code and a sentence to cite.
    A fragment for htmx; a page of its own for the plain link."""
    application = get_scoped_or_404(Application.objects.visible_to(request.membership), pk=pk)
    cases = (
        ValidationCase.objects.visible_to(request.membership)
        .filter(application=application)
        .select_related("standard", "assessor")
        .order_by("requested_at", "id")
    )
    template = "validation/fragments/application_results.html"
    if request.htmx:
        template += "#results"
    return render(
        request,
        template,
        {"application": application, "summaries": case_summaries(cases)},
    )
