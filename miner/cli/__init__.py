"""The ``miner`` command line: a thin layer over library functions (parsing and printing only).

Each area registers its commands in its own module (``analyse``, ``crawl``, ``sources``, ...);
this module only builds the Typer app and imports them. What every command shares (``--format``,
``--wide``, the exit codes, the error handler) is in :mod:`miner.cli.output`.
"""

from __future__ import annotations

import importlib

import typer

from miner.cli.output import MinerGroup

app = typer.Typer(
    name="miner",
    cls=MinerGroup,
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def _root() -> None:
    """Watch Belgian employment and education policy for the mainstreaming of migrant integration.

    Settings come from MINER_* environment variables (`miner settings` lists them).

    Every command that prints data takes --format table|json|csv (-f), and --wide for every column.
    Errors go to stderr. Exit status: 0 ok, 1 some input failed (or the store or broker was
    unavailable), 2 usage or configuration error.
    """


#: Command modules, in the order their commands appear in ``miner --help``.
COMMAND_MODULES = (
    "analyse",
    "evaluate",
    "crawl",
    "changes",
    "report",
    "export",
    "sources",
    "web",
    "store",
    "settings",
)


def _register() -> None:
    for name in COMMAND_MODULES:
        importlib.import_module(f"miner.cli.{name}")


def main() -> None:
    """Entry point of the ``miner`` script."""
    _register()
    app()
