"""A document in a language without a lexicon (German) is stored as not scored and never averaged
as 0 in a report (SQLite and PostgreSQL)."""

from __future__ import annotations

from dataclasses import replace

from test_store_repository import SOURCE, _analysis, _document, _fetched

from miner.records import Extracted, Paragraph
from miner.report.trends import build_report
from miner.store import open_repository


def test_an_unscored_document_is_stored_without_a_score_and_left_out_of_means(store_url: str) -> None:
    repo = open_repository(store_url)
    repo.upsert_source(SOURCE)
    run_id = repo.start_run(SOURCE.id)
    for url, body, lang, scored in (
        ("http://127.0.0.1:1/plan.pdf", b"%PDF-1.4 plan", "nl", True),
        ("http://127.0.0.1:1/plan-de.pdf", b"%PDF-1.4 Plan", "de", False),
    ):
        item = repo.work_item(_document(repo, run_id, url))
        assert item is not None
        stored = repo.store_fetched(item, _fetched(url, body), government="flemish")
        paragraphs = (Paragraph(0, "Menschen mit Migrationshintergrund.", 1, lang, None),)
        analysis = replace(_analysis(url), language=lang, scored=scored)
        repo.store_analysis(stored.version_id or 0, Extracted(kind="pdf", paragraphs=paragraphs), analysis)
    docs = {d.url: d for d in open_repository(store_url).documents()}
    assert docs["http://127.0.0.1:1/plan-de.pdf"].score is None
    assert docs["http://127.0.0.1:1/plan.pdf"].score == 50
    (row,) = build_report(repo, ["government"]).rows
    assert row["documents"] == 2 and row["scored"] == 1 and row["not_scored"] == 1
    assert row["not_scored_reasons"] == {"no lexicon": 1} and row["mean_score"] in (50.0, None)
