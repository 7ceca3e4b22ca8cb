"""The analysis pipeline: extract -> language -> analyse -> score, with no database and no Celery.

The CLI, the crawl job and the workers all call these functions, so that a document gets the same
answer wherever it is analysed: a plain-text file (``miner analyse FILE``) and the same text sent as
one JSON line (``miner analyse --jsonl``) go through the very same steps (paragraphs on blank lines,
wrapped lines rejoined, language per paragraph, relevance from the best sentence window).
Everything here is pure with respect to storage: the caller decides what to keep. What the analysis
needs besides the document (rubric, lexicons, classifier, threshold, extraction limits) comes in one
:class:`~miner.analyser.Analyser` the caller built from its settings; nothing here reads the settings.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from miner.analyse import language as language_stage
from miner.analyse.nlp import Tokens, tokenize
from miner.analyse.reflow import rejoin_lines
from miner.analyser import Analyser
from miner.extract import extract, extract_plain_text, read_document
from miner.records import Analysis, Extracted, Paragraph, content_hash
from miner.score import score_document


def _tokens_for(paragraphs: Sequence[Paragraph]) -> list[Tokens]:
    return [tokenize(p.text, p.language or "other") for p in paragraphs]


def analyse_paragraphs(
    doc_id: str,
    paragraphs: Sequence[Paragraph],
    *,
    analyser: Analyser,
    title: str | None = None,
    meta: dict[str, Any] | None = None,
) -> Analysis:
    """Score paragraphs whose ``language`` is already set.

    A paragraph's relevance is the probability of the best sentence window that overlaps it;
    windows run across paragraph boundaries, so where the text was cut into paragraphs does not
    change the document's relevance (:meth:`PassageClassifier.predict_paragraphs`).
    """
    classifier = analyser.classifier
    tokens = _tokens_for(paragraphs)
    relevance = classifier.predict_paragraphs(tokens)
    return score_document(
        doc_id,
        paragraphs,
        tokens,
        relevance,
        migrant_threshold=analyser.threshold_for(_dominant_language(paragraphs)),
        rubric=analyser.rubric,
        lexicons=analyser.lexicons,
        title=title,
        meta=meta,
        model_version=classifier.version,
    )


def _dominant_language(paragraphs: Sequence[Paragraph]) -> str:
    weight: dict[str, int] = {}
    for p in paragraphs:
        weight[p.language] = weight.get(p.language, 0) + len(p.text)
    return max(weight, key=lambda k: weight[k]) if weight else "other"


def analyse_text(doc_id: str, text: str, lang: str | None = None, *, analyser: Analyser) -> Analysis:
    """Analyse plain text (one JSON line of ``miner analyse --jsonl``) exactly as a text file.

    The text goes through the plain-text extractor (paragraphs on blank lines, ``#`` headings),
    so the answer equals ``miner analyse`` on a file holding the same text. ``lang`` wins over
    detection for every paragraph.
    """
    data = text.encode("utf-8")
    doc = extract_plain_text(text, name=doc_id, limits=analyser.limits)
    _, analysis = analyse_extracted(doc_id, doc, analyser=analyser, digest=content_hash(data), language=lang)
    return replace(analysis, kind="text")


def analyse_extracted(
    doc_id: str,
    doc: Extracted,
    *,
    analyser: Analyser,
    digest: str | None = None,
    language: str | None = None,
) -> tuple[Extracted, Analysis]:
    """Language per paragraph, then analysis and scoring of an extracted document.

    Plain text has its wrapped lines rejoined first (:mod:`miner.analyse.reflow`); other formats
    carry their own paragraph structure. ``language`` sets every paragraph's language instead of
    detecting it.
    """
    if doc.kind == "text":
        doc = replace(doc, paragraphs=rejoin_lines(doc.paragraphs))
    doc = _with_languages(doc, language)
    meta = {"kind": doc.kind, "page_count": doc.page_count}
    if not doc.paragraphs:
        reason = "needs OCR: scanned pages and no OCR engine" if doc.needs_ocr else "no text found"
        analysis = Analysis.failed(doc_id, reason, kind=doc.kind, title=doc.title, content_hash=digest)
        return doc, replace(analysis, needs_ocr=doc.needs_ocr, page_count=doc.page_count)
    analysis = analyse_paragraphs(doc_id, doc.paragraphs, analyser=analyser, title=doc.title, meta=meta)
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


#: Detector confidence above which a paragraph's language counts as certain.
PLAIN_CONFIDENCE = 0.85
#: Paragraphs at least this long decide whether a document is plainly in one language (shorter
#: ones, headings and list items, are where detectors err).
PLAIN_CHARS = 200


def _with_languages(doc: Extracted, language: str | None = None) -> Extracted:
    """Every paragraph's language: ``language`` when given; one language for a document whose
    long paragraphs are all, with confidence, in that language; else the language stage's
    per-paragraph assignment, which also splits paragraphs that mix languages.

    Why the shortcut: the language stage checks every sentence of every paragraph, which costs
    more than the rest of the analysis on a short text and only matters when a document mixes
    languages. The same rule serves every entry point, so a file and its text agree.
    """
    if not language:
        found: set[str] = set()
        for p in doc.paragraphs:
            if len(p.text) < PLAIN_CHARS:
                continue
            lang, confidence = language_stage.detect_with_confidence(p.text)
            found.add(lang if confidence >= PLAIN_CONFIDENCE else "")
            if len(found) > 1 or "" in found:
                return language_stage.assign_languages(doc)
        if len(found) != 1:
            return language_stage.assign_languages(doc)
        language = found.pop()
    return replace(doc, paragraphs=tuple(replace(p, language=language) for p in doc.paragraphs))


def analyse_bytes(
    data: bytes, *, doc_id: str, analyser: Analyser, name: str = "", hints: dict[str, Any] | None = None
) -> tuple[Extracted, Analysis]:
    """Extract and analyse raw document bytes (a fetched or uploaded file).

    Raises :class:`miner.errors.ExtractionError` (permanent) when the bytes cannot be read.
    """
    doc = extract(data, name=name or doc_id, limits=analyser.limits)
    return analyse_extracted(doc_id, doc, analyser=analyser, digest=content_hash(data))


def analyse_file(path: str | Path, *, analyser: Analyser) -> tuple[Extracted, Analysis]:
    """Extract and analyse a file on disk (``miner analyse PATH``); the file is read once."""
    data = read_document(path, analyser.limits)
    return analyse_bytes(data, doc_id=str(path), analyser=analyser, name=str(path))
