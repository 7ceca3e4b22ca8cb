"""Kind ``crawl``: HTML listing pages (a publications overview, a news list, a search result page).

An entry page gives every in-scope link that looks like a document of a kept kind, plus further
listing pages (paging, overviews). The crawl pipeline (:mod:`miner.crawl`) applies the same two
tests (:func:`~miner.fetch.discover.likely_document`, :func:`~miner.fetch.discover.is_listing`)
and, on document pages, follows attached files too.
"""

from __future__ import annotations

from datetime import date

from miner.fetch.discover import discover_links, document_kind, is_listing, likely_document
from miner.fetch.kinds import Found
from miner.records import Source

ACCEPT = None
OPTIONS: tuple[str, ...] = ()


def entry_points(source: Source, today: date) -> list[str]:
    return list(source.start_urls)


def read(source: Source, url: str, body: bytes) -> list[Found]:
    found: list[Found] = []
    for link in discover_links(url, body):
        if likely_document(link, source.document_types):
            found.append(Found(link))
        elif document_kind(link) == "html" and is_listing(link):
            found.append(Found(link, listing=True))
    return found
