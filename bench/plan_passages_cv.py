"""Cross-validated ``migrant`` F1 of the annotated plan passages, per half of the fixed split.

Run: ``.venv/bin/python bench/plan_passages_cv.py`` (needs ../shared/corpora; about a minute).

Why: ``python -m miner.analyse.train`` reports the out-of-fold figures of the whole dev set only.
The rubric is judged on the *check* half of a split by document (``bench/plan_passages.py``,
``half_of``), so this script gives the classifier's out-of-fold figures on that half too: the same
folds as the training (5-fold, grouped by document, stratified, seed 0), the same shipped
threshold, only the passages counted separately. The "all" lines reproduce the model file's
``measured.plan_passages`` figures.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from plan_passages import LABELS, half_of  # noqa: E402

from miner.analyse.classifier import load_classifier  # noqa: E402
from miner.analyse.crossval import _oof, prf  # noqa: E402
from miner.analyse.train import SEED, Featurizer, Params, feature_spec, learn_dictionary  # noqa: E402
from miner.analyse.trainsets import load_corpus  # noqa: E402


def main() -> int:
    from sklearn.model_selection import StratifiedGroupKFold

    if not LABELS.exists():
        print(f"skipped: {LABELS} is absent", file=sys.stderr)
        return 2
    corpus = load_corpus(LABELS.parents[2])
    params = Params()
    feat = Featurizer(feature_spec(*learn_dictionary(corpus.pair_nl, corpus.pair_fr, params)))
    y = corpus.passage_labels
    folds = StratifiedGroupKFold(params.folds, shuffle=True, random_state=SEED)
    splits = list(folds.split(np.zeros(len(y)), y, np.array(corpus.passage_docs)))
    prob = _oof(feat, corpus, params, splits, "passages")
    rows = [json.loads(line) for line in LABELS.open(encoding="utf-8") if line.strip()]
    if [r["id"] for r in rows] != list(corpus.passage_ids):
        raise SystemExit("the passages were read in another order than the training reads them")
    langs = np.array([r["lang"] for r in rows])
    halves = np.array([half_of(r["doc"]) for r in rows])
    clf = load_classifier()
    print(
        f"out-of-fold migrant on the plan passages, thresholds nl {clf.threshold_for('nl')} fr {clf.threshold_for('fr')}"
    )
    for half in ("tuning", "check", "all"):
        for lang in ("nl", "fr"):
            m = (langs == lang) & ((halves == half) if half != "all" else np.ones(len(y), dtype=bool))
            p, r, f = prf(y[m], prob[m] >= clf.threshold_for(lang))
            print(
                f"{half:7} {lang} n={int(m.sum()):3} positives={int(y[m].sum()):2} P={p:.3f} R={r:.3f} F1={f:.3f}"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
