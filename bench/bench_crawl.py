"""Crawl throughput: the Celery path against in-process, and the cost of a no-change re-crawl.

Run: ``.venv/bin/python bench/bench_crawl.py [--documents 60] [--workers 2] [--concurrency 1]``
(part of ``make bench``). Needs Redis on 127.0.0.1:6379 (database 12 is flushed) for the Celery path;
it uses nothing from ../shared.

What it does, all in one run so that the ratios compare like with like on the same machine:
  1. serves a local demo site on 127.0.0.1: an index page linking ``--documents`` small policy pages
     (Dutch and French HTML, one in five a PDF), written by the benchmark;
  2. ``miner run`` in-process on a fresh SQLite store, twice (first crawl, then a no-change re-crawl);
  3. the same through Celery: ``--workers`` worker processes (``--concurrency`` each) consuming both
     queues, warmed up on a one-page site first, then ``miner run`` with MINER_BROKER_URL, twice.
Prints documents/s of each first crawl, the Celery/in-process ratio, and each re-crawl's wall time
as a ratio of its first crawl (a re-crawl is all 304s and re-analyses nothing).
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


def miner_run(sources: Path, env: dict[str, str]) -> float:
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
    return seconds


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
        print(f"in-process first crawl : {in_first:7.2f} s  {n / in_first:6.2f} documents/s")
        print(f"celery first crawl     : {ce_first:7.2f} s  {n / ce_first:6.2f} documents/s")
        print(f"celery / in-process documents/s ratio : {in_first / ce_first:.2f}")
        print(f"no-change re-crawl / first crawl, in-process : {in_again / in_first:.2f}")
        print(f"no-change re-crawl / first crawl, celery     : {ce_again / ce_first:.2f}")
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
