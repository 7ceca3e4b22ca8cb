"""Work that grows with the input, not faster: time per 1,000 paragraphs from 1,000 to 300,000.

An HTML page of N short paragraphs (list items and table cells of a plan: "Actie 123: nieuwkomers.")
goes through the whole product path: extraction in the sandbox, language per paragraph, analysis
and scoring. Every size runs in this one process after a warm-up (models loaded, sandbox started),
so the figures compare like with like; the smaller sizes take the best of ``--repeat`` rounds, the
largest one round, which can only make the largest look worse. The requirement: time per 1,000
paragraphs at 300,000 within 2x of the figure at 1,000.

Then an 8 MB page on a single line (one paragraph of sentences, no line breaks) is run in a fresh
process, to report its time and that process's peak memory: it must be answered quickly (a result
or a clear error) at bounded memory.

    .venv/bin/python bench/bench_scale.py [--sizes 1000,30000,300000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import functools
import json
import resource
import subprocess
import sys
import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from miner.analyser import Analyser

WORDS = ("werk", "onderwijs", "nieuwkomers", "taal", "school", "opleiding", "migranten", "begeleiding")
SENTENCE = "De Vlaamse regering begeleidt nieuwkomers met een migratieachtergrond naar werk en onderwijs. "


def page(n: int) -> bytes:
    body = "".join(f"<p>Actie {i}: {WORDS[i % len(WORDS)]}.</p>" for i in range(n))
    return (
        "<!doctype html><html lang='nl'><head><title>Actieplan</title></head><body><main>"
        f"<h1>Actieplan werk</h1>{body}</main></body></html>"
    ).encode()


def one_line_page(size: int = 8_000_000) -> bytes:
    return f"<html><head><title>x</title></head><body><p>{SENTENCE * (size // len(SENTENCE))}</p></body></html>".encode()


@functools.cache
def _analyser() -> Analyser:
    from miner.analyser import Analyser
    from miner.config import get_settings

    return Analyser.from_settings(get_settings())


def run_once(data: bytes) -> dict[str, float]:
    """Seconds per stage for one page, and how many paragraphs it gave."""
    from miner.analyse import language
    from miner.extract import extract
    from miner.pipeline import analyse_paragraphs

    t0 = time.perf_counter()
    doc = extract(data, name="plan.html")
    t1 = time.perf_counter()
    doc = language.assign_languages(doc)
    t2 = time.perf_counter()
    analysis = analyse_paragraphs("plan", doc.paragraphs, analyser=_analyser(), title=doc.title)
    t3 = time.perf_counter()
    assert analysis.error is None, analysis.error
    return {
        "paragraphs": len(doc.paragraphs),
        "extract": t1 - t0,
        "language": t2 - t1,
        "analyse": t3 - t2,
        "total": t3 - t0,
    }


def peak_rss_mb() -> float:
    """This process's peak RSS since it started (VmHWM: unlike ``ru_maxrss``, not inherited from the
    parent that forked it)."""
    with open("/proc/self/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def one_line() -> int:
    """Child mode: analyse the 8 MB single-line page and print JSON (time, peak RSS, outcome)."""
    from miner.errors import MinerError
    from miner.extract import sandbox
    from miner.pipeline import analyse_bytes

    data = one_line_page()
    t0 = time.perf_counter()
    try:
        doc, analysis = analyse_bytes(data, doc_id="one-line", analyser=_analyser(), name="one-line.html")
        outcome = f"{len(doc.paragraphs)} paragraphs, score {analysis.score}"
    except MinerError as exc:
        outcome = f"error: {exc.code}: {exc.message}"
    seconds = time.perf_counter() - t0
    child = sandbox.last_run()
    print(
        json.dumps(
            {
                "bytes": len(data),
                "seconds": seconds,
                "outcome": outcome,
                "peak_rss_mb": peak_rss_mb(),
                "child_peak_rss_mb": child.maxrss_kb / 1024 if child else None,
            }
        )
    )
    return 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="1000,30000,300000")
    ap.add_argument("--repeat", type=int, default=3, help="rounds for the sizes below the largest")
    ap.add_argument("--one-line", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.one_line:
        return one_line()
    sizes = [int(s) for s in args.sizes.split(",")]
    run_once(page(1000))  # warm-up: models, lexicons, the sandbox server
    rows: list[tuple[int, dict[str, float]]] = []
    for n in sizes:
        rounds = 1 if n == max(sizes) else args.repeat
        best = min((run_once(page(n)) for _ in range(rounds)), key=lambda r: r["total"])
        rows.append((n, best))
    print("HTML page of N short paragraphs: extraction (sandbox) + language + analysis, seconds")
    print(
        f"{'N':>9} {'paragraphs':>10} {'extract':>8} {'language':>9} {'analyse':>8} {'total':>8} {'s/1000 par':>11}"
    )
    for n, r in rows:
        per = r["total"] / r["paragraphs"] * 1000
        print(
            f"{n:>9,} {int(r['paragraphs']):>10,} {r['extract']:>8.2f} {r['language']:>9.2f} "
            f"{r['analyse']:>8.2f} {r['total']:>8.2f} {per:>11.3f}"
        )
    first, last = rows[0][1], rows[-1][1]
    ratio = (last["total"] / last["paragraphs"]) / (first["total"] / first["paragraphs"])
    verdict = "OK" if ratio <= 2.0 else "TOO SLOW"
    print(f"per-1000 time, largest / smallest: {ratio:.2f} (requirement <= 2.0) -> {verdict}")
    out = subprocess.run(
        [sys.executable, __file__, "--one-line"], capture_output=True, text=True, check=False, timeout=900
    )
    try:
        r = json.loads(out.stdout.strip().splitlines()[-1])
    except (IndexError, ValueError):
        print(f"8 MB single-line page: no answer ({out.stderr.strip()[-300:]})")
        return 1
    print(
        f"8 MB single-line page ({r['bytes']:,} bytes): {r['seconds']:.1f} s, {r['outcome']}; "
        f"peak RSS {r['peak_rss_mb']:.0f} MB (process), {r['child_peak_rss_mb']:.0f} MB (extraction child)"
    )
    return 0 if ratio <= 2.0 else 1


if __name__ == "__main__":
    sys.exit(main())
