"""Language variants of one document: which addresses of a publisher serve the same text in another
language. Pure functions, no I/O.

Bilingual publishers serve a text twice: the Chamber on www.dekamer.be and www.lachambre.be, most
Brussels and federal sites under ``/nl/`` and ``/fr/``, others with ``?lang=nl`` / ``?lang=fr``, and
an HTML page often names its translations itself (``<link rel="alternate" hreflang="fr" href>``).
The crawler asks :func:`translation_candidates` for the addresses a document's translations would
have and the store links the document to the first stored of them, so that reports count the text
once (``documents.translation_of``).
"""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit, urlunsplit

import lxml.html
from lxml import etree

from miner.fetch.discover import nofollow
from miner.fetch.urls import DEFAULT_PORTS, canonicalize
from miner.records import Source

#: Query parameters whose value names the page's language.
LANGUAGE_PARAMS = ("lang", "language", "langue", "taal", "lg", "sprache")
#: Languages a variant can be in (the registry's source languages).
LANGUAGES = ("nl", "fr", "de", "en")
_SEGMENT = re.compile(r"/(nl|fr|de|en)(?=/|$)", re.IGNORECASE)


def language_alternates(base_url: str, html_bytes: bytes) -> dict[str, str]:
    """``hreflang`` alternates an HTML page names (``<link rel="alternate">`` and ``<a hreflang>``):
    language (two letters) -> canonical absolute URL. ``x-default`` and other languages are left out,
    and so is everything on a page that asks robots not to follow its links."""
    if not html_bytes.strip():
        return {}
    try:
        doc = lxml.html.document_fromstring(html_bytes)
    except (etree.ParserError, ValueError):
        return {}
    if nofollow(doc):
        return {}
    found: dict[str, str] = {}
    for el in doc.iter("link", "a"):
        lang = (el.get("hreflang") or "").strip().lower()[:2]
        href = (el.get("href") or "").strip()
        if el.tag == "link" and "alternate" not in (el.get("rel") or "").lower().split():
            continue
        if lang not in LANGUAGES or not href:
            continue
        try:
            url = canonicalize(urljoin(base_url, href))
        except ValueError:
            continue
        if urlsplit(url).scheme in DEFAULT_PORTS:
            found.setdefault(lang, url)
    return found


def _host_language(source: Source, netloc: str) -> str | None:
    return next((lang for lang, host in source.language_hosts if host == netloc), None)


def url_language(source: Source, url: str) -> str | None:
    """The language an address gives: a ``language_hosts`` host, a ``/nl/``-like path segment, or a
    ``lang=``-like query parameter; ``None`` when it gives none."""
    parts = urlsplit(url)
    by_host = _host_language(source, parts.netloc)
    if by_host:
        return by_host
    m = _SEGMENT.search(parts.path)
    if m:
        return m.group(1).lower()
    for item in parts.query.split("&"):
        key, _, value = item.partition("=")
        if key.lower() in LANGUAGE_PARAMS and value.lower()[:2] in LANGUAGES:
            return value.lower()[:2]
    return None


def _swap(source: Source, url: str, lang: str, other: str) -> str:
    parts = urlsplit(url)
    netloc = parts.netloc
    if _host_language(source, netloc) == lang:
        netloc = dict(source.language_hosts).get(other, netloc)
    path = _SEGMENT.sub(lambda m: f"/{other}" if m.group(1).lower() == lang else m.group(0), parts.path, 1)
    pairs = []
    for item in parts.query.split("&"):
        key, sep, value = item.partition("=")
        if key.lower() in LANGUAGE_PARAMS and value.lower() == lang:
            value = other
        pairs.append(key + sep + value)
    return urlunsplit((parts.scheme, netloc, path, "&".join(p for p in pairs if p), ""))


def translation_candidates(source: Source, url: str, alternates: dict[str, str] | None = None) -> list[str]:
    """Canonical addresses where the publisher would serve ``url``'s text in the source's other
    languages: the page's own ``hreflang`` alternates first, then ``url`` with its language swapped
    (host, path segment, query parameter). Empty when the address names no language and the page
    named no alternate."""
    out = [u for lang, u in (alternates or {}).items() if u != url]
    lang = url_language(source, url)
    if lang:
        for other in source.languages:
            if other != lang:
                try:
                    out.append(canonicalize(_swap(source, url, lang, other)))
                except ValueError:
                    continue
    return [u for u in dict.fromkeys(out) if u != url]
