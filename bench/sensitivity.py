"""How the coalition agreement's chapter ranking and document score move when the rubric's choices
change: dimension weights, the domain threshold that decides which chapters are in scope, and the
way chapter scores are aggregated into the document score.

Run: ``.venv/bin/python bench/sensitivity.py [PDF]`` (default: the Flemish coalition agreement
2019-2024 under ../shared/corpora). The document is extracted and tokenised once; every variant
re-scores the same paragraphs with a modified copy of ``corpora/rubric.toml``.

Printed per variant: the document score, Kendall's tau-b of the 26 chapter scores against the
shipped rubric (1.0 = the same order), the largest move of one chapter in rank, and the five
best chapters. docs/scoring.md quotes the output.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from scipy.stats import kendalltau

ROOT = Path(__file__).resolve().parent.parent
AGREEMENT = (
    ROOT.parent
    / "shared"
    / "corpora"
    / "policy"
    / "vlaams-regeerakkoord-2019-2024"
    / "source"
    / "Regeerakkoord20192024.pdf"
)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("pdf", nargs="?", type=Path, default=AGREEMENT)
    args = ap.parse_args()
    if not args.pdf.exists():
        print(f"skipped: {args.pdf} is absent", file=sys.stderr)
        return 2
    from miner.analyse import language
    from miner.analyse.lexicon import LEXICON_LANGUAGES, load_lexicon
    from miner.analyse.nlp import tokenize
    from miner.extract import extract, read_document
    from miner.records import Analysis
    from miner.rubric import Rubric, load_rubric
    from miner.score import score_document

    doc = language.assign_languages(extract(read_document(args.pdf), name=str(args.pdf)))
    paragraphs = doc.paragraphs
    tokens = [tokenize(p.text, p.language or "other") for p in paragraphs]
    zeros = [0.0] * len(paragraphs)  # relevance plays no part in the rubric score
    base = load_rubric()
    lexicons = {lang: load_lexicon(lang) for lang in LEXICON_LANGUAGES}

    def run(rubric: Rubric) -> Analysis:
        return score_document(
            "doc", paragraphs, tokens, zeros, migrant_threshold=1.0, rubric=rubric, lexicons=lexicons
        )

    def weights(**w: float) -> Rubric:
        return replace(
            base, dimensions=tuple(replace(d, weight=w.get(d.name, d.weight)) for d in base.dimensions)
        )

    def scope(per_1000: float) -> Rubric:
        return replace(base, scope=replace(base.scope, min_per_1000=per_1000))

    variants: list[tuple[str, Callable[[], Rubric]]] = [
        ("shipped rubric (recognition 2, barriers 1.5, others 1)", lambda: base),
        ("all weights 1", lambda: weights(**{d.name: 1.0 for d in base.dimensions})),
        ("recognition 1", lambda: weights(recognition=1.0)),
        ("recognition 3", lambda: weights(recognition=3.0)),
        ("barriers 1", lambda: weights(barriers=1.0)),
        ("barriers 3", lambda: weights(barriers=3.0)),
        ("intersection 2", lambda: weights(intersection=2.0)),
        ("mainstreaming 2", lambda: weights(mainstreaming=2.0)),
        ("intergovernmental 2", lambda: weights(intergovernmental=2.0)),
        ("target_group 2", lambda: weights(target_group=2.0)),
        ("targets_monitoring 2", lambda: weights(targets_monitoring=2.0)),
        ("domain threshold 2 per 1,000 words", lambda: scope(2.0)),
        ("domain threshold 8 per 1,000 words", lambda: scope(8.0)),
    ]
    baseline = run(base)
    titles = [s.title for s in baseline.sections]
    base_scores = [s.score for s in baseline.sections]
    base_rank = _ranks(base_scores)
    print(f"{args.pdf.name}: {len(titles)} chapters, {baseline.score_basis.get('in_scope')} in scope")
    print(f"{'variant':58} {'doc':>4} {'in':>3} {'tau':>5} {'move':>4}  five best chapters")
    for name, make in variants:
        a = run(make())
        scores = [s.score for s in a.sections]
        tau = kendalltau(base_scores, scores).statistic
        move = max(abs(x - y) for x, y in zip(base_rank, _ranks(scores), strict=True))
        best = sorted(range(len(scores)), key=lambda i: (-scores[i], i))[:5]
        label = ", ".join(f"{_short(titles[i])} {scores[i]}" for i in best)
        print(f"{name:58} {a.score:>4} {a.score_basis.get('in_scope'):>3} {tau:5.2f} {move:>4}  {label}")
    counted = [s for s in baseline.sections if s.in_scope]
    words = sum(s.words for s in counted)
    print("\naggregation of the shipped rubric's in-scope chapter scores into one document score:")
    for name, value in (
        ("word-weighted mean (shipped)", sum(s.words * s.score for s in counted) / words),
        ("mean, each chapter equal", sum(s.score for s in counted) / len(counted)),
        ("median chapter", sorted(s.score for s in counted)[len(counted) // 2]),
        ("best chapter", max(s.score for s in counted)),
        ("whole text as one unit (the old rule)", _whole(base, paragraphs, tokens, zeros)),
    ):
        print(f"  {name:40} {value:6.1f}")
    return 0


def _ranks(scores: list[int]) -> list[float]:
    """1 = best; ties share the mean of their ranks."""
    order = sorted(range(len(scores)), key=lambda i: -scores[i])
    ranks = [0.0] * len(scores)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and scores[order[j + 1]] == scores[order[i]]:
            j += 1
        for k in range(i, j + 1):
            ranks[order[k]] = (i + j) / 2 + 1
        i = j + 1
    return ranks


def _short(title: str) -> str:
    return title.split("—", 1)[-1].strip()[:22]


def _whole(base, paragraphs, tokens, zeros) -> float:  # type: ignore[no-untyped-def]
    """The document scored as one unit, chapters ignored (how the score was computed before)."""
    from miner.analyse.lexicon import LEXICON_LANGUAGES, load_lexicon
    from miner.score import score_document

    flat = [replace(p, section=None) for p in paragraphs]
    rubric = replace(base, chapters=replace(base.chapters, block_words=10**9))
    lexicons = {lang: load_lexicon(lang) for lang in LEXICON_LANGUAGES}
    return float(
        score_document(
            "doc", flat, tokens, zeros, migrant_threshold=1.0, rubric=rubric, lexicons=lexicons
        ).score
    )


if __name__ == "__main__":
    sys.exit(main())
