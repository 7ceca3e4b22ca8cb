"""One command-line convention, as a user meets it: real ``miner`` processes, exit codes and stderr.

Every command that prints data checks ``--format`` the same way; errors go to stderr, never into
the table; an empty result says so; a configuration error exits 2 in every command; an unknown
source or an empty search term is a usage error; a file that is not a document is refused.
"""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
NL = "Anderstalige nieuwkomers krijgen extra taalondersteuning op school en een inburgeringstraject."


def miner(*args: str, tmp: Path, stdin: str | None = None, **env: str) -> subprocess.CompletedProcess[str]:
    """``miner ARGS`` on a store of its own (``tmp/miner.db``), with only the given MINER_* settings."""
    base = {k: v for k, v in os.environ.items() if not k.startswith("MINER_")}
    base.update(PYTHONPATH=str(ROOT), COLUMNS="80", MINER_DATABASE_URL=f"sqlite:///{tmp / 'miner.db'}")
    return subprocess.run(
        [sys.executable, "-m", "miner", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**base, **env},
        timeout=300,
        check=False,
    )


#: Every command that prints data, with the arguments it needs.
DATA_COMMANDS = [
    ["documents"],
    ["failures"],
    ["sources"],
    ["mentions", "inburgering"],
    ["report"],
    ["watchlist", "list"],
    ["export"],
    ["settings"],
    ["analyse", "README.md"],
    ["evaluate"],
    ["run"],
]


@pytest.mark.parametrize("args", DATA_COMMANDS, ids=lambda a: a[0])
def test_an_unknown_format_is_a_usage_error_in_every_command(args: list[str], tmp_path: Path) -> None:
    proc = miner(*args, "--format", "xml", tmp=tmp_path)
    assert proc.returncode == 2, (proc.stdout, proc.stderr)
    assert "'xml' is not one of" in proc.stderr and proc.stdout == ""


#: Every command that reads the settings (``evaluate`` reads none; ``run`` needs its sources).
SETTINGS_COMMANDS = [
    *(a for a in DATA_COMMANDS if a[0] not in ("evaluate", "run")),
    ["run", "--sources", "corpora/sources"],
    ["migrate"],
]


@pytest.mark.parametrize("args", SETTINGS_COMMANDS, ids=lambda a: a[0])
def test_a_configuration_error_exits_2_in_every_command(args: list[str], tmp_path: Path) -> None:
    proc = miner(*args, tmp=tmp_path, MINER_REQUEST_TIMEOUT="soon")
    assert proc.returncode == 2, (proc.stdout, proc.stderr)
    assert "error: configuration: MINER_REQUEST_TIMEOUT" in proc.stderr
    assert "Traceback" not in proc.stderr and proc.stdout == ""


def test_an_invalid_source_file_is_a_configuration_error_for_sources_and_run(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('[[source]]\nid = "x"\n', encoding="utf-8")
    for args in (["sources", "--path", str(bad)], ["sources", "--check", "--path", str(bad)]):
        proc = miner(*args, tmp=tmp_path)
        assert proc.returncode == 2 and "error: configuration:" in proc.stderr and "bad.toml" in proc.stderr
    run = miner("run", "--sources", str(bad), tmp=tmp_path)
    assert run.returncode == 2 and "bad.toml" in run.stderr


def test_documents_takes_f_and_an_empty_store_says_so(tmp_path: Path) -> None:
    table = miner("documents", tmp=tmp_path)
    assert table.returncode == 0 and table.stdout == ""
    assert "no documents stored yet" in table.stderr
    as_json = miner("documents", "-f", "json", tmp=tmp_path)
    assert as_json.returncode == 0 and json.loads(as_json.stdout) == []
    as_csv = miner("documents", "-f", "csv", tmp=tmp_path)
    header = next(csv.reader(io.StringIO(as_csv.stdout)))
    assert header[:3] == ["url", "source_id", "government"] and len(as_csv.stdout.splitlines()) == 1
    for args, said in (
        (["failures"], "no failures recorded"),
        (["mentions", "inburgering"], "no mention of 'inburgering'"),
        (["report"], "no documents stored yet"),
    ):
        proc = miner(*args, tmp=tmp_path)
        assert proc.returncode == 0 and proc.stdout == "" and said in proc.stderr, args


def test_an_unknown_source_and_an_empty_term_are_usage_errors(tmp_path: Path) -> None:
    nope = miner("documents", "--source", "nope", tmp=tmp_path)
    assert nope.returncode == 2 and "unknown source 'nope'" in nope.stderr and nope.stdout == ""
    known = miner("documents", "--source", "vdab", tmp=tmp_path)  # in the registry, not crawled yet
    assert known.returncode == 0 and "no documents stored for source 'vdab'" in known.stderr
    for term in ("", "   "):
        proc = miner("mentions", term, tmp=tmp_path)
        assert proc.returncode == 2 and "TERM" in proc.stderr and proc.stdout == ""
    by = miner("report", "--by", "colour", tmp=tmp_path)
    assert by.returncode == 2 and "'colour' is not one of" in by.stderr


def test_analyse_errors_go_to_stderr_never_into_the_table(tmp_path: Path) -> None:
    good = tmp_path / "plan.txt"
    good.write_text(NL, encoding="utf-8")
    missing = tmp_path / "weg.pdf"
    proc = miner("analyse", str(good), str(missing), tmp=tmp_path)
    assert proc.returncode == 1
    assert "plan.txt" in proc.stdout and "no such file" not in proc.stdout and "weg.pdf" not in proc.stdout
    assert f"error: {missing}: input: no such file" in proc.stderr


def test_a_file_that_is_not_a_document_is_refused_with_a_clear_error(tmp_path: Path) -> None:
    fake = tmp_path / "hello.docx"
    fake.write_text("Hello world, this is not a Word document at all.", encoding="utf-8")
    data = tmp_path / "data.csv"
    data.write_text("gemeente,aantal\nGent,12\nLiège,7\n", encoding="utf-8")
    real = tmp_path / "plan.txt"
    real.write_text(NL, encoding="utf-8")
    proc = miner("analyse", "-f", "json", str(fake), str(data), str(real), tmp=tmp_path)
    assert proc.returncode == 1
    out = [json.loads(line) for line in proc.stdout.splitlines()]
    assert (
        out[0]["language"] is None and "name ends in .docx but the content is plain text" in out[0]["error"]
    )
    assert out[1]["language"] is None and "name ends in .csv but the content is plain text" in out[1]["error"]
    assert out[2]["error"] is None and out[2]["migrant"] is True


def test_the_table_shows_the_warnings_the_json_carries(tmp_path: Path) -> None:
    doc = tmp_path / "english.txt"
    doc.write_text(
        "This plan helps newcomers and refugees find work through language courses in Antwerp.",
        encoding="utf-8",
    )
    as_json = json.loads(miner("analyse", "-f", "json", str(doc), tmp=tmp_path).stdout)
    assert as_json["warnings"]
    table = miner("analyse", str(doc), tmp=tmp_path).stdout
    assert f"warning: {as_json['warnings'][0]}" in " ".join(table.split())


def test_analyse_csv_has_one_row_per_input_with_a_header(tmp_path: Path) -> None:
    doc = tmp_path / "plan.txt"
    doc.write_text(NL, encoding="utf-8")
    proc = miner("analyse", "-f", "csv", str(doc), str(tmp_path / "weg.txt"), tmp=tmp_path)
    rows = list(csv.DictReader(io.StringIO(proc.stdout, newline="")))
    assert proc.returncode == 1 and [r["id"] for r in rows] == [str(doc), str(tmp_path / "weg.txt")]
    assert rows[0]["migrant"] == "true" and rows[0]["error"] == "" and "no such file" in rows[1]["error"]


def test_jsonl_cannot_be_asked_for_as_csv(tmp_path: Path) -> None:
    proc = miner("analyse", "--jsonl", "-f", "csv", tmp=tmp_path, stdin="")
    assert proc.returncode == 2 and "--jsonl writes JSON lines" in proc.stderr


def test_settings_never_print_a_password_or_a_token(tmp_path: Path) -> None:
    secrets = {
        "MINER_DATABASE_URL": "postgresql+psycopg://miner:Db-Secret-1@db.internal:5432/miner",
        "MINER_BROKER_URL": "redis://:Broker-Secret-2@redis.internal:6379/0",
        "MINER_REDIS_URL": "redis://slots:Redis-Secret-3@redis.internal:6379/1",
        "MINER_RESULT_BACKEND": "redis://:Backend-Secret-4@redis.internal:6379/2",
        "MINER_API_TOKEN": "Token-Secret-5",
    }
    for args in (["-f", "json"], ["-f", "table"], ["-f", "csv"], ["--wide"]):
        proc = miner("settings", *args, tmp=tmp_path, **secrets)
        assert proc.returncode == 0
        for k in range(1, 6):
            assert f"Secret-{k}" not in proc.stdout + proc.stderr, (args, k)
        if args != ["-f", "table"]:  # (the 80-column table cuts long values in the middle)
            assert "db.internal:5432" in proc.stdout  # the rest of the URL is still shown
    rows = {r["env"]: r for r in json.loads(miner("settings", "-f", "json", tmp=tmp_path, **secrets).stdout)}
    assert rows["MINER_DATABASE_URL"]["value"] == "postgresql+psycopg://miner:***@db.internal:5432/miner"
    assert rows["MINER_API_TOKEN"]["value"] == "(set)"
