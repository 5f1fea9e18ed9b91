"""The hand-off queues as JSON: the same lists, detail and decisions as the pages."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request
from pydantic import BaseModel, Field
from sqlmodel import Session

from app.handoff_desk import decide_handoff, lead_turns
from app.web.console_access import SellerViewer, database_url_of
from app.web.handoff_views import HandoffDetail, HandoffList, handoff_detail, handoff_for
from app.web.pages.handoff_queue import (
    HandoffId,
    StatusFilter,
    TargetFilter,
    check_may_decide,
    queue,
)
from graphs.engage.handoff_actions import HandoffAction
from graphs.engage.handoff_decisions import HandoffDecisionError
from graphs.engage.stored_settings import load_engage_settings
from store.db import get_db_engine

router = APIRouter(prefix="/api/handoffs", tags=["hand-offs"])


class DecisionRequest(BaseModel):
    """What a decision carries: why (required to return), and the address for a fix."""

    note: str | None = Field(default=None, max_length=2000)
    email: str | None = Field(default=None, max_length=320)


class DecisionResult(BaseModel):
    """What the decision did."""

    handoff_id: int
    lead_id: str
    action: HandoffAction
    message: str
    agent: str | None = Field(description="The agent restarted (after a fix), or why not.")
    new_lead_id: str | None
    opportunity_id: str | None


@router.get("", response_model=HandoffList)
def list_handoffs(
    request: Request,
    viewer: SellerViewer,
    status: StatusFilter = "pending",
    target: TargetFilter = "any",
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> HandoffList:
    """A seller's own hand-offs, or (supervisors, admins) the queues; pending first."""
    return queue(
        database_url_of(request), viewer, status=status, target=target, offset=offset, limit=limit
    )


@router.get("/{handoff_id}", response_model=HandoffDetail)
def show_handoff(request: Request, viewer: SellerViewer, handoff_id: HandoffId) -> HandoffDetail:
    """One hand-off in full, with the actions the viewer may take."""
    url = database_url_of(request)
    settings = load_engage_settings(url)
    with Session(get_db_engine(url)) as session:
        handoff = handoff_for(session, viewer, handoff_id)
        return handoff_detail(session, viewer, handoff, settings, lead_turns(handoff.lead_id))


@router.post("/{handoff_id}/{action}", response_model=DecisionResult)
def decide(
    request: Request,
    viewer: SellerViewer,
    handoff_id: HandoffId,
    action: HandoffAction,
    decision: DecisionRequest | None = None,
) -> DecisionResult:
    """Decide the hand-off; 422 with the reason when it is refused (nothing changed)."""
    url = database_url_of(request)
    check_may_decide(url, viewer, handoff_id, action)
    asked = decision or DecisionRequest()
    try:
        made = decide_handoff(
            url,
            handoff_id,
            action,
            by=viewer.user_id,
            note=(asked.note or "").strip() or None,
            email=(asked.email or "").strip() or None,
        )
    except HandoffDecisionError as exc:
        raise HTTPException(status_code=422, detail=str(exc)) from exc
    outcome = made.outcome
    return DecisionResult(
        handoff_id=outcome.handoff_id,
        lead_id=outcome.lead_id,
        action=outcome.action,
        message=outcome.message,
        agent=made.agent,
        new_lead_id=outcome.new_lead_id,
        opportunity_id=outcome.opportunity_id,
    )
