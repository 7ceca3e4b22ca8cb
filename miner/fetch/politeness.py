"""Politeness: spacing requests to one host, and reading what a server says about waiting.

How long to wait before trying again is not decided here: that is the retry policy's
(:mod:`miner.retry`); this module only reads the server's Retry-After.

:class:`HostLimiter` is the seam between one process and many: the fetcher only ever calls
``wait(host, delay)`` before a request, so a Redis-backed limiter shared by every Celery worker
can replace :class:`LocalHostLimiter` without the fetcher knowing.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Protocol, runtime_checkable


@runtime_checkable
class HostLimiter(Protocol):
    """Blocks until a request to ``host`` may start, ``delay`` seconds after the previous one began."""

    def wait(self, host: str, delay: float) -> None: ...


class LocalHostLimiter:
    """In-process limiter: per host, a request starts at least ``delay`` s after the previous one started.

    Reservations are taken under a lock, so threads sharing one limiter queue up instead of
    all waking at the same instant. ``clock`` and ``sleep`` are injectable for tests.
    """

    def __init__(
        self,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._clock = clock
        self._sleep = sleep
        self._last: dict[str, float] = {}
        self._lock = threading.Lock()

    def wait(self, host: str, delay: float) -> None:
        with self._lock:
            now = self._clock()
            last = self._last.get(host)
            start = now if last is None else max(now, last + max(delay, 0.0))
            self._last[host] = start
        if start > now:
            self._sleep(start - now)


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP date); None if absent/bad."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())
