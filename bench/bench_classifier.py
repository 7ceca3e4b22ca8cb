"""Passage-classifier speed beside spaCy's blank Dutch tokenizer, measured in one run.

Run: ``.venv/bin/python bench/bench_classifier.py [--repeat 3]`` (needs ../shared/corpora).

On the unique Chamber question texts, prints words/s of: spaCy's blank tokenizer alone (the
baseline), ``miner.analyse.nlp.tokenize``, ``PassageClassifier.predict_tokens`` alone (on tokens
made beforehand; most questions fit in one window), the same texts as long documents of 20
questions each (``predict_paragraphs``: every sentence window scored), and tokenize + predict,
each as a ratio to the baseline. The first round starts with cold caches (a fresh process); the
median over ``--repeat`` rounds is reported.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
QUESTIONS = ROOT.parent / "shared" / "corpora" / "parliament" / "chamber-2017-nl" / "questions-dev.jsonl"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    if not QUESTIONS.is_file():
        raise SystemExit(f"needs {QUESTIONS}")
    import spacy

    from miner.analyse.classifier import load_classifier
    from miner.analyse.nlp import tokenize, warm_up

    texts = list(dict.fromkeys(json.loads(line)["question"] for line in QUESTIONS.open(encoding="utf-8")))
    nlp = spacy.blank("nl")
    warm_up(("nl",))
    clf = load_classifier()
    words = sum(len(nlp.tokenizer(t)) for t in texts)
    rounds: dict[str, list[float]] = {
        "spacy": [],
        "tokenize": [],
        "predict": [],
        "predict documents": [],
        "tokenize+predict": [],
    }
    for _ in range(args.repeat):
        t = time.perf_counter()
        for x in texts:
            nlp.tokenizer(x)
        rounds["spacy"].append(time.perf_counter() - t)
        t = time.perf_counter()
        toks = [tokenize(x, "nl") for x in texts]
        rounds["tokenize"].append(time.perf_counter() - t)
        t = time.perf_counter()
        for tok in toks:
            clf.predict_tokens(tok)
        rounds["predict"].append(time.perf_counter() - t)
        t = time.perf_counter()
        for i in range(0, len(toks), 20):
            clf.predict_paragraphs(toks[i : i + 20])
        rounds["predict documents"].append(time.perf_counter() - t)
        rounds["tokenize+predict"].append(rounds["tokenize"][-1] + rounds["predict"][-1])
    base = statistics.median(rounds["spacy"])
    print(f"{len(texts)} texts, {words} words, median of {args.repeat} rounds")
    for name, secs in rounds.items():
        m = statistics.median(secs)
        print(f"{name:>18}: {words / m:>12,.0f} words/s  ({base / m:.2f} x spaCy blank tokenizer)")


if __name__ == "__main__":
    main()
