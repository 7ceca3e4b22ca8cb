"""The command line's shared output machinery: fitting tables, JSON and CSV writers, redaction."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass

import pytest
from rich.console import Console

from miner.cli.output import ExitCode, csv_cell, exit_code_for, write_csv, write_json_list
from miner.cli.table import ELLIPSIS, Column, Fit, Kwic, Line, clip, clip_url, fit_kwic, layout, print_table
from miner.errors import ConfigError, InputError, Transient
from miner.redact import redact_setting, redact_text, redact_url

FLAGS = ("ignores_migration_background", "target_group_without_migrants", "no_measurable_targets")


@dataclass
class Row:
    title: str
    url: str
    score: int
    flags: tuple[str, ...]


COLUMNS: tuple[Column[Row], ...] = (
    Column("document", lambda r: [Line(r.title, Fit.END), Line(r.url, Fit.URL)], min_width=20),
    Column("score", lambda r: str(r.score), shrink=False, justify="right"),
    Column("flags", lambda r: ", ".join(r.flags), fit=Fit.WRAP),
    Column("url", lambda r: r.url, wide_only=True),
)


def render(rows: list[Row], width: int = 80, **kw: object) -> str:
    buf = io.StringIO()
    print_table(rows, COLUMNS, console=Console(file=buf, width=width), **kw)  # type: ignore[arg-type]
    return buf.getvalue()


def test_a_table_fits_its_width_cuts_with_an_ellipsis_and_never_cuts_a_flag_code() -> None:
    rows = [
        Row(
            "Beleidsnota Werk, Economie, Wetenschap en Innovatie 2024-2029 van de Vlaamse Regering",
            "https://www.vlaanderen.be/publicaties/beleidsnota-werk-economie-2024-2029.pdf",
            71,
            FLAGS,
        ),
        Row("Kort", "http://127.0.0.1:8776/fr/dossier1.html", 5, ()),
    ]
    out = render(rows)
    lines = out.splitlines()
    assert max(len(line) for line in lines) <= 80
    assert all(line == line.rstrip() for line in lines)  # no padding that wraps when piped
    for code in FLAGS:  # each flag code whole, on one line
        assert any(code in line for line in lines), code
    assert "Beleidsnota Werk, Economie" in out and ELLIPSIS in out  # the title cut, and marked
    assert "http://" not in out and "https://" not in out  # a URL without its scheme
    assert "vlaanderen.…omie-2024-2029.pdf" in out  # host and file name kept, the middle cut
    assert "url" not in lines[0]  # the --wide column is not shown
    wide = render(rows, wide=True)
    assert "https://www.vlaanderen.be/publicaties/beleidsnota-werk-economie-2024-2029.pdf" in wide
    assert "Innovatie 2024-2029 van de Vlaamse Regering" in wide and ELLIPSIS not in wide


def test_cells_are_text_never_markup_or_terminal_control() -> None:
    out = render([Row("[bold red]Titel[/bold red] \x1b[2J\x07 plan", "http://x.be/a", 1, ())])
    assert "[bold red]Titel[/bold red]" in out and "\x1b" not in out and "\x07" not in out


def test_clipping_rules() -> None:
    assert clip("abcdefghij", 5) == "abcd…" and clip("abc", 5) == "abc"
    assert clip("/a/b/c/file.html", 8, Fit.START) == "…le.html"
    assert clip_url("http://127.0.0.1:8776/fr/dossier1.html", 80) == "127.0.0.1:8776/fr/dossier1.html"
    assert (
        clip_url("http://127.0.0.1:8776/plans/2024/regeerakkoord.pdf", 36)
        == "127.0.0.1:8776/…/regeerakkoord.pdf"
    )
    assert clip_url("http://127.0.0.1:8776/plans/2024/regeerakkoord.pdf", 24) == "…/2024/regeerakkoord.pdf"
    assert len(clip_url("https://host.be/" + "x" * 50 + ".pdf", 20)) == 20
    k = fit_kwic(Kwic("Nieuwkomers volgen een ", "inburgering", "straject met Nederlandse les."), 30)
    assert "inburgering" in k and len(k) <= 30 and k.startswith(ELLIPSIS) and k.endswith(ELLIPSIS)
    assert fit_kwic(Kwic("met een ", "migratie", "achtergrond"), 80) == "met een migratieachtergrond"


def test_layout_gives_short_columns_their_width_and_shares_the_rest() -> None:
    assert layout([10, 5], [4, 5], 80) == [10, 5]
    widths = layout([100, 5, 60], [20, 5, 29], 80)
    assert sum(widths) + 2 * 2 <= 80 and widths[1] == 5 and widths[2] >= 29


def test_json_list_is_written_row_by_row_as_json_dumps_would() -> None:
    for rows in ([], [{"a": 1}], [{"a": "é", "b": [1, 2]}, {"a": None}]):
        buf = io.StringIO()
        assert write_json_list(iter(rows), buf) == len(rows)
        assert buf.getvalue() == json.dumps(rows, indent=2, ensure_ascii=False) + "\n"


def test_csv_is_rfc4180_with_a_header_even_when_empty() -> None:
    rows = [{"title": 'Plan "werk", 2024\nbijlage', "flags": ["a", "b"], "migrant": True, "score": None}]
    buf = io.StringIO()
    write_csv(rows, ("title", "flags", "migrant", "score"), buf)
    text = buf.getvalue()
    assert text.startswith("title,flags,migrant,score\r\n")
    parsed = list(csv.DictReader(io.StringIO(text, newline="")))
    assert parsed == [{"title": 'Plan "werk", 2024\nbijlage', "flags": "a;b", "migrant": "true", "score": ""}]
    empty = io.StringIO()
    assert write_csv([], ("url", "score"), empty) == 0 and empty.getvalue() == "url,score\r\n"
    assert csv_cell({"b": 1, "a": 2}) == '{"a": 2, "b": 1}'


def test_one_table_of_exit_codes() -> None:
    assert exit_code_for(ConfigError("bad rubric")) == ExitCode.USAGE == 2
    assert exit_code_for(InputError("bad line")) == ExitCode.FAILED == 1
    assert exit_code_for(Transient("database down")) == ExitCode.FAILED
    assert exit_code_for(KeyError("bug")) is None  # a bug keeps its traceback


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("postgresql+psycopg://miner:s3cr%40t@db:5432/miner", "postgresql+psycopg://miner:***@db:5432/miner"),
        ("redis://:hunter2@127.0.0.1:6379/0", "redis://:***@127.0.0.1:6379/0"),
        ("smtp://alerts:pa:ss@mail.example.be:587", "smtp://alerts:***@mail.example.be:587"),
        ("https://api.example.be/hook?token=abc123&x=1", "https://api.example.be/hook?token=***&x=1"),
        ("sqlite:///var/miner.db", "sqlite:///var/miner.db"),
        ("redis://127.0.0.1:6379/0", "redis://127.0.0.1:6379/0"),
    ],
)
def test_urls_are_shown_without_their_secrets(url: str, shown: str) -> None:
    assert redact_url(url) == shown
    assert redact_text(f"cannot connect to {url} (refused)") == f"cannot connect to {shown} (refused)"


def test_settings_that_are_secrets_are_shown_as_set_or_unset() -> None:
    assert redact_setting("api_token", "abc") == "(set)" and redact_setting("api_token", None) == "(unset)"
    assert (
        redact_setting("smtp_password", "x") == "(set)" and redact_setting("signing_secret", "") == "(unset)"
    )
    assert redact_setting("broker_url", "redis://:pw@h:6379/0") == "redis://:***@h:6379/0"
    assert redact_setting("request_timeout", 30.0) == "30.0"


def test_a_no_break_space_keeps_a_flag_code_with_its_count() -> None:
    rows = [
        Row(
            "x",
            "http://x.be/a",
            1,
            ("no_measurable_targets\u00a0(3)", "target_group_without_migrants\u00a0(3)"),
        )
    ]
    out = render(rows, width=60)
    assert (
        "target_group_without_migrants\u00a0(3)" in out and max(len(line) for line in out.splitlines()) <= 60
    )
