from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from accounts.admin_site import RegionScopedAdmin, admin_site
from accounts.models import Role, User
from industriradet.models import (
    AplBooking,
    AplOffer,
    Company,
    CompanyContact,
    CompetenceNeed,
    MemberOrganisation,
    NeedsSurvey,
)
from yrkescenter.admin import RegionAdminInline


@admin.register(MemberOrganisation, site=admin_site)
class MemberOrganisationAdmin(RegionScopedAdmin):
    list_display = ["name", "code", "kind", "member_companies", "website"]
    list_filter = ["kind"]
    search_fields = ["name", "code"]


class CompanyContactInline(RegionAdminInline):
    """The people who speak for the company: users with a company-contact role in the region."""

    model = CompanyContact
    extra = 1
    fields = ["user", "title"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "user" and not request.user.is_superuser:
            kwargs["queryset"] = User.objects.filter(
                memberships__region=request.region, memberships__role=Role.COMPANY_CONTACT
            ).distinct()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Company, site=admin_site)
class CompanyAdmin(RegionScopedAdmin):
    list_display = ["name", "organisation", "municipality", "org_number"]
    list_filter = ["organisation"]
    list_select_related = ["organisation", "municipality"]
    search_fields = ["name", "org_number"]
    inlines = [CompanyContactInline]


@admin.register(NeedsSurvey, site=admin_site)
class NeedsSurveyAdmin(RegionScopedAdmin):
    list_display = ["name", "code", "opens_on", "closes_on"]


class RecordAdmin(RegionScopedAdmin):
    """Rows made on the council's pages, through services that check their rules and write
    the audit log (needs by companies and clusters, APL offers by companies, bookings by
    centres): the admin only shows them."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(CompetenceNeed, site=admin_site)
class CompetenceNeedAdmin(RecordAdmin):
    list_display = [
        "company",
        "survey",
        "ssyk_code",
        "count",
        "horizon",
        "municipality",
        "level",
        "entered_by_organisation",
        "created_at",
    ]
    list_filter = ["survey", "horizon", "level", "entered_by_organisation"]
    list_select_related = ["company", "survey", "municipality", "entered_by_organisation"]
    search_fields = ["company__name", "ssyk_code"]


@admin.register(AplOffer, site=admin_site)
class AplOfferAdmin(RecordAdmin):
    list_display = ["company", "programme", "intake_period", "places", "created_at"]
    list_filter = ["intake_period", "programme"]
    list_select_related = ["company", "programme", "intake_period"]
    search_fields = ["company__name", "programme__name"]


@admin.register(AplBooking, site=admin_site)
class AplBookingAdmin(RecordAdmin):
    list_display = ["offer", "starts_on", "ends_on", "booked_at", "cancelled_at"]
    list_filter = [("cancelled_at", admin.EmptyFieldListFilter)]
    list_select_related = ["offer__company", "offer__programme"]
    # The student is shown by enrolment number only: the admin lists bookings, not people.
    readonly_fields = ["enrolment_number"]
    exclude = ["enrolment"]

    @admin.display(description=_("enrolment"))
    def enrolment_number(self, booking):
        return booking.enrolment_id
