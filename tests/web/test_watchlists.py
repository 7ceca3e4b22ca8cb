"""Watchlists over HTTP: read openly, made and removed with a write token, the same lists as
``miner watchlist``'s (one library), shown on the mentions page with a form to add terms."""

from __future__ import annotations

from webclient import client_for
from webstore import WebStore

from miner import watchlists as wl


def test_watchlists_are_made_read_and_removed_through_the_api(fresh: WebStore) -> None:
    client = client_for(fresh.url)
    headers = {"Authorization": f"Bearer {fresh.repo.create_token('analyst')}"}
    assert client.get("/api/watchlists").json() == []
    body = {"name": "onthaal", "terms": ["inburgering", "nl:inburgeringstraject", "fr:primo-arrivant"]}
    made = client.post("/api/watchlists", json=body, headers=headers)
    assert made.status_code == 201, made.text
    assert made.json()["terms"] == [
        {"term": "inburgering", "language": ""},
        {"term": "inburgeringstraject", "language": "nl"},
        {"term": "primo-arrivant", "language": "fr"},
    ]
    assert made.json()["mentions"][1] == "/api/mentions?term=nl:inburgeringstraject"
    # Adding a term it holds already adds nothing; the command line reads the same list.
    again = client.post(
        "/api/watchlists", json={"name": "onthaal", "terms": ["inburgering", "VDAB"]}, headers=headers
    )
    assert [t["term"] for t in again.json()["terms"]] == [
        "inburgering",
        "inburgeringstraject",
        "primo-arrivant",
        "VDAB",
    ]
    found = wl.get_watchlist(fresh.repo, "onthaal")
    assert found is not None and [str(t) for t in found.terms][:2] == [
        "inburgering",
        "nl:inburgeringstraject",
    ]
    assert [w["name"] for w in client.get("/api/watchlists").json()] == ["onthaal"]
    assert client.get("/api/watchlists/onthaal").json()["name"] == "onthaal"
    assert client.get("/api/watchlists/nothing").status_code == 404
    # The mentions a watchlist's address gives are a term's mentions.
    mentions = client.get(again.json()["mentions"][3])
    assert mentions.status_code == 200 and mentions.json()["total"] >= 1
    # Removing terms, then the list.
    gone = client.delete("/api/watchlists/onthaal?term=VDAB&term=fr:primo-arrivant", headers=headers)
    assert gone.status_code == 204
    assert len(client.get("/api/watchlists/onthaal").json()["terms"]) == 2
    assert client.delete("/api/watchlists/onthaal", headers=headers).status_code == 204
    assert client.get("/api/watchlists/onthaal").status_code == 404
    assert client.delete("/api/watchlists/onthaal", headers=headers).status_code == 404


def test_invalid_watchlists_are_clear_422s(fresh: WebStore) -> None:
    client = client_for(fresh.url)
    headers = {"Authorization": f"Bearer {fresh.repo.create_token('analyst')}"}
    for body in (
        {"name": "x", "terms": []},
        {"name": "", "terms": ["a"]},
        {"name": "   ", "terms": ["a"]},
        {"name": "x", "terms": ["  "]},
        {"name": "x" * 101, "terms": ["a"]},
        {"name": "x", "terms": ["a"], "extra": 1},
        {"terms": ["a"]},
    ):
        r = client.post("/api/watchlists", json=body, headers=headers)
        assert r.status_code == 422, body
        assert r.json()["detail"][0]["loc"][0] == "body"
    assert client.get("/api/watchlists").json() == []
    # Without a token, with a wrong one: refused, nothing made.
    assert client.post("/api/watchlists", json={"name": "x", "terms": ["a"]}).status_code == 401
    wrong = {"Authorization": "Bearer pm_wrong"}
    assert (
        client.post("/api/watchlists", json={"name": "x", "terms": ["a"]}, headers=wrong).status_code == 401
    )
    assert client.get("/api/watchlists").json() == []


def test_the_mentions_page_shows_watchlists_and_adds_terms(fresh: WebStore) -> None:
    client = client_for(fresh.url)
    token = fresh.repo.create_token("analyst")
    empty = client.get("/mentions")
    assert 'id="watchlists"' in empty.text and "No watchlists yet." in empty.text
    form = {"token": token, "name": "werk", "terms": "inburgeringstraject\nnl:VDAB, <b>x</b>"}
    r = client.post("/watchlists", data=form, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/mentions?watchlist=werk#watchlists"
    assert client.post("/watchlists", data={**form, "token": "wrong"}).status_code == 401
    page = client.get("/mentions?watchlist=werk")
    assert page.status_code == 200
    html = page.text
    assert 'href="/mentions?term=inburgeringstraject"' in html and 'href="/mentions?term=nl:VDAB"' in html
    assert "&lt;b&gt;x&lt;/b&gt;" in html and "<b>x</b>" not in html
    assert 'aria-current="page"' in html
    # The page searched every term of the list at once.
    assert "inburgeringstraject, nl:VDAB" in html and 'class="kwic"' in html
    nl = client.get("/mentions?watchlist=werk", headers={"Accept-Language": "nl"}).text
    assert "Volglijsten" in nl and "Termen aan een volglijst toevoegen" in nl
