"""Mentions over a real store (SQLite FTS5 and PostgreSQL text search): folding both ways, word
forms as each backend finds them, paging with totals, filters, counts over publication time."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from reportdata import store_doc
from sqlalchemy import text

from miner.report.mentions import count_mentions, iter_mentions, search_mentions
from miner.report.terms import Term
from miner.store import keyset, open_repository
from miner.store.keyset import InvalidCursor
from miner.store.search import SearchFilter

NL = (
    ("nl", "Nieuwkomers volgen een inburgeringstraject met Nederlandse les op de werkvloer."),
    ("nl", "De VDAB volgt de resultaten op; 100% van de deelnemers krijgt een attest."),
    ("nl", "Het integratiebeleid en de verplichte inburgering van personen met een migratieachtergrond."),
)
FR = (
    (
        "fr",
        "Les primo-arrivants suivent le parcours d'intégration ; l'integration des systèmes n'est pas visée.",
    ),
    ("fr", "La Région veut intégrer les personnes d'origine étrangère. INTÉGRATION professionnelle."),
)


def _store(url: str) -> None:
    repo = open_repository(url)
    store_doc(
        repo, "http://127.0.0.1:1/nl.html", NL, published=date(2023, 5, 4), published_source="html-meta"
    )
    store_doc(
        repo,
        "http://127.0.0.1:1/fr.html",
        FR,
        government="walloon",
        source_id="wallonie",
        published=date(2022, 9, 15),
        published_source="text",
    )
    # no publication date: counted under the year it was fetched, and said so
    store_doc(
        repo,
        "http://127.0.0.1:1/undated.html",
        (("nl", "Een inburgeringscursus voor nieuwkomers."),),
        fetched_at=datetime(2021, 3, 1, tzinfo=UTC),
    )


def _matches(url: str, term: str, **kw: object) -> list[tuple[str, int, str]]:
    found = iter_mentions(open_repository(url), [term], **kw)  # type: ignore[arg-type]
    return [(m.url.rsplit("/", 1)[-1], m.paragraph, m.match) for m in found]


def test_accents_and_case_are_folded_both_ways(store_url: str) -> None:
    _store(store_url)
    plain = _matches(store_url, "integration")
    accented = _matches(store_url, "INTÉGRATION")
    assert plain == accented
    assert [m for _d, _p, m in plain] == ["intégration", "integration", "intégrer", "INTÉGRATION"]
    assert (
        _matches(store_url, "étrangère") == _matches(store_url, "etrangere") == [("fr.html", 1, "étrangère")]
    )


def test_word_forms_and_compounds(store_url: str) -> None:
    _store(store_url)
    # Dutch: the stem "inburger" as a prefix finds the compound and the inflected noun.
    assert _matches(store_url, "inburgering") == [
        ("nl.html", 0, "inburgeringstraject"),
        ("nl.html", 2, "inburgering"),
        ("undated.html", 0, "inburgeringscursus"),
    ]
    # French: "intégrer" and "intégration" share the stem "integr".
    assert _matches(store_url, "intégrer") == _matches(store_url, "intégration")
    # A phrase: consecutive words, each by its form; a Dutch-only term is not looked for in French.
    assert _matches(store_url, "personen met een migratieachtergrond") == [
        ("nl.html", 2, "personen met een migratieachtergrond")
    ]
    assert _matches(store_url, "primo-arrivant") == [("fr.html", 0, "primo-arrivants")]
    mixed = list(
        iter_mentions(open_repository(store_url), [Term("integratiebeleid", "nl"), Term("intégration", "fr")])
    )
    assert [(m.term, m.match) for m in mixed] == [
        ("fr:intégration", "intégration"),
        ("fr:intégration", "integration"),
        ("fr:intégration", "intégrer"),
        ("fr:intégration", "INTÉGRATION"),
        ("nl:integratiebeleid", "integratiebeleid"),
    ]
    # Short words are whole words (and SQL wildcards are literal): "de" is not "deelnemers".
    assert [m for _d, p, m in _matches(store_url, "de") if p == 1] == ["De", "de", "de"]
    assert _matches(store_url, "100%") == [("nl.html", 1, "100")]
    assert _matches(store_url, "10_%") == []


def test_pages_carry_the_totals_and_nothing_is_cut(store_url: str) -> None:
    repo = open_repository(store_url)
    for d in range(3):
        texts = [
            ("nl", f"Paragraaf {p} over inburgering." if p % 2 == 0 else "Iets anders.") for p in range(9)
        ]
        store_doc(repo, f"http://127.0.0.1:1/p{d}.html", texts)
    first = search_mentions(repo, ["inburgering"], limit=4)
    assert (first.total_paragraphs, first.total_documents, first.paragraphs) == (15, 3, 4)
    assert first.next_cursor is not None and len(first.mentions) == 4
    seen, cursor = [], None
    while True:
        page = search_mentions(repo, ["inburgering"], limit=4, cursor=cursor)
        assert page.total_paragraphs == 15
        seen += [(m.url[-7:], m.paragraph) for m in page.mentions]
        cursor = page.next_cursor
        if cursor is None:
            break
    assert seen == [(f"p{d}.html", i) for d in range(3) for i in (0, 2, 4, 6, 8)]
    with pytest.raises(InvalidCursor):
        search_mentions(repo, ["inburgering"], cursor=keyset.encode("documents", ["x", 1]))


def test_filters_and_counts_over_publication_time(store_url: str) -> None:
    _store(store_url)
    repo = open_repository(store_url)
    walloon = _matches(store_url, "integration", filters=SearchFilter(government="walloon"))
    assert {d for d, _p, _m in walloon} == {"fr.html"}
    assert _matches(store_url, "integration", filters=SearchFilter(government="flemish")) == []
    assert {
        d for d, _p, _m in _matches(store_url, "inburgering", filters=SearchFilter(source_id="vlaanderen"))
    } == {
        "nl.html",
        "undated.html",
    }
    assert _matches(store_url, "integration", filters=SearchFilter(language="nl")) == []
    assert _matches(store_url, "de", filters=SearchFilter(language="fr")) == []
    # Dates: the publication date, or the fetch date where none is known.
    since_2022 = _matches(store_url, "inburgering", filters=SearchFilter(since=date(2022, 1, 1)))
    assert {d for d, _p, _m in since_2022} == {"nl.html"}
    until_2021 = _matches(store_url, "inburgering", filters=SearchFilter(until=date(2021, 12, 31)))
    assert {d for d, _p, _m in until_2021} == {"undated.html"}
    assert _matches(
        store_url, "integration", filters=SearchFilter(since=date(2022, 9, 15), until=date(2022, 9, 15))
    )
    rows = count_mentions(repo, ["inburgering", "intégration"], ["government", "year"])
    assert rows == [
        {
            "government": "flemish",
            "year": 2021,
            "year_source": "fetched",
            "mentions": 1,
            "paragraphs": 1,
            "documents": 1,
        },
        {
            "government": "flemish",
            "year": 2023,
            "year_source": "published",
            "mentions": 2,
            "paragraphs": 2,
            "documents": 1,
        },
        {
            "government": "walloon",
            "year": 2022,
            "year_source": "published",
            "mentions": 4,
            "paragraphs": 2,
            "documents": 1,
        },
    ]
    mention = next(iter_mentions(repo, ["intégrer"]))
    assert (mention.date, mention.date_source, mention.page) == ("2022-09-15", "published", 1)


def test_only_the_current_version_is_searched(store_url: str) -> None:
    repo = open_repository(store_url)
    store_doc(repo, "http://127.0.0.1:1/a.html", (("nl", "Over inburgering."),))
    assert _matches(store_url, "inburgering") == [("a.html", 0, "inburgering")]
    # The same URL serves new content: the old version's paragraphs are not mentions any more.
    repo2 = open_repository(store_url)
    run_id = repo2.start_run("vlaanderen")
    from miner.records import Extracted, Fetched, Paragraph
    from miner.store import UrlRole

    item = repo2.work_item(
        repo2.enqueue(run_id, "vlaanderen", "http://127.0.0.1:1/a.html", role=UrlRole.DOCUMENT, depth=1) or 0
    )
    assert item is not None
    stored = repo2.store_fetched(
        item, Fetched(item.url, item.url, 200, b"new", "text/html"), government="flemish"
    )
    from miner.records import Analysis

    repo2.store_analysis(
        stored.version_id or 0,
        Extracted("html", (Paragraph(0, "Over werk.", None, "nl"),)),
        Analysis.failed("a", "x"),
    )
    assert _matches(store_url, "inburgering") == [] and _matches(store_url, "werk") == [("a.html", 0, "werk")]


def test_postgresql_answers_from_its_text_search_indexes(store_url: str) -> None:
    """The stems the Python side uses are PostgreSQL's, and the query uses the GIN index."""
    if not store_url.startswith("postgresql"):
        pytest.skip("PostgreSQL only")
    from miner.report.terms import stem

    repo = open_repository(store_url)
    words = {
        "nl": ["inburgering", "personen", "nieuwkomers", "lessen", "allochtonen"],
        "fr": ["integration", "etrangere", "refugies", "allophones"],
    }
    with repo.engine.connect() as conn:
        for lang, config in (("nl", "dutch"), ("fr", "french")):
            for w in words[lang]:
                lexemes = conn.execute(
                    text(f"SELECT tsvector_to_array(to_tsvector('{config}', :w))"), {"w": w}
                ).scalar_one()
                assert lexemes == [stem(w, lang)], (lang, w)
        store_doc(repo, "http://127.0.0.1:1/nl.html", NL)
        conn.execute(text("SET enable_seqscan = off"))
        plan = "\n".join(
            r[0]
            for r in conn.execute(
                text(
                    "EXPLAIN SELECT id FROM paragraphs WHERE search_vector @@ to_tsquery('dutch', 'inburgering:*')"
                )
            )
        )
    assert "ix_paragraphs_search" in plan
