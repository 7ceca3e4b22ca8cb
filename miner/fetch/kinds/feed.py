"""Kind ``feed``: RSS 2.0, RSS 1.0 (RDF) and Atom feeds.

Each item is a document: RSS ``<link>`` (else a permalink ``<guid>``) and ``<enclosure url>``; Atom
``<link>`` with rel ``alternate`` (or none) or ``enclosure``, resolved against ``xml:base``. The
title, the publication date (RSS ``pubDate`` / ``dc:date``, Atom ``published`` / ``updated``) and
the language (RSS ``<language>`` / ``dc:language``, Atom ``xml:lang``) come along. A paged feed's
next page (RFC 5005 ``<atom:link rel="next">``) is a further entry page.

The XML is read by the fetch stage's one safe parser (no DTDs, entities or network).
"""

from __future__ import annotations

from datetime import date
from email.utils import parsedate_to_datetime
from urllib.parse import urljoin

from lxml import etree

from miner.fetch.discover import document_kind, read_xml
from miner.fetch.kinds import Found
from miner.records import Source

ACCEPT = "application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"
OPTIONS: tuple[str, ...] = ()
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def entry_points(source: Source, today: date) -> list[str]:
    return list(source.start_urls)


def read(source: Source, url: str, body: bytes) -> list[Found]:
    root = read_xml(body)
    if root is None:
        return []
    feed_language = _language(_child_text(_channel(root), "language") or root.get(_XML_LANG, ""))
    found: dict[str, Found] = {}

    def add(link: str | None, base: str, title: str, published: str, language: str) -> None:
        if not link or not link.strip():
            return
        absolute = urljoin(base, link.strip())
        if absolute.startswith(("http://", "https://")) and document_kind(absolute) in source.document_types:
            found.setdefault(absolute, Found(absolute, False, title, published, language or feed_language))

    for el in root.iter():
        name = _local(el.tag)
        if name == "item":
            title, published = _child_text(el, "title"), _date(_child_text(el, "pubDate", "date"))
            language = _language(_child_text(el, "language"))
            link = _child_text(el, "link")
            if not link:
                guid = _child(el, "guid")
                if guid is not None and guid.get("isPermaLink", "true").lower() != "false":
                    link = (guid.text or "").strip()
            add(link, url, title, published, language)
            for enc in _children(el, "enclosure"):
                add(enc.get("url"), url, title, published, language)
        elif name == "entry":
            base = el.base or url
            title = _child_text(el, "title")
            published = _date(_child_text(el, "published", "updated"))
            language = _language(el.get(_XML_LANG, ""))
            for link_el in _children(el, "link"):
                if link_el.get("rel", "alternate") in ("alternate", "enclosure"):
                    add(link_el.get("href"), base, title, published, language)
    pages = [
        Found(urljoin(url, link.get("href", "")), listing=True)
        for link in root.iter("{http://www.w3.org/2005/Atom}link")
        if link.get("rel") == "next" and link.get("href") and _local(link.getparent().tag) != "entry"
    ]
    return list(found.values()) + pages


def _local(tag: object) -> str:
    return etree.QName(tag).localname if isinstance(tag, str) else ""


def _channel(root: etree._Element) -> etree._Element:
    return _child(root, "channel") if _child(root, "channel") is not None else root


def _child(el: etree._Element, name: str) -> etree._Element | None:
    return next((c for c in el if _local(c.tag) == name), None)


def _children(el: etree._Element, name: str) -> list[etree._Element]:
    return [c for c in el if _local(c.tag) == name]


def _child_text(el: etree._Element, *names: str) -> str:
    for name in names:
        child = _child(el, name)
        if child is not None and child.text and child.text.strip():
            return " ".join(child.text.split())
    return ""


def _date(value: str) -> str:
    """An ISO date from an RFC 822 (RSS) or RFC 3339 (Atom, Dublin Core) date; '' when unreadable."""
    if not value:
        return ""
    if value[:4].isdigit() and value[4:5] == "-":
        return value[:10]
    try:
        return parsedate_to_datetime(value).date().isoformat()
    except (TypeError, ValueError, IndexError):
        return ""


def _language(value: str) -> str:
    """``nl-BE`` -> ``nl``."""
    return value.strip().lower().replace("_", "-").split("-", 1)[0]
