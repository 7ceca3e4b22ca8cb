"""Kind ``api:vlaams-parlement``: the Flemish Parliament's document search API (JSON).

``GET https://ws.vlpar.be/api/search/query/<query>?collection=vp_collection&sort=date&max=<n>&page=<p>``
(documented in the API's OpenAPI description, ``https://ws.vlpar.be/v3/api-docs``) answers

    {"count": 1234, "firstindex": 1, "lastindex": 25,
     "result": [{"id": ..., "title": ..., "url": ..., "date": ..., "mimetype": ...,
                 "metatags": {"metatag": [{"name": "document", "value": "https://docs.vlaamsparlement.be/..."},
                                          {"name": "publicatiedatum", "value": "2024-03-01..."}, ...]}}],
     "facet_category": [...]}

The query narrows by metadata (``+inmeta:...&requiredfields=aggregaattype:Schriftelijke%20vraag``):
the registry's start URL is the whole query. Each hit is a document: its ``document`` metatag
(the PDF on docs.vlaamsparlement.be) when there is one, else its ``url``. When ``lastindex`` is below
``count`` the same query's next ``page`` is a further entry page (how many pages a crawl reads is
the source's ``max_depth``).
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from miner.fetch.kinds import Found
from miner.records import Source

ACCEPT = "application/json"
OPTIONS: tuple[str, ...] = ()


def entry_points(source: Source, today: date) -> list[str]:
    return list(source.start_urls)


def read(source: Source, url: str, body: bytes) -> list[Found]:
    data = _json(body)
    if not isinstance(data, dict):
        return []
    found: list[Found] = []
    for hit in data.get("result") or []:
        if not isinstance(hit, dict):
            continue
        tags = _metatags(hit)
        link = tags.get("document") or hit.get("url")
        if not isinstance(link, str) or not link.startswith(("http://", "https://")):
            continue
        title = str(hit.get("title") or tags.get("titel") or tags.get("onderwerp") or "")
        published = str(tags.get("publicatiedatum") or hit.get("date") or "")[:10]
        found.append(Found(link, title=" ".join(title.split()), published=published, language="nl"))
    if _int(data.get("lastindex")) < _int(data.get("count")) and found:
        found.append(Found(_next_page(url), listing=True))
    return found


def _json(body: bytes) -> Any:
    try:
        return json.loads(body.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError):
        return None


def _metatags(hit: dict[str, Any]) -> dict[str, str]:
    """The first value of each metatag (a hit can repeat a name, e.g. several themes)."""
    tags = hit.get("metatags") or {}
    items = tags.get("metatag") if isinstance(tags, dict) else None
    out: dict[str, str] = {}
    for tag in items or []:
        if isinstance(tag, dict) and isinstance(tag.get("name"), str) and isinstance(tag.get("value"), str):
            out.setdefault(tag["name"], tag["value"])
    return out


def _int(value: object) -> int:
    try:
        return int(str(value))
    except ValueError:
        return 0


def _next_page(url: str) -> str:
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query, keep_blank_values=True))
    query["page"] = str(_int(query.get("page", "1")) + 1)
    return urlunsplit(parts._replace(query=urlencode(query, safe=":")))
