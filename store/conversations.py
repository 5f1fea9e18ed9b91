"""Reads and writes on engage records that several nodes and the runner share."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, func, select

from store.crm import Contact, Lead
from store.engagement import (
    Conversation,
    DeliveryStatus,
    Direction,
    EmailMessage,
)


def ensure_conversation(
    session: Session, lead_id: str, thread_id: str, mailbox: str, now: datetime
) -> Conversation:
    """The lead's conversation row, created on first use."""
    conversation = session.get(Conversation, lead_id)
    if conversation is None:
        conversation = Conversation(
            lead_id=lead_id, thread_id=thread_id, mailbox=mailbox, started_on=now
        )
        session.add(conversation)
        session.flush()
    return conversation


def mailbox_sends(
    session: Session,
    mailbox: str,
    start: datetime,
    end: datetime,
    *,
    sent_only: bool,
    as_of: datetime | None = None,
) -> int:
    """Outbound messages of a mailbox in [start, end): by send time when `sent_only`, else by
    queue time (what the guardrails gate counts, so it never queues past the cap); only
    those queued by `as_of` when given (a replay sees the store as it was)."""
    when = col(EmailMessage.sent_on) if sent_only else col(EmailMessage.created_on)
    query = (
        select(func.count())
        .select_from(EmailMessage)
        .where(
            EmailMessage.mailbox == mailbox,
            EmailMessage.direction == Direction.OUTBOUND,
            when >= start,
            when < end,
        )
    )
    if as_of is not None:
        query = query.where(col(EmailMessage.created_on) <= as_of)
    return int(session.exec(query).one())


def outbound_messages(
    session: Session, lead_id: str, *, as_of: datetime | None = None
) -> list[EmailMessage]:
    """The agent's messages to a lead, oldest first; only those queued by `as_of` when
    given (a replay sees the store as it was at the replayed step)."""
    query = select(EmailMessage).where(
        EmailMessage.lead_id == lead_id, EmailMessage.direction == Direction.OUTBOUND
    )
    if as_of is not None:
        query = query.where(col(EmailMessage.created_on) <= as_of)
    return list(session.exec(query.order_by(col(EmailMessage.id))))


def unread_replies(session: Session, lead_id: str, after_id: int | None) -> list[EmailMessage]:
    """Inbound messages of a lead newer than the last one read, oldest first."""
    query = select(EmailMessage).where(
        EmailMessage.lead_id == lead_id,
        EmailMessage.direction == Direction.INBOUND,
        EmailMessage.status == DeliveryStatus.RECEIVED,
    )
    if after_id is not None:
        query = query.where(col(EmailMessage.id) > after_id)
    return list(session.exec(query.order_by(col(EmailMessage.id))))


def leads_with_unread_replies(session: Session) -> list[str]:
    """Leads in an active conversation with replies the agent has not read yet."""
    rows = session.exec(
        select(Conversation.lead_id)
        .join(EmailMessage, col(EmailMessage.lead_id) == col(Conversation.lead_id))
        .where(
            EmailMessage.direction == Direction.INBOUND,
            EmailMessage.status == DeliveryStatus.RECEIVED,
            col(Conversation.state).in_(["active", "waiting"]),
            (col(Conversation.last_read_inbound_id).is_(None))
            | (col(EmailMessage.id) > col(Conversation.last_read_inbound_id)),
        )
        .distinct()
    )
    return sorted(rows)


def opt_out(session: Session, lead_id: str) -> None:
    """Honour an opt-out at once and for good."""
    lead = session.get(Lead, lead_id)
    if lead is not None and not lead.do_not_email:
        lead.do_not_email = True
        session.add(lead)


def record_referral(
    session: Session,
    *,
    lead: Lead,
    name: str | None,
    email: str | None,
    job_title: str | None,
    when: datetime,
) -> Contact | None:
    """Store the person a lead referred the agent to as a contact (once per address)."""
    if not (name or email):
        return None
    if email:
        existing = session.exec(
            select(Contact).where(func.lower(Contact.email) == email.lower())
        ).first()
        if existing is not None:
            return existing
    display = name or (email.split("@")[0] if email else "")
    first, _, last = display.partition(" ")
    contact = Contact(
        id=f"CON-REF-{lead.id}-{int(when.timestamp())}",
        first_name=first or "(unknown)",
        last_name=last or "",
        job_title=job_title,
        email=email,
        account_id=lead.parent_account_id,
        created_on=when,
    )
    session.add(contact)
    return contact
