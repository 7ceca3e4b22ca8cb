"""HTML: the main text with trafilatura; title, language, dates and links from the lxml tree.

Runs inside the sandboxed child (:mod:`miner.extract._work`). Steps, each a small function: find
the declared charset -> decode the bytes (:mod:`miner.extract.charset`) -> parse once with lxml ->
metadata (title, ``lang``, links, date candidates) -> the main text as trafilatura's body ->
paragraphs with their section headings. When trafilatura finds no main text (very short pages), or
the page is too large for it, the page is read as it flows (:func:`_flow`: each block's own text,
navigation and other furniture left out). Everything is linear in the page: one parse, one pass per
step, and the text budget stops a page whose text is over the cap.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from datetime import datetime
from itertools import islice
from typing import Any
from urllib.parse import urljoin, urlsplit

from lxml import etree, html

from miner.extract import dates
from miner.extract.charset import declared_charset, decode
from miner.extract.limits import TextBudget

_DATE_META = frozenset(
    {
        "date",
        "dc.date",
        "dc.date.issued",
        "dc.date.created",
        "dcterms.date",
        "dcterms.issued",
        "dcterms.created",
        "article:published_time",
        "og:published_time",
        "pubdate",
        "publishdate",
        "publish-date",
        "publication_date",
        "citation_publication_date",
        "citation_date",
        "datepublished",
        "parsely-pub-date",
        "sailthru.date",
    }
)
_HEADINGS = frozenset(("h1", "h2", "h3", "h4", "h5", "h6"))
#: Elements that start and end a paragraph of their own.
_FLOW_BLOCKS = _HEADINGS | frozenset(
    [
        "p",
        "div",
        "section",
        "article",
        "main",
        "li",
        "ul",
        "ol",
        "dl",
        "dt",
        "dd",
        "table",
        "tr",
        "td",
        "th",
        "caption",
        "blockquote",
        "pre",
        "figure",
        "figcaption",
        "address",
        "details",
        "summary",
        "hr",
        "center",
    ]
)
#: Elements whose text is not the page's text: code, styles, navigation and other page furniture.
_NOT_TEXT = frozenset(
    [
        "head",
        "title",
        "script",
        "style",
        "noscript",
        "template",
        "nav",
        "header",
        "footer",
        "aside",
        "form",
        "select",
        "option",
        "button",
        "svg",
        "math",
        "iframe",
        "object",
    ]
)
#: Above this many elements, trafilatura's XPath work grows with the square of the page (libxml2
#: merges node sets quadratically): such pages are read by the linear :func:`_flow` instead.
TRAFILATURA_MAX_ELEMENTS = 20_000
#: Limits on the metadata read from a page (a hostile page may carry millions of tags).
MAX_TIME_TAGS = 50
MAX_JSONLD_BYTES = 1024 * 1024
MAX_JSONLD_NODES = 10_000
MAX_LINKS = 10_000
#: How much visible text is searched for the official journal's date.
JOURNAL_TEXT = 500_000
#: htmldate copies the whole tree: pages larger than this go without it.
HTMLDATE_MAX_BYTES = 8 * 1024 * 1024


def _text(el: Any) -> str:
    return " ".join(el.text_content().split()) if el is not None else ""


def _title(tree: Any) -> str | None:
    for path in (".//title", ".//h1"):
        el = tree.find(path)
        if el is not None and _text(el):
            return _text(el)[:1000]
    return None


def _lang(tree: Any) -> str | None:
    root = tree.getroottree().getroot()
    lang = str(root.get("lang") or root.get("{http://www.w3.org/XML/1998/namespace}lang") or "").strip()
    return lang[:35] or None


def _jsonld_dates(blob: str) -> Iterator[str]:
    """``datePublished`` (then ``dateCreated``) values anywhere in one JSON-LD script, bounded."""
    try:
        data = json.loads(blob)
    except (ValueError, RecursionError):
        return
    stack: list[Any] = [data]
    seen = 0
    found: dict[str, str] = {}
    while stack and seen < MAX_JSONLD_NODES:
        node = stack.pop()
        seen += 1
        if isinstance(node, dict):
            for key in ("datePublished", "dateCreated"):
                if isinstance(node.get(key), str):
                    found.setdefault(key, node[key])
            stack.extend(v for v in node.values() if isinstance(v, dict | list))
        elif isinstance(node, list):
            stack.extend(v for v in node if isinstance(v, dict | list))
    for key in ("datePublished", "dateCreated"):
        if key in found:
            yield found[key]


def date_candidates(tree: Any) -> list[tuple[str, str]]:
    """(source, value) pairs from ``<meta>``, JSON-LD and ``<time>``; values are not yet parsed."""
    out: list[tuple[str, str]] = []
    for meta in tree.iter("meta"):
        key = str(meta.get("name") or meta.get("property") or meta.get("itemprop") or "").strip().lower()
        if key in _DATE_META and meta.get("content"):
            out.append(("html-meta", str(meta.get("content"))))
    for script in tree.iter("script"):
        if str(script.get("type") or "").strip().lower() == "application/ld+json" and script.text:
            out.extend(("jsonld", v) for v in _jsonld_dates(script.text[:MAX_JSONLD_BYTES]))
    for t in islice((t for t in tree.iter("time") if t.get("datetime")), MAX_TIME_TAGS):
        out.append(("html-time", str(t.get("datetime"))))
    return out


def _links(tree: Any, base_url: str | None) -> list[str]:
    if not base_url or urlsplit(base_url).scheme not in ("http", "https"):
        return []
    base_tag = tree.find(".//base[@href]")
    base = base_url
    if base_tag is not None:
        with contextlib.suppress(ValueError):
            base = urljoin(base_url, str(base_tag.get("href")))
    seen: dict[str, None] = {}
    for a in tree.iter("a"):
        href = a.get("href")
        if not href:
            continue
        try:
            url = urljoin(base, str(href).strip()).split("#", 1)[0]
        except ValueError:  # "http://[::1" and other broken addresses
            continue
        if urlsplit(url).scheme in ("http", "https"):
            seen.setdefault(url, None)
            if len(seen) >= MAX_LINKS:
                break
    return list(seen)


def _visible_text(tree: Any) -> str:
    body = tree.find(".//body")
    root = body if body is not None else tree
    parts: list[str] = []
    size = 0
    for node in root.iter():
        if not isinstance(node.tag, str) or node.tag in ("script", "style"):
            if node.tail:
                parts.append(node.tail)
            continue
        for piece in (node.text, node.tail):
            if piece:
                parts.append(piece)
                size += len(piece)
        if size > JOURNAL_TEXT:
            break
    return " ".join(" ".join(parts).split())[:JOURNAL_TEXT]


def _htmldate(tree: Any, url: str | None) -> str | None:
    """htmldate's answer from structured signals (URL, header, date elements), never its guesses.

    Its extensive search reads years out of anything (``2010.css`` made every archived French
    Assembly page "2010-08-01"); a missing date is better than a wrong one.
    """
    from htmldate import find_date

    try:
        return find_date(
            tree,
            url=url,
            extensive_search=False,
            original_date=True,
            max_date=datetime.now(),
        )
    except (ValueError, TypeError, RecursionError, AttributeError):
        return None


def _main_text(tree: Any, budget: TextBudget) -> list[list[Any]]:
    """Paragraphs of trafilatura's main text as ``[text, None, section]``."""
    import trafilatura

    doc = trafilatura.bare_extraction(
        tree, include_tables=True, include_comments=False, favor_recall=True, with_metadata=False
    )
    body = doc.get("body") if isinstance(doc, dict) else getattr(doc, "body", None)  # 1.x gave a dict
    if body is None:
        return []
    out: list[list[Any]] = []
    section: str | None = None
    for el in body.iter("head", "p", "item", "cell", "quote", "code"):
        if el.tag == "item" and el.find("p") is not None:
            continue
        text = " ".join("".join(el.itertext()).split())
        if not text:
            continue
        if el.tag == "head":
            section = text
        budget.take(text)
        out.append([text, None, section])
    return out


def _flow(tree: Any, budget: TextBudget) -> list[list[Any]]:
    """Paragraphs as the page flows: each block element's own text, boilerplate elements left out.

    One pass over the tree (an explicit stack, no recursion): text is gathered until a block starts
    or ends, then flushed as a paragraph; a heading's text becomes the section of what follows. Used
    when trafilatura finds no main text, and for pages too large for it (:data:`TRAFILATURA_MAX_ELEMENTS`).
    """
    body = tree.find(".//body")
    root = body if body is not None else tree
    out: list[list[Any]] = []
    section: str | None = None
    buf: list[str] = []
    blocks: list[str] = []

    def flush(tag: str | None) -> None:
        nonlocal section
        text = " ".join("".join(buf).split())
        buf.clear()
        if not text:
            return
        if tag in _HEADINGS:
            section = text
        budget.take(text)
        out.append([text, None, section])

    stack: list[tuple[Any, bool]] = [(root, False)]
    while stack:
        el, done = stack.pop()
        tag = el.tag if isinstance(el.tag, str) else None
        if done:
            if tag in _FLOW_BLOCKS:
                flush(tag)
                blocks.pop()
            if el.tail and el is not root:
                buf.append(el.tail)
            continue
        if tag is None or tag in _NOT_TEXT:
            if el.tail and el is not root:
                buf.append(el.tail)
            continue
        if tag in _FLOW_BLOCKS:
            flush(blocks[-1] if blocks else None)
            blocks.append(tag)
        elif tag == "br":
            buf.append(" ")
        if el.text:
            buf.append(el.text)
        stack.append((el, True))
        stack.extend((child, False) for child in reversed(el))
    flush(None)
    return out


def _parse(text: str) -> Any:
    from trafilatura.utils import load_html

    tree = load_html(text)
    if tree is None:  # not dubious enough for trafilatura: parse it as a fragment inside a body
        try:
            tree = html.document_fromstring(f"<html><body>{text}</body></html>")
        except (etree.ParserError, ValueError):
            return None
    return tree


def parse_html(
    data: bytes, *, name: str = "", base_url: str | None = None, budget: TextBudget
) -> dict[str, Any]:
    """The sandboxed half of HTML extraction: a JSON-able answer (see :mod:`miner.extract._work`)."""
    text = decode(data, declared_charset(data))
    url = base_url or (name if name.startswith(("http://", "https://")) else None)
    tree = _parse(text)
    if tree is None:
        return {"paragraphs": [], "title": None, "lang": None, "links": [], "dates": []}
    candidates = [(source, dates.parse_date(value)) for source, value in date_candidates(tree)]
    journal = dates.official_journal_date(_visible_text(tree))
    if journal is not None:
        candidates.append(("official-journal", journal))
    if dates.choose(candidates) is None and len(data) <= HTMLDATE_MAX_BYTES:
        found = _htmldate(tree, url)
        if found:
            candidates.append(("htmldate", dates.parse_date(found)))
    answer: dict[str, Any] = {
        "title": _title(tree),
        "lang": _lang(tree),
        "links": _links(tree, url),
        "dates": [[source, d.isoformat()] for source, d in candidates if d is not None],
    }
    large = sum(1 for _ in islice(tree.iter(), TRAFILATURA_MAX_ELEMENTS + 1)) > TRAFILATURA_MAX_ELEMENTS
    paragraphs = [] if large else _main_text(tree, budget)
    if not paragraphs:
        paragraphs = _flow(tree, budget)
    answer["paragraphs"] = paragraphs
    return answer
