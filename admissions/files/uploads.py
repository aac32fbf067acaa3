"""Checks on uploaded files: what a file is comes from its first bytes, never from its name or
the browser's claimed type, and its size is limited by settings.UPLOAD_MAX_BYTES.

Beyond the first bytes, the whole file must be what it says, because staff open it (a PDF
inline in the browser, every file in their own programs): a PDF must parse, have its pages
within settings.UPLOAD_PDF_MAX_PAGES, open without a password, and carry no script, launch
action or embedded file; an image must decode, within settings.UPLOAD_IMAGE_MAX_PIXELS; and
neither may carry another file behind its end (a polyglot). Every refusal is a ValidationError
with a message for the applicant, never another exception: the forms show it next to the field.
"""

from __future__ import annotations

import io
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
# Control characters, what file systems refuse, markup, and the bidirectional controls that
# would show "cv\u202efdp.exe" as "cvexe.pdf" turned round (a spoofed extension).
_UNSAFE = re.compile(r"[\x00-\x1f\x7f\"\\/:*?<>|\u200e\u200f\u202a-\u202e\u2066-\u2069]")
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


def pdf_max_pages() -> int:
    return getattr(settings, "UPLOAD_PDF_MAX_PAGES", 200)


def image_max_pixels() -> int:
    # Below Pillow's own warning limit (89 Mpx), above any phone camera or A4 scan at 600 dpi.
    return getattr(settings, "UPLOAD_IMAGE_MAX_PIXELS", 80_000_000)


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
    # At most UPLOAD_MAX_BYTES (checked above), so reading it whole is bounded.
    content = file.read()
    file.seek(0)
    if content_type == "application/pdf":
        _check_pdf(content)
    else:
        _check_image(content, content_type)
    return content_type


def _damaged() -> ValidationError:
    return ValidationError(
        _(
            "This file is damaged or incomplete and cannot be opened. Save or scan the "
            "document again and upload the new file."
        ),
        code="damaged",
    )


def _hidden_data() -> ValidationError:
    return ValidationError(
        _(
            "This file has other data hidden after its end. Save or scan the document again "
            "and upload the new file."
        ),
        code="hidden_data",
    )


def _active_content() -> ValidationError:
    return ValidationError(
        _(
            "This PDF file contains scripts, embedded files or other active content, which "
            "we do not accept. Print it to a new PDF or scan it, and upload that file."
        ),
        code="active_content",
    )


# Names that make a PDF do something when opened or clicked (scripts, launching programs,
# sending form data, multimedia) or carry another file inside it. Links (/URI) and the usual
# /OpenAction that only sets the first page shown are harmless and allowed.
ACTIVE_PDF_KEYS = frozenset(
    {"/JS", "/JavaScript", "/Launch", "/EmbeddedFile", "/EmbeddedFiles", "/RichMedia", "/XFA"}
)
ACTIVE_PDF_ACTIONS = frozenset(
    {
        "/JavaScript",
        "/Launch",
        "/SubmitForm",
        "/ImportData",
        "/GoToE",
        "/GoToR",
        "/RichMediaExecute",
        "/Rendition",
    }
)
# The names anywhere in the raw bytes (#xx escapes decoded): a script in an object nothing
# points to is still refused.
_PDF_NAME = re.compile(rb"/((?:[A-Za-z0-9_.\-]|#[0-9A-Fa-f]{2})+)")
_PDF_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
# More objects than this in one upload is not a document someone scanned or saved.
PDF_MAX_OBJECTS = 200_000
# After the last %%EOF only whitespace and NUL padding (what sloppy writers leave): anything
# else is a second file riding on the PDF, however few of its bytes are not zeros.
_PDF_PADDING = b" \t\r\n\x00\x0c"


# Stream data is left out of the raw search: a scanned page's image bytes hold "/JS" by chance.
_PDF_STREAM = re.compile(rb"stream\r?\n.*?endstream", re.DOTALL)


def _raw_pdf_names(content: bytes) -> set[str]:
    names = set()
    for match in _PDF_NAME.finditer(_PDF_STREAM.sub(b" ", content)):
        name = _PDF_ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), match.group(1))
        names.add("/" + name.decode("latin-1"))
    return names


def _check_pdf(content: bytes) -> None:
    from pypdf import PdfReader
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

    if _raw_pdf_names(content) & (ACTIVE_PDF_KEYS | ACTIVE_PDF_ACTIONS):
        raise _active_content()
    end = content.rfind(b"%%EOF")
    if end == -1:
        raise _damaged()
    if content[end + 5 :].strip(_PDF_PADDING):
        raise _hidden_data()
    try:
        reader = PdfReader(io.BytesIO(content), strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            raise ValidationError(
                _(
                    "This PDF file is protected by a password. Save it without a password and "
                    "upload it again."
                ),
                code="encrypted",
            )
        pages = len(reader.pages)
        if pages > pdf_max_pages():
            raise ValidationError(
                _(
                    "This PDF file has %(pages)s pages; a document may have at most %(max)s. "
                    "Upload only the pages that matter."
                )
                % {"pages": pages, "max": pdf_max_pages()},
                code="too_many_pages",
            )
        if pages == 0:
            raise _damaged()
        # Every object reachable from the trailer, so that objects inside compressed object
        # streams (invisible to the raw search above) are looked at too.
        seen: set[tuple[int, int]] = set()
        todo: list = [reader.trailer]
        visited = 0
        while todo:
            node = todo.pop()
            visited += 1
            if visited > PDF_MAX_OBJECTS:
                raise _damaged()
            if isinstance(node, IndirectObject):
                key = (node.idnum, node.generation)
                if key in seen:
                    continue
                seen.add(key)
                todo.append(node.get_object())
            elif isinstance(node, DictionaryObject):
                if ACTIVE_PDF_KEYS & set(node.keys()):
                    raise _active_content()
                action = node.get("/S")
                if isinstance(action, NameObject) and action in ACTIVE_PDF_ACTIONS:
                    raise _active_content()
                todo.extend(node.values())
            elif isinstance(node, ArrayObject):
                todo.extend(node)
    except ValidationError:
        raise
    # A parser of hostile input can fail in any way (pypdf raises its own errors, but also
    # KeyError, TypeError, RecursionError... on crafted files): every failure means the file
    # cannot be read, and the applicant is told so; nothing carries on with the file.
    except Exception as error:
        raise _damaged() from error


_PNG_END = b"IEND\xaeB`\x82"


def _too_many_pixels() -> ValidationError:
    return ValidationError(
        _("This image has too many pixels. Save it at a smaller size and upload it again."),
        code="too_many_pixels",
    )


def _check_image(content: bytes, content_type: str) -> None:
    from PIL import Image

    try:
        with Image.open(io.BytesIO(content)) as image:
            width, height = image.size
            if width * height > image_max_pixels():
                raise _too_many_pixels()
            if content_type == "image/png":
                # Reads every chunk to the end and checks their checksums, without decoding.
                image.verify()
            else:
                # Decodes the whole JPEG, at an eighth of its size to keep memory small: a
                # truncated or corrupt file fails here.
                image.draft("RGB", (max(1, width // 8), max(1, height // 8)))
                image.load()
    except ValidationError:
        raise
    except Image.DecompressionBombError as error:
        raise _too_many_pixels() from error
    # As for PDFs: whatever Pillow raises on a crafted image (OSError, SyntaxError,
    # DecompressionBombError, ValueError...) means the image cannot be opened.
    except Exception as error:
        raise _damaged() from error
    if content_type == "image/png":
        end = content.find(_PNG_END)
        if end == -1:
            raise _damaged()
        if len(content[end + len(_PNG_END) :].strip(b"\x00")) > 0:
            raise _hidden_data()


def masked_name(name: str, content_type: str) -> str:
    """The uploaded name to show people: no path, no control characters, digit runs of six or
    more masked, and the extension of what the file really is."""
    base = re.split(r"[\\/]", name or "")[-1]
    base = _UNSAFE.sub("_", base).strip(" .") or "document"
    base = _DIGIT_RUN.sub(lambda match: "*" * len(match.group()), base)
    stem = base.rsplit(".", 1)[0] if "." in base else base
    extension = EXTENSIONS[content_type]
    return f"{stem[: NAME_MAX - len(extension)]}{extension}"
