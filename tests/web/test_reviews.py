"""Reviews of flags: confirmed or dismissed with a note, by a token's name, shown on the document's
page; the latest is in force, and a dismissed flag is known to the store (alerts skip it)."""

from __future__ import annotations

from webclient import client_for
from webstore import WebStore


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
