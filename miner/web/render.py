"""Pages: one Jinja environment with autoescaping, and the filters the templates share.

Everything scraped (titles, quotes, paragraphs, URLs, error messages) reaches a template as plain
text and is escaped there; nothing in this module marks scraped text safe. Highlighting evidence is
done by cutting the paragraph into segments (:func:`highlight`) that the template wraps in ``<mark>``
itself, so that no HTML is ever assembled from scraped text. A URL becomes a link only when it is
http(s) (:func:`web_url`); anything else (``javascript:``, ``data:``) is shown as text.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlencode, urlsplit
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal, format_percent
from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from miner.web import i18n, labels

TEMPLATES = Path(__file__).resolve().parent / "templates"
#: Characters of a paragraph shown on each side of a quote (a long paragraph is cut around it).
CONTEXT_CHARS = 300
#: Times are shown as the readers live them (the store keeps UTC; the API gives UTC).
BELGIAN_TIME = ZoneInfo("Europe/Brussels")
#: What the scorer puts where it cut a quote out of a longer paragraph.
ELLIPSIS = "…"


def web_url(url: object) -> str | None:
    """``url`` when it is an absolute http(s) URL with a host (safe in an ``href``), else None."""
    if not isinstance(url, str) or any(c in url for c in "\x00\r\n\t"):
        return None
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    return url.strip()


def _number(value: Any, digits: int = 0) -> str:
    """A number in the reader's convention, with up to ``digits`` decimals (none when whole)."""
    if value is None:
        return ""
    if digits and float(value).is_integer():
        digits = 0
    fmt = "#,##0" + ("." + "0" * digits if digits else "")
    return str(format_decimal(value, format=fmt, locale=i18n.babel_locale()))


def _filesize(size: int) -> str:
    """A size in bytes as a person reads it (B, KB, MB), in the reader's number format."""
    if size < 1024:
        return f"{_number(size)} B"
    if size < 1024 * 1024:
        return f"{_number(size / 1024, 1)} KB"
    return f"{_number(size / 1024 / 1024, 1)} MB"


def _percent(value: Any) -> str:
    return "" if value is None else str(format_percent(value, locale=i18n.babel_locale()))


def _date(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        aware = value if value.tzinfo is not None else value.replace(tzinfo=UTC)  # stored in UTC
        return str(format_datetime(aware, format="medium", tzinfo=BELGIAN_TIME, locale=i18n.babel_locale()))
    if isinstance(value, date):
        return str(format_date(value, format="medium", locale=i18n.babel_locale()))
    return str(value)


def _iso(value: Any) -> str:
    """A ``datetime`` attribute's value: RFC 3339, in UTC when the store gave the time without zone."""
    if isinstance(value, datetime) and value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.isoformat() if isinstance(value, date | datetime) else ""


@dataclass(frozen=True, slots=True)
class Segment:
    """A piece of a paragraph: ``kind`` is "text", "quote" (the quoted sentence) or "term" (the match)."""

    text: str
    kind: str = "text"
    clipped_before: bool = False
    clipped_after: bool = False


def highlight(paragraph: str | None, quote: str, start: int, end: int, term: str = "") -> list[Segment]:
    """A quote shown inside its paragraph: the paragraph's text before it, the quote as stored (the
    evidence, word for word, with the term at ``start:end`` of the paragraph marked), the text after.

    A side where the scorer cut the quote (it starts or ends with "…") gets no more context: the cut
    already says the paragraph goes on. Each side keeps at most :data:`CONTEXT_CHARS`. Without the
    stored paragraph, the quote alone is shown with ``term`` marked where it is found.
    """
    core = quote.strip().removeprefix(ELLIPSIS).removesuffix(ELLIPSIS)
    cut_before, cut_after = quote.strip().startswith(ELLIPSIS), quote.strip().endswith(ELLIPSIS)
    lead = quote[: len(quote) - len(quote.lstrip())] + (ELLIPSIS if cut_before else "")
    span = (start, end) if paragraph and 0 <= start < end <= len(paragraph) else None
    at = _occurrence(paragraph, core, span) if paragraph and core else -1
    before = after = ""
    if at >= 0 and paragraph is not None:
        if not cut_before:
            before = paragraph[max(0, at - CONTEXT_CHARS) : at]
        if not cut_after:
            after = paragraph[at + len(core) : at + len(core) + CONTEXT_CHARS]
        term_at = (start - at + len(lead), end - at + len(lead)) if span else None
    else:
        wanted = paragraph[start:end] if span and paragraph else term
        found = quote.lower().find(wanted.lower()) if wanted else -1
        term_at = (found, found + len(wanted)) if found >= 0 else None
    segments = []
    if before:
        clipped = at - len(before) > 0
        segments.append(Segment(before, "text", clipped_before=clipped))
    if term_at and 0 <= term_at[0] < term_at[1] <= len(quote):
        segments += [
            Segment(quote[: term_at[0]], "quote"),
            Segment(quote[term_at[0] : term_at[1]], "term"),
            Segment(quote[term_at[1] :], "quote"),
        ]
    else:
        segments.append(Segment(quote, "quote"))
    if after and paragraph is not None:
        segments.append(Segment(after, "text", clipped_after=at + len(core) + len(after) < len(paragraph)))
    return [s for s in segments if s.text]


def _occurrence(text: str, core: str, span: tuple[int, int] | None) -> int:
    """Where ``core`` (a quote without its cut marks) stands in ``text``: the occurrence that holds
    the term (the first one, without a term); -1 when it is not there."""
    at = text.find(core)
    while at >= 0:
        if span is None or (at <= span[0] and span[1] <= at + len(core)):
            return at
        at = text.find(core, at + 1)
    return -1


def doc_name(title: str | None, url: str) -> str:
    """What a document is called on a page: its title, else its file name, else its address."""
    if title and title.strip():
        return title
    try:
        path = urlsplit(url).path
    except ValueError:
        return url
    name = unquote(path.rstrip("/").rsplit("/", 1)[-1])
    return name or url


def query(params: Mapping[str, Any], **changes: Any) -> str:
    """A query string: ``params`` with ``changes`` applied (None removes a key); empty values dropped."""
    merged = {**params, **changes}
    return urlencode([(k, v) for k, v in merged.items() if v not in (None, "")], doseq=True)


def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(default=True, default_for_string=True),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,  # templates ship with the package: no stat per render
    )
    env.install_gettext_callables(gettext=i18n.gettext, ngettext=i18n.ngettext, newstyle=True)  # type: ignore[attr-defined]
    env.filters.update(
        number=_number,
        percent=_percent,
        filesize=_filesize,
        when=_date,
        iso=_iso,
        web_url=web_url,
        government=labels.government,
        flag_title=labels.flag_title,
        severity=labels.severity,
        dimension=labels.dimension,
        language_name=labels.language_name,
        domain=labels.domain,
    )
    env.globals.update(
        doc_name=doc_name,
        highlight=highlight,
        query=query,
        LANGUAGES=i18n.LANGUAGES,
        LANGUAGE_NAMES=i18n.LANGUAGE_NAMES,
    )
    return env


ENV = _environment()


def language_of(request: Request) -> str:
    return i18n.negotiate(request.cookies.get(i18n.COOKIE), request.headers.get("accept-language"))


def render(
    request: Request,
    template: str,
    context: Mapping[str, Any] | None = None,
    *,
    status_code: int = 200,
    headers: Mapping[str, str] | None = None,
) -> HTMLResponse:
    """The page ``template`` in the request's language."""
    language = language_of(request)
    with i18n.activate(language):
        html = ENV.get_template(template).render(
            {
                "request": request,
                "lang": language,
                "path": request.url.path,
                "path_query": request.url.path + (f"?{request.url.query}" if request.url.query else ""),
                "reading_closed": getattr(request.app.state, "reading_closed", False),
                **(context or {}),
            }
        )
    response = HTMLResponse(html, status_code=status_code, headers=dict(headers or {}))
    response.headers["Content-Language"] = language
    response.headers["Vary"] = "Accept-Language, Cookie"
    return response
