"""The HTTP API over a real store (SQLite and PostgreSQL): the list's filters, order, paging and
total, one document with its evidence, exports, sources, mentions and trends."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import pytest
from webclient import TestClient
from webstore import WebStore

from miner.web.routers.documents import EXPORT_FIELDS, _csv_cell

FIELDS = {"id", "url", "title", "government", "language", "published", "score", "flags"}


def _all(client: TestClient, query: str = "", limit: int = 7) -> list[dict[str, Any]]:
    """Every item of the list, walking the cursor; checks each page's total and size on the way."""
    items: list[dict[str, Any]] = []
    cursor = None
    total = None
    while True:
        url = f"/api/documents?limit={limit}&{query}" + (f"&cursor={cursor}" if cursor else "")
        page = client.get(url).json()
        assert total in (None, page["total"]) and len(page["items"]) <= limit
        total = page["total"]
        items += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert len(items) == total
    return items


def test_list_items_total_and_every_page_once(client: TestClient, filled: WebStore) -> None:
    first = client.get("/api/documents").json()
    assert first["total"] == len(filled.repo.documents()) and first["limit"] == 50
    assert all(set(d) >= FIELDS and d["link"] == f"/documents/{d['id']}" for d in first["items"])
    items = _all(client)
    assert len({d["id"] for d in items}) == len(items)
    # Default order: most recently stored or changed first (the changed plan was stored last but
    # one batch: its updated_at moved when its second version came).
    stamps = [d["updated_at"] for d in items]
    assert stamps == sorted(stamps, reverse=True)
    # Offset paging reads the same order.
    page2 = client.get("/api/documents?limit=5&offset=5").json()
    assert [d["id"] for d in page2["items"]] == [d["id"] for d in items[5:10]]


@pytest.mark.parametrize(
    ("query", "problem"),
    [
        ("limit=201", "limit"),
        ("limit=0", "limit"),
        ("offset=-1", "offset"),
        ("government=mars", "government"),
        ("score_min=x", "score_min"),
        ("score_min=101", "score_min"),
        ("published_from=2024-13-01", "published_from"),
        ("sort=colour", "sort"),
        ("flag=nonsense", "flag"),
        ("cursor=abc&offset=3", "cursor"),
        ("score_min=80&score_max=10", "score_min"),
        ("cursor=not-a-cursor", "cursor"),
    ],
)
def test_invalid_queries_are_clear_422s(client: TestClient, query: str, problem: str) -> None:
    r = client.get(f"/api/documents?{query}")
    assert r.status_code == 422, r.text
    assert problem in r.text
    assert isinstance(r.json()["detail"], list)


def test_a_cursor_of_another_order_is_refused(client: TestClient) -> None:
    cursor = client.get("/api/documents?limit=2&sort=score").json()["next_cursor"]
    assert client.get(f"/api/documents?limit=2&sort=score&cursor={cursor}").status_code == 200
    r = client.get(f"/api/documents?limit=2&sort=title&cursor={cursor}")
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["query", "cursor"]


def test_filters(client: TestClient, filled: WebStore) -> None:
    def ids(query: str) -> set[int]:
        return {d["id"] for d in _all(client, query)}

    ids_ = filled.ids
    assert ids("government=walloon") == {ids_["fr"]}
    assert ids("source=fed") == {ids_["news"]}
    assert ids_["fr"] in ids("language=fr") and ids_["plan"] not in ids("language=fr")
    assert ids("q=primo-arrivants") == {ids_["fr"]}  # in the text
    assert ids("q=BELEIDSNOTA") == {ids_["pdf"]}  # in the title, any case
    assert ids("published_from=2024-01-01&published_to=2024-12-31") == {ids_["plan"], ids_["news"]}
    assert ids("published_to=2022-12-31") == {ids_["fr"]}
    news = client.get(f"/api/documents/{ids_['news']}").json()
    flagged_news = ids("flag=ignores_migration_background")
    assert ids_["news"] in flagged_news and ids_["fr"] not in flagged_news
    assert all(d["flags"] for d in _all(client, "flagged=true"))
    assert all(not d["flags"] for d in _all(client, "flagged=false"))
    scored = _all(client, "score_min=40&score_max=90")
    assert scored and all(40 <= d["score"] <= 90 for d in scored)
    assert news["score"] is not None
    employment = ids("domain=employment")
    assert ids_["news"] in employment and ids_["broken"] not in employment


def test_sorts(client: TestClient) -> None:
    scores = [d["score"] if d["score"] is not None else -1 for d in _all(client, "sort=score")]
    assert scores == sorted(scores, reverse=True)
    ascending = [d["score"] if d["score"] is not None else -1 for d in _all(client, "sort=score&order=asc")]
    assert ascending == sorted(ascending)
    dates = [d["published"] or "0001-01-01" for d in _all(client, "sort=published")]
    assert dates == sorted(dates, reverse=True) and dates[0] == "2024-09-01"
    urls = [d["url"] for d in _all(client, "sort=url")]
    assert urls == sorted(urls) or len(urls) == len(set(urls))  # the database's collation orders them
    assert len(_all(client, "sort=title")) == client.get("/api/documents").json()["total"]


def test_one_document_explains_its_score(client: TestClient, filled: WebStore) -> None:
    doc = client.get(f"/api/documents/{filled.ids['pdf']}").json()
    assert doc["kind"] == "pdf" and doc["page_count"] == 3 and doc["language"] == "nl"
    assert {e["page"] for e in doc["evidence"]} <= {1, 2, 3} and any(e["page"] == 2 for e in doc["evidence"])
    assert all(isinstance(e["paragraph"], int) and e["text"] for e in doc["evidence"])
    assert doc["dimensions"] and all(d["reason"] and d["label"] for d in doc["dimensions"])
    for flag in doc["flags"]:
        assert flag["reason"] and flag["title"] and not flag["dismissed"]
        assert all(isinstance(e["page"], int) for e in flag["evidence"])
    assert doc["permalink"] == f"/documents/{doc['id']}?version={doc['version']['id']}"
    assert doc["versions"][0]["current"] and doc["version_count"] == 1


def test_versions_and_permalinks(client: TestClient, filled: WebStore) -> None:
    plan = client.get(f"/api/documents/{filled.ids['plan']}").json()
    assert plan["version_count"] == 2 and plan["published"] == "2024-09-01"
    assert [c["title"] for c in plan["chapters"]] == ["1. Werk"]  # the current version dropped chapter 2
    old = next(v for v in plan["versions"] if not v["current"])
    before = client.get(old["link"].replace("/documents/", "/api/documents/")).json()
    assert before["version"]["id"] == old["id"] and before["published"] == "2023-03-01"
    assert not before["version"]["current"] and before["permalink"] == old["link"]
    other = client.get(f"/api/documents/{filled.ids['fr']}").json()["version"]["id"]
    assert client.get(f"/api/documents/{filled.ids['plan']}?version={other}").status_code == 404
    assert client.get("/api/documents/999999").status_code == 404
    assert client.get("/api/documents/0").status_code == 422


def test_exports_stream_the_filtered_list(client: TestClient) -> None:
    listed = _all(client, "government=flemish")
    r = client.get("/api/export/documents.csv?government=flemish")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert [int(row["id"]) for row in rows] == [d["id"] for d in listed]
    assert list(rows[0]) == list(EXPORT_FIELDS)
    exported = json.loads(client.get("/api/export/documents.json?government=flemish").text)
    assert [d["id"] for d in exported] == [d["id"] for d in listed]
    assert len(json.loads(client.get("/api/export/documents.json?limit=2").text)) == 2
    lines = client.get("/api/export/documents.jsonl?government=flemish")
    assert lines.headers["content-type"].startswith("application/jsonl")
    assert [json.loads(line) for line in lines.text.splitlines()] == exported
    hostile = list(
        csv.DictReader(io.StringIO(client.get("/api/export/documents.csv?government=brussels").text))
    )
    assert hostile and all(not row["title"].startswith(("=", "+", "-", "@")) for row in hostile)


def test_csv_cells_that_a_spreadsheet_would_run_are_quoted() -> None:
    assert _csv_cell('=HYPERLINK("http://x")') == '\'=HYPERLINK("http://x")'
    assert _csv_cell("+1") == "'+1" and _csv_cell("@SUM(A1)") == "'@SUM(A1)"
    assert _csv_cell(["a", "b"]) == "a;b" and _csv_cell(None) == "" and _csv_cell(True) == "true"


def test_sources_health(client: TestClient) -> None:
    sources = {s["id"]: s for s in client.get("/api/sources").json()["items"]}
    assert sources["vl-werk"]["status"] == "ok" and sources["vl-werk"]["documents"] == 2
    hostile = sources["hostile"]
    assert hostile["status"] == "failing" and hostile["failures"] == 1
    assert "start URL unreachable" in hostile["last_run"]["error"] and "HTTP 500" in hostile["last_failure"]


def test_mentions_with_counts_per_government_and_year(client: TestClient, filled: WebStore) -> None:
    found = client.get("/api/mentions?term=nieuwkomers").json()
    assert found["total"] == len(found["items"]) > 0
    assert sum(c["count"] for c in found["counts"]) == found["total"]
    plan = [m for m in found["items"] if m["document_id"] == filled.ids["plan"]]
    assert plan and plan[0]["year"] == 2024 and plan[0]["match"].lower() == "nieuwkomers"
    assert plan[0]["link"].startswith(f"/documents/{filled.ids['plan']}")
    only = client.get("/api/mentions?term=nieuwkomers&government=flemish").json()
    assert only["items"] and {m["government"] for m in only["items"]} == {"flemish"}
    assert client.get("/api/mentions?term=").status_code == 422
    assert client.get("/api/mentions").status_code == 422


def test_trends_per_government_and_year(client: TestClient, filled: WebStore) -> None:
    trends = client.get("/api/trends").json()
    totals = {t["government"]: t for t in trends["totals"]}
    assert sum(t["documents"] for t in totals.values()) == len(filled.repo.documents())
    assert totals["walloon"]["documents"] == 1 and totals["walloon"]["mean_score"] is not None
    for t in totals.values():
        rows = [r for r in trends["rows"] if r["government"] == t["government"]]
        assert sum(r["documents"] for r in rows) == t["documents"]
