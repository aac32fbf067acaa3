from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from accounts import backup


class Command(BaseCommand):
    help = (
        "Restore a backup made by `backup` into an EMPTY database (DATABASE_URL) and an empty "
        "private media folder (PRIVATE_MEDIA_ROOT); every file is checked against its SHA-256."
    )

    def add_arguments(self, parser):
        parser.add_argument("folder", type=Path)

    def handle(self, *args, folder: Path, **options):
        try:
            manifest = backup.restore(folder)
        except backup.BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"restored {folder}: database and {len(manifest['media']['files'])} private files, "
            "all matching their SHA-256"
        )
