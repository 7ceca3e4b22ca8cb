"""Kind ``api:moniteur``: the Belgian official journal (Belgisch Staatsblad / Moniteur belge).

The journal publishes, on ``www.ejustice.just.fgov.be``:

- a daily summary per language, ``/cgi/summary.pl?language=nl&sum_date=2024-06-05`` (without
  ``sum_date``: the latest issue), listing every act of the day with its title and a link to its text
  (``/cgi/article.pl?language=nl&sum_date=...&numac_search=<numac>...``) and, for laws, decrees and
  orders, its ELI address;
- ELI addresses (European Legislation Identifier), one per act and language:
  ``/eli/<type>/<yyyy>/<mm>/<dd>/<numac>/staatsblad`` (Dutch) or ``/moniteur`` (French), ``/justel``
  for the consolidated text; ``/eli/<type>/<yyyy>`` lists a type's acts of a year.

An entry page (a summary or an ELI listing) gives one document per act (its NUMAC, the journal's
10-digit number): the ELI address when the page has one, else the article page; the title is the
text of the list entry. Options: ``days`` (the summaries of the last N days are entry points too, for
every start URL that is a summary page) and ``keywords`` (keep only acts whose title contains one of
them, case-insensitive: the journal publishes hundreds of acts a day, most of them appointments).
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date, timedelta
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

import lxml.html
from lxml import etree

from miner.errors import ConfigError
from miner.fetch.kinds import Found, option
from miner.records import Source

ACCEPT = None
OPTIONS = ("days", "keywords")
ELI = re.compile(
    r"/eli/(?P<type>[a-z_-]+)/(?P<y>\d{4})/(?P<m>\d{2})/(?P<d>\d{2})/(?P<numac>\d{10})/(?P<form>[a-z]+)",
    re.IGNORECASE,
)
_ELI_LANGUAGE = {"staatsblad": "nl", "moniteur": "fr", "belgiquegazette": "de"}
_LANGUAGES = {"nl": "nl", "fr": "fr", "de": "de", "n": "nl", "f": "fr", "d": "de"}
_ENTRY = ("li", "tr", "article", "div", "p")


def validate(source: Source) -> None:
    """``days`` is 0..31 and ``keywords`` a list (``miner sources --check`` asks before any crawl)."""
    _days(source)
    _keywords(source)


def _days(source: Source) -> int:
    days = option(source, "days", 0)
    if not isinstance(days, int) or not 0 <= days <= 31:
        raise ConfigError(f"source {source.id!r}, key 'api': days must be 0..31", subject=source.id)
    return days


def entry_points(source: Source, today: date) -> list[str]:
    days = _days(source)
    urls = list(source.start_urls)
    for url in source.start_urls:
        if urlsplit(url).path.endswith("/summary.pl"):
            urls += [_with(url, sum_date=(today - timedelta(days=n)).isoformat()) for n in range(days)]
    return urls


def read(source: Source, url: str, body: bytes) -> list[Found]:
    if not body.strip():
        return []
    try:
        doc = lxml.html.document_fromstring(body)
    except (etree.ParserError, ValueError):
        return []
    page = dict(parse_qsl(urlsplit(url).query))
    published = page.get("sum_date", "")[:10]
    page_language = _LANGUAGES.get(page.get("language", "").lower(), "")
    keywords = [k.casefold() for k in _keywords(source)]
    acts: dict[str, Found] = {}
    titles: dict[str, tuple[tuple[bool, int], str]] = {}
    pages: list[Found] = []
    for a in doc.iter("a"):
        href = (a.get("href") or "").strip()
        if not href or href.startswith(("#", "javascript:", "mailto:")):
            continue
        link = urljoin(url, href)
        parts = urlsplit(link)
        query = dict(parse_qsl(parts.query))
        eli = ELI.search(parts.path)
        if eli and eli.group("form").lower() == "justel":
            continue  # the consolidated text, not the act as published
        numac = eli.group("numac") if eli else query.get("numac_search") or query.get("numac") or ""
        if not numac and parts.path.endswith("/summary.pl") and query.get("page", "").isdigit():
            pages.append(Found(link, listing=True))
            continue
        if not re.fullmatch(r"\d{10}", numac):
            continue
        own = " ".join(a.text_content().split())
        rank = (len(own) >= 12, len(own))  # a link's own title beats the text around a mere label
        if numac not in titles or rank > titles[numac][0]:
            titles[numac] = (rank, own[:500] if rank[0] else _entry_text(a))
        language = _ELI_LANGUAGE.get(eli.group("form").lower(), "") if eli else ""
        language = language or _LANGUAGES.get(query.get("language", "").lower(), "") or page_language
        act = Found(link, published=published, language=language)
        if numac not in acts or (eli and not ELI.search(urlsplit(acts[numac].url).path)):
            acts[numac] = act
    kept = [replace(act, title=titles[numac][1]) for numac, act in acts.items()]
    if keywords:
        kept = [act for act in kept if any(k in act.title.casefold() for k in keywords)]
    return kept + list({p.url: p for p in pages}.values())


def _keywords(source: Source) -> list[str]:
    value = option(source, "keywords", [])
    if not isinstance(value, list):
        raise ConfigError(f"source {source.id!r}, key 'api': keywords must be a list", subject=source.id)
    return [str(v) for v in value]


def _entry_text(a: etree._Element) -> str:
    """The text of the list entry that holds a link labelled only "ELI" or "PDF" (the act's title)."""
    el: etree._Element | None = a
    while el is not None and el.tag not in _ENTRY:
        el = el.getparent()
    if el is None:
        return " ".join(a.text_content().split())
    return " ".join(" ".join(el.itertext()).split())[:500]


def _with(url: str, **params: str) -> str:
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query, keep_blank_values=True))
    query.update(params)
    return urlunsplit(parts._replace(query=urlencode(query)))
