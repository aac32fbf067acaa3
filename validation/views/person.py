"""The person's own page: their validation cases with status, results per area, upcoming
appointments and certificates to download; and the validation requests in their applications
that the centre has not opened a case for yet. A case the centre opened directly is linked here
once the person has verified the e-mail address the centre wrote down."""

from __future__ import annotations

from django.shortcuts import render
from django.views.decorators.http import require_GET

from accounts.models import Role
from accounts.permissions import role_required
from admissions.applications.models import Application, ApplicationStatus
from validation import services
from validation.case_summaries import case_summaries
from validation.models import ValidationCase


@role_required(Role.APPLICANT)
@require_GET
def my_validations(request):
    membership = request.membership
    # A write on a GET, on purpose: it only attaches the signed-in person's own cases (by an
    # e-mail address they have verified, never one already linked to someone) and is
    # idempotent, so reloading or prefetching the page changes nothing more. Doing it here
    # means a case opened before the person had an account shows up the first time they look.
    services.cases_claim(user=request.user, region=request.region)
    # visible_to gives an applicant exactly the cases where they are the person.
    cases = ValidationCase.objects.visible_to(membership).select_related("standard", "application")
    waiting = (
        Application.objects.visible_to(membership)
        .filter(validation_requested=True, status=ApplicationStatus.SUBMITTED)
        .exclude(validation_cases__isnull=False)
        .select_related("intake_period")
        .order_by("-submitted_at")
    )
    return render(
        request,
        "validation/person/my_validations.html",
        {
            "summaries": case_summaries(cases, with_appointments=True),
            "waiting_applications": waiting,
        },
    )
