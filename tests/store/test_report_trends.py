"""Trend reports and exports over a real store: unscored documents counted apart, publication years,
two groupings, coverage, levels per government, and exports streamed page by page."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, date, datetime
from typing import Any

from reportdata import store_doc
from sqlalchemy import event

from miner.report.export import export_fields, export_rows
from miner.report.levels import level_of
from miner.report.render import flat_row, render_markdown, render_text
from miner.report.trends import build_report, not_scored_reason, summarise
from miner.store import Repository, open_repository

TIED = {"recognition": 100, "mainstreaming": 100, "targets_monitoring": 100, "barriers": 100}


def _store(repo: Repository) -> None:
    d = date
    # Flemish: three scored in-scope plans (2019, 2019, 2023) and four that could not be scored.
    store_doc(
        repo,
        "http://127.0.0.1:1/f1",
        published=d(2019, 3, 1),
        published_source="pdf-metadata",
        score=80,
        dims=TIED,
        flags=("no_gender_lens",),
    )
    store_doc(
        repo,
        "http://127.0.0.1:1/f2",
        published=d(2019, 6, 1),
        published_source="text",
        score=40,
        dims={"recognition": 100, "barriers": 50},
    )
    store_doc(
        repo,
        "http://127.0.0.1:1/f3",
        published=d(2023, 1, 9),
        published_source="html-meta",
        score=60,
        dims={"recognition": 100},
        domains=("employment", "education"),
    )
    store_doc(repo, "http://127.0.0.1:1/ocr", published=d(2023, 2, 1), score=None, needs_ocr=True)
    store_doc(repo, "http://127.0.0.1:1/bad", score=None, fetched_at=datetime(2024, 5, 5, tzinfo=UTC))
    store_doc(repo, "http://127.0.0.1:1/de", score=0, language_mix=(("de", 1.0),), published=d(2023, 3, 3))
    store_doc(repo, "http://127.0.0.1:1/new", analysed=False)
    # Federal: three scored in-scope plans that never tie anything to the group; one out of scope.
    for i in range(3):
        store_doc(
            repo,
            f"http://127.0.0.1:1/b{i}",
            government="federal",
            source_id="fod",
            score=10,
            dims={"barriers": 50},
            published=d(2021, 1, 1 + i),
            flags=("ignores_migration_background",),
        )
    store_doc(
        repo,
        "http://127.0.0.1:1/b9",
        government="federal",
        source_id="fod",
        score=90,
        domains=("integration",),
        published=d(2021, 5, 1),
    )


def test_unscored_documents_are_counted_apart_never_averaged(store_url: str) -> None:
    repo = open_repository(store_url)
    _store(repo)
    facts = {f.url.rsplit("/", 1)[-1]: f for f in repo.iter_facts(page_size=3)}
    assert {k: not_scored_reason(f) for k, f in facts.items() if not_scored_reason(f)} == {
        "ocr": "needs OCR",
        "bad": "error",
        "de": "no lexicon",
        "new": "not analysed",
    }
    rows = summarise(facts.values(), ["government"])
    flemish = next(r for r in rows if r["government"] == "flemish")
    assert (flemish["documents"], flemish["scored"], flemish["not_scored"], flemish["in_scope"]) == (
        7,
        3,
        4,
        3,
    )
    assert flemish["mean_score"] == 60.0  # (80 + 40 + 60) / 3: the four unscored are not zeros
    assert flemish["not_scored_reasons"] == {"error": 1, "needs OCR": 1, "no lexicon": 1, "not analysed": 1}
    assert flemish["flagged"] == 1 and flemish["flagged_share"] == 0.333
    assert flemish["coverage"]["recognition"] == 1.0 and flemish["coverage"]["barriers"] == 0.667
    federal = next(r for r in rows if r["government"] == "federal")
    assert (
        federal["mean_score"] == 10.0 and federal["in_scope"] == 3 and federal["scored"] == 4
    )  # out of scope apart


def test_years_are_publication_years_with_the_fetch_year_labelled(store_url: str) -> None:
    repo = open_repository(store_url)
    _store(repo)
    report = build_report(repo, ["government", "year"])
    keys = [
        (r["government"], r["year"], r["year_source"], r["documents"], r["mean_score"]) for r in report.rows
    ]
    assert keys == [
        ("federal", 2021, "published", 4, 10.0),
        ("flemish", 2019, "published", 2, 60.0),
        ("flemish", 2023, "published", 3, 60.0),  # f3 scored; the scan and the German text are not
        ("flemish", 2024, "fetched", 1, None),  # the corrupt file: no publication date, no score
        ("flemish", 2026, "fetched", 1, None),  # not analysed yet
    ]
    assert report.totals == {"documents": 11, "scored": 7, "not_scored": 4, "in_scope": 6}
    by_domain = summarise(repo.iter_facts(), ["domain"])
    counts = {r["domain"]: r["documents"] for r in by_domain}
    assert counts == {"education": 1, "employment": 6, "integration": 1, "unknown": 4}  # f3 in both


def test_levels_per_government_from_the_tied_dimensions(store_url: str) -> None:
    repo = open_repository(store_url)
    _store(repo)
    levels = {r["government"]: r for r in build_report(repo, ["government"]).levels}
    assert levels["federal"]["level"] == "none" and levels["federal"]["documents"] == 3
    # Flanders: every plan names the group (100 %), one in three has a mechanism (33 %) -> partial.
    assert levels["flemish"]["level"] == "partial" and levels["flemish"]["recognition_tied"] == 1.0
    assert level_of({"recognition": 0.2}, 5)[0] == "light"
    assert level_of({"recognition": 0.6, "mainstreaming": 0.5, "targets_monitoring": 0.3}, 5)[0] == "strong"
    assert level_of({"recognition": 1.0}, 2)[0] is None  # too few documents for a level


def test_renderings_and_csv_rows(store_url: str) -> None:
    repo = open_repository(store_url)
    _store(repo)
    report = build_report(repo, ["government", "year"])
    md = render_markdown(report)
    assert "| flemish | 2024 (fetched) | 1 | 0 | 1 (error 1) |" in md
    assert "| federal | none | 3 | 10.0 |" in md and "## Mainstreaming level per government" in md
    assert re.search(r"^flemish +2019 +2 +2 +0 +2 +60.0 +50%", render_text(report), re.M)
    flat = flat_row(report.rows[0])
    assert flat["coverage_barriers"] == 0.75 and flat["flags"] == ["ignores_migration_background:3"]


def test_exports_stream_one_page_at_a_time(store_url: str) -> None:
    repo = open_repository(store_url)
    _store(repo)
    begun: list[int] = []

    def begin(_conn: Any) -> None:
        begun.append(1)

    event.listen(repo.engine, "begin", begin)
    try:
        rows = export_rows(repo, "documents", page_size=2)
        first = next(rows)
        assert len(begun) == 1 and first["url"].endswith("/f1")  # the first row came from the first page
        rest = list(rows)
    finally:
        event.remove(repo.engine, "begin", begin)
    assert len(begun) == 6 and len(rest) == 10  # 11 documents, 2 a page
    docs = {r["url"].rsplit("/", 1)[-1]: r for r in [first, *rest]}
    assert docs["f1"]["scored"] is True and docs["f1"]["dimension_recognition"] == 100
    assert docs["f1"]["date"] == "2019-03-01" and docs["f1"]["published_source"] == "pdf-metadata"
    assert docs["bad"]["not_scored_reason"] == "error" and docs["bad"]["date_source"] == "fetched"
    assert set(first) == set(export_fields("documents"))
    evidence = list(export_rows(repo, "evidence", government="flemish"))
    assert evidence and all(e["government"] == "flemish" and e["text"] for e in evidence)
    flags = list(export_rows(repo, "flags", government="federal"))
    assert [f["code"] for f in flags] == ["ignores_migration_background"] * 3
    assert flags[0]["evidence"] == ["p. 1, ¶ 0: Een plan."]
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=export_fields("flags"))
    writer.writerows(flags)
    assert out.getvalue().count("\n") == 3
