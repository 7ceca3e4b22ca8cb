"""What watchdogs read: a document's versions, the change between two of them, and sources' health.

The command line (``miner history``, ``miner diff``, ``miner health``), ``miner run``'s summary and the
web app all call these functions, so each answer has one shape. What counts as a change and when
content counts as dropped is :mod:`miner.scoring.versions`; this module reads the store and applies it.

Source health (docs/operations.md, "Source health"): a source raises a warning when

- its last run failed as a whole (the start URL could not be read);
- it has found no document for longer than twice what its cadence predicts (hourly: 2 hours, daily:
  2 days, weekly: 14 days, monthly: 62 days; a cron cadence counts as daily), or never found one in
  :data:`MIN_RUNS` finished runs;
- its last finished run found less than :data:`DROP_SHARE` of the median of the runs before it
  (at least :data:`MIN_RUNS` of them, with a median of at least :data:`MIN_MEDIAN` documents).
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from miner.errors import InputError
from miner.fetch.urls import canonicalize
from miner.scoring.versions import VersionDiff, compare
from miner.store import Repository
from miner.store.changes import HistoryRow, RunYield

#: How long a source may stay silent, per cadence (twice the cadence's period).
SILENCE = {
    "hourly": timedelta(hours=2),
    "daily": timedelta(days=2),
    "weekly": timedelta(days=14),
    "monthly": timedelta(days=62),
}
#: A last run finding less than this share of the earlier runs' median is a sharp drop.
DROP_SHARE = 0.5
#: Finished runs needed before a drop or a source that never yields is reported.
MIN_RUNS = 2
#: A median this small is noise: a drop from 2 documents to 0 is not reported as sharp.
MIN_MEDIAN = 4


class NotStored(InputError):
    """The URL or version asked for is not in the store."""

    code = "not-stored"


def document_id(repo: Repository, url: str) -> int:
    """The stored document at ``url`` (any spelling of it that canonicalises the same)."""
    try:
        canonical = canonicalize(url)
    except ValueError as exc:
        raise InputError(f"not a URL: {url!r}", subject=url) from exc
    found = repo.document_for_url(canonical)
    if found is None:
        found = repo.document_for_url(url)
    if found is None:
        raise NotStored("no document stored at this URL (miner documents lists them)", subject=url)
    return found


def history_record(row: HistoryRow, previous: HistoryRow | None) -> dict[str, Any]:
    """One version as ``miner history`` and the API show it. ``changed``: its text differs from the
    version before (False for a layout- or date-only change; None when either text is unknown)."""
    changed: bool | None = True if previous is None else None
    if previous is not None and row.text_hash and previous.text_hash:
        changed = row.text_hash != previous.text_hash
    return {
        "version": row.version,
        "version_id": row.version_id,
        "fetched_at": row.fetched_at.isoformat(),
        "published": row.published.isoformat() if row.published else None,
        "content_hash": row.content_hash,
        "title": row.title,
        "score": row.score,
        "flags": list(row.flags),
        "changed": changed,
    }


def history(repo: Repository, document: int) -> list[dict[str, Any]]:
    """Every version of a document, oldest first (``version`` 1, 2, ...)."""
    rows = repo.history(document)
    return [history_record(r, rows[i - 1] if i else None) for i, r in enumerate(rows)]


def _pick(rows: list[HistoryRow], number: int, which: str) -> HistoryRow:
    for r in rows:
        if r.version == number:
            return r
    raise NotStored(f"there is no version {number} ({which}); the document has {len(rows)}", subject=which)


def diff(
    repo: Repository, document: int, *, from_version: int | None = None, to_version: int | None = None
) -> dict[str, Any]:
    """The change between two versions (numbers as ``history`` gives them): by default the latest
    version against the one before it. Raises :class:`NotStored` for a missing version and
    :class:`InputError` for a document with a single version."""
    rows = repo.history(document)
    if not rows:
        raise NotStored("the document has no stored version", subject=str(document))
    new = _pick(rows, to_version, "--to") if to_version is not None else rows[-1]
    if from_version is not None:
        old = _pick(rows, from_version, "--from")
    elif new.version > 1:
        old = _pick(rows, new.version - 1, "--from")
    else:
        raise InputError("the document has one version only: nothing to compare", subject=str(document))
    change = compare(repo.version_text(old.version_id), repo.version_text(new.version_id))
    return diff_record(old, new, change)


def diff_record(old: HistoryRow, new: HistoryRow, change: VersionDiff) -> dict[str, Any]:
    def side(r: HistoryRow) -> dict[str, Any]:
        return history_record(r, None) | {"changed": None}

    return {"from": side(old), "to": side(new), **change.as_dict()}


# --- source health ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SourceCheck:
    """A source's health as an operator reads it."""

    source_id: str
    cadence: str | None
    last_success: datetime | None
    found_per_run: tuple[int, ...]
    failed_urls_last_run: int
    warnings: tuple[str, ...]

    def as_dict(self) -> dict[str, Any]:
        return {
            "source_id": self.source_id,
            "cadence": self.cadence,
            "last_success": self.last_success.isoformat() if self.last_success else None,
            "found_per_run": list(self.found_per_run),
            "failed_urls_last_run": self.failed_urls_last_run,
            "warnings": list(self.warnings),
        }


def _utc(t: datetime) -> datetime:
    return t if t.tzinfo is not None else t.replace(tzinfo=UTC)


def check_source(source_id: str, cadence: str | None, runs: list[RunYield], now: datetime) -> SourceCheck:
    """The warnings of one source from its last runs (newest first); pure, so it is tested alone."""
    finished = [r for r in runs if r.finished_at is not None]
    warnings: list[str] = []
    if finished and finished[0].error:
        warnings.append(f"the last run failed: {finished[0].error}")
    yielded = [r for r in finished if r.found > 0 and not r.error]
    last_success = _utc(yielded[0].finished_at) if yielded and yielded[0].finished_at else None
    quiet = SILENCE.get(cadence or "daily", SILENCE["daily"])
    if last_success is not None and now - last_success > quiet:
        days = (now - last_success).total_seconds() / 86400
        warnings.append(
            f"no document found for {days:.1f} days although the cadence ({cadence or 'daily'}) "
            f"predicts a crawl every {quiet / 2}"
        )
    elif last_success is None and len(finished) >= MIN_RUNS:
        warnings.append(f"no document found in any of the last {len(finished)} runs")
    earlier = [r.found for r in finished[1:] if not r.error]
    if finished and not finished[0].error and len(earlier) >= MIN_RUNS:
        median = statistics.median(earlier)
        if median >= MIN_MEDIAN and finished[0].found < DROP_SHARE * median:
            warnings.append(
                f"the last run found {finished[0].found} document(s), against a median of {median:g} before"
            )
    return SourceCheck(
        source_id,
        cadence,
        last_success,
        tuple(r.found for r in reversed(finished)),
        finished[0].failed_urls if finished else 0,
        tuple(warnings),
    )


def source_checks(
    repo: Repository, *, now: datetime | None = None, per_source: int = 10
) -> dict[str, SourceCheck]:
    """Every stored source's health, by source id."""
    at = now or datetime.now(UTC)
    yields = repo.source_yields(per_source)
    out = {}
    for h in repo.sources_health():
        out[h.id] = check_source(h.id, h.cadence, yields.get(h.id, []), at)
    return out
