"""The fetcher: one polite, guarded HTTP GET that returns a :class:`~miner.records.Fetched`.

Every hop of every request (the URL, each redirect, each robots.txt) goes through the same
steps, each owned by its own module:

1. ``guard.Guard.check``   -> scheme and address policy; the checked address is pinned.
2. ``robots.RobotsCache``  -> RFC 9309 rules and Crawl-delay of the hop's host.
3. ``politeness``          -> one request at a time per host, ``delay`` s apart.
4. the request itself      -> deadline, raw and decompressed size caps (``decode``).

A call makes exactly one request per hop and never retries: whether and when to try again is the
one retry policy's decision (:mod:`miner.retry`), taken by whoever drives the step, so that a
failing server is asked ``retry_attempts`` times and not that number times another.

Errors say what the caller should do: :class:`TransientFetchError` (retry later, with the server's
``retry_after`` when it sent one), :class:`PermanentFetchError` and its children (record and stop),
:class:`RobotsDisallowed` (skipped). Every error's ``subject`` is the URL that was asked for.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urljoin

import httpx

from miner.config import Settings, get_settings
from miner.errors import (
    BlockedAddress,
    DeadlineExceeded,
    FetchError,
    PermanentFetchError,
    RobotsDisallowed,
    TooLarge,
    TooManyRedirects,
    TransientFetchError,
)
from miner.fetch.decode import ACCEPT_ENCODING, decoded
from miner.fetch.guard import Checked, Guard, Resolver
from miner.fetch.politeness import HostLimiter, LocalHostLimiter, parse_retry_after
from miner.fetch.robots import (
    MAX_ROBOTS_BYTES,
    MAX_ROBOTS_REDIRECTS,
    RobotsAnswer,
    RobotsCache,
    product_token,
)
from miner.fetch.transport import AddressPins, PinnedTransport, deadline_scope
from miner.records import Fetched

REDIRECTS = frozenset({301, 302, 303, 307, 308})
#: Answers that mean "not now": worth another request later (RFC 9110 15.5.9, 15.6; RFC 6585 4).
TRANSIENT_STATUSES = frozenset({408, 425, 429})


@dataclass(frozen=True, slots=True)
class _Reply:
    """One HTTP exchange (no redirect following), body already capped and decoded."""

    url: str
    status: int
    headers: httpx.Headers
    content: bytes


class Fetcher:
    """Polite, SSRF-guarded GETs. Thread-safe; keep one per process and ``close()`` it.

    ``transport`` replaces the default :class:`PinnedTransport` (tests route made-up names to a
    local server with it); the guard still checks every URL first. ``allow_private`` is for
    tests and the offline demo only. ``limiter`` spaces requests per host (pass a shared one to
    coordinate processes); ``clock``/``sleep`` drive the limiter, ``clock`` the robots cache.
    """

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        transport: httpx.BaseTransport | None = None,
        allow_private: bool = False,
        resolver: Resolver | None = None,
        limiter: HostLimiter | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.settings = settings or get_settings()
        self.guard = Guard(allow_private=allow_private, resolver=resolver)
        self._pins = AddressPins()
        self.limiter: HostLimiter = limiter or LocalHostLimiter(clock=clock, sleep=sleep)
        self.robots = RobotsCache(self._get_robots, ttl=self.settings.robots_ttl, clock=clock)
        self.token = product_token(self.settings.user_agent)
        self._host_locks: dict[str, threading.Lock] = {}
        self._locks_lock = threading.Lock()
        self._client = httpx.Client(
            transport=transport or PinnedTransport(self._pins),
            follow_redirects=False,
            trust_env=False,
            headers={"User-Agent": self.settings.user_agent, "Accept-Encoding": ACCEPT_ENCODING},
        )

    # --- public ---------------------------------------------------------------------------------------

    def fetch(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        source_id: str | None = None,
        delay: float | None = None,
        accept: str | None = None,
    ) -> Fetched:
        """GET ``url`` politely; a 304 to the conditional request gives ``Fetched(not_modified=True)``.

        ``delay`` is the source's seconds between requests to a host (default: settings); a larger
        robots.txt Crawl-delay wins. ``accept`` is the Accept header, for APIs that answer JSON only
        when asked (a source kind's entry pages).
        """
        base_delay = self.settings.default_delay if delay is None else delay
        headers = {"Accept": accept} if accept else {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        seen = [url]
        hop = url
        while True:
            try:
                checked = self.guard.check(hop)
                self._check_robots(hop)
            except (BlockedAddress, RobotsDisallowed) as exc:
                if hop == url:
                    raise
                raise type(exc)(f"redirect to {hop}: {exc.message}", subject=url) from exc
            delay = self._delay_for(hop, base_delay)
            reply = self._exchange(checked, headers, delay, self.settings.max_download_bytes, url)
            if reply.status not in REDIRECTS:
                break
            hop = self._next_hop(url, reply, seen)
        return self._to_fetched(url, reply, etag, last_modified, source_id)

    def sitemaps_of(self, url: str) -> list[str]:
        """Sitemap URLs that ``url``'s host lists in its robots.txt (for discovery)."""
        return self.robots.rules(url).sitemaps()

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- steps ----------------------------------------------------------------------------------------

    def _check_robots(self, url: str) -> None:
        rules = self.robots.rules(url)
        if not rules.allowed(url, self.token):
            why = "disallowed by robots.txt" if rules.parser is not None else rules.reason
            raise RobotsDisallowed(why, subject=url)

    def _delay_for(self, url: str, base: float) -> float:
        crawl_delay = self.robots.rules(url).crawl_delay(self.token) or 0.0
        return max(base, min(crawl_delay, self.settings.max_crawl_delay))

    def _next_hop(self, url: str, reply: _Reply, seen: list[str]) -> str:
        location = reply.headers.get("location")
        if not location:
            raise PermanentFetchError(f"{reply.status} redirect without a Location header", subject=url)
        target = urljoin(reply.url, location.strip())
        if target in seen:
            raise TooManyRedirects(f"redirect loop: {' -> '.join([*seen, target])}", subject=url)
        seen.append(target)
        if len(seen) - 1 > self.settings.max_redirects:
            raise TooManyRedirects(f"more than {self.settings.max_redirects} redirects", subject=url)
        return target

    def _exchange(
        self,
        checked: Checked,
        headers: dict[str, str],
        delay: float,
        cap: int,
        subject: str,
        *,
        truncate: bool = False,
    ) -> _Reply:
        """One request to a guarded URL: pin its address, host lock, limiter, deadline, capped body.

        A body over ``cap`` is an error (:class:`TooLarge`), or with ``truncate`` cut at ``cap``.
        """
        url = checked.url
        self._pins.pin(checked.host, checked.address)
        with self._host_lock(checked.host):
            self.limiter.wait(checked.host, delay)
            deadline = time.monotonic() + self.settings.request_deadline
            timeout = min(self.settings.request_timeout, self.settings.request_deadline)
            try:
                with (
                    deadline_scope(deadline),
                    self._client.stream("GET", url, headers=headers, timeout=timeout) as resp,
                ):
                    body = b""
                    if resp.status_code not in REDIRECTS and resp.status_code != 304:
                        read = self._head if truncate else self._read
                        body = read(resp, cap, deadline, subject)
                    return _Reply(url, resp.status_code, resp.headers, body)
            except httpx.TimeoutException as exc:
                if time.monotonic() >= deadline:
                    raise DeadlineExceeded(
                        f"no complete answer within {self.settings.request_deadline:g} s", subject=subject
                    ) from exc
                raise TransientFetchError(
                    f"timed out ({exc or type(exc).__name__})", subject=subject
                ) from exc
            except (httpx.UnsupportedProtocol, httpx.InvalidURL) as exc:
                raise BlockedAddress(f"cannot request {url} ({exc})", subject=subject) from exc
            except httpx.HTTPError as exc:
                raise TransientFetchError(
                    f"network error: {exc or type(exc).__name__}", subject=subject
                ) from exc

    def _read(self, resp: httpx.Response, cap: int, deadline: float, subject: str) -> bytes:
        declared = resp.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > cap:
            raise TooLarge(f"Content-Length {declared} exceeds the {cap}-byte cap", subject=subject)
        parts: list[bytes] = []
        for chunk in decoded(
            self._raw(resp, cap, deadline, subject),
            resp.headers.get("content-encoding", "identity"),
            cap=cap,
            subject=subject,
        ):
            parts.append(chunk)
        return b"".join(parts)

    def _head(self, resp: httpx.Response, cap: int, deadline: float, subject: str) -> bytes:
        """The first ``cap`` decoded bytes of a body, whatever its length (RFC 9309 2.5 for robots.txt:
        parse at least the first 500 KiB rather than refuse a longer file). Reading stops at the cap;
        raw and decoded bytes are still bounded (twice the cap) against compression tricks."""
        parts: list[bytes] = []
        total = 0
        encoding = resp.headers.get("content-encoding", "identity")
        raw = self._raw(resp, 2 * cap, deadline, subject)
        for chunk in decoded(raw, encoding, cap=2 * cap, subject=subject):
            parts.append(chunk)
            total += len(chunk)
            if total >= cap:
                break
        return b"".join(parts)[:cap]

    def _raw(self, resp: httpx.Response, cap: int, deadline: float, subject: str) -> Iterator[bytes]:
        received = 0
        for chunk in resp.iter_raw():
            received += len(chunk)
            if received > cap:
                raise TooLarge(f"body is larger than {cap} bytes", subject=subject)
            if time.monotonic() > deadline:
                raise DeadlineExceeded(
                    f"body still arriving after {self.settings.request_deadline:g} s", subject=subject
                )
            yield chunk

    def _host_lock(self, host: str) -> threading.Lock:
        with self._locks_lock:
            return self._host_locks.setdefault(host, threading.Lock())

    def _get_robots(self, robots_url: str) -> RobotsAnswer:
        """Fetch a robots.txt through the guard and limiter; any failure means 'unreachable'."""
        hop = robots_url
        for _ in range(MAX_ROBOTS_REDIRECTS + 1):
            try:
                checked = self.guard.check(hop)
                reply = self._exchange(
                    checked, {}, self.settings.default_delay, MAX_ROBOTS_BYTES, robots_url, truncate=True
                )
            except FetchError:
                return RobotsAnswer(None)
            if reply.status not in REDIRECTS:
                return RobotsAnswer(reply.status, reply.content)
            location = reply.headers.get("location")
            if not location:
                return RobotsAnswer(404)
            hop = urljoin(hop, location.strip())
        return RobotsAnswer(404)  # more than five redirects: "unavailable" (RFC 9309 2.3.1.2)

    def _to_fetched(
        self, url: str, reply: _Reply, etag: str | None, last_modified: str | None, source_id: str | None
    ) -> Fetched:
        status = reply.status
        if status == 304 and (etag or last_modified):
            return Fetched(
                url=url,
                final_url=reply.url,
                status=304,
                content=b"",
                content_type=reply.headers.get("content-type", ""),
                etag=reply.headers.get("etag") or etag,
                last_modified=reply.headers.get("last-modified") or last_modified,
                fetched_at=datetime.now(UTC),
                not_modified=True,
                source_id=source_id,
                headers=tuple(reply.headers.multi_items()),
            )
        if status >= 500 or status in TRANSIENT_STATUSES:
            retry_after = parse_retry_after(reply.headers.get("retry-after"))
            asked = f" (Retry-After {retry_after:g} s)" if retry_after is not None else ""
            raise TransientFetchError(
                f"server answered {status}{asked}; retry later", subject=url, retry_after=retry_after
            )
        if status >= 400:
            raise PermanentFetchError(f"HTTP {status}", subject=url)
        if not 200 <= status < 300:
            raise PermanentFetchError(f"unexpected HTTP status {status}", subject=url)
        return Fetched(
            url=url,
            final_url=reply.url,
            status=status,
            content=reply.content,
            content_type=reply.headers.get("content-type", ""),
            etag=reply.headers.get("etag"),
            last_modified=reply.headers.get("last-modified"),
            fetched_at=datetime.now(UTC),
            source_id=source_id,
            headers=tuple(reply.headers.multi_items()),
        )
