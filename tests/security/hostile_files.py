"""Hostile files for the upload and import fuzzing: each strategy draws files that must be
refused, built from a real file (tests/sample_files.py) so they pass the first-bytes check and
reach the deeper ones."""

from __future__ import annotations

import io
import zipfile
from functools import cache

from hypothesis import strategies as st

from tests.sample_files import JPEG, PDF, PNG, image_bytes, pdf_bytes

ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 56
PE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 48 + b"PE\x00\x00"
HTML = b"<!DOCTYPE html><html><script>alert(document.cookie)</script></html>"


@cache
def zip_bomb(kind: str = "xlsx", unpacked_mb: int = 120) -> bytes:
    """An office file (a zip archive with the parts Word or Excel writes) whose one member
    unpacks to `unpacked_mb` megabytes of zeros from a few hundred kilobytes."""
    buffer = io.BytesIO()
    member = "xl/worksheets/sheet1.xml" if kind == "xlsx" else "word/document.xml"
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        with archive.open(member, "w", force_zip64=True) as part:
            chunk = b"\x00" * (1024 * 1024)
            for _ in range(unpacked_mb):
                part.write(chunk)
    return buffer.getvalue()


# Scripts and other active content, in the places a PDF may carry them.
_JS = b"<< /S /JavaScript /JS (app.alert\\(1\\)) >>"
ACTIVE_PDFS = (
    pdf_bytes(catalog_extra=b"/OpenAction 3 0 R", objects=(_JS,)),
    pdf_bytes(catalog_extra=b"/OpenAction << /S /JavaScript /JS (this.exportDataObject) >>"),
    pdf_bytes(catalog_extra=b"/Names << /JavaScript 3 0 R >>", objects=(b"<< /Names [] >>",)),
    # The same names written with #xx escapes, which readers decode.
    pdf_bytes(catalog_extra=b"/OpenAction << /S /J#61vaScript /J#53 (app.alert(1)) >>"),
    pdf_bytes(catalog_extra=b"/AA << /WC << /S /Launch /F (cmd.exe) >> >>"),
    pdf_bytes(
        catalog_extra=b"/Names << /EmbeddedFiles 3 0 R >>",
        objects=(b"<< /Names [(a.exe) << /Type /Filespec /F (a.exe) >>] >>",),
    ),
    pdf_bytes(catalog_extra=b"/AcroForm << /XFA 3 0 R >>", objects=(b"<< >>",)),
    pdf_bytes(catalog_extra=b"/OpenAction << /S /SubmitForm /F (http://x.test) >>"),
)


def _truncations(content: bytes):
    return st.integers(min_value=1, max_value=len(content) - 1).map(lambda n: content[:n])


def renamed_executables():
    return st.sampled_from([ELF, PE, HTML]).flatmap(
        lambda head: st.binary(max_size=512).map(lambda tail: head + tail)
    )


def truncated_files():
    return st.one_of(
        # A PDF cut anywhere before its end-of-file marker.
        _truncations(PDF[: PDF.rfind(b"%%EOF")]),
        _truncations(PNG),
        # A JPEG cut before its last bytes (the end-of-image marker and what precedes it).
        st.integers(min_value=3, max_value=len(JPEG) - 20).map(lambda n: JPEG[:n]),
    )


def polyglots():
    """A real file with another one behind its end, or a PDF header on something else."""
    behind = st.sampled_from([zip_bomb("docx", 1), HTML * 20, PE + b"\x00" * 2048])
    return st.one_of(
        behind.map(lambda other: PDF + other),
        behind.map(lambda other: PNG + other),
        st.sampled_from([HTML, PE, ELF]).map(lambda other: b"%PDF-1.7\n" + other),
        st.binary(min_size=1, max_size=256).map(lambda junk: b"\xff\xd8\xff" + junk),
    )


def huge_page_counts():
    return st.integers(min_value=201, max_value=400).map(lambda pages: pdf_bytes(pages=pages))


def office_zip_bombs():
    return st.sampled_from([zip_bomb("xlsx"), zip_bomb("docx")])


def random_bytes():
    """Random bytes, alone or behind each accepted format's first bytes."""
    heads = st.sampled_from([b"", b"%PDF-", b"%PDF-1.4\n", b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff"])
    return st.tuples(heads, st.binary(min_size=1, max_size=2048)).map(b"".join)


def hostile_documents():
    return st.one_of(
        renamed_executables(),
        truncated_files(),
        polyglots(),
        st.sampled_from(ACTIVE_PDFS),
        huge_page_counts(),
        office_zip_bombs(),
        random_bytes(),
    )


def oversized_image() -> bytes:
    # 9000 x 9000 = 81 megapixels, a few hundred kilobytes as PNG.
    return image_bytes("PNG", (9000, 9000))
