"""``miner evaluate``: the ``migrant`` figures of the classifier beside a keyword baseline, and the
product's figures on the annotated plan passages (``migrant``, dimensions, flags, evidence)."""

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
    if report.get("plan_passages"):
        print_plan_report(report["plan_passages"], console)
    if report.get("note"):
        console.print(f"[yellow]{report['note']}[/yellow]")


def _prf(fig: dict[str, Any] | None) -> str:
    if not fig:
        return "—"
    return f"{_fmt(fig.get('f1'))} ({_fmt(fig.get('precision'))} / {_fmt(fig.get('recall'))})"


def print_plan_report(plan: dict[str, Any], console: Console) -> None:
    """The plan-passage figures: one row per figure, one column per language and overall."""
    from miner.evaluate_plans import DIMENSIONS, FLAGS

    cols = [("nl", plan["by_language"]["nl"]), ("fr", plan["by_language"]["fr"]), ("all", plan["all"])]
    table = Table(title=f"plan passages: {plan['file']}")
    table.add_column("figure")
    for name, fig in cols:
        table.add_column(f"{name} (n={fig['n']})", justify="right")
    table.add_row("migrant F1 (P / R) in-sample", *(_prf(f["migrant"]) for _, f in cols))
    cv = plan.get("cross_validated") or {}
    if cv:
        table.add_row("migrant F1 (P / R) CV by document", *(_prf(cv.get(name)) for name, _ in cols))
        table.add_row(
            "migrant F1, CV, nested threshold",
            *(_fmt((cv.get(name) or {}).get("nested_f1")) for name, _ in cols),
        )
        blind = cv.get("not_trained_on_them") or {}
        if blind:
            table.add_row(
                "migrant F1 (P / R), model not trained on them", *(_prf(blind.get(n)) for n, _ in cols)
            )
    table.add_section()
    for d in DIMENSIONS:
        table.add_row(f"kappa {d}", *(_fmt(f["kappa"][d]) for _, f in cols))
    table.add_section()
    for code in FLAGS:
        cells = []
        for _, f in cols:
            g = f["flags"][code]
            cells.append(
                f"{_fmt(g['precision'])} / {_fmt(g['recall'])} ({g['positives']} coded)" if g["n"] else "—"
            )
        table.add_row(f"flag {code} P / R", *cells)
    table.add_section()
    table.add_row(
        "evidence precision (quotes)",
        *(f"{_fmt(f['evidence']['precision'])} ({f['evidence']['quotes']})" for _, f in cols),
    )
    console.print(table)
    console.print(f"[dim]labels: {plan['labels']}; flags judged on {plan['flags_judged_on']}[/dim]")
    console.print(f"[dim]{plan['in_sample']}[/dim]")
    if cv.get("how"):
        console.print(f"[dim]CV: {cv['how']}[/dim]")


def print_review_report(found: dict[str, Any], console: Console) -> None:
    """Flag precision where analysts reviewed: one row per flag, pooled with the plan passages' when
    they were measured."""
    table = Table(title=f"flags reviewed by analysts ({found['labels']} reviews in force)")
    table.add_column("flag", no_wrap=True)
    for name in ("n", "conf", "dism", "prec", "docs", "people"):
        table.add_column(name, justify="right")
    table.caption = "n reviewed, conf confirmed, dism dismissed, prec precision, people reviewers"
    pooled = any(f.get("pooled_with_plans") for f in found["flags"].values())
    if pooled:
        table.add_column("precision with plan passages", justify="right")
    rows = [*found["flags"].items(), ("all", found["all"])]
    for i, (code, f) in enumerate(rows):
        if i == len(rows) - 1:
            table.add_section()
        cells = [str(f[k]) for k in ("reviewed", "confirmed", "dismissed")]
        cells += [_fmt(f["precision"]), str(f["documents"]), str(f["reviewers"])]
        if pooled:
            both = f.get("pooled_with_plans")
            cells.append(f"{_fmt(both['precision'])} ({both['raised']} raised)" if both else "—")
        table.add_row(code, *cells)
    console.print(table)
    console.print(f"[dim]{found['how']}[/dim]")


def _reviews(plan_report: dict[str, Any] | None) -> dict[str, Any]:
    from miner.evaluate_reviews import review_figures
    from miner.store import open_repository

    plan_flags = plan_report["all"]["flags"] if plan_report else None
    return review_figures(open_repository().iter_review_labels(), plan_flags)


@app.command()
def evaluate(
    corpora: str = typer.Option(
        "", "--corpora", help="The shared corpora folder [default: ../shared/corpora]."
    ),
    format: Annotated[str, output.format_option(output.Format.TABLE, output.Format.JSON)] = "table",
    pipeline: bool = typer.Option(
        True, "--pipeline/--no-pipeline", help="Also measure the Chamber sets end-to-end (slower)."
    ),
    plans: bool = typer.Option(
        True, "--plans/--no-plans", help="Also measure the annotated plan passages, if present."
    ),
    reviews: bool = typer.Option(
        False,
        "--reviews",
        help="Also count the analysts' reviews in the store (MINER_DATABASE_URL) as gold labels of flags.",
    ),
    only_reviews: bool = typer.Option(
        False, "--only-reviews", help="Only the reviews' figures: skip the labelled sets (no corpora needed)."
    ),
) -> None:
    """Precision, recall, F1, ROC AUC and nl/fr agreement of `migrant`, beside a keyword list; on the
    annotated plan passages, `migrant`, dimension kappas, flags and evidence precision per language.

    --reviews adds each flag's precision where analysts confirmed or dismissed it (the reviews in
    force in the store), pooled with the plan passages' when those were measured.

    Exit status: 0 on success, 2 when the data or the model cannot be read.
    """
    from miner.analyser import Analyser
    from miner.config import get_settings
    from miner.evaluate import evaluate as run

    report: dict[str, Any] = {}
    if not only_reviews:
        folder = Path(corpora) if corpora else _DEFAULT_CORPORA
        if not folder.is_dir():
            typer.echo(f"error: corpora folder not found: {folder} (pass --corpora PATH)", err=True)
            raise typer.Exit(2)
        try:
            analyser = Analyser.from_settings(get_settings())
            report = run(
                folder, analyser, pipeline=None if pipeline else False, plans=None if plans else False
            )
        except MinerError as exc:
            typer.echo(f"error: {exc.message}", err=True)
            raise typer.Exit(2) from exc
    if reviews or only_reviews:
        try:
            report["reviews"] = _reviews(report.get("plan_passages"))
        except MinerError as exc:
            raise output.fail(exc) from exc
    if format == "json":
        sys.stdout.write(json.dumps(report, ensure_ascii=False, indent=1) + "\n")
        return
    console = Console()
    if not only_reviews:
        print_report(report, console)
    if "reviews" in report:
        print_review_report(report["reviews"], console)
