"""Reviews of flags: confirmed or dismissed with a note, by a token's name, shown on the document's
page; the latest is in force, and a dismissed flag is known to the store (alerts skip it)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from typer.testing import CliRunner
from webclient import client_for
from webstore import WebStore

from miner.cli import _register, app
from miner.config import get_settings
from miner.evaluate_reviews import review_figures
from miner.store.reviews import ReviewLabel


def test_a_review_through_the_api_and_the_form(fresh: WebStore) -> None:
    client = client_for(fresh.url)
    doc_id = fresh.ids["news"]
    token = fresh.repo.create_token("watchdog")
    headers = {"Authorization": f"Bearer {token}"}
    flag = client.get(f"/api/documents/{doc_id}").json()["flags"][0]["code"]
    assert not fresh.repo.is_dismissed(doc_id, flag)
    made = client.post(
        f"/api/documents/{doc_id}/reviews",
        json={"flag": flag, "decision": "dismissed", "note": "The annex names newcomers (p. 4)."},
        headers=headers,
    )
    assert made.status_code == 201, made.text
    assert made.json()["reviewer"] == "watchdog" and made.json()["decision"] == "dismissed"
    assert fresh.repo.is_dismissed(doc_id, flag)
    doc = client.get(f"/api/documents/{doc_id}").json()
    shown = next(f for f in doc["flags"] if f["code"] == flag)
    assert shown["dismissed"] and shown["review"]["note"] == "The annex names newcomers (p. 4)."
    listed = client.get("/api/documents?source=fed").json()["items"][0]
    assert listed["dismissed_flags"] == [flag]
    # The page's form, with the token in its field: the latest review is in force.
    form = {"token": token, "flag": flag, "decision": "confirmed", "note": "Reply received; flag stands."}
    r = client.post(f"/documents/{doc_id}/reviews", data=form, follow_redirects=False)
    assert (
        r.status_code == 303 and r.headers["location"] == f"/documents/{doc_id}?reviewed={flag}#flag-{flag}"
    )
    assert not fresh.repo.is_dismissed(doc_id, flag)
    page = client.get(r.headers["location"]).text
    assert "Reply received; flag stands." in page and "The annex names newcomers (p. 4)." in page
    assert "watchdog" in page and 'role="status"' in page
    history = client.get(f"/api/documents/{doc_id}/reviews").json()
    assert [h["decision"] for h in history] == ["dismissed", "confirmed"]
    labels = list(fresh.repo.iter_review_labels())
    assert [(label.flag_code, label.confirmed) for label in labels] == [(flag, True)]
    assert labels[0].content_hash == fresh.repo.document_detail(doc_id).version.content_hash  # type: ignore[union-attr]


def test_a_review_must_name_a_flag_the_document_raises(fresh: WebStore) -> None:
    client = client_for(fresh.url)
    headers = {"Authorization": f"Bearer {fresh.repo.create_token('analyst')}"}
    doc_id = fresh.ids["news"]
    r = client.post(
        f"/api/documents/{doc_id}/reviews", json={"flag": "made_up", "decision": "confirmed"}, headers=headers
    )
    assert r.status_code == 422
    r = client.post(
        "/api/documents/999999/reviews", json={"flag": "x", "decision": "confirmed"}, headers=headers
    )
    assert r.status_code == 404
    r = client.post(
        f"/api/documents/{doc_id}/reviews", json={"flag": "x", "decision": "maybe"}, headers=headers
    )
    assert r.status_code == 422
    r = client.post(
        f"/api/documents/{doc_id}/reviews",
        json={"flag": "x", "decision": "confirmed", "note": "n" * 5000},
        headers=headers,
    )
    assert r.status_code == 422
    assert fresh.repo.reviews(doc_id) == []


def test_miner_evaluate_counts_reviews_as_gold_labels_of_flags(
    fresh: WebStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = client_for(fresh.url)
    token = fresh.repo.create_token("analyst")
    headers = {"Authorization": f"Bearer {token}"}
    raised = []
    for key in fresh.ids:
        doc_id = fresh.ids[key]
        for flag in client.get(f"/api/documents/{doc_id}").json()["flags"]:
            raised.append((doc_id, flag["code"]))
    assert len(raised) >= 2
    # The first flag is dismissed, then confirmed (the later review is in force); the others dismissed.
    (first_doc, first_flag), rest = raised[0], raised[1:]
    for decision in ("dismissed", "confirmed"):
        body = {"flag": first_flag, "decision": decision}
        assert (
            client.post(f"/api/documents/{first_doc}/reviews", json=body, headers=headers).status_code == 201
        )
    for doc_id, flag in rest:
        body = {"flag": flag, "decision": "dismissed"}
        assert client.post(f"/api/documents/{doc_id}/reviews", json=body, headers=headers).status_code == 201
    _register()
    monkeypatch.setenv("MINER_DATABASE_URL", fresh.url)
    get_settings.cache_clear()
    try:
        runner = CliRunner()
        made = runner.invoke(app, ["evaluate", "--only-reviews", "--format", "json"])
        assert made.exit_code == 0, made.output
        found = json.loads(made.stdout)["reviews"]
        assert found["labels"] == len(raised)
        assert found["all"]["confirmed"] == 1 and found["all"]["dismissed"] == len(raised) - 1
        assert found["all"]["precision"] == round(1 / len(raised), 4) and found["all"]["reviewers"] == 1
        assert found["flags"][first_flag]["confirmed"] == 1
        table = runner.invoke(app, ["evaluate", "--only-reviews"])
        assert (
            table.exit_code == 0
            and "flags reviewed by analysts" in table.stdout
            and first_flag in table.stdout
        )
    finally:
        get_settings.cache_clear()


def test_review_precision_pools_with_the_plan_passages() -> None:
    stamp = datetime(2026, 11, 30, tzinfo=UTC)
    labels = [
        ReviewLabel(1, "http://a/1", "h1", "no_targets", True, "ann", stamp),
        ReviewLabel(2, "http://a/2", "h2", "no_targets", False, "bob", stamp),
        ReviewLabel(2, "http://a/2", "h2", "no_gender_lens", True, "bob", stamp),
    ]
    plan = {
        "no_targets": {"predicted": 4, "precision": 0.75},
        "no_gender_lens": {"predicted": 0, "precision": None},
    }
    found = review_figures(labels, plan)
    assert found["flags"]["no_targets"]["precision"] == 0.5 and found["flags"]["no_targets"]["reviewers"] == 2
    # 3 of 4 raised on the plan passages and 1 of 2 reviewed were right: 4 of 6.
    assert found["flags"]["no_targets"]["pooled_with_plans"] == {"raised": 6, "precision": 0.6667}
    assert found["flags"]["no_gender_lens"]["pooled_with_plans"] is None
    assert found["all"] == {
        "reviewed": 3,
        "confirmed": 2,
        "dismissed": 1,
        "precision": 0.6667,
        "documents": 2,
        "reviewers": 2,
    }
    assert review_figures([])["all"]["precision"] is None
