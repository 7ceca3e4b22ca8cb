"""An httpx transport that dials the address the guard checked, never a fresh DNS answer.

The URL keeps its host name, so the ``Host`` header and the TLS SNI / certificate check still use
the name; only the TCP connection is redirected to the pinned IP. This is what makes the guard's
check hold against DNS rebinding.

The transport also enforces the per-request deadline at the socket: every read and write gets a
timeout no longer than the time left (:func:`deadline_scope`), so a server that drips its headers
one byte at a time cannot hold a worker past the deadline either.
"""

from __future__ import annotations

import contextlib
import math
import threading
import time
import typing
from collections.abc import Callable, Iterable, Iterator
from contextvars import ContextVar

import httpcore
import httpx

_deadline: ContextVar[float | None] = ContextVar("miner_fetch_deadline", default=None)


@contextlib.contextmanager
def deadline_scope(deadline: float) -> Iterator[None]:
    """Within the block, socket operations on this thread end at ``deadline`` (``time.monotonic``)."""
    token = _deadline.set(deadline)
    try:
        yield
    finally:
        _deadline.reset(token)


def _clamp(timeout: float | None) -> float | None:
    deadline = _deadline.get()
    if deadline is None:
        return timeout
    left = deadline - time.monotonic()
    if left <= 0:
        raise httpcore.ReadTimeout("request deadline passed")
    return min(timeout if timeout is not None else math.inf, left)


class AddressPins:
    """Host name -> the address the guard accepted for it (thread-safe)."""

    def __init__(self) -> None:
        self._pins: dict[str, str] = {}
        self._lock = threading.Lock()

    def pin(self, host: str, address: str) -> None:
        with self._lock:
            self._pins[host.lower()] = address

    def __call__(self, host: str) -> str:
        with self._lock:
            address = self._pins.get(host.lower())
        if address is None:
            # Only reachable if a request bypassed the guard: refuse rather than resolve.
            raise httpcore.ConnectError(f"no checked address for {host}: refusing to resolve it here")
        return address


class _DeadlineStream(httpcore.NetworkStream):
    def __init__(self, inner: httpcore.NetworkStream) -> None:
        self._inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, _clamp(timeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, _clamp(timeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self,
        ssl_context: typing.Any,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        return _DeadlineStream(self._inner.start_tls(ssl_context, server_hostname, _clamp(timeout)))

    def get_extra_info(self, info: str) -> typing.Any:
        return self._inner.get_extra_info(info)


class _PinnedBackend(httpcore.NetworkBackend):
    def __init__(self, address_for: Callable[[str], str]) -> None:
        self._address_for = address_for
        self._inner = httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[typing.Any] | None = None,
    ) -> httpcore.NetworkStream:
        address = self._address_for(host)
        stream = self._inner.connect_tcp(address, port, _clamp(timeout), local_address, socket_options)
        return _DeadlineStream(stream)

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[typing.Any] | None = None
    ) -> httpcore.NetworkStream:
        raise httpcore.ConnectError("unix sockets are never used by the fetcher")

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


class _ResponseStream(httpx.SyncByteStream):
    def __init__(self, inner: Iterable[bytes]) -> None:
        self._inner = inner

    def __iter__(self) -> Iterator[bytes]:
        with _mapped_errors():
            yield from self._inner

    def close(self) -> None:
        close = getattr(self._inner, "close", None)
        if close is not None:
            close()


@contextlib.contextmanager
def _mapped_errors() -> Iterator[None]:
    """httpcore errors -> the httpx class of the same name, so callers catch one tree."""
    try:
        yield
    except httpcore.TimeoutException as exc:
        cls = getattr(httpx, type(exc).__name__, httpx.TimeoutException)
        raise cls(str(exc)) from exc
    except httpcore.UnsupportedProtocol as exc:
        raise httpx.UnsupportedProtocol(str(exc)) from exc
    except (httpcore.NetworkError, httpcore.ProtocolError, httpcore.ProxyError) as exc:
        cls = getattr(httpx, type(exc).__name__, httpx.TransportError)
        raise cls(str(exc)) from exc


class PinnedTransport(httpx.BaseTransport):
    """HTTP/1.1 over a connection pool whose sockets go to ``address_for(host)``.

    ``address_for`` is normally an :class:`AddressPins` filled by the fetcher right after the guard
    accepted a URL; tests may pass ``lambda host: "127.0.0.1"`` to serve a made-up public name
    from a local server.
    """

    def __init__(self, address_for: Callable[[str], str], *, verify: bool = True) -> None:
        self._pool = httpcore.ConnectionPool(
            ssl_context=httpx.create_ssl_context(verify=verify),
            max_connections=100,
            max_keepalive_connections=20,
            keepalive_expiry=5.0,
            network_backend=_PinnedBackend(address_for),
        )

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        assert isinstance(request.stream, httpx.SyncByteStream)
        req = httpcore.Request(
            method=request.method,
            url=httpcore.URL(
                scheme=request.url.raw_scheme,
                host=request.url.raw_host,
                port=request.url.port,
                target=request.url.raw_path,
            ),
            headers=request.headers.raw,
            content=request.stream,
            extensions=request.extensions,
        )
        with _mapped_errors():
            resp = self._pool.handle_request(req)
        assert isinstance(resp.stream, Iterable)
        return httpx.Response(
            status_code=resp.status,
            headers=resp.headers,
            stream=_ResponseStream(resp.stream),
            extensions=resp.extensions,
        )

    def close(self) -> None:
        self._pool.close()
