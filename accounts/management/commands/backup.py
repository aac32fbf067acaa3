from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from accounts import backup


class Command(BaseCommand):
    help = (
        "Back up the database (pg_dump, custom format) and the private media (a tar) into a new "
        "or empty folder, with manifest.json listing every file's SHA-256."
    )

    def add_arguments(self, parser):
        parser.add_argument("folder", type=Path)

    def handle(self, *args, folder: Path, **options):
        try:
            manifest = backup.backup(folder)
        except backup.BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"backup written to {folder}: database {manifest['database']['sha256'][:12]}, "
            f"{len(manifest['media']['files'])} private files"
        )
