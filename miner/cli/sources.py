"""``miner sources``: list the source registry, validate it, and (``--online``) check robots.txt."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from miner.cli import app
from miner.errors import ConfigError, MinerError
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


def robots_status(sources: list[Source], *, allow_private: bool = False) -> list[dict[str, str]]:
    """For every start URL: what its host's robots.txt says for our user agent (network access)."""
    from miner.fetch.client import Fetcher

    rows: list[dict[str, str]] = []
    with Fetcher(allow_private=allow_private) as fetcher:
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
        bool, typer.Option("--check", help="Validate only; print a summary, exit 1 on an error.")
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
    format: Annotated[str, typer.Option("--format", "-f", help="table or json")] = "table",
) -> None:
    """List the registered sources (id, government, domains, languages, cadence, start URLs)."""
    try:
        sources = load_sources(path)
    except ConfigError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from exc
    if check:
        governments = sorted({s.government for s in sources})
        typer.echo(f"ok: {len(sources)} sources, governments: {', '.join(governments)}")
        if online:
            rows = robots_status(sources, allow_private=allow_private_addresses)
            bad = [r for r in rows if r["robots"] != "allowed"]
            for r in rows:
                typer.echo(f"{r['robots']:<12} {r['source']:<32} {r['url']}  ({r['detail']})")
            if bad:
                typer.echo(f"{len(bad)} start URL(s) cannot be crawled", err=True)
                raise typer.Exit(1)
        return
    if format == "json":
        typer.echo(json.dumps([source_row(s) for s in sources], indent=2, ensure_ascii=False))
        return
    table = Table(title=f"policy-miner sources ({len(sources)})")
    for col in ("id", "government", "domains", "languages", "cadence", "start URLs"):
        table.add_column(col, overflow="fold")
    for s in sources:
        table.add_row(
            s.id,
            s.government,
            ", ".join(s.domains),
            ", ".join(s.languages),
            s.cadence,
            "\n".join(s.start_urls),
        )
    Console(width=200).print(table)
