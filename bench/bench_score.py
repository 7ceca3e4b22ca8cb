"""Throughput of the analysis stage against spaCy's blank tokenizer, measured in one run.

Prints words/s for: spacy.blank('nl').tokenizer alone (the reference), ``tokenize`` (keys and
sentences), lexicon matching + scoring on pre-tokenised text, and the three together, on the
Chamber's written questions (``../shared/corpora/parliament/chamber-2017-nl/questions-dev.jsonl``).
The product's requirement: tokenize + match + score >= 50 % of the blank tokenizer's rate.

    .venv/bin/python bench/bench_score.py [--limit N] [--repeat R]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpora" / "parliament" / "chamber-2017-nl"


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--limit", type=int, default=0)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    path = CORPUS / "questions-dev.jsonl"
    if not path.exists():
        print(f"corpus absent: {path}", file=sys.stderr)
        return 2
    import spacy

    from miner.analyse.lexicon import load_lexicon
    from miner.analyse.nlp import tokenize, warm_up
    from miner.records import Paragraph
    from miner.rubric import load_rubric
    from miner.score import score_document

    texts = []
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            row = json.loads(line)
            texts.append(" ".join(str(row.get(k) or "") for k in ("question", "answer")).strip())
    if args.limit:
        texts = texts[: args.limit]
    blank = spacy.blank("nl").tokenizer
    warm_up(("nl",))
    lex = load_lexicon("nl")
    rubric = load_rubric()
    words = sum(len(blank(t)) for t in texts)
    for t in texts:  # warm the key caches the way a long-running worker has them
        lex.match(tokenize(t, "nl"))

    def best(fn: object) -> float:
        times = []
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            fn()  # type: ignore[operator]
            times.append(time.perf_counter() - t0)
        return min(times)

    paragraphs = [Paragraph(index=0, text=t, language="nl") for t in texts]
    toks = [tokenize(t, "nl") for t in texts]

    def run_blank() -> None:
        for t in texts:
            blank(t)

    def run_tokenize() -> None:
        for t in texts:
            tokenize(t, "nl")

    def run_match_score() -> None:
        for p, tk in zip(paragraphs, toks, strict=True):
            score_document("x", [p], [tk], [0.5], migrant_threshold=0.5, rubric=rubric, lexicons={"nl": lex})

    def run_all() -> None:
        for p in paragraphs:
            tk = tokenize(p.text, "nl")
            score_document("x", [p], [tk], [0.5], migrant_threshold=0.5, rubric=rubric, lexicons={"nl": lex})

    def run_match() -> None:
        for tk in toks:
            lex.match(tk)

    t_blank = best(run_blank)
    t_tok = best(run_tokenize)
    t_match = best(run_match)
    t_ms = best(run_match_score)
    t_all = best(run_all)
    print(f"documents: {len(texts)}, words (blank tokenizer tokens): {words}")
    for name, t in (
        ("spacy.blank('nl').tokenizer", t_blank),
        ("miner tokenize (keys, sentences)", t_tok),
        ("lexicon match only", t_match),
        ("match + score_document", t_ms),
        ("tokenize + match + score", t_all),
    ):
        print(f"{name:36s} {words / t:>12,.0f} words/s   {t_blank / t * 100:6.1f} % of blank tokenizer")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
