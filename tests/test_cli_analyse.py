"""``miner analyse`` as a user runs it: a real process, real files, JSON lines on stdin."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CONTRACT = {"id", "language", "relevance", "migrant", "score", "dimensions", "flags", "evidence", "error"}


def miner(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "miner", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
    )


def test_jsonl_answers_every_line_in_order_and_never_crashes() -> None:
    lines = [
        {
            "id": "nl-pos",
            "text": "Hoeveel erkende vluchtelingen en asielzoekers vonden in 2016 werk via de VDAB?",
        },
        {
            "id": "fr-pos",
            "text": "Combien de réfugiés reconnus et de demandeurs d'asile ont trouvé un emploi ?",
        },
        "this is not json",
        {"id": "no-text"},
        {"id": "bad-lang", "text": "Tekst", "lang": "xx"},
        {
            "id": "leefloon",
            "text": "Hoeveel OCMW's kenden in 2016 een leefloon toe in het kader van het recht op "
            "maatschappelijke integratie, en hoe evolueerde het aantal leefloners per provincie?",
        },
        {
            "id": 7,
            "text": "De trein naar Luxemburg had twee uur vertraging door een technisch defect.",
            "lang": "nl",
        },
    ]
    stdin = "\n".join(x if isinstance(x, str) else json.dumps(x) for x in lines) + "\n"
    proc = miner("analyse", "--jsonl", stdin=stdin)
    assert proc.returncode == 1  # some lines could only be answered with an error
    out = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [o["id"] for o in out] == ["nl-pos", "fr-pos", "line-3", "no-text", "bad-lang", "leefloon", "7"]
    assert all(set(o) >= CONTRACT for o in out)
    by_id = {o["id"]: o for o in out}
    assert by_id["nl-pos"]["migrant"] is True and by_id["nl-pos"]["language"] == "nl"
    assert by_id["fr-pos"]["migrant"] is True and by_id["fr-pos"]["language"] == "fr"
    assert by_id["leefloon"]["migrant"] is False
    assert by_id["7"]["migrant"] is False and by_id["7"]["score"] == 0
    for bad in ("line-3", "no-text", "bad-lang"):
        assert by_id[bad]["error"] and by_id[bad]["migrant"] is None
    assert by_id["nl-pos"]["error"] is None and 0 <= by_id["nl-pos"]["relevance"] <= 1


def test_json_output_quotes_evidence_with_paragraph_and_offsets(tmp_path: Path) -> None:
    doc = tmp_path / "plan.html"
    doc.write_text(
        (ROOT / "corpora" / "demo" / "actieplan-werk.html").read_text(encoding="utf-8"), encoding="utf-8"
    )
    proc = miner("analyse", "--format", "json", str(doc))
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    assert result["migrant"] is True and result["score"] > 0 and result["language"] == "nl"
    assert result["content_hash"] and result["rubric_version"] and result["model_version"]
    from miner.extract import extract_path

    paragraphs = extract_path(doc).paragraphs
    assert result["evidence"]
    for ev in result["evidence"]:
        text = paragraphs[ev["paragraph"]].text
        assert ev["text"] in text  # the quote is the paragraph's own words
        assert text[ev["start"] : ev["end"]].lower() != ""  # offsets point inside that paragraph
        assert ev["start"] < ev["end"] <= len(text)
    assert result["dimensions"]["recognition"]["score"] == 100
    assert result["dimensions"]["barriers"]["score"] >= 50


def test_a_bad_file_gets_an_error_and_the_others_still_get_answers(tmp_path: Path) -> None:
    good = tmp_path / "plan.txt"
    good.write_text("Anderstalige nieuwkomers krijgen extra taalondersteuning op school.", encoding="utf-8")
    bad = tmp_path / "broken.pdf"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)
    proc = miner("analyse", "--format", "json", str(bad), str(good), str(tmp_path / "missing.pdf"))
    assert proc.returncode == 1
    out = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [o["id"] for o in out] == [str(bad), str(good), str(tmp_path / "missing.pdf")]
    assert "unsupported" in out[0]["error"] and out[1]["error"] is None and "no such file" in out[2]["error"]
    assert "Traceback" not in proc.stderr


def test_table_output_is_readable(tmp_path: Path) -> None:
    doc = tmp_path / "plan-emploi.html"
    doc.write_text(
        (ROOT / "corpora" / "demo" / "plan-emploi.html").read_text(encoding="utf-8"), encoding="utf-8"
    )
    proc = miner("analyse", str(doc))
    assert proc.returncode == 0, proc.stderr
    assert "plan-emploi.html" in proc.stdout and "recognition" in proc.stdout


@pytest.mark.parametrize(
    "args", [["analyse"], ["analyse", "--format", "xml", "x"], ["analyse", "--jsonl", "x"]]
)
def test_usage_errors_exit_2(args: list[str]) -> None:
    proc = miner(*args)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
