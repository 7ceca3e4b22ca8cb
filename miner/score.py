"""Lexicon matches + passage probabilities -> dimension scores, overall score, flags, evidence.

Why rules and not a learned score: a watchdog must be able to say *why* a plan scored 50 and not
100, with the sentence that decided it. So every dimension is scored 0/50/100 by the rubric's rule
(``corpora/rubric.toml``, explained in docs/scoring.md) from lexicon matches, and every score and
flag carries the quoted sentences behind it. The passage classifier only decides how much the
document is *about* people with a migration background (``relevance`` / ``migrant``); it does not
move the rubric score, so that a Dutch and a French text with the same content score the same
whatever the two classifiers think.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from miner.analyse.lexicon import LEXICON_LANGUAGES, Lexicon, Match, load_lexicon
from miner.analyse.nlp import Tokens
from miner.errors import ConfigError, InputError
from miner.records import Analysis, DimensionScore, Evidence, Flag, Paragraph, SectionScore
from miner.rubric import Dimension, Rubric, load_rubric

__all__ = ["compare_versions", "document_relevance", "load_rubric", "score_document"]


@dataclass(frozen=True, slots=True)
class _Par:
    """One paragraph with its tokens and the lexicon matches that count or were suppressed."""

    pos: int  # position in the input sequence
    paragraph: Paragraph
    tokens: Tokens
    language: str
    matches: tuple[Match, ...]
    words: int
    #: category -> sorted sentence indices of its counting matches (anchor look-ups by bisection,
    #: so a 200-page document extracted as one paragraph is not quadratic in its matches).
    anchors: dict[str, list[int]]


def _make_par(pos: int, p: Paragraph, t: Tokens, lang: str, matches: list[Match]) -> _Par:
    anchors: dict[str, list[int]] = {}
    for m in matches:
        if m.counts:
            anchors.setdefault(m.category, []).append(m.sent)
    return _Par(pos, p, t, lang, tuple(matches), _word_count(t), anchors)


def _word_count(tokens: Tokens) -> int:
    return tokens.word_count


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


# --- dimensions ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _DimResult:
    score: int
    strong: tuple[tuple[_Par, Match], ...]
    weak: tuple[tuple[_Par, Match], ...]
    negated: tuple[tuple[_Par, Match], ...]
    reason: str


def _anchored(par: _Par, m: Match, cats: tuple[str, ...], scope: str, window: int) -> bool:
    """True when a counting match of ``cats`` is near ``m``: same sentence, or same paragraph within
    ``window`` sentences."""
    reach = 0 if scope == "sentence" else window
    for cat in cats:
        sents = par.anchors.get(cat)
        if not sents:
            continue
        i = bisect_left(sents, m.sent - reach)
        hits = bisect_right(sents, m.sent + reach) - i
        if cat == m.category and m.counts and m.sent - reach <= m.sent <= m.sent + reach:
            hits -= 1  # a match does not anchor itself
        if hits > 0:
            return True
    return False


def _score_dimension(dim: Dimension, pars: Sequence[_Par], window: int) -> _DimResult:
    cats = dim.categories
    strong: list[tuple[_Par, Match]] = []
    weak: list[tuple[_Par, Match]] = []
    negated: list[tuple[_Par, Match]] = []
    indicators: set[str] = set()
    for par in pars:
        for m in par.matches:
            if m.category not in cats or m.false_friend is not None:
                continue
            if m.negated:
                negated.append((par, m))
                continue
            indicators.add(m.indicator)
            if m.specific or (dim.cooccur_with and _anchored(par, m, dim.cooccur_with, dim.scope, window)):
                strong.append((par, m))
            else:
                weak.append((par, m))
    anchor = " or ".join(dim.cooccur_with) or "an anchor term"
    if strong:
        score, reason = 100, f"{len(strong)} match(es) tied to {anchor} in the same {dim.scope}"
    elif dim.full_min_indicators and len(indicators) >= dim.full_min_indicators:
        score, reason = 100, f"{len(indicators)} distinct indicators: {', '.join(sorted(indicators))}"
    elif weak:
        score, reason = 50, f"mentioned ({len(weak)} match(es)) but not tied to {anchor}"
    elif negated:
        score, reason = 0, f"only negated mentions ({len(negated)})"
    else:
        score, reason = 0, "no evidence"
    return _DimResult(score, tuple(strong), tuple(weak), tuple(negated), reason)


def _overall(rubric: Rubric, scores: dict[str, int]) -> int:
    total = sum(d.weight for d in rubric.dimensions)
    return round(sum(d.weight * scores[d.name] for d in rubric.dimensions) / total) if total else 0


# --- evidence -----------------------------------------------------------------------------------------


def _quote(par: _Par, m: Match, limit: int) -> str:
    text = par.tokens.sentence_text(m.sent).strip()
    if len(text) <= limit:
        return " ".join(text.split())
    s0, _ = par.tokens.sent_spans[m.sent]
    centre = (m.start + m.end) // 2 - s0
    a = max(0, centre - limit // 2)
    b = min(len(text), a + limit)
    a = max(0, b - limit)
    cut = text[a:b].strip()
    return ("…" if a > 0 else "") + " ".join(cut.split()) + ("…" if b < len(text) else "")


def _evidence(name: str, par: _Par, m: Match, rubric: Rubric) -> Evidence:
    return Evidence(
        dimension=name,
        text=_quote(par, m, rubric.evidence.max_quote_chars),
        term=par.tokens.text[m.start : m.end],
        paragraph=par.paragraph.index,
        page=par.paragraph.page,
        start=m.start,
        end=m.end,
        language=par.language,
        negated=m.negated,
    )


def _evidence_list(
    name: str, items: Sequence[tuple[_Par, Match]], rubric: Rubric, limit: int
) -> tuple[Evidence, ...]:
    out: list[Evidence] = []
    seen: set[tuple[int, int]] = set()  # one quote per sentence
    for par, m in items:
        key = (par.pos, m.sent)
        if key in seen:
            continue
        seen.add(key)
        out.append(_evidence(name, par, m, rubric))
        if len(out) >= limit:
            break
    return tuple(out)


# --- flags --------------------------------------------------------------------------------------------


def _counting(pars: Sequence[_Par], cats: tuple[str, ...]) -> list[tuple[_Par, Match]]:
    return [(p, m) for p in pars for m in p.matches if m.category in cats and m.counts]


def _flags(
    rubric: Rubric,
    pars: Sequence[_Par],
    results: dict[str, _DimResult],
    domains: tuple[str, ...],
    migrant: bool,
) -> list[Flag]:
    flags: list[Flag] = []
    limit = rubric.evidence.max_per_flag
    window = rubric.cooccurrence.paragraph_window
    in_scope = [d for d in domains if d in ("employment", "education")]
    group = _counting(pars, ("group",))

    def add(code: str, items: Sequence[tuple[_Par, Match]], dim: str, **fmt: str) -> None:
        rule = rubric.flag(code)
        if rule is None:
            return
        reason = rule.reason.format_map(_Default(fmt))
        flags.append(Flag(code, rule.severity, reason, _evidence_list(dim, items, rubric, limit)))

    # 1. a plan in scope that addresses disadvantaged groups but ignores migration background
    disadvantaged = _counting(pars, ("disadvantaged",))
    if in_scope and disadvantaged and not group and not migrant:
        add("ignores_migration_background", disadvantaged, "recognition", domains=", ".join(in_scope))

    # 2. target-group instruments without migrants, or without measuring their effect on them
    tg = results.get("target_group")
    if tg is not None and (tg.strong or tg.weak):
        if not tg.strong:
            add("target_group_without_migrants", tg.weak, "target_group", detail="never name migrants")
        else:
            measured = [
                (p, m) for p, m in tg.strong if _anchored(p, m, ("targets_monitoring",), "paragraph", window)
            ]
            if not measured:
                add(
                    "target_group_without_migrants",
                    tg.strong,
                    "target_group",
                    detail="name migrants but do not measure their effect on them",
                )

    # 3. no gender lens where migrants are addressed
    if group:
        gendered = [(p, m) for p, m in group if _anchored(p, m, ("gender",), "paragraph", window)]
        if not gendered:
            add("no_gender_lens", group, "recognition")

    # 4. no measurable targets in a document that is in scope or about migrants
    if in_scope or migrant or group:
        quantified = [
            (p, m)
            for p, m in _counting(pars, ("targets_monitoring",))
            if m.indicator in ("quantified", "targets")
        ]
        if not quantified:
            add("no_measurable_targets", _counting(pars, ("targets_monitoring",)), "targets_monitoring")

    # 5. migrant content only in integration-centre funding
    if group:
        with_group = {p.pos for p, _ in group}
        services = _counting(pars, ("integration_services",))
        served = {p.pos for p, _ in services}
        other_full = any(r.score == 100 for name, r in results.items() if name not in ("recognition",))
        if with_group <= served and not other_full:
            add("integration_centres_only", services, "recognition")
    return flags


class _Default(dict[str, str]):
    """format_map helper: a placeholder the rule does not fill stays visible instead of raising."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def compare_versions(old: Analysis, new: Analysis, rubric: Rubric | None = None) -> list[Flag]:
    """Flags for what a new version of a plan dropped: one per dimension whose score fell.

    Evidence is the old version's evidence for that dimension whose sentence no longer appears in
    the new version's evidence (what was said before and is gone now).
    """
    rubric = rubric or load_rubric()
    rule = rubric.flag("dropped_content")
    if rule is None or old.error is not None or new.error is not None:
        return []
    new_dims = {d.name: d for d in new.dimensions}
    new_quotes = {e.text for e in new.evidence}
    flags: list[Flag] = []
    for d in old.dimensions:
        nd = new_dims.get(d.name)
        if nd is None or nd.score >= d.score:
            continue
        gone = tuple(e for e in d.evidence if e.text not in new_quotes and not e.negated)
        reason = rule.reason.format_map(_Default(dimension=d.name, old=str(d.score), new=str(nd.score)))
        flags.append(Flag(rule.code, rule.severity, reason, gone[: rubric.evidence.max_per_flag]))
    return flags


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


def _domains(rubric: Rubric, pars: Sequence[_Par], words: int) -> tuple[str, ...]:
    found: list[str] = []
    for domain, cats in rubric.scope.domains:
        n = len(_counting(pars, cats))
        if n >= rubric.scope.min_matches and n * 1000 >= rubric.scope.min_per_1000 * max(1, words):
            found.append(domain)
    return tuple(found)


def _sections(rubric: Rubric, pars: Sequence[_Par], relevance: Sequence[float]) -> tuple[SectionScore, ...]:
    if not any(p.paragraph.section for p in pars):
        return ()
    groups: list[list[_Par]] = []
    for p in pars:
        if groups and groups[-1][0].paragraph.section == p.paragraph.section:
            groups[-1].append(p)
        else:
            groups.append([p])
    out: list[SectionScore] = []
    for g in groups:
        window = rubric.cooccurrence.paragraph_window
        scores = {d.name: _score_dimension(d, g, window).score for d in rubric.dimensions}
        pages = [p.paragraph.page for p in g if p.paragraph.page is not None]
        rel = document_relevance([relevance[p.pos] for p in g], [p.words for p in g], rubric)
        out.append(
            SectionScore(
                title=g[0].paragraph.section or "",
                first_paragraph=g[0].paragraph.index,
                page_start=min(pages) if pages else None,
                page_end=max(pages) if pages else None,
                relevance=rel,
                score=_overall(rubric, scores),
                dimensions=tuple(scores.items()),
            )
        )
    return tuple(out)


def score_document(
    doc_id: str,
    paragraphs: Sequence[Paragraph],
    tokens: Sequence[Tokens],
    relevance: Sequence[float],
    *,
    migrant_threshold: float,
    rubric: Rubric | None = None,
    title: str | None = None,
    meta: dict[str, Any] | None = None,
    model_version: str = "",
) -> Analysis:
    """Score one document: ``paragraphs[i]`` was tokenised into ``tokens[i]`` and the passage
    classifier gave it probability ``relevance[i]``.

    Raises :class:`InputError` when the three sequences disagree in length and
    :class:`ConfigError` when the rubric refers to lexicon categories that do not exist.
    """
    if not (len(paragraphs) == len(tokens) == len(relevance)):
        raise InputError(
            f"paragraphs ({len(paragraphs)}), tokens ({len(tokens)}) and relevance ({len(relevance)}) "
            "must have the same length",
            subject=doc_id,
        )
    rubric = rubric or load_rubric()
    meta = meta or {}
    pars: list[_Par] = []
    lexicons: dict[str, Lexicon] = {}
    unscored: dict[str, int] = {}
    for pos, (p, t) in enumerate(zip(paragraphs, tokens, strict=True)):
        lang = p.language or t.lang
        lex = lexicons.get(lang)
        if lex is None:
            lex = lexicons[lang] = load_lexicon(lang)
        if lang not in LEXICON_LANGUAGES and t.words:
            unscored[lang] = unscored.get(lang, 0) + 1
        pars.append(_make_par(pos, p, t, lang, lex.match(t)))
    _check_categories(rubric, list(lexicons.values()))

    words_by_lang: dict[str, int] = {}
    for par in pars:
        words_by_lang[par.language] = words_by_lang.get(par.language, 0) + par.words
    total_words = sum(words_by_lang.values())
    mix = (
        tuple(
            sorted(
                ((k, round(v / total_words, 4)) for k, v in words_by_lang.items() if v), key=lambda kv: -kv[1]
            )
        )
        if total_words
        else ()
    )
    language = mix[0][0] if mix else (pars[0].language if pars else "")

    rel = document_relevance(list(relevance), [p.words for p in pars], rubric)
    migrant = rel >= migrant_threshold
    window = rubric.cooccurrence.paragraph_window
    results = {d.name: _score_dimension(d, pars, window) for d in rubric.dimensions}
    limit = rubric.evidence.max_per_dimension
    dimensions = tuple(
        DimensionScore(
            name=d.name,
            score=results[d.name].score,
            evidence=_evidence_list(
                d.name, results[d.name].strong + results[d.name].weak + results[d.name].negated, rubric, limit
            ),
            reason=results[d.name].reason,
        )
        for d in rubric.dimensions
    )
    domains = _domains(rubric, pars, total_words)
    flags = _flags(rubric, pars, results, domains, migrant)
    lex_versions = sorted({lx.version for lx in lexicons.values() if lx.version})
    warnings = tuple(
        f"{n} paragraph(s) in {lang!r} not scored: no lexicon for that language"
        for lang, n in sorted(unscored.items())
    )
    false_friends = sum(1 for p in pars for m in p.matches if m.false_friend is not None)
    return Analysis(
        id=doc_id,
        language=language,
        relevance=rel,
        migrant=migrant,
        score=_overall(rubric, {k: r.score for k, r in results.items()}),
        dimensions=dimensions,
        flags=tuple(flags),
        evidence=tuple(e for d in dimensions for e in d.evidence),
        domains=domains,
        language_mix=mix,
        sections=_sections(rubric, pars, relevance),
        title=title,
        rubric_version=rubric.version + "".join(f"+lex.{v}" for v in lex_versions),
        model_version=model_version,
        warnings=warnings,
        extra={"false_friends": false_friends, "words": total_words},
    )
