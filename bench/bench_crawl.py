"""Crawl throughput: the Celery path against in-process, and the cost of a no-change re-crawl.

Run: ``.venv/bin/python bench/bench_crawl.py [--documents 60] [--workers 2] [--concurrency 1]
[--redis URL]`` (part of ``make bench``). Needs Redis for the Celery path (``--redis``, default
MINER_TEST_REDIS_URL or database 12 on 127.0.0.1:6379; that database is flushed); it uses nothing
from ../shared.

What it does, all in one run so that the ratios compare like with like on the same machine:
  1. serves a local demo site on 127.0.0.1: an index page linking ``--documents`` small policy pages
     (Dutch and French HTML, one in five a PDF), written by the benchmark;
  2. ``miner run`` in-process on a fresh SQLite store, twice (first crawl, then a no-change re-crawl);
  3. the same through Celery: ``--workers`` worker processes (``--concurrency`` each) consuming both
     queues, warmed up on a one-page site first, then ``miner run`` with MINER_BROKER_URL, twice.
Prints documents/s of each first crawl, the Celery/in-process ratio, and for both modes side by side
each re-crawl as a ratio of its first crawl, measured two ways: the crawl itself (the run's start to
its end as the store records them: seeding, fetching, storing, analysing, through workers or not) and
the wall time of the ``miner run`` command, which adds the start of a Python process, imports and
opening the store (about a second, the same for any site). The source's politeness delay is 0 here,
so neither figure contains waiting that both crawls must do. A re-crawl is all 304s and re-analyses
nothing.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "crawl"))

from sitefixture import StaticSite, html_doc, make_pdf  # noqa: E402

BIN = Path(sys.executable).parent
REDIS_URL = "redis://127.0.0.1:6379/12"

NL = "Nieuwkomers krijgen taalondersteuning op de werkvloer en hun diploma's worden sneller erkend. "
FR = "Les primo-arrivants bénéficient de cours de français et d'une reconnaissance de leurs diplômes. "


def build(root: Path, n: int) -> None:
    (root / "docs").mkdir(parents=True)
    links = []
    for k in range(n):
        if k % 5 == 4:
            name = f"docs/nota{k}.pdf"
            (root / name).write_bytes(make_pdf([f"Beleidsnota {k}", NL, "De VDAB rapporteert jaarlijks."]))
        else:
            lang, text = ("fr", FR) if k % 2 else ("nl", NL)
            name = f"docs/plan{k}.html"
            (root / name).write_text(html_doc(f"Plan {k}", (text * 3) + f" Document {k}.", lang))
        links.append(f'<li><a href="/{name}">{name}</a></li>')
    (root / "robots.txt").write_text("User-agent: *\nDisallow: /private/\n")
    (root / "index.html").write_text(f"<html><body><ul>{''.join(links)}</ul></body></html>")


def run_seconds(db: str) -> float:
    """The last run's own duration, from the store (started -> finished)."""
    from sqlalchemy import create_engine, text

    engine = create_engine(db)
    with engine.connect() as conn:
        row = conn.execute(
            text("SELECT started_at, finished_at FROM crawl_runs ORDER BY id DESC LIMIT 1")
        ).one()
    engine.dispose()
    start, end = (datetime.fromisoformat(str(v)) for v in row)
    return (end - start).total_seconds()


def miner_run(sources: Path, env: dict[str, str]) -> tuple[float, float]:
    """(wall seconds of the command, seconds of the run it made)."""
    t = time.perf_counter()
    res = subprocess.run(
        [str(BIN / "miner"), "run", "--sources", str(sources), "--allow-private-addresses"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    seconds = time.perf_counter() - t
    if res.returncode != 0:
        sys.exit(f"miner run failed:\n{res.stdout}\n{res.stderr}")
    print("   ", res.stdout.strip().splitlines()[0])
    return seconds, run_seconds(env["MINER_DATABASE_URL"])


def base_env(db: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MINER_")}
    env["MINER_DATABASE_URL"] = db
    return env


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--documents", type=int, default=60)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--concurrency", type=int, default=1)
    ap.add_argument("--redis", default=os.environ.get("MINER_TEST_REDIS_URL", REDIS_URL), help="flushed")
    args = ap.parse_args()
    import redis

    tmp = Path(tempfile.mkdtemp(prefix="bench-crawl-"))
    workers: list[subprocess.Popen[bytes]] = []
    try:
        build(tmp / "site", args.documents)
        build(tmp / "warm", 1)
        with StaticSite(tmp / "site") as site, StaticSite(tmp / "warm") as warm:
            sources = site.sources_toml(tmp / "sources.toml")
            warm_sources = warm.sources_toml(tmp / "warm.toml", source_id="warm-up")

            print(f"in-process, {args.documents} documents:")
            env = base_env(f"sqlite:///{tmp / 'inproc.db'}")
            in_first = miner_run(sources, env)
            in_again = miner_run(sources, env)

            r = redis.Redis.from_url(args.redis)
            r.flushdb()
            env = base_env(f"sqlite:///{tmp / 'celery.db'}")
            env["MINER_BROKER_URL"] = args.redis
            for i in range(args.workers):
                workers.append(
                    subprocess.Popen(
                        [
                            str(BIN / "celery"),
                            "-A",
                            "workers.app",
                            "worker",
                            "-Q",
                            "fetch,analyse",
                            "--concurrency",
                            str(args.concurrency),
                            "-n",
                            f"bench{i}@%h",
                            "--loglevel",
                            "ERROR",
                        ],
                        env=env,
                        cwd=ROOT,
                        start_new_session=True,
                        stdout=subprocess.DEVNULL,
                        stderr=subprocess.DEVNULL,
                    )
                )
            print(f"celery, {args.workers} worker(s) x {args.concurrency}, warming up:")
            miner_run(warm_sources, env)
            print(f"celery, {args.documents} documents:")
            ce_first = miner_run(sources, env)
            ce_again = miner_run(sources, env)
            r.flushdb()

        n = args.documents
        print()
        print(f"in-process first crawl : {in_first[0]:7.2f} s  {n / in_first[0]:6.2f} documents/s")
        print(f"celery first crawl     : {ce_first[0]:7.2f} s  {n / ce_first[0]:6.2f} documents/s")
        print(f"celery / in-process documents/s ratio : {in_first[0] / ce_first[0]:.2f}")
        print()
        print("no-change re-crawl / first crawl     in-process          celery")
        for i, what in ((1, "crawl (run start to end)"), (0, "miner run (wall)")):
            cells = [
                f"{again[i]:6.2f}/{first[i]:6.2f} s = {again[i] / first[i]:4.2f}"
                for first, again in ((in_first, in_again), (ce_first, ce_again))
            ]
            print(f"{what:<26} {cells[0]:>24} {cells[1]:>24}")
    finally:
        for w in workers:
            if w.poll() is None:
                os.killpg(w.pid, signal.SIGTERM)
        for w in workers:
            try:
                w.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(w.pid, signal.SIGKILL)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
