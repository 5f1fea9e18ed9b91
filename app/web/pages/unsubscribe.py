"""The one-click unsubscribe endpoint (RFC 8058) of the agent's emails.

`POST /unsubscribe?token=...` (what a mail client's one-click sends, body
`List-Unsubscribe=One-Click`) marks the lead do-not-email and stops its conversation (and,
with `company_wide_stop`, the agent's email to its company). `GET` only shows a page with
a button that posts: link scanners fetch every link in a message and must not unsubscribe
anyone. A token is the lead id signed with HMAC (`tools.mail.unsubscribe_tokens`); a
forged or edited one is refused and changes nothing. No sign-in: the token is the proof.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse

from app.web.console_access import database_url_of
from app.web.templating import render
from core.clock import utc_now
from graphs.engage.stored_settings import load_engage_settings
from store.crm import Lead
from store.db import session_scope
from tools.mail.lead_stops import stop_company, stop_lead
from tools.mail.unsubscribe_tokens import lead_of_token, unsubscribe_secret

router = APIRouter(include_in_schema=False)

UNSUBSCRIBE_PATH = "/unsubscribe"


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


def _answer(
    request: Request, status: int, title: str, message: str, token: str = ""
) -> HTMLResponse:
    response = render(
        request, "unsubscribe.html", status_code=status, title=title, message=message, token=token
    )
    response.headers["Cache-Control"] = "no-store"
    return response


def _invalid(request: Request) -> HTMLResponse:
    return _answer(
        request,
        400,
        "This unsubscribe link is not valid",
        "The link is incomplete or was changed. Use the link in the email, or reply with "
        "the word unsubscribe.",
    )


@router.get(UNSUBSCRIBE_PATH)
def confirm_page(request: Request, token: str = "") -> HTMLResponse:
    """Ask before unsubscribing: a GET changes nothing."""
    if not token or lead_of_token(token, unsubscribe_secret()) is None:
        return _invalid(request)
    return _answer(request, 200, "Unsubscribe", "Stop receiving these emails?", token)


@router.post(UNSUBSCRIBE_PATH)
def unsubscribe(
    request: Request,
    token: str = "",
    form_token: Annotated[str, Form(alias="token")] = "",
) -> HTMLResponse:
    """Unsubscribe the lead the signed token names."""
    token = token or form_token
    lead_id = lead_of_token(token, unsubscribe_secret()) if token else None
    if lead_id is None:
        return _invalid(request)
    if not unsubscribe_lead(database_url_of(request), lead_id, utc_now()):
        return _answer(request, 404, "Unknown recipient", "We have no one to unsubscribe.")
    return _answer(request, 200, "You are unsubscribed", "You will not receive these emails again.")
