"""The scoring rubric (``corpora/rubric.toml``): dimensions, weights, scope, relevance and flag rules.

Why a file and not code: the rubric is a policy judgement a watchdog must be able to read, argue
with and version. Every stored score carries ``Rubric.version``, so a changed rubric re-scores
stored documents without re-fetching them. Loading validates everything and names the file and the
key of the first problem, because a wrong weight silently skews every score.
"""

from __future__ import annotations

import threading
import tomllib
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from miner.errors import ConfigError


class FlagCode(StrEnum):
    """Every flag the scorer can raise: the one place a code is spelled.

    ``corpora/rubric.toml`` enables a subset by value; :mod:`miner.scoring.flags` implements each;
    docs/scoring.md documents each (a test checks that every code is documented there).
    """

    IGNORES_MIGRATION_BACKGROUND = "ignores_migration_background"
    EXCLUDES_MIGRANTS = "excludes_migrants"
    TARGET_GROUP_WITHOUT_MIGRANTS = "target_group_without_migrants"
    NO_GENDER_LENS = "no_gender_lens"
    NO_MEASURABLE_TARGETS = "no_measurable_targets"
    INTEGRATION_CENTRES_ONLY = "integration_centres_only"
    DROPPED_CONTENT = "dropped_content"


#: Flag codes, as strings (for messages and validation).
FLAG_CODES = tuple(c.value for c in FlagCode)
SEVERITIES = ("info", "warning", "high")
#: "clause": the same sentence and no ";" or bullet between the two terms; "sentence": the same
#: sentence; "paragraph": the same paragraph within [cooccurrence] paragraph_window sentences.
SCOPES = ("phrase", "clause", "sentence", "paragraph")
#: "graded": 0 / 50 (present, not tied) / 100 (tied); "binary": 0 / 100 (present).
SCALES = ("graded", "binary")
#: How a document-level flag follows from its chapters: raised when any in-scope chapter raises
#: it ("any_chapter"), or computed once over all in-scope chapters together ("document").
FLAG_AGGREGATIONS = ("any_chapter", "document")
#: The ways a sentence can speak of the group (codebook "mention").
DIRECTIONS = ("inclusive", "restrictive", "descriptive", "excluding")


@dataclass(frozen=True, slots=True)
class Dimension:
    name: str
    label: dict[str, str]
    counts: str
    indicators: tuple[str, ...]
    #: Lexicon categories whose matches are this dimension's evidence.
    categories: tuple[str, ...]
    #: Lexicon categories that make a match specific when they occur in the same ``scope``.
    cooccur_with: tuple[str, ...]
    scope: str
    full_min_indicators: int
    weight: float
    scale: str = "graded"
    #: A match that is not tied to the group counts (50) only inside the plan's own domain: the
    #: scored unit is employment or education text, or the match's sentence holds such a term.
    generic_needs_domain: bool = True
    #: Evidence of these directions does not count for this dimension (restrictive language
    #: requirements do not remove a language barrier).
    ignore_directions: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class FlagRule:
    code: FlagCode
    severity: str
    reason: str
    aggregate: str = "any_chapter"


@dataclass(frozen=True, slots=True)
class RelevanceRule:
    top_k: int = 3
    floor: float = 0.6
    full_share: float = 0.10


@dataclass(frozen=True, slots=True)
class ScopeRule:
    min_matches: int = 3
    min_per_1000: float = 2.0
    domains: tuple[tuple[str, tuple[str, ...]], ...] = ()
    #: Domains the product watches: a unit in one of them is "in scope".
    watched: tuple[str, ...] = ("employment", "education")
    #: A text of at most ``short_words`` words needs only ``short_min_matches`` domain terms.
    short_words: int = 200
    short_min_matches: int = 2
    #: Categories whose mentions mean a text speaks of the group or of migration at all.
    mentions: tuple[str, ...] = ("group", "migration")
    #: Categories of measures for disadvantaged groups and target groups.
    disadvantaged: tuple[str, ...] = ("disadvantaged", "target_group")


@dataclass(frozen=True, slots=True)
class ChapterRule:
    #: A document without chapters longer than this is scored in blocks of about this many words.
    block_words: int = 3000
    #: A paragraph of at most this many characters that occurs twice is a repeated line.
    repeated_max_chars: int = 160
    #: Text before the first chapter is front matter when the extractor found at least this many.
    front_matter_min_chapters: int = 2


@dataclass(frozen=True, slots=True)
class CooccurrenceRule:
    #: "paragraph" scope means the same paragraph *and* at most this many sentences apart, so that a
    #: chapter extracted as one huge paragraph does not tie everything to everything.
    paragraph_window: int = 3


@dataclass(frozen=True, slots=True)
class EvidenceRule:
    max_per_dimension: int = 12
    max_per_flag: int = 5
    max_quote_chars: int = 400
    #: Quotes per dimension and chapter in the top-level ``evidence`` list: the ones that decided
    #: the dimension's score (the dimension itself lists up to max_per_dimension).
    decisive_per_dimension: int = 1


@dataclass(frozen=True, slots=True)
class Rubric:
    version: str
    dimensions: tuple[Dimension, ...]
    flags: tuple[FlagRule, ...]
    relevance: RelevanceRule
    scope: ScopeRule
    evidence: EvidenceRule
    cooccurrence: CooccurrenceRule = CooccurrenceRule()
    chapters: ChapterRule = ChapterRule()
    path: str = ""

    def dimension(self, name: str) -> Dimension:
        for d in self.dimensions:
            if d.name == name:
                return d
        raise KeyError(name)

    def flag(self, code: FlagCode) -> FlagRule | None:
        return next((f for f in self.flags if f.code == code), None)

    @property
    def categories(self) -> frozenset[str]:
        """Every lexicon category the rubric refers to."""
        cats: set[str] = set()
        for d in self.dimensions:
            cats.update(d.categories)
            cats.update(d.cooccur_with)
        for _, c in self.scope.domains:
            cats.update(c)
        cats.update(self.scope.mentions)
        cats.update(self.scope.disadvantaged)
        return frozenset(cats)


# --- validation helpers ------------------------------------------------------------------------------


class _Reader:
    """Typed access to one TOML table that raises ConfigError naming the file and the key."""

    def __init__(self, path: str, data: dict[str, Any], where: str = "") -> None:
        self.path = path
        self.data = data
        self.where = where

    def _err(self, key: str, msg: str) -> ConfigError:
        at = f"{self.where}.{key}" if self.where else key
        return ConfigError(f"key '{at}': {msg}", subject=self.path)

    def get(
        self, key: str, kind: type | tuple[type, ...], default: Any = ..., *, nonempty: bool = False
    ) -> Any:
        if key not in self.data:
            if default is ...:
                raise self._err(key, "is missing")
            return default
        value = self.data[key]
        if kind is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if isinstance(value, bool) and kind is not bool:
            raise self._err(key, f"must be {_name(kind)}, got a boolean")
        if not isinstance(value, kind):
            raise self._err(key, f"must be {_name(kind)}, got {type(value).__name__} {value!r}")
        if nonempty and not value:
            raise self._err(key, "must not be empty")
        return value

    def strings(self, key: str, default: Any = ..., *, nonempty: bool = False) -> tuple[str, ...]:
        value = self.get(key, list, default, nonempty=nonempty)
        if not all(isinstance(v, str) and v for v in value):
            raise self._err(key, "must be a list of non-empty strings")
        return tuple(value)

    def table(self, key: str, index: int | None = None) -> _Reader:
        value = self.data[key] if index is None else self.data[key][index]
        sub = f"{key}[{index}]" if index is not None else key
        if not isinstance(value, dict):
            raise self._err(sub, "must be a table")
        return _Reader(self.path, value, f"{self.where}.{sub}" if self.where else sub)

    def error(self, key: str, msg: str) -> ConfigError:
        return self._err(key, msg)


def _name(kind: type | tuple[type, ...]) -> str:
    names = {
        str: "a string",
        int: "an integer",
        float: "a number",
        list: "a list",
        dict: "a table",
        bool: "true/false",
    }
    if isinstance(kind, tuple):
        return " or ".join(names.get(k, k.__name__) for k in kind)
    return names.get(kind, kind.__name__)


def _dimension(r: _Reader) -> Dimension:
    name = r.get("name", str, nonempty=True)
    label = r.get("label", dict)
    for lang in ("nl", "fr", "en"):
        if not isinstance(label.get(lang), str) or not label[lang]:
            raise r.error(f"label.{lang}", "is missing (labels are needed in nl, fr and en)")
    scope = r.get("scope", str, "paragraph")
    if scope not in SCOPES:
        raise r.error("scope", f"must be one of {', '.join(SCOPES)}, got {scope!r}")
    weight = r.get("weight", float)
    if not 0 < weight <= 100:
        raise r.error("weight", f"must be > 0 and <= 100, got {weight}")
    full_min = r.get("full_min_indicators", int, 0)
    if full_min < 0:
        raise r.error("full_min_indicators", "must be >= 0")
    scale = r.get("scale", str, "graded")
    if scale not in SCALES:
        raise r.error("scale", f"must be one of {', '.join(SCALES)}, got {scale!r}")
    ignore = r.strings("ignore_directions", ())
    bad = sorted(set(ignore) - set(DIRECTIONS))
    if bad:
        raise r.error("ignore_directions", f"unknown direction(s) {bad} (known: {', '.join(DIRECTIONS)})")
    return Dimension(
        name=name,
        label={k: str(v) for k, v in label.items()},
        counts=r.get("counts", str, nonempty=True),
        indicators=r.strings("indicators", nonempty=True),
        categories=r.strings("categories", nonempty=True),
        cooccur_with=r.strings("cooccur_with", ()),
        scope=scope,
        full_min_indicators=full_min,
        weight=weight,
        scale=scale,
        generic_needs_domain=r.get("generic_needs_domain", bool, True),
        ignore_directions=ignore,
    )


def _flag(r: _Reader) -> FlagRule:
    code = r.get("code", str, nonempty=True)
    if code not in FLAG_CODES:
        raise r.error("code", f"unknown flag rule {code!r} (known: {', '.join(FLAG_CODES)})")
    severity = r.get("severity", str)
    if severity not in SEVERITIES:
        raise r.error("severity", f"must be one of {', '.join(SEVERITIES)}, got {severity!r}")
    aggregate = r.get("aggregate", str, "any_chapter")
    if aggregate not in FLAG_AGGREGATIONS:
        raise r.error("aggregate", f"must be one of {', '.join(FLAG_AGGREGATIONS)}, got {aggregate!r}")
    return FlagRule(
        code=FlagCode(code),
        severity=severity,
        reason=r.get("reason", str, nonempty=True),
        aggregate=aggregate,
    )


def parse_rubric(data: dict[str, Any], path: str = "<rubric>") -> Rubric:
    """Validate parsed TOML into a :class:`Rubric` (raises ConfigError naming the key)."""
    r = _Reader(path, data)
    version = r.get("version", str, nonempty=True)
    dims_raw = r.get("dimensions", list, nonempty=True)
    dims = tuple(_dimension(r.table("dimensions", i)) for i in range(len(dims_raw)))
    seen: set[str] = set()
    for i, d in enumerate(dims):
        if d.name in seen:
            raise r.error(f"dimensions[{i}].name", f"duplicate dimension {d.name!r}")
        seen.add(d.name)
    flags_raw = r.get("flags", list, [])
    flags = tuple(_flag(r.table("flags", i)) for i in range(len(flags_raw)))
    rel = r.table("relevance") if "relevance" in data else _Reader(path, {}, "relevance")
    relevance = RelevanceRule(
        top_k=rel.get("top_k", int, 3),
        floor=rel.get("floor", float, 0.6),
        full_share=rel.get("full_share", float, 0.10),
    )
    if relevance.top_k < 1:
        raise rel.error("top_k", "must be >= 1")
    if not 0 <= relevance.floor <= 1:
        raise rel.error("floor", "must be between 0 and 1")
    if not 0 < relevance.full_share <= 1:
        raise rel.error("full_share", "must be > 0 and <= 1")
    sc = r.table("scope") if "scope" in data else _Reader(path, {}, "scope")
    domains_raw = sc.get("domains", dict, {})
    domains = []
    for dom in domains_raw:
        domains.append((dom, sc.table("domains").strings(dom, nonempty=True)))
    scope = ScopeRule(
        min_matches=sc.get("min_matches", int, 3),
        min_per_1000=sc.get("min_per_1000", float, 2.0),
        domains=tuple(domains),
        watched=sc.strings("watched", ("employment", "education")),
        short_words=sc.get("short_words", int, 200),
        short_min_matches=sc.get("short_min_matches", int, 2),
        mentions=sc.strings("mentions", ("group", "migration")),
        disadvantaged=sc.strings("disadvantaged", ("disadvantaged", "target_group")),
    )
    unknown_watched = sorted(set(scope.watched) - {d for d, _ in domains}) if domains else []
    if unknown_watched:
        raise sc.error("watched", f"names domain(s) without terms in [scope.domains]: {unknown_watched}")
    ev = r.table("evidence") if "evidence" in data else _Reader(path, {}, "evidence")
    evidence = EvidenceRule(
        max_per_dimension=ev.get("max_per_dimension", int, 12),
        max_per_flag=ev.get("max_per_flag", int, 5),
        max_quote_chars=ev.get("max_quote_chars", int, 400),
        decisive_per_dimension=ev.get("decisive_per_dimension", int, 1),
    )
    if evidence.decisive_per_dimension < 1:
        raise ev.error("decisive_per_dimension", "must be >= 1")
    if evidence.max_quote_chars < 40:
        raise ev.error("max_quote_chars", "must be >= 40")
    co = r.table("cooccurrence") if "cooccurrence" in data else _Reader(path, {}, "cooccurrence")
    cooccurrence = CooccurrenceRule(paragraph_window=co.get("paragraph_window", int, 3))
    if cooccurrence.paragraph_window < 0:
        raise co.error("paragraph_window", "must be >= 0")
    ch = r.table("chapters") if "chapters" in data else _Reader(path, {}, "chapters")
    chapters = ChapterRule(
        block_words=ch.get("block_words", int, 3000),
        repeated_max_chars=ch.get("repeated_max_chars", int, 160),
        front_matter_min_chapters=ch.get("front_matter_min_chapters", int, 2),
    )
    if chapters.block_words < 200:
        raise ch.error("block_words", "must be >= 200")
    return Rubric(
        version=version,
        dimensions=dims,
        flags=flags,
        relevance=relevance,
        scope=scope,
        evidence=evidence,
        cooccurrence=cooccurrence,
        chapters=chapters,
        path=path,
    )


_cache: dict[tuple[str, float], Rubric] = {}
_lock = threading.Lock()


def default_rubric_path() -> Path:
    from miner.config import get_settings

    return get_settings().corpora_dir / "rubric.toml"


def load_rubric(path: str | Path | None = None) -> Rubric:
    """Read and validate the rubric (default ``corpora/rubric.toml``); cached per file and mtime.

    Raises :class:`ConfigError` (permanent: fix the file) naming the file and the offending key.
    """
    p = Path(path) if path is not None else default_rubric_path()
    try:
        key = (str(p), p.stat().st_mtime)  # one stat per call: scoring a short text calls this
    except OSError as exc:
        raise ConfigError(f"cannot read the rubric: {exc.strerror}", subject=str(p)) from exc
    got = _cache.get(key)
    if got is not None:
        return got
    try:
        with p.open("rb") as fh:
            data = tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"invalid TOML: {exc}", subject=str(p)) from exc
    except OSError as exc:
        raise ConfigError(f"cannot read the rubric: {exc.strerror}", subject=str(p)) from exc
    rubric = parse_rubric(data, str(p))
    with _lock:
        _cache[key] = rubric
    return rubric
