"""Checks on uploaded files: what a file is comes from its first bytes, never from its name or
the browser's claimed type, and its size is limited by settings.UPLOAD_MAX_BYTES."""

from __future__ import annotations

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

# Magic numbers of the only formats we accept: enough for the intake office to open every file
# in a browser, and none of them executable.
SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "application/pdf"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
)
EXTENSIONS = {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}
_HEAD_BYTES = max(len(signature) for signature, _type in SIGNATURES)
# A run this long may be (part of) an identity number, which must not survive in a file name.
_DIGIT_RUN = re.compile(r"\d{6,}")
_UNSAFE = re.compile(r"[\x00-\x1f\x7f\"\\/:*?<>|]")
NAME_MAX = 200


def sniff(head: bytes) -> str | None:
    """The content type the bytes start with, or None when it is not one we accept."""
    for signature, content_type in SIGNATURES:
        if head.startswith(signature):
            return content_type
    return None


def max_bytes() -> int:
    # Read per call, not at import, so a deployment (or a test) can change the limit.
    return settings.UPLOAD_MAX_BYTES


def check_upload(file) -> str:
    """The file's content type, or a ValidationError telling the person what to do instead."""
    limit = max_bytes()
    if file.size > limit:
        raise ValidationError(
            _("The file is too large (%(size)s). Each file may be at most %(limit)s.")
            % {"size": filesizeformat(file.size), "limit": filesizeformat(limit)},
            code="too_large",
        )
    if file.size == 0:
        raise ValidationError(_("The file is empty."), code="empty")
    file.seek(0)
    head = file.read(_HEAD_BYTES)
    file.seek(0)
    content_type = sniff(head)
    if content_type is None:
        raise ValidationError(
            _(
                "This file is not a PDF, JPEG or PNG file. Save or scan the document as one "
                "of these and upload it again."
            ),
            code="bad_type",
        )
    return content_type


def masked_name(name: str, content_type: str) -> str:
    """The uploaded name to show people: no path, no control characters, digit runs of six or
    more masked, and the extension of what the file really is."""
    base = re.split(r"[\\/]", name or "")[-1]
    base = _UNSAFE.sub("_", base).strip(" .") or "document"
    base = _DIGIT_RUN.sub(lambda match: "*" * len(match.group()), base)
    stem = base.rsplit(".", 1)[0] if "." in base else base
    extension = EXTENSIONS[content_type]
    return f"{stem[: NAME_MAX - len(extension)]}{extension}"
