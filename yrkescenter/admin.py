from django.contrib import admin

from accounts.admin_site import RegionScopedAdmin, admin_site, is_region_admin
from yrkescenter.models import (
    Agreement,
    Allocation,
    AllocationLine,
    CofinancingCommitment,
    Course,
    GrantRate,
    GrantYear,
    IntakeOffice,
    IntakePeriod,
    Municipality,
    Offering,
    Price,
    Programme,
    ProgrammeCourse,
    Yrkescenter,
)


@admin.register(Municipality, site=admin_site)
class MunicipalityAdmin(RegionScopedAdmin):
    list_display = ["name", "code"]
    search_fields = ["name", "code"]


@admin.register(Yrkescenter, site=admin_site)
class YrkescenterAdmin(RegionScopedAdmin):
    list_display = ["name", "host_municipality", "orientation"]
    search_fields = ["name"]


@admin.register(IntakeOffice, site=admin_site)
class IntakeOfficeAdmin(RegionScopedAdmin):
    list_display = ["name", "host_municipality", "email"]


@admin.register(Course, site=admin_site)
class CourseAdmin(RegionScopedAdmin):
    list_display = ["code", "name", "points"]
    search_fields = ["code", "name"]


class RegionAdminInline(admin.TabularInline):
    """An inline that region admins may use like its parent. Django's default asks for model
    permissions, which region admins (not superusers) do not have, and hides the inline."""

    def _allowed(self, request) -> bool:
        return request.user.is_superuser or is_region_admin(request)

    def has_view_permission(self, request, obj=None):
        return self._allowed(request)

    def has_add_permission(self, request, obj=None):
        return self._allowed(request)

    def has_change_permission(self, request, obj=None):
        return self._allowed(request)

    def has_delete_permission(self, request, obj=None):
        return self._allowed(request)


class ProgrammeCourseInline(RegionAdminInline):
    model = ProgrammeCourse
    extra = 1

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "course" and not request.user.is_superuser:
            kwargs["queryset"] = Course.objects.for_region(request.region)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Programme, site=admin_site)
class ProgrammeAdmin(RegionScopedAdmin):
    list_display = ["name", "code", "vp", "grant_category", "sector", "ssyk_code", "occupation"]
    list_filter = ["grant_category", "sector"]
    search_fields = ["name", "code", "occupation"]
    inlines = [ProgrammeCourseInline]


@admin.register(IntakePeriod, site=admin_site)
class IntakePeriodAdmin(RegionScopedAdmin):
    list_display = ["name", "code", "starts_on", "ends_on"]


@admin.register(Offering, site=admin_site)
class OfferingAdmin(RegionScopedAdmin):
    list_display = [
        "programme",
        "centre",
        "intake_period",
        "starts_on",
        "pace",
        "seats",
        "state_funded_seats",
        "application_closes",
    ]
    list_filter = ["intake_period", "centre"]
    list_select_related = ["programme", "centre", "intake_period"]


class PriceInline(RegionAdminInline):
    """The agreement's price list: one price per programme, per vp or per full-time week."""

    model = Price
    extra = 1

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "programme" and not request.user.is_superuser:
            kwargs["queryset"] = Programme.objects.for_region(request.region)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Agreement, site=admin_site)
class AgreementAdmin(RegionScopedAdmin):
    list_display = ["name", "valid_from", "valid_until", "early_stop_rule"]
    filter_horizontal = ["parties"]
    inlines = [PriceInline]


class GrantRateInline(RegionAdminInline):
    model = GrantRate
    extra = 0


@admin.register(GrantYear, site=admin_site)
class GrantYearAdmin(RegionScopedAdmin):
    """Skolverket's decision for a year and sector. The commitments and the rectors' allocation
    are decision records made on the allocation page; here they are only shown."""

    list_display = [
        "year",
        "sector",
        "granted_places",
        "granted_amount",
        "cofinancing_municipal",
        "cofinancing_state",
        "decision_reference",
    ]
    list_filter = ["sector"]
    inlines = [GrantRateInline]


class DecisionRecordAdmin(RegionScopedAdmin):
    """Decision records (who, when, why) are added on the allocation page, never edited or
    deleted: the admin only shows them."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(CofinancingCommitment, site=admin_site)
class CofinancingCommitmentAdmin(DecisionRecordAdmin):
    list_display = ["grant_year", "municipality", "places", "decided_by", "decided_at", "reason"]
    list_filter = ["grant_year"]
    list_select_related = ["grant_year", "municipality", "decided_by"]
    search_fields = ["municipality__name", "municipality__code"]


class AllocationLineInline(RegionAdminInline):
    model = AllocationLine
    extra = 0
    fields = ["offering", "seats"]
    readonly_fields = ["offering", "seats"]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Allocation, site=admin_site)
class AllocationAdmin(DecisionRecordAdmin):
    list_display = ["grant_year", "version", "based_on_version", "decided_by", "decided_at"]
    list_filter = ["grant_year"]
    list_select_related = ["grant_year", "decided_by"]
    inlines = [AllocationLineInline]
