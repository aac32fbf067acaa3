"""Small real files for upload tests, built byte by byte so they are the same on every run: a
PDF with a correct cross-reference table, and PNG and JPEG images made by Pillow."""

from __future__ import annotations

import io


def pdf_bytes(
    *, pages: int = 1, catalog_extra: bytes = b"", objects: tuple[bytes, ...] = ()
) -> bytes:
    """A PDF of `pages` blank A4 pages. `catalog_extra` is written into the catalog dictionary
    and `objects` become objects 3, 4 ... (pages follow them), so a test can add an
    /OpenAction, a name tree or anything else a hostile file would carry."""
    first_page = 3 + len(objects)
    kids = b" ".join(b"%d 0 R" % (first_page + n) for n in range(pages))
    bodies = [
        b"<< /Type /Catalog /Pages 2 0 R " + catalog_extra + b" >>",
        b"<< /Type /Pages /Kids [" + kids + b"] /Count %d >>" % pages,
        *objects,
        *([b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>"] * pages),
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(bodies, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(bodies) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(bodies) + 1,
        xref,
    )
    return bytes(out)


def image_bytes(kind: str = "PNG", size: tuple[int, int] = (4, 4)) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, format=kind)
    return buffer.getvalue()


PDF = pdf_bytes()
PNG = image_bytes("PNG")
JPEG = image_bytes("JPEG")
