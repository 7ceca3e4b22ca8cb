"""Mentions (keyword in context) and figures per group, over a real store (SQLite and PostgreSQL)."""

from __future__ import annotations

from test_store_repository import SOURCE, _analysis, _document, _fetched

from miner.records import Extracted, Paragraph
from miner.report.mentions import find_mentions, needles
from miner.report.trends import summarise
from miner.store import open_repository
from miner.store.repository import StoredParagraph

TEXTS = (
    "Nieuwkomers volgen een inburgeringstraject met Nederlandse les op de werkvloer.",
    "De VDAB volgt de resultaten op; 100% van de deelnemers krijgt een attest.",
    "Les primo-arrivants suivent le parcours d'intégration ; l'integration des systemes n'est pas visée.",
)


def _store(url: str) -> None:
    repo = open_repository(url)
    repo.upsert_source(SOURCE)
    run_id = repo.start_run(SOURCE.id)
    item = repo.work_item(_document(repo, run_id, "http://127.0.0.1:1/plan.pdf"))
    assert item is not None
    stored = repo.store_fetched(item, _fetched(item.url, b"%PDF-1.4 plan"), government="flemish")
    paragraphs = tuple(Paragraph(i, t, 10 + i, "nl" if i < 2 else "fr", "Werk") for i, t in enumerate(TEXTS))
    repo.store_analysis(stored.version_id or 0, Extracted(kind="pdf", paragraphs=paragraphs), _analysis("x"))


def test_mentions_are_found_in_compounds_without_accents_with_page_and_context(store_url: str) -> None:
    _store(store_url)
    repo = open_repository(store_url)
    found = find_mentions(repo.paragraphs_containing(needles("inburgering")), "inburgering", width=20)
    assert [(m.page, m.paragraph, m.match) for m in found] == [(10, 0, "inburgering")]
    assert found[0].text == "uwkomers volgen een inburgeringstraject met Nederla"  # 20 characters each side
    assert found[0].url == "http://127.0.0.1:1/plan.pdf" and found[0].government == "flemish"
    # accents and case are ignored both ways
    both = find_mentions(repo.paragraphs_containing(needles("Intégration")), "Intégration")
    assert [m.match for m in both] == ["intégration", "integration"]
    # SQL wildcards in the term are taken literally
    assert find_mentions(repo.paragraphs_containing(needles("100%")), "100%")[0].page == 11
    assert repo.paragraphs_containing(needles("10_%")) == []


def test_context_offsets_point_into_the_paragraph() -> None:
    text = "Élèves allophones et ELEVES primo-arrivants."
    p = StoredParagraph("u", "fwb", None, Paragraph(0, text, None, "fr"))
    found = find_mentions([p], "eleves", width=5)
    assert [text[m.start : m.end] for m in found] == ["Élèves", "ELEVES"]
    assert found[1].left == "s et " and found[1].right == " prim"


def test_report_by_government_counts_scores_and_flags(store_url: str) -> None:
    _store(store_url)
    rows = summarise(open_repository(store_url).documents(), "government")
    assert rows == [
        {
            "government": "flemish",
            "documents": 1,
            "scored": 1,
            "mean_score": 50.0,
            "migrant_share": 1.0,
            "flagged": 1,
            "flags": {"no-targets": 1},
        }
    ]
