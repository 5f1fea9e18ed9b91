"""Emails held for the lead owner's review (`qualify review`): the owner's list, one email
in full with its history, and approve / edit / cancel, each through
graphs/engage/email_review.py as the CLI calls it. Only the lead's owner decides; a refusal
is shown at its form with what was typed kept, and changes nothing."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Form, HTTPException, Path, Request
from fastapi.responses import RedirectResponse, Response
from sqlmodel import Session

from app.web.accounts import Viewer
from app.web.console_access import SellerViewer, database_url_of
from app.web.lead_visibility import lead_for
from app.web.templating import render
from core.clock import utc_now
from core.settings import get_settings
from graphs.engage.email_review import (
    HeldEmail,
    ReviewError,
    approve_email,
    cancel_email,
    edit_email,
    held_emails,
    reviewed_email,
)
from store.console_accounts import ConsoleRole
from store.db import get_db_engine

router = APIRouter(include_in_schema=False)

EmailId = Annotated[int, Path(ge=1, le=2**62)]
ReviewAction = Literal["approve", "edit", "cancel"]


@router.get("/reviews")
def reviews_page(request: Request, viewer: SellerViewer) -> Response:
    """A seller's emails waiting for their review (supervisors and admins: everyone's)."""
    if viewer.role is ConsoleRole.SELLER and viewer.user_id is None:
        emails: list[HeldEmail] = []
    else:
        owner = viewer.user_id if viewer.role is ConsoleRole.SELLER else None
        emails = held_emails(database_url_of(request), now=utc_now(), owner_id=owner)
    return render(request, "reviews.html", emails=emails)


def _visible(database_url: str, viewer: Viewer, email_id: int) -> HeldEmail:
    try:
        email = reviewed_email(database_url, str(email_id), now=utc_now())
    except ReviewError as exc:
        raise HTTPException(status_code=404, detail=str(exc)) from exc
    if email.lead_id is not None:
        with Session(get_db_engine(database_url)) as session:
            lead_for(session, viewer, email.lead_id)
    return email


def _email_page(
    request: Request, viewer: Viewer, email_id: int, *, status_code: int = 200, **context: object
) -> Response:
    email = _visible(database_url_of(request), viewer, email_id)
    is_owner = viewer.user_id is not None and viewer.user_id == email.owner_id
    return render(
        request, "review.html", status_code=status_code, email=email, is_owner=is_owner, **context
    )


@router.get("/reviews/{email_id}")
def review_page(
    request: Request, viewer: SellerViewer, email_id: EmailId, done: ReviewAction | None = None
) -> Response:
    """One held email in full, with the owner's approve, edit and cancel forms."""
    return _email_page(request, viewer, email_id, done=done)


@router.post("/reviews/{email_id}/{action}")
def review_decision(
    request: Request,
    viewer: SellerViewer,
    email_id: EmailId,
    action: ReviewAction,
    subject: Annotated[str, Form(max_length=300)] = "",
    body: Annotated[str, Form(max_length=20_000)] = "",
    note: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    """Approve, edit or cancel the email as its owner."""
    url = database_url_of(request)
    _visible(url, viewer, email_id)
    by = viewer.user_id or viewer.login  # not an owner: the review rule refuses, saying so
    now = utc_now()
    try:
        if action == "approve":
            approve_email(url, str(email_id), by=by, now=now)
        elif action == "edit":
            edit_email(
                url,
                str(email_id),
                by=by,
                now=now,
                subject=subject,
                body=body.replace("\r\n", "\n"),
                product=get_settings().product,
            )
        else:
            cancel_email(url, str(email_id), by=by, now=now, note=note.strip())
    except ReviewError as exc:
        return _email_page(
            request,
            viewer,
            email_id,
            status_code=422,
            error_action=action,
            error=str(exc),
            typed={"subject": subject, "body": body, "note": note},
        )
    return RedirectResponse(f"/reviews/{email_id}?done={action}", status_code=303)
