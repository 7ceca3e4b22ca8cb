"""``miner documents`` streams every document page by page, in the JSON shape it always had."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import bulk

from miner.store import keyset, open_repository

MINER = [sys.executable, "-m", "miner"]


def _miner(store_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MINER_")}
    env["MINER_DATABASE_URL"] = store_url
    return subprocess.run([*MINER, *args], env=env, capture_output=True, text=True, check=False, timeout=300)


def test_json_streams_every_document_in_the_shape_of_the_whole_list(store_url: str) -> None:
    repo = open_repository(store_url)
    count = 2 * keyset.PAGE_SIZE + 34  # three pages
    bulk.fill(repo.engine, count)
    res = _miner(store_url, "documents", "--format", "json")
    assert res.returncode == 0, res.stderr
    expected = [d.as_dict() for d in repo.documents()]
    # The streamed text is exactly what dumping the whole list at once gave.
    assert res.stdout == json.dumps(expected, ensure_ascii=False, indent=2) + "\n"
    assert len(json.loads(res.stdout)) == count
    assert set(expected[0]) == {
        "url", "source_id", "government", "content_hash", "title", "kind", "language", "score",
        "relevance", "migrant", "flags", "rubric_version", "model_version", "fetched_at", "error",
    }  # fmt: skip
    cut = _miner(store_url, "documents", "--format", "json", "--limit", "3")
    assert [d["url"] for d in json.loads(cut.stdout)] == [bulk.url_of(i) for i in range(3)]
    other = _miner(store_url, "documents", "--format", "json", "--source", "nope")
    assert other.returncode == 2 and "unknown source 'nope'" in other.stderr


def test_table_lines_up_across_pages(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'store.db'}"
    bulk.fill(open_repository(url).engine, 450)
    res = _miner(url, "documents", "--limit", "420")
    assert res.returncode == 0, res.stderr
    lines = res.stdout.splitlines()
    assert lines[0].split() == ["document", "lang", "score", "flags"]
    # One header for the whole stream, one title line per document, 420 of them.
    assert sum(1 for line in lines if line.startswith("document ")) == 1
    body = [line for line in lines if line.startswith("Plan ")]
    assert len(body) == 420
    # Every chunk puts the score at the same column.
    column = lines[0].index("score")
    assert all(line[column : column + 5].strip().isdigit() for line in body)
