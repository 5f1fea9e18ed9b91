"""A thread's checkpoint history with its trace steps read from the `NodeRun` table.

The state keeps the id of each step's row; the trace view and replays want the steps
themselves, so this puts them in place before either reads the history.
"""

from __future__ import annotations

from datetime import UTC, datetime

from langgraph.types import StateSnapshot
from sqlmodel import Session

from core.trace_records import StepTrace
from store.db import get_db_engine
from store.node_runs import steps_by_id


def with_steps(history: list[StateSnapshot], database_url: str) -> list[StateSnapshot]:
    """`history` with every trace id replaced by that node run's `StepTrace`."""
    ids = {
        item
        for snapshot in history
        for item in (snapshot.values or {}).get("trace") or ()
        if isinstance(item, int)
    }
    if not ids:
        return history  # no steps yet, or a thread from before traces left the state
    steps = _steps(ids, database_url)
    return [
        snapshot._replace(values={**snapshot.values, "trace": _in_place(trace, steps)})
        if (trace := (snapshot.values or {}).get("trace"))
        else snapshot
        for snapshot in history
    ]


def steps_of(trace: list[int | StepTrace], database_url: str) -> list[StepTrace]:
    """The steps of a state's `trace` list, in order."""
    return _in_place(trace, _steps({i for i in trace if isinstance(i, int)}, database_url))


def _steps(ids: set[int], database_url: str) -> dict[int, StepTrace]:
    if not ids:
        return {}
    with Session(get_db_engine(database_url)) as session:
        return steps_by_id(session, ids)


def _in_place(trace: list[int | StepTrace], steps: dict[int, StepTrace]) -> list[StepTrace]:
    return [item if not isinstance(item, int) else steps.get(item) or _lost(item) for item in trace]


def _lost(run_id: int) -> StepTrace:
    """A step whose row is gone (a database restored from an older copy): kept in its
    place so the steps after it keep their numbers."""
    return StepTrace(
        node="(unknown)",
        started_at=datetime.fromtimestamp(0, UTC),
        duration_ms=0.0,
        error=f"the trace of this step (node run {run_id}) is not in the database",
    )
