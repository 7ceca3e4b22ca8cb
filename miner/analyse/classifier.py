"""The passage classifier: "is this passage about people with a migration background?".

Why a plain weight table: inference runs inside the analysis stage, which must stay within half of
the raw tokenizer's throughput, so it cannot afford scikit-learn's vectorisers per passage. The
model is a logistic regression trained with scikit-learn (:mod:`miner.analyse.train`) and exported
to JSON: ``{feature: weight}``, an intercept, per-language thresholds and the feature tables.
A prediction is ``sigmoid(b + sum(w) / sqrt(n))`` over the passage's known features, which is
exactly scikit-learn's binary, L2-normalised pipeline. JSON, not pickle: reviewable, reproducible
and safe to load.

Languages: Dutch and French have their own tables, mapping words to shared concept ids so both
languages use the same weights. Any other language uses both tables at once (stems such as
"migra", "racis", "discrimin", "asyl" also catch English and German words).
"""

from __future__ import annotations

import json
import math
from functools import lru_cache
from pathlib import Path
from typing import Any

from miner.analyse.features import FeatureTables, build_tables
from miner.analyse.nlp import Tokens
from miner.errors import ConfigError

MODEL_FILE = "migrant-classifier.json"


class PassageClassifier:
    """A loaded model; thread-safe for prediction (the per-key caches only ever grow)."""

    version: str
    threshold: float

    def __init__(self, model: dict[str, Any]) -> None:
        try:
            self.version = str(model["version"])
            self._weights: dict[str, float] = {str(k): float(v) for k, v in model["weights"].items()}
            self._intercept = float(model["intercept"])
            self._thresholds = {str(k): float(v) for k, v in model["thresholds"].items()}
            features = model["features"]
            self._tables = {
                lang: build_tables(spec["stems"], spec["context"], spec["words"], spec.get("combine", ()))
                for lang, spec in features.items()
            }
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise ConfigError(
                f"classifier model is malformed ({type(exc).__name__}: {exc}); retrain it"
            ) from exc
        self.threshold = self._thresholds.get("default", 0.5)
        self._fallback = self._tables.get("other") or build_tables(
            [s for spec in features.values() for s in spec["stems"]], [], {}
        )
        self.meta: dict[str, Any] = {k: model[k] for k in ("task", "method", "measured") if k in model}

    def threshold_for(self, lang: str) -> float:
        """Decision threshold for ``migrant`` in ``lang`` (French is calibrated to match Dutch)."""
        return self._thresholds.get(lang, self.threshold)

    def tables_for(self, lang: str) -> FeatureTables:
        return self._tables.get(lang, self._fallback)

    def features(self, keys: tuple[str, ...] | list[str], lang: str) -> set[str]:
        """The passage's features that the model knows."""
        weights = self._weights
        return {f for f in self.tables_for(lang).extract(keys) if f in weights}

    def decision(self, keys: tuple[str, ...] | list[str], lang: str) -> float:
        """The logit: intercept plus the L2-normalised sum of the passage's feature weights."""
        feats = self.features(keys, lang)
        if not feats:
            return self._intercept
        weights = self._weights
        return self._intercept + sum(weights[f] for f in feats) / math.sqrt(len(feats))

    def predict_keys(self, keys: tuple[str, ...] | list[str], lang: str) -> float:
        """Probability (0-1) that a passage with these folded lemma keys is about migrants."""
        z = self.decision(keys, lang)
        if z < -60:
            return 0.0
        return 1.0 / (1.0 + math.exp(-z))

    def predict_tokens(self, tokens: Tokens) -> float:
        """Probability (0-1) for one tokenised passage."""
        return self.predict_keys(tokens.keys, tokens.lang)

    def is_migrant(self, tokens: Tokens) -> bool:
        return self.predict_tokens(tokens) >= self.threshold_for(tokens.lang)


def default_model_path() -> Path:
    from miner.config import get_settings

    return get_settings().corpora_dir / "models" / MODEL_FILE


def read_model(path: Path) -> dict[str, Any]:
    """The model file's JSON; a missing or unreadable file is a configuration error."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ConfigError(
            f"classifier model not found at {path}: "
            "run `python -m miner.analyse.train` or set MINER_CORPORA_DIR"
        ) from exc
    except (OSError, ValueError) as exc:
        raise ConfigError(f"classifier model {path} is unreadable ({exc}); retrain it") from exc
    if not isinstance(data, dict):
        raise ConfigError(f"classifier model {path} is not a JSON object; retrain it")
    return data


@lru_cache(maxsize=8)
def _load(path: Path) -> PassageClassifier:
    return PassageClassifier(read_model(path))


def load_classifier(path: Path | None = None) -> PassageClassifier:
    """The classifier at ``path`` (default ``<corpora>/models/migrant-classifier.json``).

    Cached per process and path: the model is read once, its per-key caches are shared.
    """
    return _load((path or default_model_path()).resolve())
