"""Rubric lexicons -> term matches, with compound stems, false friends and negation.

Why this shape: a keyword counter gets this domain wrong in predictable ways (DOMAIN.md): Dutch
glues words together ("inburgeringstraject", "vluchtelingenwerk"), French input is often stripped
of accents, and "re-integratie", "revenu d'intégration" or "allochtone soorten" look like migrant
integration without being it. So terms are written in ``corpora/lexicons/<lang>/*.toml`` as plain
words, compiled once through the same tokenizer as the documents (so both sides get the same
folded lemma keys), and matched on ``Tokens.keys``:

* single-key terms and the first key of multi-word terms are dict lookups;
* a *stem* matches inside any key that contains it, once hyphens are removed
  ("migratie-achtergrond", "anderstalige", "vluchtelingenwerk");
* the candidates of every distinct key are computed once and cached, so the hot loop is one dict
  lookup per token and nothing at all for the ~95 % of tokens no term starts with;
* articles and elided determiners ("de", "het", "l'", "d'", "du", "des") are skipped inside
  multi-word terms, so "reconnaissance des diplômes" and "reconnaissance de diplômes" are one term;
* a false-friend rule claims tokens; a term match on a claimed token is kept with
  ``false_friend`` set (so a report can show why it did not count) and never scores;
* a negation cue earlier in the same clause ("geen of nauwelijks aandacht voor", "ne tient pas
  compte de") marks the match ``negated``.

Languages other than nl/fr get an *empty* lexicon rather than the Dutch or French one: their keys
would not line up with those terms, and a silent zero is explained by the scorer's warning, where
a borrowed lexicon would produce wrong evidence.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from miner.analyse.lexicon_keys import (
    _NOTHING,
    _SKIP,
    LEXICON_LANGUAGES,
    Match,
    _Negation,
    _Rule,
    _Term,
    canon_key,
    norm_key,
)
from miner.analyse.nlp import Tokens, fold
from miner.errors import ConfigError


@dataclass
class Lexicon:
    """The compiled terms of one language; build it with :func:`load_lexicon`."""

    lang: str
    version: str
    #: category -> indicator -> terms as written (for documentation and parity checks).
    terms: dict[str, dict[str, tuple[str, ...]]] = field(default_factory=dict)
    _exact: dict[str, list[_Term]] = field(default_factory=dict)
    _stems: list[tuple[str, _Term]] = field(default_factory=list)
    _rule_exact: dict[str, list[_Rule]] = field(default_factory=dict)
    _rule_stems: list[tuple[str, _Rule]] = field(default_factory=list)
    _negation: _Negation | None = None
    _numbers: frozenset[str] = frozenset()
    #: Direction cues (``[direction.<kind>]`` in cues.toml): kind -> (keys, stems, multi-word keys).
    _cues: dict[str, tuple[frozenset[str], tuple[str, ...], tuple[tuple[str, ...], ...]]] = field(
        default_factory=dict
    )
    #: (kind, key) -> (the key is a one-word cue of that kind, a multi-word cue may start at it).
    _cue_memo: dict[tuple[str, str], tuple[bool, bool]] = field(default_factory=dict)
    _cache: dict[str, tuple[tuple[_Term, ...], tuple[_Rule, ...]]] = field(default_factory=dict)
    _lock: Any = field(default_factory=threading.Lock)
    #: Compound stems indexed by their first three letters (built on first use): a new key is
    #: checked at each of its positions instead of against every stem.
    _stem_index: dict[str, list[tuple[int, str, Any]]] | None = None

    @property
    def categories(self) -> tuple[str, ...]:
        return tuple(self.terms)

    def _candidates(self, key: str) -> tuple[tuple[_Term, ...], tuple[_Rule, ...]]:
        """Terms and rules that may start at a token with this key (computed once per key)."""
        got = self._cache.get(key)
        if got is not None:
            return got
        k = norm_key(key)
        c = canon_key(key, self.lang)
        terms = list(self._exact.get(c, ()))
        rules = list(self._rule_exact.get(c, ()))
        found = self._stems_in(k)
        # the longest stem first: "transmigrant" (refugees) before "migrant" inside "transmigranten"
        stems = sorted((t for _, t in found if isinstance(t, _Term)), key=lambda t: -len(t.term))
        terms += [t for t in stems if t not in terms]
        rules += [r for _, r in found if isinstance(r, _Rule) and r not in rules]
        got = (tuple(terms), tuple(rules)) if terms or rules else _NOTHING
        with self._lock:
            self._cache[key] = got
        return got

    def _stems_in(self, k: str) -> list[tuple[int, _Term | _Rule]]:
        """Every compound stem (term or false-friend rule) contained in ``k``, in declaration order."""
        index = self._stem_index
        if index is None:
            index = {}
            entries: list[tuple[str, _Term | _Rule]] = [*self._stems, *self._rule_stems]
            for order, (stem, item) in enumerate(entries):
                index.setdefault(stem[:3] if len(stem) >= 3 else "", []).append((order, stem, item))
            self._stem_index = index
        hits: dict[int, _Term | _Rule] = {}
        for i in range(len(k) - 2):
            for order, stem, item in index.get(k[i : i + 3], ()):
                if order not in hits and k.startswith(stem, i):
                    hits[order] = item
        for order, stem, item in index.get("", ()):  # stems shorter than three letters
            if stem in k:
                hits[order] = item
        return sorted(hits.items(), key=lambda kv: kv[0])

    def match(self, tokens: Tokens) -> list[Match]:
        """Every term and false-friend hit in ``tokens``, in token order."""
        keys = tokens.keys
        if not self._exact and not self._stems:
            return []
        get = self._cache.get
        raw: list[tuple[_Term, int, int]] = []
        claims: list[tuple[_Rule, int, int]] = []
        lang, n = self.lang, len(keys)
        # most tokens can start no term: skip them in one C-speed pass (unseen keys come through)
        for i in [i for i, key in enumerate(keys) if get(key) is not _NOTHING]:
            cand = get(keys[i]) or self._candidates(keys[i])
            if cand is _NOTHING:
                continue
            ahead: set[str] | None = None  # keys a multi-word term can continue with (skips included)
            for term in cand[0]:
                if term.rest:
                    if ahead is None:
                        ahead = {canon_key(k, lang) for k in keys[i + 1 : min(n, i + 4)]}
                    if term.rest[0] not in ahead:
                        continue
                last = self._follow(tokens, i, term.rest)
                if (
                    last is not None
                    and (not term.surface or fold(tokens.words[i]) in term.surface)
                    and (not term.requires_year or self._year_after(tokens, last))
                    and (not term.requires_number or self._has_number(tokens, i))
                ):
                    raw.append((term, i, last))
            for rule in cand[1]:
                last = self._follow(tokens, i, rule.rest)
                if last is not None and self._rule_holds(tokens, rule, i, last):
                    claims.append((rule, i, last))
        return self._assemble(tokens, raw, claims)

    # --- matching helpers -------------------------------------------------------------------------------

    def _follow(self, tokens: Tokens, i: int, rest: tuple[str, ...]) -> int | None:
        """Index of the last token of a multi-word term starting at ``i``, or None."""
        if not rest:
            return i
        keys, words, sents = tokens.keys, tokens.words, tokens.sents
        skip = _SKIP.get(self.lang, frozenset())
        lang = self.lang
        j = i
        n = len(keys)
        for want in rest:
            j += 1
            skipped = 0
            while j < n and skipped < 2 and fold(words[j]) in skip and canon_key(keys[j], lang) != want:
                j += 1
                skipped += 1
            if j >= n or sents[j] != sents[i] or canon_key(keys[j], lang) != want:
                return None
        return j

    def _has_number(self, tokens: Tokens, i: int) -> bool:
        """A quantity in the sentence: a figure that is not a year or a list number, or a number word."""
        lo, hi = self._sentence_bounds(tokens, i)
        for j in range(lo, hi):
            w = tokens.words[j]
            if norm_key(tokens.keys[j]) in self._numbers:
                return True
            if j - lo < 2 or not any(c.isdigit() for c in w):
                continue  # "2. Welke doelstelling ..." numbers the question, it quantifies nothing
            if w.isdigit() and len(w) == 4 and 1900 <= int(w) <= 2100:
                continue
            return True
        return False

    @staticmethod
    def _year_after(tokens: Tokens, last: int) -> bool:
        """A year (2000-2099) right after the term, or after one word ("tegen eind 2024")."""
        for j in range(last + 1, min(len(tokens.words), last + 3)):
            w = tokens.words[j]
            if len(w) == 4 and w.isdigit() and w.startswith("20"):
                return True
        return False

    @staticmethod
    def _sentence_bounds(tokens: Tokens, i: int) -> tuple[int, int]:
        sents = tokens.sents
        s = sents[i]
        lo = i
        while lo > 0 and sents[lo - 1] == s:
            lo -= 1
        hi = i + 1
        n = len(sents)
        while hi < n and sents[hi] == s:
            hi += 1
        return lo, hi

    def _rule_holds(self, tokens: Tokens, rule: _Rule, first: int, last: int) -> bool:
        keys = tokens.keys
        lo, hi = self._sentence_bounds(tokens, first)
        if rule.before:
            span = (norm_key(k) for k in keys[max(lo, first - rule.window) : first])
            if not any(k in rule.before for k in span):
                return False
        if rule.after:
            span = (norm_key(k) for k in keys[last + 1 : min(hi, last + 1 + rule.window)])
            if not any(k in rule.after for k in span):
                return False
        if rule.before_none:
            span = (norm_key(k) for k in keys[max(lo, first - rule.window) : first])
            if any(k in rule.before_none for k in span):
                return False
        if rule.sentence_any or rule.sentence_none:
            sentence = {norm_key(k) for k in keys[lo:hi]}
            if rule.sentence_any and not (sentence & rule.sentence_any):
                return False
            if rule.sentence_none and sentence & rule.sentence_none:
                return False
        return True

    def _negated(self, tokens: Tokens, first: int) -> bool:
        return self.negation_cue(tokens, first) is not None

    def negation_cue(self, tokens: Tokens, first: int) -> str | None:
        """The negation cue that governs the token ``first`` (its key), or None."""
        neg = self._negation
        if neg is None:
            return None
        keys, sents = tokens.keys, tokens.sents
        s = sents[first]
        j = first - 1
        stop = max(-1, first - 1 - neg.window)
        while j > stop and sents[j] == s:
            k = norm_key(keys[j])
            if k in neg.breaks:
                return None
            if k in neg.cues and not self._excepted(tokens, j, k, neg):
                return k
            j -= 1
        return None

    def cue(self, kind: str, keys: Sequence[str]) -> str | None:
        """The first direction cue of ``kind`` (cues.toml) in ``keys`` (a clause, in order), or None."""
        table = self._cues.get(kind)
        if table is None:
            return None
        exact, stems, phrases = table
        memo = self._cue_memo
        for i, key in enumerate(keys):
            seen = memo.get((kind, key))
            if seen is None:
                k = norm_key(key)
                seen = memo[(kind, key)] = (
                    k in exact or any(stem in k for stem in stems),
                    any(k == p[0] for p in phrases),
                )
            if seen[0]:
                return norm_key(key)
            if seen[1]:
                k = norm_key(key)
                for p in phrases:
                    if k == p[0] and tuple(norm_key(x) for x in keys[i : i + len(p)]) == p:
                        return " ".join(p)
        return None

    @staticmethod
    def _excepted(tokens: Tokens, j: int, cue: str, neg: _Negation) -> bool:
        keys = tokens.keys
        for pos, seq in neg.exceptions.get(cue, ()):
            a = j - pos
            if a < 0 or a + len(seq) > len(keys):
                continue
            if all(norm_key(keys[a + x]) == seq[x] for x in range(len(seq))):
                return True
        return False

    def _assemble(
        self, tokens: Tokens, raw: list[tuple[_Term, int, int]], claims: list[tuple[_Rule, int, int]]
    ) -> list[Match]:
        starts, ends, sents = tokens.starts, tokens.ends, tokens.sents
        claimed: dict[tuple[int, str], _Rule] = {}
        for rule, a, b in claims:
            for x in range(a, b + 1):
                for cat in rule.mistaken_for:
                    claimed.setdefault((x, cat), rule)
        out: list[Match] = []
        covered: dict[str, int] = {}  # category -> last token covered by a kept match
        for term, a, b in raw:
            cat = term.category
            # One match per category and span: the longest term at a start token wins (terms are
            # sorted longest first) and a term inside an earlier one of its category is dropped.
            if covered.get(cat, -1) >= a:
                continue
            covered[cat] = b
            ff = next((claimed[(x, cat)] for x in range(a, b + 1) if (x, cat) in claimed), None)
            out.append(
                Match(
                    category=term.category,
                    indicator=term.indicator,
                    term=term.term,
                    first=a,
                    last=b,
                    start=starts[a],
                    end=ends[b],
                    sent=sents[a],
                    negated=self._negated(tokens, a),
                    false_friend=ff.id if ff is not None else None,
                    specific=term.specific,
                )
            )
        # tokens covered by a kept match that a rule flagged, per rule: one lookup per claimed token
        # instead of a scan of every match per claim (quadratic in a long text full of claims)
        flagged: dict[str, set[int]] = {}
        for m in out:
            if m.false_friend is not None:
                flagged.setdefault(m.false_friend, set()).update(range(m.first, m.last + 1))
        for rule, a, b in claims:
            covered_by_rule = flagged.get(rule.id)
            if covered_by_rule and any(x in covered_by_rule for x in range(a, b + 1)):
                continue
            out.append(
                Match(
                    category=rule.mistaken_for[0],
                    indicator="false_friend",
                    term=tokens.text[starts[a] : ends[b]],
                    first=a,
                    last=b,
                    start=starts[a],
                    end=ends[b],
                    sent=sents[a],
                    false_friend=rule.id,
                )
            )
            flagged.setdefault(rule.id, set()).update(range(a, b + 1))
        out.sort(key=lambda m: (m.first, m.category))
        return out


# --- loading ------------------------------------------------------------------------------------------


_lexicons: dict[str, Lexicon] = {}
_load_lock = threading.Lock()


def lexicon_dir(lang: str) -> Path:
    from miner.config import get_settings

    return get_settings().corpora_dir / "lexicons" / lang


def load_lexicon(lang: str) -> Lexicon:
    """The compiled lexicon of ``lang`` (cached per process).

    nl and fr read ``corpora/lexicons/<lang>/*.toml``; any other language gets an empty lexicon
    (see the module docstring). Raises :class:`ConfigError` naming the file and key on bad data.
    """
    got = _lexicons.get(lang)
    if got is not None:
        return got
    with _load_lock:
        got = _lexicons.get(lang)
        if got is None:
            if lang in LEXICON_LANGUAGES:
                folder = lexicon_dir(lang)
                files = sorted(folder.glob("*.toml"))
                if not files:
                    raise ConfigError("no lexicon files (*.toml) found", subject=str(folder))
                got = compile_lexicon(lang, files)
            else:
                got = Lexicon(lang=lang, version="")
            _lexicons[lang] = got
    return got


def compile_lexicon(lang: str, files: Iterable[Path]) -> Lexicon:
    """Compile lexicon files without the process cache (tests, lexicon editing)."""
    from miner.analyse.lexicon_compile import compile_files  # the compiler imports this module

    return compile_files(lang, list(files))
