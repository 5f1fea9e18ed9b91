"""What protects the senders' reputation, as records: a mailbox the bounce breaker paused,
and a company the agent stopped emailing after one of its people said no."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from core.clock import utc_now


class MailboxPause(SQLModel, table=True):
    """A sending mailbox's pause: it sends nothing while `resumed_on` is None."""

    id: int | None = Field(default=None, primary_key=True)
    mailbox: str = Field(index=True, description="The sending address, lower case.")
    reason: str
    paused_on: datetime = Field(default_factory=utc_now)
    resumed_on: datetime | None = None
    resumed_by: str | None = None


class CompanyStop(SQLModel, table=True):
    """No more agent email to anyone at this account or email domain."""

    id: int | None = Field(default=None, primary_key=True)
    account_id: str | None = Field(default=None, index=True)
    domain: str | None = Field(default=None, index=True, description="Lower case.")
    lead_id: str = Field(description="The lead whose answer stopped the company.")
    reason: str
    created_on: datetime = Field(default_factory=utc_now)
