"""Storing documents for the alerts' tests: real texts analysed by the real pipeline, stored the way
a crawl stores them (:class:`webstore.WebStore`), so the outbox is written by the real store."""

from __future__ import annotations

from dataclasses import replace

from webstore import NL_NEWS, NL_PLAN, WebStore, _html, _source

from miner.alerts import subscriptions as subs
from miner.store import open_repository
from miner.store.subscriptions import Subscription

FLEMISH = _source("vl-werk", "flemish")
WALLOON = _source("wal-emploi", "walloon")
PLAN_URL = "http://127.0.0.1:1/vl-werk/actieplan.html"
PLAN = _html("Actieplan werk en inburgering", NL_PLAN)
NEWS = _html("Nieuw actieplan werk", NL_NEWS)
#: The plan rewritten without its paragraphs on migrants: the score falls, and it now sets out
#: measures for target groups that never name migrants (``ignores_migration_background``).
PLAN_WITHOUT = replace(NEWS, title=PLAN.title)


def store(url: str) -> WebStore:
    return WebStore(url, open_repository(url))


def subscribe(ws: WebStore, name: str, on: str, **kw: object) -> Subscription:
    kw.setdefault("feed", True)
    return subs.subscribe(ws.repo, subs.make_subscription(name, on, **kw))  # type: ignore[arg-type]


def outbox(ws: WebStore, name: str) -> list[dict[str, object]]:
    found = ws.repo.feed_entries(name, 1000)
    assert found is not None
    return found[1]
