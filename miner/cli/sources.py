"""``miner sources``: list the source registry, validate it, and (``--online``) check robots.txt."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from miner.cli import app, output
from miner.cli.table import Column, Fit
from miner.errors import MinerError
from miner.records import Source
from miner.sources import load_sources


def source_row(s: Source) -> dict[str, object]:
    return {
        "id": s.id,
        "name": s.name,
        "government": s.government,
        "domains": list(s.domains),
        "languages": list(s.languages),
        "cadence": s.cadence,
        "start_urls": list(s.start_urls),
        "scope": list(s.scope),
        "delay": s.delay,
        "max_depth": s.max_depth,
    }


SOURCE_COLUMNS: tuple[Column[Source], ...] = (
    Column("id", lambda s: s.id, shrink=False),
    Column("government", lambda s: s.government, shrink=False),
    Column("lang", lambda s: ", ".join(s.languages), shrink=False),
    Column("cadence", lambda s: s.cadence, shrink=False),
    Column("name", lambda s: s.name, min_width=12),
    Column("domains", lambda s: ", ".join(s.domains), wide_only=True),
    Column("start URLs", lambda s: list(s.start_urls), wide_only=True),
)

ROBOTS_COLUMNS: tuple[Column[dict[str, Any]], ...] = (
    Column("robots", lambda r: r["robots"], shrink=False),
    Column("source", lambda r: r["source"], shrink=False),
    Column("start URL", lambda r: r["url"], fit=Fit.URL, min_width=20),
    Column("detail", lambda r: r["detail"], fit=Fit.WRAP, min_width=20),
)


def robots_status(sources: list[Source], *, allow_private: bool = False) -> list[dict[str, str]]:
    """For every start URL: what its host's robots.txt says for our user agent (network access)."""
    from miner.config import get_settings
    from miner.fetch.client import Fetcher

    rows: list[dict[str, str]] = []
    with Fetcher(get_settings(), allow_private=allow_private) as fetcher:
        for s in sources:
            for url in s.start_urls:
                try:
                    fetcher.guard.check(url)
                    rules = fetcher.robots.rules(url)
                except MinerError as exc:  # a check run reports every problem, it does not stop at one
                    rows.append({"source": s.id, "url": url, "robots": "blocked", "detail": str(exc)})
                    continue
                if rules.unreachable:
                    state = "unreachable"
                else:
                    state = "allowed" if rules.allowed(url, fetcher.token) else "disallowed"
                delay = rules.crawl_delay(fetcher.token)
                detail = rules.reason + (f"; Crawl-delay {delay:g} s" if delay else "")
                rows.append({"source": s.id, "url": url, "robots": state, "detail": detail})
    return rows


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
        bool, typer.Option("--online", help="With --check: fetch each start URL's robots.txt and report it.")
    ] = False,
    allow_private_addresses: Annotated[
        bool,
        typer.Option(
            "--allow-private-addresses", help="Let --online reach private/loopback addresses (tests)."
        ),
    ] = False,
    format: Annotated[str, output.format_option()] = "table",
    wide: Annotated[bool, output.wide_option()] = False,
) -> None:
    """List the registered sources (id, government, languages, cadence, name; --wide: domains, start URLs).

    A registry that does not validate is a configuration error (exit 2, the message names the file);
    with --online, a start URL whose robots.txt cannot be read or forbids it makes the exit status 1.
    """
    from miner.config import get_settings

    sources = load_sources(
        path, corpora_dir=get_settings().corpora_dir
    )  # a ConfigError is reported by the command line's error handler
    if check:
        governments = sorted({s.government for s in sources})
        typer.echo(f"ok: {len(sources)} sources, governments: {', '.join(governments)}")
        if online:
            rows = robots_status(sources, allow_private=allow_private_addresses)
            output.emit(
                rows,
                format,
                columns=ROBOTS_COLUMNS,
                record=lambda r: r,
                fields=("source", "url", "robots", "detail"),
                wide=wide,
                empty="no start URLs",
            )
            bad = [r for r in rows if r["robots"] != "allowed"]
            if bad:
                output.note(f"{len(bad)} start URL(s) cannot be crawled")
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
