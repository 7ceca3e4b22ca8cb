"""The passage classifier: "is this passage about people with a migration background?".

Why a plain weight table: inference runs inside the analysis stage, which must stay within half of
the raw tokenizer's throughput, so it cannot afford scikit-learn's vectorisers per passage. The
model is a logistic regression trained with scikit-learn (:mod:`miner.analyse.train`) and exported
to JSON: ``{feature: weight}``, an intercept, per-language thresholds and the feature tables.
JSON, not pickle: reviewable, reproducible and safe to load.

A window's logit is ``b + sum(w_c) / n_c ** p_c + sum(w_w) / n_w ** p_w`` over its known concept
(``c:``) and word (``w:``) features: the two blocks are normalised apart (powers in the model
file; 0.5 is the L2 norm), so that a concept is not drowned by the many ordinary words around it.
That is exactly the logistic regression of :class:`miner.analyse.train.LinearModel`. A passage scores its best window (:mod:`miner.analyse.features`):
a long text is not diluted, and a text cut into paragraphs scores like the same text in one piece.

Languages: Dutch and French have their own tables, mapping words to shared concept ids so both
languages use the same weights. Any other language uses the stems of every table at once ("migra",
"racis", "discrimin", "asyl" also catch English and German words).
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from miner.analyse.features import WINDOW, FeatureTables, build_tables, count_units, windows
from miner.analyse.nlp import Tokens
from miner.config import CORPORA_DIR
from miner.errors import ConfigError

MODEL_FILE = "migrant-classifier.json"
#: Prefix of the concept block; every other feature is in the word block.
CONCEPT = "c:"


def _sigmoid(z: float) -> float:
    if z < -60:
        return 0.0
    return 1.0 / (1.0 + math.exp(-z))


class PassageClassifier:
    """A loaded model; thread-safe for prediction (the per-key caches only ever grow)."""

    version: str
    threshold: float

    def __init__(self, model: dict[str, Any]) -> None:
        try:
            self.version = str(model["version"])
            self._weights: dict[str, float] = {str(k): float(v) for k, v in model["weights"].items()}
            self._concepts = {k: v for k, v in self._weights.items() if k.startswith(CONCEPT)}
            self._words = {k: v for k, v in self._weights.items() if not k.startswith(CONCEPT)}
            self._intercept = float(model["intercept"])
            self._thresholds = {str(k): float(v) for k, v in model["thresholds"].items()}
            features = model["features"]
            acronyms = {str(k): str(v) for k, v in model.get("acronyms", {}).items()}
            self._tables = {
                lang: build_tables(
                    spec["stems"], spec["context"], spec["words"], spec.get("combine", ()), acronyms
                )
                for lang, spec in features.items()
            }
            self._combine = tuple((str(a), str(b), str(c)) for a, b, c in model.get("combine", ()))
            self._suppress = tuple((str(a), str(b)) for a, b in model.get("suppress", ()))
            self.window = int(model.get("window", WINDOW))
            powers = model.get("norm_powers", {})
            self._pc = float(powers.get("concepts", 0.5))
            self._pw = float(powers.get("words", 0.5))
        except (KeyError, TypeError, ValueError, AttributeError, IndexError) as exc:
            raise ConfigError(
                f"classifier model is malformed ({type(exc).__name__}: {exc}); retrain it"
            ) from exc
        self.threshold = self._thresholds.get("default", 0.5)
        self._fallback = self._tables.get("other") or build_tables(
            [s for spec in features.values() for s in spec["stems"]], [], {}, (), acronyms
        )
        self.meta: dict[str, Any] = {k: model[k] for k in ("task", "method", "measured") if k in model}

    def threshold_for(self, lang: str) -> float:
        """Decision threshold for ``migrant`` in ``lang``."""
        return self._thresholds.get(lang, self.threshold)

    def tables_for(self, lang: str) -> FeatureTables:
        return self._tables.get(lang, self._fallback)

    # --- one window -------------------------------------------------------------------------------

    def logit(self, feats: set[str]) -> float:
        """Intercept plus the two normalised blocks of the known features in ``feats`` (which gets
        the concepts implied by pairs added and the suppressed ones removed)."""
        self._relate(feats)
        z = self._intercept
        concepts = self._concepts.keys() & feats
        if concepts:
            z += sum(map(self._concepts.__getitem__, concepts)) / len(concepts) ** self._pc
        words = self._words.keys() & feats
        if words:
            z += sum(map(self._words.__getitem__, words)) / len(words) ** self._pw
        return z

    def features(self, keys: Sequence[str], lang: str, words: Sequence[str] | None = None) -> set[str]:
        """The features of a whole passage (as one window) that the model knows."""
        weights = self._weights
        feats = self._relate(self.tables_for(lang).extract(keys, words))
        return {f for f in feats if f in weights}

    def _relate(self, feats: set[str]) -> set[str]:
        """Add the concepts implied by pairs, drop the ones a trigger suppresses (in place)."""
        for a, b, implied in self._combine:
            if a in feats and b in feats:
                feats.add(implied)
        for trigger, concept in self._suppress:
            if trigger in feats:
                feats.discard(concept)
        return feats

    def predict_keys(self, keys: Sequence[str], lang: str, words: Sequence[str] | None = None) -> float:
        """Probability for a whole passage scored as one window (what training fits)."""
        return _sigmoid(self.logit(self.tables_for(lang).extract(keys, words)))

    # --- passages and documents -------------------------------------------------------------------

    def units(self, tokens: Tokens) -> list[set[str]]:
        """Known features of each unit (sentence or slice of a long sentence) of a passage."""
        known = self._weights.keys()
        raw = self.tables_for(tokens.lang).units(tokens.keys, tokens.words, tokens.sents)
        return [known & u if u else u for u in raw]

    def predict_tokens(self, tokens: Tokens) -> float:
        """Probability (0-1) that a passage is about migrants: the probability of its best window."""
        return self.predict_paragraphs([tokens])[0]

    def predict_units(self, units: Sequence[set[str]]) -> float:
        """Probability of the best window of a passage given its units' features (training, CV)."""
        if not units:
            return _sigmoid(self._intercept)
        return _sigmoid(max(self.logit(feats) for _, feats in windows(units, self.window)))

    def predict_paragraphs(self, paragraphs: Sequence[Tokens]) -> list[float]:
        """Per paragraph, the probability of the best window that overlaps it.

        Windows run across paragraph boundaries (units are sentences of the whole document), so
        the document's best window, and hence its relevance, does not depend on where the
        paragraphs were cut.
        """
        if not paragraphs:
            return []
        counts = [count_units(len(t.keys), t.sents) if t.keys else 0 for t in paragraphs]
        if sum(counts) <= self.window:  # one window: no need to place features in units
            feats: set[str] = set()
            for t in paragraphs:
                if t.keys:
                    feats |= self.tables_for(t.lang).extract(t.keys, t.words)
            p = _sigmoid(self.logit(feats))
            return [p if t.keys else _sigmoid(self._intercept) for t in paragraphs]
        units: list[set[str]] = []
        owner: list[int] = []
        for i, tokens in enumerate(paragraphs):
            us = self.units(tokens) if tokens.keys else []
            units.extend(us)
            owner.extend([i] * len(us))
        out = [_sigmoid(self._intercept)] * len(paragraphs)
        best = [-math.inf] * len(paragraphs)
        for first, feats in windows(units, self.window):
            z = self.logit(feats)
            for i in {owner[j] for j in range(first, first + self.window)}:
                if z > best[i]:
                    best[i] = z
        return [_sigmoid(z) if z > -math.inf else p for z, p in zip(best, out, strict=True)]

    def is_migrant(self, tokens: Tokens) -> bool:
        return self.predict_tokens(tokens) >= self.threshold_for(tokens.lang)


def model_path(corpora_dir: Path) -> Path:
    """Where the trained model is under a corpora folder (``settings.corpora_dir``)."""
    return corpora_dir / "models" / MODEL_FILE


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


def load_classifier(path: Path = model_path(CORPORA_DIR)) -> PassageClassifier:
    """The classifier at ``path`` (default: the shipped ``corpora/models/migrant-classifier.json``), not cached: an
    :class:`~miner.analyser.Analyser` reads it once and its holder keeps it (and so the model's
    per-key caches, shared by every document it analyses)."""
    return PassageClassifier(read_model(path))
