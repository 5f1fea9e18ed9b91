"""Stored insights node: a re-judge of the fit starts from the lead's stored research.

When only the ICP changed and the research is still fresh, the run takes the research,
lead summary and draft the lead's insights hold and goes straight to the ICP judge: no
web search, no company digest, no lead summary. A lead with nothing stored is
researched in full instead.
"""

from __future__ import annotations

from typing import Literal

from langgraph.runtime import Runtime
from langgraph.types import Command
from sqlmodel import select

from core.findings import LeadInsights
from graphs.context import Context
from graphs.research.nodes.insights_recorder import with_summary
from graphs.research.state import NEW_RUN, ResearchState
from store.agent_records import LeadInsight
from store.db import get_db_engine


def load_insights(database_url: str, lead_id: str) -> LeadInsights | None:
    """The lead's latest stored insights, or None if it was never researched."""
    query = select(LeadInsight.payload).where(LeadInsight.lead_id == lead_id)
    with get_db_engine(database_url).connect() as connection:
        payload = connection.execute(query).scalar_one_or_none()
    return LeadInsights.model_validate(payload) if payload is not None else None


def stored_insights(
    state: ResearchState, runtime: Runtime[Context]
) -> Command[Literal["icp_judge", "researcher"]]:
    """Graph node: the stored research into the state, then on to the ICP judge."""
    context = runtime.context or Context()
    insights = load_insights(context.database_url, state["lead_id"])
    if insights is None:
        return Command(goto="researcher", update={"rejudge_fit": False})
    update: dict = {
        "stored_fit": insights.icp.fit_level,
        "researched_on": insights.researched_on,
        # A new run; the fallback notes of the research and summary it keeps still hold
        # (the page still shows what the offline engine made).
        "engine_notes": [NEW_RUN, *insights.fallback_notes],
    }
    # The thread mostly holds these already (its last run made them): a value written
    # again would be stored again in the checkpoint, so only what differs is written.
    if "research" not in state or with_summary(state) != insights.research:
        update["research"] = insights.research
    if state.get("lead_summary") != insights.research.lead_summary:
        update["lead_summary"] = insights.research.lead_summary
    if "draft" not in state or state["draft"] != insights.draft:
        update["draft"] = insights.draft
    return Command(goto="icp_judge", update=update)
