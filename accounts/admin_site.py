"""The Django admin, opened to region admins and scoped to their region.

Login goes through allauth (and so through MFA); a model admin shows and writes only rows of
the request's region unless the user is an installation operator (superuser).
"""

from urllib.parse import urlencode

from django.contrib import admin
from django.contrib.admin.utils import get_fields_from_path
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _

from accounts.models import Role
from accounts.services import audit_record


def is_region_admin(request) -> bool:
    membership = getattr(request, "membership", None)
    return membership is not None and membership.role == Role.REGION_ADMIN


class RegionAdminSite(admin.AdminSite):
    site_header = _("Yrkesporten administration")
    site_title = _("Yrkesporten")
    index_title = _("Region administration")

    def has_permission(self, request):
        user = request.user
        return user.is_active and (user.is_superuser or is_region_admin(request))

    @login_not_required
    def login(self, request, extra_context=None):
        next_url = request.GET.get("next") or reverse("admin:index")
        if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
            next_url = reverse("admin:index")
        if not request.user.is_authenticated:
            return redirect(f"{reverse('account_login')}?{urlencode({'next': next_url})}")
        if self.has_permission(request):
            return redirect(next_url)
        raise PermissionDenied


admin_site = RegionAdminSite(name="admin")


class ProjectModelAdmin(admin.ModelAdmin):
    """Base of every model admin here: every write is audited; a missing row is a 404."""

    def get_object(self, request, object_id, from_field=None):
        # The admin would redirect with "does not exist"; the project's rule is a 404, the same
        # for a missing row and for one of another region.
        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            raise Http404
        return obj

    # The admin writes through its own forms; these hooks put every write in the audit log too.
    def log_addition(self, request, obj, message):
        _audit(request, "admin.add", obj, message)
        return super().log_addition(request, obj, message)

    def log_change(self, request, obj, message):
        _audit(request, "admin.change", obj, message)
        return super().log_change(request, obj, message)

    def log_deletions(self, request, queryset):
        for obj in queryset:
            _audit(request, "admin.delete", obj, [])
        return super().log_deletions(request, queryset)


class SuperuserOnlyAdmin(ProjectModelAdmin):
    """Installation-level rows: only operators (superusers) see them."""

    def get_queryset(self, request):
        # Empty for everyone else, so a row that exists is a 404 like one that does not.
        queryset = super().get_queryset(request)
        return queryset if request.user.is_superuser else queryset.none()

    def has_module_permission(self, request):
        return request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_add_permission(self, request):
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser


class RegionRelatedFieldListFilter(admin.RelatedFieldListFilter):
    """A filter on a related field that offers the request's region's objects only: Django's own
    lists every row of the related table, which would name other regions' programmes, periods
    and companies in the sidebar."""

    def field_choices(self, field, request, model_admin):
        related = field.related_model._default_manager.all()
        if request.user.is_superuser or not hasattr(related, "for_region"):
            return super().field_choices(field, request, model_admin)
        ordering = self.field_admin_ordering(field, request, model_admin)
        related = related.for_region(request.region).order_by(*ordering)
        return [(obj.pk, str(obj)) for obj in related]


class RegionScopedAdmin(ProjectModelAdmin):
    """Rows of the request's region only; new rows get that region; choices stay inside it."""

    def _scoped(self, request) -> bool:
        return not request.user.is_superuser

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if self._scoped(request):
            return queryset.for_region(request.region)
        return queryset

    def get_list_filter(self, request):
        return [self._scoped_filter(entry) for entry in super().get_list_filter(request)]

    def _scoped_filter(self, entry):
        if not isinstance(entry, str):
            return entry
        field = get_fields_from_path(self.model, entry)[-1]
        if field.is_relation:
            return (entry, RegionRelatedFieldListFilter)
        return entry

    def get_exclude(self, request, obj=None):
        exclude = list(super().get_exclude(request, obj) or [])
        if self._scoped(request):
            exclude.append("region")
        return exclude

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        return self._scope_field(db_field, request, super().formfield_for_foreignkey, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        return self._scope_field(db_field, request, super().formfield_for_manytomany, **kwargs)

    def _scope_field(self, db_field, request, make_field, **kwargs):
        related = db_field.related_model._default_manager.all()
        if self._scoped(request) and hasattr(related, "for_region"):
            kwargs["queryset"] = related.for_region(request.region)
        return make_field(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        if self._scoped(request) and not change:
            obj.region = request.region
        super().save_model(request, obj, form, change)

    def has_module_permission(self, request):
        return request.user.is_superuser or is_region_admin(request)

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_add_permission(self, request):
        return self.has_module_permission(request)

    def has_change_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_delete_permission(self, request, obj=None):
        return self.has_module_permission(request)


def _audit(request, action, obj, message):
    membership = getattr(request, "membership", None)
    audit_record(
        acting_user=request.user,
        region=getattr(obj, "region", None) or getattr(request, "region", None),
        action=action,
        target=obj,
        role=membership.role if membership else "",
        data={"message": message} if message else {},
    )
