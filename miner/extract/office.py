"""DOCX and ODT: paragraphs and headings straight from the XML inside the ZIP container.

No office suite and no extra dependency: both formats are a ZIP of XML parts. Headings (by paragraph
style) become sections. Members are read with a size cap so that a ZIP bomb stops with a clear error.
"""

from __future__ import annotations

import io
import zipfile

from lxml import etree

from miner.errors import CorruptDocument, ExtractionLimit
from miner.records import Extracted, Paragraph

#: Largest XML part we inflate (a ZIP bomb stops here).
MAX_PART = 200 * 1024 * 1024
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
TEXT = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"
OFFICE = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
DC = "{http://purl.org/dc/elements/1.1/}"
_HEADING_STYLES = ("heading", "kop", "titre", "title", "titel", "berschrift")


def _read(zf: zipfile.ZipFile, member: str, name: str) -> bytes | None:
    try:
        info = zf.getinfo(member)
    except KeyError:
        return None
    if info.file_size > MAX_PART:
        raise ExtractionLimit(f"{member} inflates to {info.file_size} bytes (cap {MAX_PART})", subject=name)
    with zf.open(info) as fh:
        data = fh.read(MAX_PART + 1)
    if len(data) > MAX_PART:
        raise ExtractionLimit(f"{member} inflates past the cap of {MAX_PART} bytes", subject=name)
    return data


def _parse(data: bytes, member: str, name: str) -> etree._Element:
    try:
        return etree.fromstring(data, parser=_PARSER)
    except etree.XMLSyntaxError as exc:
        raise CorruptDocument(f"{member} is not well-formed XML ({exc})", subject=name) from exc


def _open(data: bytes, name: str) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise CorruptDocument(f"not a readable ZIP container ({exc})", subject=name) from exc


def _title(zf: zipfile.ZipFile, member: str, name: str) -> tuple[str | None, str | None]:
    raw = _read(zf, member, name)
    if raw is None:
        return None, None
    try:
        root = etree.fromstring(raw, parser=_PARSER)
    except etree.XMLSyntaxError:
        return None, None
    title = root.findtext(f".//{DC}title")
    lang = root.findtext(f".//{DC}language")
    return (title.strip() or None) if title else None, (lang.strip() or None) if lang else None


def _docx_text(p: etree._Element) -> str:
    parts: list[str] = []
    for el in p.iter(f"{W}t", f"{W}tab", f"{W}br", f"{W}cr"):
        if el.tag == f"{W}t":
            parts.append(el.text or "")
        else:
            parts.append(" ")
    return " ".join("".join(parts).split())


def _load(
    data: bytes, name: str, kind: str, body: str, meta: str
) -> tuple[etree._Element, str | None, str | None]:
    """The parsed body part and the title/language of the metadata part of an office ZIP."""
    try:
        with _open(data, name) as zf:
            raw = _read(zf, body, name)
            if raw is None:
                raise CorruptDocument(f"{body} is missing", subject=name)
            root = _parse(raw, body, name)
            title, lang = _title(zf, meta, name)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, NotImplementedError) as exc:
        raise CorruptDocument(f"damaged {kind} container ({exc})", subject=name) from exc
    return root, title, lang


def extract_docx(data: bytes, *, name: str = "") -> Extracted:
    root, title, lang = _load(data, name, "DOCX", "word/document.xml", "docProps/core.xml")
    out: list[Paragraph] = []
    section: str | None = None
    for p in root.iter(f"{W}p"):
        text = _docx_text(p)
        if not text:
            continue
        style = p.find(f"{W}pPr/{W}pStyle")
        style_name = (style.get(f"{W}val") or "").lower() if style is not None else ""
        if any(h in style_name for h in _HEADING_STYLES):
            section = text
        out.append(Paragraph(index=len(out), text=text, section=section))
    return Extracted(kind="docx", paragraphs=tuple(out), title=title, declared_language=lang)


def _odt_text(el: etree._Element) -> str:
    parts: list[str] = []

    def walk(node: etree._Element) -> None:
        if node.text:
            parts.append(node.text)
        for child in node:
            tag = child.tag
            if tag == f"{TEXT}s":
                parts.append(" " * int(child.get(f"{TEXT}c", "1") or 1))
            elif tag in (f"{TEXT}tab", f"{TEXT}line-break"):
                parts.append(" ")
            elif tag in (f"{TEXT}note", f"{OFFICE}annotation"):
                pass  # footnotes and comments are not the body text
            else:
                walk(child)
            if child.tail:
                parts.append(child.tail)

    walk(el)
    return " ".join("".join(parts).split())


def extract_odt(data: bytes, *, name: str = "") -> Extracted:
    root, title, lang = _load(data, name, "ODT", "content.xml", "meta.xml")
    out: list[Paragraph] = []
    section: str | None = None
    for el in root.iter(f"{TEXT}h", f"{TEXT}p"):
        if el.getparent() is not None and el.getparent().tag in (f"{TEXT}p", f"{TEXT}h"):
            continue
        text = _odt_text(el)
        if not text:
            continue
        if el.tag == f"{TEXT}h":
            section = text
        out.append(Paragraph(index=len(out), text=text, section=section))
    return Extracted(kind="odt", paragraphs=tuple(out), title=title, declared_language=lang)
