"""A small real HTTP server on 127.0.0.1 for fetch tests.

Each route answers with a :class:`Reply` (or a function of the request returning one). The server
records every request it receives (time, path, headers) so tests assert what was *sent*, not what
the client believes it did. Replies can drip slowly, be gzip/brotli bombs, 304 on a matching
ETag, redirect, or answer 429/503 with Retry-After.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType


@dataclass
class Reply:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    #: Seconds between two body chunks of ``chunk`` bytes (a slow drip); None sends at once.
    drip: float | None = None
    chunk: int = 1
    #: Seconds between two header lines (a header drip).
    header_drip: float | None = None
    #: Send no Content-Length (close-delimited body).
    no_length: bool = False


@dataclass(frozen=True)
class Seen:
    at: float  # time.monotonic() when the request line was read
    method: str
    path: str
    headers: dict[str, str]


Route = Reply | Callable[[Seen], Reply]


class LocalSite:
    """``with LocalSite() as site: site.route("/a", Reply(body=b"x")); site.url("/a")``."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self.routes: dict[str, Route] = {}
        self.requests: list[Seen] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        site = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:
                return

            def do_GET(self) -> None:
                seen = Seen(
                    time.monotonic(), "GET", self.path, {k.lower(): v for k, v in self.headers.items()}
                )
                with site._lock:
                    site.requests.append(seen)
                route = site.routes.get(self.path.split("?", 1)[0]) or site.routes.get(self.path)
                reply = (
                    Reply(404, b"not found") if route is None else route(seen) if callable(route) else route
                )
                try:
                    site._send(self, reply)
                except (BrokenPipeError, ConnectionResetError):
                    self.close_connection = True

        self.server = ThreadingHTTPServer((host, port), Handler)
        self.server.daemon_threads = True
        self.host = host
        self.port = self.server.server_address[1]
        self._thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05})

    def _send(self, h: BaseHTTPRequestHandler, reply: Reply) -> None:
        headers = dict(reply.headers)
        if reply.no_length:
            headers["Connection"] = "close"
            h.close_connection = True
        elif "Content-Length" not in headers:
            headers["Content-Length"] = str(len(reply.body))
        h.send_response_only(reply.status)
        h.wfile.write(b"".join(h._headers_buffer))  # type: ignore[attr-defined]
        h._headers_buffer = []  # type: ignore[attr-defined]
        for k, v in headers.items():
            if reply.header_drip:
                for byte in f"{k}: {v}\r\n".encode():
                    if self._stop.wait(reply.header_drip):
                        return
                    h.wfile.write(bytes([byte]))
                    h.wfile.flush()
            else:
                h.wfile.write(f"{k}: {v}\r\n".encode("latin-1"))
        h.wfile.write(b"\r\n")
        h.wfile.flush()
        if reply.drip is None:
            h.wfile.write(reply.body)
            h.wfile.flush()
            return
        for i in range(0, len(reply.body), reply.chunk):
            if self._stop.wait(reply.drip):
                return
            h.wfile.write(reply.body[i : i + reply.chunk])
            h.wfile.flush()

    def route(self, path: str, reply: Route) -> None:
        self.routes[path] = reply

    def url(self, path: str = "/", host: str | None = None) -> str:
        return f"http://{host or self.host}:{self.port}{path}"

    def paths(self) -> list[str]:
        with self._lock:
            return [r.path for r in self.requests]

    def hits(self, path: str) -> list[Seen]:
        with self._lock:
            return [r for r in self.requests if r.path == path]

    def __enter__(self) -> LocalSite:
        self._thread.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._stop.set()
        self.server.shutdown()
        self.server.server_close()
        self._thread.join(timeout=5)


def conditional(body: bytes, etag: str, last_modified: str, content_type: str = "application/pdf") -> Route:
    """A document that answers 304 when the request carries its ETag or Last-Modified."""

    def reply(seen: Seen) -> Reply:
        headers = {"ETag": etag, "Last-Modified": last_modified, "Content-Type": content_type}
        if (
            seen.headers.get("if-none-match") == etag
            or seen.headers.get("if-modified-since") == last_modified
        ):
            return Reply(304, b"", {"ETag": etag}, no_length=False)
        return Reply(200, body, headers)

    return reply


def sequence(*replies: Reply) -> Route:
    """Answers with each reply in turn, then repeats the last one."""
    count = [0]

    def reply(seen: Seen) -> Reply:
        i = min(count[0], len(replies) - 1)
        count[0] += 1
        return replies[i]

    return reply
