"""The source registry: ``corpora/sources/*.toml`` -> validated :class:`~miner.records.Source` records.

A source file holds ``[[source]]`` tables (format: ``docs/sources.md``). Loading is strict: an
unknown key, an unknown government, an empty ``start_urls``, a start URL outside the source's own
scope, a bad cadence or a duplicate id is a :class:`~miner.errors.ConfigError` that names the file,
the source and the key, because a typo in a registry silently crawls the wrong thing for months.

:func:`parse_source` is the one reader of a source table: the TOML files, ``miner sources --check``
and the store (which keeps each source's table as JSON for the workers) all go through it, so that
a source means the same thing wherever it is read. URLs are kept canonical
(:func:`miner.fetch.urls.canonicalize`) and scope is tested by :func:`miner.fetch.urls.in_scope`.

There is deliberately no key to reach private addresses: that exception belongs to the process
(``miner run --allow-private-addresses``), never to a registered source.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable
from dataclasses import asdict
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from miner.config import CORPORA_DIR
from miner.errors import ConfigError
from miner.fetch.urls import canonicalize, in_scope
from miner.records import DOMAINS, GOVERNMENTS, SOURCE_KINDS, Source

CADENCES = ("hourly", "daily", "weekly", "monthly")
SOURCE_LANGUAGES = ("nl", "fr", "de", "en")
DOCUMENT_TYPES = ("pdf", "html", "docx", "odt", "text")
REQUIRED = ("id", "name", "government", "domains", "languages", "start_urls", "scope", "cadence")
OPTIONAL = (
    "sitemaps",
    "feeds",
    "document_types",
    "delay",
    "max_depth",
    "max_documents",
    "exclude",
    "notes",
    "document_paths",
    "document_hosts",
    "same_site",
    "language_hosts",
    "kind",
    "api",
)
_ID = re.compile(r"^[a-z0-9][a-z0-9-]{1,62}$")
# One cron field: *, numbers, ranges, steps, lists, and month/day names.
_CRON_FIELD = re.compile(r"^(\*|[0-9a-z]+(-[0-9a-z]+)?)(/[0-9]+)?(,(\*|[0-9a-z]+(-[0-9a-z]+)?)(/[0-9]+)?)*$")


def default_sources_dir(corpora_dir: Path = CORPORA_DIR) -> Path:
    """The registry folder under a corpora folder (``settings.corpora_dir``)."""
    return corpora_dir / "sources"


def load_sources(path: Path | None = None, *, corpora_dir: Path = CORPORA_DIR) -> list[Source]:
    """Every source in a ``.toml`` file, or in every ``*.toml`` of a folder (sorted by name).

    ``None`` means ``<corpora_dir>/sources`` (callers pass ``settings.corpora_dir``; the default is the
    shipped registry). Raises :class:`ConfigError` on the first problem.
    """
    path = Path(path) if path is not None else default_sources_dir(corpora_dir)
    if path.is_dir():
        files = sorted(path.glob("*.toml"))
        if not files:
            raise ConfigError("no *.toml source files in this folder", subject=str(path))
    elif path.is_file():
        files = [path]
    else:
        raise ConfigError("no such source file or folder", subject=str(path))
    sources: list[Source] = []
    origin: dict[str, Path] = {}
    for file in files:
        for source in load_file(file):
            if source.id in origin:
                raise ConfigError(
                    f"source {source.id!r}: duplicate id (also defined in {origin[source.id].name})",
                    subject=str(file),
                )
            origin[source.id] = file
            sources.append(source)
    return sources


def load_file(file: Path) -> list[Source]:
    """The sources of one file, validated."""
    try:
        data = tomllib.loads(file.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"not valid TOML: {exc}", subject=str(file)) from exc
    extra = set(data) - {"source"}
    if extra:
        raise ConfigError(
            f"unknown top-level key(s) {', '.join(sorted(extra))}: a file holds [[source]] tables",
            subject=str(file),
        )
    tables = data.get("source", [])
    if not isinstance(tables, list) or not tables:
        raise ConfigError("no [[source]] tables", subject=str(file))
    out: list[Source] = []
    for n, table in enumerate(tables, start=1):
        out.append(parse_source(table, where=f"{file}", index=n))
    return out


class _Check:
    """Builds error messages naming file, source and key."""

    def __init__(self, where: str, sid: str) -> None:
        self.where = where
        self.sid = sid

    def fail(self, key: str | None, message: str) -> ConfigError:
        what = f"source {self.sid!r}" + (f", key {key!r}" if key else "")
        return ConfigError(f"{what}: {message}", subject=self.where)


def parse_source(table: Any, *, where: str = "<source>", index: int = 1) -> Source:
    """Validate one ``[[source]]`` table (from TOML, or the JSON the store kept) and build the record."""
    if not isinstance(table, dict):
        raise ConfigError(f"[[source]] #{index} is not a table", subject=where)
    sid = table.get("id")
    check = _Check(where, sid if isinstance(sid, str) else f"#{index}")
    if "allow_private" in table or "allow_private_addresses" in table:
        raise check.fail(
            "allow_private", "a source cannot open private addresses; only the operator can, per process"
        )
    unknown = set(table) - set(REQUIRED) - set(OPTIONAL)
    if unknown:
        raise check.fail(
            sorted(unknown)[0],
            f"unknown key(s) {', '.join(sorted(unknown))}; allowed: {', '.join(REQUIRED + OPTIONAL)}",
        )
    for key in REQUIRED:
        if key not in table:
            raise check.fail(key, "is required")
    if not isinstance(sid, str) or not _ID.match(sid):
        raise check.fail("id", "must be 2-63 characters of a-z, 0-9 and '-', starting with a letter or digit")
    name = _text(check, table, "name")
    government = _text(check, table, "government")
    if government not in GOVERNMENTS:
        raise check.fail("government", f"{government!r} is not one of {', '.join(GOVERNMENTS)}")
    domains = _choices(check, table, "domains", DOMAINS)
    languages = _choices(check, table, "languages", SOURCE_LANGUAGES)
    start_urls = _urls(check, table, "start_urls", required=True)
    scope = _urls(check, table, "scope", required=True)
    cadence = _cadence(check, table.get("cadence"))
    sitemaps = _urls(check, table, "sitemaps")
    feeds = _urls(check, table, "feeds")
    document_types = (
        _choices(check, table, "document_types", DOCUMENT_TYPES) if "document_types" in table else None
    )
    exclude = _strings(check, table, "exclude")
    delay = _number(check, table, "delay", 0.0, 3600.0, float)
    max_depth = _number(check, table, "max_depth", 0, 20, int)
    max_documents = _number(check, table, "max_documents", 1, 1_000_000, int)
    notes = _notes(check, table)
    kind = table.get("kind", "crawl")
    if kind not in SOURCE_KINDS:
        raise check.fail("kind", f"{kind!r} is not one of {', '.join(SOURCE_KINDS)}")
    api = _api(check, table, kind)
    kw: dict[str, Any] = _scope_keys(check, table)
    if document_types is not None:
        kw["document_types"] = document_types
    for key, value in (("delay", delay), ("max_depth", max_depth), ("max_documents", max_documents)):
        if value is not None:
            kw[key] = value
    source = Source(
        id=sid,
        name=name,
        government=government,
        domains=domains,
        languages=languages,
        start_urls=start_urls,
        scope=scope,
        cadence=cadence,
        sitemaps=sitemaps,
        feeds=feeds,
        exclude=exclude,
        notes=notes,
        kind=kind,
        api=api,
        **kw,
    )
    for url in start_urls:
        if not in_scope(source, url):
            raise check.fail("start_urls", f"{url} is outside the source's own scope ({', '.join(scope)})")
    return source


def source_table(source: Source) -> dict[str, Any]:
    """The ``[[source]]`` table of a record (the inverse of :func:`parse_source`), JSON-safe."""
    table = {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(source).items()}
    table["language_hosts"] = dict(source.language_hosts)
    return table


def checked(source: Source) -> Source:
    """A record built in code (not read from a file), passed through the one reader: what the store
    will read back must be a valid source, so an invalid one is refused before it is stored."""
    return parse_source(source_table(source), where=f"source {source.id!r}")


def _scope_keys(check: _Check, table: dict[str, Any]) -> dict[str, Any]:
    """``document_paths``, ``document_hosts`` and ``same_site``: where the publisher keeps its files
    and whether ``www``/bare host and http/https are one site (read by :func:`miner.fetch.urls.scoped`)."""
    kw: dict[str, Any] = {}
    paths = _strings(check, table, "document_paths")
    for path in paths:
        if not path.startswith("/") or "?" in path or "#" in path:
            raise check.fail("document_paths", f"{path!r} is not a path starting with '/'")
    if paths:
        kw["document_paths"] = tuple(dict.fromkeys(paths))
    hosts = []
    for host in _strings(check, table, "document_hosts"):
        url = host if "://" in host else f"https://{host.strip('/')}/"
        p = urlsplit(url)
        if p.scheme.lower() not in ("http", "https") or not p.hostname or p.username:
            raise check.fail("document_hosts", f"{host!r} is neither a host name nor an http(s) URL prefix")
        hosts.append(canonicalize(url))
    if hosts:
        kw["document_hosts"] = tuple(dict.fromkeys(hosts))
    if "same_site" in table:
        if not isinstance(table["same_site"], bool):
            raise check.fail("same_site", "must be true or false")
        kw["same_site"] = table["same_site"]
    value = table.get("language_hosts", {})
    pairs = list(value.items()) if isinstance(value, dict) else value
    if not isinstance(pairs, list) or not all(
        isinstance(p, list | tuple) and len(p) == 2 and all(isinstance(x, str) for x in p) for p in pairs
    ):
        raise check.fail("language_hosts", "must be a table of language = host")
    hosts_by_language = []
    for lang, host in pairs:
        if lang not in SOURCE_LANGUAGES:
            raise check.fail("language_hosts", f"{lang!r} is not one of {', '.join(SOURCE_LANGUAGES)}")
        url = host if "://" in host else f"https://{host.strip('/')}/"
        netloc = urlsplit(canonicalize(url)).netloc if urlsplit(url).hostname else ""
        if not netloc:
            raise check.fail("language_hosts", f"{host!r} is not a host name")
        hosts_by_language.append((lang, netloc))
    if hosts_by_language:
        kw["language_hosts"] = tuple(hosts_by_language)
    return kw


def _text(check: _Check, table: dict[str, Any], key: str) -> str:
    value = table.get(key)
    if not isinstance(value, str) or not value.strip():
        raise check.fail(key, "must be a non-empty string")
    return value.strip()


def _notes(check: _Check, table: dict[str, Any]) -> str:
    value = table.get("notes", "")
    if not isinstance(value, str):
        raise check.fail("notes", "must be a string")
    return value.strip()


def _api(check: _Check, table: dict[str, Any], kind: str) -> dict[str, Any]:
    """The ``[source.api]`` options: plain values only, and only for an ``api:`` kind. Which names an
    adapter takes is the adapter's own fact (``miner sources --check`` asks it)."""
    value = table.get("api", {})
    if not isinstance(value, dict):
        raise check.fail("api", "must be a table of options")
    if value and not kind.startswith("api:"):
        raise check.fail("api", f"options are for api:<name> kinds, not {kind!r}")
    for key, option in value.items():
        plain = isinstance(option, str | int) and not isinstance(option, bool)
        if not plain and not (isinstance(option, list) and all(isinstance(v, str) for v in option)):
            raise check.fail("api", f"option {key!r} must be a string, an integer or a list of strings")
    return dict(value)


def _strings(check: _Check, table: dict[str, Any], key: str) -> tuple[str, ...]:
    value = table.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise check.fail(key, "must be a list of non-empty strings")
    return tuple(v.strip() for v in value)


def _choices(check: _Check, table: dict[str, Any], key: str, allowed: Iterable[str]) -> tuple[str, ...]:
    values = _strings(check, table, key)
    allowed = tuple(allowed)
    if not values:
        raise check.fail(key, f"must list at least one of {', '.join(allowed)}")
    bad = [v for v in values if v not in allowed]
    if bad:
        raise check.fail(key, f"{', '.join(bad)} not one of {', '.join(allowed)}")
    return tuple(dict.fromkeys(values))


def _urls(check: _Check, table: dict[str, Any], key: str, *, required: bool = False) -> tuple[str, ...]:
    values = _strings(check, table, key)
    if required and not values:
        raise check.fail(key, "must list at least one URL")
    out = []
    for url in values:
        p = urlsplit(url)
        if p.scheme.lower() not in ("http", "https") or not p.hostname:
            raise check.fail(key, f"{url!r} is not an absolute http(s) URL")
        if p.username or p.password:
            raise check.fail(key, f"{url!r}: credentials do not belong in a source file")
        try:
            out.append(canonicalize(url))
        except ValueError as exc:
            raise check.fail(key, f"{url!r} is not a valid URL ({exc})") from exc
    return tuple(dict.fromkeys(out))


def _cadence(check: _Check, value: Any) -> str:
    if isinstance(value, str):
        v = value.strip().lower()
        if v in CADENCES:
            return v
        if v.startswith("cron:"):
            fields = v[5:].split()
            if len(fields) == 5 and all(_CRON_FIELD.match(f) for f in fields):
                return "cron: " + " ".join(fields)
    raise check.fail(
        "cadence",
        f"{value!r} is not one of {', '.join(CADENCES)} or 'cron: <minute> <hour> <day> <month> <weekday>'",
    )


def _number(
    check: _Check, table: dict[str, Any], key: str, low: float, high: float, kind: type[int] | type[float]
) -> Any:
    if key not in table:
        return None
    value = table[key]
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or (kind is int and isinstance(value, float))
    ):
        raise check.fail(key, f"must be {'an integer' if kind is int else 'a number'}")
    if not low <= value <= high:
        raise check.fail(key, f"{value} is outside {low:g}..{high:g}")
    return kind(value)
