"""Insights recorder node: stores the lead's latest insights and the agent's auto-connections."""

from __future__ import annotations

from langgraph.config import get_config
from langgraph.runtime import Runtime

from core.clock import utc_now
from core.findings import LeadInsights, LeadResearch
from graphs.context import Context
from graphs.rating.rating_records import rerate_lead
from graphs.research.state import ResearchState
from graphs.services import services_for
from store.agent_records import LeadInsight
from store.crm import Lead
from store.db import session_scope, upsert


def with_summary(state: ResearchState) -> LeadResearch:
    """The research with the lead summary in it (threads from before the summarizer had
    its own node hold it in the research already)."""
    research = state["research"]
    if "lead_summary" not in state:
        return research
    return research.model_copy(update={"lead_summary": state["lead_summary"]})


def build_insights(state: ResearchState, engine_name: str) -> LeadInsights:
    """The insights page's content from the finished state. A re-judge or a redraft keeps
    the time of the research it kept: neither makes the research fresher."""
    kept = (state.get("rejudge_fit") or state.get("draft_only")) and "researched_on" in state
    return LeadInsights(
        lead_id=state["lead_id"],
        researched_on=state["researched_on"] if kept else utc_now(),
        research=with_summary(state),
        icp=state["icp"],
        draft=state.get("draft"),
        engine=engine_name,
        fallback_notes=list(dict.fromkeys(state.get("engine_notes", []))),
    )


def record_insights(
    database_url: str, insights: LeadInsights, thread_id: str, *, connect: bool = True
) -> None:
    """Replace the lead's stored insights; connect the account/contact the agent matched
    (unless `connect` is false).

    Idempotent: a resumed run that repeats this step writes the same rows again.
    """
    research = insights.research
    with session_scope(database_url) as session:
        row = LeadInsight(
            lead_id=insights.lead_id,
            researched_on=insights.researched_on,
            fit_level=insights.icp.fit_level,
            recommendation=insights.icp.recommendation,
            engine=insights.engine,
            thread_id=thread_id,
            payload=insights.model_dump(mode="json"),
        )
        upsert(session, row)  # another run may record this lead at the same moment
        rerate_lead(session, insights.lead_id, utc_now())  # the agent's rating, with this fit
        if not connect:
            return
        lead = session.get(Lead, insights.lead_id)
        if lead is not None and lead.parent_account_id is None and research.account_id:
            # Auto-connected, as in Dynamics; the seller can disconnect with `qualify connect`.
            lead.parent_account_id = research.account_id
            lead.connected_by = "agent"
            if lead.parent_contact_id is None and research.contact_match:
                lead.parent_contact_id = research.contact_match.id
            session.add(lead)


def insights_recorder(state: ResearchState, runtime: Runtime[Context]) -> dict:
    """Graph node: the run's output, stored unless the run is a sandbox."""
    context = runtime.context or Context()
    insights = build_insights(state, services_for(context).reasoning.name)
    rejudged = bool(state.get("rejudge_fit"))
    if not context.sandbox:
        thread_id = get_config()["configurable"].get("thread_id", "")
        # A re-judge or a redraft brings no new research: the research's match was
        # connected when it was made, and a seller's disconnect since then stands.
        new_research = not (rejudged or state.get("draft_only"))
        record_insights(context.database_url, insights, thread_id, connect=new_research)
    update: dict = {"researched_on": insights.researched_on}
    # Each is set for one run: cleared here, so the thread's next run researches anew.
    if rejudged:
        update["rejudge_fit"] = False
    if state.get("draft_only"):
        update["draft_only"] = False
    return update
