"""`miner run` in-process on a real local HTTP site: stored once, re-run all 304, failures recorded."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sitefixture import DOCUMENTS, StaticSite, build_site

from miner.config import Settings
from miner.jobs import run_sources
from miner.records import Source
from miner.store import open_repository

ROOT = Path(__file__).resolve().parents[2]
MINER = Path(sys.executable).with_name("miner")
#: Tables a re-crawl may grow: it is a new run, with its own frontier and requests.
RUN_TABLES = ("crawl_runs", "run_urls", "fetch_log")


@pytest.fixture
def site(tmp_path: Path) -> Iterator[StaticSite]:
    with StaticSite(build_site(tmp_path / "site")) as s:
        yield s


def _env(db: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MINER_")}
    env.update(MINER_DATABASE_URL=db, MINER_RETRY_BACKOFF="0.05", **extra)
    return env


def _miner(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(MINER), *args], env=env, cwd=ROOT, capture_output=True, text=True, timeout=600, check=False
    )


def _settings(db: str, **kw: object) -> Settings:
    base: dict[str, object] = {
        "database_url": db,
        "broker_url": None,
        "retry_backoff": 0.05,
        "retry_attempts": 2,
    }
    base.update(kw)
    return Settings(**base)  # type: ignore[arg-type]


def _source(site: StaticSite, **kw: object) -> Source:
    fields: dict[str, object] = {
        "id": "local-test",
        "name": "Local test site",
        "government": "flemish",
        "domains": ("employment",),
        "languages": ("nl", "fr"),
        "start_urls": (site.url("/index.html"),),
        "scope": (site.url("/"),),
        "delay": 0.0,
    }
    fields.update(kw)
    return Source(**fields)  # type: ignore[arg-type]


def _counts(db: str) -> dict[str, int]:
    return {k: v for k, v in open_repository(db).row_counts().items() if k not in RUN_TABLES}


def test_miner_run_twice_stores_once_and_the_second_run_is_all_304(site: StaticSite, tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'miner.db'}"
    env = _env(db)
    sources = site.sources_toml(tmp_path / "sources.toml")

    first = _miner("run", "--sources", str(sources), "--allow-private-addresses", env=env)
    assert first.returncode == 0, first.stdout + first.stderr
    assert "Traceback" not in first.stderr
    assert re.search(r"new 5\b", first.stdout) and re.search(r"failed 0\b", first.stdout), first.stdout
    after_first = _counts(db)
    seen_first = len(site.log)

    listed = _miner("documents", "--format", "json", env=env)
    assert listed.returncode == 0, listed.stderr
    docs = json.loads(listed.stdout)
    paths = sorted(d["url"].removeprefix(site.url("")) for d in docs)
    assert paths == sorted(DOCUMENTS)
    for d in docs:
        assert isinstance(d["score"], int), d
        assert len(d["content_hash"]) == 64 and d["government"] == "flemish"
        assert d["language"] in ("nl", "fr") and isinstance(d["flags"], list)
    by_path = {d["url"].removeprefix(site.url("")): d for d in docs}
    assert by_path["/fr/plan.html"]["language"] == "fr"
    assert by_path["/plans/actieplan.html"]["title"].startswith("Actieplan")

    # robots.txt is obeyed and the outside link not followed; a document page's navigation is
    # explored (a content page is not a dead end) but not stored: it is not a document.
    assert not [p for p, _ in site.log if p.startswith("/private/")]
    assert ("/menu/elders.html", 200) in site.log

    second = _miner("run", "--sources", str(sources), "--allow-private-addresses", env=env)
    assert second.returncode == 0, second.stdout + second.stderr
    assert re.search(r"new 0\b", second.stdout) and re.search(r"unchanged \(304\) 5\b", second.stdout)
    again = [(p, code) for p, code in site.requests(seen_first) if p != "/robots.txt"]
    assert again and all(code == 304 for _, code in again), again
    assert sorted(p for p, _ in again) == sorted(["/index.html", "/menu/elders.html", *DOCUMENTS])
    assert _counts(db) == after_first  # no new document, version, blob, paragraph or analysis


def test_a_changed_page_is_a_new_version_analysed_once(site: StaticSite, tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'miner.db'}"
    repo = open_repository(db)
    s = _settings(db)
    run_sources(repo, [_source(site)], allow_private=True, settings=s)
    before = repo.row_counts()
    page = site.root / "news" / "bericht.html"
    page.write_text(page.read_text().replace("elk jaar", "elk kwartaal"))
    later = time.time() + 120  # a Last-Modified the first answer cannot have had
    os.utime(page, (later, later))
    summary = run_sources(repo, [_source(site)], allow_private=True, settings=s).as_dict()
    assert (summary["new"], summary["changed"], summary["unchanged"]) == (0, 1, 4)
    after = repo.row_counts()
    assert after["document_versions"] == before["document_versions"] + 1
    assert after["analyses"] == before["analyses"] + 1
    assert after["documents"] == before["documents"]


def test_failures_are_dead_lettered_never_dropped(site: StaticSite, tmp_path: Path) -> None:
    (site.root / "plans" / "kapot.pdf").write_bytes(b"%PDF-1.7\n" + os.urandom(2048))
    (site.root / "plans" / "down.html").write_text("<html><body>never served</body></html>")
    index = site.root / "index.html"
    extra = '<li><a href="/plans/weg.html">404</a></li><li><a href="/plans/kapot.pdf">corrupt</a></li>'
    extra += '<li><a href="/plans/down.html">503</a></li>'
    index.write_text(index.read_text().replace("</ul>", extra + "</ul>"))
    site.broken["/plans/down.html"] = 503
    db = f"sqlite:///{tmp_path / 'miner.db'}"
    repo = open_repository(db)

    summary = run_sources(repo, [_source(site)], allow_private=True, settings=_settings(db)).as_dict()

    assert (summary["new"], summary["failed"], summary["pending"]) == (6, 3, 0)
    letters = {d["subject"].removeprefix(site.url("")): d for d in repo.dead_letters()}
    assert set(letters) == {"/plans/weg.html", "/plans/kapot.pdf", "/plans/down.html"}
    assert letters["/plans/weg.html"]["task"] == "fetch_url" and letters["/plans/weg.html"]["attempts"] == 1
    assert (
        letters["/plans/kapot.pdf"]["task"] == "process_document" and letters["/plans/kapot.pdf"]["permanent"]
    )
    assert letters["/plans/down.html"]["attempts"] == 2  # retried, then recorded
    assert sum(1 for p, code in site.log if p == "/plans/down.html" and code == 503) == 2
    # The corrupt file is kept (bytes and version) for a later extractor, but has no score.
    corrupt = [d for d in repo.documents() if d.url.endswith("kapot.pdf")]
    assert len(corrupt) == 1 and corrupt[0].score is None and corrupt[0].content_hash


def test_private_addresses_are_refused_without_the_flag(site: StaticSite, tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'miner.db'}"
    sources = site.sources_toml(tmp_path / "sources.toml")
    res = _miner("run", "--sources", str(sources), env=_env(db))
    assert res.returncode == 1
    assert "Traceback" not in res.stdout + res.stderr
    assert "local-test unreachable" in res.stdout and "127.0.0.1" in res.stdout
    assert site.log == []  # not one request left the process


def test_an_unreachable_source_is_reported_not_raised(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'miner.db'}"
    repo = open_repository(db)
    import socket

    with socket.socket() as sock:  # a port with nobody listening
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    down = Source(
        id="down",
        name="Down",
        government="federal",
        domains=("employment",),
        languages=("nl",),
        start_urls=(f"http://127.0.0.1:{port}/",),
        scope=(f"http://127.0.0.1:{port}/",),
        delay=0.0,
    )
    summary = run_sources(repo, [down], allow_private=True, settings=_settings(db))
    [line] = summary.sources
    assert line.error and f"127.0.0.1:{port}" in line.error and line.finished
    assert repo.row_counts()["documents"] == 0


REAL_PDF = Path("policy/vlaams-regeerakkoord-2019-2024/source/Regeerakkoord20192024.pdf")


@pytest.mark.slow
@pytest.mark.corpora
def test_the_real_coalition_agreement_is_crawled_scored_and_rechecked(tmp_path: Path) -> None:
    corpora = ROOT.parent / "shared" / "corpora"
    if not (corpora / REAL_PDF).is_file():
        pytest.skip(f"real documents not available: {corpora / REAL_PDF} is absent")
    site_dir = tmp_path / "site"
    (site_dir / "plans").mkdir(parents=True)
    (site_dir / "plans" / "regeerakkoord.pdf").write_bytes((corpora / REAL_PDF).read_bytes())
    (site_dir / "index.html").write_text(
        '<html><body><a href="/plans/regeerakkoord.pdf">akkoord</a></body></html>'
    )
    db = f"sqlite:///{tmp_path / 'miner.db'}"
    repo = open_repository(db)
    with StaticSite(site_dir) as site:
        first = run_sources(repo, [_source(site)], allow_private=True, settings=_settings(db)).as_dict()
        seen = len(site.log)
        again = run_sources(repo, [_source(site)], allow_private=True, settings=_settings(db)).as_dict()
        pdf_answers = [code for p, code in site.requests(seen) if p.endswith(".pdf")]
    assert (first["new"], first["failed"]) == (1, 0)
    [doc] = repo.documents()
    assert doc.kind == "pdf" and doc.language == "nl" and isinstance(doc.score, int)
    assert repo.row_counts()["paragraphs"] > 500  # 214 pages of text, kept for re-scoring and diffs
    assert (again["unchanged"], again["new"]) == (1, 0) and pdf_answers == [304]


def test_the_settings_given_to_run_sources_reach_extraction_and_the_classifier(
    site: StaticSite, tmp_path: Path
) -> None:
    """``run_sources(settings=...)`` analyses with those settings, not the process's: a text cap of 400
    characters refuses the 512-character action plan, and a threshold of 0.01 makes the news item and
    the annex (relevance about 0.04 and 0.3, not about migrants under the model's own threshold) count
    as about migrants. Before the Analyser, extraction and the classifier read the global settings."""
    db = f"sqlite:///{tmp_path / 'miner.db'}"
    repo = open_repository(db)
    s = _settings(db, max_text_chars=400, migrant_threshold=0.01)
    summary = run_sources(repo, [_source(site)], allow_private=True, settings=s).as_dict()
    assert summary["failed"] == 1
    (letter,) = repo.dead_letters()
    assert letter["subject"] == site.url("/plans/actieplan.html") and letter["task"] == "process_document"
    assert letter["permanent"] and "max_text_chars" in letter["message"]
    docs = {d.url.removeprefix(site.url("")): d for d in repo.documents()}
    assert set(docs) == set(DOCUMENTS) and docs["/plans/actieplan.html"].score is None
    analysed = [d for url, d in docs.items() if url != "/plans/actieplan.html"]
    assert all(d.error is None and d.migrant for d in analysed), analysed
    assert min(d.relevance or 1.0 for d in analysed) < 0.1  # the news item: migrant only by the setting
