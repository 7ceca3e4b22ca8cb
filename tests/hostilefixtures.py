"""Hostile documents written here, in memory: ZIP bombs with honest or lying headers, repeat-count
bombs, encrypted containers, deep nesting, entity tricks. Each is small on disk and enormous (or
endless) when read naively.

The deflate bombs are built without compressing gigabytes: a block of zeros (or of XML) is
compressed once and ended with a full flush, which resets the compressor's history, so the same
compressed bytes can be repeated to stand for the block repeated. The ZIP structures are written
by hand so that a header can claim any size.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
TEXT_NS = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
OFFICE_NS = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
ODT_MIME = b"application/vnd.oasis.opendocument.text"


def deflate_repeated(head: bytes, unit: bytes, times: int, tail: bytes) -> tuple[bytes, int, int]:
    """Raw deflate of ``head + unit * times + tail``: (compressed bytes, CRC-32, inflated size)."""
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    out = [c.compress(head) + c.flush(zlib.Z_FULL_FLUSH)]
    chunk = c.compress(unit) + c.flush(zlib.Z_FULL_FLUSH)
    out.append(chunk * times)
    out.append(c.compress(tail) + c.flush())
    crc = zlib.crc32(head)
    unit_crc_state = crc
    for _ in range(times):
        unit_crc_state = zlib.crc32(unit, unit_crc_state)
    crc = zlib.crc32(tail, unit_crc_state)
    return b"".join(out), crc, len(head) + len(unit) * times + len(tail)


def raw_zip(members: list[tuple[str, bytes, int, int, int, int]], *, flags: int = 0) -> bytes:
    """A ZIP from ``(name, data, method, crc, compressed size, claimed size)``, headers as given
    (``flags``: the general-purpose bits of every member, 0x1 = encrypted)."""
    out = io.BytesIO()
    central = []
    for name, data, method, crc, csize, usize in members:
        offset = out.tell()
        fname = name.encode()
        out.write(
            struct.pack(
                "<4sHHHHHIIIHH", b"PK\x03\x04", 20, flags, method, 0, 0, crc, csize, usize, len(fname), 0
            )
        )
        out.write(fname)
        out.write(data)
        central.append(
            struct.pack(
                "<4sHHHHHHIIIHHHHHII",
                b"PK\x01\x02",
                20,
                20,
                flags,
                method,
                0,
                0,
                crc,
                csize,
                usize,
                len(fname),
                0,
                0,
                0,
                0,
                0,
                offset,
            )
            + fname
        )
    start = out.tell()
    for entry in central:
        out.write(entry)
    size = out.tell() - start
    out.write(struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, len(central), len(central), size, start, 0))
    return out.getvalue()


def stored(name: str, data: bytes) -> tuple[str, bytes, int, int, int, int]:
    return (name, data, zipfile.ZIP_STORED, zlib.crc32(data), len(data), len(data))


def odt_content(body: str) -> bytes:
    return (
        f'<office:document-content xmlns:office="{OFFICE_NS}" xmlns:text="{TEXT_NS}"><office:body>'
        f"<office:text>{body}</office:text></office:body></office:document-content>"
    ).encode()


def odt(body: str) -> bytes:
    """A minimal, honest ODT whose content.xml holds ``body``."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("mimetype", ODT_MIME, compress_type=zipfile.ZIP_STORED)
        zf.writestr("content.xml", odt_content(body), compress_type=zipfile.ZIP_DEFLATED)
    return buf.getvalue()


def docx_part(document_xml: str, extra: dict[str, str] | None = None) -> bytes:
    """A DOCX whose ``word/document.xml`` is ``document_xml`` as given (DTD and all), plus parts."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("word/document.xml", document_xml)
        for name, content in (extra or {}).items():
            zf.writestr(name, content)
    return buf.getvalue()


def docx(body_xml: str, extra: dict[str, str] | None = None) -> bytes:
    """A minimal DOCX whose body holds ``body_xml``."""
    return docx_part(f'<w:document xmlns:w="{W_NS}"><w:body>{body_xml}</w:body></w:document>', extra)


def repeat_count_odt(count: int = 2_000_000_000) -> bytes:
    """380 bytes that ask for two billion spaces."""
    return odt(f'<text:p>a<text:s text:c="{count}"/>b</text:p>')


def mimetype_bomb_odt(gigabytes: int = 2, *, honest: bool = True) -> bytes:
    """An ODT whose ``mimetype`` member inflates to ``gigabytes`` GB of zeros (about 2 MB on disk)."""
    unit = b"\x00" * (1 << 20)
    data, crc, size = deflate_repeated(ODT_MIME, unit, gigabytes * 1024, b"")
    content = odt_content("<text:p>Tekst.</text:p>")
    return raw_zip(
        [
            ("mimetype", data, zipfile.ZIP_DEFLATED, crc, len(data), size if honest else len(ODT_MIME)),
            stored("content.xml", content),
        ]
    )


def xml_bomb_docx(
    megabytes: int = 190, *, honest: bool = True, text: bytes = b"werk en onderwijs " * 50
) -> bytes:
    """A DOCX of some hundreds of KB whose document.xml inflates to ``megabytes`` MB of paragraphs
    (each holding ``text``; with ``honest=False`` the header claims 1,000 bytes)."""
    head = f'<w:document xmlns:w="{W_NS}"><w:body>'.encode()
    style = b'<w:pPr><w:pStyle w:val="Normal"/></w:pPr><w:r><w:rPr><w:b/><w:i/></w:rPr>'
    unit = b"<w:p>" + style + b"<w:t>" + text + b"</w:t></w:r></w:p>"
    unit = unit * ((1 << 20) // len(unit))
    data, crc, size = deflate_repeated(head, unit, megabytes, b"</w:body></w:document>")
    return raw_zip(
        [
            stored("[Content_Types].xml", b"<Types/>"),
            ("word/document.xml", data, zipfile.ZIP_DEFLATED, crc, len(data), size if honest else 1000),
        ]
    )


def encrypted_zip(member: str = "word/document.xml") -> bytes:
    """A container whose members are encrypted (the traditional PKWARE flag; the bytes are noise)."""
    noise = bytes(range(256)) * 2
    return raw_zip([stored("[Content_Types].xml", noise), stored(member, noise)], flags=0x1)


def encrypted_odt() -> bytes:
    """An ODT encrypted the OpenDocument way: the manifest carries encryption data."""
    manifest = (
        b'<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0">'
        b'<manifest:file-entry manifest:full-path="content.xml"><manifest:encryption-data/>'
        b"</manifest:file-entry></manifest:manifest>"
    )
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("mimetype", ODT_MIME, compress_type=zipfile.ZIP_STORED)
        zf.writestr("META-INF/manifest.xml", manifest)
        zf.writestr("content.xml", b"\x8f\x01\xfe garbage that was encrypted")
    return buf.getvalue()


def nested_docx(depth: int = 100_000) -> bytes:
    return docx("<w:p>" + "<w:r>" * depth + "x" + "</w:r>" * depth + "</w:p>")


def nested_html(depth: int = 100_000) -> bytes:
    return ("<html><body>" + "<div>" * depth + "tekst" + "</div>" * depth + "</body></html>").encode()


def entity_bomb_docx() -> bytes:
    """The billion-laughs DTD inside document.xml."""
    dtd = '<!DOCTYPE w:document [<!ENTITY a "aaaaaaaaaa">'
    for i in range(1, 10):
        prev = chr(ord("a") + i - 1)
        dtd += f'<!ENTITY {chr(ord("a") + i)} "{("&" + prev + ";") * 10}">'
    dtd += "]>"
    xml = f'<?xml version="1.0"?>{dtd}<w:document xmlns:w="{W_NS}"><w:body><w:p><w:r><w:t>&j;</w:t></w:r></w:p></w:body></w:document>'
    return docx_part(xml)


def xxe_docx(path: str = "/etc/passwd") -> bytes:
    return docx_part(
        f'<?xml version="1.0"?><!DOCTYPE w:document [<!ENTITY x SYSTEM "file://{path}">]>'
        f'<w:document xmlns:w="{W_NS}"><w:body><w:p><w:r><w:t>&x;</w:t></w:r></w:p></w:body></w:document>'
    )


def xxe_html(path: str = "/etc/passwd") -> bytes:
    return (
        f'<?xml version="1.0"?><!DOCTYPE html [<!ENTITY x SYSTEM "file://{path}">]>'
        "<html><head><title>t</title></head><body><p>&x; Tekst van de pagina.</p></body></html>"
    ).encode()
