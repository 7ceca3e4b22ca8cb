"""PDF: pypdfium2 in the extraction sandbox, then pure text steps in the parent.

Why a child: pdfium is C++ and malformed PDFs can make it loop, exhaust memory or segfault. The
document is read in a child of the sandbox (:mod:`miner.extract.sandbox`, the same one every type
goes through) with a wall-clock limit (``limits.extract_timeout``), a CPU limit of the same length
and an address-space limit (``limits.extract_memory_mb``). Whatever happens to it, the caller gets
an :class:`~miner.errors.ExtractionError` naming the file, never a crash of the worker.

Steps: read the text layer, metadata and outline in the child (:mod:`miner.extract._pdf_child`) ->
paragraphs, pages and sections from the page texts (:mod:`miner.extract._pdf_text`) -> OCR of
scanned pages with Tesseract when installed and enabled (:mod:`miner.extract.ocr`); without it
scanned pages are listed and ``needs_ocr`` is set.
"""

from __future__ import annotations

import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

from miner.errors import CorruptDocument
from miner.extract import sandbox
from miner.extract._pdf_text import build_paragraphs, join_lines
from miner.extract.limits import DEFAULT_LIMITS, Limits
from miner.extract.ocr import ocr_image, tesseract_languages
from miner.extract.record import JOURNAL_CHARS, finish
from miner.records import Extracted, Paragraph


def run_child(
    data: bytes, *, name: str, render_dir: str | None = None, limits: Limits = DEFAULT_LIMITS
) -> dict[str, Any]:
    """Run pdfium on ``data`` in the sandbox; its JSON answer, or a clear error."""
    if b"%PDF-" not in data[:1024]:
        raise CorruptDocument("not a PDF (no %PDF- header in the first KiB)", subject=name)
    return sandbox.run("pdf", data, name=name, options={"render_dir": render_dir}, limits=limits)


def ocr_pages(rendered: dict[str, str], deadline: float) -> tuple[dict[int, str], list[str]]:
    """Tesseract's text per page number, and warnings for pages it could not read in time."""
    languages = tesseract_languages()
    texts: dict[int, str] = {}
    warnings: list[str] = []
    if languages is None:
        return texts, warnings
    for key, path in sorted(rendered.items(), key=lambda kv: int(kv[0])):
        left = deadline - time.monotonic()
        if left <= 1:
            warnings.append(f"page {key}: no time left for OCR")
            continue
        try:
            texts[int(key)] = ocr_image(path, languages, timeout=left)
        except (OSError, subprocess.SubprocessError) as exc:
            warnings.append(f"page {key}: OCR failed ({str(exc)[:160]})")
    return texts, warnings


def ocr_paragraphs(text: str, page: int) -> list[Paragraph]:
    """Paragraphs of one OCR'd page: blank lines separate them, wrapped lines are joined."""
    out: list[Paragraph] = []
    for block in text.replace("\r", "").replace("\f", "\n\n").split("\n\n"):
        joined = ""
        for line in block.split("\n"):
            if line.strip():
                joined = join_lines(joined, " ".join(line.split()))
        if joined:
            out.append(Paragraph(index=0, text=joined, page=page))
    return out


def _merge_ocr(paragraphs: list[Paragraph], ocr_text: dict[int, str]) -> list[Paragraph]:
    """Insert OCR'd pages at their place by page number and renumber ``index``."""
    merged = list(paragraphs)
    for page in sorted(ocr_text):
        at = next((i for i, p in enumerate(merged) if (p.page or 0) > page), len(merged))
        merged[at:at] = ocr_paragraphs(ocr_text[page], page)
    return [Paragraph(i, p.text, p.page, p.language, p.section) for i, p in enumerate(merged)]


def extract_pdf(data: bytes, *, name: str = "", limits: Limits = DEFAULT_LIMITS) -> Extracted:
    """Paragraphs with 1-based page numbers and sections, metadata, scanned pages (OCR'd when possible)."""
    deadline = time.monotonic() + limits.extract_timeout
    want_ocr = limits.ocr and tesseract_languages() is not None
    with tempfile.TemporaryDirectory(prefix="miner-pdf-") as tmp:
        answer = run_child(data, name=name, render_dir=tmp if want_ocr else None, limits=limits)
        # the child is untrusted: only images inside our own temporary folder are handed to Tesseract
        rendered = {
            k: v for k, v in (answer.get("rendered") or {}).items() if Path(str(v)).parent == Path(tmp)
        }
        ocr_text, ocr_warnings = ocr_pages(rendered, deadline) if want_ocr else ({}, [])
    pages: list[str] = [p if isinstance(p, str) else "" for p in answer.get("pages") or []]
    scanned = tuple(int(p) for p in answer.get("image_only") or [])
    toc = [
        (int(lvl), str(title), None if idx is None else int(idx))
        for lvl, title, idx in answer.get("toc") or []
    ]
    paragraphs, _ = build_paragraphs(pages, skip_pages=frozenset(scanned), toc=toc or None)
    if ocr_text:
        paragraphs = _merge_ocr(paragraphs, ocr_text)
    unread = [p for p in scanned if p not in ocr_text]
    warnings = [str(w) for w in answer.get("errors") or []] + ocr_warnings
    if unread:
        warnings.append(f"{len(unread)} scanned page(s) without a text layer were not read (needs OCR)")
    return finish(
        "pdf",
        paragraphs,
        answer,
        journal_text=_journal_text(pages),
        warnings=warnings,
        page_count=int(answer.get("page_count") or len(pages)),
        scanned_pages=scanned,
        needs_ocr=bool(unread),
        ocr="tesseract" if ocr_text else None,
        max_paragraph_chars=limits.max_paragraph_chars,
    )


def _journal_text(pages: list[str]) -> str:
    """The raw text of the first pages and the last one: where the official journal stamps its date
    (scanned pages keep their stamp in the text layer, though they give no paragraphs)."""
    picked = [*pages[:3], *pages[-1:]] if len(pages) > 3 else pages
    return " ".join(str(p) for p in picked)[:JOURNAL_CHARS]
