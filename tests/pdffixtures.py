"""A tiny PDF writer for tests: pages of Helvetica lines, optional full-page image and outline.

Hand-written bytes keep the fixtures deterministic and small, and let a test state exactly what
the text layer holds (line breaks, hyphens, headers), which no real document guarantees.
"""

from __future__ import annotations

from dataclasses import dataclass, field

PAGE_W, PAGE_H = 595, 842


@dataclass
class Page:
    #: Lines from top to bottom; "" leaves an empty line (a larger gap, a paragraph break).
    lines: list[str] = field(default_factory=list)
    #: Lines placed at the very top / bottom of the page (running header, footer, page number).
    header: list[str] = field(default_factory=list)
    footer: list[str] = field(default_factory=list)
    #: Paint a grey image over the whole page (a "scan").
    image: bool = False


def _escape(text: str) -> bytes:
    raw = text.encode("cp1252")
    return raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")


def _content(page: Page) -> bytes:
    ops: list[bytes] = []
    if page.image:
        ops.append(b"q %d 0 0 %d 0 0 cm /Im1 Do Q" % (PAGE_W, PAGE_H))

    def block(lines: list[str], y: int) -> None:
        ops.append(b"BT /F1 11 Tf 14 TL 60 %d Td" % y)
        for i, line in enumerate(lines):
            if i:
                ops.append(b"T*")
            if line:
                ops.append(b"(" + _escape(line) + b") Tj")
        ops.append(b"ET")

    if page.header:
        block(page.header, PAGE_H - 40)
    if page.lines:
        block(page.lines, PAGE_H - 100)
    if page.footer:
        block(page.footer, 40)
    return b"\n".join(ops)


def make_pdf(
    pages: list[Page],
    *,
    title: str | None = None,
    outline: list[tuple[str, int]] = (),
    info: dict[str, str] | None = None,
) -> bytes:
    """A valid PDF with the given pages; ``outline`` is ``[(title, 0-based page index)]``; ``info``
    adds document-information entries (``{"CreationDate": "D:20191015144825+02'00'"}``)."""
    objects: list[bytes] = []

    def add(body: bytes) -> int:
        objects.append(body)
        return len(objects)

    catalog = add(b"")  # filled below
    pages_obj = add(b"")
    font = add(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
    pixels = bytes([200, 180, 190, 170])
    image = add(
        b"<< /Type /XObject /Subtype /Image /Width 2 /Height 2 /ColorSpace /DeviceGray "
        b"/BitsPerComponent 8 /Length %d >>\nstream\n" % len(pixels) + pixels + b"\nendstream"
    )
    kids: list[int] = []
    for page in pages:
        stream = _content(page)
        content = add(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
        kids.append(
            add(
                b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 %d %d] /Contents %d 0 R "
                b"/Resources << /Font << /F1 %d 0 R >> /XObject << /Im1 %d 0 R >> >> >>"
                % (pages_obj, PAGE_W, PAGE_H, content, font, image)
            )
        )
    objects[pages_obj - 1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (
        b" ".join(b"%d 0 R" % k for k in kids),
        len(kids),
    )
    extra = b""
    if outline:
        root = add(b"")
        items = [len(objects) + 1 + i for i in range(len(outline))]
        for i, (text, page_index) in enumerate(outline):
            links = b""
            if i:
                links += b" /Prev %d 0 R" % items[i - 1]
            if i + 1 < len(items):
                links += b" /Next %d 0 R" % items[i + 1]
            add(
                b"<< /Title ("
                + _escape(text)
                + b") /Parent %d 0 R /Dest [%d 0 R /Fit]%s >>" % (root, kids[page_index], links)
            )
        objects[root - 1] = b"<< /Type /Outlines /First %d 0 R /Last %d 0 R /Count %d >>" % (
            items[0],
            items[-1],
            len(items),
        )
        extra = b" /Outlines %d 0 R" % root
    objects[catalog - 1] = b"<< /Type /Catalog /Pages %d 0 R%s >>" % (pages_obj, extra)
    entries = ({"Title": title} if title else {}) | (info or {})
    info_obj = (
        add(b"<< " + b" ".join(b"/%s (%s)" % (k.encode(), _escape(v)) for k, v in entries.items()) + b" >>")
        if entries
        else None
    )

    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for off in offsets:
        out += b"%010d 00000 n \n" % off
    trailer = b"<< /Size %d /Root %d 0 R" % (len(objects) + 1, catalog)
    if info_obj:
        trailer += b" /Info %d 0 R" % info_obj
    out += b"trailer\n" + trailer + b" >>\nstartxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)
