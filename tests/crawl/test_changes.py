"""Versions and changes on a real site on 127.0.0.1, edited between runs, stored in SQLite and PostgreSQL:
a version that drops the chapter on nieuwkomers raises ``dropped_content`` quoting it; a layout- or
date-only change and an unchanged re-fetch are not changes; a URL that answers 404 backs off."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from services import postgres_schema
from sitefixture import StaticSite

from miner import changes
from miner.config import Settings
from miner.jobs import run_sources
from miner.records import Source
from miner.store import Repository, open_repository
from miner.store.changes import RunYield

ROOT = Path(__file__).resolve().parents[2]
MINER = Path(sys.executable).with_name("miner")
CHAPTER = (
    "<h2>Nieuwkomers</h2><p>Nieuwkomers en personen met een migratieachtergrond krijgen lessen Nederlands op de "
    "werkvloer en een snellere erkenning van hun buitenlandse diploma's via NARIC.</p>"
    "<p>Tegen 2030 halveren we de kloof in werkzaamheidsgraad tussen personen met en zonder "
    "migratieachtergrond; de VDAB rapporteert elk jaar per herkomst en geslacht.</p>"
)
REST = (
    "<h2>Werk</h2><p>Langdurig werkzoekenden, jongeren zonder diploma en oudere werknemers krijgen een "
    "intensieve begeleiding door de VDAB. Werkgevers krijgen een doelgroepvermindering wanneer zij iemand "
    "uit deze groepen aanwerven.</p>"
)


def plan(*, chapter: bool = True, date: str = "4 mei 2023", wrapper: str = "main") -> str:
    return (
        '<html lang="nl"><head><meta charset="utf-8"><title>Actieplan werk 2023-2026</title></head><body>'
        f"<{wrapper}><h1>Actieplan werk 2023-2026</h1><p>Gepubliceerd op {date}.</p>{REST}"
        f"{CHAPTER if chapter else ''}</{wrapper}></body></html>"
    )


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'store.db'}"
    else:
        with postgres_schema() as url:
            yield url


@pytest.fixture
def site(tmp_path: Path) -> Iterator[StaticSite]:
    root = tmp_path / "site"
    (root / "plans").mkdir(parents=True)
    (root / "plans" / "actieplan.html").write_text(plan())
    (root / "index.html").write_text(
        '<html><body><a href="/plans/actieplan.html">plan</a> <a href="/plans/weg.html">weg</a></body></html>'
    )
    with StaticSite(root) as s:
        yield s


def _source(site: StaticSite) -> Source:
    return Source(
        id="local-plans",
        name="Local plans",
        government="flemish",
        domains=("employment",),
        languages=("nl",),
        start_urls=(site.url("/index.html"),),
        scope=(site.url("/"),),
        delay=0.0,
    )


def _run(repo: Repository, site: StaticSite, db: str) -> dict[str, object]:
    s = Settings(database_url=db, broker_url=None, retry_backoff=0.05, retry_attempts=2)  # type: ignore[call-arg]
    return run_sources(repo, [_source(site)], allow_private=True, settings=s).as_dict()


def _edit(site: StaticSite, html: str) -> None:
    path = site.root / "plans" / "actieplan.html"
    path.write_text(html)
    later = datetime.now(UTC).timestamp() + 5  # a newer Last-Modified than the validator kept
    os.utime(path, (later, later))


def test_dropping_the_chapter_on_nieuwkomers_raises_dropped_content_with_the_quote(
    site: StaticSite, store_url: str
) -> None:
    repo = open_repository(store_url)
    first = _run(repo, site, store_url)
    assert [d["outcome"] for d in first["documents"]] == ["new"]  # type: ignore[index]
    _edit(site, plan(chapter=False))
    second = _run(repo, site, store_url)
    assert second["changed"] == 1
    (named,) = second["documents"]  # type: ignore[misc]
    assert named["title"] == "Actieplan werk 2023-2026" and named["government"] == "flemish"
    assert "dropped_content" in named["flags"] and "dropped_content" in named["new_flags"]
    assert named["score_before"] > named["score"]

    doc = changes.document_id(repo, site.url("/plans/actieplan.html"))
    history = changes.history(repo, doc)
    assert [v["version"] for v in history] == [1, 2]
    assert set(history[0]) >= {"version", "fetched_at", "published", "content_hash", "score", "flags"}
    assert history[1]["changed"] is True and "dropped_content" in history[1]["flags"]
    assert history[0]["published"] == "2023-05-04"

    diff = changes.diff(repo, doc)
    assert (diff["from"]["version"], diff["to"]["version"]) == (1, 2)
    removed = " ".join(p["text"] for p in diff["paragraphs_removed"])
    assert "Nieuwkomers en personen met een migratieachtergrond" in removed and not diff["paragraphs_added"]
    assert diff["evidence_lost"] and diff["score_after"] < diff["score_before"]
    assert "dropped_content" in diff["flags_raised"] and diff["dropped_content"] is True

    detail = repo.document_detail(doc)
    assert detail is not None and detail.analysis is not None
    (flag,) = [f for f in detail.analysis.flags if f.code == "dropped_content"]
    quotes = " ".join(e["text"] for e in flag.evidence)
    assert "migratieachtergrond" in quotes and ("NARIC" in quotes or "2030" in quotes)


def test_a_layout_or_date_only_change_and_a_refetch_are_not_changes(site: StaticSite, store_url: str) -> None:
    repo = open_repository(store_url)
    _run(repo, site, store_url)
    again = _run(repo, site, store_url)  # 304: no new version
    assert (again["changed"], again["documents"]) == (0, [])
    _edit(site, plan(date="12 juni 2024", wrapper="article").replace("<h2>", '<h2 class="kop">'))
    layout = _run(repo, site, store_url)
    assert (layout["changed"], layout["documents"]) == (0, [])
    doc = changes.document_id(repo, site.url("/plans/actieplan.html"))
    history = changes.history(repo, doc)
    assert len(history) == 2 and history[1]["changed"] is False
    assert history[1]["content_hash"] != history[0]["content_hash"]
    assert "dropped_content" not in history[1]["flags"] and history[1]["score"] == history[0]["score"]
    diff = changes.diff(repo, doc)
    assert diff["changed"] is False and not diff["paragraphs_removed"] and diff["dropped_content"] is False


def test_a_url_that_answers_404_is_not_requested_again_until_its_backoff_ends(
    site: StaticSite, tmp_path: Path
) -> None:
    db = f"sqlite:///{tmp_path / 'store.db'}"
    repo = open_repository(db)
    _run(repo, site, db)
    assert ("/plans/weg.html", 404) in site.log
    failures = len(repo.dead_letters())
    seen = len(site.log)
    second = _run(repo, site, db)
    assert "/plans/weg.html" not in [p for p, _ in site.requests(seen)]
    assert len(repo.dead_letters()) == failures and second["skipped"] == 1


def test_history_diff_and_health_from_the_command_line(site: StaticSite, tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'store.db'}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("MINER_")} | {"MINER_DATABASE_URL": db}
    repo = open_repository(db)
    _run(repo, site, db)
    _edit(site, plan(chapter=False))
    _run(repo, site, db)
    url = site.url("/plans/actieplan.html")

    def miner(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(MINER), *args], env=env, cwd=ROOT, capture_output=True, text=True, check=False
        )

    history = json.loads(miner("history", url, "--format", "json").stdout)
    assert [v["version"] for v in history] == [1, 2]
    diff = json.loads(miner("diff", url, "--from", "1", "--to", "2", "--format", "json").stdout)
    assert set(diff) >= {"paragraphs_added", "paragraphs_removed", "score_before", "score_after"}
    assert set(diff) >= {"flags_raised", "flags_cleared", "evidence_lost", "evidence_gained"}
    table = miner("diff", url)
    assert table.returncode == 0 and "paragraph(s) removed" in table.stdout and "NARIC" in table.stdout
    csv = miner("history", url, "--format", "csv").stdout.splitlines()
    assert csv[0].startswith("version,version_id,fetched_at,published,content_hash") and len(csv) == 3
    missing = miner("diff", url, "--from", "7")
    assert missing.returncode == 1 and "no version 7" in missing.stderr
    unknown = miner("history", site.url("/nowhere.html"))
    assert unknown.returncode == 1 and "no document stored" in unknown.stderr
    health = json.loads(miner("health", "--format", "json").stdout)
    assert health[0]["source_id"] == "local-plans" and health[0]["found_per_run"] == [1, 1]


def _runs(*found: int, days: float = 1.0, error: str | None = None) -> list[RunYield]:
    """Finished runs, newest first, ``days`` apart, ending now."""
    now = datetime.now(UTC)
    return [
        RunYield(
            i, now - timedelta(days=i * days), now - timedelta(days=i * days), error if i == 0 else None, n, 0
        )
        for i, n in enumerate(found)
    ]


def test_source_health_warns_of_silence_sharp_drops_and_failed_runs() -> None:
    now = datetime.now(UTC) + timedelta(minutes=1)
    assert changes.check_source("s", "daily", _runs(10, 11, 9), now).warnings == ()
    drop = changes.check_source("s", "daily", _runs(3, 11, 9, 10), now)
    assert drop.warnings and "median of 10" in drop.warnings[0]
    silent = changes.check_source("s", "daily", _runs(0, 0, days=0.5), now)
    assert silent.warnings == ("no document found in any of the last 2 runs",)
    old_success = _runs(0, 0, 0, 8, days=1.0)
    quiet = changes.check_source("s", "daily", old_success, now)
    assert any("no document found for 3.0 days" in w for w in quiet.warnings)
    assert changes.check_source("s", "weekly", old_success, now).warnings == ()
    failed = changes.check_source("s", "daily", _runs(0, 8, error="start URL: 503"), now)
    assert failed.warnings[0] == "the last run failed: start URL: 503"


def test_workers_raise_dropped_content_and_the_run_names_the_changed_plan(
    site: StaticSite, tmp_path: Path
) -> None:
    """The Celery path (real Redis, PostgreSQL, a worker): the same flag, the same named documents."""
    from services import redis_db
    from workerfixture import Workers, worker_env

    sources = tmp_path / "sources.toml"
    site.sources_toml(sources, source_id="local-plans")
    with redis_db() as broker, postgres_schema() as db, Workers(worker_env(db, broker), tmp_path) as workers:
        env = worker_env(db, broker)
        workers.start("a", concurrency=2)

        def run() -> dict[str, object]:
            done = subprocess.run(
                [
                    str(MINER),
                    "run",
                    "--sources",
                    str(sources),
                    "--allow-private-addresses",
                    "--format",
                    "json",
                ],
                env=env,
                cwd=ROOT,
                capture_output=True,
                text=True,
                timeout=300,
                check=False,
            )
            assert done.returncode == 0, done.stderr + workers.log("a")
            return json.loads(done.stdout)  # type: ignore[no-any-return]

        assert [d["outcome"] for d in run()["documents"]] == ["new"]  # type: ignore[index]
        _edit(site, plan(chapter=False))
        (named,) = run()["documents"]  # type: ignore[misc]
        assert named["outcome"] == "changed" and "dropped_content" in named["new_flags"]
        assert named["url"] == site.url("/plans/actieplan.html")
