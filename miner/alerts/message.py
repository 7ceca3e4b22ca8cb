"""What an alert says, in each channel's format: the signed JSON body, the e-mail, the Atom entry.

Everything here is a pure function of the outbox payload (title, URL, government, score, flags,
quotes with page and paragraph) and the settings' ``public_url``. Scraped text is never trusted: the
HTML e-mail is rendered by Jinja with autoescape on, the Atom feed is built with an XML serialiser
(which escapes), and only ``http(s)`` URLs become links.

The webhook signature follows the scheme of Stripe and others: ``X-Miner-Signature: t=<unix
seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>" with the subscription's secret>``. Signing the time
with the body lets a receiver reject a replayed old delivery (docs/alerts.md).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from xml.etree import ElementTree as ET

from jinja2 import Environment, FileSystemLoader, select_autoescape

from miner.config import Settings
from miner.store.subscriptions import Subscription

SIGNATURE_HEADER = "X-Miner-Signature"
#: Where ``miner serve`` listens by default: the links' base when ``MINER_PUBLIC_URL`` is unset.
DEFAULT_PUBLIC_URL = "http://127.0.0.1:8000"
#: Each delivery's id, the same on every attempt: a receiver that saw it already can drop it.
DELIVERY_HEADER = "X-Miner-Delivery"
ATOM = "http://www.w3.org/2005/Atom"
TEMPLATES = Path(__file__).resolve().parent / "templates"
#: What each event is called in subjects and titles.
EVENT_NAMES = {
    "new": "New document",
    "changed": "Changed document",
    "flag": "Flag raised",
    "term": "Watched term",
    "report": "Weekly report",
}


def sign(secret: str, body: bytes, timestamp: int | None = None) -> str:
    """The value of :data:`SIGNATURE_HEADER` for ``body``."""
    t = int(time.time()) if timestamp is None else timestamp
    mac = hmac.new(secret.encode("utf-8"), f"{t}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={t},v1={mac}"


def verify(secret: str, body: bytes, header: str, *, tolerance: float = 300.0) -> bool:
    """What a receiver does (and the tests): the MAC matches and the time is recent."""
    try:
        parts = dict(p.split("=", 1) for p in header.split(","))
        t = int(parts["t"])
    except (KeyError, ValueError):
        return False
    expected = sign(secret, body, t).split("v1=", 1)[1]
    return hmac.compare_digest(expected, parts.get("v1", "")) and abs(time.time() - t) <= tolerance


def safe_url(url: str) -> str | None:
    """``url`` when it may become a link (http or https), else None."""
    return url if urlsplit(url).scheme.lower() in ("http", "https") else None


def public_url(settings: Settings) -> str:
    """Where readers reach ``miner serve`` (``MINER_PUBLIC_URL``, or its default address)."""
    return settings.public_url or DEFAULT_PUBLIC_URL


def document_link(public_url: str, payload: dict[str, Any]) -> str:
    return f"{public_url.rstrip('/')}/documents/{int(payload['document_id'])}"


def body(alerts: Sequence[dict[str, Any]], public_url: str, subscription: Subscription) -> bytes:
    """The JSON body of a webhook delivery: one alert, or a digest's ``alerts`` list."""
    items = [_item(a, public_url) for a in alerts]
    doc: dict[str, Any] = items[0] if len(items) == 1 and not subscription.digest else {"alerts": items}
    doc = {"subscription": subscription.name, **doc}
    return json.dumps(doc, ensure_ascii=False, sort_keys=True).encode("utf-8")


def _item(alert: dict[str, Any], public_url: str) -> dict[str, Any]:
    """One alert as receivers see it (a report carries its tables instead of a document)."""
    payload = alert["payload"]
    out = {"id": alert["id"], "event": payload.get("event", alert.get("event"))}
    if "document_id" in payload:
        out.update(
            {
                k: payload.get(k)
                for k in ("title", "url", "government", "published", "score", "previous_score")
            },
            flags=payload.get("flags", []),
            raised_flags=payload.get("raised_flags", []),
            evidence=payload.get("evidence", []),
            link=document_link(public_url, payload),
            document_id=payload["document_id"],
            version_id=payload.get("version_id"),
        )
    else:
        out.update({k: v for k, v in payload.items() if k not in ("event", "subscription")})
    return out


# --- e-mail ----------------------------------------------------------------------------------------------


def _env() -> Environment:
    return Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )


def _context(alerts: Sequence[dict[str, Any]], public_url: str, subscription: Subscription) -> dict[str, Any]:
    items = [_item(a, public_url) for a in alerts]
    for it in items:
        it["name"] = EVENT_NAMES.get(str(it["event"]), str(it["event"]))
        it["source_link"] = safe_url(str(it.get("url") or ""))
    return {"subscription": subscription, "alerts": items, "public_url": public_url}


def subject(alerts: Sequence[dict[str, Any]], subscription: Subscription) -> str:
    if len(alerts) == 1 and not subscription.digest:
        payload = alerts[0]["payload"]
        name = EVENT_NAMES.get(str(payload.get("event")), "Alert")
        title = " ".join(str(payload.get("title") or payload.get("url") or "").split())[:120]
        return f"[policy-miner] {name}: {title}" if title else f"[policy-miner] {name}"
    return f"[policy-miner] {subscription.digest} digest for {subscription.name}: {len(alerts)} alert(s)"


def email(
    alerts: Sequence[dict[str, Any]], public_url: str, subscription: Subscription, sender: str
) -> EmailMessage:
    """The e-mail of one alert or of a digest: plain text, and HTML as the alternative."""
    ctx = _context(alerts, public_url, subscription)
    env = _env()
    msg = EmailMessage()
    msg["Subject"] = subject(alerts, subscription).replace("\r", " ").replace("\n", " ")
    msg["From"] = sender
    msg["To"] = subscription.target
    msg["X-Miner-Subscription"] = subscription.name
    msg.set_content(env.get_template("alert.txt").render(ctx))
    msg.add_alternative(env.get_template("alert.html").render(ctx), subtype="html")
    return msg


# --- Atom ------------------------------------------------------------------------------------------------


def atom_feed(
    subscription: Subscription, entries: Sequence[dict[str, Any]], public_url: str, feed_url: str
) -> bytes:
    """The Atom document (RFC 4287) of a subscription's latest alerts; text is escaped by the
    serialiser, links are only http(s)."""
    ET.register_namespace("", ATOM)

    def sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
        el = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attrs)
        if text is not None:
            el.text = _xml_text(text)
        return el

    feed = ET.Element(f"{{{ATOM}}}feed")
    sub(feed, "id", feed_url)
    sub(feed, "title", f"policy-miner: {subscription.name} ({subscription.condition})")
    newest = entries[0]["created_at"] if entries else subscription.created_at or datetime.now(UTC)
    sub(feed, "updated", _stamp(newest))
    author = sub(feed, "author")
    sub(author, "name", "policy-miner")
    sub(feed, "link", rel="self", href=feed_url, type="application/atom+xml")
    for e in entries:
        item = _item(e, public_url)
        entry = sub(feed, "entry")
        sub(entry, "id", f"{feed_url}#alert-{int(e['id'])}")
        name = EVENT_NAMES.get(str(item["event"]), str(item["event"]))
        sub(entry, "title", f"{name}: {item.get('title') or item.get('url') or ''}")
        sub(entry, "updated", _stamp(e["created_at"]))
        if "link" in item:
            sub(entry, "link", rel="alternate", href=item["link"], type="text/html")
        source = safe_url(str(item.get("url") or ""))
        if source:
            sub(entry, "link", rel="related", href=source)
        sub(entry, "summary", _summary(item), type="text")
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(
        feed, encoding="utf-8", xml_declaration=False
    )


def _summary(item: dict[str, Any]) -> str:
    lines = []
    if "score" in item:
        lines.append(
            f"{item.get('government')}: score {item.get('score')} (before: {item.get('previous_score')})"
        )
    flags = ", ".join(str(f.get("code")) for f in item.get("flags", []))
    if flags:
        lines.append(f"flags: {flags}")
    for q in item.get("evidence", []):
        lines.append(f"“{q.get('quote')}” (page {q.get('page')}, paragraph {q.get('paragraph')})")
    if "text" in item:
        lines.append(str(item["text"]))
    return "\n".join(lines)


def _xml_text(text: str) -> str:
    """Characters XML 1.0 cannot hold at all (controls) are dropped; the rest the serialiser escapes."""
    return "".join(
        c
        for c in text
        if c in "\t\n\r" or (" " <= c <= "\ud7ff") or ("\ue000" <= c <= "\ufffd") or c >= "\U00010000"
    )


def _stamp(t: datetime) -> str:
    t = t if t.tzinfo else t.replace(tzinfo=UTC)
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
