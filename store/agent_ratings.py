"""The agent's rating of each lead (hot, warm, cold), kept beside its ICP fit so that lists
sort and filter on it without reading threads. Not the CRM's `Lead.rating`."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from core.clock import utc_now


class AgentLeadRating(SQLModel, table=True):
    """One row per lead, replaced when research runs and when a reply is read."""

    lead_id: str = Field(primary_key=True, foreign_key="lead.id")
    level: str = Field(index=True, description="hot, warm or cold.")
    score: int
    rated_on: datetime = Field(default_factory=utc_now)
    reasons: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    components: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    signals: list[dict[str, Any]] = Field(
        default_factory=list,
        sa_column=Column(JSON, nullable=False),
        description="Buying signals read from the lead's replies (kind, at, evidence, "
        "message_id): a re-rating after research needs them without the engage thread.",
    )
    latest_interest: str | None = Field(default=None, description="Latest reply's interest.")
    latest_intent: str | None = Field(default=None, description="Latest reply's intent.")
