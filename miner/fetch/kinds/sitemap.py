"""Kind ``sitemap``: a sitemap index and its ``urlset`` sitemaps (sitemaps.org protocol).

Gzipped sitemaps (``.xml.gz``) and plain-text lists are read too. A sitemap index's children are
further entry pages, except those that list no documents: WordPress core (``wp-sitemap.xml``) and
Yoast publish separate sitemaps of categories, tags and authors, whose pages are listings and
people, so they are not followed. A ``urlset``'s pages are documents when their address looks like
one of a kept kind.
"""

from __future__ import annotations

import re
from datetime import date

from miner.fetch.discover import likely_document, read_sitemap, read_xml
from miner.fetch.kinds import Found
from miner.records import Source

ACCEPT = None
OPTIONS: tuple[str, ...] = ()

#: Child sitemaps of listing pages and people: WordPress core (wp-sitemap-taxonomies-*, wp-sitemap-users-*)
#: and Yoast (category-sitemap.xml, post_tag-sitemap.xml, author-sitemap.xml).
_NOT_DOCUMENTS = re.compile(
    r"(wp-sitemap-(taxonomies|users)-|(^|/)(category|post_tag|tag|author|users?)-sitemap\d*\.xml)", re.I
)


def entry_points(source: Source, today: date) -> list[str]:
    return list(source.start_urls)


def read(source: Source, url: str, body: bytes) -> list[Found]:
    entries = read_sitemap(body)
    dates = _lastmods(body)
    found = [Found(u, listing=True) for u in entries.sitemaps if not _NOT_DOCUMENTS.search(u)]
    found += [
        Found(u, published=dates.get(u, ""))
        for u in entries.pages
        if likely_document(u, source.document_types)
    ]
    return found


def _lastmods(body: bytes) -> dict[str, str]:
    """``<loc>`` -> the date part of its ``<lastmod>`` (when the page last changed, per the site)."""
    root = read_xml(body)
    out: dict[str, str] = {}
    if root is None:
        return out
    for el in root:
        values = {_local(c.tag): (c.text or "").strip() for c in el}
        if values.get("loc") and values.get("lastmod"):
            out[values["loc"]] = values["lastmod"][:10]
    return out


def _local(tag: object) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""
