"""Kind ``api:kamer``: the Chamber of Representatives' open data on written questions (QRVA), JSON.

``GET https://data.dekamer.be/v0/qrva?leg=<legislature>&start=<offset>`` with ``Accept:
application/json`` answers one page of the bulletin of questions and answers:

    {"disclaimer": "...", "start": 0, "total": 3021,
     "items": [{"link": {"href": "http://data.dekamer.be/v0/qrva/56-B001-1-0001-0000202400002"},
                "SDOCNAME": "56-B001-1-0001-0000202400002", "LEGISL": 56, "LANG": "N",
                "TITN": "...", "TITF": "...", "DEPOTDAT": "20240718", "STATUSQ": "answerReceived", ...}]}

The data service's own records are JSON, which the product does not analyse; each item becomes the
Chamber's page of that question and its answer (both languages' texts), built from ``SDOCNAME`` and
the legislature with the ``document_url`` option (default :data:`DOCUMENT_URL`; placeholders
``{legislature}``, ``{sdocname}``, ``{language}``). The ``language`` option (``nl``, the default, or
``fr``) picks the site and the title. When ``start`` plus the page's items is below ``total``, the next
offset is a further entry page (the source's ``max_depth`` bounds how many are read).
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from miner.errors import ConfigError
from miner.fetch.kinds import Found, option
from miner.records import Source

ACCEPT = "application/json"
OPTIONS = ("language", "document_url")
#: The Chamber's page of one written question and its answer (dekamer.be in Dutch, lachambre.be in French).
DOCUMENT_URL = (
    "https://www.{site}/kvvcr/showpage.cfm?section=qrva&language={language}"
    "&cfm=qrvaXml.cfm?legislat={legislature}&dossierID={sdocname}.xml"
)
_SITES = {"nl": "dekamer.be", "fr": "lachambre.be"}
_LANGS = {"N": "nl", "F": "fr", "D": "de"}


def validate(source: Source) -> None:
    """``language`` is nl or fr; ``document_url`` names only known placeholders."""
    _options(source)


def _options(source: Source) -> tuple[str, str]:
    language = str(option(source, "language", "nl"))
    template = str(option(source, "document_url", DOCUMENT_URL))
    if language not in _SITES:
        raise ConfigError(f"source {source.id!r}, key 'api': language must be nl or fr", subject=source.id)
    try:
        template.format(site="s", language="l", legislature="56", sdocname="d")
    except (KeyError, IndexError, ValueError) as exc:
        raise ConfigError(
            f"source {source.id!r}, key 'api': document_url has an unknown placeholder ({exc})",
            subject=source.id,
        ) from exc
    return language, template


def entry_points(source: Source, today: date) -> list[str]:
    return list(source.start_urls)


def read(source: Source, url: str, body: bytes) -> list[Found]:
    language, template = _options(source)
    try:
        data: Any = json.loads(body.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError):
        return []
    if not isinstance(data, dict) or not isinstance(data.get("items"), list):
        return []
    found: list[Found] = []
    for item in data["items"]:
        sdocname = item.get("SDOCNAME") if isinstance(item, dict) else None
        if not isinstance(sdocname, str) or not sdocname.strip():
            continue
        sdocname = sdocname.strip()
        legislature = str(item.get("LEGISL") or sdocname.split("-", 1)[0])
        link = template.format(
            site=_SITES[language], language=language, legislature=legislature, sdocname=sdocname
        )
        title = item.get("TITN" if language == "nl" else "TITF") or item.get("TITN") or item.get("TITF") or ""
        found.append(
            Found(
                link,
                title=" ".join(str(title).split()),
                published=_date(str(item.get("DEPOTDAT") or "")),
                language=_LANGS.get(str(item.get("LANG") or "").upper()[:1], ""),
            )
        )
    start, total = _int(data.get("start")), _int(data.get("total"))
    if data["items"] and start + len(data["items"]) < total:
        found.append(Found(_with_start(url, start + len(data["items"])), listing=True))
    return found


def _date(value: str) -> str:
    """``20240718`` -> ``2024-07-18``."""
    value = value.strip()
    return f"{value[:4]}-{value[4:6]}-{value[6:8]}" if len(value) == 8 and value.isdigit() else value[:10]


def _int(value: object) -> int:
    try:
        return int(str(value))
    except ValueError:
        return 0


def _with_start(url: str, start: int) -> str:
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query, keep_blank_values=True))
    query["start"] = str(start)
    return urlunsplit(parts._replace(query=urlencode(query)))
