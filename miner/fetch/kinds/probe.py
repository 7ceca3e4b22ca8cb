"""Probe one source on the live web: is it reachable, does robots.txt allow us, does it list documents?

``miner sources --check --online`` runs this for every registered source before anything is crawled:
a registry written without network access names URLs that moved, home pages that list nothing and
documents outside the scope, and the only way to know is to ask the sites. The probe reads a few
entry pages with the source's own kind (:mod:`miner.fetch.kinds`), keeps the in-scope documents they
list, and fetches a small sample of those to see what they really are (PDF, HTML, ...). Every request
goes through the one polite fetcher: robots.txt, the SSRF guard, delays and limits apply as in a crawl.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from miner.errors import MinerError, RobotsDisallowed
from miner.fetch import kinds
from miner.fetch.client import Fetcher
from miner.fetch.urls import canonicalize, in_scope
from miner.records import Fetched, Source


@dataclass
class Probe:
    """What the probe of one source found."""

    source: str
    kind: str
    #: Every entry page the probe tried answered (robots.txt readable, no network or HTTP error).
    reachable: bool = False
    #: robots.txt lets our user agent fetch every entry page tried.
    allowed: bool = False
    #: In-scope documents listed by the entry pages read.
    documents: int = 0
    #: Kind of each sampled document ("pdf", "html", ...) -> how many.
    types: Counter[str] = field(default_factory=Counter)
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.reachable and self.allowed and self.documents > 0

    def row(self) -> dict[str, object]:
        return {
            "source": self.source,
            "kind": self.kind,
            "reachable": self.reachable,
            "allowed": self.allowed,
            "documents": self.documents,
            "types": ", ".join(f"{k} {n}" for k, n in sorted(self.types.items())),
            "detail": "; ".join(self.problems) or "ok",
        }


def probe(
    source: Source,
    fetcher: Fetcher,
    sniff: Callable[[Fetched], str],
    *,
    pages: int = 2,
    sample: int = 3,
) -> Probe:
    """Read the start URLs and up to ``pages`` further entry pages each; sample ``sample`` documents."""
    result = Probe(source.id, source.kind, reachable=True, allowed=True)
    queue = kinds.entry_points(source)
    budget = (pages + 1) * max(len(source.start_urls), 1)  # each start URL and `pages` further pages
    seen: set[str] = set()
    documents: list[str] = []
    while queue and budget > 0:
        url = queue.pop(0)
        if url in seen:
            continue
        seen.add(url)
        budget -= 1
        fetched = _get(source, fetcher, url, result, entry=True)
        if fetched is None:
            continue
        for found in kinds.read(source, fetched.final_url or url, fetched.content):
            try:
                target = canonicalize(found.url)
            except ValueError:
                continue
            if not in_scope(source, target):
                continue
            if found.listing:
                queue.append(target)
            elif target not in documents:
                documents.append(target)
    result.documents = len(documents)
    if not documents and not result.problems:
        result.problems.append("the entry pages list no document inside the scope")
    for url in documents[:sample]:
        fetched = _get(source, fetcher, url, result, entry=False)
        if fetched is not None:
            result.types[sniff(fetched)] += 1
    return result


def _get(source: Source, fetcher: Fetcher, url: str, result: Probe, *, entry: bool) -> Fetched | None:
    """One fetch; a failure is noted on ``result`` (an entry page's makes the source unreachable)."""
    try:
        fetcher.guard.check(url)
        rules = fetcher.robots.rules(url)
        if rules.unreachable:
            result.reachable = False
            result.problems.append(f"{url}: robots.txt unreachable ({rules.reason})")
            return None
        accept = kinds.accept(source) if entry else None
        return fetcher.fetch(url, source_id=source.id, delay=source.delay, accept=accept)
    except RobotsDisallowed as exc:
        result.allowed = False
        result.problems.append(f"{url}: {exc.message}")
    except MinerError as exc:  # a check reports every problem, it does not stop at one
        if entry:
            result.reachable = False
        result.problems.append(f"{url}: {exc.message}")
    return None
