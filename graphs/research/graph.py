"""The Research graph: researcher → (lead summarizer ∥ ICP judge) → outreach writer (draft)
→ insights recorder.

The summarizer and the judge both read the research and neither reads the other, so they
run in one step side by side (their model calls overlap). The draft is written ahead only
for the fits the admin chose (exact by default); the others are drafted when a seller asks.

A run with `rejudge_fit` (the ICP changed, the research is fresh) starts instead at the
stored insights → ICP judge → (outreach writer) → insights recorder: the fit is judged
again from the stored research, with no web search and no new summary.

`graph` is compiled without a checkpointer for `langgraph.json` (the LangGraph server
brings its own); the runner and tests compile `build_research_graph()` with theirs.
"""

from __future__ import annotations

from typing import Literal

from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.graph import END, START, StateGraph
from langgraph.graph.state import CompiledStateGraph
from langgraph.runtime import Runtime

from graphs.context import Context
from graphs.research.agent_settings import settings_in_force
from graphs.research.nodes.icp_judge import icp_judge
from graphs.research.nodes.insights_recorder import insights_recorder
from graphs.research.nodes.lead_summarizer import lead_summarizer
from graphs.research.nodes.outreach_writer import outreach_writer
from graphs.research.nodes.researcher import researcher
from graphs.research.nodes.stored_insights import stored_insights
from graphs.research.state import ResearchInput, ResearchOutput, ResearchState
from graphs.traced_node import traced
from memory.thread_ids import RESEARCH_MODE

MODE = RESEARCH_MODE


def _entry(state: ResearchState) -> Literal["researcher", "stored_insights"]:
    return "stored_insights" if state.get("rejudge_fit") else "researcher"


def _after_icp(
    state: ResearchState, runtime: Runtime[Context]
) -> Literal["outreach_writer", "insights_recorder"]:
    context = runtime.context or Context()
    drafted_ahead = settings_in_force(context).outreach.draft_ahead_for
    fit = state["icp"].fit_level
    if not (context.draft_outreach and fit in drafted_ahead):
        return "insights_recorder"
    # A re-judge keeps the stored draft while the fit stays where it was: same research,
    # same fit, so a new draft would spend a model call to say the same.
    kept = state.get("rejudge_fit") and state.get("draft") is not None
    if kept and state.get("stored_fit") == fit:
        return "insights_recorder"
    return "outreach_writer"


def build_research_graph(
    checkpointer: BaseCheckpointSaver | None = None,
) -> CompiledStateGraph:
    """The research graph, compiled with the given checkpointer (or none)."""
    builder = StateGraph(
        ResearchState,
        context_schema=Context,
        input_schema=ResearchInput,
        output_schema=ResearchOutput,
    )
    builder.add_node(
        "stored_insights",
        traced("stored_insights")(stored_insights),
        # Where its Command may go, for the drawing (the tracing wrapper hides the hint).
        destinations=("icp_judge", "researcher"),
    )
    builder.add_node("researcher", traced("researcher")(researcher))
    builder.add_node("lead_summarizer", traced("lead_summarizer")(lead_summarizer))
    builder.add_node("icp_judge", traced("icp_judge")(icp_judge))
    builder.add_node("outreach_writer", traced("outreach_writer")(outreach_writer))
    builder.add_node("insights_recorder", traced("insights_recorder")(insights_recorder))
    builder.add_conditional_edges(START, _entry)
    builder.add_edge("researcher", "lead_summarizer")
    builder.add_edge("researcher", "icp_judge")
    # Both run in the step after the researcher, so the next step sees the summary too:
    # routing on the judge's fit is enough, and the summarizer's branch ends there.
    builder.add_conditional_edges("icp_judge", _after_icp)
    builder.add_edge("lead_summarizer", END)
    builder.add_edge("outreach_writer", "insights_recorder")
    builder.add_edge("insights_recorder", END)
    return builder.compile(checkpointer=checkpointer, name="research")


graph = build_research_graph()
