"""One answer whatever the entry point: a file, the same text as a JSON line, wrapped or rejoined lines.

The plan texts here are written for this test. The seed policy paper is read from
``../shared/corpora``'s sibling ``../shared/seed`` when present.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from miner.analyse.reflow import rejoin_lines
from miner.cli import analyse as _registers_command  # noqa: F401
from miner.cli import app
from miner.records import Paragraph

SEED = Path(__file__).resolve().parents[2] / "shared" / "seed" / "000_98e3ee68ee5734ef.txt"

#: A short plan, hard-wrapped with a blank line after every line, as text copied out of a PDF.
WRAPPED = """# Actieplan werk en inburgering

De Vlaamse regering wil de werkzaamheidsgraad van

personen met een migratieachtergrond verhogen. Nieuw-

komers volgen daarom een inburgeringstraject met lessen

Nederlands als tweede taal, en de VDAB begeleidt hen

naar werk. De erkenning van buitenlandse diploma's

wordt versneld.

# Opvolging

De regering volgt de tewerkstelling van vrouwen en mannen met

een migratieachtergrond jaarlijks op, met een streefcijfer per

provincie.
"""

HTML = """<!doctype html><html lang="nl"><head><title>Actieplan werk</title></head><body>
<h1>Actieplan werk</h1>
<p>De VDAB begeleidt werkzoekenden naar een job in hun eigen regio.</p>
<p>Anderstalige nieuwkomers krijgen daarbij een traject met lessen Nederlands.</p>
<p>Werkgevers die een praktijktest doorstaan, krijgen een label.</p>
<p>De regering evalueert het plan elk jaar in het parlement.</p>
</body></html>
"""


def _file(path: Path) -> dict:
    out = CliRunner().invoke(app, ["analyse", "--format", "json", str(path)])
    assert out.exit_code == 0, out.output
    data = json.loads(out.stdout)
    return data[0] if isinstance(data, list) else data


def _jsonl(*texts: str, lang: str | None = None) -> list[dict]:
    lines = "".join(
        json.dumps({"id": str(i), "text": t, **({"lang": lang} if lang else {})}, ensure_ascii=False) + "\n"
        for i, t in enumerate(texts)
    )
    out = CliRunner().invoke(app, ["analyse", "--jsonl"], input=lines)
    assert out.exit_code == 0, out.output
    return [json.loads(line) for line in out.stdout.splitlines() if line.strip()]


def _same(a: dict, b: dict) -> None:
    assert a["migrant"] == b["migrant"]
    assert a["relevance"] == pytest.approx(b["relevance"], abs=1e-4)
    assert a["score"] == b["score"]
    assert {k: v["score"] for k, v in a["dimensions"].items()} == {
        k: v["score"] for k, v in b["dimensions"].items()
    }


def test_a_text_file_and_the_same_text_as_a_json_line_agree(tmp_path: Path) -> None:
    path = tmp_path / "actieplan.txt"
    path.write_text(WRAPPED, encoding="utf-8")
    as_file = _file(path)
    (as_line,) = _jsonl(WRAPPED)
    _same(as_file, as_line)
    assert as_file["migrant"] and as_file["relevance"] > 0.9


def test_wrapped_and_rejoined_lines_agree(tmp_path: Path) -> None:
    rejoined = (
        "# Actieplan werk en inburgering\n\n"
        "De Vlaamse regering wil de werkzaamheidsgraad van personen met een migratieachtergrond verhogen. "
        "Nieuwkomers volgen daarom een inburgeringstraject met lessen Nederlands als tweede taal, en de VDAB "
        "begeleidt hen naar werk. De erkenning van buitenlandse diploma's wordt versneld.\n\n"
        "# Opvolging\n\n"
        "De regering volgt de tewerkstelling van vrouwen en mannen met een migratieachtergrond jaarlijks op, "
        "met een streefcijfer per provincie.\n"
    )
    wrapped, joined = _jsonl(WRAPPED, rejoined)
    _same(wrapped, joined)


def test_an_html_file_and_its_text_agree_on_migrant_and_relevance(tmp_path: Path) -> None:
    path = tmp_path / "actieplan.html"
    path.write_text(HTML, encoding="utf-8")
    as_file = _file(path)
    paragraphs = [
        "Actieplan werk",
        "De VDAB begeleidt werkzoekenden naar een job in hun eigen regio.",
        "Anderstalige nieuwkomers krijgen daarbij een traject met lessen Nederlands.",
        "Werkgevers die een praktijktest doorstaan, krijgen een label.",
        "De regering evalueert het plan elk jaar in het parlement.",
    ]
    for text in ("\n\n".join(paragraphs), "\n".join(paragraphs), " ".join(paragraphs)):
        (as_line,) = _jsonl(text)
        assert as_line["migrant"] == as_file["migrant"] is True
        assert as_line["relevance"] == pytest.approx(as_file["relevance"], abs=0.02)


def test_the_seed_paper_scores_alike_as_extracted_and_rejoined(tmp_path: Path) -> None:
    if not SEED.is_file():
        pytest.skip(f"{SEED} is absent")
    raw = SEED.read_text(encoding="utf-8")
    lines = [line.strip() for line in raw.splitlines() if line.strip()]
    as_file = _file(SEED)
    as_raw, single_newlines, one_line = _jsonl(raw, "\n".join(lines), " ".join(lines))
    _same(as_file, as_raw)
    for other in (single_newlines, one_line):
        assert other["migrant"] is as_file["migrant"] is True
        assert other["relevance"] == pytest.approx(as_file["relevance"], abs=0.02)
        assert abs(other["score"] - as_file["score"]) <= 10


def test_rejoin_lines() -> None:
    def paras(*texts: str, section: str | None = None) -> list[Paragraph]:
        return [Paragraph(i, t, section=section) for i, t in enumerate(texts)]

    got = rejoin_lines(paras("De kloof tussen per-", "sonen met en zonder", "migratieachtergrond is groot."))
    assert [p.text for p in got] == ["De kloof tussen personen met en zonder migratieachtergrond is groot."]
    # a hyphen before a conjunction is a suspended compound, unless the two halves make a word
    got = rejoin_lines(paras("het arbeids-", "en onderwijsbeleid voor mannen en vrouw-", "en met diploma."))
    assert got[0].text == "het arbeids- en onderwijsbeleid voor mannen en vrouwen met diploma."
    # a line ending with a function word continues even before a capital
    got = rejoin_lines(paras("op vraag van de", "Koning Boudewijnstichting."))
    assert [p.text for p in got] == ["op vraag van de Koning Boudewijnstichting."]
    # a sentence end and a capital start a new paragraph; a heading stays alone
    got = rejoin_lines(paras("Dit is af.", "Een nieuwe alinea", "Nog een"))
    assert [p.text for p in got] == ["Dit is af.", "Een nieuwe alinea", "Nog een"]
    heading = [
        Paragraph(0, "Opvolging", section="Opvolging"),
        Paragraph(1, "de regering volgt op.", section="Opvolging"),
    ]
    assert len(rejoin_lines(heading)) == 2
    items = rejoin_lines(paras("Drie maatregelen voor", "- opleiding", "- taal voor", "- werk", "Dit is af."))
    assert [p.text for p in items] == [
        "Drie maatregelen voor",
        "- opleiding",
        "- taal voor",
        "- werk",
        "Dit is af.",
    ]
    got = rejoin_lines(paras("De regering", "op vraag van de", "Koning.", "Nieuw."))
    assert [(p.index, p.text) for p in got] == [(0, "De regering op vraag van de Koning."), (1, "Nieuw.")]
