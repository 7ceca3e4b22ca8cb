"""Versions, the change between them and sources' health in the API and on the document page, over a
real store (SQLite and PostgreSQL) whose plan has a second version without its diversity chapter."""

from __future__ import annotations

import html

from webclient import TestClient
from webstore import NL_PLAN, WebStore


def test_versions_and_the_diff_of_a_changed_plan(client: TestClient, filled: WebStore) -> None:
    plan = filled.ids["plan"]
    versions = client.get(f"/api/documents/{plan}/versions").json()
    assert versions["document_id"] == plan
    items = versions["items"]
    assert [v["version"] for v in items] == [1, 2] and items[1]["changed"] is True
    assert set(items[0]) >= {"version", "fetched_at", "published", "content_hash", "score", "flags", "link"}
    assert items[0]["link"] == f"/documents/{plan}?version={items[0]['version_id']}"

    diff = client.get(f"/api/documents/{plan}/diff").json()
    assert (diff["from"]["version"], diff["to"]["version"], diff["changed"]) == (1, 2, True)
    assert [p["text"] for p in diff["paragraphs_removed"]] == [NL_PLAN[2]] and not diff["paragraphs_added"]
    assert {"score_before", "score_after", "flags_raised", "flags_cleared", "evidence_lost"} <= set(diff)
    same = client.get(f"/api/documents/{plan}/diff?from=2&to=2").json()
    assert same["changed"] is False and same["paragraphs_removed"] == []


def test_diff_errors_are_clear(client: TestClient, filled: WebStore) -> None:
    plan, pdf = filled.ids["plan"], filled.ids["pdf"]
    assert client.get(f"/api/documents/{pdf}/diff").status_code == 422  # one version only
    missing = client.get(f"/api/documents/{plan}/diff?from=9")
    assert missing.status_code == 404 and "no version 9" in missing.json()["detail"]
    assert client.get("/api/documents/999999/versions").status_code == 404
    assert client.get(f"/api/documents/{plan}/diff?from=0").status_code == 422


def test_the_document_page_shows_what_the_last_change_removed(client: TestClient, filled: WebStore) -> None:
    plan = filled.ids["plan"]
    page = client.get(f"/documents/{plan}", headers={"Accept-Language": "en"}).text
    assert "What this version changed" in page and html.escape(NL_PLAN[2], quote=False) in page
    nl = client.get(f"/documents/{plan}", headers={"Accept-Language": "nl"}).text
    assert "Wat deze versie veranderde" in nl
    fr = client.get(f"/documents/{plan}", headers={"Accept-Language": "fr"}).text
    assert "Ce que cette version a changé" in fr
    first = client.get(f"/documents/{plan}?version={filled.repo.history(plan)[0].version_id}").text
    assert "What this version changed" not in first  # the first version changed nothing


def test_sources_carry_their_health(client: TestClient) -> None:
    sources = client.get("/api/sources").json()["items"]
    assert sources and all(s["health"] is not None for s in sources)
    assert all(isinstance(s["health"]["found_per_run"], list) for s in sources)
    page = client.get("/sources", headers={"Accept-Language": "en"}).text
    assert "Found per run" in page
