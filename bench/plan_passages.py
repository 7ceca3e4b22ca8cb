"""Dimensions, flags and evidence on the annotated plan passages, per half of a fixed split by document.

Run: ``.venv/bin/python bench/plan_passages.py [--show tuning] [--out DIR]`` (needs ../shared/corpora
and ../shared/checks/score_plans.py, the acceptance scorer).

Why a split: the lexicons and rubric rules are tuned by people reading passages. To keep one honest
figure, the dev passages are cut by document (the ``doc`` field: a section of the coalition
agreement or a Chamber question id) into a *tuning* half and a *check* half, by a rule fixed before
any error was read: the last byte of ``sha256(doc)`` is even -> tuning, odd -> check. Every passage
of one document falls in the same half. Rules are read and tuned on the tuning half only
(``--show`` refuses the check half); the script prints the acceptance scorer's line for the tuning
half, the check half and the whole set, so that the three can be reported side by side.

Each passage goes through ``miner.pipeline.analyse_text`` with its ``lang``, exactly what
``miner analyse --jsonl`` does for the line ``{"id", "text", "lang"}``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
LABELS = SHARED / "corpora" / "annotated" / "plan-passages" / "plan-passages-dev.jsonl"
SCORER = SHARED / "checks" / "score_plans.py"
HALVES = ("tuning", "check")


def half_of(doc: str) -> str:
    """The fixed split: the last byte of sha256(doc) even -> "tuning", odd -> "check"."""
    return "tuning" if hashlib.sha256(doc.encode("utf-8")).digest()[-1] % 2 == 0 else "check"


def answer_all(labels: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    from miner.analyser import Analyser
    from miner.config import get_settings
    from miner.pipeline import analyse_text

    analyser = Analyser.from_settings(get_settings())
    return {r["id"]: analyse_text(r["id"], r["text"], r["lang"], analyser=analyser).as_dict() for r in labels}


def _write(path: Path, rows: list[dict[str, Any]]) -> None:
    with path.open("w", encoding="utf-8") as fh:
        for r in rows:
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")


def score(labels: list[dict[str, Any]], answers: dict[str, dict[str, Any]], tmp: Path, name: str) -> str:
    lp, ap = tmp / f"{name}-labels.jsonl", tmp / f"{name}-answers.jsonl"
    _write(lp, labels)
    _write(ap, [answers[r["id"]] for r in labels])
    out = subprocess.run([sys.executable, str(SCORER), str(lp), str(ap)], capture_output=True, text=True)
    return out.stdout.strip().split(" (bars:")[0].replace("plan passages: ", "")


def show(labels: list[dict[str, Any]], answers: dict[str, dict[str, Any]]) -> None:
    """Every passage where the product and the annotation differ on a dimension, a flag or a quote."""
    dims = list(labels[0]["dims"])
    for r in labels:
        a = answers[r["id"]]
        got = {d: ((a["dimensions"].get(d) or {}).get("score") or 0) for d in dims}
        lvl = {d: 0 if not v else (2 if v >= 100 else 1) for d, v in got.items()}
        diff = [f"{d}: gold {r['dims'][d]} got {lvl[d]}" for d in dims if r["dims"][d] != lvl[d]]
        flags = sorted(f["code"] for f in a["flags"])
        gold_flags = sorted(r["flags"])
        ev = [(e["dimension"], e["text"], e.get("direction")) for e in a["evidence"]]
        bad_ev = [e for e in ev if r["dims"].get(e[0], 0) == 0 or e[0] not in r["evidence"]]
        imb = "ignores_migration_background"
        flag_diff = r["src"] != "chamber-2020" and ((imb in flags) != (imb in gold_flags))
        if not diff and not flag_diff and not bad_ev:
            continue
        print(f"== {r['id']} {r['lang']} {r['src']} {r['doc']} mention={r['mention']} domain={r['domain']}")
        print("   " + r["text"])
        for x in diff:
            print("   DIM " + x)
        print(f"   flags gold {gold_flags} got {flags}")
        print(f"   gold evidence {r['evidence']}")
        for e in ev:
            print(f"   ev {e}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--show", choices=["tuning"], help="print the disagreements of the tuning half")
    ap.add_argument("--out", type=Path, help="keep the answers (JSON lines) in this folder")
    ap.add_argument("--only", choices=["tuning"], help="print the tuning half's figures only (while tuning)")
    args = ap.parse_args()
    if not LABELS.exists() or not SCORER.exists():
        print(f"skipped: {LABELS} or {SCORER} is absent", file=sys.stderr)
        return 2
    labels = [json.loads(line) for line in LABELS.open(encoding="utf-8") if line.strip()]
    answers = answer_all(labels)
    parts = {h: [r for r in labels if half_of(r["doc"]) == h] for h in HALVES}
    if args.show:
        show(parts[args.show], answers)
    with tempfile.TemporaryDirectory() as t:
        tmp = args.out or Path(t)
        tmp.mkdir(parents=True, exist_ok=True)
        runs = [("tuning", parts["tuning"])] if args.only else [*parts.items(), ("all", labels)]
        for name, rows in runs:
            docs = len({r["doc"] for r in rows})
            print(f"{name:7} ({len(rows)} passages, {docs} documents): {score(rows, answers, tmp, name)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
