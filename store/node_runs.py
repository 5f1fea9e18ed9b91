"""One row per node run: the step's trace in full, and the figures the supervisor's
monitor aggregates (latency, errors, tokens).

A thread's state keeps only the ids of its rows, so a checkpoint does not repeat every
earlier step's prompts, model calls and tool calls.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, Engine, insert
from sqlmodel import Field, Session, SQLModel, col, select

from core.trace_records import StepTrace


class NodeRun(SQLModel, table=True):
    """A node's run in a thread."""

    id: int | None = Field(default=None, primary_key=True)
    thread_id: str = Field(index=True)
    lead_id: str | None = Field(default=None, index=True)
    node: str = Field(index=True)
    started_at: datetime = Field(index=True)
    duration_ms: float
    engine: str | None = None
    tokens_in: int = 0
    tokens_out: int = 0
    llm_calls: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    cost_usd: float | None = None
    outcome: str = ""
    error: str | None = None
    replay: bool = False
    step: dict[str, Any] | None = Field(
        default=None,
        sa_column=Column(JSON),
        description="The full `StepTrace` (None in rows written before traces left the state).",
    )


def add_node_run(engine: Engine, run: dict[str, Any]) -> int:
    """Store a `NodeRun` given as its column values; its new id. One INSERT, its values
    passed as parameters, without the ORM: every node of every run writes one row, and
    the ORM's objects and a statement built anew each time were most of a short node's
    cost (a fit's re-judge is three short nodes)."""
    with engine.begin() as connection:
        result = connection.execute(_INSERT_RUN, run)
    return int(result.inserted_primary_key[0])


_INSERT_RUN = insert(NodeRun.__table__)  # type: ignore[attr-defined]


def steps_by_id(session: Session, ids: Iterable[int]) -> dict[int, StepTrace]:
    """The traces of the node runs `ids` (those that have one), in one query."""
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    rows = session.exec(select(NodeRun.id, NodeRun.step).where(col(NodeRun.id).in_(wanted))).all()
    return {run_id: StepTrace.model_validate(step) for run_id, step in rows if step is not None}
