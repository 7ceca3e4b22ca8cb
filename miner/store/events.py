"""What an analysis causes: the outbox rows of the subscriptions it concerns.

**Writing** (:func:`plan_alerts`, called by :meth:`~miner.store.analyses.AnalysisStore.store_analysis`
inside its transaction): a version is an event when it is its document's first (``new``), or when
its normalised text differs from the previous version's (``changed``: a date or a layout change is
not one); flags it raises that the previous version did not, and that no analyst dismissed, are
``raised``. Each subscription whose condition and filters hold gets one row per (version,
subscription, channel) -- the UNIQUE key makes storing the same analysis again (a redelivered task,
a new rubric) add nothing, so content already reported is never reported again.

Delivering them is :mod:`miner.store.outbox`'s.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.engine import Connection

from miner.analyse.nlp import fold
from miner.records import Analysis
from miner.scoring import versions
from miner.store.base import (
    ANALYSES,
    DOCUMENTS,
    FLAGS,
    PARAGRAPHS,
    VERSIONS,
    now,
    upsert,
)
from miner.store.outbox import OutboxState
from miner.store.reviews import dismissed_codes
from miner.store.subscriptions import (
    OUTBOX,
    Channel,
    Event,
    Subscription,
    all_subscriptions,
)
from miner.store.watchlists import WATCHLIST_TERMS, WATCHLISTS

#: Quotes an alert carries (the strongest first); the document page has them all.
MAX_QUOTES = 5

#: (paragraph text, its language, the watchlist's (term, language) pairs) -> whether a term occurs.
TermMatcher = Callable[[str, str, Sequence[tuple[str, str]]], bool]


def _folded_words(text: str, language: str, terms: Sequence[tuple[str, str]]) -> bool:
    """The fallback matcher: a term's folded words, whole, in the folded text. :mod:`miner.alerts`
    replaces it with the word-form matcher of ``miner mentions`` when it is imported."""
    folded = fold(text)
    for term, lang in terms:
        if lang and lang != language:
            continue
        if re.search(rf"(?<!\w){re.escape(fold(term))}(?!\w)", folded):
            return True
    return False


_matcher: dict[str, TermMatcher] = {"terms": _folded_words}


def set_term_matcher(matcher: TermMatcher) -> None:
    """Use ``matcher`` for ``term:`` subscriptions (so an alert and a mention search agree)."""
    _matcher["terms"] = matcher


def _text_hash(conn: Connection, version_id: int) -> str | None:
    """The version's stored text hash (:func:`miner.scoring.versions.text_hash`, the one owner of
    what counts as a change)."""
    return conn.execute(select(VERSIONS.c.text_hash).where(VERSIONS.c.id == version_id)).scalar()


@dataclass(frozen=True, slots=True)
class _Facts:
    """What the subscriptions are matched against."""

    event: Event  # NEW or CHANGED
    government: str
    domains: tuple[str, ...]
    score_change: int | None
    raised: frozenset[str]
    added: tuple[tuple[str, str], ...]  # (text, language) of paragraphs new in this version


def _previous_version(conn: Connection, document_id: int, version_id: int) -> int | None:
    """The latest earlier version of the document that has paragraphs (was read)."""
    has_text = select(PARAGRAPHS.c.id).where(PARAGRAPHS.c.version_id == VERSIONS.c.id).exists()
    return conn.execute(
        select(func.max(VERSIONS.c.id)).where(
            VERSIONS.c.document_id == document_id, VERSIONS.c.id < version_id, has_text
        )
    ).scalar()


def _paragraphs(conn: Connection, version_id: int) -> list[tuple[str, str]]:
    q = select(PARAGRAPHS.c.text, PARAGRAPHS.c.language).where(PARAGRAPHS.c.version_id == version_id)
    return [(r.text, r.language) for r in conn.execute(q.order_by(PARAGRAPHS.c.idx))]


def _latest_analysis(conn: Connection, version_id: int) -> tuple[int | None, set[str]]:
    """The score and flag codes of the version's latest analysis."""
    row = conn.execute(
        select(ANALYSES.c.id, ANALYSES.c.score)
        .where(ANALYSES.c.version_id == version_id)
        .order_by(ANALYSES.c.id.desc())
        .limit(1)
    ).first()
    if row is None:
        return None, set()
    codes = {c for (c,) in conn.execute(select(FLAGS.c.code).where(FLAGS.c.analysis_id == row.id))}
    return row.score, codes


def _terms(conn: Connection, watchlist: str) -> list[tuple[str, str]]:
    q = (
        select(WATCHLIST_TERMS.c.term, WATCHLIST_TERMS.c.language)
        .select_from(WATCHLIST_TERMS.join(WATCHLISTS, WATCHLISTS.c.id == WATCHLIST_TERMS.c.watchlist_id))
        .where(WATCHLISTS.c.name == watchlist)
    )
    return [(r.term, r.language) for r in conn.execute(q)]


def _matches(conn: Connection, sub: Subscription, facts: _Facts) -> bool:
    if sub.government and sub.government != facts.government:
        return False
    if sub.domain and sub.domain not in facts.domains:
        return False
    moved = facts.score_change
    if (
        sub.min_score_change is not None
        and facts.event is Event.CHANGED
        and (moved is None or abs(moved) < sub.min_score_change)
    ):
        return False
    if sub.event in (Event.NEW, Event.CHANGED):
        return sub.event is facts.event
    if sub.event is Event.FLAG:
        return sub.argument in facts.raised
    if sub.event is Event.TERM:
        terms = _terms(conn, sub.argument)
        return bool(terms) and any(_matcher["terms"](t, lang, terms) for t, lang in facts.added)
    return False


def _payload(
    conn: Connection, version_id: int, analysis: Analysis, facts: _Facts, previous_score: int | None
) -> dict[str, Any]:
    doc = conn.execute(
        select(
            DOCUMENTS.c.id, DOCUMENTS.c.url, DOCUMENTS.c.government, VERSIONS.c.title, VERSIONS.c.published
        )
        .select_from(VERSIONS.join(DOCUMENTS, DOCUMENTS.c.id == VERSIONS.c.document_id))
        .where(VERSIONS.c.id == version_id)
    ).one()
    quotes = [e for f in analysis.flags if f.code in facts.raised for e in f.evidence]
    quotes += [e for e in analysis.evidence if e.counted and not e.negated]
    seen: set[tuple[int, str]] = set()
    evidence = []
    for e in quotes:
        if (e.paragraph, e.text) in seen:
            continue
        seen.add((e.paragraph, e.text))
        evidence.append(
            {
                "quote": e.text,
                "page": e.page,
                "paragraph": e.paragraph,
                "dimension": e.dimension,
                "term": e.term,
            }
        )
        if len(evidence) == MAX_QUOTES:
            break
    return {
        "document_id": int(doc.id),
        "version_id": version_id,
        "url": doc.url,
        "title": analysis.title or doc.title or doc.url,
        "government": doc.government,
        "published": doc.published.isoformat() if doc.published else None,
        "score": analysis.score if analysis.scored else None,
        "previous_score": previous_score,
        "flags": [{"code": f.code, "severity": f.severity, "reason": f.reason} for f in analysis.flags],
        "raised_flags": sorted(facts.raised),
        "evidence": evidence,
    }


def plan_alerts(conn: Connection, version_id: int, analysis: Analysis) -> int:
    """Write the outbox rows this analysis causes, in the caller's transaction; how many were new."""
    subs = [s for s in all_subscriptions(conn) if s.event is not Event.REPORT]
    if not subs or analysis.error is not None:
        return 0
    document_id = conn.execute(select(VERSIONS.c.document_id).where(VERSIONS.c.id == version_id)).scalar_one()
    mine = _paragraphs(conn, version_id)
    previous = _previous_version(conn, document_id, version_id)
    flags = {f.code for f in analysis.flags}
    previous_score: int | None = None
    if previous is None:
        event, raised, added = Event.NEW, flags, mine
    else:
        before = _paragraphs(conn, previous)
        mine_hash = _text_hash(conn, version_id)
        if mine_hash is not None and mine_hash == _text_hash(conn, previous):
            return 0
        previous_score, previous_flags = _latest_analysis(conn, previous)
        old = {versions.normalise(t) for t, _ in before}
        event, raised = Event.CHANGED, flags - previous_flags
        added = [(t, lang) for t, lang in mine if versions.normalise(t) not in old]
    raised -= dismissed_codes(conn, document_id)
    score = analysis.score if analysis.scored else None
    facts = _Facts(
        event=event,
        government=conn.execute(
            select(DOCUMENTS.c.government).where(DOCUMENTS.c.id == document_id)
        ).scalar_one(),
        domains=tuple(analysis.domains),
        score_change=None if score is None or previous_score is None else score - previous_score,
        raised=frozenset(raised),
        added=tuple(added),
    )
    chosen = [s for s in subs if _matches(conn, s, facts)]
    if not chosen:
        return 0
    payload = _payload(conn, version_id, analysis, facts, previous_score)
    stamp = now()
    written = 0
    for sub in chosen:
        feed = sub.channel is Channel.FEED
        what = Event.FLAG if sub.event is Event.FLAG else event
        row = {
            "subscription_id": sub.id,
            "version_id": version_id,
            "channel": str(sub.channel),
            "event": str(what),
            "payload": {**payload, "event": str(what), "subscription": sub.name},
            "state": str(OutboxState.DELIVERED if feed else OutboxState.PENDING),
            "attempts": 0,
            "due_at": stamp,
            "created_at": stamp,
            "delivered_at": stamp if feed else None,
        }
        stmt = upsert(conn, OUTBOX).values(**row)
        stmt = stmt.on_conflict_do_nothing(index_elements=["version_id", "subscription_id", "channel"])
        written += conn.execute(stmt).rowcount or 0
    return written
