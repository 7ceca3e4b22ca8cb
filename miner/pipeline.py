"""The analysis pipeline: extract -> language -> analyse -> score, with no database and no Celery.

The CLI, the crawl job and the workers all call these functions, so that a document gets the same
answer wherever it is analysed. Everything here is pure with respect to storage: the caller decides
what to keep.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from miner.analyse import language as language_stage
from miner.analyse.classifier import load_classifier
from miner.analyse.nlp import Tokens, tokenize
from miner.config import get_settings
from miner.extract import extract, read_document
from miner.records import Analysis, Extracted, Paragraph, content_hash
from miner.score import load_rubric, score_document


def _tokens_for(paragraphs: Sequence[Paragraph]) -> list[Tokens]:
    return [tokenize(p.text, p.language or "other") for p in paragraphs]


def analyse_paragraphs(
    doc_id: str,
    paragraphs: Sequence[Paragraph],
    *,
    title: str | None = None,
    meta: dict[str, Any] | None = None,
) -> Analysis:
    """Score paragraphs whose ``language`` is already set."""
    classifier = load_classifier()
    rubric = load_rubric()
    tokens = _tokens_for(paragraphs)
    relevance = [classifier.predict_tokens(t) for t in tokens]
    dominant = _dominant_language(paragraphs)
    override = get_settings().migrant_threshold
    threshold = override if override is not None else classifier.threshold_for(dominant)
    return score_document(
        doc_id,
        paragraphs,
        tokens,
        relevance,
        migrant_threshold=threshold,
        rubric=rubric,
        title=title,
        meta=meta,
        model_version=classifier.version,
    )


def _dominant_language(paragraphs: Sequence[Paragraph]) -> str:
    weight: dict[str, int] = {}
    for p in paragraphs:
        weight[p.language] = weight.get(p.language, 0) + len(p.text)
    return max(weight, key=lambda k: weight[k]) if weight else "other"


def analyse_text(doc_id: str, text: str, lang: str | None = None) -> Analysis:
    """Analyse one passage of plain text (one JSON line of ``miner analyse --jsonl``).

    The whole text is one passage: the classifier was trained on whole questions, and a short text
    split into paragraphs would lose the context that decides it. ``lang`` wins over detection.
    """
    text = text.strip()
    language = lang or language_stage.detect(text)
    paragraph = Paragraph(index=0, text=text, page=None, language=language)
    analysis = analyse_paragraphs(doc_id, [paragraph])
    return replace(analysis, kind="text", content_hash=content_hash(text.encode("utf-8")))


def analyse_extracted(
    doc_id: str, doc: Extracted, *, digest: str | None = None
) -> tuple[Extracted, Analysis]:
    """Language per paragraph, then analysis and scoring of an extracted document."""
    doc = language_stage.assign_languages(doc)
    meta = {"kind": doc.kind, "page_count": doc.page_count}
    if not doc.paragraphs:
        reason = "needs OCR: scanned pages and no OCR engine" if doc.needs_ocr else "no text found"
        analysis = Analysis.failed(doc_id, reason, kind=doc.kind, title=doc.title, content_hash=digest)
        return doc, replace(analysis, needs_ocr=doc.needs_ocr, page_count=doc.page_count)
    analysis = analyse_paragraphs(doc_id, doc.paragraphs, title=doc.title, meta=meta)
    analysis = replace(
        analysis,
        title=doc.title,
        kind=doc.kind,
        page_count=doc.page_count,
        needs_ocr=doc.needs_ocr,
        content_hash=digest,
        warnings=analysis.warnings + doc.warnings,
    )
    return doc, analysis


def analyse_bytes(
    data: bytes, *, doc_id: str, name: str = "", hints: dict[str, Any] | None = None
) -> tuple[Extracted, Analysis]:
    """Extract and analyse raw document bytes (a fetched or uploaded file).

    Raises :class:`miner.errors.ExtractionError` (permanent) when the bytes cannot be read.
    """
    doc = extract(data, name=name or doc_id)
    return analyse_extracted(doc_id, doc, digest=content_hash(data))


def analyse_file(path: str | Path) -> tuple[Extracted, Analysis]:
    """Extract and analyse a file on disk (``miner analyse PATH``); the file is read once."""
    return analyse_bytes(read_document(path), doc_id=str(path), name=str(path))
