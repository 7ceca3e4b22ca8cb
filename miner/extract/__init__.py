"""Extraction stage: bytes -> :class:`~miner.records.Extracted`, dispatched on magic bytes.

The kind of a document comes from its first bytes (:func:`miner.extract.sniff.sniff`), never from its
name or the server's Content-Type. PDF extraction runs in a sandboxed child process with a time and
memory limit; the other formats are parsed in-process under a size cap. Every failure is a
:class:`miner.errors.ExtractionError` naming the file and the reason.
"""

from __future__ import annotations

from pathlib import Path

from miner.config import get_settings
from miner.errors import EncryptedDocument, ExtractionLimit, InputError, UnsupportedFormat
from miner.extract.sniff import sniff
from miner.records import Extracted

__all__ = ["extract", "extract_path", "read_document", "sniff"]


def extract(data: bytes, *, name: str = "", base_url: str | None = None) -> Extracted:
    """Turn a document's bytes into paragraphs (with pages for PDF) and metadata."""
    kind = sniff(data)
    if kind == "pdf":
        from miner.extract.pdf import extract_pdf

        return extract_pdf(data, name=name)
    cap = get_settings().max_download_bytes
    if len(data) > cap:
        raise ExtractionLimit(f"{len(data)} bytes is over the extraction cap of {cap}", subject=name)
    if kind == "html":
        from miner.extract.html import extract_html

        return extract_html(data, name=name, base_url=base_url)
    if kind == "docx":
        from miner.extract.office import extract_docx

        return extract_docx(data, name=name)
    if kind == "odt":
        from miner.extract.office import extract_odt

        return extract_odt(data, name=name)
    if kind == "text":
        from miner.extract.text import extract_text

        return extract_text(data, name=name)
    what = kind.split(":", 1)[1]
    if what == "encrypted-office":
        raise EncryptedDocument("password-protected Office document", subject=name)
    raise UnsupportedFormat(f"not a supported document: {what}", subject=name)


def read_document(path: str | Path) -> bytes:
    """A file's bytes; a missing or unreadable file is a clear :class:`InputError`."""
    p = Path(path)
    try:
        return p.read_bytes()
    except FileNotFoundError as exc:
        raise InputError("no such file", subject=str(p)) from exc
    except IsADirectoryError as exc:
        raise InputError("is a folder, not a file", subject=str(p)) from exc
    except OSError as exc:
        raise InputError(f"cannot read the file ({exc.strerror})", subject=str(p)) from exc


def extract_path(path: str | Path) -> Extracted:
    """Read a file and extract it."""
    return extract(read_document(path), name=str(path))
