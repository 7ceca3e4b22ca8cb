"""robots.txt per RFC 9309, parsed by protego and cached per host.

What a robots.txt answer means (RFC 9309 section 2.3.1):

* 2xx -> the rules in the file, read as UTF-8 (a byte-order mark is not part of the first line).
  A longer file is parsed up to 500 KiB, the least a parser must handle (RFC 9309 2.5), cut at the
  last whole line: a huge robots.txt restricts what it says in its first 500 KiB, not the whole host.
* 4xx -> "unavailable": no rules, everything allowed. 429 is the exception: the server asked us
  to slow down, which is no licence to crawl everything, so it is treated like 5xx.
* 5xx, or no answer at all -> "unreachable": the whole host is disallowed until the next check.
* redirects are followed up to five hops; more hops count as "unavailable".

The cache keeps an answer for ``ttl`` seconds (the RFC asks for at most 24 h); unreachable
answers are kept for a shorter while so a host that comes back is noticed sooner.
The fetching itself is injected (:data:`RobotsGetter`) so that it goes through the same client,
SSRF guard, limiter and size caps as every other request.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from protego import Protego

#: RFC 9309 2.5: parsers must handle at least 500 KiB; we read no more than that.
MAX_ROBOTS_BYTES = 500 * 1024
MAX_ROBOTS_REDIRECTS = 5
#: How long a "disallow all because unreachable" answer is kept (seconds), at most.
UNREACHABLE_TTL = 300.0


@dataclass(frozen=True, slots=True)
class RobotsAnswer:
    """What the server said for /robots.txt; ``status`` is None when it could not be reached."""

    status: int | None
    body: bytes = b""


#: Fetches a robots.txt URL (following redirects itself) and returns the answer.
RobotsGetter = Callable[[str], RobotsAnswer]


def product_token(user_agent: str) -> str:
    """The robots.txt product token of a User-Agent: ``policy-miner/0.1 (...)`` -> ``policy-miner``."""
    token = user_agent.strip().split("/", 1)[0].split()[0] if user_agent.strip() else "*"
    return token.lower()


@dataclass(frozen=True)
class RobotsRules:
    """The rules that apply to one host: parsed rules, or allow-all / disallow-all with the reason."""

    parser: Protego | None
    allow_all: bool
    reason: str

    def allowed(self, url: str, token: str) -> bool:
        if self.parser is None:
            return self.allow_all
        return bool(self.parser.can_fetch(url, token))

    def crawl_delay(self, token: str) -> float | None:
        if self.parser is None:
            return None
        delay = self.parser.crawl_delay(token)
        return float(delay) if delay is not None else None

    def sitemaps(self) -> list[str]:
        return list(self.parser.sitemaps) if self.parser is not None else []

    @property
    def unreachable(self) -> bool:
        return self.parser is None and not self.allow_all


def rules_from_answer(answer: RobotsAnswer) -> RobotsRules:
    """Turn one robots.txt answer into rules, following RFC 9309's status-code table."""
    status = answer.status
    if status is None:
        return RobotsRules(None, False, "robots.txt unreachable: host treated as disallowed")
    if 200 <= status < 300:
        body = answer.body[:MAX_ROBOTS_BYTES]
        if len(body) == MAX_ROBOTS_BYTES:  # cut by the limit: drop the partial last line
            body = body[: body.rfind(b"\n") + 1]
        text = body.decode("utf-8-sig", errors="replace")
        return RobotsRules(Protego.parse(text), True, "robots.txt rules")
    if status == 429 or status >= 500:
        return RobotsRules(None, False, f"robots.txt answered {status}: host treated as disallowed")
    # 4xx and too many redirects (reported by the getter as 3xx): "unavailable" -> no rules.
    return RobotsRules(None, True, f"robots.txt answered {status}: no rules, all allowed")


def robots_url(url: str) -> str:
    """The robots.txt that governs ``url`` (same scheme, host and port)."""
    parts = urlsplit(url)
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}/robots.txt"


class RobotsCache:
    """Rules per ``scheme://host:port``, fetched on first use and kept for ``ttl`` seconds."""

    def __init__(
        self,
        getter: RobotsGetter,
        *,
        ttl: float = 3600.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._get = getter
        self._ttl = ttl
        self._clock = clock
        self._cache: dict[str, tuple[RobotsRules, float]] = {}
        self._lock = threading.Lock()
        self._host_locks: dict[str, threading.Lock] = {}

    def rules(self, url: str) -> RobotsRules:
        """The rules for ``url``'s host; one fetch per host even when threads ask at once."""
        key = robots_url(url)
        with self._lock:
            host_lock = self._host_locks.setdefault(key, threading.Lock())
        with host_lock:
            now = self._clock()
            cached = self._cache.get(key)
            if cached is not None and cached[1] > now:
                return cached[0]
            rules = rules_from_answer(self._get(key))
            ttl = min(self._ttl, UNREACHABLE_TTL) if rules.unreachable else self._ttl
            self._cache[key] = (rules, now + ttl)
            return rules

    def forget(self, url: str) -> None:
        """Drop the cached rules of ``url``'s host (next use fetches robots.txt again)."""
        self._cache.pop(robots_url(url), None)
