"""The library's side of the broker: delivery timings, and a small client that sends tasks by name.

**Timings.** Every figure of worker recovery is derived here from the settings, once, so that the
workers' configuration (``workers/celeryconfig.py``), the reconciler and ``miner run``'s patience agree:

* :func:`visibility_timeout` -- Redis hands an unacknowledged message to another worker after this
  long. It is at least the hard task time limit plus the longest retry countdown plus 10 s: a task
  that is slow, or waiting for its retry, is never handed to a second worker while the first has it.
* :func:`recovery_time` -- a SIGKILLed worker's tasks run again within this: the visibility timeout
  plus one sweep of a live worker (``unacked_restore_interval``).
* :func:`reconcile_after` -- a run idle this long has lost messages (the broker restarted without
  persistence, a task gave up during a store outage): the reconciler sends its entries again.
* :func:`stall_limit` -- ``miner run`` calls the workers stalled only after this long without
  progress: longer than recovery, reconciliation and one reconciler interval together.

**The client.** :class:`BrokerClient` sends by task *name* (the library never imports ``workers``),
checks that the broker answers and asks which workers are alive, turning every failure into
:class:`BrokerUnavailable` with the broker's URL redacted.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from miner.config import Settings
from miner.redact import redact_url
from miner.retry import Outage
from miner.tasknames import Task


class BrokerUnavailable(Outage):
    """The broker (MINER_BROKER_URL) refused or did not answer."""

    code = "broker-unavailable"


def visibility_timeout(s: Settings) -> int:
    """Seconds before Redis redelivers an unacknowledged message (see the module's docstring)."""
    return max(int(s.broker_visibility_timeout), int(s.task_time_limit + math.ceil(s.retry_backoff_max) + 10))


def restore_interval(s: Settings) -> int:
    """Seconds between two sweeps, by a live worker, for messages whose worker died."""
    return max(1, min(10, visibility_timeout(s) // 10))


def recovery_time(s: Settings) -> int:
    """Seconds within which the tasks of a killed worker are delivered again (docs/operations.md)."""
    return visibility_timeout(s) + restore_interval(s)


def reconcile_after(s: Settings) -> int:
    """Seconds a run must be idle before the reconciler re-sends its waiting entries: after the broker's
    own redelivery (so that a killed worker's tasks are not sent twice), plus three sweeps."""
    return recovery_time(s) + 3 * restore_interval(s)


def stall_limit(s: Settings) -> int:
    """Seconds without progress after which ``miner run`` stops waiting for the workers."""
    return reconcile_after(s) + 2 * math.ceil(s.reconcile_interval)


class BrokerClient:
    """Sends tasks by name to the broker at ``url``; one connection pool, ``close()`` it."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._app: Any = None

    @property
    def shown(self) -> str:
        return redact_url(self.url)

    def _client(self) -> Any:
        if self._app is None:
            from celery import Celery

            app = Celery("policy-miner-client", broker=self.url)
            app.conf.task_serializer = "json"
            app.conf.broker_connection_timeout = 5
            self._app = app
        return self._app

    def send(self, task: Task, args: Sequence[Any]) -> None:
        try:
            self._client().send_task(task.celery_name, args=list(args), queue=str(task.queue))
        except Exception as exc:  # kombu's OperationalError, socket errors, redis errors ...
            raise BrokerUnavailable(f"cannot send to the broker: {exc}", subject=self.shown) from exc

    def check(self) -> None:
        """Raise :class:`BrokerUnavailable` unless the broker answers now."""
        try:
            with self._client().connection_for_write() as conn:
                conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=5)
                conn.default_channel.client.ping()
        except Exception as exc:
            raise BrokerUnavailable(f"the broker does not answer: {exc}", subject=self.shown) from exc

    def workers(self, timeout: float = 2.0) -> list[str]:
        """Names of the workers that answer a ping (empty when none does, or the broker is down)."""
        try:
            replies = self._client().control.ping(timeout=timeout) or []
        except Exception:
            return []
        return sorted(name for reply in replies for name in reply)

    def close(self) -> None:
        if self._app is not None:
            self._app.close()
            self._app = None

    def __enter__(self) -> BrokerClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def timings(s: Settings) -> dict[str, float]:
    """Every recovery figure of these settings, in seconds (``python -m miner.broker`` prints them)."""
    from miner.retry import RetryPolicy

    policy = RetryPolicy.from_settings(s)
    return {
        "visibility_timeout": visibility_timeout(s),
        "restore_interval": restore_interval(s),
        "recovery_time": recovery_time(s),
        "reconcile_after": reconcile_after(s),
        "reconcile_interval": s.reconcile_interval,
        "stall_limit": stall_limit(s),
        "requests_per_failing_url": policy.attempts,
        "retry_waits": sum(policy.backoff_for(n) for n in range(1, policy.attempts)),
        "outage_attempts": policy.outage_attempts,
        "outage_wait": policy.outage,
    }


if __name__ == "__main__":  # python -m miner.broker: the figures of docs/operations.md for these settings
    from miner.config import get_settings

    for name, value in timings(get_settings()).items():
        print(f"{name:<26} {value:g}")
