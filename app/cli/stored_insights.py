"""A lead's stored insights for the commands that show, edit or send its draft."""

from __future__ import annotations

from sqlmodel import Session

from app.cli.run_context import database_url, fail
from core.findings import LeadInsights
from store.agent_records import LeadInsight
from store.crm import Lead
from store.db import get_db_engine, session_scope


def stored_insights(lead_id: str) -> LeadInsights:
    """The lead's latest insights; a clear error if the lead is unknown or not researched."""
    with Session(get_db_engine(database_url())) as session:
        row = session.get(LeadInsight, lead_id)
        lead = session.get(Lead, lead_id)
    if lead is None:
        raise fail(f"no lead with id {lead_id!r}; list leads with `qualify leads`")
    if row is None:
        raise fail(f"{lead_id} has not been researched yet: run `qualify research {lead_id}`")
    return LeadInsights.model_validate(row.payload)


def save_insights(lead_id: str, insights: LeadInsights) -> None:
    """Keep a changed draft with the lead's insights."""
    with session_scope(database_url()) as session:
        row = session.get(LeadInsight, lead_id)
        if row is not None:
            row.payload = insights.model_dump(mode="json")
            session.add(row)
