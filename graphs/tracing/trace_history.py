"""A lead's thread read from the checkpointer, with its steps in place: what the trace
view, the CLI's `qualify trace` and the console's trace viewer read."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Literal

from langgraph.graph.state import CompiledStateGraph
from langgraph.types import StateSnapshot

from graphs.checkpointing import open_checkpointer
from graphs.engage.graph import build_engage_graph
from graphs.research.graph import build_research_graph
from graphs.tracing.trace_steps import with_steps
from memory.thread_ids import thread_id_for

TraceMode = Literal["research", "engage"]


def no_checkpoints_yet(checkpoint_url: str) -> bool:
    """A SQLite checkpoint file that does not exist: nothing ran yet."""
    is_postgres = checkpoint_url.startswith(("postgresql://", "postgres://"))
    return not is_postgres and not Path(checkpoint_url.removeprefix("sqlite:///")).exists()


@cache
def _compiled(mode: TraceMode) -> CompiledStateGraph:
    """The graph of `mode` compiled once (without a checkpointer): compiling takes longer
    than reading a short thread, and a trace page reads one per request."""
    return build_research_graph() if mode == "research" else build_engage_graph()


def load_thread_history(
    thread_id: str, mode: TraceMode, *, checkpoint_url: str, database_url: str
) -> list[StateSnapshot]:
    """The checkpoints of a thread of `mode`'s graph, newest first (empty: no thread)."""
    if no_checkpoints_yet(checkpoint_url):
        return []  # do not create an empty checkpoint file
    with open_checkpointer(checkpoint_url) as saver:
        graph = _compiled(mode).copy(update={"checkpointer": saver})
        config = {"configurable": {"thread_id": thread_id}}
        return with_steps(list(graph.get_state_history(config)), database_url)


def load_history(
    lead_id: str, mode: TraceMode, *, checkpoint_url: str, database_url: str
) -> list[StateSnapshot]:
    """The checkpoints of the lead's thread in `mode`, newest first (empty: no thread)."""
    return load_thread_history(
        thread_id_for(lead_id, mode),
        mode,
        checkpoint_url=checkpoint_url,
        database_url=database_url,
    )
