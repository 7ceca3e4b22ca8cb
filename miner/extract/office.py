"""DOCX and ODT: paragraphs and headings streamed from the XML inside the ZIP container.

Runs inside the sandboxed child (:mod:`miner.extract._work`). No office suite and no extra
dependency: both formats are a ZIP of XML parts. Every bound is explicit, because a few hundred bytes
of ZIP can claim gigabytes:

* the container's directory is checked before it is listed (:func:`miner.extract.sniff.container_problem`);
* encrypted members (ZIP or ODF encryption) are an :class:`~miner.errors.EncryptedDocument`;
* members are read through :class:`CappedReader`, which stops at ``max_member_bytes`` however the
  member's header lies, and only stored or deflated members are read (bzip2 and LZMA inflate
  without an output bound);
* the body is parsed incrementally (``iterparse``) and each paragraph is dropped from the tree once
  its text is taken, so memory follows the paragraph, not the document; libxml2's own limits stay
  on (nesting depth, no entity expansion, no network);
* repeat counts (``<text:s text:c="2000000000"/>``) are never expanded: runs of spaces are one
  space in the paragraph text anyway;
* the text budget stops a document whose text is over ``max_text_chars``.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable
from typing import Any

from lxml import etree

from miner.errors import CorruptDocument, EncryptedDocument, ExtractionLimit, UnsupportedFormat
from miner.extract import dates
from miner.extract.limits import TextBudget
from miner.extract.sniff import ZIP_METHODS, container_problem

#: Metadata parts (title, language, dates) are small; a larger one is not read.
META_CAP = 1024 * 1024

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
TEXT = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"
OFFICE = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
META = "{urn:oasis:names:tc:opendocument:xmlns:meta:1.0}"
DC = "{http://purl.org/dc/elements/1.1/}"
DCTERMS = "{http://purl.org/dc/terms/}"
MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
_HEADING_STYLES = ("heading", "kop", "titre", "title", "titel", "berschrift")
#: Elements that hold paragraphs: dropped once they end (their paragraphs are taken by then), so a
#: document of one endless table keeps no more than one row in memory.
_DOCX_CONTAINERS = frozenset(f"{W}{t}" for t in ("tbl", "tr", "tc", "sdt", "sdtContent", "sectPr", "body"))
_ODT_CONTAINERS = frozenset(
    [f"{TEXT}{t}" for t in ("list", "list-item", "section", "index-body", "sequence-decls")]
    + [
        f"{{urn:oasis:names:tc:opendocument:xmlns:table:1.0}}{t}"
        for t in ("table", "table-row", "table-cell", "table-rows", "table-header-rows")
    ]
    + [f"{OFFICE}text", f"{OFFICE}body", f"{OFFICE}automatic-styles", f"{OFFICE}font-face-decls"]
)
#: What a damaged part raises while it is streamed; each becomes one clear CorruptDocument.
_STREAM_ERRORS = (etree.XMLSyntaxError, zipfile.BadZipFile, EOFError, OSError)


class CappedReader(io.RawIOBase):
    """A file-like view of a ZIP member that raises :class:`ExtractionLimit` past ``cap`` bytes."""

    def __init__(self, fh: Any, cap: int, member: str) -> None:
        super().__init__()
        self._fh = fh
        self._cap = cap
        self._member = member
        self.count = 0

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        want = (
            self._cap + 1 - self.count if size is None or size < 0 else min(size, self._cap + 1 - self.count)
        )
        data = self._fh.read(max(want, 0))
        self.count += len(data)
        if self.count > self._cap:
            raise ExtractionLimit(
                f"{self._member} inflates past the cap of {self._cap} bytes (setting max_member_bytes)"
            )
        return bytes(data)

    def readinto(self, b: Any) -> int:
        data = self.read(len(b))
        b[: len(data)] = data
        return len(data)


def _open(data: bytes, kind: str) -> zipfile.ZipFile:
    problem = container_problem(data)
    if problem:
        raise CorruptDocument(f"{kind}: {problem}") if "corrupt" in problem else ExtractionLimit(problem)
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise CorruptDocument(f"not a readable ZIP container ({exc})") from exc
    if any(info.flag_bits & 0x1 for info in zf.infolist()):
        raise EncryptedDocument(f"password-protected {kind} (encrypted ZIP members)")
    return zf


def _member(zf: zipfile.ZipFile, member: str, cap: int) -> CappedReader | None:
    try:
        info = zf.getinfo(member)
    except KeyError:
        return None
    if info.compress_type not in ZIP_METHODS:
        raise UnsupportedFormat(f"{member} is compressed with method {info.compress_type}, not deflate")
    if info.file_size > cap:
        raise ExtractionLimit(
            f"{member} inflates to {info.file_size} bytes (cap {cap}, setting max_member_bytes)"
        )
    try:
        return CappedReader(zf.open(info), cap, member)
    except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError, ValueError) as exc:
        raise CorruptDocument(f"damaged container: {member} cannot be opened ({exc})") from exc


def _small_part(zf: zipfile.ZipFile, member: str) -> etree._Element | None:
    """A metadata part parsed whole (it is capped at :data:`META_CAP`); None when absent or broken."""
    try:
        reader = _member(zf, member, META_CAP)
        if reader is None:
            return None
        raw = reader.read()
        return etree.fromstring(raw, parser=etree.XMLParser(resolve_entities=False, no_network=True))
    except (etree.XMLSyntaxError, ExtractionLimit, UnsupportedFormat, zipfile.BadZipFile, OSError, EOFError):
        return None


def _first(root: etree._Element | None, *paths: str) -> str | None:
    if root is None:
        return None
    for path in paths:
        value = root.findtext(path)
        if value and value.strip():
            return value.strip()[:1000]
    return None


def _stream(reader: CappedReader, tags: Iterable[str]) -> Any:
    """``iterparse`` end events of ``tags`` over a member (no Python object for any other element),
    with libxml2's safety limits and no entity expansion."""
    return etree.iterparse(
        reader,
        events=("end",),
        tag=list(tags),
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
        remove_comments=True,
    )


def _drop(el: etree._Element) -> None:
    """Free a handled element and the already-handled siblings before it."""
    el.clear(keep_tail=True)
    parent = el.getparent()
    if parent is not None:
        while el.getprevious() is not None:
            del parent[0]


def _body(zf: zipfile.ZipFile, member: str, kind: str, cap: int) -> CappedReader:
    reader = _member(zf, member, cap)
    if reader is None:
        raise CorruptDocument(f"{member} is missing: not a {kind} document")
    return reader


def _docx_text(p: etree._Element) -> str:
    parts: list[str] = []
    for el in p.iter(f"{W}t", f"{W}tab", f"{W}br", f"{W}cr"):
        parts.append((el.text or "") if el.tag == f"{W}t" else " ")
    return " ".join("".join(parts).split())


def parse_docx(data: bytes, *, budget: TextBudget, max_member_bytes: int) -> dict[str, Any]:
    """The sandboxed half of DOCX extraction."""
    out: list[list[Any]] = []
    with _open(data, "DOCX") as zf:
        core = _small_part(zf, "docProps/core.xml")
        reader = _body(zf, "word/document.xml", "DOCX", max_member_bytes)
        section: str | None = None
        paragraph = f"{W}p"
        try:
            # End events only: a paragraph ends after everything inside it, so a text box's paragraphs
            # are taken (and dropped) before the paragraph that holds them, and never read twice.
            for _, el in _stream(reader, [paragraph, *_DOCX_CONTAINERS]):
                tag = el.tag
                if tag != paragraph:
                    if tag in _DOCX_CONTAINERS:
                        _drop(el)  # a finished table, row, cell or section: its paragraphs are taken
                    continue
                # mc:Fallback holds a second copy of a text box (for old readers): not read twice
                text = _docx_text(el) if next(el.iterancestors(MC_FALLBACK), None) is None else ""
                if text:
                    style = el.find(f"{W}pPr/{W}pStyle")
                    style_name = (style.get(f"{W}val") or "").lower() if style is not None else ""
                    if any(h in style_name for h in _HEADING_STYLES):
                        section = text
                    budget.take(text)
                    out.append([text, None, section])
                _drop(el)
        except _STREAM_ERRORS as exc:
            raise CorruptDocument(f"word/document.xml is not well-formed XML ({exc})") from exc
    return _answer(out, core, _first(core, f"{DCTERMS}created", f"{DCTERMS}modified"))


def _answer(paragraphs: list[list[Any]], meta: etree._Element | None, created: str | None) -> dict[str, Any]:
    """The child's answer for an office document: paragraphs, and title, language and creation date
    from its metadata part (Dublin Core in both formats)."""
    found = dates.parse_date(created) if created else None
    return {
        "paragraphs": paragraphs,
        "title": _first(meta, f".//{DC}title"),
        "lang": _first(meta, f".//{DC}language"),
        "links": [],
        "dates": [["office-metadata", found.isoformat()]] if found else [],
    }


def _odt_text(el: etree._Element) -> str:
    """The text of a paragraph, without its notes and comments, with ``text:s`` as one space."""
    parts: list[str] = []
    stack: list[tuple[etree._Element, bool]] = [(el, False)]
    skip = (f"{TEXT}note", f"{OFFICE}annotation")
    spaces = (f"{TEXT}s", f"{TEXT}tab", f"{TEXT}line-break")
    while stack:
        node, done = stack.pop()
        if done:  # after the children: the node's tail, unless it is the paragraph itself
            if node is not el and node.tail:
                parts.append(node.tail)
            continue
        if node.tag in skip:
            if node.tail:
                parts.append(node.tail)
            continue
        if node.tag in spaces:
            parts.append(" ")
            if node.tail:
                parts.append(node.tail)
            continue
        if node.text and isinstance(node.tag, str):
            parts.append(node.text)
        stack.append((node, True))
        stack.extend((child, False) for child in reversed(node))
    return " ".join("".join(parts).split())


def parse_odt(data: bytes, *, budget: TextBudget, max_member_bytes: int) -> dict[str, Any]:
    """The sandboxed half of ODT extraction."""
    out: list[list[Any]] = []
    with _open(data, "ODT") as zf:
        manifest = _member(zf, "META-INF/manifest.xml", META_CAP)
        if manifest is not None and b"encryption-data" in manifest.read():
            raise EncryptedDocument("password-protected ODT (encrypted OpenDocument parts)")
        meta = _small_part(zf, "meta.xml")
        reader = _body(zf, "content.xml", "ODT", max_member_bytes)
        section: str | None = None
        heading = f"{TEXT}h"
        paragraphs = (f"{TEXT}p", heading)
        notes = (f"{TEXT}note", f"{OFFICE}annotation")
        try:
            for _, el in _stream(reader, [*paragraphs, *_ODT_CONTAINERS]):
                tag = el.tag
                if tag not in paragraphs:
                    if tag in _ODT_CONTAINERS:
                        _drop(el)
                    continue
                # a note's or a comment's paragraphs are not the body text (the paragraph holding
                # the note skips it too)
                if next(el.iterancestors(*notes), None) is not None:
                    continue
                text = _odt_text(el)
                if text:
                    if tag == heading:
                        section = text
                    budget.take(text)
                    out.append([text, None, section])
                _drop(el)
        except _STREAM_ERRORS as exc:
            raise CorruptDocument(f"content.xml is not well-formed XML ({exc})") from exc
    return _answer(out, meta, _first(meta, f".//{META}creation-date", f".//{DC}date"))
