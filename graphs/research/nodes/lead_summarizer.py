"""Lead summarizer node: the few sentences that open the insights page's Key insights."""

from __future__ import annotations

from langgraph.runtime import Runtime

from graphs.context import Context
from graphs.research.state import ResearchState
from graphs.services import services_for


def lead_summarizer(state: ResearchState, runtime: Runtime[Context]) -> dict:
    """Graph node: the lead summary, written beside the ICP judge (neither reads the other,
    so their model calls overlap)."""
    context = runtime.context or Context()
    services = services_for(context)
    summary = services.reasoning.summarize_lead(state["research"])
    return {"lead_summary": summary, "engine_notes": services.take_engine_notes()}
