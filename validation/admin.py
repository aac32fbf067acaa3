from django.contrib import admin

from accounts.admin_site import RegionScopedAdmin, admin_site
from validation.models import (
    Appointment,
    AreaResult,
    CaseArea,
    CompetenceArea,
    CompetenceStandard,
    ValidationCase,
    ValidationCentre,
)
from yrkescenter.models import Course


@admin.register(ValidationCentre, site=admin_site)
class ValidationCentreAdmin(RegionScopedAdmin):
    list_display = ["name", "host_municipality", "email"]
    list_select_related = ["host_municipality"]


class CompetenceAreaInline(admin.StackedInline):
    model = CompetenceArea
    extra = 1
    fields = ["position", "code", "name", "name_en", "method", "courses"]

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        # The courses an area can replace are the region's own.
        if db_field.name == "courses" and not request.user.is_superuser:
            kwargs["queryset"] = Course.objects.for_region(request.region)
        return super().formfield_for_manytomany(db_field, request, **kwargs)


@admin.register(CompetenceStandard, site=admin_site)
class CompetenceStandardAdmin(RegionScopedAdmin):
    list_display = ["name", "code", "branch", "owner", "four_eyes"]
    list_filter = ["four_eyes", "branch"]
    search_fields = ["name", "code", "owner"]
    inlines = [CompetenceAreaInline]


class ReadOnlyInline(admin.TabularInline):
    extra = 0

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class CaseAreaInline(ReadOnlyInline):
    model = CaseArea
    fields = readonly_fields = ["area", "mapping_note"]


class AppointmentInline(ReadOnlyInline):
    model = Appointment
    fields = readonly_fields = [
        "starts_at",
        "ends_at",
        "place",
        "method",
        "assessor",
        "cancelled_at",
    ]


class AreaResultInline(ReadOnlyInline):
    model = AreaResult
    fk_name = "case"
    fields = readonly_fields = [
        "area",
        "outcome",
        "method",
        "assessor",
        "decided_at",
        "replaces",
        "correction_reason",
    ]


@admin.register(ValidationCase, site=admin_site)
class ValidationCaseAdmin(RegionScopedAdmin):
    """Cases are run on the centre's own pages, where every step is a service with its rules
    and its audit entry; the admin only shows them (without the identity number)."""

    list_display = ["reference", "standard", "source", "status", "requested_at", "decided_at"]
    list_filter = ["status", "source", "standard"]
    list_select_related = ["standard"]
    search_fields = ["reference"]
    exclude = ["personnummer"]
    inlines = [CaseAreaInline, AppointmentInline, AreaResultInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
