"""The ``miner`` command line: a thin layer over library functions (parsing and printing only).

Each area registers its commands in its own module (``analyse``, ``crawl``, ``sources``, ...);
this module only builds the Typer app and imports them.
"""

from __future__ import annotations

import importlib

import typer

app = typer.Typer(
    name="miner",
    help="Watch Belgian employment and education policy for the mainstreaming of migrant integration.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def _root() -> None:
    """Watch Belgian employment and education policy for the mainstreaming of migrant integration.

    Settings come from MINER_* environment variables (`miner settings` lists them).
    """


#: Command modules, in the order their commands appear in ``miner --help``.
COMMAND_MODULES = ("analyse", "evaluate", "crawl", "report", "sources", "web", "store", "settings")


def _register() -> None:
    for name in COMMAND_MODULES:
        importlib.import_module(f"miner.cli.{name}")


def main() -> None:
    """Entry point of the ``miner`` script."""
    _register()
    app()
