"""Source kinds (sitemap, feed, official journal, Flemish Parliament, Chamber) against a local publisher
in their real formats: what each kind reads, what the crawl stores, and ``miner sources --check --online``."""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from httpserver import LocalSite, Reply
from kindfixtures import publisher, source_table
from typer.testing import CliRunner

import miner.cli.sources  # noqa: F401  (registers the command)
from miner.cli import app
from miner.config import Settings
from miner.errors import ConfigError
from miner.fetch import kinds
from miner.jobs import run_sources
from miner.records import SOURCE_KINDS, Source
from miner.sources import load_sources, parse_source
from miner.store import open_repository

runner = CliRunner()


@pytest.fixture
def site() -> Iterator[LocalSite]:
    with LocalSite() as s:
        publisher(s)
        yield s


def _source(site: LocalSite, kind: str) -> Source:
    return parse_source(source_table(site, kind))


def _get(site: LocalSite, url: str) -> bytes:
    import httpx

    return httpx.get(url, headers={"Accept": "application/json"}).content


def _docs(found: list[kinds.Found], site: LocalSite) -> list[str]:
    return [f.url.removeprefix(site.url("").rstrip("/")) for f in found if not f.listing]


# --- what each kind reads (pure) ---------------------------------------------------------------------------


def test_every_kind_has_a_module() -> None:
    assert set(kinds.MODULES) == set(SOURCE_KINDS)


def test_an_rss_feed_gives_items_enclosures_titles_dates_and_language(site: LocalSite) -> None:
    source = _source(site, "feed")
    found = kinds.read(source, site.url("/feed/"), _get(site, site.url("/feed/")))
    assert _docs(found, site) == [
        "/publications/plan-emploi/",
        "/wp-content/uploads/2024/03/plan-emploi.pdf",
        "/publications/rapport-annuel/",
    ]  # the permalink guid stands in for a missing link; the image is not a document
    assert (found[0].title, found[0].published, found[0].language) == (
        "Plan d'action pour l'emploi des primo-arrivants",
        "2024-03-05",
        "fr",
    )
    assert found[2].published == "2024-02-01"


def test_a_wordpress_sitemap_index_skips_categories_and_authors(site: LocalSite) -> None:
    source = _source(site, "sitemap")
    index = kinds.read(source, site.url("/wp-sitemap.xml"), _get(site, site.url("/wp-sitemap.xml")))
    assert [f.url.rsplit("/", 1)[1] for f in index if f.listing] == [
        "wp-sitemap-posts-post-1.xml",
        "wp-sitemap-posts-page-1.xml.gz",
    ]
    gz = site.url("/wp-sitemap-posts-page-1.xml.gz")
    (page,) = kinds.read(source, gz, _get(site, gz))
    assert page.url.endswith("/plannen/beleidsnota-werk.pdf") and page.published == "2024-01-10"


def test_an_official_journal_summary_gives_one_eli_address_per_act(site: LocalSite) -> None:
    source = _source(site, "api:moniteur")
    url = site.url("/cgi/summary.pl?language=nl&sum_date=2024-06-05")
    found = kinds.read(source, url, _get(site, url))
    assert _docs(found, site) == [
        "/eli/besluit/2024/05/24/2024005123/staatsblad",
        "/eli/wet/2024/05/24/2024202277/staatsblad",
    ]  # Justel copies are skipped, the notary's appointment has none of the keywords
    assert found[0].title.startswith("24 MEI 2024. - Besluit van de Vlaamse Regering")
    assert (found[0].published, found[0].language) == ("2024-06-05", "nl")
    everything = parse_source({**source_table(site, "api:moniteur"), "api": {}})
    assert len(_docs(kinds.read(everything, url, _get(site, url)), site)) == 3


def test_the_official_journal_reads_the_summaries_of_the_last_days(site: LocalSite) -> None:
    source = parse_source({**source_table(site, "api:moniteur"), "api": {"days": 2}})
    urls = kinds.entry_points(source, date(2024, 6, 5))
    assert urls[1:] == [site.url(f"/cgi/summary.pl?language=nl&sum_date=2024-06-0{d}") for d in (5, 4)]


def test_the_flemish_parliament_search_api_gives_documents_and_the_next_page(site: LocalSite) -> None:
    source = _source(site, "api:vlaams-parlement")
    url = source.start_urls[0]
    found = kinds.read(source, url, _get(site, url))
    assert _docs(found, site) == ["/docs/pfile?id=1800123"]
    assert (found[0].title, found[0].published, found[0].language) == (
        "Schriftelijke vraag over de wachtlijsten inburgering",
        "2024-03-01",
        "nl",
    )
    assert found[1].listing and "page=2" in found[1].url
    last = kinds.read(source, found[1].url, _get(site, found[1].url))
    assert [f.listing for f in last] == [False]  # lastindex == count: no further page


def test_the_chamber_open_data_gives_question_pages_and_the_next_offset(site: LocalSite) -> None:
    source = _source(site, "api:kamer")
    url = source.start_urls[0]
    found = kinds.read(source, url, _get(site, url))
    assert found[0].url.endswith(
        "language=nl&cfm=qrvaXml.cfm?legislat=56&dossierID=56-B001-1-0001-0000202400001.xml"
    )
    assert (found[0].title, found[0].published, found[0].language) == (
        "Integratietrajecten voor nieuwkomers.",
        "2024-07-18",
        "nl",
    )
    assert found[1].listing and found[1].url.endswith("start=1")
    assert kinds.read(source, found[1].url, _get(site, found[1].url))[-1].language == "fr"


def test_api_options_are_checked_by_their_kind(site: LocalSite, tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="options are for api"):
        parse_source({**source_table(site, "feed"), "api": {"days": 1}})
    with pytest.raises(ConfigError, match="is not one of"):
        parse_source({**source_table(site, "feed"), "kind": "api:nowhere"})
    typo = parse_source({**source_table(site, "api:moniteur"), "api": {"keyword": ["werk"]}})
    with pytest.raises(ConfigError, match="unknown option"):
        kinds.check_options(typo)
    with pytest.raises(ConfigError, match="days must be"):
        kinds.check_options(parse_source({**source_table(site, "api:moniteur"), "api": {"days": 90}}))
    with pytest.raises(ConfigError, match="placeholder"):
        kinds.check_options(
            parse_source({**source_table(site, "api:kamer"), "api": {"document_url": "{nope}"}})
        )


# --- the crawl stores what each kind finds -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        (
            "feed",
            {
                "/publications/plan-emploi/",
                "/wp-content/uploads/2024/03/plan-emploi.pdf",
                "/publications/rapport-annuel/",
            },
        ),
        ("sitemap", {"/2024/01/actieplan-werk/", "/plannen/beleidsnota-werk.pdf"}),
        (
            "api:moniteur",
            {"/eli/besluit/2024/05/24/2024005123/staatsblad", "/eli/wet/2024/05/24/2024202277/staatsblad"},
        ),
        ("api:vlaams-parlement", {"/docs/pfile?id=1800123", "/docs/pfile?id=1800456"}),
        ("api:kamer", {"0000202400001.xml", "0000202400002.xml"}),
    ],
)
def test_the_crawl_stores_the_documents_each_kind_finds(
    site: LocalSite, tmp_path: Path, kind: str, expected: set[str]
) -> None:
    db = f"sqlite:///{tmp_path / 'miner.db'}"
    settings = Settings(database_url=db, broker_url=None, retry_backoff=0.05, retry_attempts=2)  # type: ignore[call-arg]
    repo = open_repository(db)
    source = _source(site, kind)
    run_sources(repo, [source], allow_private=True, settings=settings)
    stored = {d.url for d in repo.documents(source_id=source.id)}
    base = site.url("").rstrip("/")
    if kind == "api:kamer":
        stored = {re.search(r"dossierID=[\w-]+-(\d+\.xml)", u).group(1) for u in stored}  # type: ignore[union-attr]
    else:
        stored = {u.removeprefix(base) for u in stored}
    assert stored == expected
    if kind in ("api:vlaams-parlement", "api:kamer"):
        asked = [r.headers.get("accept") for r in site.requests if r.path.startswith(("/api/", "/v0/"))]
        assert asked and all(a == "application/json" for a in asked)


# --- miner sources --check --online ------------------------------------------------------------------------


def _registry(tmp_path: Path, tables: list[dict[str, object]]) -> Path:
    def value(v: object) -> str:
        if isinstance(v, dict):
            return "{ " + ", ".join(f"{k} = {json.dumps(x)}" for k, x in v.items()) + " }"
        return json.dumps(v)

    text = "\n".join("[[source]]\n" + "".join(f"{k} = {value(v)}\n" for k, v in t.items()) for t in tables)
    path = tmp_path / "sources.toml"
    path.write_text(text, encoding="utf-8")
    assert load_sources(path)
    return path


def test_check_online_reports_reachable_allowed_documents_and_types(site: LocalSite, tmp_path: Path) -> None:
    tables = [source_table(site, k) for k in ("feed", "api:vlaams-parlement")]
    path = _registry(tmp_path, tables)
    args = ["sources", "--check", "--online", "--path", str(path), "--format", "json"]
    blocked = runner.invoke(app, args)  # private address without the opt-in
    assert blocked.exit_code == 1 and site.requests == []
    result = runner.invoke(app, [*args, "--allow-private-addresses"])
    assert result.exit_code == 0, result.output
    rows = {
        r["source"]: r
        for r in json.loads(result.output[result.output.index("[") : result.output.rindex("]") + 1])
    }
    feed, vlparl = rows["local-feed"], rows["local-api-vlaams-parlement"]
    assert (feed["kind"], feed["reachable"], feed["allowed"], feed["documents"]) == ("feed", True, True, 3)
    assert feed["types"] == "html 2, pdf 1"
    assert (vlparl["documents"], vlparl["types"]) == (2, "pdf 2")  # two pages of the search API


def test_check_online_names_what_is_wrong(site: LocalSite, tmp_path: Path) -> None:
    site.route(
        "/robots.txt",
        Reply(body=b"User-agent: *\nDisallow: /closed/\n", headers={"Content-Type": "text/plain"}),
    )
    site.route(
        "/closed/", Reply(body=b"<html><body>nothing</body></html>", headers={"Content-Type": "text/html"})
    )
    site.route(
        "/empty/",
        Reply(body=b"<html><body><p>no links</p></body></html>", headers={"Content-Type": "text/html"}),
    )
    closed = {
        **source_table(site, "feed"),
        "id": "closed",
        "kind": "crawl",
        "start_urls": [site.url("/closed/")],
    }
    empty = {**closed, "id": "empty", "start_urls": [site.url("/empty/")]}
    gone = {**closed, "id": "gone", "start_urls": [site.url("/moved-away/")]}
    path = _registry(tmp_path, [closed, empty, gone])
    args = [
        "sources",
        "--check",
        "--online",
        "--path",
        str(path),
        "--allow-private-addresses",
        "--format",
        "json",
    ]
    result = runner.invoke(app, args)
    assert result.exit_code == 1
    rows = {
        r["source"]: r
        for r in json.loads(result.output[result.output.index("[") : result.output.rindex("]") + 1])
    }
    assert rows["closed"]["allowed"] is False and "robots.txt" in rows["closed"]["detail"]
    assert rows["empty"]["reachable"] is True and rows["empty"]["documents"] == 0
    assert "no document" in rows["empty"]["detail"]
    assert rows["gone"]["reachable"] is False and "404" in rows["gone"]["detail"]


# --- through Celery workers --------------------------------------------------------------------------------


def test_workers_store_what_the_api_and_feed_kinds_find(site: LocalSite, tmp_path: Path) -> None:
    """The Celery path runs the same steps: the kinds' entry pages (with their Accept header) and
    documents go through real workers, real Redis and real PostgreSQL."""
    from services import postgres_schema, redis_db
    from workerfixture import ROOT, Workers, worker_env

    path = _registry(tmp_path, [source_table(site, k) for k in ("feed", "api:kamer")])
    with redis_db() as broker, postgres_schema() as db, Workers(worker_env(db, broker), tmp_path) as workers:
        env = worker_env(db, broker)
        workers.start("a", concurrency=2)
        run = subprocess.run(
            [
                str(ROOT / ".venv" / "bin" / "miner"),
                "run",
                "--sources",
                str(path),
                "--allow-private-addresses",
            ],
            env=env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        assert run.returncode == 0, run.stdout + run.stderr + workers.log("a")
        repo = open_repository(db)
        assert len(repo.documents(source_id="local-feed")) == 3
        assert len(repo.documents(source_id="local-api-kamer")) == 2
        asked = [r.headers.get("accept") for r in site.requests if r.path.startswith("/v0/")]
        assert asked and all(a == "application/json" for a in asked)
