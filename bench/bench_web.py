"""Requests per second of the web app on one worker, with 10,000 documents stored.

Run: ``.venv/bin/python bench/bench_web.py [--documents 10000] [--seconds 10] [--connections 16]
[--postgres]`` (part of ``make bench``). Uses nothing from ../shared.

What it does, in one run:
  1. fills a fresh SQLite store (``--postgres``: a schema of its own in the PostgreSQL database
     ``test``, dropped at the end) with ``--documents`` analysed documents (every other one flagged,
     ``tests/store/bulk.py``) and four real plans analysed by the real pipeline
     (``tests/web/webstore.py``), whose pages carry scores per dimension, flags and quoted evidence;
  2. starts ``miner serve`` (one uvicorn worker, as the Procfile does) on 127.0.0.1;
  3. loads each address in turn from a separate process on loopback -- ``wrk`` when it is installed
     (Debian's package), else a Python asyncio client -- for ``--seconds`` with ``--connections``
     connections: the document list (page and JSON), a document's page and JSON, and ``/healthz``
     (the framework's own cost, as a yardstick);
  4. prints requests/s, mean and p99 latency and errors of each, and each one's ratio to ``/healthz``.

Target: the document list and a document page at >= 200 requests/s on one worker.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "tests"), str(ROOT / "tests" / "store"), str(ROOT / "tests" / "web")]

import bulk  # noqa: E402
import webstore  # noqa: E402

from miner.store import db, open_repository  # noqa: E402

POSTGRES_URL = os.environ.get("MINER_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
TARGET = 200.0
#: The two addresses the target is about.
PAGES = ("list page /documents", "document page /documents/{id}")


@contextmanager
def store(postgres: bool) -> Iterator[str]:
    if not postgres:
        with tempfile.TemporaryDirectory() as tmp:
            yield f"sqlite:///{tmp}/bench.db"
        return
    from sqlalchemy import create_engine, text

    schema = f"bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(POSTGRES_URL)
    with admin.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    try:
        yield f"{POSTGRES_URL}?options=-csearch_path%3D{schema}"
    finally:
        db.engine_for.cache_clear()
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


def fill(url: str, documents: int) -> tuple[int, int]:
    """The store filled; returns (documents stored, id of the plan whose page is loaded)."""
    repo = open_repository(url)
    bulk.fill(repo.engine, documents)
    ws = webstore.fill(url, hostile=False)
    if repo.engine.dialect.name == "postgresql":
        from sqlalchemy import text

        with repo.engine.begin() as conn:
            conn.execute(text("ANALYZE"))
    return len(repo.documents()), ws.ids["pdf"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def serve(url: str, threads: int | None = None) -> Iterator[str]:
    port = free_port()
    env = {**os.environ, "MINER_DATABASE_URL": url}
    if threads is not None:
        env["MINER_WEB_THREADS"] = str(threads)
    server = subprocess.Popen(
        [sys.executable, "-m", "miner", "serve", "--port", str(port)],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(150):
            try:
                urllib.request.urlopen(f"{base}/healthz", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=30)


def _ms(value: str) -> float:
    """A wrk duration ("812.00us", "12.31ms", "1.02s", "1.50m") in milliseconds."""
    found = re.fullmatch(r"([\d.]+)(us|ms|s|m)", value)
    if found is None:
        raise ValueError(f"wrk printed a duration this script does not read: {value!r}")
    return float(found.group(1)) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}[found.group(2)]


def load_wrk(url: str, seconds: int, connections: int) -> dict[str, float]:
    out = subprocess.run(
        ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency", url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    mean = _ms(re.search(r"Latency\s+(\S+)", out).group(1))  # type: ignore[union-attr]
    p99 = _ms(re.search(r"^\s+99%\s+(\S+)", out, re.MULTILINE).group(1))  # type: ignore[union-attr]
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    failed = int(bad.group(1)) if bad else 0
    failed += sum(int(g) for g in errors.groups()) if errors else 0
    return {"rps": rps, "mean_ms": mean, "p99_ms": p99, "errors": failed}


_CLIENT = r"""
import asyncio, json, sys, time
import httpx
url, seconds, connections = sys.argv[1], float(sys.argv[2]), int(sys.argv[3])
async def main():
    times, errors = [], 0
    deadline = time.perf_counter() + seconds
    async with httpx.AsyncClient(limits=httpx.Limits(max_connections=connections)) as client:
        async def worker():
            nonlocal errors
            while time.perf_counter() < deadline:
                t = time.perf_counter()
                r = await client.get(url)
                times.append(time.perf_counter() - t)
                errors += r.status_code >= 400
        start = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(connections)))
        elapsed = time.perf_counter() - start
    times.sort()
    print(json.dumps({"rps": len(times) / elapsed, "mean_ms": 1000 * sum(times) / len(times),
                      "p99_ms": 1000 * times[int(len(times) * 0.99) - 1], "errors": errors}))
asyncio.run(main())
"""


def load_python(url: str, seconds: int, connections: int) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, "-c", _CLIENT, url, str(seconds), str(connections)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return json.loads(out)  # type: ignore[no-any-return]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--documents", type=int, default=10_000)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument(
        "--repeat", type=int, default=1, help="Rounds over the addresses; the median is shown."
    )
    parser.add_argument("--postgres", action="store_true", help="PostgreSQL instead of SQLite.")
    parser.add_argument(
        "--threads",
        type=int,
        default=40,
        help="Also load the two pages on a server with this many threads (40: Starlette's default), side by side.",
    )
    args = parser.parse_args()
    tool = "wrk" if shutil.which("wrk") else "python asyncio client (install Debian's wrk for less overhead)"
    load = load_wrk if shutil.which("wrk") else load_python
    with store(args.postgres) as url:
        count, doc_id = fill(url, args.documents)
        print(
            f"store: {'PostgreSQL' if args.postgres else 'SQLite'}, {count:,} documents; one uvicorn worker"
        )
        print(
            f"load: {tool}, {args.connections} connections, {args.seconds} s per address, {os.cpu_count()} cores"
        )
        addresses = {
            "/healthz (yardstick)": "/healthz",
            "list page /documents": "/documents",
            "list JSON /api/documents": "/api/documents",
            "list page, 2nd keyset page": None,
            "document page /documents/{id}": f"/documents/{doc_id}",
            "document JSON /api/documents/{id}": f"/api/documents/{doc_id}",
        }
        with serve(url) as base:
            cursor = json.load(urllib.request.urlopen(f"{base}/api/documents"))["next_cursor"]
            addresses["list page, 2nd keyset page"] = f"/documents?cursor={cursor}"
            results: dict[str, list[dict[str, float]]] = {name: [] for name in addresses}
            for _ in range(args.repeat):
                for name, path in addresses.items():
                    results[name].append(load(base + str(path), args.seconds, args.connections))

        def median_run(runs: list[dict[str, float]]) -> dict[str, float]:
            return sorted(runs, key=lambda r: r["rps"])[len(runs) // 2]

        yardstick = median_run(results["/healthz (yardstick)"])["rps"]
        print(f"{'address':38} {'req/s':>8} {'mean ms':>8} {'p99 ms':>8} {'errors':>6} {'x healthz':>9}")
        passed = True
        for name, runs in results.items():
            row = median_run(runs)
            rps = row["rps"]
            print(
                f"{name:38} {rps:8.1f} {row['mean_ms']:8.1f} {row['p99_ms']:8.1f} {int(row['errors']):6d} "
                f"{rps / yardstick:9.2f}"
            )
            if name in PAGES:
                passed &= rps >= TARGET and row["errors"] == 0
        print(
            f"target: list page and document page >= {TARGET:.0f} req/s on one worker -> {'OK' if passed else 'SHORT'}"
        )
        if args.threads:
            with serve(url, args.threads) as base:
                other = {n: load(base + str(addresses[n]), args.seconds, args.connections) for n in PAGES}
            print(f"the same pages on a server with {args.threads} threads (side by side, same store):")
            for name in PAGES:
                ours, theirs = median_run(results[name])["rps"], other[name]["rps"]
                print(
                    f"{name:38} {theirs:8.1f} req/s; MINER_WEB_THREADS default / {args.threads}: {ours / theirs:.2f}"
                )


if __name__ == "__main__":
    main()
