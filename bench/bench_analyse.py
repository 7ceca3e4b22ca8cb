"""Analysis-stage speed and memory, measured side by side in one run.

Run: ``make bench`` or ``.venv/bin/python bench/bench_analyse.py [--repeat 3]`` (needs ../shared/corpora).

Prints, on the unique Chamber question texts (Dutch), in fresh processes so that no cache has seen
the text before:
  - words/s of spaCy's blank Dutch tokenizer alone (the baseline);
  - words/s of the whole analysis stage (tokens, lemma keys, lexicon matching, classifier, scoring,
    evidence) via ``miner.pipeline.analyse_paragraphs``; target: >= 0.5 x the baseline;
  - wall time of ``miner analyse --jsonl`` as a whole process (start-up, language detection, JSON in
    and out) over the stage time; target: <= 2.0;
  - peak RSS of one process with both languages, lexicons and the classifier loaded; target <= 400 MB.
Each measurement runs ``--repeat`` times, alternating, and the median is reported.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPORA = ROOT.parent / "shared" / "corpora"
QUESTIONS = CORPORA / "parliament" / "chamber-2017-nl" / "questions-dev.jsonl"

BASELINE = r"""
import json, sys, time, spacy
texts = json.load(open(sys.argv[1]))
nlp = spacy.blank("nl")
t = time.perf_counter()
for x in texts:
    nlp.tokenizer(x)
print(json.dumps({"seconds": time.perf_counter() - t}))
"""

STAGE = r"""
import json, resource, sys, time
from miner.analyse.nlp import warm_up
from miner.analyser import Analyser
from miner.config import get_settings
from miner.pipeline import analyse_paragraphs
from miner.records import Paragraph
texts = json.load(open(sys.argv[1]))
warm_up(("nl", "fr")); analyser = Analyser.from_settings(get_settings())
paragraphs = [Paragraph(index=0, text=x, language="nl") for x in texts]
t = time.perf_counter()
for i, p in enumerate(paragraphs):
    analyse_paragraphs(str(i), [p], analyser=analyser)
seconds = time.perf_counter() - t
print(json.dumps({"seconds": seconds, "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def run(code: str, path: Path) -> dict[str, float]:
    out = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    if not QUESTIONS.exists():
        sys.exit(f"skipped: {QUESTIONS} is absent")
    seen: set[str] = set()
    texts: list[str] = []
    for line in QUESTIONS.open(encoding="utf-8"):
        q = json.loads(line)["question"].strip()
        if q and q not in seen:
            seen.add(q)
            texts.append(q)
    words = sum(len(t.split()) for t in texts)
    with tempfile.TemporaryDirectory() as tmp:
        tpath = Path(tmp) / "texts.json"
        tpath.write_text(json.dumps(texts), encoding="utf-8")
        jpath = Path(tmp) / "input.jsonl"
        with jpath.open("w", encoding="utf-8") as fh:
            for i, x in enumerate(texts):
                fh.write(json.dumps({"id": str(i), "text": x}, ensure_ascii=False) + "\n")
        base, stage, whole, rss = [], [], [], []
        miner = str(Path(sys.executable).parent / "miner")
        for _ in range(args.repeat):
            base.append(run(BASELINE, tpath)["seconds"])
            s = run(STAGE, tpath)
            stage.append(s["seconds"])
            rss.append(s["rss_mb"])
            t = time.perf_counter()
            with jpath.open("rb") as fin:
                subprocess.run(
                    [miner, "analyse", "--jsonl"], stdin=fin, stdout=subprocess.DEVNULL, check=False
                )
            whole.append(time.perf_counter() - t)
    b, s, w = statistics.median(base), statistics.median(stage), statistics.median(whole)
    print(f"texts: {len(texts)} unique Chamber questions, {words} words; median of {args.repeat} runs")
    print(f"spaCy blank nl tokenizer alone : {words / b:>10,.0f} words/s")
    print(f"whole analysis stage           : {words / s:>10,.0f} words/s")
    print(f"stage / tokenizer throughput   : {b / s:10.2f}  (target >= 0.50)")
    print(
        f"miner analyse --jsonl process  : {w:10.2f} s  vs stage {s:.2f} s: ratio {w / s:.2f} (target <= 2.0)"
    )
    print(f"peak RSS, nl+fr loaded         : {max(rss):10.0f} MB (target <= 400)")


if __name__ == "__main__":
    main()
