"""The analysis data and limits of one process, loaded once from settings and handed down explicitly.

Why an object: the rubric, the lexicons, the passage classifier, its decision threshold and the
extraction limits are all facts of the settings (``MINER_CORPORA_DIR``, ``MINER_MIGRANT_THRESHOLD``,
``MINER_MAX_*``). When each stage read them from the global settings on its own, a caller's settings
(``run_sources(settings=...)``, a test, a second configuration in one process) reached some stages
and not others, and each loader kept a cache of its own. Now an entry point (a command, a Celery
worker process, the web app) builds one :class:`Analyser` with :meth:`Analyser.from_settings` and
passes it to the pipeline, which hands each stage the part it needs. Nothing in it changes after it
is built; a new rubric or model is deployed by building a new one (a restart).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from miner.analyse.classifier import PassageClassifier, load_classifier, model_path
from miner.analyse.lexicon import LEXICON_LANGUAGES, Lexicon, load_lexicon
from miner.analyse.nlp import use_cache_dir
from miner.config import Settings
from miner.extract.limits import Limits
from miner.rubric import Rubric, load_rubric, rubric_path

__all__ = ["Analyser", "Lexicons"]


class Lexicons(Mapping[str, Lexicon]):
    """The lexicon of each language that has one (nl, fr), read from one corpora folder and compiled
    on first use, once: a Dutch text never waits for the French lexicon (compiling one loads that
    language's tokenizer and lemma table, seconds), and threads share what was compiled."""

    def __init__(self, corpora_dir: Path) -> None:
        self.corpora_dir = corpora_dir
        self._loaded: dict[str, Lexicon] = {}
        self._lock = threading.Lock()

    def __getitem__(self, lang: str) -> Lexicon:
        got = self._loaded.get(lang)
        if got is not None:
            return got
        if lang not in LEXICON_LANGUAGES:
            raise KeyError(lang)
        with self._lock:
            got = self._loaded.get(lang)
            if got is None:
                got = self._loaded[lang] = load_lexicon(lang, self.corpora_dir)
        return got

    def __iter__(self) -> Iterator[str]:
        return iter(LEXICON_LANGUAGES)

    def __len__(self) -> int:
        return len(LEXICON_LANGUAGES)


@dataclass(frozen=True, slots=True)
class Analyser:
    """What analysing a document needs besides the document: built once per process, shared by threads
    (the classifier's and lexicons' memoised look-ups are safe to share)."""

    rubric: Rubric
    #: The lexicon of every language that has one (nl, fr); other languages are matched against none.
    lexicons: Lexicons
    classifier: PassageClassifier
    #: ``settings.migrant_threshold``: when set, it replaces the classifier's per-language threshold.
    migrant_threshold: float | None
    limits: Limits

    @classmethod
    def from_settings(cls, settings: Settings) -> Analyser:
        """Load the rubric and classifier under ``settings.corpora_dir`` (the lexicons from there on
        first use, :meth:`warm_up` for all now), and take the threshold and extraction limits from
        ``settings``. Raises :class:`~miner.errors.ConfigError` naming the file and key of bad data."""
        corpora = settings.corpora_dir
        use_cache_dir(settings.cache_dir)
        return cls(
            rubric=load_rubric(rubric_path(corpora)),
            lexicons=Lexicons(corpora),
            classifier=load_classifier(model_path(corpora)),
            migrant_threshold=settings.migrant_threshold,
            limits=Limits.from_settings(settings),
        )

    def warm_up(self) -> Analyser:
        """Compile every lexicon now (a worker process at its start, before its first time limit)."""
        for lang in self.lexicons:
            self.lexicons[lang]
        return self

    def threshold_for(self, language: str) -> float:
        """The ``migrant`` decision threshold of a document whose dominant language is ``language``."""
        if self.migrant_threshold is not None:
            return self.migrant_threshold
        return self.classifier.threshold_for(language)
