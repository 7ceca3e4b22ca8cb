"""Lexicon matches + passage probabilities -> dimension scores, overall score, flags, evidence.

Why rules and not a learned score: a watchdog must be able to say *why* a plan scored 50 and not
100, with the sentence that decided it. So every dimension is scored 0/50/100 by the rubric's rule
(``corpora/rubric.toml``, explained in docs/scoring.md) from lexicon matches, and every score and
flag carries the quoted sentences behind it. The passage classifier only decides how much the
document is *about* people with a migration background (``relevance`` / ``migrant``); it does not
move the rubric score or any flag, so that a Dutch and a French text with the same content score
the same whatever the two classifiers think.

A long document is scored per chapter (:mod:`miner.scoring.layout`): its score is the
word-weighted mean of its in-scope chapters' scores, so it never exceeds its best chapter, and
tables of contents, front matter and repeated lines are never evidence.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from miner.analyse.lexicon import LEXICON_LANGUAGES, Lexicon
from miner.analyse.nlp import Tokens
from miner.errors import ConfigError, InputError
from miner.records import Analysis, DimensionScore, Evidence, Paragraph, SectionScore
from miner.rubric import Rubric, load_rubric
from miner.scoring import layout
from miner.scoring.flags import merge_chapter_flags, unit_flags
from miner.scoring.units import DimResult, Par, decisive, evidence_list, make_par, overall, score_dimension

__all__ = ["document_relevance", "load_rubric", "score_document"]

#: Share of words in languages with a lexicon below which a document is not scored.
MIN_SCORED_SHARE = 0.5


# --- relevance ----------------------------------------------------------------------------------------


def document_relevance(probs: Sequence[float], weights: Sequence[int], rubric: Rubric) -> float:
    """How much a document is about people with a migration background (0-1).

    ``probs`` are the paragraphs' probabilities, each the probability of the best sentence window
    overlapping the paragraph (:meth:`PassageClassifier.predict_paragraphs`); ``weights`` their
    word counts. One paragraph: its probability. More: the mean of the ``top_k`` probabilities
    damped by how much of the text is relevant, ``top x (floor + (1 - floor) x min(1, share /
    full_share))`` with ``share`` the word-weighted mean probability. The shipped rubric sets
    ``top_k = 1, floor = 1``: the best window decides, so that relevance does not depend on the
    document's length or on where its paragraphs were cut (``[relevance]`` in rubric.toml).
    """
    if not probs:
        return 0.0
    ps = [min(1.0, max(0.0, float(p))) for p in probs]
    if len(ps) == 1:
        return ps[0]
    rule = rubric.relevance
    top = sorted(ps, reverse=True)[: rule.top_k]
    top_mean = sum(top) / len(top)
    total = sum(max(1, w) for w in weights)
    share = sum(p * max(1, w) for p, w in zip(ps, weights, strict=True)) / total
    return top_mean * (rule.floor + (1 - rule.floor) * min(1.0, share / rule.full_share))


# --- one unit -----------------------------------------------------------------------------------------


class _Unit:
    """A chapter, a block of pages, or the whole text, scored on its own."""

    def __init__(self, rubric: Rubric, title: str, pars: Sequence[Par]) -> None:
        self.title = title
        self.pars = list(pars)
        self.words = sum(p.words for p in self.pars)
        self.domains = _domains(rubric, self.pars, self.words)
        self.in_scope = any(d in rubric.scope.watched for d in self.domains)
        watched_cats = tuple(
            c for dom, cats in rubric.scope.domains if dom in rubric.scope.watched for c in cats
        )
        self.results: dict[str, DimResult] = {
            d.name: score_dimension(d, self.pars, rubric, self.in_scope, watched_cats)
            for d in rubric.dimensions
        }
        self.score = overall(rubric, {k: r.score for k, r in self.results.items()})
        self.flags = unit_flags(rubric, self.pars, self.results, self.domains)
        self.decisive = tuple(
            e for d in rubric.dimensions for e in decisive(d.name, self.results[d.name], rubric)
        )


def _domains(rubric: Rubric, pars: Sequence[Par], words: int) -> tuple[str, ...]:
    """Domains the unit is in: enough non-negated domain terms, absolutely and per 1,000 words (a
    short text needs one)."""
    found: list[str] = []
    rule = rubric.scope
    for domain, cats in rule.domains:
        n = sum(1 for p in pars for m in p.matches if m.category in cats and m.counts)
        enough = n >= rule.min_matches or (n >= rule.short_min_matches and words <= rule.short_words)
        if enough and n * 1000 >= rule.min_per_1000 * max(1, words):
            found.append(domain)
    return tuple(found)


# --- versions -----------------------------------------------------------------------------------------


# --- the document -------------------------------------------------------------------------------------


#: (rubric, lexicon) pairs already checked; the objects are held so that identity stays meaningful.
_checked: list[tuple[Rubric, Lexicon]] = []


def _check_categories(rubric: Rubric, lexicons: Sequence[Lexicon]) -> None:
    """Fail clearly when the rubric names categories or indicators a lexicon lacks (once per pair)."""
    for lex in lexicons:
        if any(r is rubric and x is lex for r, x in _checked):
            continue
        _check_pair(rubric, lex)
        _checked.append((rubric, lex))
        del _checked[:-16]


def _check_pair(rubric: Rubric, lex: Lexicon) -> None:
    if not lex.terms:
        return
    missing = sorted(rubric.categories - set(lex.terms))
    if missing:
        raise ConfigError(
            f"the rubric uses lexicon categories that the {lex.lang} lexicon lacks: {', '.join(missing)}",
            subject=rubric.path,
        )
    for d in rubric.dimensions:
        known = {ind for c in d.categories for ind in lex.terms.get(c, {})}
        unknown = sorted(set(d.indicators) - known)
        if unknown:
            raise ConfigError(
                f"dimension {d.name!r} lists indicators absent from the {lex.lang} lexicon: "
                + ", ".join(unknown),
                subject=rubric.path,
            )


def _language_mix(paragraphs: Sequence[Paragraph], tokens: Sequence[Tokens]) -> tuple[tuple[str, float], ...]:
    words: dict[str, int] = {}
    for p, t in zip(paragraphs, tokens, strict=True):
        lang = p.language or t.lang
        words[lang] = words.get(lang, 0) + t.word_count
    total = sum(words.values())
    if not total:
        return ()
    return tuple(sorted(((k, round(v / total, 4)) for k, v in words.items() if v), key=lambda kv: -kv[1]))


def _document_dimensions(rubric: Rubric, units: Sequence[_Unit]) -> tuple[DimensionScore, ...]:
    """One unit: its own scores and evidence. Several: each dimension is the word-weighted mean of
    the units' scores, quoting the units that reached the highest level."""
    limit = rubric.evidence.max_per_dimension
    if len(units) == 1:
        (u,) = units
        return tuple(
            DimensionScore(
                d.name,
                u.results[d.name].score,
                evidence_list(d.name, u.results[d.name].items, rubric, limit),
                u.results[d.name].reason,
            )
            for d in rubric.dimensions
        )
    total = sum(u.words for u in units) or 1
    out: list[DimensionScore] = []
    for d in rubric.dimensions:
        score = round(sum(u.words * u.results[d.name].score for u in units) / total)
        ranked = sorted(units, key=lambda u: -u.results[d.name].score)
        quotes: list[Evidence] = [e for u in ranked for e in decisive(d.name, u.results[d.name], rubric)][
            :limit
        ]
        levels = {lvl: [u.title for u in units if u.results[d.name].score == lvl] for lvl in (100, 50)}
        parts = [
            f"{lvl} in {len(t)} ({'; '.join(t[:3])}{'; …' if len(t) > 3 else ''})"
            for lvl, t in levels.items()
            if t
        ]
        reason = f"word-weighted mean over {len(units)} chapter(s): " + (", ".join(parts) or "0 in all")
        out.append(DimensionScore(d.name, score, tuple(quotes), reason))
    return tuple(out)


def score_document(
    doc_id: str,
    paragraphs: Sequence[Paragraph],
    tokens: Sequence[Tokens],
    relevance: Sequence[float],
    *,
    migrant_threshold: float,
    rubric: Rubric,
    lexicons: Mapping[str, Lexicon],
    title: str | None = None,
    meta: dict[str, Any] | None = None,
    model_version: str = "",
) -> Analysis:
    """Score one document: ``paragraphs[i]`` was tokenised into ``tokens[i]`` and the passage
    classifier gave it probability ``relevance[i]``. ``lexicons`` holds the lexicon of each language
    that has one (an :class:`~miner.analyser.Analyser`'s); other languages are matched against none.

    Raises :class:`InputError` when the three sequences disagree in length and
    :class:`ConfigError` when the rubric refers to lexicon categories that do not exist.
    """
    if not (len(paragraphs) == len(tokens) == len(relevance)):
        raise InputError(
            f"paragraphs ({len(paragraphs)}), tokens ({len(tokens)}) and relevance ({len(relevance)}) "
            "must have the same length",
            subject=doc_id,
        )
    rel = document_relevance(list(relevance), [t.word_count for t in tokens], rubric)
    migrant = rel >= migrant_threshold
    mix = _language_mix(paragraphs, tokens)
    language = mix[0][0] if mix else (paragraphs[0].language or tokens[0].lang if paragraphs else "")

    excluded = layout.exclusions(paragraphs, rubric.chapters)
    units_at, front = layout.chapters(paragraphs, [t.word_count for t in tokens], rubric.chapters)
    for i in front:
        excluded[i] = excluded[i] or layout.FRONT_MATTER
    used: dict[str, Lexicon] = {}
    pars: list[Par] = []
    for pos, (p, t) in enumerate(zip(paragraphs, tokens, strict=True)):
        lang = p.language or t.lang
        lex = used.get(lang)
        if lex is None:
            found = lexicons.get(lang)
            lex = used[lang] = found if found is not None else Lexicon(lang=lang, version="")
        pars.append(make_par(pos, p, t, lang, lex, evidence=excluded[pos] is None))
    _check_categories(rubric, list(used.values()))

    scored_share = sum(share for lang, share in mix if lang in LEXICON_LANGUAGES)
    warnings = [
        f"{n} paragraph(s) in {lang!r} not scored: no lexicon for that language"
        for lang, n in sorted(_unscored(paragraphs, tokens).items())
    ]
    scored = not mix or scored_share >= MIN_SCORED_SHARE
    if not scored:
        warnings.append(
            f"not scored: {round(100 * (1 - scored_share))} % of the words are in languages without a lexicon"
        )
    units = [_Unit(rubric, c.title, [pars[i] for i in c.positions]) for c in units_at]
    counted = [u for u in units if u.in_scope] or [u for u in units if u.words] or units[:1]
    whole = counted[0] if len(counted) == 1 else _Unit(rubric, "", [p for u in counted for p in u.pars])
    if scored and units:
        dimensions = _document_dimensions(rubric, counted)
        total = sum(u.words for u in counted)
        score = round(sum(u.words * u.score for u in counted) / total) if total else counted[0].score
        by_document = {r.code for r in rubric.flags if r.aggregate == "document"}
        doc_flags = [f for f in whole.flags if f.code in by_document]
        doc_flags += merge_chapter_flags(rubric, [(u.title, u.flags) for u in units])
        order: dict[str, int] = {r.code: i for i, r in enumerate(rubric.flags)}
        doc_flags.sort(key=lambda f: order.get(f.code, 99))
        evidence = tuple(e for u in counted for e in u.decisive)
    else:
        dimensions = tuple(DimensionScore(d.name, 0, (), "not scored") for d in rubric.dimensions)
        score, doc_flags, evidence = 0, [], ()
    sectioned = len(units) > 1 or any(p.section for p in paragraphs)
    lex_versions = sorted({lx.version for lx in used.values() if lx.version})
    reasons: dict[str, int] = {}
    for why in excluded:
        if why:
            reasons[why] = reasons.get(why, 0) + 1
    return Analysis(
        id=doc_id,
        language=language,
        relevance=rel,
        migrant=migrant,
        score=score,
        dimensions=dimensions,
        flags=tuple(doc_flags),
        evidence=evidence,
        domains=whole.domains if units else (),
        language_mix=mix,
        sections=tuple(_section(rubric, u, relevance) for u in units) if sectioned else (),
        title=title,
        rubric_version=rubric.version + "".join(f"+lex.{v}" for v in lex_versions),
        model_version=model_version,
        warnings=tuple(warnings),
        scored=scored,
        score_basis=_basis(units, counted),
        excluded=tuple(sorted(reasons.items())),
        extra={
            "false_friends": sum(1 for p in pars for m in p.matches if m.false_friend is not None),
            "words": sum(t.word_count for t in tokens),
        },
    )


def _unscored(paragraphs: Sequence[Paragraph], tokens: Sequence[Tokens]) -> dict[str, int]:
    out: dict[str, int] = {}
    for p, t in zip(paragraphs, tokens, strict=True):
        lang = p.language or t.lang
        if lang not in LEXICON_LANGUAGES and t.words:
            out[lang] = out.get(lang, 0) + 1
    return out


def _basis(units: Sequence[_Unit], counted: Sequence[_Unit]) -> dict[str, Any]:
    if len(units) <= 1:
        return {"method": "single unit", "chapters": len(units)}
    in_scope = [u for u in units if u.in_scope]
    return {
        "method": "word-weighted mean of in-scope chapters"
        if in_scope
        else "word-weighted mean of all chapters",
        "chapters": len(units),
        "in_scope": len(in_scope),
        "best_chapter": max(u.score for u in counted),
        "median_chapter": sorted(u.score for u in counted)[len(counted) // 2],
    }


def _section(rubric: Rubric, u: _Unit, relevance: Sequence[float]) -> SectionScore:
    pages = [p.paragraph.page for p in u.pars if p.paragraph.page is not None]
    rel = document_relevance(
        [relevance[p.pos] for p in u.pars], [p.tokens.word_count for p in u.pars], rubric
    )
    return SectionScore(
        title=u.title,
        first_paragraph=u.pars[0].paragraph.index if u.pars else 0,
        page_start=min(pages) if pages else None,
        page_end=max(pages) if pages else None,
        relevance=rel,
        score=u.score,
        dimensions=tuple((k, r.score) for k, r in u.results.items()),
        in_scope=u.in_scope,
        domains=u.domains,
        words=u.words,
        evidence=u.decisive,
        flags=tuple(u.flags),
    )
