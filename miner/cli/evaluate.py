"""``miner evaluate``: the ``migrant`` figures of the classifier beside a keyword baseline."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from miner.cli import app, output
from miner.errors import MinerError

_DEFAULT_CORPORA = Path(__file__).resolve().parents[2].parent / "shared" / "corpora"


def _fmt(value: Any) -> str:
    if value is None:
        return "—"
    return f"{value:.3f}" if isinstance(value, float) else str(value)


def print_report(report: dict[str, Any], console: Console) -> None:
    systems = report["systems"]
    table = Table(title=f"migrant on {report['corpora']} (model {report['model_version']})")
    table.add_column("set")
    table.add_column("figure")
    for s in systems:
        table.add_column(s["system"], justify="right")
    rows = [
        (
            "chamber questions (nl, theme tags)",
            "chamber_nl",
            ("precision", "recall", "f1", "roc_auc", "predicted"),
        ),
        ("pairs: fr vs the nl twin's decision", "pairs_fr_vs_nl", ("precision", "recall", "f1", "roc_auc")),
        (
            "pairs: nl/fr consistency",
            "pairs",
            ("agreement", "kappa", "mean_abs_diff", "positives_nl", "positives_fr"),
        ),
    ]
    for title, key, figures in rows:
        for i, fig in enumerate(figures):
            table.add_row(title if i == 0 else "", fig, *(_fmt(s[key][fig]) for s in systems))
        table.add_section()
    console.print(table)
    cv = report.get("cross_validated") or {}
    if cv:
        q, p = cv.get("questions", {}), cv.get("pairs", {})
        console.print(
            "Out-of-sample (measured at training): "
            f"questions {cv.get('folds', 5)}-fold CV F1 {_fmt(q.get('f1'))} P {_fmt(q.get('precision'))} "
            f"R {_fmt(q.get('recall'))} AUC {_fmt(q.get('roc_auc'))}; pairs cross-fitted agreement "
            f"{_fmt(p.get('agreement'))} kappa {_fmt(p.get('kappa'))}"
        )
    console.print(f"[dim]{report['in_sample']}[/dim]")
    if report.get("note"):
        console.print(f"[yellow]{report['note']}[/yellow]")


@app.command()
def evaluate(
    corpora: str = typer.Option(
        "", "--corpora", help="The shared corpora folder [default: ../shared/corpora]."
    ),
    format: Annotated[str, output.format_option(output.Format.TABLE, output.Format.JSON)] = "table",
    pipeline: bool = typer.Option(
        True, "--pipeline/--no-pipeline", help="Also measure end-to-end, if present."
    ),
) -> None:
    """Precision, recall, F1, ROC AUC and nl/fr agreement of `migrant`, beside a keyword list.

    Exit status: 0 on success, 2 when the data or the model cannot be read.
    """
    from miner.evaluate import evaluate as run

    folder = Path(corpora) if corpora else _DEFAULT_CORPORA
    if not folder.is_dir():
        typer.echo(f"error: corpora folder not found: {folder} (pass --corpora PATH)", err=True)
        raise typer.Exit(2)
    try:
        report = run(folder, pipeline=None if pipeline else False)
    except MinerError as exc:
        typer.echo(f"error: {exc.message}", err=True)
        raise typer.Exit(2) from exc
    if format == "json":
        sys.stdout.write(json.dumps(report, ensure_ascii=False, indent=1) + "\n")
    else:
        print_report(report, Console())
