"""The product's units of work and the queues they run on, each spelled once.

A :class:`Task` member owns every spelling of its work: the Celery task name the client sends and the
worker registers, the ``task`` column and the key of its dead letters, and the queue it runs on. The
library (``miner.jobs``, ``miner.crawl``, the store) and ``workers/`` both import it from here, which is
the only coupling between the two sides: the library sends by name and never imports ``workers``.
"""

from __future__ import annotations

from enum import StrEnum


class Queue(StrEnum):
    """Fetching is network-bound and analysing CPU-bound, so they have queues that scale apart."""

    FETCH = "fetch"
    ANALYSE = "analyse"


class Task(StrEnum):
    """A unit of work. The value is what the dead-letter table stores in ``task``."""

    #: Open (or resume) a run of one source and put its entry points on the frontier.
    CRAWL_SOURCE = "crawl_source"
    #: Fetch one frontier URL (``run_urls.id``).
    FETCH_URL = "fetch_url"
    #: Extract, analyse and score one stored version (``document_versions.id``).
    PROCESS_DOCUMENT = "process_document"
    #: Re-send the frontier entries whose messages are gone; close settled runs (beat).
    RECONCILE = "reconcile"
    #: Deliver one alert of the outbox (``alert_outbox.id``) through its channel.
    DELIVER_ALERT = "deliver_alert"
    #: Send a ``deliver_alert`` for every alert that is due and not leased (beat: the safety net).
    SWEEP_ALERTS = "sweep_alerts"
    #: Send the daily or weekly digests (beat; argument: the period).
    SEND_DIGESTS = "send_digests"
    #: Queue and send the weekly trend report to its subscribers (beat).
    SEND_REPORTS = "send_reports"

    @property
    def celery_name(self) -> str:
        """The name the task is registered and sent under."""
        return f"miner.{self.value}"

    @property
    def queue(self) -> Queue:
        return Queue.ANALYSE if self is Task.PROCESS_DOCUMENT else Queue.FETCH

    def dead_letter_key(self, *ids: int) -> str:
        """The key of this work's dead letter (``fetch_url:<run>:<url>``, ``process_document:<version>``),
        so that the same work failing again updates one row instead of adding another."""
        return ":".join((self.value, *(str(int(i)) for i in ids)))
