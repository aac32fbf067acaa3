"""Reading an uploaded file of rows for an import: the steps every import takes before it looks
at a row (size, encoding, delimiter, columns, number of rows), and the one error they raise.

Used by the intake office's import of applications and, from industriradet (a later layer), by
the imports of outcomes and of a cluster's competence needs. `csv_dataset_read` is the whole
reading of a CSV file; an import that reads other formats too (the needs import also reads
XLSX) composes the steps itself. The imports that preview their rows before saving them
(applications, outcomes) share the preview's shape and its refusal.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import tablib
from django.db import transaction
from django.utils.translation import gettext as _
from import_export.formats import base_formats


class ImportFileError(ValueError):
    """The file as a whole cannot be read (type, encoding, columns, size); the message says why."""


@dataclass(frozen=True)
class RefusedRow:
    line: int
    messages: tuple[str, ...]


@dataclass(frozen=True)
class ImportPreview:
    # Each import's own accepted rows (what the row will save, for the preview page).
    accepted: tuple[Any, ...]
    refused: tuple[RefusedRow, ...]
    # Problems not tied to one row (the file could not be processed at all).
    general: tuple[str, ...] = ()

    @property
    def importable(self) -> bool:
        return bool(self.accepted) and not self.refused and not self.general


class ImportRefused(Exception):
    """The import was refused: nothing was saved. `preview` says which rows and why."""

    def __init__(self, preview: ImportPreview):
        super().__init__("The import was refused; nothing was saved.")
        self.preview = preview


def rows_try(resource, dataset: tablib.Dataset):
    """Every row through the resource's checks and saves, inside a transaction that is rolled
    back: what the import would do, with nothing kept (django-import-export's result)."""
    with transaction.atomic():
        result = resource.import_data(
            dataset, dry_run=True, raise_errors=False, use_transactions=True
        )
        transaction.set_rollback(True)
    return result


def rows_save(resource, dataset: tablib.Dataset):
    """Every row through the resource's checks and saves, for keeps; the caller's transaction
    undoes them all when the result has a refused or failed row."""
    return resource.import_data(
        dataset,
        dry_run=False,
        raise_errors=False,
        use_transactions=True,
        rollback_on_validation_errors=True,
    )


def preview_of(result, accepted: Iterable[Any]) -> ImportPreview:
    """The import result as the preview page shows it. Unexpected errors are reported without
    their text, which could carry data of the row."""
    refused = [
        RefusedRow(line=invalid.number + 1, messages=tuple(invalid.error.messages))
        for invalid in result.invalid_rows
    ]
    refused += [
        RefusedRow(line=error_row.number + 1, messages=(_("The row could not be saved."),))
        for error_row in result.error_rows
    ]
    general = (_("The file could not be processed."),) if result.base_errors else ()
    return ImportPreview(
        accepted=tuple(accepted),
        refused=tuple(sorted(refused, key=lambda r: r.line)),
        general=general,
    )


def cell_text(value) -> str:
    """A cell as text: a spreadsheet's 7212.0 or 1780 (numbers) reads as "7212" and "1780"."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def size_check(content: bytes, *, max_bytes: int) -> None:
    if len(content) > max_bytes:
        raise ImportFileError(
            _("The file is too large (at most %(size)s MB).") % {"size": max_bytes // (1024 * 1024)}
        )


def csv_dataset_parse(content: bytes, *, not_csv_message: str | None = None) -> tablib.Dataset:
    """The rows of a CSV file as they are: UTF-8 with or without a byte order mark (or the
    Windows encoding older Swedish Excel saves in), separated by ";" or ",". A NUL character
    means it is not text at all: `not_csv_message` says so (by default "not a CSV file")."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = content.decode("cp1252", errors="replace")
    if "\x00" in text:
        raise ImportFileError(not_csv_message or _("The file is not a CSV file."))
    header = text.split("\n", 1)[0]
    delimiter = ";" if header.count(";") >= header.count(",") else ","
    try:
        return base_formats.CSV().create_dataset(text, delimiter=delimiter)
    except (csv.Error, tablib.InvalidDimensions) as error:
        raise ImportFileError(
            _("The file could not be read as CSV: a row has more cells than the header.")
        ) from error


def columns_check(
    dataset: tablib.Dataset, *, required_columns: Iterable[str], known_columns: Iterable[str]
) -> None:
    """Puts the header names in lower case; every required column is there, and no other than
    the known ones (an empty header cell is allowed)."""
    headers = [cell_text(name).lower() for name in dataset.headers or []]
    missing = [name for name in required_columns if name not in headers]
    if missing:
        raise ImportFileError(
            _("The file lacks the column(s) %(columns)s.") % {"columns": ", ".join(missing)}
        )
    known = set(known_columns)
    unknown = [name for name in headers if name and name not in known]
    if unknown:
        raise ImportFileError(
            _("The file has unknown column(s) %(columns)s.") % {"columns": ", ".join(unknown)}
        )
    dataset.headers = headers


def row_count_check(dataset: tablib.Dataset, *, max_rows: int) -> None:
    if not len(dataset):
        raise ImportFileError(_("The file has no rows under its header."))
    if len(dataset) > max_rows:
        raise ImportFileError(
            _("The file has %(rows)s rows; import at most %(max)s at a time.")
            % {"rows": len(dataset), "max": max_rows}
        )


def csv_dataset_read(
    content: bytes,
    *,
    required_columns: Iterable[str],
    known_columns: Iterable[str],
    max_bytes: int,
    max_rows: int,
) -> tablib.Dataset:
    """The rows of an uploaded CSV file, with the header names in lower case, or ImportFileError
    saying why the file as a whole cannot be imported."""
    size_check(content, max_bytes=max_bytes)
    dataset = csv_dataset_parse(content)
    columns_check(dataset, required_columns=required_columns, known_columns=known_columns)
    row_count_check(dataset, max_rows=max_rows)
    return dataset
