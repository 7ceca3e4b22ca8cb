"""PDF: pypdfium2 in a sandboxed child process, then pure text steps in the parent.

Why a child: pdfium is C++ and malformed PDFs can make it loop, exhaust memory or segfault. One child
per document (not per page) keeps the start-up cost amortised; it has a wall-clock limit
(``settings.extract_timeout``), a CPU limit of the same length, and sets its own address-space limit
(``settings.extract_memory_mb``). Whatever happens to it, the caller gets an
:class:`~miner.errors.ExtractionError` naming the file, never a crash of the worker.

Steps: run the child (:func:`run_child`) -> paragraphs, pages and sections from the page texts
(:mod:`miner.extract._pdf_text`) -> OCR of scanned pages with Tesseract when installed and enabled
(:mod:`miner.extract.ocr`); without it scanned pages are listed and ``needs_ocr`` is set.
"""

from __future__ import annotations

import json
import math
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from miner.config import get_settings
from miner.errors import CorruptDocument, EncryptedDocument, ExtractionLimit
from miner.extract._pdf_text import build_paragraphs, join_lines
from miner.extract.ocr import ocr_image, tesseract_languages
from miner.records import Extracted, Paragraph

CHILD = Path(__file__).with_name("_pdf_child.py")
#: The child's exit status when Python ran out of its address space.
MEMORY_EXIT = 3
_OOM_MARKERS = ("MemoryError", "bad_alloc", "out of memory", "Cannot allocate memory")


def run_child(data: bytes, *, name: str, render_dir: str | None = None) -> dict[str, Any]:
    """Run pdfium on ``data`` in a fresh process under the limits; its JSON answer, or a clear error."""
    if b"%PDF-" not in data[:1024]:
        raise CorruptDocument("not a PDF (no %PDF- header in the first KiB)", subject=name)
    settings = get_settings()
    timeout = settings.extract_timeout
    # -I: no user site, no PYTHON* variables, no current folder on sys.path; run by path so that the
    # child does not import the miner package (start-up stays cheap).
    cmd = [sys.executable, "-I", str(CHILD), "--memory-mb", str(settings.extract_memory_mb)]
    cmd += ["--cpu-seconds", str(max(1, math.ceil(timeout)))]
    if render_dir is not None:
        cmd += ["--render", render_dir]
    try:
        proc = subprocess.run(cmd, input=data, capture_output=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired as exc:
        raise ExtractionLimit(
            f"PDF extraction took longer than {timeout:g} s and was stopped", subject=name
        ) from exc
    stderr = proc.stderr.decode("utf-8", "replace")
    if proc.returncode == MEMORY_EXIT or (proc.returncode != 0 and any(m in stderr for m in _OOM_MARKERS)):
        raise ExtractionLimit(
            f"PDF extraction went over the memory limit of {settings.extract_memory_mb} MiB and was stopped",
            subject=name,
        )
    if proc.returncode == -signal.SIGABRT:
        # pdfium aborts when an allocation fails (C++ bad_alloc): under the address-space cap that is
        # the memory limit, not a property of the file.
        raise ExtractionLimit(
            f"the PDF reader aborted, most likely at the memory limit of {settings.extract_memory_mb} MiB",
            subject=name,
        )
    if proc.returncode in (-signal.SIGXCPU, -signal.SIGKILL):
        raise ExtractionLimit(
            f"PDF extraction used more than {timeout:g} s of CPU and was stopped", subject=name
        )
    if proc.returncode < 0:
        try:
            sig = signal.Signals(-proc.returncode).name
        except ValueError:
            sig = str(-proc.returncode)
        raise CorruptDocument(f"the PDF crashed the PDF reader ({sig})", subject=name)
    try:
        answer: dict[str, Any] = json.loads(proc.stdout)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        tail = (stderr.strip().splitlines() or ["no output"])[-1]
        raise CorruptDocument(f"the PDF reader failed ({tail[:200]})", subject=name) from exc
    if not answer.get("ok"):
        message = str(answer.get("message") or "unreadable PDF")
        if answer.get("error") == "encrypted":
            raise EncryptedDocument(message, subject=name)
        raise CorruptDocument(message, subject=name)
    return answer


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


def extract_pdf(data: bytes, *, name: str = "") -> Extracted:
    """Paragraphs with 1-based page numbers and sections, metadata, scanned pages (OCR'd when possible)."""
    settings = get_settings()
    deadline = time.monotonic() + settings.extract_timeout
    want_ocr = settings.ocr and tesseract_languages() is not None
    with tempfile.TemporaryDirectory(prefix="miner-pdf-") as tmp:
        answer = run_child(data, name=name, render_dir=tmp if want_ocr else None)
        # the child is untrusted: only images inside our own temporary folder are handed to Tesseract
        rendered = {
            k: v for k, v in (answer.get("rendered") or {}).items() if Path(str(v)).parent == Path(tmp)
        }
        ocr_text, ocr_warnings = ocr_pages(rendered, deadline) if want_ocr else ({}, [])
    pages: list[str] = answer.get("pages") or []
    scanned = tuple(int(p) for p in answer.get("image_only") or [])
    toc = [
        (int(lvl), str(title), None if idx is None else int(idx))
        for lvl, title, idx in answer.get("toc") or []
    ]
    paragraphs, _ = build_paragraphs(pages, skip_pages=frozenset(scanned), toc=toc or None)
    if ocr_text:
        paragraphs = _merge_ocr(paragraphs, ocr_text)
    unread = [p for p in scanned if p not in ocr_text]
    warnings = [*answer.get("errors", []), *ocr_warnings]
    if unread:
        warnings.append(f"{len(unread)} scanned page(s) without a text layer were not read (needs OCR)")
    return Extracted(
        kind="pdf",
        paragraphs=tuple(paragraphs),
        title=answer.get("title") or None,
        declared_language=answer.get("lang") or None,
        page_count=int(answer.get("page_count") or len(pages)),
        scanned_pages=scanned,
        needs_ocr=bool(unread),
        ocr="tesseract" if ocr_text else None,
        warnings=tuple(warnings),
    )
