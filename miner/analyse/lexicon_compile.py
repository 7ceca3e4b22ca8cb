"""Compiling lexicon files (``corpora/lexicons/<lang>/*.toml``) into a :class:`Lexicon`.

Why a module of its own: reading and validating the TOML (every error names the file and the key)
is a different concern from matching, and it runs once per process.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from miner.analyse.lexicon import Lexicon
from miner.analyse.lexicon_keys import _RESERVED, _SKIP, _Negation, _Rule, _Term, canon_key, norm_key
from miner.analyse.nlp import fold, tokenize
from miner.errors import ConfigError


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


def compile_files(lang: str, files: Iterable[Path]) -> Lexicon:
    """Compile lexicon files into one :class:`Lexicon` (raises ConfigError naming file and key)."""
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
        if "direction" in data:
            _compile_cues(lex, lang, where, data["direction"])
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


def _compile_cues(lex: Lexicon, lang: str, where: str, table: Any) -> None:
    """``[direction.<kind>]`` tables: words (``terms``, matched on the lemma key) and ``stems``
    (matched inside a key) that tell how a sentence speaks of the group (see miner.scoring.direction)."""
    if not isinstance(table, dict):
        raise ConfigError("[direction] must be a table of cue tables", subject=where)
    for kind, spec in table.items():
        at = f"{where}:direction.{kind}"
        if not isinstance(spec, dict) or set(spec) - {"terms", "stems", "note"}:
            raise ConfigError(f"{at} must be a table with 'terms' and/or 'stems'", subject=where)
        seqs = [_term_keys_all(w, lang) for w in _str_list(spec.get("terms", []), f"{at}.terms")]
        exact = {s[0] for s in seqs if len(s) == 1}
        phrases = tuple(s for s in seqs if len(s) > 1)
        stems = tuple(norm_key(fold(w)) for w in _str_list(spec.get("stems", []), f"{at}.stems"))
        old_exact, old_stems, old_phrases = lex._cues.get(kind, (frozenset(), (), ()))
        lex._cues[kind] = (old_exact | exact, old_stems + stems, old_phrases + phrases)


def _term_keys_all(text: str, lang: str) -> tuple[str, ...]:
    """Keys of a negation exception, function words included (they are part of the pattern)."""
    return tuple(norm_key(k) for k in tokenize(text, lang).keys if k)


def _compile_indicator(lex: Lexicon, lang: str, where: str, cat: str, ind: str, spec: Any) -> None:
    if not isinstance(spec, dict):
        raise ConfigError(f"{where} must be a table with 'terms' and/or 'stems'", subject=where)
    unknown = set(spec) - {
        "terms",
        "stems",
        "specific",
        "requires_number",
        "requires_year",
        "surface_only",
        "note",
    }
    if unknown:
        raise ConfigError(f"{where}: unknown key(s) {sorted(unknown)}", subject=where)
    terms = _str_list(spec.get("terms", []), f"{where}.terms")
    stems = _str_list(spec.get("stems", []), f"{where}.stems")
    if not terms and not stems:
        raise ConfigError(f"{where} has neither 'terms' nor 'stems'", subject=where)
    specific = bool(spec.get("specific", False))
    needs_number = bool(spec.get("requires_number", False))
    needs_year = bool(spec.get("requires_year", False))
    for text in terms:
        keys = _term_keys(text, lang)
        if not keys:
            raise ConfigError(f"{where}: term {text!r} has no word in it", subject=where)
        surface = frozenset({fold(text.split()[0])}) if spec.get("surface_only", False) else frozenset()
        t = _Term(cat, ind, text, keys[1:], specific, needs_number, needs_year, surface)
        lex._exact.setdefault(keys[0], []).append(t)
    for text in stems:
        stem = norm_key(fold(text))
        if len(stem) < 4:
            raise ConfigError(f"{where}: stem {text!r} is shorter than 4 letters", subject=where)
        lex._stems.append((stem, _Term(cat, ind, text, (), specific, needs_number, needs_year)))
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
        "before_none",
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
            before_none=keyset("before_none"),
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
