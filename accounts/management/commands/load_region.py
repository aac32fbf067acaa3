"""python manage.py load_region varmland   (or a path to a region file)

Checks the file against regions/region.schema.json and the cross-field rules first, and lists
every problem with its path (nothing is loaded then). Loads regions/<name>.json: the region from
the accounts section, and every other section through
the app that owns it. Safe to run again: unchanged data changes nothing.
"""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import IntegrityError

from accounts.models import AuditEntry
from accounts.region_files import (
    RegionDataError,
    RegionFileInvalid,
    region_file_path,
    region_file_read,
    validation_message,
)
from accounts.services import region_load


class Command(BaseCommand):
    help = "Load or update a region's reference data from regions/<name>.json or a given path."

    def add_arguments(self, parser):
        parser.add_argument("region", help="A region file name (varmland) or a path to a file")

    def handle(self, *args, region: str, **options):
        path = region_file_path(region)
        last_entry = AuditEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        try:
            result = region_load(acting_user=None, data=region_file_read(region))
        except RegionFileInvalid as error:
            count = len(error.problems)
            listed = "\n".join(f"  {problem}" for problem in error.problems)
            raise CommandError(
                f"{path}: {count} problem{'s' if count != 1 else ''}, nothing was loaded:\n{listed}"
            ) from error
        except RegionDataError as error:
            raise CommandError(f"{path}: {error}") from error
        except ValidationError as error:
            raise CommandError(f"{path}: {validation_message(error)}") from error
        except IntegrityError as error:
            raise CommandError(f"{path}: the database refused the data: {error}") from error
        self.stdout.write(self._summary(result, last_entry))

    def _summary(self, result, last_entry: int) -> str:
        region = result.region
        if not result.total:
            return f"{region.name} ({region.slug}) is up to date: nothing changed."
        entries = AuditEntry.objects.filter(pk__gt=last_entry, region=region).exclude(
            action="region.load"
        )
        created: dict[str, int] = {}
        changed: dict[str, int] = {}
        for action, data in entries.order_by("pk").values_list("action", "data"):
            kind = action.split(".")[0]
            counts = created if data.get("created") else changed
            counts[kind] = counts.get(kind, 0) + 1
        verb = "Created" if result.region_created else "Updated"
        lines = [f"{verb} {region.name} ({region.slug}):"]
        for label, counts in (("created", created), ("changed", changed)):
            if counts:
                listed = ", ".join(f"{kind.replace('_', ' ')} {n}" for kind, n in counts.items())
                lines.append(f"  {label}: {listed}")
        per_section = ", ".join(f"{label} {n}" for label, n in result.changes.items())
        lines.append(f"  rows created or changed per section: {per_section}")
        return "\n".join(lines)
