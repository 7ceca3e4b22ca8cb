"""``miner export`` of 100,000 documents: peak memory and time, against a store of 1,000, side by side.

Run: ``.venv/bin/python bench/bench_export.py [--documents 100000] [--small 1000]`` (part of
``make bench``). Needs PostgreSQL on 127.0.0.1:5432 (database ``test``; a schema of its own per
store, dropped at the end; ``MINER_TEST_POSTGRES_URL`` picks another server); SQLite needs nothing.
Uses nothing from ../shared.

For each backend (PostgreSQL, SQLite) it fills a store of ``--small`` and one of ``--documents``
analysed documents (every other one flagged; ``tests/store/bulk.py``), then runs, as a user would,
``miner export --format csv``, ``--format jsonl`` and ``--what flags --format csv`` on each, output to
a file, and prints the rows written, the wall time and the process's peak RSS. Streaming means the
peak is the same for both sizes (one page of 500 documents), whatever the store holds; the target is
under 200 MB for 100,000 documents.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "store"))

import bulk  # noqa: E402

from miner.store import db, open_repository  # noqa: E402

POSTGRES_URL = os.environ.get("MINER_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
TARGET_MB = 200
#: Runs a command and prints its peak RSS (KB) on stderr: a small process of its own, so that the
#: peak is the export's, not this benchmark's (a child forked from a large process reports its size).
_MEASURE = (
    "import resource, subprocess, sys; done = subprocess.run(sys.argv[1:]); "
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr); sys.exit(done.returncode)"
)
EXPORTS = (("documents", "csv"), ("documents", "jsonl"), ("flags", "csv"))


def export(url: str, what: str, fmt: str) -> tuple[int, float, float]:
    """Rows written (CSV rows without the header, or JSON lines), seconds, peak RSS in MB."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("MINER_")}
    env["MINER_DATABASE_URL"] = url
    command = [sys.executable, "-c", _MEASURE, sys.executable, "-m", "miner", "export", "--what", what]
    command += ["--format", fmt]
    with tempfile.TemporaryFile() as out:
        start = time.perf_counter()
        done = subprocess.run(command, env=env, stdout=out, stderr=subprocess.PIPE, text=True, check=False)
        seconds = time.perf_counter() - start
        out.seek(0)
        lines = sum(1 for _ in out)
    if done.returncode != 0:
        sys.exit(f"miner export failed: {done.stderr}")
    rss_kb = int(done.stderr.strip().splitlines()[-1])
    return lines - (1 if fmt == "csv" else 0), seconds, rss_kb / 1024


@contextmanager
def postgres_store() -> Iterator[str]:
    schema = f"bench_export_{uuid.uuid4().hex[:8]}"
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    try:
        yield f"{POSTGRES_URL}?options=-csearch_path%3D{schema}"
    finally:
        db.engine_for.cache_clear()
        with admin.connect() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


@contextmanager
def sqlite_store() -> Iterator[str]:
    with tempfile.TemporaryDirectory() as tmp:
        yield f"sqlite:///{tmp}/store.db"


def measure(label: str, url: str, documents: int) -> dict[tuple[str, str], tuple[int, float, float]]:
    repo = open_repository(url)
    start = time.perf_counter()
    bulk.fill(repo.engine, documents)
    if repo.engine.dialect.name == "postgresql":
        with repo.engine.connect() as conn:
            conn.execution_options(isolation_level="AUTOCOMMIT").execute(text("VACUUM ANALYZE"))
    repo.engine.dispose()
    print(f"{label}: {documents:,} documents stored in {time.perf_counter() - start:.1f} s")
    return {(what, fmt): export(url, what, fmt) for what, fmt in EXPORTS}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=100_000)
    parser.add_argument("--small", type=int, default=1_000)
    args = parser.parse_args()
    worst = 0.0
    for label, store in (("PostgreSQL", postgres_store), ("SQLite", sqlite_store)):
        results = {}
        for n in (args.small, args.documents):
            with store() as url:
                results[n] = measure(label, url, n)
        print(f"\n{label}: miner export, {args.small:,} against {args.documents:,} documents")
        print(
            f"{'export':28} {'rows':>9} {'time':>8} {'peak RSS':>9}   {'rows':>9} {'time':>8} {'peak RSS':>9}"
        )
        for what, fmt in EXPORTS:
            small, large = results[args.small][(what, fmt)], results[args.documents][(what, fmt)]
            worst = max(worst, large[2])
            label = f"--what {what} --format {fmt}"
            print(
                f"{label:28} {small[0]:9,} {small[1]:7.1f}s {small[2]:6.0f} MB"
                f"   {large[0]:9,} {large[1]:7.1f}s {large[2]:6.0f} MB"
            )
        print()
    verdict = "OK" if worst < TARGET_MB else "OVER"
    print(
        f"largest peak RSS exporting {args.documents:,} documents: {worst:.0f} MB (target < {TARGET_MB} MB: {verdict})"
    )


if __name__ == "__main__":
    main()
