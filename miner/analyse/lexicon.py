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
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from miner.analyse.nlp import Tokens, fold, tokenize
from miner.errors import ConfigError

#: Languages with a lexicon of their own.
LEXICON_LANGUAGES = ("nl", "fr")
#: Surface words skipped between the parts of a multi-word term.
_SKIP = {
    "nl": frozenset({"de", "het", "een", "'t", "'s", "’s", "-"}),
    "fr": frozenset({"le", "la", "les", "l'", "l", "un", "une", "de", "d'", "d", "du", "des", "-"}),
}
#: Tables of a lexicon file that are not term categories.
_RESERVED = frozenset({"version", "language", "false_friends", "negation", "numbers", "description"})


def norm_key(key: str) -> str:
    """A key as terms are looked up: hyphens and apostrophes dropped ("migratie-achtergrond")."""
    return key.replace("-", "").replace("'", "") if ("-" in key or "'" in key) else key


#: Inflection endings a term key and a text key may still differ by: the lemma dictionary knows
#: "werkzoekenden" but not "werkzoekende", "oudere" but not every adjective form.
_ENDINGS = {"nl": ("en", "e", "s", "n"), "fr": ("es", "s", "e", "x")}


def canon_key(key: str, lang: str) -> str:
    """The form term keys and text keys are compared in: normalised, one inflection ending off."""
    k = norm_key(key)
    if len(k) > 5:
        for end in _ENDINGS.get(lang, ()):
            if k.endswith(end):
                return k[: -len(end)]
    return k


@dataclass(frozen=True, slots=True)
class Match:
    """One lexicon hit inside one tokenised text.

    ``first``/``last`` are token indices (inclusive); ``start``/``end`` are character offsets in
    ``Tokens.text``; ``sent`` is the sentence index. ``false_friend`` names the rule that
    suppressed the match (it then never counts); ``negated`` says a negation cue governs it.
    """

    category: str
    indicator: str
    term: str
    first: int
    last: int
    start: int
    end: int
    sent: int
    negated: bool = False
    false_friend: str | None = None
    #: The indicator is migrant-specific on its own ("ethnostratification", "monitoring by origin").
    specific: bool = False

    @property
    def counts(self) -> bool:
        """True when the match is evidence: neither negated nor a false friend."""
        return not self.negated and self.false_friend is None


@dataclass(frozen=True, slots=True)
class _Term:
    category: str
    indicator: str
    term: str
    rest: tuple[str, ...]  # keys after the first one
    specific: bool
    requires_number: bool


@dataclass(frozen=True, slots=True)
class _Rule:
    id: str
    #: Categories whose matches on the claimed tokens this rule suppresses.
    mistaken_for: tuple[str, ...]
    explain: str
    rest: tuple[str, ...]
    before: frozenset[str]
    after: frozenset[str]
    window: int
    sentence_any: frozenset[str]
    sentence_none: frozenset[str]


#: The cached answer for a key no term or rule can start at (compared by identity in the hot loop).
_NOTHING: tuple[tuple[_Term, ...], tuple[_Rule, ...]] = ((), ())


@dataclass(frozen=True, slots=True)
class _Negation:
    cues: frozenset[str]
    #: cue key -> (position of the cue in the exception, exception keys)
    exceptions: dict[str, tuple[tuple[int, tuple[str, ...]], ...]]
    breaks: frozenset[str]
    window: int


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
        terms += [t for _, t in found if isinstance(t, _Term) and t not in terms]
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
        # most tokens can start no term: skip them in one C-speed pass (unseen keys come through)
        for i in [i for i, key in enumerate(keys) if get(key) is not _NOTHING]:
            cand = get(keys[i]) or self._candidates(keys[i])
            if cand is _NOTHING:
                continue
            for term in cand[0]:
                last = self._follow(tokens, i, term.rest)
                if last is not None and (not term.requires_number or self._has_number(tokens, i)):
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
        if rule.sentence_any or rule.sentence_none:
            sentence = {norm_key(k) for k in keys[lo:hi]}
            if rule.sentence_any and not (sentence & rule.sentence_any):
                return False
            if rule.sentence_none and sentence & rule.sentence_none:
                return False
        return True

    def _negated(self, tokens: Tokens, first: int) -> bool:
        neg = self._negation
        if neg is None:
            return False
        keys, sents = tokens.keys, tokens.sents
        s = sents[first]
        j = first - 1
        stop = max(-1, first - 1 - neg.window)
        while j > stop and sents[j] == s:
            k = norm_key(keys[j])
            if k in neg.breaks:
                return False
            if k in neg.cues and not self._excepted(tokens, j, k, neg):
                return True
            j -= 1
        return False

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


def _term_keys(text: str, lang: str) -> tuple[str, ...]:
    """The keys a term compiles to: the document tokenizer's keys minus skipped function words."""
    toks = tokenize(text, lang)
    skip = _SKIP.get(lang, frozenset())
    keys = [canon_key(k, lang) for w, k in zip(toks.words, toks.keys, strict=True) if fold(w) not in skip]
    return tuple(k for k in keys if k and any(c.isalnum() for c in k))


def _str_list(value: Any, where: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise ConfigError(f"{where} must be a list of non-empty strings", subject=where.split(":")[0])
    return [v.strip() for v in value]


def _read(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"invalid TOML: {exc}", subject=str(path)) from exc
    except OSError as exc:
        raise ConfigError(f"cannot read lexicon file: {exc}", subject=str(path)) from exc


def _compile(lang: str, files: Iterable[Path]) -> Lexicon:
    lex = Lexicon(lang=lang, version="")
    versions: dict[str, str] = {}
    cues: set[str] = set()
    exceptions: dict[str, list[tuple[int, tuple[str, ...]]]] = {}
    breaks: set[str] = set()
    window = 10
    for path in files:
        data = _read(path)
        where = str(path)
        version = data.get("version")
        if not isinstance(version, str) or not version:
            raise ConfigError("missing string key 'version'", subject=where)
        versions[path.name] = version
        for cat, table in data.items():
            if cat in _RESERVED:
                continue
            if not isinstance(table, dict) or not table:
                raise ConfigError(f"[{cat}] must be a table of indicator tables", subject=where)
            for ind, spec in table.items():
                _compile_indicator(lex, lang, f"{where}:{cat}.{ind}", cat, ind, spec)
        for spec in data.get("false_friends", []):
            _compile_rule(lex, lang, where, spec)
        if "negation" in data:
            neg = data["negation"]
            if not isinstance(neg, dict):
                raise ConfigError("[negation] must be a table", subject=where)
            for cue in _str_list(neg.get("cues", []), f"{where}:negation.cues"):
                cues.update(_term_keys_all(cue, lang))
            for exc in _str_list(neg.get("exceptions", []), f"{where}:negation.exceptions"):
                seq = _term_keys_all(exc, lang)
                for pos, k in enumerate(seq):
                    exceptions.setdefault(k, []).append((pos, seq))
            for b in _str_list(neg.get("breaks", []), f"{where}:negation.breaks"):
                breaks.add(norm_key(fold(b)) or b)
            window = int(neg.get("window", window))
        if "numbers" in data:
            words = _str_list(data["numbers"].get("words", []), f"{where}:numbers.words")
            lex._numbers = lex._numbers | {k for w in words for k in _term_keys_all(w, lang)}
    distinct = set(versions.values())
    if len(distinct) > 1:
        detail = ", ".join(f"{n}={v}" for n, v in sorted(versions.items()))
        raise ConfigError(f"lexicon files disagree on 'version' ({detail})", subject=lang)
    lex.version = distinct.pop() if distinct else ""
    lex._negation = _Negation(
        cues=frozenset(cues),
        exceptions={k: tuple(v) for k, v in exceptions.items()},
        breaks=frozenset(breaks),
        window=window,
    )
    return lex


def _term_keys_all(text: str, lang: str) -> tuple[str, ...]:
    """Keys of a negation exception, function words included (they are part of the pattern)."""
    return tuple(norm_key(k) for k in tokenize(text, lang).keys if k)


def _compile_indicator(lex: Lexicon, lang: str, where: str, cat: str, ind: str, spec: Any) -> None:
    if not isinstance(spec, dict):
        raise ConfigError(f"{where} must be a table with 'terms' and/or 'stems'", subject=where)
    unknown = set(spec) - {"terms", "stems", "specific", "requires_number", "note"}
    if unknown:
        raise ConfigError(f"{where}: unknown key(s) {sorted(unknown)}", subject=where)
    terms = _str_list(spec.get("terms", []), f"{where}.terms")
    stems = _str_list(spec.get("stems", []), f"{where}.stems")
    if not terms and not stems:
        raise ConfigError(f"{where} has neither 'terms' nor 'stems'", subject=where)
    specific = bool(spec.get("specific", False))
    needs_number = bool(spec.get("requires_number", False))
    for text in terms:
        keys = _term_keys(text, lang)
        if not keys:
            raise ConfigError(f"{where}: term {text!r} has no word in it", subject=where)
        t = _Term(cat, ind, text, keys[1:], specific, needs_number)
        lex._exact.setdefault(keys[0], []).append(t)
    for text in stems:
        stem = norm_key(fold(text))
        if len(stem) < 4:
            raise ConfigError(f"{where}: stem {text!r} is shorter than 4 letters", subject=where)
        lex._stems.append((stem, _Term(cat, ind, text, (), specific, needs_number)))
    lex.terms.setdefault(cat, {})[ind] = tuple(terms + stems)
    # Longer multi-word terms first, so that the longest term wins at a start token.
    for lst in lex._exact.values():
        lst.sort(key=lambda t: -len(t.rest))


def _compile_rule(lex: Lexicon, lang: str, where: str, spec: Any) -> None:
    if not isinstance(spec, dict):
        raise ConfigError("[[false_friends]] entries must be tables", subject=where)
    rid = spec.get("id")
    if not isinstance(rid, str) or not rid:
        raise ConfigError("a [[false_friends]] entry has no 'id'", subject=where)
    at = f"{where}:false_friends.{rid}"
    unknown = set(spec) - {
        "id",
        "mistaken_for",
        "explain",
        "terms",
        "stems",
        "before",
        "after",
        "window",
        "sentence_any",
        "sentence_none",
    }
    if unknown:
        raise ConfigError(f"{at}: unknown key(s) {sorted(unknown)}", subject=where)
    raw_mistaken = spec.get("mistaken_for")
    if isinstance(raw_mistaken, str):
        raw_mistaken = [raw_mistaken]
    mistaken = tuple(_str_list(raw_mistaken, f"{at}.mistaken_for")) if raw_mistaken else ()
    if not mistaken:
        raise ConfigError(f"{at}: missing 'mistaken_for' (the categories it looks like)", subject=where)

    def keyset(name: str) -> frozenset[str]:
        words = _str_list(spec.get(name, []), f"{at}.{name}")
        return frozenset(k for w in words for k in _term_keys_all(w, lang))

    def rule(rest: tuple[str, ...]) -> _Rule:
        return _Rule(
            id=rid,
            mistaken_for=mistaken,
            explain=str(spec.get("explain", "")),
            rest=rest,
            before=keyset("before"),
            after=keyset("after"),
            window=int(spec.get("window", 3)),
            sentence_any=keyset("sentence_any"),
            sentence_none=keyset("sentence_none"),
        )

    terms = _str_list(spec.get("terms", []), f"{at}.terms")
    stems = _str_list(spec.get("stems", []), f"{at}.stems")
    if not terms and not stems:
        raise ConfigError(f"{at} has neither 'terms' nor 'stems'", subject=where)
    for text in terms:
        keys = _term_keys(text, lang)
        if not keys:
            raise ConfigError(f"{at}: term {text!r} has no word in it", subject=where)
        lex._rule_exact.setdefault(keys[0], []).append(rule(keys[1:]))
    for text in stems:
        lex._rule_stems.append((norm_key(fold(text)), rule(())))


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
                got = _compile(lang, files)
            else:
                got = Lexicon(lang=lang, version="")
            _lexicons[lang] = got
    return got


def compile_lexicon(lang: str, files: Iterable[Path]) -> Lexicon:
    """Compile lexicon files without the process cache (tests, lexicon editing)."""
    return _compile(lang, list(files))
