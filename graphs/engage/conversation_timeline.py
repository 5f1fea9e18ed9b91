"""A lead's conversation in order: each email and reply, and each hand-off and decision
where it happened (what `qualify engage conversation` prints and the console shows)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlmodel import Session, col, select

from core.clock import as_utc
from store.engagement import EmailMessage, Handoff


@dataclass(frozen=True)
class TimelineEntry:
    """An email (`message`), a hand-off made (`handoff`) or a decision on one (`decision`)."""

    at: datetime
    kind: Literal["message", "handoff", "decision"]
    message: EmailMessage | None = None
    handoff: Handoff | None = None


def message_time(message: EmailMessage) -> datetime:
    """When an email went out or came in (queued, if neither yet)."""
    return message.sent_on or message.received_on or message.created_on


def conversation_timeline(
    messages: Sequence[EmailMessage], handoffs: Sequence[Handoff]
) -> list[TimelineEntry]:
    """Messages in their stored order, each hand-off event placed before the first message
    after it (events after the last message come last). A hand-off made at the time of the
    reply that caused it comes after that reply."""
    events = [TimelineEntry(as_utc(h.created_on), "handoff", handoff=h) for h in handoffs]
    events += [
        TimelineEntry(as_utc(h.decided_on), "decision", handoff=h)
        for h in handoffs
        if h.decided_on is not None
    ]
    events.sort(key=lambda event: event.at)
    entries: list[TimelineEntry] = []
    for message in messages:
        when = message_time(message)
        while events and events[0].at < as_utc(when):
            entries.append(events.pop(0))
        entries.append(TimelineEntry(when, "message", message=message))
    return entries + events


def lead_timeline(session: Session, lead_id: str) -> list[TimelineEntry]:
    """The lead's stored emails and hand-offs as a timeline."""
    messages = session.exec(
        select(EmailMessage)
        .where(EmailMessage.lead_id == lead_id)
        .order_by(col(EmailMessage.created_on), col(EmailMessage.id))
    ).all()
    handoffs = session.exec(
        select(Handoff).where(Handoff.lead_id == lead_id).order_by(col(Handoff.id))
    ).all()
    return conversation_timeline(messages, handoffs)
