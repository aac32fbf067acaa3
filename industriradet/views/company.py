"""A company contact's start page: their companies, their needs in the surveys and their APL
offers with the places booked."""

from __future__ import annotations

from django.db.models import Count, Q
from django.shortcuts import render
from django.views.decorators.http import require_GET

from accounts.models import Role
from accounts.permissions import role_required
from industriradet.models import Company
from industriradet.selectors.apl import company_offers
from industriradet.selectors.needs import needs_for, open_surveys


@role_required(Role.COMPANY_CONTACT)
@require_GET
def company_home(request):
    membership = request.membership
    surveys = list(open_surveys(request.region).order_by("closes_on"))
    companies = (
        Company.objects.visible_to(membership)
        .select_related("organisation", "municipality")
        .annotate(open_needs=Count("needs", filter=Q(needs__survey__in=surveys), distinct=True))
        .order_by("name")
    )
    return render(
        request,
        "industriradet/company/home.html",
        {
            "companies": companies,
            "surveys": surveys,
            "needs": needs_for(membership).filter(survey__in=surveys),
            "offers": company_offers(membership),
        },
    )
