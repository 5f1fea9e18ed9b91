"""Engage-mode records: conversations, email messages (outbox and inbox) and hand-offs."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from core.clock import utc_now


class ConversationState(StrEnum):
    """Where the agent's conversation with a lead stands."""

    ACTIVE = "active"
    WAITING = "waiting"
    HANDED_OFF = "handed_off"
    STOPPED = "stopped"


class Conversation(SQLModel, table=True):
    """The agent's conversation with one lead (one engage thread)."""

    lead_id: str = Field(primary_key=True, foreign_key="lead.id")
    thread_id: str
    state: ConversationState = ConversationState.ACTIVE
    mailbox: str = Field(description="The sending mailbox address.")
    started_on: datetime = Field(default_factory=utc_now)
    messages_sent: int = 0
    followups_sent: int = 0
    last_outbound_on: datetime | None = None
    last_inbound_on: datetime | None = None
    next_action_on: datetime | None = Field(default=None, index=True)
    next_action: str | None = Field(default=None, description="follow_up or check_in.")
    taken_over_by: str | None = Field(default=None, description="Seller who took over.")
    last_read_inbound_id: int | None = Field(
        default=None, description="Newest inbound EmailMessage.id the reply reader has read."
    )
    stop_reason: str | None = None
    held_for: str | None = Field(
        default=None,
        description="Message-ID of an email not known to have been sent: the agent waits "
        "for a person's decision (`qualify outbox`) before its next step.",
    )


class Direction(StrEnum):
    """Outbound (agent to lead) or inbound (lead to agent)."""

    OUTBOUND = "outbound"
    INBOUND = "inbound"


class DeliveryStatus(StrEnum):
    """Outbox state of an outbound message; inbound messages are 'received'."""

    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    UNCONFIRMED = "unconfirmed"
    RECEIVED = "received"
    UNMATCHED = "unmatched"
    HELD = "held"  # waiting for the lead owner's approval (`qualify review`): never sent
    CANCELLED = "cancelled"  # the owner cancelled it in review: never sent


class EmailMessage(SQLModel, table=True):
    """One email, in or out. Outbound rows are the outbox: unique per idempotency key."""

    __table_args__ = (
        UniqueConstraint("idempotency_key", name="uq_email_idempotency_key"),
        Index("ix_email_status_due", "status", "next_attempt_on"),
    )

    id: int | None = Field(default=None, primary_key=True)
    message_id: str = Field(index=True, description="RFC 5322 Message-ID, with angle brackets.")
    idempotency_key: str | None = Field(default=None, description="thread id and step.")
    lead_id: str | None = Field(default=None, foreign_key="lead.id", index=True)
    direction: Direction
    status: DeliveryStatus
    mailbox: str | None = Field(default=None, description="Sending mailbox (outbound).")
    from_address: str
    to_address: str
    subject: str
    body: str
    in_reply_to: str | None = None
    references: str | None = Field(default=None, description="Space-separated Message-IDs.")
    kind: str | None = Field(default=None, description="outreach, follow_up, answer, check_in.")
    sent_by: str | None = Field(
        default=None, description="The seller who sent it by hand; None: the agent wrote it."
    )
    created_on: datetime = Field(default_factory=utc_now)
    sent_on: datetime | None = Field(default=None, index=True)
    received_on: datetime | None = None
    attempts: int = 0
    next_attempt_on: datetime | None = None
    last_error: str | None = None
    eml_path: str | None = None
    claimed_by: str | None = Field(
        default=None, description="The process sending it (host:pid:token), while `sending`."
    )
    claimed_on: datetime | None = Field(default=None, description="When that process took it.")
    headers: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    approved_by: str | None = Field(
        default=None, description="The user who approved it in review (`qualify review`)."
    )
    approved_on: datetime | None = None
    review_history: list[dict[str, Any]] | None = Field(
        default=None,
        sa_column=Column(JSON, nullable=True),
        description="Review steps, oldest first: held, edited (with the text before the "
        "edit), approved, cancelled; None for an email never held.",
    )


class HandoffTarget(StrEnum):
    """Who receives the lead."""

    SELLER = "seller"
    SUPERVISOR = "supervisor"


class HandoffStatus(StrEnum):
    """A hand-off's review state."""

    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


class Handoff(SQLModel, table=True):
    """A lead handed to its seller (qualify) or to a supervisor (disqualify)."""

    id: int | None = Field(default=None, primary_key=True)
    lead_id: str = Field(foreign_key="lead.id", index=True)
    idempotency_key: str = Field(
        unique=True, description="Thread id and run: one hand-off per run of a thread."
    )
    target: HandoffTarget
    assignee_id: str | None = Field(default=None, foreign_key="user.id")
    rule_id: str
    rule_description: str
    summary: str
    bant: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    purchase_interest: str | None = None
    next_step: str
    status: HandoffStatus = HandoffStatus.PENDING
    created_on: datetime = Field(default_factory=utc_now)
    decided_by: str | None = None
    decided_on: datetime | None = None
    decision_note: str | None = None
    kind: str | None = Field(
        default=None,
        description="qualified, email, referral, review or disqualify: what the rule's "
        "conditions ask of the person (None in hand-offs made before kinds were kept).",
    )
    action: str | None = Field(
        default=None, description="The decision: accept, fix, follow, approve or reject."
    )
    escalated_from: str | None = Field(
        default=None, description="Who had it before it waited too long and was escalated."
    )
    escalated_on: datetime | None = Field(
        default=None, description="When it was escalated (once: never again after)."
    )
