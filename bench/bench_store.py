"""Reading a large store page by page: time per page at the start and at the end, and memory.

Run: ``.venv/bin/python bench/bench_store.py [--documents 100000] [--page 500]`` (part of
``make bench``). Needs PostgreSQL on 127.0.0.1:5432 (database ``test``; the benchmark works in a
schema of its own, dropped at the end; ``MINER_TEST_POSTGRES_URL`` picks another server); SQLite
needs nothing. Uses nothing from ../shared.

What it does, for each store (PostgreSQL, then SQLite), all in one run:
  1. fills a fresh store with ``--documents`` analysed documents (every other one flagged), with
     multi-row inserts (``tests/store/bulk.py``);
  2. lists every document with ``Repository.documents_page``, page after page (total time), then
     reads the first ten and the last ten pages again, alternately, five times, and prints the median
     time per page of each and their ratio (keyset pages: ~1; an OFFSET page would cost in
     proportion to the rows before it);
  3. on PostgreSQL, does 2 twice: on the freshly loaded tables (no planner statistics yet, as on a
     server with autovacuum off) and after ``ANALYZE`` (what autovacuum does within a minute);
  4. measures the Python heap's peak (tracemalloc) while streaming every document
     (``iter_documents``) against reading the whole list at once (``documents()``), side by side;
  5. runs ``miner documents --format json`` on the store as a user would and prints its wall time,
     peak RSS and the number of documents it printed (``--documents 1000`` gives the RSS of a
     nearly empty listing to compare with: memory stays one page, whatever the store holds).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
import uuid
from pathlib import Path

from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "store"))

import bulk  # noqa: E402

from miner.store import Repository, db, open_repository  # noqa: E402

POSTGRES_URL = os.environ.get("MINER_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def walk(repo: Repository, size: int) -> tuple[list[str | None], float, int]:
    """Every page once: the cursor that reads each page, the total seconds, the documents seen."""
    cursors: list[str | None] = []
    seen = 0
    cursor: str | None = None
    start = time.perf_counter()
    while True:
        cursors.append(cursor)
        page = repo.documents_page(cursor=cursor, limit=size)
        seen += len(page.items)
        if page.next_cursor is None:
            return cursors, time.perf_counter() - start, seen
        cursor = page.next_cursor


def timed(repo: Repository, cursors: list[str | None], size: int) -> list[float]:
    times = []
    for cursor in cursors:
        start = time.perf_counter()
        repo.documents_page(cursor=cursor, limit=size)
        times.append(time.perf_counter() - start)
    return times


def report_pages(label: str, repo: Repository, size: int, expected: int, rounds: int = 5) -> None:
    """A whole walk through the list, then the first ten and the last ten pages read again,
    alternately, ``rounds`` times (so that a change of load on the machine hits both alike)."""
    cursors, total, seen = walk(repo, size)
    if seen != expected:
        sys.exit(f"{label}: listed {seen} documents, expected {expected}")
    first: list[float] = []
    last: list[float] = []
    for _ in range(rounds):
        first += timed(repo, cursors[:10], size)
        last += timed(repo, cursors[-10:], size)
    a, b = statistics.median(first), statistics.median(last)
    print(
        f"  {label:<26} {len(cursors):>4} pages in {total:6.2f} s;  first 10: {a * 1000:6.2f} ms/page  "
        f"last 10: {b * 1000:6.2f} ms/page  last/first {b / a:5.2f}"
    )


def heap_peak(fn: object) -> float:
    """Peak of the Python heap (MB) while ``fn`` runs."""
    tracemalloc.start()
    try:
        fn()  # type: ignore[operator]
        return tracemalloc.get_traced_memory()[1] / 1e6
    finally:
        tracemalloc.stop()


def report_memory(repo: Repository) -> None:
    def stream() -> None:
        for _ in repo.iter_documents():
            pass

    def whole() -> None:
        repo.documents()

    streamed, listed = heap_peak(stream), heap_peak(whole)
    print(
        f"  heap peak, streaming every page : {streamed:8.1f} MB   whole list at once: {listed:8.1f} MB"
        f"   ratio {listed / streamed:5.1f}x"
    )


#: Runs a command and prints its peak RSS (KB) on stderr. A small process of its own, because a child
#: forked straight from this (large) benchmark would report this process's memory as its own peak.
_MEASURE = (
    "import resource, subprocess, sys; done = subprocess.run(sys.argv[1:]); "
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr); sys.exit(done.returncode)"
)


def report_cli(url: str, expected: int) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MINER_")}
    env["MINER_DATABASE_URL"] = url
    command = [sys.executable, "-c", _MEASURE, sys.executable, "-m", "miner", "documents", "--format", "json"]
    start = time.perf_counter()
    with tempfile.TemporaryFile() as out:
        done = subprocess.run(command, env=env, stdout=out, stderr=subprocess.PIPE, text=True, check=False)
        seconds = time.perf_counter() - start
        out.seek(0)
        count = len(json.load(out)) if done.returncode == 0 else -1
    rss_kb = int(done.stderr.strip().splitlines()[-1])
    print(
        f"  miner documents --format json   : {seconds:6.2f} s, {count} documents, peak RSS {rss_kb / 1024:.0f} MB"
    )
    if count != expected:
        sys.exit("miner documents did not print every document")


def run(label: str, url: str, n: int, size: int) -> None:
    repo = open_repository(url)
    start = time.perf_counter()
    bulk.fill(repo.engine, n)
    print(f"{label}: {n:,} documents stored in {time.perf_counter() - start:.1f} s")
    if repo.engine.dialect.name == "postgresql":
        report_pages("pages, no statistics yet", repo, size, n)
        with repo.engine.connect() as conn:
            conn.execution_options(isolation_level="AUTOCOMMIT").execute(text("ANALYZE"))
        report_pages("pages, after ANALYZE", repo, size, n)
    else:
        report_pages("pages", repo, size, n)
    report_memory(repo)
    report_cli(url, n)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=100_000)
    parser.add_argument("--page", type=int, default=500)
    parser.add_argument("--skip-postgres", action="store_true")
    args = parser.parse_args()
    print(f"page size {args.page}; per-page times are medians of 50 reads (10 pages x 5 rounds)")

    if not args.skip_postgres:
        schema = f"bench_store_{uuid.uuid4().hex[:8]}"
        admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f"CREATE SCHEMA {schema}"))
        try:
            run("PostgreSQL", f"{POSTGRES_URL}?options=-csearch_path%3D{schema}", args.documents, args.page)
        finally:
            db.engine_for.cache_clear()
            with admin.connect() as conn:
                conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
            admin.dispose()

    with tempfile.TemporaryDirectory() as tmp:
        run("SQLite", f"sqlite:///{tmp}/store.db", args.documents, args.page)


if __name__ == "__main__":
    main()
