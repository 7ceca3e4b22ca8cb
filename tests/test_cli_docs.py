"""The command line's documentation cannot fall behind the code (in the manner of datasette's test_docs).

Every setting of ``miner/config.py`` is shown by ``miner settings`` and described in
``docs/settings.md``; every command is in the README's usage table; every command that prints data
takes the shared ``--format`` option.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.main import get_command
from typer.testing import CliRunner

from miner.cli import _register, app
from miner.cli.output import Format
from miner.cli.settings import describe_settings, env_name, settings_markdown
from miner.config import Settings

ROOT = Path(__file__).resolve().parent.parent
_register()
COMMANDS = get_command(app).commands  # type: ignore[attr-defined]
#: Commands that print no data (they serve, change the store, or enqueue): no --format.
NO_DATA = {"serve", "migrate", "rescore", "backup"}


def _usage_section() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    return readme.split("## Using it", 1)[1].split("\n## ", 1)[0]


@pytest.mark.parametrize("name", sorted(Settings.model_fields))
def test_every_setting_is_shown_and_documented(name: str) -> None:
    rows = {r["name"]: r for r in describe_settings(Settings())}
    assert rows[name]["help"], f"setting {name} has no description (Field(description=...))"
    doc = (ROOT / "docs" / "settings.md").read_text(encoding="utf-8")
    row = next((line for line in settings_markdown().splitlines() if f"`{env_name(name)}`" in line), None)
    assert row is not None and row in doc, (
        f"docs/settings.md does not describe {env_name(name)} as the code does: "
        "run `python -m miner.cli.settings > docs/settings.md`"
    )


def test_settings_shows_every_setting() -> None:
    out = CliRunner().invoke(app, ["settings", "--format", "json"], env={"COLUMNS": "80"})
    assert out.exit_code == 0
    assert {env_name(n) for n in Settings.model_fields} <= set(re.findall(r"MINER_[A-Z_]+", out.output))


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_command_is_in_the_readme_usage_table(name: str) -> None:
    rows = [line for line in _usage_section().splitlines() if line.startswith("| `miner ")]
    assert any(line.startswith(f"| `miner {name}") for line in rows), (
        f"`miner {name}` is missing from the README's usage table"
    )


@pytest.mark.parametrize("name", sorted(set(COMMANDS) - NO_DATA))
def test_every_command_that_prints_data_takes_the_shared_format(name: str) -> None:
    options = {opt: p for p in COMMANDS[name].params for opt in getattr(p, "opts", [])}
    assert "--format" in options and "-f" in options, f"miner {name} has no --format/-f"
    metavar = options["--format"].metavar or ""
    assert set(metavar.split("|")) <= {f.value for f in Format} and "table" in metavar, (
        f"miner {name} --format is not the shared option (miner.cli.output.format_option)"
    )
