"""The outbox is written with the analysis that causes it: one alert per event and subscription,
never for a version whose text did not change, never twice for the same version."""

from __future__ import annotations

from dataclasses import replace

from helpers import FLEMISH, NEWS, PLAN, PLAN_URL, PLAN_WITHOUT, WALLOON, outbox, store, subscribe

from miner import watchlists
from miner.records import Paragraph


def test_new_changed_and_raised_flags_reach_the_subscriptions_that_ask(store_url: str) -> None:
    ws = store(store_url)
    subscribe(ws, "all-new", "new")
    subscribe(ws, "changes", "changed")
    subscribe(ws, "walloon-new", "new", government="walloon")
    subscribe(ws, "ignored", "flag:ignores_migration_background")
    subscribe(ws, "big-moves", "changed", min_score_change=90)
    ws.store(FLEMISH, PLAN_URL, b"plan v1", PLAN)
    first = outbox(ws, "all-new")
    assert [e["event"] for e in first] == ["new"]
    alert = first[0]["payload"]
    assert alert["title"] == "Actieplan werk en inburgering" and alert["government"] == "flemish"
    assert alert["url"] == PLAN_URL and alert["previous_score"] is None
    assert alert["evidence"] and all(q["quote"] and q["paragraph"] is not None for q in alert["evidence"])
    assert outbox(ws, "changes") == [] and outbox(ws, "walloon-new") == []
    # A layout change only: other bytes (a new version), the same text with other white space.
    spaced = replace(
        PLAN, paragraphs=tuple(replace(p, text="  " + p.text.replace(" ", "  ")) for p in PLAN.paragraphs)
    )
    ws.store(FLEMISH, PLAN_URL, b"plan v1, new markup", spaced)
    assert outbox(ws, "changes") == []
    # The chapter on migrants dropped: a change, with the score before, and the flag it raises.
    ws.store(FLEMISH, PLAN_URL, b"plan v2", PLAN_WITHOUT)
    changed = outbox(ws, "changes")
    assert [e["event"] for e in changed] == ["changed"]
    payload = changed[0]["payload"]
    assert payload["previous_score"] is not None and payload["score"] < payload["previous_score"]
    flagged = outbox(ws, "ignored")
    assert [e["event"] for e in flagged] == ["flag"]
    assert "ignores_migration_background" in flagged[0]["payload"]["raised_flags"]
    # The score moved less than 90 points: not for the subscription that asked for more.
    assert outbox(ws, "big-moves") == []
    # The same analysis stored again (a redelivered task): nothing new.
    ws.store(FLEMISH, PLAN_URL, b"plan v2", PLAN_WITHOUT)
    assert len(outbox(ws, "changes")) == 1 and len(outbox(ws, "ignored")) == 1
    # Another government's new document reaches only the subscriptions without that filter excluding it.
    ws.store(WALLOON, "http://127.0.0.1:1/wal-emploi/news.html", b"news", NEWS)
    assert len(outbox(ws, "walloon-new")) == 1 and len(outbox(ws, "all-new")) == 2


def test_a_watchlist_term_matches_word_forms_in_new_paragraphs(store_url: str) -> None:
    ws = store(store_url)
    watchlists.add_terms(ws.repo, "inburgering", ["nl:nieuwkomer", "fr:primo-arrivant"])
    subscribe(ws, "terms", "term:inburgering")
    ws.store(FLEMISH, "http://127.0.0.1:1/vl-werk/news.html", b"news", NEWS)
    assert outbox(ws, "terms") == []  # no newcomer in it
    ws.store(FLEMISH, PLAN_URL, b"plan v1", PLAN)  # "Nieuwkomers": the plural of the term
    assert [e["event"] for e in outbox(ws, "terms")] == ["new"]
    # A change whose added paragraph does not name the term is not an alert for it.
    more = replace(
        PLAN, paragraphs=(*PLAN.paragraphs, Paragraph(3, "Scholen krijgen extra middelen.", None, "nl"))
    )
    ws.store(FLEMISH, PLAN_URL, b"plan v1 and more", more)
    assert len(outbox(ws, "terms")) == 1


def test_a_dismissed_flag_is_not_alerted_again(store_url: str) -> None:
    ws = store(store_url)
    ws.store(FLEMISH, PLAN_URL, b"plan v1", PLAN)
    doc = ws.repo.documents_by_url([PLAN_URL])[PLAN_URL].id
    ws.repo.add_review(
        doc, "ignores_migration_background", "dismissed", reviewer="analyst", note="covered elsewhere"
    )
    subscribe(ws, "ignored", "flag:ignores_migration_background")
    ws.store(FLEMISH, PLAN_URL, b"plan v2", PLAN_WITHOUT)
    assert outbox(ws, "ignored") == []
