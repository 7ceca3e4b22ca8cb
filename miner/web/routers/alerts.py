"""Subscriptions (``/api/subscriptions``) and each feed subscription's Atom feed (``/feeds/NAME.atom``).

Listing subscriptions needs a token (read or write) even when reading is open: they hold webhook and
e-mail addresses. Adding and removing need a write token (the guard refuses a write without one).
A webhook added through the API always passes the SSRF guard: private and loopback addresses are
only for ``miner watch add --allow-private-addresses``, an operator's decision on the server itself.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, HTTPException, Path, Request, Response
from pydantic import BaseModel, Field

import miner.alerts  # noqa: F401 - term subscriptions match with the word forms of mentions
from miner.alerts import message
from miner.alerts import subscriptions as subs
from miner.store.repository import Repository
from miner.store.subscriptions import SubscriptionExists
from miner.store.tokens import TokenInfo, TokenScope
from miner.web import schemas
from miner.web.access import bearer, bearer_token, writer
from miner.web.deps import repository

router = APIRouter()
Store = Annotated[Repository, Depends(repository)]
Writer = Annotated[TokenInfo, Depends(writer)]
SubscriptionName = Annotated[str, Path(pattern=subs.NAME.pattern, max_length=100)]
#: Alerts an Atom feed shows (newest first).
FEED_ENTRIES = 50


def reader(request: Request) -> TokenInfo:
    """A read or write token (the ``Authorization: Bearer`` header), whatever ``web_reading`` says."""
    info = getattr(request.state, "token", None)
    if not isinstance(info, TokenInfo):
        info = request.app.state.access.identify(bearer_token(request.headers.get("authorization")))
    if not isinstance(info, TokenInfo) or not info.allows(TokenScope.READ):
        raise HTTPException(401, "subscriptions need a token", headers={"WWW-Authenticate": "Bearer"})
    return info


class SubscriptionIn(BaseModel):
    """A new subscription: a condition, optional filters, and exactly one channel."""

    name: str = Field(pattern=subs.NAME.pattern, max_length=100, description="Also its feed's name.")
    on: str = Field(max_length=120, description=f"The condition: {subs.CONDITIONS}.")
    webhook: str | None = Field(None, max_length=2000, description="POST each alert here, signed.")
    secret: str | None = Field(None, max_length=200, description="The webhook's signing secret (6-200).")
    email: str | None = Field(None, max_length=320, description="E-mail each alert here.")
    feed: bool = Field(False, description="An Atom feed at /feeds/NAME.atom.")
    government: str | None = Field(None, max_length=20, description="Only this government.")
    domain: str | None = Field(None, max_length=50, description="Only documents of this domain.")
    min_score_change: int | None = Field(
        None, ge=0, le=100, description="Changes: the score moved this much."
    )
    digest: Literal["daily", "weekly"] | None = Field(None, description="Collect alerts into one message.")


class SubscriptionOut(BaseModel):
    """A subscription as listed (never its secret)."""

    name: str
    on: str
    channel: Literal["webhook", "email", "feed"]
    target: str = Field(description="The webhook URL or e-mail address; empty for a feed.")
    feed: str | None = Field(description="The Atom feed's path, for a feed subscription.")
    government: str | None
    domain: str | None
    min_score_change: int | None
    digest: str | None
    allow_private: bool
    created_at: str | None


def _out(sub: subs.Subscription) -> SubscriptionOut:
    d = subs.describe(sub)
    feed = f"/feeds/{sub.name}.atom" if sub.channel == "feed" else None
    return SubscriptionOut.model_validate({**d, "feed": feed})


@router.get(
    "/api/subscriptions",
    response_model=list[SubscriptionOut],
    tags=["alerts"],
    summary="Subscriptions",
    dependencies=[Depends(bearer)],
    responses={401: schemas.WRITE_ERRORS[401], 503: schemas.READ_ERRORS[503]},
)
def list_subscriptions(store: Store, _who: Annotated[TokenInfo, Depends(reader)]) -> list[SubscriptionOut]:
    """Every subscription by name, without secrets (needs a read or write token)."""
    return [_out(s) for s in store.subscriptions()]


@router.post(
    "/api/subscriptions",
    response_model=SubscriptionOut,
    status_code=201,
    tags=["alerts"],
    summary="Subscribe",
    dependencies=[Depends(bearer)],
    responses={
        409: {"model": schemas.Problem, "description": "A subscription of that name exists."},
        422: {"model": schemas.Problem, "description": "The condition, channel or address is not valid."},
        **schemas.WRITE_ERRORS,
    },
)
def add_subscription(body: SubscriptionIn, store: Store, _who: Writer) -> SubscriptionOut:
    """Add a subscription. A webhook's address must be public (the crawler's SSRF guard)."""
    try:
        made = subs.subscribe(
            store,
            subs.make_subscription(
                body.name,
                body.on,
                webhook=body.webhook,
                secret=body.secret,
                email=body.email,
                feed=body.feed,
                government=body.government,
                domain=body.domain,
                min_score_change=body.min_score_change,
                digest=body.digest or "",
            ),
        )
    except SubscriptionExists as exc:
        raise HTTPException(409, exc.message) from exc
    except subs.SubscriptionError as exc:
        raise HTTPException(422, str(exc)) from exc
    return _out(made)


@router.delete(
    "/api/subscriptions/{name}",
    status_code=204,
    tags=["alerts"],
    summary="Unsubscribe",
    dependencies=[Depends(bearer)],
    responses={
        404: {"model": schemas.Problem, "description": "No such subscription."},
        **schemas.WRITE_ERRORS,
    },
)
def remove_subscription(name: SubscriptionName, store: Store, _who: Writer) -> Response:
    """Remove a subscription and its alerts."""
    if not store.remove_subscription(name):
        raise HTTPException(404, "no such subscription")
    return Response(status_code=204)


@router.get(
    "/feeds/{name}.atom",
    tags=["alerts"],
    summary="A subscription's Atom feed",
    response_class=Response,
    responses={
        200: {"content": {"application/atom+xml": {}}, "description": "The latest alerts (Atom 1.0)."},
        404: {"model": schemas.Problem, "description": "No such subscription."},
        **schemas.READ_ERRORS,
    },
)
def feed(name: SubscriptionName, request: Request, store: Store) -> Response:
    """The latest alerts of a subscription, newest first, as an Atom feed (scraped text escaped)."""
    found = store.feed_entries(name, FEED_ENTRIES)
    if found is None:
        raise HTTPException(404, "no such subscription")
    sub, entries = found
    public = request.app.state.settings.public_url or str(request.base_url).rstrip("/")
    xml = message.atom_feed(sub, entries, public, f"{public.rstrip('/')}/feeds/{sub.name}.atom")
    return Response(xml, media_type="application/atom+xml; charset=utf-8")
