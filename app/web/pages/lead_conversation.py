"""The conversation of an engaged lead, as `qualify engage conversation` shows it: each
email and reply in order, each reply's reading, and the hand-offs and decisions where
they happened."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, HTTPException, Path, Request
from fastapi.responses import Response
from pydantic import BaseModel
from sqlmodel import Session

from app.handoff_desk import lead_turns
from app.web.accounts import Viewer
from app.web.console_access import SellerViewer, database_url_of
from app.web.lead_visibility import lead_for
from app.web.templating import render
from core.reply_reading import ReplyReading
from graphs.engage.conversation_timeline import TimelineEntry, lead_timeline
from graphs.engage.reply_readings import readings_by_message
from store.db import get_db_engine
from store.engagement import Conversation

router = APIRouter()

LeadId = Annotated[str, Path(min_length=1, max_length=64)]


class ReadingView(BaseModel):
    """The agent's reading of one reply."""

    intent: str
    confidence: float
    purchase_interest: str
    bant_met: int
    questions: list[str]
    referral: str | None
    injection_suspected: bool
    summary: str


class ThreadEntry(BaseModel):
    """An email or reply, or a hand-off made or decided, at its place in the thread."""

    at: datetime
    kind: Literal["message", "handoff", "decision"]
    direction: Literal["outbound", "inbound"] | None = None
    status: str | None = None
    subject: str | None = None
    body: str | None = None
    sent_by: str | None = None
    reading: ReadingView | None = None
    handoff_id: int | None = None
    event: str | None = None


class ConversationView(BaseModel):
    """The lead's conversation with the agent (and the seller who took it over)."""

    lead_id: str
    lead_name: str
    state: str
    messages_sent: int
    followups_sent: int
    next_action: str | None
    next_action_on: datetime | None
    taken_over_by: str | None
    stop_reason: str | None
    entries: list[ThreadEntry]


def _reading(reading: ReplyReading) -> ReadingView:
    referral = reading.referral
    return ReadingView(
        intent=reading.intent.value,
        confidence=reading.confidence,
        purchase_interest=reading.purchase_interest.value,
        bant_met=reading.bant.met_count(),
        questions=reading.questions,
        referral=(referral.name or referral.email) if referral else None,
        injection_suspected=reading.injection_suspected,
        summary=reading.summary,
    )


def _entry(entry: TimelineEntry, readings: dict[str, ReplyReading]) -> ThreadEntry:
    if entry.message is not None:
        message = entry.message
        reading = readings.get(message.message_id)
        return ThreadEntry(
            at=entry.at,
            kind="message",
            direction=message.direction.value,
            status=message.status.value,
            subject=message.subject,
            body=message.body.strip(),
            sent_by=message.sent_by,
            reading=_reading(reading) if reading is not None else None,
        )
    handoff = entry.handoff
    assert handoff is not None
    if entry.kind == "decision":
        event = f"hand-off {handoff.id}: {handoff.action} by {handoff.decided_by or 'someone'}"
        if handoff.decision_note:
            event += f" — {handoff.decision_note}"
    else:
        event = (
            f"handed to {handoff.target} {handoff.assignee_id or ''} by rule "
            f"{handoff.rule_id} (hand-off {handoff.id})"
        )
    return ThreadEntry(at=entry.at, kind=entry.kind, handoff_id=handoff.id, event=event)


def conversation_view(database_url: str, viewer: Viewer, lead_id: str) -> ConversationView:
    """The lead's thread, if the viewer may see the lead and the agent engaged it."""
    with Session(get_db_engine(database_url)) as session:
        lead = lead_for(session, viewer, lead_id)
        conversation = session.get(Conversation, lead_id)
        if conversation is None:
            raise HTTPException(
                status_code=404, detail=f"The agent has no conversation with {lead_id}."
            )
        timeline = lead_timeline(session, lead_id)
    readings = readings_by_message(lead_turns(lead_id))
    return ConversationView(
        lead_id=lead.id,
        lead_name=lead.full_name,
        state=conversation.state.value,
        messages_sent=conversation.messages_sent,
        followups_sent=conversation.followups_sent,
        next_action=conversation.next_action,
        next_action_on=conversation.next_action_on,
        taken_over_by=conversation.taken_over_by,
        stop_reason=conversation.stop_reason,
        entries=[_entry(entry, readings) for entry in timeline],
    )


@router.get("/leads/{lead_id}/conversation", include_in_schema=False)
def conversation_page(request: Request, viewer: SellerViewer, lead_id: LeadId) -> Response:
    """The engaged lead's thread, oldest first."""
    view = conversation_view(database_url_of(request), viewer, lead_id)
    return render(request, "conversation.html", conversation=view)


@router.get(
    "/api/leads/{lead_id}/conversation", response_model=ConversationView, tags=["conversations"]
)
def conversation_api(request: Request, viewer: SellerViewer, lead_id: LeadId) -> ConversationView:
    """The engaged lead's thread, oldest first, with each reply's reading."""
    return conversation_view(database_url_of(request), viewer, lead_id)
