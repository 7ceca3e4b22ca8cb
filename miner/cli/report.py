"""``miner mentions`` and ``miner report``: what watchdogs and analysts read from the store."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from miner.cli import app, output
from miner.cli.table import Column, Fit, Kwic, Line


def _where(m: Any) -> str:
    return "" if m.page is None else str(m.page)


MENTION_COLUMNS: tuple[Column[Any], ...] = (
    Column(
        "document", lambda m: [Line(m.title, Fit.END)] if m.title else [Line(m.url, Fit.URL)], min_width=14
    ),
    Column("page", _where, shrink=False, justify="right"),
    Column("¶", lambda m: str(m.paragraph), shrink=False, justify="right"),
    Column("context", lambda m: Kwic(m.left, m.match, m.right), fit=Fit.KWIC, min_width=30),
    Column("url", lambda m: m.url, wide_only=True),
    Column("government", lambda m: m.government, wide_only=True),
    Column("lang", lambda m: m.language, wide_only=True),
)


@app.command()
def mentions(
    term: Annotated[
        str, typer.Argument(help="Word or phrase; accents and case are ignored, compounds found.")
    ],
    format: Annotated[str, output.format_option()] = "table",
    limit: Annotated[int, typer.Option(help="At most this many paragraphs are searched.", min=1)] = 1000,
    width: Annotated[int, typer.Option(help="Characters of context on each side.", min=0)] = 80,
    wide: Annotated[bool, output.wide_option()] = False,
) -> None:
    """Keyword in context: every mention of TERM in stored documents, with page and paragraph."""
    from miner.report.mentions import Mention, find_mentions, needles
    from miner.store import open_repository

    wanted = needles(term)
    if not wanted:
        raise output.usage_error("empty: give a word or phrase to look for", "'TERM'")
    paragraphs = open_repository().paragraphs_containing(wanted, limit=limit)
    found = find_mentions(paragraphs, term, width=width)
    output.emit(
        found,
        format,
        columns=MENTION_COLUMNS,
        record=lambda m: m.as_dict(),
        fields=tuple(Mention.__dataclass_fields__),
        wide=wide,
        title=f"{len(found)} mentions of “{term.strip()}”" if found else None,
        empty=f"no mention of {term.strip()!r} in the stored documents",
    )


def _report_columns(by: str) -> tuple[Column[dict[str, Any]], ...]:
    def top(r: dict[str, Any]) -> str:
        return ", ".join(f"{k}\u00a0({v})" for k, v in list(r["flags"].items())[:3])  # kept together

    def opt(key: str, fmt: str) -> Any:
        return lambda r: "" if r[key] is None else format(r[key], fmt)

    return (
        Column(by, lambda r: str(r[by]), min_width=10),
        Column("docs", lambda r: str(r["documents"]), shrink=False, justify="right"),
        Column("mean", opt("mean_score", ""), shrink=False, justify="right"),
        Column("migrant", opt("migrant_share", ".0%"), shrink=False, justify="right"),
        Column("flagged", lambda r: str(r["flagged"]), shrink=False, justify="right"),
        Column("most frequent flags", top, fit=Fit.WRAP),
        Column("scored", lambda r: str(r["scored"]), wide_only=True, justify="right"),
    )


@app.command()
def report(
    by: Annotated[str, typer.Option("--by", help="government, source, language or year")] = "government",
    format: Annotated[str, output.format_option()] = "table",
    wide: Annotated[bool, output.wide_option()] = False,
) -> None:
    """Figures per group over the stored documents: count, mean score, share about migrants, flags.

    Table columns: documents, mean score, share of the scored documents about migrants, documents
    with at least one flag, the three most frequent flags (--wide: how many documents were scored).
    """
    from miner.report.trends import GROUPINGS, summarise
    from miner.store import open_repository

    if by not in GROUPINGS:
        raise output.usage_error(f"{by!r} is not one of {', '.join(GROUPINGS)}", "'--by'")
    rows = summarise(open_repository().documents(), by)
    if format == output.Format.JSON:
        output.write_json({"by": by, "rows": rows})
        if not rows:
            output.note("no documents stored yet (miner run crawls the sources)")
        return
    output.emit(
        rows,
        format,
        columns=_report_columns(by),
        record=lambda r: r,
        fields=(by, "documents", "scored", "mean_score", "migrant_share", "flagged", "flags"),
        wide=wide,
        empty="no documents stored yet (miner run crawls the sources)",
    )
