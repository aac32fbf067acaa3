"""Role checks for views. Tenancy (which rows) is the querysets' job; this is which pages."""

from functools import wraps

from django.core.exceptions import PermissionDenied

from accounts.models import Role


def role_required(*roles: Role):
    """The acting membership in this region must have one of the roles, else 403."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            membership = getattr(request, "membership", None)
            if membership is None or membership.role not in roles:
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapper.allowed_roles = frozenset(roles)
        return wrapper

    return decorator
