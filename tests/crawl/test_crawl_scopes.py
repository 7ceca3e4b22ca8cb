"""Crawls of local sites laid out the way publishers lay them out: files under ``/sites/default/files/``
and on a second host (127.0.0.2), paging by ``?page=``, a document served at a ``?p=`` address,
content pages leading on, and one text published in Dutch and in French. Real servers, a real store
(SQLite and PostgreSQL), the crawler's own steps; analysis is left out (it is not what is tested)."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from httpserver import LocalSite, Reply, Seen
from services import postgres_schema
from sitefixture import make_pdf

from miner import crawl
from miner.config import Settings
from miner.fetch.client import Fetcher
from miner.records import Source
from miner.report.trends import build_report
from miner.sources import parse_source
from miner.store import Repository, open_repository

FAST = Settings(default_delay=0.0, request_deadline=5.0, request_timeout=5.0)
TEXT = "De Vlaamse Regering verhoogt de werkzaamheidsgraad van nieuwkomers met taalondersteuning. " * 6
TEXTE = "Le Gouvernement soutient l'emploi des primo-arrivants par des cours de langue. " * 6
PDF = {"content-type": "application/pdf"}
HTML = {"content-type": "text/html; charset=utf-8"}


def page(body: str, head: str = "") -> Reply:
    return Reply(200, f"<html><head>{head}</head><body>{body}</body></html>".encode(), HTML)


def links(*urls: str) -> str:
    return "<ul>" + "".join(f'<li><a href="{u}">{u}</a></li>' for u in urls) + "</ul>"


@pytest.fixture(params=["sqlite", "postgresql"])
def repo(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Repository]:
    if request.param == "sqlite":
        yield open_repository(f"sqlite:///{tmp_path / 'store.db'}")
    else:
        with postgres_schema() as url:
            yield open_repository(url)


def crawl_once(repo: Repository, source: Source) -> None:
    """The crawler's steps in order, breadth first, without the analyses."""
    repo.upsert_source(source)
    run_id = repo.start_run(source.id)
    with Fetcher(FAST, allow_private=True) as fetcher:
        queue = deque(crawl.seed(repo, source, run_id))
        while queue:
            queue.extend(crawl.fetch_step(repo, lambda _private: fetcher, queue.popleft()).children)


def stored(repo: Repository) -> list[str]:
    return [r.url for r in _documents(repo)]


def test_documents_where_the_publisher_keeps_them(repo: Repository) -> None:
    with LocalSite() as site, LocalSite(host="127.0.0.2") as files:
        other = files.url("/publicaties/rapport.pdf")

        def listing(seen: Seen) -> Reply:
            if "page=2" in seen.path:
                return page(links("/beleid/index.php?p=42", "/beleid/lijst?page=1"))
            return page(
                links(
                    "/beleid/plan",
                    "/sites/default/files/nota.pdf",
                    "/beleid/lijst?page=2",
                    "/andere/pagina.html",
                    "/sites/default/files/overzicht?page=2",
                    other,
                )
            )

        def by_id(seen: Seen) -> Reply:
            return (
                page(f"<main><h1>Omzendbrief 42</h1><p>{TEXT}</p></main>")
                if "p=42" in seen.path
                else page("")
            )

        site.route("/beleid/lijst", listing)
        site.route("/beleid/index.php", by_id)
        site.route(
            "/beleid/plan",
            page(
                f"<nav>{links('/beleid/menu')}</nav><main><p>{TEXT}</p>"
                + links("/sites/default/files/bijlage.pdf", "/beleid/verwant")
                + "</main>"
            ),
        )
        site.route("/beleid/verwant", page(f"<nav>{links('/beleid/lijst')}</nav><p>{TEXT}</p>"))
        for name in ("nota", "bijlage"):
            site.route(f"/sites/default/files/{name}.pdf", Reply(200, make_pdf([name, TEXT[:80]]), PDF))
        files.route("/publicaties/rapport.pdf", Reply(200, make_pdf(["Rapport", TEXT[:80]]), PDF))
        source = parse_source(
            {
                "id": "beleid",
                "name": "Beleid",
                "government": "flemish",
                "domains": ["employment"],
                "languages": ["nl"],
                "start_urls": [site.url("/beleid/lijst")],
                "scope": [site.url("/beleid/")],
                "cadence": "daily",
                "delay": 0,
                "max_depth": 3,
                "document_paths": ["/sites/default/files/"],
                "document_hosts": [files.url("/publicaties/")],
            }
        )
        crawl_once(repo, source)
        assert sorted(stored(repo)) == sorted(
            [
                site.url("/beleid/plan"),
                site.url("/sites/default/files/nota.pdf"),
                site.url("/beleid/index.php?p=42"),  # a document at a query-string address is stored
                site.url("/sites/default/files/bijlage.pdf"),  # found from a content page
                site.url("/beleid/verwant"),  # a related text linked from a content page
                other,  # the publisher's other host
            ]
        )
        asked = site.paths()
        assert "/beleid/lijst?page=2" in asked  # paging is followed (and not stored: a listing)
        assert "/andere/pagina.html" not in asked  # outside scope
        assert "/beleid/menu" not in asked  # a content page's navigation is not followed
        assert (
            "/sites/default/files/overzicht?page=2" not in asked
        )  # a file folder is not crawled as a listing
        assert files.paths() == ["/robots.txt", "/publicaties/rapport.pdf"]


def test_one_text_in_dutch_and_french_is_one_document_in_two_languages(repo: Repository) -> None:
    with LocalSite() as site:
        site.route("/nl/beleid", page(links("/nl/plan", "/nl/files/nota.pdf", "/fr/files/nota.pdf")))
        site.route(
            "/nl/plan", page(f"<p>{TEXT}</p>", '<link rel="alternate" hreflang="fr" href="/fr/plan-emploi">')
        )
        site.route(
            "/fr/plan-emploi", page(f"<p>{TEXTE}</p>", '<link rel="alternate" hreflang="nl" href="/nl/plan">')
        )
        site.route("/nl/files/nota.pdf", Reply(200, make_pdf(["Nota", TEXT[:80]]), PDF))
        site.route("/fr/files/nota.pdf", Reply(200, make_pdf(["Note", TEXTE[:80]]), PDF))
        source = parse_source(
            {
                "id": "brussel",
                "name": "Brussel",
                "government": "brussels",
                "domains": ["employment"],
                "languages": ["nl", "fr"],
                "start_urls": [site.url("/nl/beleid")],
                "scope": [site.url("/")],
                "cadence": "daily",
                "delay": 0,
            }
        )
        crawl_once(repo, source)
        crawl_once(repo, source)  # a re-crawl (all 304) changes nothing
    rows = _documents(repo)
    by_url = {r.url.removeprefix(site.url("")): r for r in rows}
    assert set(by_url) == {"/nl/plan", "/fr/plan-emploi", "/nl/files/nota.pdf", "/fr/files/nota.pdf"}
    plan, nota = by_url["/nl/plan"], by_url["/nl/files/nota.pdf"]
    assert plan.translation_of is None and nota.translation_of is None
    assert by_url["/fr/plan-emploi"].translation_of == plan.id  # found through hreflang
    assert by_url["/fr/files/nota.pdf"].translation_of == nota.id  # found through /nl/ <-> /fr/
    assert {r.language for r in rows} == {"nl", "fr"}
    report = build_report(repo, ["government"])
    assert report.totals["documents"] == 2  # each text once


def test_translations_link_whichever_variant_is_stored_first(repo: Repository) -> None:
    """Two groups that turn out to be one text merge under the first-stored document, flat."""
    with LocalSite() as site:
        names = ("/fr/a.pdf", "/nl/b.pdf", "/de/c.pdf")
        site.route("/index", page(links(*names)))
        for name in names:
            site.route(name, Reply(200, make_pdf([name, TEXT[:60]]), PDF))
        source = parse_source(
            {
                "id": "drie",
                "name": "Drie talen",
                "government": "federal",
                "domains": ["employment"],
                "languages": ["nl", "fr", "de"],
                "start_urls": [site.url("/index")],
                "scope": [site.url("/")],
                "cadence": "daily",
                "delay": 0,
            }
        )
        crawl_once(repo, source)  # different file names: nothing linked yet
        rows = _documents(repo)
        assert [r.translation_of for r in rows] == [None, None, None]
        a, b, c = (next(r for r in rows if r.url == site.url(n)) for n in names)
        assert repo.link_translation(b.url_id, "nl", [c.url]) == b.id
        assert repo.link_translation(c.url_id, "de", [a.url]) == a.id
        assert repo.link_translation(c.url_id, "de", [a.url]) == a.id  # twice: the same
    assert {r.url: r.translation_of for r in _documents(repo)} == {a.url: None, b.url: a.id, c.url: a.id}
    assert build_report(repo, ["government"]).totals["documents"] == 1


def _documents(repo: Repository) -> list[Any]:
    from sqlalchemy import text

    with repo.engine.connect() as conn:
        q = "SELECT id, url_id, url, translation_of, language FROM documents ORDER BY id"
        return list(conn.execute(text(q)).all())
