"""Outreach writer node: drafts (never sends) a first email grounded in the research."""

from __future__ import annotations

from langgraph.runtime import Runtime

from graphs.context import Context
from graphs.research.agent_settings import settings_in_force
from graphs.research.state import ResearchState
from graphs.services import services_for


def outreach_writer(state: ResearchState, runtime: Runtime[Context]) -> dict:
    """Graph node: the outreach draft for the lead, whatever the fit (sellers decide)."""
    context = runtime.context or Context()
    services = services_for(context)
    outreach = settings_in_force(context).outreach
    draft = services.reasoning.write_outreach(state["research"], state["icp"], outreach.signature)
    return {"draft": draft, "engine_notes": services.take_engine_notes()}
