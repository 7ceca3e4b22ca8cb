"""Alerts: subscriptions, and the delivery of what they asked to hear about.

The outbox rows are written by the store with the analysis that causes them
(:mod:`miner.store.events`, :mod:`miner.store.outbox`); this package makes subscriptions (:mod:`~miner.alerts.subscriptions`),
says what an alert is in each channel's format (:mod:`~miner.alerts.message`) and delivers it
(:mod:`~miner.alerts.deliver`). The Atom feeds are served by the web app (``/feeds/NAME.atom``).

Importing the package makes ``term:`` subscriptions match with the word forms and folding of
``miner mentions`` (:func:`miner.report.terms.find_spans`), so that an alert and a mention search
agree on what counts. Every driver that stores analyses imports it (``miner run``, the workers).
"""

from __future__ import annotations

from collections.abc import Sequence

from miner.report.terms import Term, find_spans
from miner.store.events import set_term_matcher


def _word_forms(text: str, language: str, terms: Sequence[tuple[str, str]]) -> bool:
    return bool(find_spans(text, [Term(t, lang) for t, lang in terms], language or None))


set_term_matcher(_word_forms)
