"""Plain text (and Markdown): decoding from bytes, paragraphs on blank lines, ``#`` headings as sections."""

from __future__ import annotations

import re

from miner.records import Extracted, Paragraph

_BLANK = re.compile(r"\n\s*\n")
_HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*\s*$")


def decode(data: bytes, declared: str | None = None) -> str:
    """Bytes to text: a BOM wins, then strict UTF-8, then the declared charset, then detection.

    Strict UTF-8 comes before the declared charset on purpose: pages that declare iso-8859-1 but are
    UTF-8 are common (the Belgian official journal), while Latin-1 text that happens to be valid
    UTF-8 is vanishingly rare outside pure ASCII, which both read alike.
    """
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", "replace")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", "replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    if declared:
        enc = declared.strip().lower()
        # browsers read "iso-8859-1" as windows-1252 (curly quotes, euro sign); so do we
        if enc in ("iso-8859-1", "latin-1", "latin1", "us-ascii", "ascii"):
            enc = "windows-1252"
        try:
            return data.decode(enc)
        except (LookupError, UnicodeDecodeError):
            pass
    from charset_normalizer import from_bytes

    best = from_bytes(data[:200_000]).best()
    if best is not None and best.encoding:
        try:
            return data.decode(best.encoding, "replace")
        except LookupError:
            pass
    return data.decode("windows-1252", "replace")


def paragraphs_from_text(text: str) -> list[Paragraph]:
    """Split on blank lines; a Markdown heading starts a section and is itself a paragraph."""
    out: list[Paragraph] = []
    section: str | None = None
    for block in _BLANK.split(text.replace("\r\n", "\n").replace("\r", "\n")):
        lines = [ln.strip() for ln in block.split("\n") if ln.strip()]
        if not lines:
            continue
        buf: list[str] = []
        for ln in lines:
            m = _HEADING.match(ln)
            if m:
                if buf:
                    out.append(Paragraph(index=len(out), text=" ".join(buf), section=section))
                    buf = []
                section = m.group(1)
                out.append(Paragraph(index=len(out), text=section, section=section))
            else:
                buf.append(ln)
        if buf:
            out.append(Paragraph(index=len(out), text=" ".join(buf), section=section))
    return out


def extract_text(data: bytes, *, name: str = "") -> Extracted:
    text = decode(data)
    paragraphs = paragraphs_from_text(text)
    title = paragraphs[0].text[:200] if paragraphs else None
    return Extracted(kind="text", paragraphs=tuple(paragraphs), title=title)
