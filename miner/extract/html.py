"""HTML: the main text with trafilatura; title, date, links and ``lang`` with BeautifulSoup (lxml).

Steps, each a small function: find the declared charset -> decode from the bytes -> parse metadata ->
extract the main text as trafilatura XML -> paragraphs with their section headings. When trafilatura
finds no main text (very short pages), the visible block elements of the body are used instead.
"""

from __future__ import annotations

import re
from datetime import date
from urllib.parse import urljoin, urlsplit

from bs4 import BeautifulSoup
from lxml import etree

from miner.extract.text import decode
from miner.records import Extracted, Paragraph

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-:.]+)""", re.I)
_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_DATE_META = ("date", "dc.date", "dcterms.date", "dcterms.issued", "article:published_time", "pubdate")
_BLOCKS = ("h1", "h2", "h3", "h4", "h5", "h6", "p", "li", "td", "blockquote", "pre", "dd")


def declared_charset(data: bytes) -> str | None:
    m = _META_CHARSET.search(data[:4096])
    return m.group(1).decode("ascii", "replace") if m else None


def _published(soup: BeautifulSoup) -> date | None:
    candidates: list[str] = []
    for meta in soup.find_all("meta"):
        key = str(meta.get("name") or meta.get("property") or "").lower()
        if key in _DATE_META and meta.get("content"):
            candidates.append(str(meta["content"]))
    for t in soup.find_all("time"):
        if t.get("datetime"):
            candidates.append(str(t["datetime"]))
    for c in candidates:
        m = _DATE.search(c)
        if m:
            try:
                return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
            except ValueError:
                continue
    return None


def _links(soup: BeautifulSoup, base_url: str | None) -> tuple[str, ...]:
    if not base_url or urlsplit(base_url).scheme not in ("http", "https"):
        return ()
    base_tag = soup.find("base", href=True)
    base = urljoin(base_url, str(base_tag["href"])) if base_tag else base_url
    seen: dict[str, None] = {}
    for a in soup.find_all("a", href=True):
        url = urljoin(base, str(a["href"]).strip()).split("#", 1)[0]
        if urlsplit(url).scheme in ("http", "https"):
            seen.setdefault(url, None)
    return tuple(seen)


def _paragraphs_from_xml(xml: str) -> list[Paragraph]:
    root = etree.fromstring(
        xml.encode("utf-8"), parser=etree.XMLParser(resolve_entities=False, no_network=True)
    )
    main = root.find("main")
    if main is None:
        return []
    out: list[Paragraph] = []
    section: str | None = None
    for el in main.iter("head", "p", "item", "cell", "quote", "code"):
        if el.tag == "item" and el.find("p") is not None:
            continue
        text = " ".join("".join(el.itertext()).split())
        if not text:
            continue
        if el.tag == "head":
            section = text
        out.append(Paragraph(index=len(out), text=text, section=section))
    return out


def _paragraphs_from_soup(soup: BeautifulSoup) -> list[Paragraph]:
    body = soup.body or soup
    for bad in body.find_all(["script", "style", "nav", "header", "footer", "noscript"]):
        bad.decompose()
    out: list[Paragraph] = []
    section: str | None = None
    for el in body.find_all(_BLOCKS):
        if el.find(_BLOCKS):
            continue
        text = " ".join(el.get_text(" ").split())
        if not text:
            continue
        if el.name in ("h1", "h2", "h3", "h4", "h5", "h6"):
            section = text
        out.append(Paragraph(index=len(out), text=text, section=section))
    return out


def extract_html(data: bytes, *, name: str = "", base_url: str | None = None) -> Extracted:
    import trafilatura

    text = decode(data, declared_charset(data))
    soup = BeautifulSoup(text, "lxml")
    title_tag = soup.find("title")
    title = " ".join(title_tag.get_text(" ").split()) if title_tag else None
    h1 = soup.find("h1")
    if not title and h1:
        title = " ".join(h1.get_text(" ").split())
    html_tag = soup.find("html")
    lang = str(html_tag.get("lang") or "").strip() if html_tag else ""
    xml = trafilatura.extract(
        text, output_format="xml", include_tables=True, include_comments=False, favor_recall=True
    )
    paragraphs = _paragraphs_from_xml(xml) if xml else []
    if not paragraphs:
        paragraphs = _paragraphs_from_soup(soup)
    return Extracted(
        kind="html",
        paragraphs=tuple(paragraphs),
        title=title or None,
        declared_language=lang or None,
        published=_published(soup),
        links=_links(soup, base_url or (name if name.startswith(("http://", "https://")) else None)),
    )
