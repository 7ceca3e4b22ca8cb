"""``miner settings``: every setting, its environment variable, default, current value and help.

Secrets never leave this command: a secret is shown as set or unset, a URL without its password
(:mod:`miner.redact`). :func:`settings_markdown` writes ``docs/settings.md`` from the same fields,
so the reference cannot drift from the code (``python -m miner.cli.settings > docs/settings.md``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from miner.cli import app, output
from miner.cli.table import Column, Fit, Line
from miner.config import CORPORA_DIR, Settings, get_settings
from miner.redact import redact_setting


def env_name(name: str) -> str:
    """The environment variable of setting ``name``."""
    prefix = Settings.model_config.get("env_prefix") or ""
    return f"{prefix}{name}".upper()


SETTING_COLUMNS: tuple[Column[dict[str, Any]], ...] = (
    # the variable, and its current value under it ("= 30.0") cut to the variable's width: the
    # meaning gets the room
    Column(
        "setting = value",
        lambda r: [r["env"], Line(f"= {r['value']}", Fit.MIDDLE)],
        max_width=max(len(env_name(n)) for n in Settings.model_fields),
    ),
    Column("meaning", lambda r: r["help"], fit=Fit.WRAP, min_width=24),
    Column("default", lambda r: r["default"], wide_only=True),
)


def describe_settings(current: Settings | None = None) -> list[dict[str, object]]:
    """One row per setting; secrets shown as set/unset and URLs without passwords (defaults too)."""
    current = current or get_settings()
    rows: list[dict[str, object]] = []
    for name, field in Settings.model_fields.items():
        rows.append(
            {
                "name": name,
                "env": env_name(name),
                "default": redact_setting(name, field.default),
                "value": redact_setting(name, getattr(current, name)),
                "help": field.description or "",
            }
        )
    return rows


def _portable_default(value: object) -> object:
    """A default as the docs show it: the install and home folders named, not this machine's."""
    if isinstance(value, Path):
        return str(value).replace(str(CORPORA_DIR), "<install>/corpora").replace(str(Path.home()), "~")
    return value


def settings_markdown() -> str:
    """``docs/settings.md``: every setting with its variable, default and meaning."""
    lines = [
        "# Settings",
        "",
        "Every setting is read from a `MINER_*` environment variable (`miner/config.py` is the only",
        "place that reads the environment). `miner settings` prints the current values; secrets are",
        "shown only as set or unset, URLs without their password. This page is generated:",
        "`python -m miner.cli.settings > docs/settings.md`.",
        "",
        "| variable | default | meaning |",
        "|---|---|---|",
    ]
    for name, field in Settings.model_fields.items():
        default = redact_setting(name, _portable_default(field.default))
        meaning = (field.description or "").replace("|", "\\|")
        lines.append(f"| `{env_name(name)}` | `{default}` | {meaning} |")
    return "\n".join(lines) + "\n"


@app.command("settings")
def settings_command(
    format: Annotated[str, output.format_option()] = "table",
    wide: Annotated[bool, output.wide_option()] = False,
) -> None:
    """List every setting with its environment variable, current value and meaning (--wide: default)."""
    output.emit(
        describe_settings(),
        format,
        columns=SETTING_COLUMNS,
        record=lambda r: r,
        fields=("name", "env", "default", "value", "help"),
        wide=wide,
        empty="no settings",
    )


if __name__ == "__main__":
    print(settings_markdown(), end="")
