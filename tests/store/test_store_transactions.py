"""Every public method of the store is exactly one transaction; states are spelled in one place."""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import bulk
from sqlalchemy import Engine, event
from test_store_repository import SOURCE, _analysis, _document, _extracted, _fetched

from miner.store import FrontierState, Outcome, Repository, UrlRole, open_repository
from miner.store.search import LanguageQuery, QueryWord
from miner.store.subscriptions import Event, Subscription
from miner.store.watchlists import StoredTerm

ROOT = Path(__file__).resolve().parents[2]
_QUERY = [LanguageQuery("nl", ((QueryWord("nieuwkomers", "nieuwkomer", True),),))]


@contextmanager
def transactions(engine: Engine) -> Iterator[list[int]]:
    begun: list[int] = []

    def begin(_conn: Any) -> None:
        begun.append(1)

    event.listen(engine, "begin", begin)
    try:
        yield begun
    finally:
        event.remove(engine, "begin", begin)


def _public_methods() -> set[str]:
    return {
        name
        for name, member in inspect.getmembers(Repository, inspect.isfunction)
        if not name.startswith("_") and not name.startswith("iter_")
    }


def test_every_public_method_is_one_transaction(store_url: str) -> None:
    repo = open_repository(store_url)
    bulk.fill(repo.engine, 3)
    repo.upsert_source(SOURCE)
    run_id = repo.start_run(SOURCE.id)
    run_url = _document(repo, run_id, "http://127.0.0.1:1/t.html")
    other = _document(repo, run_id, "http://127.0.0.1:1/u.html")
    item = repo.work_item(run_url)
    assert item is not None
    stored = repo.store_fetched(item, _fetched(item.url, b"t"), government="flemish")
    vid = stored.version_id or 0
    token = repo.create_token("t0")
    calls: dict[str, Callable[[], Any]] = {
        "upsert_source": lambda: repo.upsert_source(SOURCE),
        "get_source": lambda: repo.get_source(SOURCE.id),
        "start_run": lambda: repo.start_run(SOURCE.id),
        "run_info": lambda: repo.run_info(run_id),
        "mark_seeded": lambda: repo.mark_seeded(run_id),
        "fail_run": lambda: repo.fail_run(run_id, "x"),
        "note_run_error": lambda: repo.note_run_error(run_id, "x"),
        "pending": lambda: repo.pending([run_id]),
        "progress": lambda: repo.progress([run_id]),
        "summary": lambda: repo.summary([run_id]),
        "enqueue": lambda: repo.enqueue(
            run_id, SOURCE.id, "http://127.0.0.1:1/v", role=UrlRole.DOCUMENT, depth=1
        ),
        "enqueue_many": lambda: repo.enqueue_many(
            run_id, SOURCE.id, [("http://127.0.0.1:1/w", UrlRole.DOCUMENT)], depth=1, limit=10
        ),
        "known_items": lambda: repo.known_items([run_url, other]),
        "work_item": lambda: repo.work_item(run_url),
        "work_items": lambda: repo.work_items([run_url, other]),
        "store_not_modified_many": lambda: repo.store_not_modified_many(
            [(item, _fetched(item.url, b""), datetime.now(UTC))]
        ),
        "blob_head": lambda: repo.blob_head("0" * 64),
        "blob_heads": lambda: repo.blob_heads(["0" * 64]),
        "link_translation": lambda: repo.link_translation(item.url_id, "nl", ["http://127.0.0.1:1/u.html"]),
        "queued_items": lambda: repo.queued_items(run_id),
        "queued_children": lambda: repo.queued_children(run_url),
        "finish_item": lambda: repo.finish_item(run_url, state=FrontierState.DONE, outcome=Outcome.NEW),
        "log_fetch": lambda: repo.log_fetch(url=item.url, started_at=datetime.now(UTC)),
        "store_fetched": lambda: repo.store_fetched(item, _fetched(item.url, b"t"), government="flemish"),
        "store_not_modified": lambda: repo.store_not_modified(item),
        "blob": lambda: repo.blob("0" * 64),
        "version_info": lambda: repo.version_info(vid),
        "store_analysis": lambda: repo.store_analysis(vid, _extracted(), _analysis("h")),
        "versions_to_rescore": lambda: repo.versions_to_rescore("r9", "m1"),
        "versions_to_rescore_page": lambda: repo.versions_to_rescore_page("r9", "m1", limit=2),
        "dead_letter": lambda: repo.dead_letter(
            task="t", subject="s", key="t:1", error_code="e", message="m", run_url_id=other, version_id=vid
        ),
        "dead_letters": lambda: repo.dead_letters(),
        "dead_letters_page": lambda: repo.dead_letters_page(limit=1),
        "documents": lambda: repo.documents(),
        "documents_page": lambda: repo.documents_page(limit=2),
        "search": lambda: repo.search(_QUERY, limit=1),
        "search_page": lambda: repo.search_page(_QUERY, limit=1),
        "search_totals": lambda: repo.search_totals(_QUERY),
        "facts_page": lambda: repo.facts_page(evidence=True, limit=2),
        "add_watchlist_terms": lambda: repo.add_watchlist_terms("w", [StoredTerm("nieuwkomers")]),
        "watchlist": lambda: repo.watchlist("w"),
        "watchlists": lambda: repo.watchlists(),
        "remove_watchlist": lambda: repo.remove_watchlist("w"),
        "row_counts": lambda: repo.row_counts(),
        "browse": lambda: repo.browse(limit=2),
        "ping": lambda: repo.ping(),
        "document_detail": lambda: repo.document_detail(1),
        "recent_versions": lambda: repo.recent_versions(),
        "sources_health": lambda: repo.sources_health(),
        "source_names": lambda: repo.source_names(),
        "documents_by_url": lambda: repo.documents_by_url([bulk.url_of(0)]),
        "create_token": lambda: repo.create_token("t1"),
        "tokens": lambda: repo.tokens(),
        "revoke_token": lambda: repo.revoke_token("t0"),
        "token_for": lambda: repo.token_for(token),
        "add_review": lambda: repo.add_review(1, "no-targets", "confirmed", reviewer="t0"),
        "reviews": lambda: repo.reviews(1),
        "reviews_of": lambda: repo.reviews_of([1]),
        "is_dismissed": lambda: repo.is_dismissed(1, "no-targets"),
        "review_labels_page": lambda: repo.review_labels_page(limit=1),
        "version_text": lambda: repo.version_text(vid),
        "previous_version_text": lambda: repo.previous_version_text(vid),
        "document_for_url": lambda: repo.document_for_url(item.url),
        "history": lambda: repo.history(1),
        "run_documents": lambda: repo.run_documents([run_id]),
        "source_yields": lambda: repo.source_yields(),
        "back_off_url": lambda: repo.back_off_url(item.url_id, base=60, cap=600),
        "add_subscription": lambda: repo.add_subscription(Subscription("s", Event.NEW)),
        "subscriptions": lambda: repo.subscriptions(),
        "subscription": lambda: repo.subscription("s"),
        "add_report_alert": lambda: repo.add_report_alert("s", "weekly:2026-W49", {"title": "t"}),
        "alerts_due": lambda: repo.alerts_due(),
        "claim_alert": lambda: repo.claim_alert(1, 60),
        "alert_delivered": lambda: repo.alert_delivered([1]),
        "alert_failed": lambda: repo.alert_failed(1, "x", retry_in=None),
        "release_alerts": lambda: repo.release_alerts([1], "x"),
        "claim_digest": lambda: repo.claim_digest("s", 60),
        "alert_state": lambda: repo.alert_state(1),
        "feed_entries": lambda: repo.feed_entries("s"),
        "remove_subscription": lambda: repo.remove_subscription("s"),
    }
    assert set(calls) == _public_methods(), "a public method has no transaction check"
    for name, call in calls.items():
        with transactions(repo.engine) as begun:
            call()
        assert len(begun) == 1, f"{name} opened {len(begun)} transactions"
    # The streams open one per page: four documents, one a page, are four transactions.
    with transactions(repo.engine) as begun:
        assert len(list(repo.iter_documents(page_size=1))) == 4
    assert len(begun) == 4


def test_states_are_spelled_only_by_their_enums() -> None:
    """No module names a frontier state by its string, nor passes a state, outcome, role or trigger
    to the store as a string literal: it names the enum member."""
    pattern = re.compile(r"""["'](queued|analysing)["']|\b(state|outcome|role|trigger)=["']""")
    offenders = [
        f"{path.relative_to(ROOT)}:{n}"
        for folder in ("miner", "workers")
        for path in sorted((ROOT / folder).rglob("*.py"))
        if path.name != "states.py" and "migrations" not in path.parts
        for n, line in enumerate(path.read_text().splitlines(), start=1)
        if pattern.search(line)
    ]
    assert offenders == []
