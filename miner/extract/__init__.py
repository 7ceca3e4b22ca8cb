"""Extraction stage: bytes -> :class:`~miner.records.Extracted`, dispatched on what the bytes are.

The kind of a document comes from its bytes (:func:`miner.extract.sniff.sniff`), never from the
server's Content-Type alone; the name is consulted only to accept plain text (``.txt``/``.md``).
Every kind is extracted in the same sandbox (:mod:`miner.extract.sandbox`): a child process per
document with a time, CPU and address-space limit, under a cap on the input's size and on its text
(:mod:`miner.extract.limits`). Every failure is a :class:`miner.errors.ExtractionError` (or an
:class:`~miner.errors.InputError` for an unreadable path) naming the file and the reason.
"""

from __future__ import annotations

from pathlib import Path

from miner.errors import EncryptedDocument, UnsupportedFormat
from miner.extract.limits import (
    DEFAULT_LIMITS,
    Limits,
    check_file,
    check_size,
    check_text_length,
    read_document,
)
from miner.extract.sniff import EXTRACTABLE, Kind, sniff, sniff_detail
from miner.records import Extracted

__all__ = [
    "DEFAULT_LIMITS",
    "Kind",
    "Limits",
    "accept",
    "check_file",
    "check_size",
    "check_text_length",
    "extract",
    "extract_path",
    "extract_plain_text",
    "read_document",
    "sniff",
]


def accept(data: bytes, *, name: str = "") -> Kind:
    """The kind of a document the product can read; a clear error for anything else.

    :class:`~miner.errors.EncryptedDocument` for password-protected files,
    :class:`~miner.errors.UnsupportedFormat` (naming what it is) for the rest: images, legacy Office
    files, archives, XML feeds, and text under a name that says otherwise (``hello.docx``, ``data.csv``).
    """
    kind, why = sniff_detail(data, name=name)
    if kind in EXTRACTABLE:
        return kind
    if kind == Kind.ENCRYPTED:
        raise EncryptedDocument(why, subject=name or None)
    raise UnsupportedFormat(f"not a supported document: {why}", subject=name or None)


def extract(
    data: bytes, *, name: str = "", base_url: str | None = None, limits: Limits = DEFAULT_LIMITS
) -> Extracted:
    """Turn a document's bytes into paragraphs (with pages for PDF), metadata and a publication date,
    within ``limits`` (the caller's settings; the documented defaults when it has none)."""
    check_size(len(data), subject=name or None, cap=limits.max_download_bytes)
    kind = accept(data, name=name)
    if kind == Kind.PDF:
        from miner.extract.pdf import extract_pdf

        return extract_pdf(data, name=name, limits=limits)
    from miner.extract import sandbox
    from miner.extract.record import finish, paragraphs_from_answer

    answer = sandbox.run(kind.value, data, name=name, options={"base_url": base_url}, limits=limits)
    return finish(
        kind.value,
        paragraphs_from_answer(answer.get("paragraphs")),
        answer,
        max_paragraph_chars=limits.max_paragraph_chars,
    )


def extract_path(path: str | Path, limits: Limits = DEFAULT_LIMITS) -> Extracted:
    """Read a file (after checking its type and size) and extract it."""
    return extract(read_document(path, limits), name=str(path), limits=limits)


def extract_plain_text(text: str, *, name: str = "", limits: Limits = DEFAULT_LIMITS) -> Extracted:
    """Plain text already held as a string (one ``miner analyse --jsonl`` line), read in process.

    The same paragraphs the sandboxed plain-text extractor gives a ``.txt`` file of that text, so
    both entry points answer alike. No child is needed: a string hides no compressed or nested
    structure, and its length and paragraph count are capped before and while it is split.
    """
    from miner.extract.limits import TextBudget
    from miner.extract.record import finish, paragraphs_from_answer
    from miner.extract.text import paragraphs_from_text

    check_text_length(text, subject=name or None, cap=limits.max_text_chars)
    raw = paragraphs_from_text(text, TextBudget(limits.max_text_chars, limits.max_paragraphs))
    answer: dict[str, object] = {
        "title": raw[0][0][:200] if raw else None,
        "lang": None,
        "links": [],
        "dates": [],
    }
    return finish("text", paragraphs_from_answer(raw), answer, max_paragraph_chars=limits.max_paragraph_chars)
