"""Hand-offs as the console shows them (pages and the JSON API alike), and who may open
or decide one: a seller the hand-offs assigned to them or on leads they see, and only a
seller's actions; supervisors and admins every hand-off and every action."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from fastapi import HTTPException
from pydantic import BaseModel, Field
from sqlmodel import Session, col, select

from app.handoff_desk import interest_signals
from app.web.accounts import Viewer
from app.web.lead_visibility import visible_owner_ids
from core.conversation import ConversationTurn
from core.reply_reading import Bant
from graphs.engage.engage_settings import EngageSettings
from graphs.engage.handoff_actions import ALLOWED, WHAT_IT_DOES, HandoffAction
from graphs.engage.handoff_decisions import kind_of
from graphs.engage.reply_readings import latest_referral
from store.console_accounts import ConsoleRole
from store.crm import Lead, User
from store.engagement import Handoff, HandoffStatus, HandoffTarget

SUPERVISOR_ACTIONS = frozenset({HandoffAction.APPROVE})


class HandoffAllowedAction(BaseModel):
    """An action the viewer may take on a pending hand-off, and what it does."""

    action: HandoffAction
    what_it_does: str
    needs_note: bool = False
    needs_email: bool = False


class HandoffSummary(BaseModel):
    """One row of a hand-off queue."""

    id: int
    lead_id: str
    lead_name: str
    company: str | None
    rule_id: str
    kind: str
    target: HandoffTarget
    assignee_id: str | None
    assignee_name: str | None
    status: HandoffStatus
    action: str | None
    created_on: datetime
    escalated: bool


class BantLine(BaseModel):
    """One BANT dimension with the lead's own words."""

    name: Literal["budget", "authority", "need", "timing"]
    verdict: str
    evidence: str | None


class HandoffDetail(HandoffSummary):
    """A hand-off in full, as `qualify handoffs show` prints it."""

    lead_email: str | None
    rule_description: str
    summary: str
    purchase_interest: str | None
    interest_signals: list[str]
    bant: list[BantLine]
    next_step: str
    referral: str | None = Field(description="Whom a follow would make a lead, if named.")
    escalated_from: str | None
    escalated_on: datetime | None
    decided_by: str | None
    decided_on: datetime | None
    decision_note: str | None
    actions: list[HandoffAllowedAction]


class HandoffList(BaseModel):
    """A page of a hand-off queue."""

    total: int
    offset: int
    limit: int
    items: list[HandoffSummary]


def may_open(session: Session, viewer: Viewer, handoff: Handoff) -> bool:
    """A seller opens hand-offs assigned to them or on leads they see."""
    owners = visible_owner_ids(session, viewer)
    if owners is None or (viewer.user_id and handoff.assignee_id == viewer.user_id):
        return True
    lead = session.get(Lead, handoff.lead_id)
    return lead is not None and lead.owner_id in owners


def handoff_for(session: Session, viewer: Viewer, handoff_id: int) -> Handoff:
    """The hand-off if the viewer may open it: 404 when there is none, 403 when not theirs."""
    handoff = session.get(Handoff, handoff_id)
    if handoff is None:
        raise HTTPException(status_code=404, detail=f"No hand-off {handoff_id}.")
    if not may_open(session, viewer, handoff):
        raise HTTPException(status_code=403, detail="This hand-off is another seller's.")
    return handoff


def refused_to(viewer: Viewer, handoff: Handoff, action: HandoffAction) -> str | None:
    """Why the viewer's role may not take `action` on this hand-off; None: it may."""
    if viewer.role in (ConsoleRole.SUPERVISOR, ConsoleRole.ADMIN):
        return None
    if handoff.target == HandoffTarget.SUPERVISOR or action in SUPERVISOR_ACTIONS:
        return "Approving or rejecting a disqualification is a supervisor's decision."
    return None


def viewer_actions(
    viewer: Viewer, handoff: Handoff, settings: EngageSettings
) -> list[HandoffAllowedAction]:
    """The actions the hand-off's kind allows that the viewer may take (none once decided)."""
    if handoff.status != HandoffStatus.PENDING:
        return []
    return [
        HandoffAllowedAction(
            action=action,
            what_it_does=WHAT_IT_DOES[action].replace("--note", "a note").replace("(--email)", ""),
            needs_note=action is HandoffAction.RETURN,
            needs_email=action is HandoffAction.FIX,
        )
        for action in ALLOWED[kind_of(handoff, settings)]
        if refused_to(viewer, handoff, action) is None
    ]


def _names(session: Session, user_ids: set[str]) -> dict[str, str]:
    if not user_ids:
        return {}
    users = session.exec(select(User).where(col(User.id).in_(user_ids)))
    return {user.id: user.full_name for user in users}


def summaries(
    session: Session, handoffs: list[Handoff], settings: EngageSettings
) -> list[HandoffSummary]:
    """Queue rows, with the leads' and assignees' names read in one query each."""
    lead_ids = {h.lead_id for h in handoffs}
    leads = (
        {lead.id: lead for lead in session.exec(select(Lead).where(col(Lead.id).in_(lead_ids)))}
        if lead_ids
        else {}
    )
    names = _names(session, {h.assignee_id for h in handoffs if h.assignee_id})
    return [_summary(h, leads.get(h.lead_id), names, settings) for h in handoffs]


def _summary(
    handoff: Handoff, lead: Lead | None, names: dict[str, str], settings: EngageSettings
) -> HandoffSummary:
    assert handoff.id is not None
    return HandoffSummary(
        id=handoff.id,
        lead_id=handoff.lead_id,
        lead_name=lead.full_name if lead else handoff.lead_id,
        company=lead.company_name if lead else None,
        rule_id=handoff.rule_id,
        kind=kind_of(handoff, settings).value,
        target=HandoffTarget(handoff.target),
        assignee_id=handoff.assignee_id,
        assignee_name=names.get(handoff.assignee_id or ""),
        status=HandoffStatus(handoff.status),
        action=handoff.action,
        created_on=handoff.created_on,
        escalated=handoff.escalated_on is not None,
    )


def handoff_detail(
    session: Session,
    viewer: Viewer,
    handoff: Handoff,
    settings: EngageSettings,
    turns: list[ConversationTurn],
) -> HandoffDetail:
    """The hand-off in full, with the actions this viewer may take."""
    lead = session.get(Lead, handoff.lead_id)
    names = _names(
        session, {u for u in (handoff.assignee_id, handoff.escalated_from) if u is not None}
    )
    bant = Bant.model_validate(handoff.bant or {})
    referral = latest_referral(turns)
    return HandoffDetail(
        **_summary(handoff, lead, names, settings).model_dump(),
        lead_email=lead.email if lead else None,
        rule_description=handoff.rule_description,
        summary=handoff.summary,
        purchase_interest=handoff.purchase_interest,
        interest_signals=interest_signals(turns),
        bant=[
            BantLine(
                name=name,
                verdict=getattr(bant, name).verdict.value,
                evidence=getattr(bant, name).evidence,
            )
            for name in ("budget", "authority", "need", "timing")
        ],
        next_step=handoff.next_step,
        referral=(", ".join(p for p in (referral.name, referral.email) if p) if referral else None),
        escalated_from=names.get(handoff.escalated_from or "", handoff.escalated_from),
        escalated_on=handoff.escalated_on,
        decided_by=handoff.decided_by,
        decided_on=handoff.decided_on,
        decision_note=handoff.decision_note,
        actions=viewer_actions(viewer, handoff, settings),
    )
