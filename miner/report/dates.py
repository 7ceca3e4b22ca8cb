"""Which date a report counts a document under: its publication date, else (labelled) its fetch date.

Grouping by the year of the crawl puts every document in the year the product was installed; the
publication date is what an analyst means by "2023". A document whose date could not be found is
still counted, under the year it was fetched, and every row that does so says so
(``year_source: "fetched"``), so the two are never mixed up silently.
"""

from __future__ import annotations

from datetime import date, datetime

#: The values of ``date_source`` / ``year_source``.
PUBLISHED = "published"
FETCHED = "fetched"


def report_date(published: date | None, fetched_at: datetime | None) -> tuple[date | None, str | None]:
    """The date a document is reported under and where it came from (None, None: neither known)."""
    if published is not None:
        return published, PUBLISHED
    if fetched_at is not None:
        return fetched_at.date(), FETCHED
    return None, None
