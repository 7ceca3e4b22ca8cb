"""Source kinds: how a source's entry points are read, one plain module per kind.

A source's ``kind`` (registry key, :data:`miner.records.SOURCE_KINDS`) names the module that turns
the bytes of one of its entry pages into :class:`Found` entries: documents to store, and further
entry pages (the next page of a listing or an API answer, a child sitemap). Every module has the
same small interface, so that the crawl pipeline and ``miner sources --check --online`` treat all
kinds alike and every request still goes through the one polite fetcher (SSRF guard, robots.txt,
delays, size and time limits) - a kind never makes a request itself:

- ``ACCEPT``: the Accept header sent for entry pages (APIs that answer JSON only when asked);
- ``OPTIONS``: the ``[source.api]`` option names the kind understands;
- ``entry_points(source, today)``: the URLs a crawl starts from (usually ``start_urls``; the
  official journal adds the summary pages of the last days);
- ``read(source, url, body)``: the entries an entry page lists. Pure: no I/O.

Kinds: ``crawl`` (HTML listing pages), ``sitemap`` (sitemap index + urlset, gzipped or not,
WordPress and Yoast indexes), ``feed`` (RSS 2.0 / RSS 1.0 / Atom), ``api:moniteur`` (the Belgian
official journal's daily summaries and ELI addresses), ``api:vlaams-parlement`` (the Flemish
Parliament's search API, JSON), ``api:kamer`` (the Chamber's open data on written questions, JSON).
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from types import ModuleType

from miner.errors import ConfigError
from miner.records import SOURCE_KINDS, Source


@dataclass(frozen=True, slots=True)
class Found:
    """One entry an entry page lists: a document, or (``listing``) a further entry page.

    ``title``, ``published`` (ISO date) and ``language`` are what the publisher says, when it does.
    """

    url: str
    listing: bool = False
    title: str = ""
    published: str = ""
    language: str = ""


#: Kind name -> module under ``miner.fetch.kinds`` (one entry per name of SOURCE_KINDS).
MODULES = {
    "crawl": "crawl",
    "sitemap": "sitemap",
    "feed": "feed",
    "api:moniteur": "moniteur",
    "api:vlaams-parlement": "vlparl",
    "api:kamer": "kamer",
}
assert tuple(MODULES) == SOURCE_KINDS, "every source kind has exactly one module"


def module(source: Source) -> ModuleType:
    """The module that reads ``source``'s entry pages."""
    return importlib.import_module(f"miner.fetch.kinds.{MODULES[source.kind]}")


def accept(source: Source) -> str | None:
    """The Accept header for ``source``'s entry pages (``None``: the fetcher's default)."""
    value: str | None = getattr(module(source), "ACCEPT", None)
    return value


def entry_points(source: Source, today: date | None = None) -> list[str]:
    """Where a crawl of ``source`` starts."""
    urls: Sequence[str] = module(source).entry_points(source, today or date.today())
    return list(dict.fromkeys(urls))


def read(source: Source, url: str, body: bytes) -> list[Found]:
    """The documents and further entry pages of one entry page of ``source`` (fetched from ``url``)."""
    found: list[Found] = module(source).read(source, url, body)
    return found


def check_options(source: Source) -> None:
    """Refuse ``[source.api]`` options the source's kind does not know (a typo crawls the wrong thing)
    or values it cannot use (the kind's ``validate``, when it has one)."""
    kind = module(source)
    known: tuple[str, ...] = getattr(kind, "OPTIONS", ())
    unknown = sorted(set(source.api) - set(known))
    if unknown:
        raise ConfigError(
            f"source {source.id!r}, key 'api': unknown option(s) {', '.join(unknown)} for kind "
            f"{source.kind} (known: {', '.join(known) or 'none'})",
            subject=source.id,
        )
    validate = getattr(kind, "validate", None)
    if validate is not None:
        validate(source)


def option(source: Source, name: str, default: object) -> object:
    """One ``[source.api]`` option, or its default."""
    return source.api.get(name, default)
