"""One scored unit (a passage, or a chapter of a document): dimension scores, their evidence, and
the direction in which each quoted sentence speaks of the group.

The codebook (DOMAIN.md, the annotated plan passages) defines the levels this module computes:

* 100 -- the dimension's theme is *tied to the group in the same clause* (or its indicator is
  migrant-specific on its own, such as ethnostratification or monitoring by origin);
* 50 -- the theme is present, not tied to the group, *in the plan's own domain*: the unit is
  employment or education text, or the quoted sentence itself holds such a term;
* 0 -- otherwise, including themes met only in negated sentences, in false friends, in a direction
  the dimension ignores, or outside the watched domains.

``recognition`` is binary (0/100): the group named, not excluded, is the group recognised.

A *clause* is a sentence cut at ";" and list bullets: "nieuwkomers" three sentences away from a
wage subsidy does not tie the subsidy to newcomers, and neither does the next item of a list.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass

from miner.analyse.lexicon import Lexicon, Match
from miner.analyse.nlp import Tokens
from miner.records import Evidence, Paragraph
from miner.rubric import Dimension, Rubric

INCLUSIVE, RESTRICTIVE, DESCRIPTIVE, EXCLUDING = "inclusive", "restrictive", "descriptive", "excluding"
#: Tokens that end a clause inside a sentence.
_BREAKS = frozenset({";", "•", "\uf0b7", "▪", "◦", "●", "■", "□", "➢", "►"})
#: Levels of an evidence candidate: tied to the group, present in the domain, shown but not counted.
TIED, GENERIC, SHOWN = 2, 1, 0


@dataclass(frozen=True, slots=True)
class Par:
    """One paragraph with its tokens, lexicon matches and the anchors ties are looked up in."""

    pos: int  # position in the input sequence
    paragraph: Paragraph
    tokens: Tokens
    language: str
    lex: Lexicon
    matches: tuple[Match, ...]
    words: int
    #: category -> sorted first-token indices of its counting matches (group mentions that
    #: exclude the group are left out: they anchor nothing).
    anchors: dict[str, list[int]]
    #: first token of a match -> the direction of its clause (computed once, see :func:`direction_of`)
    directions: dict[int, str]


def make_par(pos: int, p: Paragraph, t: Tokens, lang: str, lex: Lexicon, evidence: bool = True) -> Par:
    """A paragraph ready for scoring; ``evidence=False`` (table of contents, front matter, repeated
    lines) keeps its words out of every count and its sentences out of every quote."""
    if not evidence:
        return Par(pos, p, t, lang, lex, (), 0, {}, {})
    par = Par(pos, p, t, lang, lex, tuple(lex.match(t)), t.word_count, {}, {})
    for m in par.matches:
        if m.counts and not (m.category == "group" and direction_of(par, m) == EXCLUDING):
            par.anchors.setdefault(m.category, []).append(m.first)
    return par


def direction_of(par: Par, m: Match) -> str:
    """:func:`direction` of a match of this paragraph, computed once per token."""
    got = par.directions.get(m.first)
    if got is None:
        got = par.directions[m.first] = direction(par.tokens, par.lex, m)
    return got


# --- clauses and directions ---------------------------------------------------------------------------


def sentence_bounds(tokens: Tokens, i: int) -> tuple[int, int]:
    s = tokens.sents[i]
    return bisect_left(tokens.sents, s), bisect_right(tokens.sents, s)


def clause_bounds(tokens: Tokens, i: int) -> tuple[int, int]:
    """Token range [lo, hi) of the clause holding token ``i``: its sentence cut at ";" and bullets."""
    lo, hi = sentence_bounds(tokens, i)
    words = tokens.words
    a = i
    while a > lo and words[a - 1] not in _BREAKS:
        a -= 1
    b = i + 1
    while b < hi and words[b] not in _BREAKS:
        b += 1
    return a, b


def phrase_bounds(tokens: Tokens, i: int) -> tuple[int, int]:
    """Token range [lo, hi) of the phrase holding token ``i``: its clause cut at commas too.

    Why: an enumeration ("lage werkzaamheidsgraad, lage scholingsgraad, hoge concentratie
    anderstaligheid") lists separate items; two of them are not crossed with each other, where
    "vrouwen met een migratieachtergrond" or "mannen en vrouwen van buitenlandse herkomst" are.
    """
    lo, hi = clause_bounds(tokens, i)
    words = tokens.words
    a = i
    while a > lo and words[a - 1] != ",":
        a -= 1
    b = i + 1
    while b < hi and words[b] != ",":
        b += 1
    return a, b


def direction(tokens: Tokens, lex: Lexicon, m: Match) -> str:
    """How the clause of ``m`` speaks (the codebook's "mention"), first rule that holds:

    excluding -- a negation governs the term in a clause about coverage ("geen maatregelen voor",
    "geldt niet voor", "ne s'applique pas aux"; "zonder"/"sans" describe rather than exclude:
    "jongeren zonder migratieachtergrond"), or the clause says "uitgezonderd", "à l'exception de";
    restrictive -- an obligation, condition or sanction in the clause ("verplicht",
    "inburgeringsplicht", "sanction"); descriptive -- the sentence is a question; inclusive -- the
    sentence commits to something ("we", "zullen", "ondersteunen", "nous", "renforcer");
    descriptive -- anything else (facts, figures, context).
    """
    lo, hi = clause_bounds(tokens, m.first)
    keys = tokens.keys[lo:hi]
    if m.negated:
        cue = lex.negation_cue(tokens, m.first)
        if cue is not None and lex.cue("describing_negation", [cue]):
            return DESCRIPTIVE
        return EXCLUDING if lex.cue("coverage", keys) else DESCRIPTIVE
    if lex.cue("excluding", keys):
        return EXCLUDING
    if lex.cue("restrictive", keys):
        return RESTRICTIVE
    s_lo, s_hi = sentence_bounds(tokens, m.first)
    if "?" in tokens.words[s_lo:s_hi] or lex.cue("question", tokens.keys[s_lo : s_lo + 1]):
        return DESCRIPTIVE
    if lex.cue("commitment", tokens.keys[s_lo:s_hi]):
        return INCLUSIVE
    return DESCRIPTIVE


def tied(par: Par, m: Match, cats: Sequence[str], scope: str, window: int) -> bool:
    """True when a counting match of ``cats`` (other than ``m``) is in ``m``'s phrase, clause, sentence, or
    paragraph within ``window`` sentences (``scope``)."""
    tokens = par.tokens
    if scope == "paragraph":
        lo = bisect_left(tokens.sents, m.sent - window)
        hi = bisect_right(tokens.sents, m.sent + window)
    elif scope == "sentence":
        lo, hi = sentence_bounds(tokens, m.first)
    elif scope == "phrase":
        lo, hi = phrase_bounds(tokens, m.first)
    else:
        lo, hi = clause_bounds(tokens, m.first)
    for cat in cats:
        firsts = par.anchors.get(cat)
        if not firsts:
            continue
        i, j = bisect_left(firsts, lo), bisect_left(firsts, hi)
        if any(not m.first <= a <= m.last for a in firsts[i:j]):  # a word does not tie itself
            return True
    return False


# --- dimensions ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Item:
    """An evidence candidate: a match, the direction of its clause and its level (TIED, GENERIC,
    SHOWN). Only TIED and GENERIC items count."""

    par: Par
    match: Match
    direction: str
    level: int


@dataclass(frozen=True, slots=True)
class DimResult:
    score: int
    items: tuple[Item, ...]  # strongest first
    reason: str

    def at(self, level: int) -> tuple[Item, ...]:
        return tuple(i for i in self.items if i.level == level)


def score_dimension(
    dim: Dimension, pars: Sequence[Par], rubric: Rubric, in_domain: bool, domain_cats: Sequence[str]
) -> DimResult:
    """Score one dimension over the paragraphs of one unit (see the module docstring)."""
    window = rubric.cooccurrence.paragraph_window
    cats = dim.categories
    found: list[list[Item]] = [[], [], []]
    off_domain = 0
    indicators: set[str] = set()
    for par in pars:
        for m in par.matches:
            if m.category not in cats or m.false_friend is not None:
                continue
            d = direction_of(par, m)
            if m.negated or d == EXCLUDING or d in dim.ignore_directions:
                found[SHOWN].append(Item(par, m, d, SHOWN))
            elif (
                m.specific
                or dim.scale == "binary"
                or (dim.cooccur_with and tied(par, m, dim.cooccur_with, dim.scope, window))
            ):
                found[TIED].append(Item(par, m, d, TIED))
                indicators.add(m.indicator)
            elif not dim.generic_needs_domain or in_domain or tied(par, m, domain_cats, "sentence", 0):
                found[GENERIC].append(Item(par, m, d, GENERIC))
                indicators.add(m.indicator)
            else:
                off_domain += 1
    anchor = " or ".join(dim.cooccur_with) or "an anchor term"
    if found[TIED]:
        n = len(found[TIED])
        reason = (
            f"named {n} time(s)"
            if dim.scale == "binary"
            else f"{n} match(es) tied to {anchor} in the same {dim.scope}"
        )
        score = 100
    elif dim.full_min_indicators and len(indicators) >= dim.full_min_indicators:
        score, reason = 100, f"{len(indicators)} distinct indicators: {', '.join(sorted(indicators))}"
    elif found[GENERIC]:
        score, reason = 50, f"present ({len(found[GENERIC])} match(es)) but not tied to {anchor}"
    elif found[SHOWN]:
        score, reason = 0, f"only negated, excluding or ignored mentions ({len(found[SHOWN])})"
    elif off_domain:
        score, reason = 0, f"{off_domain} mention(s) outside employment and education"
    else:
        score, reason = 0, "no evidence"
    return DimResult(score, (*found[TIED], *found[GENERIC], *found[SHOWN]), reason)


def overall(rubric: Rubric, scores: dict[str, int]) -> int:
    total = sum(d.weight for d in rubric.dimensions)
    return round(sum(d.weight * scores[d.name] for d in rubric.dimensions) / total) if total else 0


# --- evidence -----------------------------------------------------------------------------------------


def quote(par: Par, m: Match, limit: int) -> str:
    """The sentence that holds the match, cut around the term when longer than ``limit``."""
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


def evidence(name: str, item: Item, rubric: Rubric) -> Evidence:
    par, m = item.par, item.match
    return Evidence(
        dimension=name,
        text=quote(par, m, rubric.evidence.max_quote_chars),
        term=par.tokens.text[m.start : m.end],
        paragraph=par.paragraph.index,
        page=par.paragraph.page,
        start=m.start,
        end=m.end,
        language=par.language,
        negated=m.negated,
        direction=item.direction,
        counted=item.level > SHOWN,
    )


def evidence_list(name: str, items: Sequence[Item], rubric: Rubric, limit: int) -> tuple[Evidence, ...]:
    """Up to ``limit`` quotes, one per sentence, in the order given (strongest first)."""
    out: list[Evidence] = []
    seen: set[tuple[int, int]] = set()
    for item in items:
        key = (item.par.pos, item.match.sent)
        if key in seen:
            continue
        seen.add(key)
        out.append(evidence(name, item, rubric))
        if len(out) >= limit:
            break
    return tuple(out)


def decisive(name: str, result: DimResult, rubric: Rubric) -> tuple[Evidence, ...]:
    """The quotes that decided the dimension's score: its first items at the deciding level."""
    if result.score == 0:
        return ()
    level = TIED if result.at(TIED) else GENERIC
    return evidence_list(name, result.at(level), rubric, rubric.evidence.decisive_per_dimension)
