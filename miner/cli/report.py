"""``miner mentions``, ``miner report`` and ``miner watchlist``: what watchdogs and analysts read."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer

from miner.cli import app, output
from miner.cli.table import Column, Fit, Kwic, Line, print_table


def _where(m: Any) -> str:
    return "" if m.page is None else str(m.page)


MENTION_COLUMNS: tuple[Column[Any], ...] = (
    Column(
        "document", lambda m: [Line(m.title, Fit.END)] if m.title else [Line(m.url, Fit.URL)], min_width=14
    ),
    Column("page", _where, shrink=False, justify="right"),
    Column("¶", lambda m: str(m.paragraph), shrink=False, justify="right"),
    Column("context", lambda m: Kwic(m.left, m.match, m.right), fit=Fit.KWIC, min_width=30),
    Column("date", lambda m: (m.date or "") + ("*" if m.date_source == "fetched" else ""), wide_only=True),
    Column("url", lambda m: m.url, wide_only=True),
    Column("government", lambda m: m.government, wide_only=True),
    Column("lang", lambda m: m.language, wide_only=True),
    Column("term", lambda m: m.term, wide_only=True),
)


def _date(value: str | None, name: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise output.usage_error(f"{value!r} is not a date (YYYY-MM-DD)", name) from None


def _grouping(value: str, allowed: tuple[str, ...]) -> list[str]:
    parts = [p.strip() for p in value.split(",") if p.strip()]
    bad = [p for p in parts if p not in allowed]
    if bad:
        raise output.usage_error(
            f"{', '.join(repr(b) for b in bad)} is not one of {', '.join(allowed)}", "'--by'"
        )
    if not 1 <= len(parts) <= 2 or len(set(parts)) != len(parts):
        raise output.usage_error(f"one or two different ones of {', '.join(allowed)}", "'--by'")
    return parts


@app.command()
def mentions(
    term: Annotated[
        str | None,
        typer.Argument(help="Word or phrase; accents and case ignored, word forms and compounds found."),
    ] = None,
    watchlist: Annotated[
        str | None, typer.Option("--watchlist", "-w", help="Search every term of this watchlist.")
    ] = None,
    government: Annotated[str | None, typer.Option(help="Only documents of this government.")] = None,
    source: Annotated[str | None, typer.Option(help="Only documents of this source (its id).")] = None,
    language: Annotated[
        str | None, typer.Option(help="Only paragraphs in this language (nl, fr, ...).")
    ] = None,
    since: Annotated[str | None, typer.Option(help="Published on or after (YYYY-MM-DD).")] = None,
    until: Annotated[str | None, typer.Option(help="Published on or before (YYYY-MM-DD).")] = None,
    by: Annotated[
        str | None,
        typer.Option(
            "--by", help="Count instead of list, per one or two of government, source, language, year."
        ),
    ] = None,
    format: Annotated[str, output.format_option()] = "table",
    limit: Annotated[
        int, typer.Option(help="Paragraphs per page (each with all its mentions).", min=1, max=5000)
    ] = 50,
    cursor: Annotated[
        str | None, typer.Option(help="Page to show: the cursor the previous page printed.")
    ] = None,
    all_pages: Annotated[bool, typer.Option("--all", help="Every page, one after the other.")] = False,
    width: Annotated[int, typer.Option(help="Characters of context on each side.", min=0)] = 80,
    wide: Annotated[bool, output.wide_option()] = False,
) -> None:
    """Keyword in context: mentions of TERM (or of a watchlist's terms) with page and paragraph.

    Results come a page at a time, with the total: the last line (on stderr) says how many
    paragraphs there are in all and gives the --cursor of the next page. A year or a date is the
    publication date; where none is known, the fetch date (marked * in --wide, "fetched" in JSON/CSV).
    """
    from miner.report.mentions import (
        MENTION_GROUPINGS,
        Mention,
        count_mentions,
        iter_mentions,
        search_mentions,
    )
    from miner.store import open_repository
    from miner.store.keyset import InvalidCursor
    from miner.store.search import SearchFilter
    from miner.watchlists import get_watchlist

    terms: list[Any] = []
    if term is not None and term.strip():
        terms.append(term.strip())
    elif watchlist is None or term is not None:
        raise output.usage_error("empty: give a word or phrase to look for (or --watchlist NAME)", "'TERM'")
    repo = open_repository()
    if watchlist is not None:
        found_list = get_watchlist(repo, watchlist)
        if found_list is None:
            raise output.usage_error(
                f"no watchlist named {watchlist!r} (miner watchlist list)", "'--watchlist'"
            )
        terms.extend(found_list.terms)
    what = " + ".join(str(t) for t in terms)
    filters = SearchFilter(government, source, language, _date(since, "'--since'"), _date(until, "'--until'"))
    empty = f"no mention of {what!r} in the stored documents"
    if by is not None:
        groups = _grouping(by, MENTION_GROUPINGS)
        rows = count_mentions(repo, terms, groups, filters=filters)
        _emit_counts(rows, groups, format, wide, empty, what)
        return
    try:
        if all_pages:
            totals = repo.search_totals(_queries(terms), filters=filters)
            found: Any = iter_mentions(repo, terms, filters=filters, width=width)
            paragraphs, documents, shown, next_cursor = (
                totals.paragraphs,
                totals.documents,
                totals.paragraphs,
                None,
            )
        else:
            page = search_mentions(repo, terms, filters=filters, cursor=cursor, limit=limit, width=width)
            found, shown, next_cursor = page.mentions, page.paragraphs, page.next_cursor
            paragraphs, documents = page.total_paragraphs, page.total_documents
    except InvalidCursor as exc:
        raise output.usage_error(f"{exc}: use the cursor the previous page printed", "'--cursor'") from exc
    if format == output.Format.JSON:
        _write_mentions_json(what, paragraphs, documents, shown, next_cursor, (m.as_dict() for m in found))
        n = -1
    else:
        title = f"“{what}”: {_n(paragraphs, 'paragraph')} in {_n(documents, 'document')}"
        n = output.emit(
            found,
            format,
            columns=MENTION_COLUMNS,
            record=lambda m: m.as_dict(),
            fields=tuple(Mention.__dataclass_fields__),
            wide=wide,
            title=title if paragraphs else None,
            empty=empty,
        )
    if paragraphs == 0 and n != 0:
        output.note(empty)
    elif paragraphs:
        more = f"; next page: --cursor {next_cursor}" if next_cursor else ""
        output.note(f"paragraphs {shown} of {paragraphs} shown, in {_n(documents, 'document')}{more}")


def _n(count: int, noun: str) -> str:
    return f"{count} {noun}" + ("" if count == 1 else "s")


def _queries(terms: list[Any]) -> Any:
    from miner.report.mentions import as_terms
    from miner.report.terms import language_queries

    return language_queries(as_terms(terms))


def _write_mentions_json(
    what: str, paragraphs: int, documents: int, shown: int, next_cursor: str | None, items: Any
) -> None:
    """``{"terms", "total", "shown", "next_cursor", "mentions": [...]}``, the mentions streamed."""
    import json
    import sys
    import textwrap

    out = sys.stdout
    head = {
        "terms": what,
        "total": {"paragraphs": paragraphs, "documents": documents},
        "shown": {"paragraphs": shown},
        "next_cursor": next_cursor,
    }
    out.write(
        "{\n" + "".join(f"  {json.dumps(k)}: {json.dumps(v, ensure_ascii=False)},\n" for k, v in head.items())
    )
    out.write('  "mentions": [')
    n = 0
    for obj in items:
        text = json.dumps(obj, ensure_ascii=False, indent=2)
        out.write(("\n" if n == 0 else ",\n") + textwrap.indent(text, "    "))
        n += 1
    out.write("\n  ]\n}\n" if n else "]\n}\n")
    out.flush()


def _emit_counts(
    rows: list[dict[str, Any]], groups: list[str], format: str, wide: bool, empty: str, what: str
) -> None:
    keys = [*groups, *(["year_source"] if "year" in groups else [])]
    if format == output.Format.JSON:
        output.write_json({"terms": what, "by": groups, "rows": rows})
        if not rows:
            output.note(empty)
        return

    def cell(name: str) -> Any:
        return lambda r: "" if r[name] is None else str(r[name])

    columns: list[Column[dict[str, Any]]] = [Column(k, cell(k), shrink=False) for k in keys]
    columns += [
        Column(k, cell(k), shrink=False, justify="right") for k in ("mentions", "paragraphs", "documents")
    ]
    output.emit(
        rows,
        format,
        columns=columns,
        record=lambda r: r,
        fields=(*keys, "mentions", "paragraphs", "documents"),
        wide=wide,
        title=f"mentions of “{what}” per {' and '.join(groups)}" if rows else None,
        empty=empty,
    )


# --- report -------------------------------------------------------------------------------------------


def _report_columns(by: list[str]) -> tuple[Column[dict[str, Any]], ...]:
    def key(name: str) -> Any:
        if name == "year":
            return lambda r: (
                ("?" if r["year"] is None else str(r["year"]))
                + ("*" if r["year_source"] == "fetched" else "")
            )
        return lambda r: str(r[name])

    def top(r: dict[str, Any]) -> str:
        return ", ".join(f"{k}\u00a0({v})" for k, v in list(r["flags"].items())[:3])  # kept together

    def pct(name: str) -> Any:
        return lambda r: "" if r[name] is None else f"{r[name]:.0%}"

    return (
        *(Column(b, key(b), min_width=6 if b == "year" else 10, shrink=b != "year") for b in by),
        Column("docs", lambda r: str(r["documents"]), shrink=False, justify="right"),
        Column("not", lambda r: str(r["not_scored"]), shrink=False, justify="right"),
        Column(
            "mean",
            lambda r: "" if r["mean_score"] is None else f"{r['mean_score']:.1f}",
            shrink=False,
            justify="right",
        ),
        Column("flagged", pct("flagged_share"), shrink=False, justify="right"),
        Column("most frequent flags", top, fit=Fit.WRAP),
        Column("scored", lambda r: str(r["scored"]), wide_only=True, justify="right"),
        Column("in scope", lambda r: str(r["in_scope"]), wide_only=True, justify="right"),
        Column("migrant", pct("migrant_share"), wide_only=True, justify="right"),
        Column(
            "not scored because",
            lambda r: ", ".join(f"{k} {v}" for k, v in r["not_scored_reasons"].items()),
            wide_only=True,
        ),
    )


LEVEL_COLUMNS: tuple[Column[dict[str, Any]], ...] = (
    Column("government", lambda r: r["government"], min_width=10),
    Column("level", lambda r: r["level"] or "too few docs", shrink=False),
    Column("docs", lambda r: str(r["documents"]), shrink=False, justify="right"),
    Column(
        "mean",
        lambda r: "" if r["mean_score"] is None else f"{r['mean_score']:.1f}",
        shrink=False,
        justify="right",
    ),
    Column("basis (shares tied to the group)", lambda r: r["basis"], fit=Fit.WRAP),
)


@app.command()
def report(
    by: Annotated[
        str,
        typer.Option(
            "--by", help="One or two of government, source, domain, language, year (comma-separated)."
        ),
    ] = "government",
    government: Annotated[str | None, typer.Option(help="Only documents of this government.")] = None,
    source: Annotated[str | None, typer.Option(help="Only documents of this source (its id).")] = None,
    levels: Annotated[
        bool, typer.Option("--levels", help="The mainstreaming level per government instead.")
    ] = False,
    chart: Annotated[
        Path | None, typer.Option("--chart", help="Also draw the trend to PATH.png or PATH.svg.")
    ] = None,
    format: Annotated[
        str,
        output.format_option(
            output.Format.TABLE, output.Format.JSON, output.Format.CSV, output.Format.MARKDOWN
        ),
    ] = "table",
    wide: Annotated[bool, output.wide_option()] = False,
) -> None:
    """Figures per group: documents, scored and not scored apart, mean score, share flagged, coverage.

    The mean is over scored documents about employment or education; documents that could not be
    scored are counted apart, never averaged as 0. A year is the publication year; a fetch year,
    where no publication date is known, is marked * (JSON/CSV: year_source). Also: the level of
    mainstreaming per government (none, light, partial, strong; docs/reports.md).
    """
    from miner.report.chart import FORMATS, draw_chart
    from miner.report.levels import LEVEL_FIELDS
    from miner.report.render import flat_row, render_markdown
    from miner.report.trends import GROUPINGS, build_report
    from miner.store import open_repository

    groups = _grouping(by, GROUPINGS)
    if chart is not None and chart.suffix.lower() not in FORMATS:
        raise output.usage_error(f"a chart is {' or '.join(FORMATS)}, not {chart.name!r}", "'--chart'")
    result = build_report(open_repository(), groups, government=government, source_id=source)
    empty = "no documents stored yet (miner run crawls the sources)"
    if format == output.Format.MARKDOWN:
        typer.echo(render_markdown(result), nl=False)
    elif format == output.Format.JSON and not levels:
        output.write_json(result.as_dict())
    elif levels:
        output.emit(result.levels, format, columns=LEVEL_COLUMNS, record=lambda r: r, wide=wide, empty=empty,
                    fields=LEVEL_FIELDS)  # fmt: skip
    else:
        output.emit(
            result.rows,
            format,
            columns=_report_columns(groups),
            record=flat_row if format == output.Format.CSV else (lambda r: r),
            wide=wide,
            title=f"{result.totals['documents']} documents, {result.totals['scored']} scored"
            if result.rows
            else None,
            empty=empty,
        )
        if format == output.Format.TABLE and "government" in groups and result.levels:
            print_table(result.levels, LEVEL_COLUMNS, wide=wide, title="Mainstreaming level per government")
    if not result.rows and format in (output.Format.JSON, output.Format.MARKDOWN):
        output.note(empty)
    if chart is not None:
        try:
            output.note(f"chart: {draw_chart(result, chart)}")
        except ValueError as exc:
            output.note(f"no chart: {exc}")


# --- watchlists -----------------------------------------------------------------------------------------

WATCHLIST_ACTIONS = ("add", "list", "show", "remove")


@app.command()
def watchlist(
    action: Annotated[
        str, typer.Argument(help="add NAME TERM... | list | show NAME | remove NAME [TERM...]")
    ],
    name: Annotated[str | None, typer.Argument(help="The watchlist.")] = None,
    terms: Annotated[
        list[str] | None,
        typer.Argument(help="Terms: 'inburgering' (any language), 'nl:...' or 'fr:...' (one language)."),
    ] = None,
    format: Annotated[str, output.format_option()] = "table",
) -> None:
    """Watchlists: named sets of terms (Dutch and French variants) for mentions and alerts.

    miner mentions --watchlist NAME searches all of a watchlist's terms at once.
    """
    from miner import watchlists as wl
    from miner.store import open_repository

    if action not in WATCHLIST_ACTIONS:
        raise output.usage_error(f"{action!r} is not one of {', '.join(WATCHLIST_ACTIONS)}", "'ACTION'")
    terms = [t for t in (terms or []) if t.strip()]
    if action != "list" and not (name and name.strip()):
        raise output.usage_error(f"watchlist {action} needs a NAME", "'NAME'")
    if action == "add" and not terms:
        raise output.usage_error("watchlist add needs at least one TERM", "'TERMS...'")
    if name is not None and len(name.strip()) > wl.MAX_NAME:
        raise output.usage_error(f"a name has at most {wl.MAX_NAME} characters", "'NAME'")
    repo = open_repository()
    if action == "list":
        rows = [{"name": n, "terms": k} for n, k in wl.list_watchlists(repo)]
        columns: tuple[Column[dict[str, Any]], ...] = (
            Column("name", lambda r: r["name"]),
            Column("terms", lambda r: str(r["terms"]), justify="right"),
        )
        output.emit(rows, format, columns=columns, record=lambda r: r, fields=("name", "terms"),
                    empty="no watchlists yet (miner watchlist add NAME TERM...)")  # fmt: skip
        return
    assert name is not None
    if action == "add":
        found = wl.add_terms(repo, name, terms)
    elif action == "remove":
        removed = wl.remove_watchlist(repo, name, terms)
        if removed < 0:
            raise output.usage_error(f"no watchlist named {name!r}", "'NAME'")
        output.note(f"removed {removed} term(s) from {name!r}" if terms else f"removed watchlist {name!r}")
        if not terms:
            return
        found = wl.get_watchlist(repo, name)  # type: ignore[assignment]
    else:
        found = wl.get_watchlist(repo, name)  # type: ignore[assignment]
        if found is None:
            raise output.usage_error(f"no watchlist named {name!r} (miner watchlist list)", "'NAME'")
    rows = [{"watchlist": found.name, "term": t.text, "language": t.language or "any"} for t in found.terms]
    columns = (Column("term", lambda r: r["term"]), Column("language", lambda r: r["language"], shrink=False))
    output.emit(rows, format, columns=columns, record=lambda r: r, fields=("watchlist", "term", "language"),
                title=f"watchlist {found.name}", empty=f"watchlist {found.name!r} has no terms")  # fmt: skip
