"""The one place where tenant scoping is defined.

Every tenant-owned model's queryset offers `for_region(region)` and `visible_to(membership)`.
Views fetch objects only through these, so an object of another region, or outside the role's
scope, is a 404 exactly like a missing one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models
from django.http import Http404

if TYPE_CHECKING:
    from accounts.models import Membership, Region


class RegionQuerySet(models.QuerySet):
    # The lookup from this model to its Region; a child model overrides it ("offering__region").
    region_path = "region"

    def for_region(self, region: Region | None):
        if region is None:
            return self.none()
        return self.filter(**{self.region_path: region})

    def visible_to(self, membership: Membership | None):
        """What a membership may see. By default: everything of its region."""
        if membership is None:
            return self.none()
        return self.for_region(membership.region)


def get_scoped_or_404(queryset: models.QuerySet, **lookup):
    """Fetch one row from an already scoped queryset; outside the scope is the same as missing."""
    try:
        return queryset.get(**lookup)
    except (queryset.model.DoesNotExist, ValueError, TypeError) as error:
        raise Http404 from error
