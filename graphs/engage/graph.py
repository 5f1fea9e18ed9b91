"""The Engage graph: the lead's stored research if fresh (else research → ICP judge) →
guardrails gate → message writer → reply waiter → reply reader → conversation router →
(gate again | wait again | hand-off router); a lead a seller returns after its hand-off
enters at seller return and waits again.

One thread per lead (`engage:<lead id>`), checkpointed; the reply waiter interrupts
until the runner resumes it with a reply or a due timer. `graph` is compiled without a
checkpointer for `langgraph.json`.
"""

from __future__ import annotations

from typing import Literal

from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.graph import END, START, StateGraph
from langgraph.graph.state import CompiledStateGraph

from graphs.context import Context
from graphs.engage.nodes.conversation_router import conversation_router
from graphs.engage.nodes.engagement_closer import engagement_closer
from graphs.engage.nodes.guardrails_gate import guardrails_gate
from graphs.engage.nodes.handoff_router import handoff_router
from graphs.engage.nodes.message_writer import message_writer
from graphs.engage.nodes.reply_reader import reply_reader
from graphs.engage.nodes.reply_waiter import reply_waiter
from graphs.engage.nodes.seller_return import seller_return
from graphs.engage.nodes.stored_research import stored_research
from graphs.engage.state import EngageInput, EngageOutput, EngageState
from graphs.research.nodes.icp_judge import icp_judge
from graphs.research.nodes.researcher import researcher
from graphs.traced_node import traced
from memory.thread_ids import ENGAGE_MODE

MODE = ENGAGE_MODE


def _after_wait(state: EngageState) -> Literal["reply_reader", "conversation_router"]:
    return "reply_reader" if state["wake"]["event"] == "reply" else "conversation_router"


def build_engage_graph(checkpointer: BaseCheckpointSaver | None = None) -> CompiledStateGraph:
    """The engage graph, compiled with the given checkpointer (or none)."""
    builder = StateGraph(
        EngageState,
        context_schema=Context,
        input_schema=EngageInput,
        output_schema=EngageOutput,
    )
    builder.add_node("stored_research", traced("stored_research")(stored_research))
    builder.add_node("researcher", traced("researcher")(researcher))
    builder.add_node("icp_judge", traced("icp_judge")(icp_judge))
    builder.add_node("guardrails_gate", traced("guardrails_gate")(guardrails_gate))
    builder.add_node("message_writer", traced("message_writer")(message_writer))
    builder.add_node("reply_waiter", traced("reply_waiter")(reply_waiter))
    builder.add_node("reply_reader", traced("reply_reader")(reply_reader))
    builder.add_node("conversation_router", traced("conversation_router")(conversation_router))
    builder.add_node("handoff_router", traced("handoff_router")(handoff_router))
    builder.add_node("engagement_closer", traced("engagement_closer")(engagement_closer))
    builder.add_node("seller_return", traced("seller_return")(seller_return))
    builder.add_edge(START, "stored_research")
    builder.add_edge("researcher", "icp_judge")
    builder.add_edge("icp_judge", "guardrails_gate")
    builder.add_conditional_edges("reply_waiter", _after_wait)
    builder.add_edge("reply_reader", "conversation_router")
    builder.add_edge("handoff_router", END)
    builder.add_edge("seller_return", "reply_waiter")
    builder.add_edge("engagement_closer", END)
    return builder.compile(checkpointer=checkpointer, name="engage")


graph = build_engage_graph()
