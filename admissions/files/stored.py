"""Private files and the rows that name them: a file is never left behind without its row."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging

from django.apps import apps
from django.core.files.storage import default_storage
from django.db import models, transaction
from django.utils import timezone

logger = logging.getLogger(__name__)


def sha256_of_upload(file) -> str:
    """The SHA-256 of an uploaded file, read in chunks; the file is rewound for storing."""
    digest = hashlib.sha256()
    for chunk in file.chunks():
        digest.update(chunk)
    file.seek(0)
    return digest.hexdigest()


def save_with_file(row, field: str, name: str, content, **save_options) -> None:
    """Store `content` in the row's file field, then save the row in a savepoint. If the save
    fails, the stored file is removed, so no file is left that no row names, and the error goes
    on to the caller."""
    stored = getattr(row, field)
    # The stored name comes from the field's upload_to (random); `name` is only a fallback.
    stored.save(name, content, save=False)
    try:
        with transaction.atomic():
            row.save(**save_options)
    except BaseException:
        stored.delete(save=False)
        raise


# A stored file whose row is not yet committed is at most one task (CELERY_TASK_TIME_LIMIT) or
# one request old; files younger than this are never taken for orphans.
ORPHAN_GRACE = dt.timedelta(hours=6)


def _named_files() -> set[str]:
    """Every file name a row of any model names (all FileFields of all installed apps)."""
    names: set[str] = set()
    for model in apps.get_models():
        for field in model._meta.get_fields():
            if isinstance(field, models.FileField) and field.concrete:
                names.update(
                    model._base_manager.exclude(**{field.name: ""})
                    .values_list(field.name, flat=True)
                    .iterator()
                )
    return names


def _walk(storage, folder: str = ""):
    directories, files = storage.listdir(folder)
    for name in files:
        yield f"{folder}/{name}" if folder else name
    for directory in directories:
        yield from _walk(storage, f"{folder}/{directory}" if folder else directory)


def orphans_remove(*, older_than: dt.timedelta = ORPHAN_GRACE, storage=None) -> list[str]:
    """Delete the private files that no row names and that are older than `older_than`: what a
    process killed between storing a file and committing its row left (whole or half written),
    or a file whose row was deleted while the deleting process died before removing it. Returns
    the names removed; logs how many, never which (names are random, but say nothing useful)."""
    storage = storage or default_storage
    if not storage.exists(""):
        return []
    named = _named_files()
    cutoff = timezone.now() - older_than
    removed = []
    for name in _walk(storage):
        if name in named or storage.get_modified_time(name) > cutoff:
            continue
        storage.delete(name)
        removed.append(name)
    if removed:
        logger.warning("removed %d private files that no row named", len(removed))
    return removed
