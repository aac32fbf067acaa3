from django.contrib import admin

from accounts.admin_site import RegionScopedAdmin, admin_site
from yrkescenter.models import (
    Agreement,
    Course,
    IntakeOffice,
    IntakePeriod,
    Municipality,
    Offering,
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


class ProgrammeCourseInline(admin.TabularInline):
    model = ProgrammeCourse
    extra = 1

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "course" and not request.user.is_superuser:
            kwargs["queryset"] = Course.objects.for_region(request.region)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Programme, site=admin_site)
class ProgrammeAdmin(RegionScopedAdmin):
    list_display = ["name", "code", "vp", "grant_category", "ssyk_code", "occupation"]
    list_filter = ["grant_category"]
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


@admin.register(Agreement, site=admin_site)
class AgreementAdmin(RegionScopedAdmin):
    list_display = ["name", "valid_from", "valid_until"]
    filter_horizontal = ["parties"]
