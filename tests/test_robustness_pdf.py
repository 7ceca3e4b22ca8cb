"""Every malformed, encrypted or odd PDF of the robustness corpus gives an answer or a clear error.

The corpus (pdf.js, pdfminer.six, pypdf test files) holds broken xrefs, bad encodings, encryption
r2-r6, evil XObjects and truncated streams. None may crash or hang the caller: each one yields an
``Extracted`` or one of the three documented extraction errors, with the file as its subject.
OCR is switched off here: this is about the reader surviving the input, not about reading scans.
"""

from __future__ import annotations

from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path

import pytest

from miner.errors import CorruptDocument, EncryptedDocument, ExtractionLimit
from miner.extract import DEFAULT_LIMITS
from miner.extract.pdf import extract_pdf
from miner.records import Extracted

CLEAR_ERRORS = (EncryptedDocument, CorruptDocument, ExtractionLimit)


#: No OCR, and a 30 s deadline: a hang shows up as a clear error, not a stuck suite.
ROBUST = replace(DEFAULT_LIMITS, ocr=False, extract_timeout=30.0)


def _pdfs(corpora: Path) -> list[Path]:
    root = corpora / "robustness" / "pdf"
    files = sorted(p for p in root.rglob("*.pdf") if p.is_file())
    if not files:
        pytest.skip(f"no PDFs under {root}")
    return files


def _outcome(path: Path) -> str:
    try:
        doc = extract_pdf(path.read_bytes(), name=str(path), limits=ROBUST)
    except CLEAR_ERRORS as exc:
        assert exc.subject == str(path)
        assert exc.message
        return type(exc).__name__
    assert isinstance(doc, Extracted) and doc.kind == "pdf"
    assert [p.index for p in doc.paragraphs] == list(range(len(doc.paragraphs)))
    assert all(p.page is not None and 1 <= p.page <= (doc.page_count or 0) for p in doc.paragraphs)
    return "Extracted"


def test_every_robustness_pdf_gives_a_result_or_a_clear_error(corpora: Path) -> None:
    files = _pdfs(corpora)
    # Each extraction is its own child process, so two threads keep both cores busy.
    with ThreadPoolExecutor(max_workers=2) as pool:
        outcomes = dict(zip(files, pool.map(_outcome, files), strict=True))
    counts = Counter(outcomes.values())
    assert sum(counts.values()) == len(files)
    # The corpus is mostly readable, and its password-protected files are recognised as such.
    assert counts["Extracted"] > len(files) // 2
    assert counts["EncryptedDocument"] >= 10
    encryption = corpora / "robustness/pdf/pypdf-resources/resources/encryption"
    for name in ("r2-empty-password.pdf", "r4-owner-password.pdf", "r6-empty-password.pdf"):
        assert outcomes[encryption / name] == "Extracted", name  # the empty password opens them
    for name in ("r2-user-password.pdf", "r6-user-password.pdf"):
        assert outcomes[encryption / name] == "EncryptedDocument", name
