"""What the store's listings look like piped at 80 columns, and that JSON and CSV say the same.

One real crawl of the local test site (a document with a long title, a page that answers 404 for a
dead letter), then ``miner documents``, ``failures``, ``mentions``, ``report``, ``sources``,
``settings`` and ``analyse`` as real processes with ``COLUMNS=80`` and stdout a pipe.
"""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sitefixture import StaticSite, build_site, html_doc

ROOT = Path(__file__).resolve().parents[2]
LONG_TITLE = (
    "Beleidsnota Werk, Economie, Wetenschap en Innovatie 2024-2029: inburgering, taal en "
    "werk voor nieuwkomers met een migratieachtergrond"
)
#: The JSON fields of ``miner documents --format json`` that scripts read (the contract).
DOCUMENT_FIELDS = {
    "url",
    "source_id",
    "government",
    "content_hash",
    "title",
    "kind",
    "language",
    "score",
    "relevance",
    "migrant",
    "flags",
    "rubric_version",
    "model_version",
    "fetched_at",
    "error",
}


def _env(db: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MINER_")}
    env.update(
        PYTHONPATH=str(ROOT),
        COLUMNS="80",
        MINER_DATABASE_URL=db,
        MINER_RETRY_BACKOFF="0.05",
        MINER_FETCH_ATTEMPTS="1",
    )
    return env


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """A store filled by one real ``miner run`` of the local site; yields the environment to use it."""
    tmp = tmp_path_factory.mktemp("listings")
    root = build_site(tmp / "site")
    (root / "news" / "nota.html").write_text(
        html_doc(LONG_TITLE, "Nieuwkomers met een migratieachtergrond krijgen taalles op de werkvloer.")
    )
    index = (root / "index.html").read_text()
    links = '<li><a href="/news/nota.html">nota</a></li><li><a href="/news/weg.pdf">weg</a></li>'
    (root / "index.html").write_text(index.replace("</ul>", links + "</ul>"))
    with StaticSite(root) as site:
        env = _env(f"sqlite:///{tmp / 'miner.db'}")
        sources = site.sources_toml(tmp / "sources.toml")
        run = _miner("run", "--sources", str(sources), "--allow-private-addresses", env=env)
        assert run.returncode == 0, run.stderr
        yield env


def _miner(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "miner", *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def _column(table: str, header: str, next_header: str) -> str:
    """The text of one column of a printed table (from its header's position to the next one's)."""
    lines = table.splitlines()
    start, end = lines[0].index(header), lines[0].index(next_header)
    return "\n".join(line[start:end] for line in lines[2:])


@pytest.mark.parametrize(
    "args",
    [
        ["documents"],
        ["failures"],
        ["mentions", "migratieachtergrond"],
        ["report", "--by", "source"],
        ["report", "--by", "government,year"],
        ["sources"],
        ["settings"],
        ["analyse", "corpora/demo/actieplan-werk.html", "corpora/demo/plan-emploi.html"],
    ],
    ids=lambda a: "-".join(a[:3]) if a[0] == "report" else a[0],
)
def test_tables_fit_80_columns_when_piped(args: list[str], store: dict[str, str]) -> None:
    proc = _miner(*args, env=store)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines, proc.stderr
    too_wide = [line for line in lines if len(line) > 80]
    assert not too_wide
    assert all(line == line.rstrip() for line in lines)
    assert "http://" not in proc.stdout and "https://" not in proc.stdout  # no "http://12…"


def test_documents_table_reads_well_and_json_csv_say_the_same(store: dict[str, str]) -> None:
    rows = json.loads(_miner("documents", "--format", "json", env=store).stdout)
    assert rows and all(set(r) == DOCUMENT_FIELDS for r in rows)  # field names unchanged
    table = _miner("documents", env=store).stdout
    header = table.splitlines()[0].split()
    assert header == ["document", "lang", "score", "flags"]  # no hash column by default
    words = set(table.replace(",", " ").split())
    for code in {c for r in rows for c in r["flags"]}:
        assert code in words, code  # every flag code whole, never cut mid-word
    document = " ".join(_column(table, "document", "lang").split())
    assert "Beleidsnota Werk, Economie, Wetenschap en Innovatie 2024…" in document  # cut, and marked
    assert LONG_TITLE not in document
    for r in rows:
        assert r["url"].rsplit("/", 1)[1] in table  # each document's file name is shown
    wide = _miner("documents", "--wide", env=store).stdout
    assert "hash" in wide.splitlines()[0] and rows[0]["content_hash"][:12] in wide
    assert rows[0]["url"] in wide and LONG_TITLE in wide
    parsed = list(csv.DictReader(io.StringIO(_miner("documents", "-f", "csv", env=store).stdout, newline="")))
    assert [r["url"] for r in parsed] == [r["url"] for r in rows] and set(parsed[0]) == DOCUMENT_FIELDS
    nota = next(r for r in parsed if r["url"].endswith("/news/nota.html"))
    assert nota["title"] == LONG_TITLE


def test_failures_list_the_dead_letter_with_its_error(store: dict[str, str]) -> None:
    dead = json.loads(_miner("failures", "-f", "json", env=store).stdout)
    assert any(d["subject"].endswith("/news/weg.pdf") and "404" in d["message"] for d in dead)
    table = _miner("failures", env=store).stdout
    assert "/news/weg.pdf" in table and "HTTP 404" in table
    rows = list(csv.DictReader(io.StringIO(_miner("failures", "-f", "csv", env=store).stdout, newline="")))
    assert [r["subject"] for r in rows] == [d["subject"] for d in dead]


def test_mentions_and_report_keep_their_json_and_fit_the_keyword(store: dict[str, str]) -> None:
    page = json.loads(_miner("mentions", "migratieachtergrond", "-f", "json", env=store).stdout)
    found = page["mentions"]
    assert found and {"url", "page", "paragraph", "text", "left", "match", "right"} <= set(found[0])
    assert page["total"]["paragraphs"] >= 1 and page["next_cursor"] is None
    table = _miner("mentions", "migratieachtergrond", env=store).stdout
    assert table.count("migratieachtergrond") >= len(found)  # the keyword is never cut away
    report = json.loads(_miner("report", "-f", "json", env=store).stdout)
    assert report["by"] == ["government"] and report["rows"][0]["government"] == "flemish"
    known = _miner("documents", "--source", "local-test", "-f", "json", env=store)
    assert known.returncode == 0 and len(json.loads(known.stdout)) >= 5
