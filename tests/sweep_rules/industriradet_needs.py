"""The council's needs and APL pages, and the admin of its members, companies and records.

Needs and APL offers belong to a company (or to the council member who entered a need on its
behalf), not to a role of the region: the sweep's users are nobody's company contact and entered
nothing, so a planted need or offer answers them exactly like a missing one (owner_only). The
coordinator's pages reach the planted offer and booking through the planted centre: the offer is
for the planted programme in the planted term, which the sweep coordinator's centre gives, and
the booking is of the planted enrolment (tests/sweep_rules/enrolment.py, which runs first).

Labels planted: "industriradet.memberorganisation", "industriradet.company",
"industriradet.needssurvey", "industriradet.competenceneed", "industriradet.aploffer",
"industriradet.aplbooking". The last three are records the admin only shows
(READ_ONLY_ADMIN_MODELS)."""

import datetime as dt

from django.utils import timezone

from accounts.models import Role
from industriradet.models import (
    AplBooking,
    AplOffer,
    Company,
    CompetenceNeed,
    Horizon,
    Level,
    MemberOrganisation,
    NeedsSurvey,
    OrganisationKind,
)
from tests.sweep import GET_NOT_ALLOWED, REDIRECTS, ROLES, rule

CONTACT = (Role.COMPANY_CONTACT,)
ON_BEHALF = (Role.COUNCIL_MEMBER, Role.REGION_ADMIN)
NEEDS = (*CONTACT, *ON_BEHALF)
COORDINATOR = (Role.COORDINATOR,)
NEED = "industriradet.competenceneed"
OFFER = "industriradet.aploffer"
BOOKING = "industriradet.aplbooking"

RULES = {
    "industriradet:company_home": rule(ROLES, *CONTACT),
    "industriradet:needs_list": rule(ROLES, *NEEDS),
    "industriradet:need_new": rule(ROLES, *NEEDS),
    "industriradet:need_edit": rule(ROLES, *NEEDS, obj=NEED, owner_only=True),
    "industriradet:need_delete": rule(ROLES, *NEEDS, obj=NEED, owner_only=True),
    "industriradet:needs_import": rule(ROLES, *ON_BEHALF),
    # Without an uploaded file the report sends the user back to the upload.
    "industriradet:needs_import_preview": rule(ROLES, *ON_BEHALF, ok=REDIRECTS),
    "industriradet:needs_import_confirm": rule(ROLES, *ON_BEHALF, ok=GET_NOT_ALLOWED),
    "industriradet:apl_offers": rule(ROLES, *CONTACT),
    "industriradet:apl_offer_new": rule(ROLES, *CONTACT),
    "industriradet:apl_offer_edit": rule(ROLES, *CONTACT, obj=OFFER, owner_only=True),
    "industriradet:apl_places": rule(ROLES, *COORDINATOR),
    "industriradet:apl_book": rule(ROLES, *COORDINATOR, obj=OFFER),
    "industriradet:apl_cancel": rule(ROLES, *COORDINATOR, obj=BOOKING),
}


def _plant_council(region, planted):
    municipality = planted["yrkescenter.municipality"]
    offering = planted["yrkescenter.offering"]
    cluster = MemberOrganisation.objects.create(
        region=region, code="kluster", name=f"Klustret {region.name}", kind=OrganisationKind.CLUSTER
    )
    company = Company.objects.create(
        region=region,
        name=f"Exempel {region.name} AB",
        organisation=cluster,
        municipality=municipality,
    )
    today = timezone.localdate()
    survey = NeedsSurvey.objects.create(
        region=region,
        code="behov",
        name="Kompetensbehov",
        opens_on=today - dt.timedelta(days=10),
        closes_on=today + dt.timedelta(days=60),
    )
    need = CompetenceNeed.objects.create(
        survey=survey,
        company=company,
        ssyk_code="7212",
        count=3,
        horizon=Horizon.WITHIN_1,
        municipality=municipality,
        level=Level.UPPER_SECONDARY,
    )
    offer = AplOffer.objects.create(
        company=company,
        programme=offering.programme,
        intake_period=offering.intake_period,
        places=2,
    )
    booking = AplBooking.objects.create(
        offer=offer,
        enrolment=planted["admissions.enrolment"],
        starts_on=offering.starts_on,
        ends_on=offering.starts_on + dt.timedelta(days=28),
    )
    return {
        "industriradet.memberorganisation": cluster,
        "industriradet.company": company,
        "industriradet.needssurvey": survey,
        NEED: need,
        OFFER: offer,
        BOOKING: booking,
    }


PLANTERS = [_plant_council]
