"""Stored research node: engagement starts from the lead's research and fit when they are
still fresh, rather than researching the lead again.

The engage runner researches every lead it assigns that has no insights yet, moments
before it starts the lead's thread; researching it again here doubled the model calls of
an engagement start. Fresh means what it means for `qualify research`: within the refresh
schedule and not older than the last change to the lead. A fit judged against an earlier
ICP is judged again from the stored research, as research would.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from langgraph.runtime import Runtime
from langgraph.types import Command
from sqlmodel import Session

from core.clock import as_utc, utc_now
from core.findings import LeadInsights
from core.icp_fingerprint import fit_staleness, icp_fingerprint
from graphs.context import Context
from graphs.engage.state import EngageState
from graphs.research.agent_settings import load_agent_settings, settings_in_force
from graphs.research.selection import is_stale
from store.agent_records import LeadInsight
from store.crm import Lead
from store.db import get_db_engine


def fresh_insights(
    database_url: str, lead_id: str, *, since: datetime | None = None
) -> LeadInsights | None:
    """The lead's stored insights if research would not redo them now (and they are no
    older than `since`, when given), else None."""
    with Session(get_db_engine(database_url)) as session:
        row = session.get(LeadInsight, lead_id)
        lead = session.get(Lead, lead_id)
    if row is None or lead is None:
        return None
    schedule = load_agent_settings(database_url).refresh
    if is_stale(row.researched_on, utc_now(), schedule, lead_changed_on=lead.modified_on):
        return None
    if since is not None and as_utc(row.researched_on) < as_utc(since):
        return None
    return LeadInsights.model_validate(row.payload)


def stored_research(
    state: EngageState, runtime: Runtime[Context]
) -> Command[Literal["researcher", "icp_judge", "guardrails_gate"]]:
    """Graph node: the stored research and fit when fresh, else on to the researcher; a
    fresh research whose fit answers an earlier ICP goes to the ICP judge first."""
    context = runtime.context or Context()
    since = state.get("company_research_since")
    insights = fresh_insights(
        context.database_url,
        state["lead_id"],
        since=datetime.fromisoformat(since) if since else None,
    )
    if insights is None:
        return Command(goto="researcher")
    in_force = icp_fingerprint(settings_in_force(context).icp)
    if fit_staleness(insights.icp.judged_against, in_force) is not None:
        # The ICP changed since: the lead is engaged on its fit with the ICP in force.
        return Command(goto="icp_judge", update={"research": insights.research})
    return Command(
        goto="guardrails_gate", update={"research": insights.research, "icp": insights.icp}
    )
