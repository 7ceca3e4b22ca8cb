"""Publication dates: where a document says when it was published, and which statement to believe.

Candidates come from several places, each recorded with its source:

* ``official-journal``: the Belgisch Staatsblad / Moniteur belge's own publication date (the stamp
  "Bijlagen bij het Belgisch Staatsblad - 26/09/2019 - Annexes du Moniteur belge" on every page of
  its PDFs, "Publicatie : 2019-09-26" on its pages, "2020-03-16 / 0039943" in its lists of acts);
* ``html-meta`` (``<meta name="date">``, ``DC.date``, ``article:published_time`` ...), ``jsonld``
  (``datePublished``), ``html-time`` (``<time datetime>``) and ``htmldate`` (its heuristics, as a
  fallback) for HTML;
* ``text``: the document's own date lines ("4 mei 2023", "Brussel, 12 juli 2019", "Bruxelles, le
  15 septembre 2022", "Gepubliceerd op 4 mei 2023", "Publié le 1er mars 2021") near its top or end;
* ``pdf-metadata`` (CreationDate, else ModDate) and ``office-metadata`` (DOCX/ODT created, else
  modified): when the file was made, which is the weakest evidence of publication.

:func:`choose` takes the first valid candidate in :data:`PRIORITY` order: the document's explicit
statement beats file metadata. A date in the future or before 1830 (before Belgium) is never taken.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, timedelta
from email.utils import parsedate_to_datetime

#: Sources, most trusted first.
PRIORITY = (
    "official-journal",
    "html-meta",
    "jsonld",
    "text",
    "html-time",
    "htmldate",
    "pdf-metadata",
    "office-metadata",
)
EARLIEST = date(1830, 1, 1)

#: Month names per language, January first (abbreviations after the full names).
_MONTH_NAMES = (
    "januari februari maart april mei juni juli augustus september oktober november december",
    "jan feb mrt apr mei jun jul aug sep okt nov dec",
    "janvier février mars avril mai juin juillet août septembre octobre novembre décembre",
    "janvier fevrier mars avril mai juin juillet aout septembre octobre novembre decembre",
    "janv févr mars avr mai juin juil août sept oct nov déc",
    "januar februar märz april mai juni juli august september oktober november dezember",
    "jänner feb mär apr mai jun jul aug sept okt nov dez",
    "january february march april may june july august september october november december",
)
_MONTHS = {name: i + 1 for line in _MONTH_NAMES for i, name in enumerate(line.split())}
_MONTH = "|".join(sorted((re.escape(m) for m in _MONTHS), key=len, reverse=True))
_WEEKDAYS = (
    "maandag|dinsdag|woensdag|donderdag|vrijdag|zaterdag|zondag|lundi|mardi|mercredi|jeudi|vendredi|"
    "samedi|dimanche|montag|dienstag|mittwoch|donnerstag|freitag|samstag|sonntag"
)
#: "4 mei 2023", "1er mars 2021", "4. Mai 2023", "15 sept. 2022"
_NAMED = rf"(?P<d>\d{{1,2}})(?:er|e|ste|de|\.)?\s+(?P<m>{_MONTH})\.?\s+(?P<y>\d{{4}})"
#: "12/07/2019", "12.07.2019", "12-07-2019"
_NUMERIC = r"(?P<d2>\d{1,2})[/.-](?P<m2>\d{1,2})[/.-](?P<y2>\d{4})"
#: "2019-07-12"
_ISO = r"(?P<y3>\d{4})-(?P<m3>\d{1,2})-(?P<d3>\d{1,2})"
_ANY = rf"(?:{_NAMED}|{_ISO}|{_NUMERIC})"
_DATE_RE = re.compile(_ANY, re.I)
_MONTH_YEAR = re.compile(rf"^(?P<m>{_MONTH})\s+(?P<y>\d{{4}})$", re.I)

_CUE = (
    r"gepubliceerd(?:\s+op)?|publicatiedatum|datum\s+(?:van\s+)?publicatie|verschenen\s+op|"
    r"publi[ée]e?\s+le|date\s+de\s+publication|mis\s+en\s+ligne\s+le|ver[öo]ffentlicht(?:\s+am)?|"
    r"published(?:\s+on)?|datum|date"
)
_CUE_LINE = re.compile(
    rf"^(?:{_CUE})\s*[:\-–]?\s*(?:le\s+|op\s+|am\s+|on\s+)?(?:(?:{_WEEKDAYS}),?\s+)?{_ANY}", re.I
)
_PLACE_LINE = re.compile(
    rf"^[A-ZÀ-Ý][\w'’\-]+(?:[ -][\w'’\-]+){{0,3}},\s+(?i:(?:le\s+|den\s+|op\s+)?(?:(?:{_WEEKDAYS}),?\s+)?{_ANY})\.?$",
)
_BARE_LINE = re.compile(rf"^(?:(?:{_WEEKDAYS}),?\s+)?{_ANY}\.?$", re.I)
#: Date lines are looked for among this many paragraphs at the start and at the end of a document.
EDGE = 25
LINE_MAX = 120

_JOURNAL = re.compile(r"belgisch\s+staatsblad|moniteur\s+belge|belgischen?\s+staatsblatt", re.I)
_STAMP = re.compile(
    r"(?:Staatsblad|Moniteur\s+belge|Staatsblatt)\s*[-–]\s*(\d{1,2})/(\d{1,2})/(\d{4})\s*[-–]", re.I
)
_PUBLICATION = re.compile(rf"\b(?:Publicatie|Publication|Publikation)\s*:\s*{_ANY}", re.I)
_LISTED = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\s*/\s*\d{7}\b")


def today() -> date:
    return datetime.now(UTC).date()


def valid(d: date | None, *, now: date | None = None) -> bool:
    """A plausible publication date: from 1830 up to today (one day of slack for time zones)."""
    if d is None:
        return False
    return EARLIEST <= d <= (now or today()) + timedelta(days=1)


def _make(y: str | int, m: str | int, d: str | int) -> date | None:
    try:
        return date(int(y), int(m), int(d))
    except (ValueError, TypeError):
        return None


def _from_match(m: re.Match[str]) -> date | None:
    g = m.groupdict()
    if g.get("y"):
        return _make(g["y"], _MONTHS.get(g["m"].lower(), 0), g["d"])
    if g.get("y3"):
        return _make(g["y3"], g["m3"], g["d3"])
    return _make(g["y2"], g["m2"], g["d2"])


def parse_date(value: str) -> date | None:
    """The date in a metadata value: ISO 8601 (with time), d/m/y, "4 mei 2023", RFC 2822, PDF "D:"."""
    s = value.strip()[:200]
    if not s:
        return None
    if s.startswith("D:") or re.match(r"^\d{8}", s):
        return parse_pdf_date(s)
    m = re.match(r"^(\d{4})-(\d{1,2})-(\d{1,2})", s)
    if m:
        return _make(*m.groups())
    m = _DATE_RE.search(s)
    if m:
        return _from_match(m)
    try:
        return parsedate_to_datetime(s).date()
    except (TypeError, ValueError, IndexError, OverflowError):
        return None


def parse_pdf_date(value: str) -> date | None:
    """A PDF date string ("D:20191015144825+02'00'", or with the "D:" left out) -> its day."""
    m = re.match(r"^(?:D:)?(\d{4})(\d{2})?(\d{2})?", value.strip())
    if not m:
        return None
    y, mo, d = m.group(1), m.group(2) or "01", m.group(3) or "01"
    return _make(y, mo, d)


def date_in_line(line: str) -> date | None:
    """The date of a paragraph that is a date line (cue, place and date, or a date alone)."""
    s = " ".join(line.split())
    if len(s) > LINE_MAX:
        return None
    for pattern in (_CUE_LINE, _PLACE_LINE, _BARE_LINE):
        m = pattern.match(s)
        if m:
            return _from_match(m)
    m = _MONTH_YEAR.match(s.rstrip("."))
    if m:
        return _make(m.group("y"), _MONTHS.get(m.group("m").lower(), 0), 1)
    return None


def text_date(paragraphs: Sequence[str], *, now: date | None = None) -> date | None:
    """The first valid date line among the first and last :data:`EDGE` paragraphs.

    Only the edges: a plan's own date is on its cover or under its signature, while the dates in its
    body are deadlines and references ("vanaf 1 januari 2021").
    """
    n = len(paragraphs)
    edge = list(range(min(EDGE, n))) + list(range(max(EDGE, n - EDGE), n))
    for i in edge:
        found = date_in_line(paragraphs[i])
        if valid(found, now=now):
            return found
    return None


def official_journal_date(text: str, *, now: date | None = None) -> date | None:
    """The official journal's publication date in a document or page of it, or None.

    On a list of acts (several "date / number" lines) the newest one: the list was published then.
    """
    if not _JOURNAL.search(text):
        return None
    m = _STAMP.search(text)
    if m:
        found = _make(m.group(3), m.group(2), m.group(1))
        if valid(found, now=now):
            return found
    m = _PUBLICATION.search(text)
    if m:
        found = _from_match(m)
        if valid(found, now=now):
            return found
    listed = [d for d in (_make(*m.groups()) for m in _LISTED.finditer(text)) if d and valid(d, now=now)]
    return max(listed) if listed else None


def choose(
    candidates: Iterable[tuple[str, date | None]], *, now: date | None = None
) -> tuple[date, str] | None:
    """The most trusted valid candidate as (date, source), or None."""
    rank = {source: i for i, source in enumerate(PRIORITY)}
    best: tuple[int, date, str] | None = None
    for source, found in candidates:
        if found is None or not valid(found, now=now):
            continue
        r = rank.get(source, len(PRIORITY))
        if best is None or r < best[0]:
            best = (r, found, source)
    return (best[1], best[2]) if best else None


def as_pairs(raw: Iterable[Sequence[str]]) -> list[tuple[str, date | None]]:
    """Candidates sent by the sandboxed child as ``[source, "YYYY-MM-DD"]`` pairs, parsed again here."""
    out: list[tuple[str, date | None]] = []
    for item in raw:
        if len(item) == 2 and isinstance(item[0], str) and isinstance(item[1], str):
            m = re.match(r"^(\d{4})-(\d{2})-(\d{2})$", item[1])
            out.append((item[0], _make(*m.groups()) if m else None))
    return out
