"""Real receivers on 127.0.0.1: a webhook endpoint that records what it accepted (and can answer
errors or hold a request), and an SMTP server (aiosmtpd) that keeps the messages it got."""

from __future__ import annotations

import email
import email.policy
import http.server
import json
import socket
import threading
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller

from miner.alerts.message import DELIVERY_HEADER, SIGNATURE_HEADER


@dataclass
class Post:
    body: bytes
    signature: str
    delivery: str

    @property
    def json(self) -> dict[str, Any]:
        return dict(json.loads(self.body))


@dataclass
class Receiver:
    """``statuses``: the answers to give, in order, before answering 204 (e.g. [503, 503]).
    ``hold``: hold the first request open until ``release`` is set (a sender killed meanwhile)."""

    statuses: list[int] = field(default_factory=list)
    hold: bool = False
    accepted: list[Post] = field(default_factory=list)
    requests: int = 0
    arrived: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)

    def __enter__(self) -> Receiver:
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length") or 0))
                with lock:
                    outer.requests += 1
                    first = outer.requests == 1
                    status = outer.statuses.pop(0) if outer.statuses else 204
                if outer.hold and first:
                    outer.arrived.set()
                    outer.release.wait(60)
                    self.close_connection = True
                    return  # never answered: the sender does not know it arrived
                if status == 204:
                    with lock:
                        outer.accepted.append(
                            Post(
                                body,
                                self.headers.get(SIGNATURE_HEADER, ""),
                                self.headers.get(DELIVERY_HEADER, ""),
                            )
                        )
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        lock = threading.Lock()
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


class _Keep:
    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        msg = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append(msg)  # type: ignore[arg-type]
        return "250 OK"


class Mailbox:
    """An SMTP server on 127.0.0.1; ``url`` is what MINER_SMTP_URL is set to."""

    def __enter__(self) -> Mailbox:
        self.handler = _Keep()
        with socket.socket() as s:  # a free port (the controller checks it can connect to its own)
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=port)
        self.controller.start()
        self.url = f"smtp://127.0.0.1:{port}"
        return self

    @property
    def messages(self) -> list[EmailMessage]:
        return self.handler.messages

    def __exit__(self, *exc: object) -> None:
        self.controller.stop()
