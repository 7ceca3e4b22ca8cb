"""The one sandbox every document is extracted in, whatever its type: a child process per document.

Each document is handed to a small server process (:mod:`miner.extract._zygote`), which forks one
child for it. The child has an address-space limit (``limits.extract_memory_mb``), a CPU limit and
a wall-clock deadline (``limits.extract_timeout``); it answers with JSON
(:mod:`miner.extract._work`). Whatever happens to the child -- a loop, a memory bomb, a segfault in
pdfium or libxml2 -- the caller gets a :class:`~miner.errors.ExtractionError` naming the file, and
the worker survives.

The caller's process never parses the untrusted bytes and never forks itself (workers and the web
app are threaded). One server serves one caller thread at a time; a small pool keeps idle servers
warm, and a process that forks (Celery's prefork pool) starts with an empty pool of its own.

:func:`last_run` tells the calling thread how its last extraction went (the child's peak RSS, its
seconds): the hostile-input tests read it, and so can logging.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import math
import os
import selectors
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from miner.errors import CorruptDocument, EncryptedDocument, ExtractionLimit, Transient, UnsupportedFormat
from miner.extract._zygote import CRASH_EXIT, MEMORY_EXIT
from miner.extract.limits import DEFAULT_LIMITS, Limits

#: Where the ``miner`` package lives: the server imports the very same code as the caller.
_ROOT = str(Path(__file__).resolve().parents[2])
_SERVER = "import sys; sys.path.insert(0, {root!r}); from miner.extract._zygote import main; sys.exit(main())"
#: Seconds a server may take to start (imports) and, beyond a job's own deadline, to reply.
START_TIMEOUT = 60.0
REPLY_SLACK = 30.0
MAX_IDLE = 4
_OOM_MARKERS = ("MemoryError", "bad_alloc", "out of memory", "Cannot allocate memory")
_NAMES = {"pdf": "PDF", "html": "HTML", "docx": "DOCX", "odt": "ODT", "text": "text"}


@dataclass(frozen=True, slots=True)
class ChildRun:
    """How one extraction went in its child."""

    kind: str
    maxrss_kb: int
    seconds: float
    exit: int | None
    signal: int | None
    timed_out: bool


class SandboxError(RuntimeError):
    """The server process itself failed (not the document): it is replaced on the next call, and the
    caller gets a :class:`~miner.errors.Transient` error (worth retrying)."""


class _Server:
    """One server process and the pipes to it."""

    def __init__(self) -> None:
        self.pid_of_owner = os.getpid()
        try:
            self.proc = subprocess.Popen(
                [sys.executable, "-I", "-c", _SERVER.format(root=_ROOT)],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                start_new_session=True,
                close_fds=True,
            )
        except OSError as exc:  # no process left to start (EAGAIN, ENOMEM)
            raise SandboxError(f"the extraction sandbox could not start ({exc.strerror})") from exc
        self._buf = b""
        self._out = self.proc.stdout.fileno() if self.proc.stdout else -1
        ready = self._line(time.monotonic() + START_TIMEOUT)
        if b"ready" not in ready:
            self.close()
            raise SandboxError("the extraction sandbox did not start")

    def _fill(self, deadline: float) -> None:
        left = deadline - time.monotonic()
        if left <= 0:
            raise SandboxError("the extraction sandbox did not answer in time")
        with selectors.DefaultSelector() as sel:
            sel.register(self._out, selectors.EVENT_READ)
            if not sel.select(timeout=left):
                raise SandboxError("the extraction sandbox did not answer in time")
        chunk = os.read(self._out, 1 << 20)
        if not chunk:
            raise SandboxError("the extraction sandbox exited")
        self._buf += chunk

    def _line(self, deadline: float) -> bytes:
        while b"\n" not in self._buf:
            if len(self._buf) > 1 << 16:
                raise SandboxError("the extraction sandbox sent a malformed reply")
            self._fill(deadline)
        line, _, self._buf = self._buf.partition(b"\n")
        return line

    def _exact(self, n: int, deadline: float) -> bytes:
        parts = [self._buf[:n]]
        got = len(parts[0])
        self._buf = self._buf[n:]
        while got < n:
            self._fill(deadline)
            take = self._buf[: n - got]
            self._buf = self._buf[n - got :]
            parts.append(take)
            got += len(take)
        return b"".join(parts)

    def request(self, job: dict[str, Any], data: bytes) -> tuple[dict[str, Any], bytes]:
        stdin = self.proc.stdin
        if stdin is None or self.proc.poll() is not None:
            raise SandboxError("the extraction sandbox exited")
        try:
            stdin.write(json.dumps({**job, "size": len(data)}).encode("utf-8") + b"\n")
            stdin.write(data)
            stdin.flush()
        except (BrokenPipeError, OSError) as exc:
            raise SandboxError("the extraction sandbox exited") from exc
        deadline = time.monotonic() + float(job["timeout"]) + REPLY_SLACK
        reply = json.loads(self._line(deadline))
        answer = self._exact(int(reply.get("answer_size", 0)), deadline)
        return reply, answer

    def alive(self) -> bool:
        return self.proc.poll() is None and os.getpid() == self.pid_of_owner

    def close(self) -> None:
        if os.getpid() != self.pid_of_owner:
            return  # inherited through fork(): the parent process owns it
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.proc.pid, signal.SIGKILL)  # the server and any child it still has
        for stream in (self.proc.stdin, self.proc.stdout):
            try:
                if stream is not None:
                    stream.close()
            except OSError:
                pass
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(timeout=5)


_idle: list[_Server] = []
_lock = threading.Lock()
_local = threading.local()


def _forget_inherited() -> None:
    """In a forked child: the servers belong to the parent; start with none."""
    global _lock
    _idle.clear()
    _lock = threading.Lock()


os.register_at_fork(after_in_child=_forget_inherited)


def _acquire() -> _Server:
    with _lock:
        while _idle:
            server = _idle.pop()
            if server.alive():
                return server
            server.close()
    return _Server()


def _release(server: _Server) -> None:
    with _lock:
        if server.alive() and len(_idle) < MAX_IDLE:
            _idle.append(server)
            return
    server.close()


@atexit.register
def shutdown() -> None:
    """Stop every idle server (they also stop by themselves when this process exits)."""
    with _lock:
        servers = list(_idle)
        _idle.clear()
    for server in servers:
        server.close()


def last_run() -> ChildRun | None:
    """How the calling thread's last extraction went, or None before its first."""
    return getattr(_local, "last", None)


def run(
    kind: str,
    data: bytes,
    *,
    name: str,
    options: dict[str, Any] | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> dict[str, Any]:
    """Extract ``data`` as ``kind`` in a fresh child; its JSON answer, or a clear ExtractionError."""
    timeout = limits.extract_timeout
    job = {
        "kind": kind,
        "timeout": timeout,
        "cpu_seconds": max(1, math.ceil(timeout)),
        "memory_mb": limits.extract_memory_mb,
        "answer_cap": 6 * limits.max_text_chars + 64 * 1024 * 1024,
        "options": {
            "name": name,
            "max_text_chars": limits.max_text_chars,
            "max_paragraphs": limits.max_paragraphs,
            "max_member_bytes": limits.max_member_bytes,
            **(options or {}),
        },
    }
    try:
        server = _acquire()
    except SandboxError as exc:
        raise Transient(f"{exc}; try again", subject=name) from exc
    try:
        reply, raw = server.request(job, data)
    except (SandboxError, ValueError) as exc:
        # the server, not the document, failed (it was killed, or the machine is starved): retry
        server.close()
        raise Transient(f"the extraction sandbox failed ({exc}); try again", subject=name) from exc
    except BaseException:
        # interrupted mid-request (a task's soft time limit, Ctrl-C): the server is in an unknown state
        server.close()
        raise
    _release(server)
    _local.last = ChildRun(
        kind,
        int(reply.get("maxrss_kb") or 0),
        float(reply.get("seconds") or 0.0),
        reply.get("exit"),
        reply.get("signal"),
        bool(reply.get("timed_out")),
    )
    _check_exit(kind, reply, name=name, limits=limits)
    try:
        answer: dict[str, Any] = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise CorruptDocument(f"the {_NAMES.get(kind, kind)} reader gave no answer", subject=name) from exc
    if not isinstance(answer, dict):
        raise CorruptDocument(f"the {_NAMES.get(kind, kind)} reader gave no answer", subject=name)
    _check_answer(kind, answer, name=name)
    return answer


def _check_exit(kind: str, reply: dict[str, Any], *, name: str, limits: Limits) -> None:
    """Turn how the child ended into the error the caller must see (nothing when it answered)."""
    what = _NAMES.get(kind, kind)
    limit_mb = limits.extract_memory_mb
    stderr = str(reply.get("stderr") or "")
    code, sig = reply.get("exit"), reply.get("signal")
    if reply.get("timed_out"):
        raise ExtractionLimit(
            f"{what} extraction took longer than {limits.extract_timeout:g} s and was stopped", subject=name
        )
    if reply.get("too_large"):
        raise ExtractionLimit(f"{what} extraction produced more text than the caps allow", subject=name)
    if code == MEMORY_EXIT or (code not in (0, None) and any(m in stderr for m in _OOM_MARKERS)):
        raise ExtractionLimit(
            f"{what} extraction went over the memory limit of {limit_mb} MiB and was stopped", subject=name
        )
    if sig == signal.SIGABRT:
        # C++ readers abort when an allocation fails: under the address-space cap, that is the limit.
        raise ExtractionLimit(
            f"the {what} reader aborted, most likely at the memory limit of {limit_mb} MiB", subject=name
        )
    if sig in (signal.SIGXCPU, signal.SIGKILL):
        raise ExtractionLimit(
            f"{what} extraction used more than {limits.extract_timeout:g} s of CPU and was stopped",
            subject=name,
        )
    if sig is not None:
        try:
            signame = signal.Signals(int(sig)).name
        except ValueError:
            signame = str(sig)
        raise CorruptDocument(f"the document crashed the {what} reader ({signame})", subject=name)
    if code == CRASH_EXIT or code not in (0, None):
        tail = (stderr.strip().splitlines() or ["no output"])[-1]
        raise CorruptDocument(f"the {what} reader failed ({tail[:200]})", subject=name)


def _check_answer(kind: str, answer: dict[str, Any], *, name: str) -> None:
    if answer.get("ok"):
        return
    message = str(answer.get("message") or "unreadable document")[:500]
    error = answer.get("error")
    if error == "encrypted":
        raise EncryptedDocument(message, subject=name)
    if error == "limit":
        raise ExtractionLimit(message, subject=name)
    if error == "unsupported":
        raise UnsupportedFormat(message, subject=name)
    if error == "crash":
        raise CorruptDocument(f"the {_NAMES.get(kind, kind)} reader failed on it ({message})", subject=name)
    raise CorruptDocument(message, subject=name)
