"""``miner settings``: every setting, its environment variable, default, current value and help."""

from __future__ import annotations

import json

import typer
from rich.console import Console
from rich.table import Table

from miner.cli import app
from miner.config import Settings, get_settings


def describe_settings() -> list[dict[str, object]]:
    """One row per setting; secrets are shown as set/unset, never their value."""
    current = get_settings()
    rows: list[dict[str, object]] = []
    for name, field in Settings.model_fields.items():
        value = getattr(current, name)
        secret = "token" in name or "password" in name
        rows.append(
            {
                "name": name,
                "env": f"MINER_{name.upper()}",
                "default": str(field.default),
                "value": ("(set)" if value else "(unset)") if secret else str(value),
                "help": field.description or "",
            }
        )
    return rows


@app.command("settings")
def settings_command(
    format: str = typer.Option("table", "--format", "-f", help="table or json"),
) -> None:
    """List every setting with its environment variable, default, current value and meaning."""
    rows = describe_settings()
    if format == "json":
        typer.echo(json.dumps(rows, indent=2))
        return
    table = Table(title="policy-miner settings")
    for col in ("env", "value", "help"):
        table.add_column(col, overflow="fold")
    for r in rows:
        table.add_row(str(r["env"]), str(r["value"]), str(r["help"]))
    Console().print(table)
