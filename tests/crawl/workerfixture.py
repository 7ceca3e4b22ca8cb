"""Real Celery workers as subprocesses (each in its own process group, so a test can SIGKILL one
whole worker), a dedicated Redis database, and a fresh PostgreSQL schema for the store."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from contextlib import suppress
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CELERY = Path(sys.executable).with_name("celery")


def worker_env(database_url: str, broker_url: str, **extra: str) -> dict[str, str]:
    """The environment of workers and ``miner run``: default settings, except a short first backoff
    (0.05 s instead of 2 s, so that a 404 or 503 of the test site does not cost seconds) unless
    ``extra`` says otherwise."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("MINER_")}
    env.update(MINER_DATABASE_URL=database_url, MINER_BROKER_URL=broker_url, MINER_RETRY_BACKOFF="0.05")
    env.update(extra)
    return env


class Workers:
    """``with Workers(env) as w: w.start("a"); ...; w.kill("a")`` -- all stopped on exit."""

    def __init__(self, env: dict[str, str], log_dir: Path) -> None:
        self.env = env
        self.log_dir = log_dir
        self.procs: dict[str, subprocess.Popen[bytes]] = {}

    def start(self, name: str, *, concurrency: int = 2, queues: str = "fetch,analyse") -> None:
        log = open(self.log_dir / f"worker-{name}.log", "wb")  # noqa: SIM115 - closed with the process
        self.procs[name] = subprocess.Popen(
            [
                str(CELERY),
                "-A",
                "workers.app",
                "worker",
                "-Q",
                queues,
                "--concurrency",
                str(concurrency),
                "-n",
                f"{name}-{uuid.uuid4().hex[:6]}@%h",
                "--without-gossip",
                "--without-mingle",
                "--loglevel",
                "WARNING",
            ],
            env=self.env,
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: SIGKILL reaches the pool children too
        )

    def kill(self, name: str, sig: int = signal.SIGKILL) -> None:
        proc = self.procs[name]
        with suppress(ProcessLookupError):
            os.killpg(proc.pid, sig)
        proc.wait(timeout=30)

    def log(self, name: str) -> str:
        return (self.log_dir / f"worker-{name}.log").read_text(errors="replace")

    def __enter__(self) -> Workers:
        return self

    def __exit__(self, *exc: object) -> None:
        for proc in self.procs.values():
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        deadline = time.monotonic() + 20
        for proc in self.procs.values():
            try:
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)
