"""Private files and the rows that name them: a file is never left behind without its row."""

from __future__ import annotations

import hashlib

from django.db import transaction


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
