"""What changed between two versions of a document, and the ``dropped_content`` flag.

Pure functions over :class:`VersionText` records (paragraphs, score, flags, counted evidence), so the
same comparison serves the pipeline (raising the flag when a new version is stored, in-process and in
workers), ``miner diff`` and the web's diff. This module is the one owner of both facts: *what counts
as a change* and *when content counts as dropped*.

Why normalised text and not bytes: sites re-render pages (a new menu, a "last updated" line, another
PDF producer) without changing what the plan says. A watchdog is told about changes in what a plan
says, so paragraphs are compared after Unicode normalisation, case folding and whitespace collapsing,
and paragraphs that are only a date line are left out.

When content counts as dropped (documented in docs/scoring.md, "dropped_content"): the new version
lost counted evidence about the group (a quote of the old version whose sentence appears nowhere in
the new text), or its score fell by :data:`SCORE_DROP` points or more.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from miner.records import Analysis, Evidence, Flag, Paragraph
from miner.rubric import FlagCode, Rubric, load_rubric
from miner.scoring.flags import Default

#: A fall of the document score by this many points (0-100) or more raises ``dropped_content`` even
#: when no quote disappeared (dimensions that fell from 100 to 50 without losing their sentence).
SCORE_DROP = 20

_SPACE = re.compile(r"\s+")
_MONTHS = (
    "januari|februari|maart|april|mei|juni|juli|augustus|september|oktober|november|december|"
    "janvier|février|fevrier|mars|avril|mai|juin|juillet|août|aout|septembre|octobre|novembre|décembre|"
    "decembre|january|february|march|may|june|july|august|october"
)
_DATE = re.compile(
    rf"\b(\d{{1,2}}(er)?\s+({_MONTHS})\s+\d{{4}}|\d{{1,2}}[/.-]\d{{1,2}}[/.-]\d{{2,4}}|\d{{4}}-\d{{2}}-\d{{2}})\b",
    re.IGNORECASE,
)
#: A paragraph of at most this many words that holds a date is a date line (published, updated on).
_DATE_LINE_WORDS = 8


def normalise(text: str) -> str:
    """The text a change is judged on: NFKC, case folded, whitespace collapsed."""
    return _SPACE.sub(" ", unicodedata.normalize("NFKC", text)).strip().casefold()


def is_date_line(text: str) -> bool:
    """A short paragraph that holds a date ("Gepubliceerd op 4 mei 2023", "Mis à jour le 02/03/2024")."""
    return len(text.split()) <= _DATE_LINE_WORDS and _DATE.search(text) is not None


def content_paragraphs(paragraphs: Iterable[Paragraph]) -> list[str]:
    """The normalised texts of the paragraphs that make up what a version says, in order."""
    out = []
    for p in paragraphs:
        t = normalise(p.text)
        if t and not is_date_line(t):
            out.append(t)
    return out


def text_hash(paragraphs: Iterable[Paragraph]) -> str:
    """SHA-256 of the normalised content paragraphs: equal hashes mean "not a change"."""
    h = hashlib.sha256()
    for t in content_paragraphs(paragraphs):
        h.update(t.encode("utf-8"))
        h.update(b"\n")
    return h.hexdigest()


@dataclass(frozen=True, slots=True)
class VersionText:
    """One version as the comparison needs it (from the pipeline, or read back from the store)."""

    paragraphs: tuple[Paragraph, ...]
    score: int | None = None
    flags: tuple[str, ...] = ()
    #: Counted evidence about the group: every dimension's quotes and the decisive ones.
    evidence: tuple[Evidence, ...] = ()


@dataclass(frozen=True, slots=True)
class VersionDiff:
    """What a new version changed: paragraphs, score, flags, and evidence lost and gained."""

    changed: bool
    added: tuple[Paragraph, ...] = ()
    removed: tuple[Paragraph, ...] = ()
    score_before: int | None = None
    score_after: int | None = None
    flags_raised: tuple[str, ...] = ()
    flags_cleared: tuple[str, ...] = ()
    evidence_lost: tuple[Evidence, ...] = ()
    evidence_gained: tuple[Evidence, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def score_change(self) -> int | None:
        if self.score_before is None or self.score_after is None:
            return None
        return self.score_after - self.score_before

    @property
    def dropped(self) -> bool:
        """Content counts as dropped: counted evidence lost, or the score fell by SCORE_DROP or more."""
        fall = self.score_change
        return self.changed and (bool(self.evidence_lost) or (fall is not None and fall <= -SCORE_DROP))

    def as_dict(self) -> dict[str, Any]:
        return {
            "changed": self.changed,
            "score_before": self.score_before,
            "score_after": self.score_after,
            "score_change": self.score_change,
            "paragraphs_added": [_paragraph(p) for p in self.added],
            "paragraphs_removed": [_paragraph(p) for p in self.removed],
            "flags_raised": list(self.flags_raised),
            "flags_cleared": list(self.flags_cleared),
            "evidence_lost": [e.as_dict() for e in self.evidence_lost],
            "evidence_gained": [e.as_dict() for e in self.evidence_gained],
            "dropped_content": self.dropped,
        }


def _paragraph(p: Paragraph) -> dict[str, Any]:
    return {"paragraph": p.index, "page": p.page, "language": p.language, "text": p.text}


def _unique(evidence: Iterable[Evidence]) -> list[Evidence]:
    seen: set[str] = set()
    out = []
    for e in evidence:
        key = normalise(e.text)
        if e.counted and not e.negated and key and key not in seen:
            seen.add(key)
            out.append(e)
    return out


def compare(old: VersionText, new: VersionText) -> VersionDiff:
    """The change from ``old`` to ``new`` (which need not be consecutive versions).

    A paragraph is added or removed when its normalised text is in one version and not the other
    (a moved paragraph is neither); a quote is lost when its sentence appears nowhere in the new
    text, so a paragraph that was merely re-flowed keeps its evidence.
    """
    old_texts = content_paragraphs(old.paragraphs)
    new_texts = content_paragraphs(new.paragraphs)
    if old_texts == new_texts:
        return VersionDiff(False, score_before=old.score, score_after=new.score)
    old_set, new_set = set(old_texts), set(new_texts)
    removed = tuple(
        p for p in old.paragraphs if (t := normalise(p.text)) and t not in new_set and not is_date_line(t)
    )
    added = tuple(
        p for p in new.paragraphs if (t := normalise(p.text)) and t not in old_set and not is_date_line(t)
    )
    old_all, new_all = "\n".join(old_texts), "\n".join(new_texts)
    lost = tuple(e for e in _unique(old.evidence) if normalise(e.text) not in new_all)
    gained = tuple(e for e in _unique(new.evidence) if normalise(e.text) not in old_all)
    return VersionDiff(
        True,
        added=added,
        removed=removed,
        score_before=old.score,
        score_after=new.score,
        flags_raised=tuple(c for c in new.flags if c not in old.flags),
        flags_cleared=tuple(c for c in old.flags if c not in new.flags),
        evidence_lost=lost,
        evidence_gained=gained,
    )


def dropped_content(diff: VersionDiff, rubric: Rubric | None = None) -> Flag | None:
    """The ``dropped_content`` flag of a new version, quoting what disappeared (page, paragraph of the
    old version): the evidence lost, else the removed paragraphs. None when nothing counts as dropped
    or the rubric does not enable the flag."""
    rubric = rubric or load_rubric()
    rule = rubric.flag(FlagCode.DROPPED_CONTENT)
    if rule is None or not diff.dropped:
        return None
    limit = rubric.evidence.max_per_flag
    quotes: tuple[Evidence, ...] = diff.evidence_lost[:limit] or tuple(
        Evidence("", p.text[: rubric.evidence.max_quote_chars], "", p.index, p.page, 0, 0, p.language)
        for p in diff.removed[:limit]
    )
    reason = rule.reason.format_map(
        Default(
            old="–" if diff.score_before is None else str(diff.score_before),
            new="–" if diff.score_after is None else str(diff.score_after),
            lost=str(len(diff.evidence_lost)),
            removed=str(len(diff.removed)),
        )
    )
    return Flag(rule.code, rule.severity, reason, quotes)


def evidence_of(
    dimensions: Mapping[str, Any], extra: Sequence[Mapping[str, Any]] = ()
) -> tuple[Evidence, ...]:
    """Counted evidence from stored JSON: every dimension's quotes, then the decisive ones."""
    items = [e for d in dimensions.values() for e in (d.get("evidence") or ())] + list(extra)
    return tuple(_from_dict(e) for e in items)


def _from_dict(e: Mapping[str, Any]) -> Evidence:
    return Evidence(
        dimension=str(e.get("dimension") or ""),
        text=str(e.get("text") or ""),
        term=str(e.get("term") or ""),
        paragraph=int(e.get("paragraph") or 0),
        page=e.get("page"),
        start=int(e.get("start") or 0),
        end=int(e.get("end") or 0),
        language=str(e.get("language") or ""),
        negated=bool(e.get("negated")),
        direction=str(e.get("direction") or ""),
        counted=e.get("counted", True) is not False,
    )


def of_analysis(paragraphs: Sequence[Paragraph], analysis: Analysis) -> VersionText:
    """A freshly analysed version as the comparison needs it (the pipeline's records)."""
    scored = analysis.error is None and analysis.scored
    evidence = tuple(e for d in analysis.dimensions for e in d.evidence) + tuple(analysis.evidence)
    return VersionText(
        tuple(paragraphs),
        analysis.score if scored else None,
        tuple(f.code for f in analysis.flags),
        evidence if scored else (),
    )
