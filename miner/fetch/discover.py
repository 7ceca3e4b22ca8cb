"""Discovery: links of listing pages, sitemaps and feeds -> candidate URLs. Pure functions, no I/O.

XML is parsed without DTDs, entity expansion or network access, so a hostile sitemap or feed
cannot read local files (XXE) or blow up memory (billion laughs).
"""

from __future__ import annotations

import posixpath
import re
import zlib
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import lxml.html
from lxml import etree

from miner.fetch.urls import DEFAULT_PORTS, canonicalize

#: The sitemap protocol's limit on an uncompressed sitemap.
MAX_SITEMAP_BYTES = 50 * 1024 * 1024


def _xml_parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, recover=True
    )


# --- HTML ------------------------------------------------------------------------------------------------

_SKIP_SCHEMES = ("javascript:", "mailto:", "tel:", "data:", "#", "about:", "sms:", "ftp:")


def nofollow(doc: lxml.html.HtmlElement) -> bool:
    """The page says ``<meta name="robots" content="nofollow">``: its author asked robots not to
    follow its links."""
    for meta in doc.iter("meta"):
        name = (meta.get("name") or "").lower()
        if name in ("robots", "policy-miner") and "nofollow" in (meta.get("content") or "").lower():
            return True
    return False


def _is_main(el: lxml.html.HtmlElement) -> bool:
    return el.tag in ("main", "article") or (el.get("role") or "").lower() == "main"


def discover_links(base_url: str, html_bytes: bytes, *, main_only: bool = False) -> list[str]:
    """Absolute, canonical http(s) links of an HTML page, in page order, without duplicates.

    Honours ``<base href>``, and returns nothing when the page says ``<meta name="robots"
    content="nofollow">`` (the author asked robots not to follow its links). ``main_only``: only the
    links inside the page's main content (``<main>``, ``<article>``, a ``main`` role), not its
    navigation; nothing when the page marks no main content.
    """
    if not html_bytes.strip():
        return []
    try:
        doc = lxml.html.document_fromstring(html_bytes)
    except (etree.ParserError, ValueError):
        return []
    if nofollow(doc):
        return []
    base = base_url
    for b in doc.iter("base"):
        if b.get("href"):
            base = urljoin(base_url, b.get("href", "").strip())
            break
    seen: dict[str, None] = {}
    roots = [doc]
    if main_only:
        roots = [el for el in doc.iter("main", "article", "div", "section") if _is_main(el)]
    for el in (a for root in roots for a in root.iter("a", "area")):
        href = (el.get("href") or "").strip()
        if not href or href.lower().startswith(_SKIP_SCHEMES):
            continue
        if "nofollow" in (el.get("rel") or "").lower().split():
            continue
        try:
            url = canonicalize(urljoin(base, href))
        except ValueError:
            continue
        if urlsplit(url).scheme in DEFAULT_PORTS:
            seen.setdefault(url, None)
    return list(seen)


# --- sitemaps and feeds ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SitemapEntries:
    """What a sitemap lists: pages (``<urlset>``) and further sitemaps (``<sitemapindex>``)."""

    pages: tuple[str, ...] = ()
    sitemaps: tuple[str, ...] = ()


def _gunzip(data: bytes, cap: int) -> bytes:
    d = zlib.decompressobj(zlib.MAX_WBITS | 16)
    try:
        out = d.decompress(data, cap + 1)
    except zlib.error:
        return b""
    return out[:cap]


def _local(tag: object) -> str:
    return etree.QName(tag).localname if isinstance(tag, str) else ""


def _root(data: bytes) -> etree._Element | None:
    if data[:2] == b"\x1f\x8b":
        data = _gunzip(data, MAX_SITEMAP_BYTES)
    if not data.strip():
        return None
    try:
        return etree.fromstring(data, parser=_xml_parser())
    except etree.XMLSyntaxError:
        return None


def read_xml(data: bytes) -> etree._Element | None:
    """The root element of XML bytes (gzipped or not) parsed without DTDs, entities or network;
    ``None`` when they are not XML. The one safe XML reader of the fetch stage (source kinds use it)."""
    return _root(data)


def read_sitemap(xml_bytes: bytes) -> SitemapEntries:
    """Parse a sitemap (XML ``urlset`` or ``sitemapindex``, gzipped or not, or a plain-text list)."""
    root = _root(xml_bytes)
    if root is None:
        text = xml_bytes.decode("utf-8", errors="replace") if xml_bytes[:2] != b"\x1f\x8b" else ""
        lines = [ln.strip() for ln in text.splitlines()]
        return SitemapEntries(pages=tuple(ln for ln in lines if ln.startswith(("http://", "https://"))))
    kind = _local(root.tag)
    locs = []
    for el in root.iter():
        if _local(el.tag) == "loc" and el.text and el.text.strip():
            parent = el.getparent()
            if parent is not None and _local(parent.tag) in ("url", "sitemap"):
                locs.append(el.text.strip())
    if kind == "sitemapindex":
        return SitemapEntries(sitemaps=tuple(dict.fromkeys(locs)))
    return SitemapEntries(pages=tuple(dict.fromkeys(locs)))


def parse_sitemap(xml_bytes: bytes) -> list[str]:
    """Every URL a sitemap lists: pages of a ``urlset``, child sitemaps of a ``sitemapindex``.

    Use :func:`read_sitemap` to tell the two apart.
    """
    entries = read_sitemap(xml_bytes)
    return [*entries.pages, *entries.sitemaps]


def parse_feed(data: bytes, base_url: str | None = None) -> list[str]:
    """Item links of an RSS 2.0 / RSS 1.0 / Atom feed, in feed order, without duplicates.

    RSS: ``<item><link>``, else a permalink ``<guid>``, plus ``<enclosure url>``. Atom:
    ``<entry><link href>`` with rel ``alternate`` (or none) or ``enclosure``, resolved against
    ``xml:base`` / ``base_url`` when relative.
    """
    root = _root(data)
    if root is None:
        return []
    found: dict[str, None] = {}

    def add(url: str | None, base: str | None) -> None:
        if url and url.strip():
            u = urljoin(base, url.strip()) if base else url.strip()
            if u.startswith(("http://", "https://")):
                found.setdefault(u, None)

    for el in root.iter():
        name = _local(el.tag)
        if name == "item":
            link = next((c for c in el if _local(c.tag) == "link"), None)
            if link is not None and link.text:
                add(link.text, base_url)
            else:
                guid = next((c for c in el if _local(c.tag) == "guid"), None)
                if guid is not None and guid.get("isPermaLink", "true").lower() != "false":
                    add(guid.text, base_url)
            for enc in (c for c in el if _local(c.tag) == "enclosure"):
                add(enc.get("url"), base_url)
        elif name == "entry":
            base = el.base or base_url
            for link in (c for c in el if _local(c.tag) == "link"):
                if link.get("rel", "alternate") in ("alternate", "enclosure"):
                    add(link.get("href"), base)
    return list(found)


# --- which links are documents ---------------------------------------------------------------------------

#: File suffixes and the document kind they carry.
DOCUMENT_SUFFIXES = {
    ".pdf": "pdf",
    ".docx": "docx",
    ".odt": "odt",
    ".html": "html",
    ".htm": "html",
    ".txt": "text",
}
#: Suffixes never worth fetching for text (images, media, archives, code, styles).
SKIP_SUFFIXES = frozenset(
    {
        ".jpg",
        ".jpeg",
        ".png",
        ".gif",
        ".svg",
        ".webp",
        ".ico",
        ".bmp",
        ".tif",
        ".tiff",
        ".mp3",
        ".mp4",
        ".avi",
        ".mov",
        ".webm",
        ".wav",
        ".ogg",
        ".zip",
        ".rar",
        ".7z",
        ".gz",
        ".tar",
        ".exe",
        ".dmg",
        ".msi",
        ".css",
        ".js",
        ".json",
        ".woff",
        ".woff2",
        ".ttf",
        ".eot",
        ".ics",
        ".vcf",
        ".xls",
        ".xlsx",
        ".ppt",
        ".pptx",
        ".csv",
    }
)
# Paths and parameters of pages that list other pages (navigation, search, paging, tags).
_LISTING_PATH = re.compile(
    r"/(search|zoeken|zoek|recherche|suche|tags?|categor(y|ie|ies)|archives?|page/\d+|pagina/\d+"
    r"|publicaties|publications|publikationen|documenten|documents|nieuws|news|actualites?|news-?room)/?$",
    re.IGNORECASE,
)
_LISTING_PARAMS = frozenset(
    {"page", "p", "pagina", "search", "q", "query", "s", "zoek", "sort", "offset", "start"}
)


def document_kind(url: str) -> str | None:
    """The document kind a URL's path suggests ("pdf", "docx", "odt", "html", "text"), ``None``
    for assets never worth fetching. Paths without a known suffix are HTML pages."""
    path = urlsplit(url).path.lower()
    suffix = posixpath.splitext(path)[1]
    if suffix in DOCUMENT_SUFFIXES:
        return DOCUMENT_SUFFIXES[suffix]
    if suffix in SKIP_SUFFIXES or suffix == ".doc":
        return None
    return "html"


def is_listing(url: str) -> bool:
    """True for pages that look like lists of other pages (paging, search, tags, overviews)."""
    parts = urlsplit(url)
    keys = {item.partition("=")[0].lower() for item in parts.query.split("&") if item}
    return bool(_LISTING_PATH.search(parts.path)) or bool(keys & _LISTING_PARAMS)


def likely_document(url: str, document_types: tuple[str, ...] = ("pdf", "html", "docx", "odt")) -> bool:
    """True for links worth fetching as documents of a source: a kept kind, not a listing page."""
    kind = document_kind(url)
    return kind is not None and kind in document_types and not (kind == "html" and is_listing(url))


#: Elements whose text is navigation or code, not the page's own text.
_CHROME = ("nav", "header", "footer", "script", "style", "form", "select", "button", "noscript")
#: Own text (outside links and navigation) from which an HTML page counts as a document.
MIN_DOCUMENT_TEXT = 400


def is_listing_page(html_bytes: bytes) -> bool:
    """True for an HTML page that is mostly links (a list of other pages), judged by what it serves.

    An address with ``?page=`` or ``?p=`` is paging on one site and a page id on the next, so the
    crawler follows such addresses as listings and lets the content decide whether to store them: a
    page with at least :data:`MIN_DOCUMENT_TEXT` characters of its own text (outside links,
    navigation, scripts and forms) and more own text than link text is a document.
    """
    try:
        doc = lxml.html.document_fromstring(html_bytes)
    except (etree.ParserError, ValueError):
        return True
    body = doc.find("body")
    root = body if body is not None else doc
    for el in list(root.iter(*_CHROME)):
        if el.getparent() is not None:
            el.drop_tree()
    linked = sum(len(" ".join(a.text_content().split())) for a in root.iter("a"))
    for el in list(root.iter("a")):
        if el.getparent() is not None:
            el.drop_tree()
    own = len(" ".join(root.text_content().split()))
    return own < MIN_DOCUMENT_TEXT or own <= linked
