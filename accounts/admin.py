from django.contrib import admin

from accounts.admin_site import RegionScopedAdmin, SuperuserOnlyAdmin, admin_site
from accounts.models import AuditEntry, Membership, Region, RegionHost, User


class RegionHostInline(admin.TabularInline):
    model = RegionHost
    extra = 1


@admin.register(Region, site=admin_site)
class RegionAdmin(SuperuserOnlyAdmin):
    list_display = ["name", "slug", "language", "max_choices", "tie_break"]
    inlines = [RegionHostInline]


@admin.register(User, site=admin_site)
class UserAdmin(SuperuserOnlyAdmin):
    list_display = ["email", "full_name", "is_active", "is_superuser", "date_joined"]
    search_fields = ["email", "full_name"]
    exclude = ["password", "user_permissions", "groups"]


@admin.register(Membership, site=admin_site)
class MembershipAdmin(RegionScopedAdmin):
    list_display = [
        "user",
        "role",
        "scope_municipality",
        "scope_centre",
        "handles_protected_identity",
    ]
    list_filter = ["role"]
    search_fields = ["user__email", "user__full_name"]
    raw_id_fields = ["user"]


@admin.register(AuditEntry, site=admin_site)
class AuditEntryAdmin(RegionScopedAdmin):
    list_display = ["at", "user_email", "role", "action", "object_type", "object_repr"]
    list_filter = ["action"]
    search_fields = ["user_email", "object_repr", "action"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
