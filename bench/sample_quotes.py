"""Draw evidence quotes at random from ``miner analyse --format json`` output, for checking by hand.

Run: ``.venv/bin/miner analyse --format json PLAN.pdf > plan.json`` then
``.venv/bin/python bench/sample_quotes.py plan.json [--n 20] [--seed 1]``.

The pool is every *counted* quote the JSON shows for a dimension (top-level evidence, each
dimension's evidence, each chapter's evidence), one entry per (dimension, paragraph, sentence);
quotes shown as not counted (negated, excluding, ignored directions) are not claims and are left
out. The seed is fixed so that anyone can draw the same quotes and check the same verdicts
(docs/evaluation.md lists them).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path
from typing import Any


def pool(analysis: dict[str, Any]) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = list(analysis.get("evidence") or [])
    for d in (analysis.get("dimensions") or {}).values():
        items += d.get("evidence") or []
    for s in analysis.get("sections") or []:
        items += [dict(e, chapter=s["title"]) for e in s.get("evidence") or []]
    seen: dict[tuple[str, int, str], dict[str, Any]] = {}
    for e in items:
        if not e.get("counted", True):
            continue
        key = (e["dimension"], e["paragraph"], e["text"])
        if key not in seen or "chapter" in e:
            seen[key] = e
    return sorted(seen.values(), key=lambda e: (e["paragraph"], e["dimension"], e["text"]))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("json", type=Path)
    ap.add_argument("--n", type=int, default=20)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    analysis = json.loads(args.json.read_text(encoding="utf-8"))
    items = pool(analysis)
    drawn = random.Random(args.seed).sample(items, min(args.n, len(items)))
    print(f"{len(items)} counted quotes in {args.json.name}; {len(drawn)} drawn with seed {args.seed}")
    for i, e in enumerate(drawn, 1):
        where = f"p. {e['page']} ¶{e['paragraph']}"
        print(f"{i:2}. [{e['dimension']} / {e.get('direction')}] {where} term “{e['term']}”: {e['text']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
