"""Trend reports for analysts: figures per government, source, domain, language or publication year.

Every figure says how many documents it rests on. Documents that could not be scored (an error,
scanned pages without OCR, a language without a lexicon: :func:`not_scored_reason`, the one rule)
are counted apart and never averaged as 0. The mean score is over *scored, in-scope* documents
(employment or education detected in the text, the scope of the product's flags), because a score
measures what an employment or education plan does for people with a migration background and
means little for a text about something else. A text a publisher serves in two languages (a document
and its translations, ``translation_of``) is counted once, under its first-stored variant. A year is the publication year; documents without a
known publication date count under their fetch year, on rows that say so (``year_source``).

Library API (the CLI, the web app and the e-mailed report call these):

- :func:`build_report` ``(repo, by, *, government=None, source_id=None) -> TrendReport`` (plain
  records: ``report.rows``, ``report.levels``, ``report.totals``, ``report.as_dict()``);
- :func:`summarise` ``(facts, by) -> list[dict]`` over any iterable of
  :class:`~miner.store.reports.DocumentFacts`;
- :func:`government_levels` ``(facts) -> list[dict]`` (:mod:`miner.report.levels`);
- :func:`miner.report.render.render_markdown` / ``render_text`` and
  :func:`miner.report.chart.draw_chart` render a report.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from miner.analyse.lexicon import LEXICON_LANGUAGES
from miner.report.dates import report_date
from miner.report.levels import LevelCounter, in_scope
from miner.store.reports import DocumentFacts
from miner.store.repository import Repository

#: What a report can group by (one or two of them).
GROUPINGS = ("government", "source", "domain", "language", "year")
#: Why a document was not scored (the values of ``not_scored_reasons``).
NOT_ANALYSED = "not analysed"
ERROR = "error"
NEEDS_OCR = "needs OCR"
NO_LEXICON = "no lexicon"


def not_scored_reason(f: DocumentFacts) -> str | None:
    """Why ``f`` has no score that a mean may include, or None when it has one.

    The one rule for "not scored": no analysis yet; an analysis that failed (its error, or no score);
    scanned pages that could not be read; no paragraph in a language with a lexicon (nl, fr: any
    other would be scored 0 for want of words to match, not for want of content). An analysis that
    marks itself not scored in its detail (``not_scored``: a reason, or ``scored: false``) is taken
    at its word."""
    marker = f.detail.get("not_scored")
    if marker:
        return marker if isinstance(marker, str) else "not scored"
    if f.detail.get("scored") is False:
        return "not scored"
    if not f.analysed:
        return NOT_ANALYSED
    if f.error is not None:
        return NEEDS_OCR if f.needs_ocr else ERROR
    languages = [lang for lang, share in f.language_mix.items() if share] or [f.language or ""]
    if not any(lang in LEXICON_LANGUAGES for lang in languages):
        return NO_LEXICON
    if f.score is None:  # the analysis declined to score (stored without a score)
        return NEEDS_OCR if f.needs_ocr else "not scored"
    return None


def check_grouping(by: Sequence[str]) -> list[str]:
    """``by`` as a list, or ValueError naming what is wrong (one or two of :data:`GROUPINGS`)."""
    by = [b.strip() for b in by if b.strip()]
    bad = [b for b in by if b not in GROUPINGS]
    if bad:
        raise ValueError(f"{', '.join(repr(b) for b in bad)} is not one of {', '.join(GROUPINGS)}")
    if not 1 <= len(by) <= 2 or len(set(by)) != len(by):
        raise ValueError(f"group by one or two different ones of {', '.join(GROUPINGS)}")
    return by


def _keys(f: DocumentFacts, by: str, scored: bool) -> list[Any]:
    """The group(s) ``f`` falls in under ``by``: a document about two domains counts in both."""
    if by == "government":
        return [f.government]
    if by == "source":
        return [f.source_id]
    if by == "language":
        return [f.language or "unknown"]
    if by == "domain":
        if not scored:
            return ["unknown"]
        return list(f.domains) or ["none"]
    when, source = report_date(f.published, f.fetched_at)
    return [(when.year if when else None, source)]


@dataclass
class _Group:
    documents: int = 0
    scored: int = 0
    in_scope: int = 0
    score_sum: int = 0
    flagged: int = 0
    migrant: int = 0
    reasons: dict[str, int] = field(default_factory=dict)
    dimensions: dict[str, int] = field(default_factory=dict)
    flags: dict[str, int] = field(default_factory=dict)

    def add(self, f: DocumentFacts, reason: str | None) -> None:
        self.documents += 1
        if reason is not None:
            self.reasons[reason] = self.reasons.get(reason, 0) + 1
            return
        self.scored += 1
        if in_scope(f):
            self.in_scope += 1
            self.score_sum += f.score or 0
        self.flagged += bool(f.flags)
        self.migrant += bool(f.migrant)
        for name, value in f.dimensions.items():
            self.dimensions[name] = self.dimensions.get(name, 0) + (value > 0)
        for code in f.flag_codes:
            self.flags[code] = self.flags.get(code, 0) + 1


class Summary:
    """The rows of a report, counted one document at a time (nothing else is held)."""

    def __init__(self, by: Sequence[str]) -> None:
        self.by = check_grouping(by)
        self.groups: dict[tuple[Any, ...], _Group] = {}
        self.dimension_names: list[str] = []

    def add(self, f: DocumentFacts, reason: str | None) -> None:
        for name in f.dimensions:
            if name not in self.dimension_names:
                self.dimension_names.append(name)
        first = _keys(f, self.by[0], reason is None)
        second = _keys(f, self.by[1], reason is None) if len(self.by) == 2 else [None]
        for a in first:
            for b in second:
                self.groups.setdefault((a, b), _Group()).add(f, reason)

    def rows(self) -> list[dict[str, Any]]:
        rows = []
        for key in sorted(self.groups, key=_sort_key):
            g = self.groups[key]
            row: dict[str, Any] = {}
            for name, value in zip(self.by, key, strict=False):
                if name == "year":
                    row["year"], row["year_source"] = value
                else:
                    row[name] = value
            row.update(
                documents=g.documents,
                scored=g.scored,
                not_scored=g.documents - g.scored,
                not_scored_reasons=dict(sorted(g.reasons.items())),
                in_scope=g.in_scope,
                mean_score=round(g.score_sum / g.in_scope, 1) if g.in_scope else None,
                flagged=g.flagged,
                flagged_share=_share(g.flagged, g.scored),
                migrant_share=_share(g.migrant, g.scored),
                coverage={d: _share(g.dimensions.get(d, 0), g.scored) for d in self.dimension_names},
                flags=dict(sorted(g.flags.items(), key=lambda kv: (-kv[1], kv[0]))),
            )
            rows.append(row)
        return rows


def summarise(facts: Iterable[DocumentFacts], by: Sequence[str]) -> list[dict[str, Any]]:
    """One row per group: its key(s) (a ``year`` row also has ``year_source``), then

    ``documents`` (all), ``scored``, ``not_scored`` and ``not_scored_reasons``; ``in_scope`` (scored
    documents about employment or education) and ``mean_score`` over them; ``flagged`` (scored
    documents with a flag) and ``flagged_share`` of the scored; ``migrant_share`` of the scored;
    ``coverage``: per dimension, the share of scored documents where it is above 0; ``flags``: how
    many scored documents raised each flag. Shares are None where nothing was scored."""
    summary = Summary(by)
    for f in one_per_text(facts):
        summary.add(f, not_scored_reason(f))
    return summary.rows()


def one_per_text(facts: Iterable[DocumentFacts]) -> Iterable[DocumentFacts]:
    """The documents that are not a translation of another: one per text, whatever its languages."""
    return (f for f in facts if f.translation_of is None)


def _share(n: int, of: int) -> float | None:
    return round(n / of, 3) if of else None


def _sort_key(key: tuple[Any, ...]) -> tuple[Any, ...]:
    out: list[Any] = []
    for part in key:
        if isinstance(part, tuple):  # (year, year_source): unknown years last
            out.append((part[0] is None, part[0] or 0, part[1] or ""))
        else:
            out.append((part is None, str(part or "")))
    return tuple(out)


@dataclass(frozen=True, slots=True)
class TrendReport:
    """A report as plain records: what the CLI prints, the web app shows and the e-mail carries."""

    by: tuple[str, ...]
    rows: tuple[dict[str, Any], ...]
    levels: tuple[dict[str, Any], ...]
    totals: dict[str, Any]
    filters: dict[str, Any]

    def as_dict(self) -> dict[str, Any]:
        return {
            "by": list(self.by),
            "filters": self.filters,
            "totals": self.totals,
            "rows": list(self.rows),
            "levels": list(self.levels),
        }


def build_report(
    repo: Repository,
    by: Sequence[str],
    *,
    government: str | None = None,
    source_id: str | None = None,
) -> TrendReport:
    """The trend report over every stored document (of one government or source), grouped ``by``,
    with the level per government. The documents are streamed from the store page by page and
    counted as they come: memory holds the counters, not the documents."""
    summary = Summary(by)
    levels = LevelCounter()
    totals = {"documents": 0, "scored": 0, "not_scored": 0, "in_scope": 0}
    for f in one_per_text(repo.iter_facts(government=government, source_id=source_id)):
        reason = not_scored_reason(f)
        summary.add(f, reason)
        levels.see(f.government)
        totals["documents"] += 1
        if reason is None:
            levels.add(f)
            totals["scored"] += 1
            totals["in_scope"] += in_scope(f)
        else:
            totals["not_scored"] += 1
    return TrendReport(
        by=tuple(summary.by),
        rows=tuple(summary.rows()),
        levels=tuple(levels.rows()),
        totals=totals,
        filters={"government": government, "source": source_id},
    )
