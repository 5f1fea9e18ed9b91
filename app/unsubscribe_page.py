"""The one-click unsubscribe endpoint (RFC 8058), a plain WSGI app.

`POST /unsubscribe?token=...` (what a mail client's one-click sends, body
`List-Unsubscribe=One-Click`) marks the lead do-not-email and stops its conversation (and,
with `company_wide_stop`, the agent's email to its company). `GET` only shows a page with
a button that posts: link scanners fetch every link in a message and must not unsubscribe
anyone. A token is the lead id signed with HMAC (`tools.mail.unsubscribe_tokens`); a
forged or edited one is refused and changes nothing. `qualify serve` serves it; the web
console will mount the same app.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any
from urllib.parse import parse_qs, quote

from core.clock import utc_now
from graphs.engage.stored_settings import load_engage_settings
from store.crm import Lead
from store.db import session_scope
from tools.mail.lead_stops import stop_company, stop_lead
from tools.mail.unsubscribe_tokens import lead_of_token

UNSUBSCRIBE_PATH = "/unsubscribe"

StartResponse = Callable[[str, list[tuple[str, str]]], Any]


def unsubscribe_lead(database_url: str, lead_id: str, now: datetime) -> bool:
    """Stop emailing the lead (and its company, if the admin wants); False: no such lead."""
    reason = "the lead unsubscribed (one-click link)"
    company_wide = load_engage_settings(database_url).sender_reputation.company_wide_stop
    with session_scope(database_url) as session:
        if not stop_lead(session, lead_id, reason):
            return False
        lead = session.get(Lead, lead_id)
        if company_wide and lead is not None:
            stop_company(session, lead, reason, now)
    return True


def _page(title: str, body: str) -> bytes:
    return (
        "<!doctype html><html><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width'>"
        f"<title>{html.escape(title)}</title></head>"
        f"<body style='font-family:sans-serif;max-width:32em;margin:3em auto'>"
        f"<h1>{html.escape(title)}</h1>{body}</body></html>"
    ).encode()


def _token_of(environ: dict[str, Any]) -> str:
    query = parse_qs(environ.get("QUERY_STRING", ""))
    token = (query.get("token") or [""])[0]
    if token or environ.get("REQUEST_METHOD") != "POST":
        return token
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    form = parse_qs(environ["wsgi.input"].read(min(length, 4096)).decode("utf-8", "replace"))
    return (form.get("token") or [""])[0]


def unsubscribe_app(
    database_url: str, secret: bytes, *, clock: Callable[[], datetime] = utc_now
) -> Callable[[dict[str, Any], StartResponse], Iterable[bytes]]:
    """The WSGI app answering `/unsubscribe`."""

    def app(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        def answer(status: str, title: str, body: str) -> list[bytes]:
            page = _page(title, body)
            start_response(
                status,
                [
                    ("Content-Type", "text/html; charset=utf-8"),
                    ("Content-Length", str(len(page))),
                    ("Cache-Control", "no-store"),
                ],
            )
            return [page]

        if environ.get("PATH_INFO", "") != UNSUBSCRIBE_PATH:
            return answer("404 Not Found", "Not found", "<p>There is nothing here.</p>")
        method = environ.get("REQUEST_METHOD", "GET")
        if method not in ("GET", "POST"):
            return answer("405 Method Not Allowed", "Not allowed", "<p>Use GET or POST.</p>")
        token = _token_of(environ)
        lead_id = lead_of_token(token, secret) if token else None
        if lead_id is None:
            return answer(
                "400 Bad Request",
                "This unsubscribe link is not valid",
                "<p>The link is incomplete or was changed. Use the link in the email, or "
                "reply with the word unsubscribe.</p>",
            )
        if method == "GET":
            action = f"{UNSUBSCRIBE_PATH}?token={quote(token, safe='')}"
            return answer(
                "200 OK",
                "Unsubscribe",
                "<p>Stop receiving these emails?</p>"
                f"<form method='post' action='{html.escape(action)}'>"
                "<button type='submit'>Unsubscribe</button></form>",
            )
        if not unsubscribe_lead(database_url, lead_id, clock()):
            return answer(
                "404 Not Found", "Unknown recipient", "<p>We have no one to unsubscribe.</p>"
            )
        return answer(
            "200 OK", "You are unsubscribed", "<p>You will not receive these emails again.</p>"
        )

    return app
