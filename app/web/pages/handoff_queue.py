"""My hand-offs (a seller) and the hand-off queues (supervisors, admins): the list, one
hand-off in full, and a form per action it allows, each deciding it exactly as
`qualify handoffs ACTION` does (`app.handoff_desk`)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Form, HTTPException, Path, Query, Request
from fastapi.responses import RedirectResponse, Response
from sqlmodel import Session

from app.handoff_desk import decide_handoff, lead_turns
from app.web.accounts import Viewer
from app.web.console_access import SellerViewer, database_url_of
from app.web.handoff_views import (
    HandoffList,
    handoff_detail,
    handoff_for,
    refused_to,
    summaries,
)
from app.web.templating import render
from graphs.engage.handoff_actions import HandoffAction
from graphs.engage.handoff_decisions import HandoffDecisionError
from graphs.engage.stored_settings import load_engage_settings
from store.console_accounts import ConsoleRole
from store.db import get_db_engine
from store.engagement import HandoffStatus, HandoffTarget
from store.handoff_review import handoff_page

router = APIRouter(include_in_schema=False)

PAGE_SIZE = 50
StatusFilter = Literal["pending", "approved", "rejected", "any"]
TargetFilter = Literal["seller", "supervisor", "any"]
# Bounded: an id past SQLite's integers is no hand-off, not a server error.
HandoffId = Annotated[int, Path(ge=1, le=2**62)]


def queue(
    database_url: str,
    viewer: Viewer,
    *,
    status: StatusFilter,
    target: TargetFilter,
    offset: int,
    limit: int,
) -> HandoffList:
    """A seller's own hand-offs, or (supervisors, admins) the queue filtered as asked."""
    wanted_status = None if status == "any" else HandoffStatus(status)
    settings = load_engage_settings(database_url)
    with Session(get_db_engine(database_url)) as session:
        if viewer.role is ConsoleRole.SELLER:
            if viewer.user_id is None:
                return HandoffList(total=0, offset=offset, limit=limit, items=[])
            total, rows = handoff_page(
                session,
                target=HandoffTarget.SELLER,
                status=wanted_status,
                assignee_id=viewer.user_id,
                offset=offset,
                limit=limit,
            )
        else:
            total, rows = handoff_page(
                session,
                target=None if target == "any" else HandoffTarget(target),
                status=wanted_status,
                offset=offset,
                limit=limit,
            )
        items = summaries(session, rows, settings)
    return HandoffList(total=total, offset=offset, limit=limit, items=items)


@router.get("/handoffs")
def handoffs_page(
    request: Request,
    viewer: SellerViewer,
    status: StatusFilter = "pending",
    target: TargetFilter = "any",
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> Response:
    """The hand-offs waiting for the viewer (a seller) or the queues (supervisors)."""
    page = queue(
        database_url_of(request),
        viewer,
        status=status,
        target=target,
        offset=offset,
        limit=PAGE_SIZE,
    )
    return render(
        request,
        "handoffs.html",
        page=page,
        status=status,
        target=target,
        is_seller=viewer.role is ConsoleRole.SELLER,
    )


def _detail_page(
    request: Request,
    viewer: Viewer,
    handoff_id: HandoffId,
    *,
    status_code: int = 200,
    **context: object,
) -> Response:
    url = database_url_of(request)
    settings = load_engage_settings(url)
    with Session(get_db_engine(url)) as session:
        handoff = handoff_for(session, viewer, handoff_id)
        detail = handoff_detail(session, viewer, handoff, settings, lead_turns(handoff.lead_id))
    return render(request, "handoff.html", status_code=status_code, handoff=detail, **context)


@router.get("/handoffs/{handoff_id}")
def handoff_page_view(
    request: Request,
    viewer: SellerViewer,
    handoff_id: HandoffId,
    decided: HandoffAction | None = None,
) -> Response:
    """One hand-off in full, with a form per action the viewer may take."""
    return _detail_page(request, viewer, handoff_id, decided=decided)


def check_may_decide(
    database_url: str, viewer: Viewer, handoff_id: int, action: HandoffAction
) -> None:
    """404 / 403 unless the viewer may take `action` on the hand-off."""
    with Session(get_db_engine(database_url)) as session:
        handoff = handoff_for(session, viewer, handoff_id)
        problem = refused_to(viewer, handoff, action)
    if problem:
        raise HTTPException(status_code=403, detail=problem)


@router.post("/handoffs/{handoff_id}/{action}")
def decide_page(
    request: Request,
    viewer: SellerViewer,
    handoff_id: HandoffId,
    action: HandoffAction,
    note: Annotated[str, Form(max_length=2000)] = "",
    email: Annotated[str, Form(max_length=320)] = "",
) -> Response:
    """Decide the hand-off; on a refusal the page again, the reason at the action's form
    and what was typed kept."""
    url = database_url_of(request)
    check_may_decide(url, viewer, handoff_id, action)
    try:
        decide_handoff(
            url,
            handoff_id,
            action,
            by=viewer.user_id,
            note=note.strip() or None,
            email=email.strip() or None,
        )
    except HandoffDecisionError as exc:
        return _detail_page(
            request,
            viewer,
            handoff_id,
            status_code=422,
            error_action=action.value,
            error=str(exc),
            typed={"note": note, "email": email},
        )
    return RedirectResponse(f"/handoffs/{handoff_id}?decided={action.value}", status_code=303)
