"""The one retry policy of the product, built from settings and used by every driver of a step.

Like Scrapy's retry middleware, one component decides whether and when work that failed is tried
again; nothing below it retries on its own. The fetcher makes exactly one request per call and says
what went wrong (a :class:`~miner.errors.Transient` with the server's Retry-After, if any); the store
raises ``StoreUnavailable``; the driver of the step -- the in-process loop of :mod:`miner.crawl` or a
Celery task of ``workers/tasks.py`` -- asks :meth:`RetryPolicy.delay` what to do. So a URL whose server
keeps failing receives exactly ``retry_attempts`` requests per run (docs/reliability.md).

Two budgets, because two different things fail:

* the **input** (network error, timeout, 429, 5xx): ``retry_attempts`` attempts, ``retry_backoff``
  seconds before the second, doubling, at most ``retry_backoff_max``; a server's Retry-After replaces
  the backoff, and a Retry-After longer than ``retry_backoff_max`` ends the attempts at once (we never
  come back sooner than asked; the next run tries again);
* an **outage** of the store or the broker (database down or restarting, Redis unreachable): the work
  itself is fine, so it is retried with the same backoff for as long as ``outage_wait`` seconds of
  waiting, however many attempts that takes, without using up the input's attempts.
"""

from __future__ import annotations

from dataclasses import dataclass

from miner.config import Settings, get_settings
from miner.errors import Transient
from miner.store import StoreUnavailable


class Outage(Transient):
    """A service the product depends on (not the input) is unavailable: wait for it, do not count it."""

    code = "outage"


def is_outage(exc: BaseException) -> bool:
    """True when the failure is the store's or the broker's, not the work's (it says nothing of the input)."""
    return isinstance(exc, StoreUnavailable | Outage)


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """When to try a failed step again. ``attempt`` is 1-based: the attempt that just failed."""

    attempts: int = 4
    backoff: float = 2.0
    backoff_max: float = 60.0
    #: Seconds of backoff a step keeps retrying through while the store or the broker is unavailable.
    outage: float = 900.0

    @classmethod
    def from_settings(cls, settings: Settings | None = None) -> RetryPolicy:
        s = settings or get_settings()
        return cls(
            attempts=max(1, s.retry_attempts),
            backoff=max(0.0, s.retry_backoff),
            backoff_max=max(0.0, s.retry_backoff_max),
            outage=max(0.0, s.outage_wait),
        )

    def backoff_for(self, attempt: int) -> float:
        """Exponential backoff after the ``attempt``-th failure: backoff, 2x, 4x, ... capped."""
        return min(self.backoff * (2 ** max(0, attempt - 1)), self.backoff_max)

    @property
    def outage_attempts(self) -> int:
        """Attempts a step gets while the store is down: enough for ``outage`` seconds of backoff."""
        waited, n = 0.0, 1
        while waited < self.outage and n < 10_000:
            step = self.backoff_for(n)
            if step <= 0:
                break
            waited += step
            n += 1
        return max(self.attempts, n)

    def delay(self, attempt: int, exc: BaseException) -> float | None:
        """Seconds to wait before attempt ``attempt + 1`` after ``exc``; ``None``: give up now.

        Only :class:`~miner.errors.Transient` failures are retried; a permanent error or a bug is
        recorded at once.
        """
        if not isinstance(exc, Transient):
            return None
        if is_outage(exc):
            return self.backoff_for(attempt) if attempt < self.outage_attempts else None
        if attempt >= self.attempts:
            return None
        if exc.retry_after is not None:
            return exc.retry_after if exc.retry_after <= self.backoff_max else None
        return self.backoff_for(attempt)

    @property
    def longest_wait(self) -> float:
        """The longest single wait this policy asks for (a broker must keep a delayed message that long)."""
        return self.backoff_max
