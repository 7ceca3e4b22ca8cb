"""``miner mentions``, ``watchlist``, ``report`` and ``export`` as a user runs them (real processes,
a real SQLite store): JSON with totals and cursors, CSV, Markdown, charts, watchlists, exports."""

from __future__ import annotations

import csv
import io
import json
import os
import struct
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from reportdata import store_doc

from miner.report.chart import chart_title
from miner.store import open_repository

ROOT = Path(__file__).resolve().parents[2]


def miner(tmp: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MINER_")}
    env.update(PYTHONPATH=str(ROOT), COLUMNS="80", MINER_DATABASE_URL=f"sqlite:///{tmp / 'miner.db'}")
    return subprocess.run(
        [sys.executable, "-m", "miner", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=300,
        check=False,
    )


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("cli")
    repo = open_repository(f"sqlite:///{tmp / 'miner.db'}")
    for i in range(12):
        year = 2019 + i % 3
        store_doc(
            repo,
            f"http://127.0.0.1:1/plan{i:02d}.html",
            (
                ("nl", f"Plan {i}: inburgering van nieuwkomers en hun inburgeringstraject."),
                ("fr", "Le parcours d'intégration."),
            ),
            government="flemish" if i % 2 else "walloon",
            source_id="vl" if i % 2 else "wal",
            published=date(year, 1, 1) if i != 11 else None,
            published_source="html-meta",
            score=None if i == 0 else 10 * i,
            dims={"recognition": 100 if i % 3 else 50},
            flags=("no_gender_lens",) if i % 4 == 0 else (),
        )
    repo.engine.dispose()
    return tmp


def test_mentions_json_has_totals_and_pages_through_the_cursor(store: Path) -> None:
    first = json.loads(miner(store, "mentions", "inburgering", "--limit", "5", "-f", "json").stdout)
    assert first["total"] == {"paragraphs": 12, "documents": 12} and first["shown"] == {"paragraphs": 5}
    assert len(first["mentions"]) == 10 and first["next_cursor"]  # two mentions a paragraph
    assert first["mentions"][0]["match"] == "inburgering" and first["mentions"][0]["page"] == 1
    urls = {m["url"] for m in first["mentions"]}
    cursor = first["next_cursor"]
    while cursor:
        page = json.loads(
            miner(store, "mentions", "inburgering", "--limit", "5", "--cursor", cursor, "-f", "json").stdout
        )
        urls |= {m["url"] for m in page["mentions"]}
        cursor = page["next_cursor"]
    assert len(urls) == 12
    every = json.loads(miner(store, "mentions", "INBURGERING", "--all", "-f", "json").stdout)
    assert len(every["mentions"]) == 24 and every["next_cursor"] is None
    table = miner(store, "mentions", "inburgering", "--limit", "5")
    assert "paragraphs 5 of 12 shown, in 12 documents; next page: --cursor " in table.stderr
    assert max(len(line) for line in table.stdout.splitlines()) <= 80
    bad = miner(store, "mentions", "inburgering", "--cursor", "nonsense")
    assert bad.returncode == 2 and "--cursor" in bad.stderr


def test_mentions_csv_filters_and_counts(store: Path) -> None:
    out = miner(
        store, "mentions", "intégration", "--government", "flemish", "--since", "2020-01-01", "-f", "csv"
    )
    rows = list(csv.DictReader(io.StringIO(out.stdout)))
    assert rows and {r["government"] for r in rows} == {"flemish"} and {r["language"] for r in rows} == {"fr"}
    assert all(r["date"] >= "2020" for r in rows) and "date_source" in rows[0]
    counts = json.loads(
        miner(store, "mentions", "integration", "--by", "government,year", "-f", "json").stdout
    )
    years = {(r["government"], r["year"], r["year_source"]): r["mentions"] for r in counts["rows"]}
    assert years[("walloon", 2019, "published")] == 2 and years[("flemish", 2026, "fetched")] == 1
    assert miner(store, "mentions", "x", "--since", "yesterday").returncode == 2
    assert miner(store, "mentions", "x", "--by", "colour").returncode == 2


def test_watchlists_are_made_listed_used_and_removed(store: Path) -> None:
    made = miner(store, "watchlist", "add", "inburgering", "nl:inburgering", "fr:intégration", "-f", "json")
    assert made.returncode == 0, made.stderr
    assert json.loads(made.stdout) == [
        {"watchlist": "inburgering", "term": "inburgering", "language": "nl"},
        {"watchlist": "inburgering", "term": "intégration", "language": "fr"},
    ]
    assert json.loads(miner(store, "watchlist", "list", "-f", "json").stdout) == [
        {"name": "inburgering", "terms": 2}
    ]
    found = json.loads(miner(store, "mentions", "--watchlist", "inburgering", "--all", "-f", "json").stdout)
    assert {m["term"] for m in found["mentions"]} == {"nl:inburgering", "fr:intégration"} and len(
        found["mentions"]
    ) == 36
    assert miner(store, "watchlist", "remove", "inburgering", "fr:intégration").returncode == 0
    assert "intégration" not in miner(store, "watchlist", "show", "inburgering").stdout
    assert miner(store, "watchlist", "remove", "inburgering").returncode == 0
    gone = miner(store, "watchlist", "show", "inburgering")
    assert gone.returncode == 2 and "no watchlist named 'inburgering'" in gone.stderr
    assert miner(store, "mentions", "--watchlist", "nope").returncode == 2
    assert miner(store, "watchlist", "add", "x").returncode == 2


def test_report_formats_and_charts(store: Path, tmp_path: Path) -> None:
    out = miner(store, "report", "--by", "government,year", "-f", "csv")
    rows = list(csv.DictReader(io.StringIO(out.stdout)))
    assert {"government", "year", "year_source", "not_scored", "mean_score", "coverage_recognition"} <= set(
        rows[0]
    )
    walloon_2019 = next(r for r in rows if r["government"] == "walloon" and r["year"] == "2019")
    assert walloon_2019["not_scored"] == "1" and walloon_2019["not_scored_reasons"] == "error:1"
    md = miner(store, "report", "--by", "year", "-f", "md").stdout
    assert md.startswith("# Trends by year") and "| 2026 (fetched) |" in md
    as_json = json.loads(miner(store, "report", "--by", "source", "-f", "json").stdout)
    assert [r["source"] for r in as_json["rows"]] == ["vl", "wal"] and as_json["totals"]["not_scored"] == 1
    levels = list(csv.DictReader(io.StringIO(miner(store, "report", "--levels", "-f", "csv").stdout)))
    assert {r["government"]: r["level"] for r in levels} == {"flemish": "light", "walloon": "light"}
    png, svg = tmp_path / "trend.png", tmp_path / "trend.svg"
    done = miner(store, "report", "--by", "government,year", "--chart", str(png))
    assert done.returncode == 0 and f"chart: {png}" in done.stderr
    head = png.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n" and struct.unpack(">II", head[16:24]) == (990, 616)
    assert miner(store, "report", "--by", "government", "--chart", str(svg), "-f", "json").returncode == 0
    text = svg.read_text(encoding="utf-8")
    assert text.lstrip().startswith("<?xml") and "<svg" in text
    assert "Mean mainstreaming score by government" in text and "n=5 in scope" in text
    assert chart_title.__name__ and miner(store, "report", "--chart", str(tmp_path / "x.gif")).returncode == 2


def test_export_streams_csv_and_jsonl(store: Path) -> None:
    docs = list(csv.DictReader(io.StringIO(miner(store, "export", "--format", "csv").stdout)))
    assert len(docs) == 12 and docs[0]["url"].endswith("plan00.html") and docs[0]["scored"] == "false"
    assert docs[1]["dimension_recognition"] == "100" and docs[1]["published_source"] == "html-meta"
    lines = miner(store, "export", "--what", "flags", "--format", "jsonl").stdout.splitlines()
    assert len(lines) == 2 and all(json.loads(line)["code"] == "no_gender_lens" for line in lines)
    evidence = miner(store, "export", "--what", "evidence", "--format", "jsonl", "--government", "flemish")
    assert evidence.stdout and all(
        json.loads(x)["government"] == "flemish" for x in evidence.stdout.splitlines()
    )
    assert miner(store, "export", "--what", "everything").returncode == 2
