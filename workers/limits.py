"""A per-host request limiter shared by every worker, kept in Redis.

It implements :class:`miner.fetch.politeness.HostLimiter`: ``wait(host, delay)`` blocks until a request
to ``host`` may start. Each call atomically reserves the host's next slot in one Lua script (read the
slot, push it ``delay`` seconds further, return how long to wait), using Redis's own clock, so that
twenty workers on five machines space their requests to one government site exactly as one process
would, whatever their local clocks say.

When Redis does not answer, a request must neither go out unspaced nor count as a failure of its URL:
:class:`LimiterUnavailable` is an outage (:mod:`miner.retry`), waited out like a store outage.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import redis

from miner.retry import Outage

#: KEYS[1] = slot key; ARGV[1] = delay in ms. Returns ms to wait before the request may start.
_RESERVE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local nxt = tonumber(redis.call('GET', KEYS[1]) or '0')
local start = math.max(now, nxt)
local delay = tonumber(ARGV[1])
redis.call('SET', KEYS[1], start + delay, 'PX', start - now + delay + 60000)
return start - now
"""


class LimiterUnavailable(Outage):
    """Redis, which holds the shared request slots, does not answer."""

    code = "limiter-unavailable"


class RedisHostLimiter:
    """Per-host spacing of requests across processes and machines (one Redis key per host)."""

    def __init__(
        self, redis: Any, *, prefix: str = "miner:host:", sleep: Callable[[float], None] = time.sleep
    ) -> None:
        self._redis = redis
        self._prefix = prefix
        self._sleep = sleep
        self._script = redis.register_script(_RESERVE)

    def reserve(self, host: str, delay: float) -> float:
        """Take the host's next slot; seconds until it starts (0 when the host is free)."""
        try:
            wait_ms = self._script(keys=[self._prefix + host.lower()], args=[max(0, int(delay * 1000))])
        except redis.RedisError as exc:
            raise LimiterUnavailable(
                f"the request slots in Redis are unavailable: {exc}", subject=host
            ) from exc
        return int(wait_ms) / 1000.0

    def wait(self, host: str, delay: float) -> None:
        wait = self.reserve(host, delay)
        if wait > 0:
            self._sleep(wait)
