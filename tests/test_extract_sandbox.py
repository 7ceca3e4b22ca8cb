"""The extraction sandbox itself: servers replaced when they die, one per concurrent caller, none
shared with a forked process, and the child's figures reported."""

from __future__ import annotations

import multiprocessing
import os
import signal
from concurrent.futures import ThreadPoolExecutor

from miner.extract import extract, sandbox

PAGE = (
    b"<html><head><title>Plan</title></head><body><main><p>"
    + b"Nieuwkomers vinden werk. " * 20
    + b"</p></main></body></html>"
)


def test_the_child_reports_its_peak_memory_and_time() -> None:
    extract(PAGE, name="plan.html")
    run = sandbox.last_run()
    assert run is not None and run.kind == "html" and run.exit == 0 and not run.timed_out
    assert 1024 < run.maxrss_kb < 1024 * 1024 and run.seconds > 0


def test_a_dead_server_is_replaced() -> None:
    extract(PAGE, name="warm.html")
    for server in list(sandbox._idle):
        os.killpg(server.proc.pid, signal.SIGKILL)
        server.proc.wait()
    doc = extract(PAGE, name="after.html")
    assert "Nieuwkomers" in doc.text


def test_concurrent_callers_each_get_their_own_server() -> None:
    pages = [PAGE.replace(b"Plan", f"Plan {i}".encode()) for i in range(8)]
    with ThreadPoolExecutor(max_workers=3) as pool:
        titles = list(pool.map(lambda p: extract(p, name="p.html").title, pages))
    assert titles == [f"Plan {i}" for i in range(8)]
    assert len(sandbox._idle) <= sandbox.MAX_IDLE


def _in_forked_child(queue: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    queue.put((len(sandbox._idle), extract(PAGE, name="child.html").title))


def test_a_forked_process_does_not_share_the_parents_servers() -> None:
    extract(PAGE, name="parent.html")
    assert sandbox._idle
    ctx = multiprocessing.get_context("fork")
    queue = ctx.Queue()
    child = ctx.Process(target=_in_forked_child, args=(queue,))
    child.start()
    inherited, title = queue.get(timeout=60)
    child.join(60)
    assert inherited == 0 and title == "Plan"
    assert extract(PAGE, name="parent-again.html").title == "Plan"  # the parent's own still work
