"""The sandbox's server process: forks one child per document, under limits, and reports on it.

Why a server that forks rather than a fresh interpreter per document: importing trafilatura, lxml
and pypdfium2 costs a third of a second, more than extracting a typical page. This process imports
them once, single-threaded, and then forks a child for each document: the child starts warm in a
few milliseconds, yet is a process of its own, so a parser that loops, balloons or segfaults costs
that child only. (Forking the caller itself would not be safe: workers and the web app are threaded.)

Per document (one request on stdin, one reply on stdout, see :mod:`miner.extract.sandbox`):

1. fork; the child lowers its address-space limit (``RLIMIT_AS``) and CPU limit, points stdin and
   stdout at /dev/null and stderr at a pipe, asks to die with this process, and runs
   :func:`miner.extract._work.run` on the bytes;
2. the child writes one JSON answer to a pipe and exits; this process reads the answer (capped),
   kills the child at the wall-clock deadline, and collects its exit status and peak RSS with
   ``wait4``;
3. the reply gives the exit status or signal, whether the deadline passed, the peak RSS, and the
   answer bytes untouched: JSON, never pickle, because the child handled hostile bytes.
"""

from __future__ import annotations

import contextlib
import json
import os
import resource
import selectors
import signal
import sys
import time
import traceback
from typing import Any, BinaryIO

#: Exit status of a child that ran out of its address space (a Python MemoryError).
MEMORY_EXIT = 3
#: Exit status of a child that failed in an unexpected way (its traceback is on its stderr).
CRASH_EXIT = 4
STDERR_CAP = 16 * 1024
_PR_SET_PDEATHSIG = 1


_warm: set[str] = set()


def _prepare(kind: str) -> None:
    """Import (and warm) what a kind needs, once, in this process, before its first child is forked.

    Lazily per kind: a caller that extracts only PDFs never pays for trafilatura's import.
    """
    if kind in _warm:
        return
    _warm.add(kind)
    from miner.extract._work import warm_up

    # a failed warm-up only costs speed: the child imports what it needs itself
    with contextlib.suppress(Exception):
        warm_up((kind,))


def _die_with_parent() -> None:
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):  # not Linux: the deadline still holds
        pass


def _limit(memory_mb: int, cpu_seconds: int) -> None:
    if memory_mb > 0:
        limit = memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    if cpu_seconds > 0:
        resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 5))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def _child(job: dict[str, Any], data: bytes, answer_fd: int, err_fd: int) -> None:
    """Runs in the forked child; never returns."""
    code = CRASH_EXIT
    try:
        _die_with_parent()
        devnull = os.open(os.devnull, os.O_RDWR)
        os.dup2(devnull, 0)
        os.dup2(devnull, 1)
        os.dup2(err_fd, 2)
        _limit(int(job.get("memory_mb", 0)), int(job.get("cpu_seconds", 0)))
        from miner.extract._work import run

        answer = run(str(job["kind"]), data, dict(job.get("options") or {}))
        out = json.dumps(answer, ensure_ascii=False, separators=(",", ":")).encode("utf-8", "replace")
        view = memoryview(out)
        while view:
            written = os.write(answer_fd, view)
            view = view[written:]
        code = 0
    except MemoryError:
        code = MEMORY_EXIT
    except BaseException:
        with contextlib.suppress(BaseException):
            os.write(2, traceback.format_exc()[-4000:].encode("utf-8", "replace"))
    finally:
        os._exit(code)


def _collect(pid: int, answer_r: int, err_r: int, deadline: float, cap: int) -> dict[str, Any]:
    """Read the child's answer and stderr until both close or the deadline passes; then reap it."""
    sel = selectors.DefaultSelector()
    sel.register(answer_r, selectors.EVENT_READ, "answer")
    sel.register(err_r, selectors.EVENT_READ, "err")
    answer: list[bytes] = []
    size = 0
    err = b""
    timed_out = too_large = False
    open_fds = 2
    while open_fds:
        left = deadline - time.monotonic()
        if left <= 0:
            timed_out = True
            break
        for key, _ in sel.select(timeout=left):
            chunk = os.read(key.fd, 1 << 20)
            if not chunk:
                sel.unregister(key.fd)
                open_fds -= 1
            elif key.data == "answer":
                size += len(chunk)
                if size > cap:
                    too_large = True
                    open_fds = 0
                    break
                answer.append(chunk)
            else:
                err = (err + chunk)[-STDERR_CAP:]
    sel.close()
    if timed_out or too_large:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    _, status, usage = os.wait4(pid, 0)
    reply: dict[str, Any] = {
        "exit": os.WEXITSTATUS(status) if os.WIFEXITED(status) else None,
        "signal": os.WTERMSIG(status) if os.WIFSIGNALED(status) else None,
        "timed_out": timed_out,
        "too_large": too_large,
        "maxrss_kb": usage.ru_maxrss,
        "stderr": err.decode("utf-8", "replace"),
    }
    reply["_answer"] = b"" if (timed_out or too_large) else b"".join(answer)
    return reply


def serve_one(job: dict[str, Any], data: bytes) -> dict[str, Any]:
    """Fork a child for one document and report what happened to it."""
    started = time.monotonic()
    answer_r, answer_w = os.pipe()
    err_r, err_w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(answer_r)
        os.close(err_r)
        _child(job, data, answer_w, err_w)
    os.close(answer_w)
    os.close(err_w)
    try:
        reply = _collect(
            pid,
            answer_r,
            err_r,
            started + float(job.get("timeout", 60.0)),
            int(job.get("answer_cap", 1 << 30)),
        )
    finally:
        os.close(answer_r)
        os.close(err_r)
    reply["seconds"] = round(time.monotonic() - started, 4)
    return reply


def _read_exact(stream: BinaryIO, n: int) -> bytes:
    chunks: list[bytes] = []
    while n > 0:
        chunk = stream.read(min(n, 1 << 20))
        if not chunk:
            raise EOFError
        chunks.append(chunk)
        n -= len(chunk)
    return b"".join(chunks)


def main() -> int:
    """Serve requests until stdin closes (the caller exited or closed the sandbox)."""
    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    stdout.write(b'{"ready":true}\n')
    stdout.flush()
    while True:
        line = stdin.readline(1 << 16)
        if not line:
            return 0
        try:
            job = json.loads(line)
            data = _read_exact(stdin, int(job["size"]))
        except (EOFError, ValueError, KeyError):
            return 0
        _prepare(str(job.get("kind")))
        reply = serve_one(job, data)
        answer = reply.pop("_answer")
        reply["answer_size"] = len(answer)
        stdout.write(json.dumps(reply).encode("utf-8") + b"\n")
        stdout.write(answer)
        stdout.flush()


if __name__ == "__main__":
    sys.exit(main())
