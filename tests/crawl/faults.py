"""Private servers for fault injection: a PostgreSQL cluster and a Redis, each on its own free port.

The shared servers on 5432 and 6379 are never touched: these tests stop and kill their own.

PostgreSQL refuses to run as root, so when the tests run as root the cluster is created and run as the
``postgres`` system user (``runuser -u postgres``), in a data folder under /tmp owned by that user; as
any other user it runs as that user. The cluster has trust authentication on 127.0.0.1 only, fsync off
(it is thrown away), and is removed afterwards. Redis runs without persistence (``--save ""
--appendonly no``), so a killed Redis comes back empty: exactly the deployment docs/operations.md warns
about, which the reconciler must survive.
"""

from __future__ import annotations

import contextlib
import glob
import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from workerfixture import ROOT, worker_env

MINER = ROOT / ".venv" / "bin" / "miner"


def default_env(database_url: str, broker_url: str) -> dict[str, str]:
    """Workers' and ``miner run``'s environment with every setting at its default."""
    env = worker_env(database_url, broker_url)
    del env["MINER_RETRY_BACKOFF"]
    return env


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


class PrivatePostgres:
    """``with PrivatePostgres() as pg: pg.url; pg.stop(); pg.start()``."""

    def __init__(self) -> None:
        bins = sorted(glob.glob("/usr/lib/postgresql/*/bin"))
        if not bins and not shutil.which("initdb"):
            pytest.skip("PostgreSQL server binaries (initdb, pg_ctl) are not installed")
        self.bin = Path(bins[-1]) if bins else Path(str(shutil.which("initdb"))).parent
        self.port = free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="miner-pg-"))
        self.data = self.dir / "data"
        self.as_user: list[str] = []
        if os.geteuid() == 0:
            if shutil.which("runuser") is None:
                pytest.skip("running as root without runuser: cannot start a private PostgreSQL")
            shutil.chown(self.dir, "postgres", "postgres")
            self.as_user = ["runuser", "-u", "postgres", "--"]
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, *args: str) -> None:
        subprocess.run([*self.as_user, *args], check=True, capture_output=True, timeout=120)

    def start(self) -> None:
        options = f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run(
            str(self.bin / "pg_ctl"),
            "-D",
            str(self.data),
            "-o",
            options,
            "-l",
            str(self.dir / "log"),
            "-w",
            "start",
        )

    def stop(self, mode: str = "fast") -> None:
        """``fast``: clients are disconnected and the server stops cleanly (a restart, an upgrade)."""
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop")

    def __enter__(self) -> PrivatePostgres:
        self._run(
            str(self.bin / "initdb"),
            "-D",
            str(self.data),
            "-U",
            "postgres",
            "--auth=trust",
            "-E",
            "UTF8",
            "--no-sync",
        )
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):  # already stopped
            self.stop("immediate")
        shutil.rmtree(self.dir, ignore_errors=True)


class PrivateRedis:
    """``with PrivateRedis() as r: r.url; r.kill(); r.start()`` -- no persistence: a restart is empty."""

    def __init__(self) -> None:
        if shutil.which("redis-server") is None:
            pytest.skip("redis-server is not installed")
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 20
        while not _answers(self.port):
            if time.monotonic() > deadline:
                raise RuntimeError(f"redis-server did not start on port {self.port}")
            time.sleep(0.05)

    def kill(self) -> None:
        """SIGKILL: whatever Redis held in memory (queues, unacknowledged messages) is gone."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(timeout=10)

    def __enter__(self) -> PrivateRedis:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.kill()


# --- a crawl with a fault in the middle -----------------------------------------------------------------


@dataclass
class Outcome:
    """What ``miner run --json`` did while the fault happened, and when (seconds since its start)."""

    returncode: int
    summary: dict[str, Any]
    stderr: str
    fault_at: float | None
    fault_done_at: float | None
    ended_at: float
    #: (seconds since start, analyses stored) sampled every half second; None while the store was down.
    timeline: list[tuple[float, int | None]] = field(default_factory=list)


def crawl_with_fault(
    sources: Path,
    *,
    env: dict[str, str],
    database_url: str,
    fault: Callable[[], None],
    when_analyses: int = 40,
    timeout: float = 1800.0,
    log_dir: Path,
) -> Outcome:
    """Run ``miner run --json`` against workers; call ``fault()`` once ``when_analyses`` are stored."""
    from miner.store import StoreUnavailable, open_repository

    out, err = log_dir / "run.out", log_dir / "run.err"
    with open(out, "w") as stdout, open(err, "w") as stderr:
        run = subprocess.Popen(
            [str(MINER), "run", "--sources", str(sources), "--allow-private-addresses", "--json"],
            env=env,
            cwd=ROOT,
            stdout=stdout,
            stderr=stderr,
            text=True,
        )
        repo = open_repository(database_url)
        start = time.monotonic()
        fault_at = fault_done_at = None
        timeline: list[tuple[float, int | None]] = []
        while run.poll() is None and time.monotonic() - start < timeout:
            try:
                analyses: int | None = repo.row_counts()["analyses"]
            except StoreUnavailable:
                analyses = None
            timeline.append((round(time.monotonic() - start, 1), analyses))
            if fault_at is None and analyses is not None and analyses >= when_analyses:
                fault_at = time.monotonic() - start
                fault()
                fault_done_at = time.monotonic() - start
            time.sleep(0.5)
        if run.poll() is None:
            run.kill()
        run.wait(timeout=30)
        ended = time.monotonic() - start
    text = out.read_text()
    try:
        summary = json.loads(text)
    except ValueError:
        summary = {}
    return Outcome(run.returncode, summary, err.read_text(), fault_at, fault_done_at, ended, timeline)


def comparable(summary: dict[str, Any]) -> dict[str, Any]:
    """A run's summary without what differs between two runs of the same site (ids, addresses)."""
    keep = {k: v for k, v in summary.items() if k not in ("per_source", "failures")}
    keep["per_source"] = [
        {k: v for k, v in s.items() if k != "run_id"} for s in summary.get("per_source", [])
    ]
    keep["failures"] = [(f["task"], f["error_code"]) for f in summary.get("failures", [])]
    return keep
