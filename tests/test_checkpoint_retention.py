"""Checkpoint retention: finished threads keep their latest checkpoint only; the trace keeps
every step's record and says which steps' state is gone; the lead's state goes on."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from operator import add
from pathlib import Path
from typing import Annotated, TypedDict

import pytest
from langgraph.graph import END, START, StateGraph
from langgraph.graph.state import CompiledStateGraph

from core.clock import utc_now
from core.trace_records import StepTrace
from graphs.tracing.trace_view import build_trace
from memory.checkpointer import state_serializer
from memory.lean_sqlite_saver import LeanSqliteSaver
from tests.test_trace_cli import _run, home  # noqa: F401  (home: a fixture)


class _State(TypedDict, total=False):
    notes: Annotated[list[str], add]
    page: str


def _graph(saver: LeanSqliteSaver) -> CompiledStateGraph:
    graph = StateGraph(_State)
    graph.add_node("read", lambda state: {"page": "x" * 5_000, "notes": ["read"]})
    graph.add_node("judge", lambda state: {"notes": ["judged"]})
    graph.add_edge(START, "read")
    graph.add_edge("read", "judge")
    graph.add_edge("judge", END)
    return graph.compile(checkpointer=saver)


def _count(path: Path, table: str, thread_id: str) -> int:
    with closing(sqlite3.connect(path)) as db:
        query = f"SELECT count(*) FROM {table} WHERE thread_id = ?"
        return int(db.execute(query, (thread_id,)).fetchone()[0])


def test_the_lean_saver_keeps_the_latest_checkpoint_its_values_and_no_other(
    tmp_path: Path,
) -> None:
    path = tmp_path / "checkpoints.db"
    with closing(sqlite3.connect(path, check_same_thread=False)) as connection:
        saver = LeanSqliteSaver(connection)
        graph = _graph(saver)
        config = {"configurable": {"thread_id": "research:LEAD-1"}}
        other = {"configurable": {"thread_id": "research:LEAD-2"}}
        for _ in range(2):
            graph.invoke({"notes": ["start"]}, config)
        graph.invoke({"notes": ["start"]}, other)
        before = graph.get_state(config).values
        assert _count(path, "checkpoints", "research:LEAD-1") == 8

        saver.prune(["research:LEAD-1"])

        assert _count(path, "checkpoints", "research:LEAD-1") == 1
        assert graph.get_state(config).values == before
        assert graph.get_state(config).parent_config is None
        # Only the values the kept checkpoint references remain: one row per channel.
        assert _count(path, "channel_values", "research:LEAD-1") == len(before)
        assert _count(path, "checkpoints", "research:LEAD-2") == 4  # other threads untouched
        # The thread goes on from the kept checkpoint.
        graph.invoke({"notes": ["again"]}, config)
        assert graph.get_state(config).values["notes"][-3:] == ["again", "read", "judged"]
        with pytest.raises(TypeError):
            saver.prune("research:LEAD-1")


class _TracedState(TypedDict, total=False):
    trace: Annotated[list[StepTrace], add]


def _step(node: str) -> dict[str, list[StepTrace]]:
    return {"trace": [StepTrace(node=node, started_at=utc_now(), duration_ms=1.0)]}


def test_a_thread_pruned_on_postgresql_shows_its_pruned_steps(postgres_url: str) -> None:
    """PostgresSaver's own prune leaves the kept checkpoint without a parent, as ours does:
    the trace view reads that as "the steps before were pruned", on either store."""
    from langgraph.checkpoint.postgres import PostgresSaver

    graph = StateGraph(_TracedState)
    graph.add_node("read", lambda state: _step("read"))
    graph.add_node("judge", lambda state: _step("judge"))
    graph.add_edge(START, "read")
    graph.add_edge("read", "judge")
    graph.add_edge("judge", END)
    with PostgresSaver.from_conn_string(postgres_url) as saver:
        saver.serde = state_serializer([("core.trace_records", "StepTrace")])
        saver.setup()
        compiled = graph.compile(checkpointer=saver)
        config = {"configurable": {"thread_id": f"research:LEAD-{utc_now().timestamp()}"}}
        compiled.invoke({"trace": []}, config)
        whole = build_trace(list(compiled.get_state_history(config)), lead_id="L", mode="research")
        assert whole.pruned_steps == 0 and whole.steps[1].input_checkpoint_id

        saver.prune([config["configurable"]["thread_id"]])

        pruned = build_trace(list(compiled.get_state_history(config)), lead_id="L", mode="research")
    assert pruned.checkpoint_count == 1 and pruned.pruned_steps == 2
    assert [step.node for step in pruned.steps] == ["read", "judge"]
    assert all(step.pruned and not step.input_checkpoint_id for step in pruned.steps)


@pytest.mark.usefixtures("home")  # the sample CRM as QUALIFY_HOME, wide consoles
def test_a_pruned_trace_lists_every_step_and_says_which_state_is_gone() -> None:
    lead_id = next(word for word in _run("leads").split() if word.startswith("LEAD-"))
    _run("research", lead_id)
    assert "5 steps, 6 checkpoints" in _run("trace", lead_id)

    # Nothing finished 30 days ago: nothing is pruned.
    assert "0 threads" in _run("checkpoints", "prune")
    out = _run("checkpoints", "prune", "--older-than", "0")
    assert "kept only the latest checkpoint of 1 thread" in out

    out = _run("trace", lead_id)
    assert "5 steps, 1 checkpoint" in out
    assert "steps 1-5: checkpoints pruned" in out
    rows = [line.split("│") for line in out.splitlines() if line.startswith("│ ")]
    nodes = [row[2].strip() for row in rows if row[2].strip()]  # a long outcome wraps
    assert nodes == [
        "researcher",
        "icp_judge",
        "lead_summarizer",
        "outreach_writer",
        "insights_recorder",
    ]
    assert "state not kept (checkpoints pruned after" in _run("trace", lead_id, "--step", "2")
    assert "(state not kept: checkpoints pruned)" in _run("trace", lead_id, "--diff")
    refused = _run("replay", lead_id, "--from", "2", code=1)
    assert "pruned" in refused and "QUALIFY_CHECKPOINT_RETENTION_DAYS" in refused
    assert lead_id in _run("show", lead_id)

    # Research again: the thread goes on, and the new steps have their state.
    _run("research", lead_id, "--force")
    out = _run("trace", lead_id)
    assert "10 steps" in out and "steps 1-5: checkpoints pruned" in out
    assert "Step 7: icp_judge" in _run("trace", lead_id, "--step", "7")
    assert "state not kept" not in _run("trace", lead_id, "--step", "7")
