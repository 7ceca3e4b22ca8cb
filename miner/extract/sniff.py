"""What a document is, from its bytes: never from its name or the server's Content-Type.

Servers mislabel PDFs as text/html and names lie (``.asp`` pages, ``download?id=3``), so the
dispatcher looks only at the first bytes.
"""

from __future__ import annotations

import io
import zipfile

_BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_IMAGES = {
    b"\x89PNG": "PNG image",
    b"\xff\xd8\xff": "JPEG image",
    b"GIF8": "GIF image",
    b"II*\x00": "TIFF image",
}
_HTML_MARKERS = (
    b"<!doctype html",
    b"<html",
    b"<head",
    b"<body",
    b"<meta ",
    b"<title",
    b"<div",
    b"<p>",
    b"<p ",
)


def sniff(data: bytes) -> str:
    """One of "pdf", "docx", "odt", "html", "text", or an "unsupported:<what>" string."""
    head = data[:1024]
    if b"%PDF-" in head:
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        return _sniff_zip(data)
    if head.startswith(_OLE):
        if (
            "EncryptedPackage".encode("utf-16-le") in data[:65536]
            or b"E\x00n\x00c\x00r\x00y\x00p\x00t" in data
        ):
            return "unsupported:encrypted-office"
        return "unsupported:legacy Office file (.doc/.xls/.ppt); save it as DOCX or ODT"
    for magic, what in _IMAGES.items():
        if head.startswith(magic):
            return f"unsupported:{what}"
    stripped = head
    for bom in _BOMS:
        if stripped.startswith(bom):
            stripped = stripped[len(bom) :]
            break
    low = stripped.lstrip().lower()
    if low.startswith(b"\x00<") or low.startswith(b"<\x00"):
        low = low.replace(b"\x00", b"")
    if any(m in low for m in _HTML_MARKERS):
        return "html"
    if low.startswith(b"<?xml"):
        return "html" if b"<html" in data[:4096].lower() else "unsupported:XML that is not XHTML"
    if b"\x00" in data[:8192] and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "unsupported:binary data"
    return "text"


def _sniff_zip(data: bytes) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            names = set(zf.namelist())
            if "word/document.xml" in names:
                return "docx"
            if "mimetype" in names:
                mime = zf.read("mimetype")[:100].strip()
                if mime == b"application/vnd.oasis.opendocument.text":
                    return "odt"
                return f"unsupported:OpenDocument {mime.decode('ascii', 'replace')}"
            if "content.xml" in names:
                return "odt"
    except (zipfile.BadZipFile, OSError, ValueError, KeyError, NotImplementedError):
        return "unsupported:corrupt ZIP container"
    return "unsupported:ZIP archive that is neither DOCX nor ODT"
