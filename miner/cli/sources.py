"""``miner sources``: list the source registry, validate it, and (``--online``) probe the live sites."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from miner.cli import app, output
from miner.cli.table import Column, Fit
from miner.records import Source
from miner.sources import load_sources


def source_row(s: Source) -> dict[str, object]:
    return {
        "id": s.id,
        "name": s.name,
        "government": s.government,
        "domains": list(s.domains),
        "languages": list(s.languages),
        "kind": s.kind,
        "cadence": s.cadence,
        "start_urls": list(s.start_urls),
        "scope": list(s.scope),
        "delay": s.delay,
        "max_depth": s.max_depth,
        "api": dict(s.api),
        "notes": s.notes,
    }


SOURCE_COLUMNS: tuple[Column[Source], ...] = (
    Column("id", lambda s: s.id, shrink=False),
    Column("government", lambda s: s.government, shrink=False),
    Column("kind", lambda s: s.kind, min_width=7),
    Column("lang", lambda s: ", ".join(s.languages), shrink=False),
    Column("cadence", lambda s: s.cadence, shrink=False, wide_only=True),
    Column("name", lambda s: s.name, min_width=12),
    Column("domains", lambda s: ", ".join(s.domains), wide_only=True),
    Column("start URLs", lambda s: list(s.start_urls), wide_only=True),
)

PROBE_FIELDS = ("source", "kind", "reachable", "allowed", "documents", "types", "detail")
PROBE_COLUMNS: tuple[Column[dict[str, Any]], ...] = (
    Column("source", lambda r: r["source"], shrink=False),
    Column("kind", lambda r: r["kind"], shrink=False),
    Column("reachable", lambda r: "yes" if r["reachable"] else "NO", shrink=False),
    Column("allowed", lambda r: "yes" if r["allowed"] else "NO", shrink=False),
    Column("documents", lambda r: str(r["documents"]), shrink=False),
    Column("types", lambda r: r["types"], min_width=8),
    Column("detail", lambda r: r["detail"], fit=Fit.WRAP, min_width=20),
)


def probe_sources(
    sources: list[Source], *, allow_private: bool = False, pages: int = 2, sample: int = 3
) -> list[dict[str, object]]:
    """Probe every source on the live web (:mod:`miner.fetch.kinds.probe`): one row per source."""
    from miner.crawl import sniff_kind
    from miner.fetch.client import Fetcher
    from miner.fetch.kinds.probe import probe

    with Fetcher(allow_private=allow_private) as fetcher:
        return [probe(s, fetcher, sniff_kind, pages=pages, sample=sample).row() for s in sources]


@app.command("sources")
def sources_command(
    path: Annotated[
        Path | None,
        typer.Option(
            "--path", "-p", help="A .toml file or a folder of them (default: <corpora_dir>/sources)."
        ),
    ] = None,
    check: Annotated[
        bool,
        typer.Option("--check", help="Validate only; print a summary (exit 2 when it does not validate)."),
    ] = False,
    online: Annotated[
        bool,
        typer.Option(
            "--online",
            help="With --check: fetch each source's robots.txt, entry pages and a sample of documents, "
            "and report per source: reachable, allowed, documents found, document types.",
        ),
    ] = False,
    sample: Annotated[
        int,
        typer.Option(
            "--sample", min=0, help="With --online: documents fetched per source to see their type."
        ),
    ] = 3,
    only: Annotated[
        list[str] | None,
        typer.Option("--source", "-s", help="With --online: probe only this source (repeatable)."),
    ] = None,
    allow_private_addresses: Annotated[
        bool,
        typer.Option(
            "--allow-private-addresses", help="Let --online reach private/loopback addresses (tests)."
        ),
    ] = False,
    format: Annotated[str, output.format_option()] = "table",
    wide: Annotated[bool, output.wide_option()] = False,
) -> None:
    """List the registered sources (id, government, kind, languages, name; --wide: cadence, domains, start URLs).

    A registry that does not validate is a configuration error (exit 2, the message names the file);
    with --online, a source that is unreachable, forbidden by robots.txt or lists no document in its
    scope makes the exit status 1 (docs/sources.md: the first thing to run on a connected machine).
    """
    sources = load_sources(path)  # a ConfigError is reported by the command line's error handler
    if check:
        from miner.fetch.kinds import check_options

        for s in sources:
            check_options(s)
        governments = sorted({s.government for s in sources})
        typer.echo(f"ok: {len(sources)} sources, governments: {', '.join(governments)}")
        if online:
            chosen = [s for s in sources if not only or s.id in only]
            rows = probe_sources(chosen, allow_private=allow_private_addresses, sample=sample)
            output.emit(
                rows,
                format,
                columns=PROBE_COLUMNS,
                record=lambda r: r,
                fields=PROBE_FIELDS,
                wide=wide,
                empty="no sources",
            )
            bad = [r for r in rows if not (r["reachable"] and r["allowed"] and r["documents"])]
            if bad:
                output.note(f"{len(bad)} source(s) cannot be crawled as registered")
                raise typer.Exit(output.ExitCode.FAILED)
        return
    output.emit(
        sources,
        format,
        columns=SOURCE_COLUMNS,
        record=source_row,
        fields=tuple(source_row(sources[0])) if sources else None,
        wide=wide,
        empty="no sources registered",
    )
