"""``miner watch``: subscriptions to new, changed and flagged documents, and their delivery.

Parsing and printing only: subscriptions are made by :mod:`miner.alerts.subscriptions`, alerts are
delivered by :mod:`miner.alerts.deliver`.
"""

from __future__ import annotations

from typing import Annotated, Any

import typer

from miner.cli import app, output
from miner.cli.table import Column

WATCH_ACTIONS = ("add", "list", "remove", "digest", "deliver")
SUBSCRIPTION_FIELDS = (
    "name",
    "on",
    "channel",
    "target",
    "government",
    "domain",
    "min_score_change",
    "digest",
    "allow_private",
    "created_at",
)
SUBSCRIPTION_COLUMNS: tuple[Column[dict[str, Any]], ...] = (
    Column("name", lambda r: r["name"]),
    Column("on", lambda r: r["on"]),
    Column("channel", lambda r: r["channel"], shrink=False),
    Column("target", lambda r: r["target"] or "/feeds/" + r["name"] + ".atom"),
    Column("filters", lambda r: _filters(r)),
    Column("digest", lambda r: r["digest"] or "-", shrink=False),
)


def _filters(r: dict[str, Any]) -> str:
    parts = [f"{k}={r[k]}" for k in ("government", "domain", "min_score_change") if r[k] is not None]
    return ", ".join(parts) or "-"


@app.command()
def watch(
    action: Annotated[
        str,
        typer.Argument(
            help="add NAME --on ... (a channel) | list | remove NAME | digest [daily|weekly] | deliver"
        ),
    ],
    name: Annotated[
        str | None, typer.Argument(help="The subscription (add, remove); the period (digest).")
    ] = None,
    on: Annotated[
        str | None,
        typer.Option("--on", help="new | changed | flag:CODE | term:WATCHLIST | report:weekly"),
    ] = None,
    webhook: Annotated[
        str | None, typer.Option("--webhook", help="POST each alert, signed, to this URL.")
    ] = None,
    secret: Annotated[str | None, typer.Option("--secret", help="The webhook's signing secret.")] = None,
    email: Annotated[str | None, typer.Option("--email", help="E-mail each alert (MINER_SMTP_URL).")] = None,
    feed: Annotated[
        bool, typer.Option("--feed", help="An Atom feed: /feeds/NAME.atom of miner serve.")
    ] = False,
    government: Annotated[str | None, typer.Option("--government", help="Only this government.")] = None,
    domain: Annotated[str | None, typer.Option("--domain", help="Only documents of this domain.")] = None,
    min_score_change: Annotated[
        int | None,
        typer.Option("--min-score-change", help="Changes: only when the score moved by at least N points."),
    ] = None,
    digest: Annotated[
        str | None, typer.Option("--digest", help="Collect alerts into one message: daily or weekly.")
    ] = None,
    allow_private_addresses: Annotated[
        bool,
        typer.Option(
            "--allow-private-addresses",
            help="Allow a webhook on a loopback or private address (a local receiver); refused otherwise.",
        ),
    ] = False,
    format: Annotated[str, output.format_option()] = "table",
) -> None:
    """Subscriptions: be told of new, changed or flagged documents by webhook, e-mail or Atom feed.

    miner watch add NAME --on changed --webhook URL --secret S; miner watch list; miner watch remove
    NAME. Alerts are delivered by miner run (in-process) or the workers; digests by beat or
    miner watch digest daily|weekly; miner watch deliver sends what is due now.
    """
    import miner.alerts  # noqa: F401 - registers the term matcher
    from miner.alerts import deliver
    from miner.alerts import subscriptions as subs
    from miner.store import open_repository
    from miner.store.subscriptions import Digest

    if action not in WATCH_ACTIONS:
        raise output.usage_error(f"{action!r} is not one of {', '.join(WATCH_ACTIONS)}", "'ACTION'")
    repo = open_repository()
    if action == "list":
        rows = [subs.describe(s) for s in repo.subscriptions()]
        output.emit(rows, format, columns=SUBSCRIPTION_COLUMNS, record=lambda r: r, fields=SUBSCRIPTION_FIELDS,
                    empty="no subscriptions yet (miner watch add NAME --on ...)")  # fmt: skip
        return
    if action == "deliver":
        counts = deliver.deliver_due(repo)
        rows = [{"outcome": k, "alerts": v} for k, v in sorted(counts.items())]
        columns: tuple[Column[dict[str, Any]], ...] = (
            Column("outcome", lambda r: r["outcome"]),
            Column("alerts", lambda r: str(r["alerts"])),
        )
        output.emit(rows, format, columns=columns, record=lambda r: r, fields=("outcome", "alerts"),
                    empty="no alerts due")  # fmt: skip
        return
    if action == "digest":
        try:
            period = Digest(name or "daily")
        except ValueError:
            raise output.usage_error("digest takes daily or weekly", "'NAME'") from None
        if period is Digest.NONE:
            raise output.usage_error("digest takes daily or weekly", "'NAME'")
        sent = deliver.send_digests(repo, period)
        rows = [{"subscription": k, "alerts": v} for k, v in sorted(sent.items())]
        columns = (Column("subscription", lambda r: r["subscription"]),
                   Column("alerts", lambda r: "failed (kept)" if r["alerts"] < 0 else str(r["alerts"])))  # fmt: skip
        output.emit(rows, format, columns=columns, record=lambda r: r, fields=("subscription", "alerts"),
                    empty=f"no {period} digest subscriptions")  # fmt: skip
        if any(v < 0 for v in sent.values()):
            raise typer.Exit(output.ExitCode.FAILED)
        return
    if not name:
        raise output.usage_error(f"watch {action} needs a NAME", "'NAME'")
    if action == "remove":
        if not repo.remove_subscription(name):
            raise output.usage_error(f"no subscription named {name!r} (miner watch list)", "'NAME'")
        output.note(f"removed subscription {name!r}")
        return
    if not on:
        raise output.usage_error("watch add needs --on (new | changed | flag:CODE | term:WATCHLIST)", "--on")
    try:
        made = subs.subscribe(
            repo,
            subs.make_subscription(
                name,
                on,
                webhook=webhook,
                secret=secret,
                email=email,
                feed=feed,
                government=government,
                domain=domain,
                min_score_change=min_score_change,
                digest=digest or "",
                allow_private=allow_private_addresses,
            ),
        )
    except subs.SubscriptionError as exc:
        raise output.usage_error(str(exc)) from exc
    output.emit([subs.describe(made)], format, columns=SUBSCRIPTION_COLUMNS, record=lambda r: r,
                fields=SUBSCRIPTION_FIELDS, empty="")  # fmt: skip
