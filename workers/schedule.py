"""The beat schedule: the source registry's cadences, and the reconciler.

Every ``reconcile_interval`` seconds the ``reconcile`` task sends again the frontier entries whose
messages are gone (:func:`miner.jobs.reconcile`); its messages expire after one interval, so that a
backlog never piles up passes. Each source gets one ``crawl_source`` entry. Its minute (and hour, weekday) is derived from a hash of
the source id, so that forty daily sources do not all start at midnight and hit the fetch queue at
once, and so that the time stays the same from one deployment to the next.
"""

from __future__ import annotations

import logging
import zlib
from collections.abc import Sequence
from typing import Any

from celery.beat import PersistentScheduler
from celery.schedules import crontab

from miner.errors import MinerError
from miner.records import Source
from miner.tasknames import Task

log = logging.getLogger(__name__)

#: Cadences a source may declare.
CADENCES = ("hourly", "daily", "weekly", "monthly")


def cadence_schedule(source_id: str, cadence: str) -> crontab:
    """A crontab for ``cadence`` at a stable, per-source spread-out time (UTC)."""
    h = zlib.crc32(source_id.encode("utf-8"))
    minute, hour, weekday, day = h % 60, (h // 60) % 24, (h // 1440) % 7, (h // 10080) % 28 + 1
    if cadence == "hourly":
        return crontab(minute=minute)
    if cadence == "daily":
        return crontab(minute=minute, hour=hour)
    if cadence == "weekly":
        return crontab(minute=minute, hour=hour, day_of_week=weekday)
    if cadence == "monthly":
        return crontab(minute=minute, hour=hour, day_of_month=day)
    if cadence.startswith(
        "cron:"
    ):  # the registry's explicit form: "cron: <min> <hour> <day> <month> <weekday>"
        fields = cadence[5:].split()
        if len(fields) == 5:
            m, hr, dom, mon, dow = fields
            return crontab(minute=m, hour=hr, day_of_month=dom, month_of_year=mon, day_of_week=dow)
    raise ValueError(
        f"unknown cadence {cadence!r} of source {source_id} (one of {', '.join(CADENCES)} or 'cron: ...')"
    )


def schedule_for(sources: Sequence[Source], *, reconcile_interval: float = 60.0) -> dict[str, dict[str, Any]]:
    """One beat entry per source: crawl_source(source_id) on the fetch queue; and the reconciler."""
    entries: dict[str, dict[str, Any]] = {
        f"crawl:{s.id}": {
            "task": Task.CRAWL_SOURCE.celery_name,
            "schedule": cadence_schedule(s.id, s.cadence),
            "args": (s.id,),
            "options": {"queue": str(Task.CRAWL_SOURCE.queue)},
        }
        for s in sources
    }
    entries["reconcile"] = {
        "task": Task.RECONCILE.celery_name,
        "schedule": float(reconcile_interval),
        "options": {"queue": str(Task.RECONCILE.queue), "expires": float(reconcile_interval)},
    }
    return entries


def build_beat_schedule() -> dict[str, dict[str, Any]]:
    """The schedule of the configured registry (raises ConfigError when the registry is invalid)."""
    from miner.config import get_settings
    from miner.sources import load_sources

    s = get_settings()
    return schedule_for(
        load_sources(None, corpora_dir=s.corpora_dir), reconcile_interval=s.reconcile_interval
    )


class RegistryScheduler(PersistentScheduler):
    """Beat's scheduler, with the entries built from the registry when beat starts.

    Built here rather than in the settings module so that workers never read the registry: a broken
    source file stops beat with a clear error (and is fixed there) but never stops a worker.
    """

    def setup_schedule(self) -> None:
        try:
            entries = build_beat_schedule()
        except MinerError as exc:
            log.critical("beat cannot start: the source registry is invalid: %s", exc)
            raise
        self.app.conf.beat_schedule = entries
        log.info("beat: %d source(s) scheduled, and the reconciler", len(entries) - 1)
        super().setup_schedule()
