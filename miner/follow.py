"""Which links a crawl follows from a page, and which pages it keeps as documents (no fetching).

From every HTML page -- start URL, listing or content page -- each in-scope link that looks like a
document of a kept kind, each further listing (overviews, and paging by query string: ``?page=``,
``?p=``) and each ``hreflang`` translation; of a content page's own HTML links only those of its main
text (``<main>``, ``<article>``: its menus are the site's navigation), explored as listings. From a
sitemap or feed, its entries. Scope is :func:`miner.fetch.urls.scoped`. A page reached as a listing
is kept as a document when what it serves is one (:func:`entry_is_document`). A stored document is
tied to its stored translations (:func:`link_translations`).
"""

from __future__ import annotations

from miner.fetch import kinds
from miner.fetch.discover import (
    discover_links,
    document_kind,
    is_listing,
    is_listing_page,
    likely_document,
    parse_feed,
    read_sitemap,
)
from miner.fetch.languages import language_alternates, translation_candidates, url_language
from miner.fetch.urls import scoped
from miner.records import Source
from miner.store import Repository
from miner.store.models import MAX_URL_LENGTH
from miner.store.repository import WorkItem
from miner.store.states import UrlRole

#: Kinds that are documents whatever their address looks like.
FILE_KINDS = ("pdf", "docx", "odt")


def links_of(source: Source, item: WorkItem, base: str, body: bytes, kind: str) -> list[tuple[str, UrlRole]]:
    """(url, role) pairs worth following from a page.

    Sitemaps give documents and child sitemaps, feeds give documents; an HTML page -- listing or
    content -- gives every link that looks like a document of a kept kind, plus further listing pages
    (paging, overviews) and its translations (``hreflang``); except that of a content page's HTML
    links only those in its main text are taken (its menus are the site's navigation), explored as
    listings: stored only when they turn out to be documents. A source of another kind
    (:mod:`miner.fetch.kinds`: sitemap, feed, API) reads its entry pages with its own module.
    """
    if source.kind != "crawl" and item.role == UrlRole.ENTRY:
        return [
            (f.url, UrlRole.ENTRY if f.listing else UrlRole.DOCUMENT)
            for f in kinds.read(source, base, body)
            if f.listing or document_kind(f.url) is not None
        ]
    if item.role == UrlRole.SITEMAP or (item.role == UrlRole.ENTRY and kind == "xml" and is_sitemap(body)):
        entries = read_sitemap(body)
        pages = [(u, page_role(source, u)) for u in entries.pages]
        return [(u, r) for u, r in pages if r is not None] + [(u, UrlRole.SITEMAP) for u in entries.sitemaps]
    if item.role == UrlRole.FEED or (item.role == UrlRole.ENTRY and kind == "xml"):
        return [
            (u, UrlRole.DOCUMENT) for u in parse_feed(body, base) if document_kind(u) in source.document_types
        ]
    if kind != "html":
        return []
    found: list[tuple[str, UrlRole]] = []
    alternates = list(language_alternates(base, body).values())
    content = item.role == UrlRole.DOCUMENT or (item.depth > 0 and not is_listing_page(body))
    main = set(discover_links(base, body, main_only=True)) if content else set()
    for url in dict.fromkeys(discover_links(base, body) + alternates):
        doc_kind = document_kind(url)
        if content and doc_kind == "html" and url not in alternates and not is_listing(url):
            # A content page's own HTML links: those in its main text (related texts, not the
            # site's navigation) are explored, and stored if they serve a document.
            if url in main:
                found.append((url, UrlRole.ENTRY))
        elif likely_document(url, source.document_types):
            found.append((url, UrlRole.DOCUMENT))
        elif doc_kind == "html" and is_listing(url):
            found.append((url, UrlRole.ENTRY))
    return found


def link_translations(
    repo: Repository, source: Source, item: WorkItem, base: str, body: bytes, kind: str
) -> None:
    """Tie a newly stored document to its stored translations (its ``hreflang`` alternates, its
    address with the language swapped), so that reports count the text once."""
    alternates = language_alternates(base, body) if kind == "html" else {}
    language = url_language(source, item.url)
    language = language or next((lang for lang, u in alternates.items() if u == item.url), None)
    candidates = translation_candidates(source, item.url, alternates)
    if candidates or language:
        repo.link_translation(item.url_id, language, candidates)


def page_role(source: Source, url: str) -> UrlRole | None:
    """A sitemap's page: a document, or an address like ``?p=42`` fetched as a listing and stored
    if it serves a document; None for kinds the source does not keep."""
    if likely_document(url, source.document_types):
        return UrlRole.DOCUMENT
    return UrlRole.ENTRY if document_kind(url) == "html" and is_listing(url) else None


def entry_is_document(source: Source, kind: str, body: bytes) -> bool:
    """An entry point or listing address that serves a document (``?p=`` pages, download scripts)."""
    if source.kind != "crawl" or kind not in source.document_types:
        return False
    return kind in FILE_KINDS or (kind == "html" and not is_listing_page(body))


def is_sitemap(body: bytes) -> bool:
    head = body[:4096]
    return b"<urlset" in head or b"<sitemapindex" in head


def scoped_links(
    source: Source, item: WorkItem, base: str, body: bytes, kind: str
) -> list[tuple[str, UrlRole]]:
    """The links of a page to queue: in scope (spelled as the source spells them), within depth."""
    if item.depth + 1 > source.max_depth:
        return []
    found: dict[str, UrlRole] = {}
    for raw, role in links_of(source, item, base, body, kind):
        url = scoped(source, raw, listing=role != UrlRole.DOCUMENT)
        if url is not None and len(url) <= MAX_URL_LENGTH:
            found.setdefault(url, role)
    return list(found.items())
