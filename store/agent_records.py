"""The agent's own records: latest insights per lead, account research, settings, overrides."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, Index
from sqlmodel import Field, SQLModel

from core.clock import utc_now


class LeadInsight(SQLModel, table=True):
    """The latest research insights of a lead (one row per lead, replaced on refresh)."""

    # The lead list's fit filter starts from the leads at a fit, not from every lead.
    __table_args__ = (Index("ix_leadinsight_fit_level", "fit_level", "lead_id"),)

    lead_id: str = Field(primary_key=True, foreign_key="lead.id")
    researched_on: datetime = Field(default_factory=utc_now, index=True)
    fit_level: str = Field(description="exact, close or none.")
    recommendation: str
    engine: str = Field(description="offline, llm:<model>, or a fallback note.")
    thread_id: str
    payload: dict[str, Any] = Field(
        sa_column=Column(JSON, nullable=False), description="The full `LeadInsights` model."
    )


class AccountResearch(SQLModel, table=True):
    """Web research on a company, shared by every lead at that company."""

    company_key: str = Field(primary_key=True, description="Account id, domain or name key.")
    researched_on: datetime = Field(default_factory=utc_now)
    engine: str
    payload: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))


class AgentSetting(SQLModel, table=True):
    """One named block of agent settings (ICP, selection, refresh), stored as JSON."""

    name: str = Field(primary_key=True)
    updated_on: datetime = Field(default_factory=utc_now)
    updated_by: str | None = None
    value: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))


class EmailOverride(SQLModel, table=True):
    """A seller's correction of the email check; it wins over the agent's labels."""

    lead_id: str = Field(primary_key=True, foreign_key="lead.id")
    email: str = Field(description="The address the override applies to.")
    is_valid: bool | None = None
    email_type: str | None = Field(default=None, description="work, personal, disposable, role.")
    set_by: str | None = None
    set_on: datetime = Field(default_factory=utc_now)


class Lease(SQLModel, table=True):
    """Who holds a named resource (a lead's thread), until when: see `store.leases`."""

    name: str = Field(primary_key=True, description="e.g. thread:engage:LEAD-0001")
    owner: str = Field(description="host:pid:token of the holding process")
    host: str
    pid: int
    expires_on: datetime
