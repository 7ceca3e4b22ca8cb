"""What a document is, from its bytes: the one sniffer of the product (crawler and extractor alike).

Servers mislabel PDFs as text/html and names lie (``.asp`` pages, ``download?id=3``), so the bytes
decide whenever they can: a PDF header anywhere in the first KiB, a ZIP container (DOCX or ODT by its
members), an OLE container (legacy or password-protected Office), HTML markers, a feed or a sitemap.
Only plain text, the kind that bytes alone cannot prove, needs a second opinion: a Content-Type of
``text/plain``/``text/markdown``, or a name ending in ``.txt``, ``.md``, ``.markdown`` or ``.text``,
or no name suffix at all. A ``hello.docx`` or a ``data.csv`` made of text is refused, not analysed
as prose.

The sniffer runs in the caller's process on untrusted bytes, so it is bounded: it reads the first
bytes, the ZIP central directory only when that directory is small, and at most 100 bytes of one
member.
"""

from __future__ import annotations

import io
import posixpath
import struct
import zipfile
from enum import StrEnum
from urllib.parse import urlsplit


class Kind(StrEnum):
    """A document kind. ``OTHER`` is anything the product does not read (images, CSV, archives)."""

    PDF = "pdf"
    HTML = "html"
    DOCX = "docx"
    ODT = "odt"
    TEXT = "text"
    #: Feeds and sitemaps: the crawler reads them for links; they are not documents to analyse.
    XML = "xml"
    #: A password-protected container (encrypted OOXML, a ZIP with encrypted members, encrypted ODF).
    ENCRYPTED = "encrypted"
    OTHER = "other"


#: The kinds the extractor turns into text.
EXTRACTABLE = frozenset({Kind.PDF, Kind.HTML, Kind.DOCX, Kind.ODT, Kind.TEXT})
#: Name suffixes under which plain-text bytes are read as text (with no suffix at all, too).
TEXT_SUFFIXES = frozenset({".txt", ".md", ".markdown", ".text"})
TEXT_CONTENT_TYPES = ("text/plain", "text/markdown", "text/x-markdown")

_BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_IMAGES = {
    b"\x89PNG": "PNG image",
    b"\xff\xd8\xff": "JPEG image",
    b"GIF8": "GIF image",
    b"II*\x00": "TIFF image",
    b"MM\x00*": "TIFF image",
    b"RIFF": "RIFF media file",
}
_ARCHIVES = {b"\x1f\x8b": "gzip archive", b"7z\xbc\xaf\x27\x1c": "7-Zip archive", b"Rar!": "RAR archive"}
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
_FEED_MARKERS = (b"<rss", b"<feed", b"<urlset", b"<sitemapindex", b"<rdf:rdf")
#: A DOCX or ODT has tens of members; the central directory of a real one is a few KiB.
MAX_ZIP_ENTRIES = 10_000
MAX_ZIP_DIRECTORY = 2 * 1024 * 1024
ODT_MIMETYPE = b"application/vnd.oasis.opendocument.text"
#: Compression methods read from a container: stored and deflate (the only ones office suites write).
ZIP_METHODS = frozenset({zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED})


def sniff(data: bytes, *, name: str = "", content_type: str = "") -> Kind:
    """The kind of ``data``; see :func:`sniff_detail` for the reason behind ``OTHER``/``ENCRYPTED``."""
    return sniff_detail(data, name=name, content_type=content_type)[0]


def sniff_detail(data: bytes, *, name: str = "", content_type: str = "") -> tuple[Kind, str]:
    """The kind of ``data`` and, for kinds the product cannot read, a sentence saying why.

    ``name`` (a file name, a path or a URL) and ``content_type`` are consulted only for plain text.
    """
    head = data[:1024]
    if b"%PDF-" in head:
        return Kind.PDF, ""
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        return _sniff_zip(data)
    if head.startswith(_OLE):
        if (
            "EncryptedPackage".encode("utf-16-le") in data[:65536]
            or "EncryptionInfo".encode("utf-16-le") in data[:65536]
        ):
            return Kind.ENCRYPTED, "password-protected Office document"
        return Kind.OTHER, "legacy Office file (.doc/.xls/.ppt); save it as DOCX or ODT"
    for magic, what in (_IMAGES | _ARCHIVES).items():
        if head.startswith(magic):
            return Kind.OTHER, what
    low = _markup_head(head)
    ctype = content_type.split(";", 1)[0].strip().lower()
    if low.startswith(b"<?xml") or low.startswith(_FEED_MARKERS):
        # before the HTML markers: a feed has <title> and <link> too
        if b"<html" in data[:4096].lower():
            return Kind.HTML, ""
        return Kind.XML, "XML that is not XHTML (a feed, a sitemap or a data file)"
    if any(m in low for m in _HTML_MARKERS):
        return Kind.HTML, ""
    if _binary(data):
        return Kind.OTHER, "binary data"
    return _sniff_text(name, ctype)


def _markup_head(head: bytes) -> bytes:
    for bom in _BOMS:
        if head.startswith(bom):
            head = head[len(bom) :]
            break
    low = head.lstrip().lower()
    if low.startswith(b"\x00<") or low.startswith(b"<\x00"):  # UTF-16 markup
        low = low.replace(b"\x00", b"")
    return low


def _binary(data: bytes) -> bool:
    sample = data[:8192]
    if sample.startswith((b"\xff\xfe", b"\xfe\xff")):
        return False  # UTF-16 text has NUL bytes by nature
    if b"\x00" in sample:
        return True
    controls = sum(1 for b in sample if b < 9 or 13 < b < 32)
    return controls > len(sample) // 20


def _suffix(name: str) -> str:
    path = urlsplit(name).path if "://" in name else name
    return posixpath.splitext(path.replace("\\", "/").rsplit("/", 1)[-1])[1].lower()


def _sniff_text(name: str, ctype: str) -> tuple[Kind, str]:
    """Text bytes: text when the Content-Type or the name agrees (or nothing says otherwise)."""
    if ctype:
        if "html" in ctype:
            return Kind.HTML, ""
        if ctype.startswith(TEXT_CONTENT_TYPES):
            return Kind.TEXT, ""
    suffix = _suffix(name)
    if not suffix or suffix in TEXT_SUFFIXES:
        if ctype and not ctype.startswith("text/") and ctype != "application/octet-stream":
            return Kind.OTHER, f"text served as {ctype}"
        return Kind.TEXT, ""
    return Kind.OTHER, (
        f"the name ends in {suffix} but the content is plain text "
        f"(plain text is read from {', '.join(sorted(TEXT_SUFFIXES))} files only)"
    )


def zip_directory_size(data: bytes) -> tuple[int, int] | None:
    """(entries, central directory bytes) from the end-of-central-directory record, or None.

    Read before :class:`zipfile.ZipFile` builds one object per entry: a hostile archive can claim
    millions of entries in a few MiB.
    """
    tail = data[-(65535 + 22) :]
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or len(tail) - at < 22:
        return None
    _, _, _, _, entries, size, _, _ = struct.unpack("<4sHHHHIIH", tail[at : at + 22])
    return entries, size


def container_problem(data: bytes) -> str | None:
    """Why a ZIP container is too big to list safely, or None when its directory is small."""
    found = zip_directory_size(data)
    if found is None:
        return "corrupt ZIP container (no end-of-directory record)"
    entries, size = found
    if entries >= 0xFFFF or entries > MAX_ZIP_ENTRIES:
        return f"ZIP container with too many entries (over {MAX_ZIP_ENTRIES})"
    if size > MAX_ZIP_DIRECTORY:
        return f"ZIP container with a central directory of {size} bytes (over {MAX_ZIP_DIRECTORY})"
    return None


def _by_local_header(data: bytes, why: str) -> tuple[Kind, str]:
    """A container whose directory is missing (a truncated download): its first members decide.

    Calling it DOCX or ODT sends it on to the extractor, which says clearly that it is damaged,
    instead of skipping it as a kind nobody wants.
    """
    if ODT_MIMETYPE in data[:256]:
        return Kind.ODT, ""
    if b"word/" in data[:65536] and b"[Content_Types].xml" in data[:65536]:
        return Kind.DOCX, ""
    return Kind.OTHER, why


def _sniff_zip(data: bytes) -> tuple[Kind, str]:
    if zip_directory_size(data) is None:
        return _by_local_header(data, "corrupt ZIP container (no end-of-directory record)")
    problem = container_problem(data)
    if problem:
        return Kind.OTHER, problem
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = zf.infolist()
            names = {i.filename for i in infos}
            if any(i.flag_bits & 0x1 for i in infos):
                return Kind.ENCRYPTED, "password-protected ZIP container"
            if any(i.compress_type not in ZIP_METHODS for i in infos):
                # bzip2 and LZMA inflate without an output bound; DOCX and ODT never use them
                return Kind.OTHER, "ZIP container with members compressed by other methods than deflate"
            if "word/document.xml" in names:
                return Kind.DOCX, ""
            if "mimetype" in names:
                with zf.open("mimetype") as fh:  # a capped read: never the whole member
                    mime = fh.read(100).strip()
                if mime != ODT_MIMETYPE:
                    shown = "".join(c for c in mime[:60].decode("ascii", "replace") if c.isprintable())
                    return Kind.OTHER, f"OpenDocument of another type ({shown or 'no mimetype'})"
            if "mimetype" in names or "content.xml" in names:
                if _odf_encrypted(zf):
                    return Kind.ENCRYPTED, "password-protected OpenDocument"
                return Kind.ODT, ""
    except (zipfile.BadZipFile, OSError, ValueError, KeyError, NotImplementedError, EOFError, RuntimeError):
        return _by_local_header(data, "corrupt ZIP container")
    except Exception as exc:  # zlib.error and friends: the bytes are damaged, whatever the class
        return Kind.OTHER, f"corrupt ZIP container ({type(exc).__name__})"
    return Kind.OTHER, "ZIP archive that is neither DOCX nor ODT"


def _odf_encrypted(zf: zipfile.ZipFile) -> bool:
    """ODF encrypts members itself (not with ZIP encryption); the manifest says so."""
    try:
        with zf.open("META-INF/manifest.xml") as fh:
            return b"encryption-data" in fh.read(256 * 1024)
    except KeyError:
        return False
