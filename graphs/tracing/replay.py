"""Replay: fork a lead's thread at a step and run it on in a sandbox, with another prompt
version, engine, model or an edited state value; compare outcomes with the original.

The fork copies the checkpoint taken just before the step into a new thread
(`replay:<mode>:<lead>:<n>`), leaving the original thread untouched. The copy carries no
pending writes, so the step runs again. The run's context is a sandbox: nothing goes to
the CRM, the outbox or the hand-off queue, and every step is marked as a replay.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import replace
from typing import Any, Literal

from langgraph.checkpoint.base import BaseCheckpointSaver, copy_checkpoint
from langgraph.checkpoint.base.id import uuid6
from langgraph.graph.state import CompiledStateGraph
from langgraph.types import StateSnapshot
from pydantic import BaseModel

from core.clock import ManualClock, utc_now
from core.trace_records import StepTrace
from graphs.context import Context
from graphs.engage.graph import build_engage_graph
from graphs.research.graph import build_research_graph
from graphs.tracing.trace_steps import with_steps
from memory.thread_ids import thread_id_for
from store.db import session_scope
from store.replays import Replay

Mode = Literal["research", "engage"]


class ReplayError(ValueError):
    """A replay that cannot be made as asked; the message says why and what to do."""


def build_graph(mode: Mode, checkpointer: BaseCheckpointSaver) -> CompiledStateGraph:
    """The graph of a mode, compiled with a checkpointer."""
    return (
        build_research_graph(checkpointer)
        if mode == "research"
        else build_engage_graph(checkpointer)
    )


def outcome_of(mode: Mode, values: dict[str, Any], next_nodes: tuple[str, ...]) -> dict[str, str]:
    """What a run came to, in a few comparable lines."""
    found: dict[str, str] = {}
    icp = values.get("icp")
    if icp is not None:
        found["fit"] = f"{icp.fit_level} ({icp.score:.0%}): {icp.recommendation}"
    if mode == "research":
        draft = values.get("draft")
        if draft is not None:
            found["draft subject"] = draft.subject
            found["draft opening"] = next(
                (line for line in draft.body.splitlines()[1:] if line.strip()), ""
            )
    else:
        turns = values.get("conversation") or []
        outbound = [t for t in turns if t.direction == "outbound"]
        if outbound:
            found["last email"] = f"{outbound[-1].kind}: {outbound[-1].subject}"
            found["last email opening"] = next(
                (line for line in outbound[-1].body.splitlines()[1:] if line.strip()), ""
            )
        inbound = [t for t in turns if t.direction == "inbound" and t.reading is not None]
        if inbound:
            reading = inbound[-1].reading
            found["last reply read as"] = (
                f"{reading.intent}, interest {reading.purchase_interest}, "
                f"{reading.bant.met_count()} of 4 BANT met"
            )
        stop = values.get("stop") or {}
        if stop.get("rule_id"):
            found["hand-off"] = f"{stop['target']} by rule {stop['rule_id']}"
        if values.get("outcome"):
            found["outcome"] = values["outcome"]
    found["status"] = "waiting at " + ", ".join(next_nodes) if next_nodes else "finished"
    return found


def _history(graph: CompiledStateGraph, thread_id: str, database_url: str) -> list[StateSnapshot]:
    config = {"configurable": {"thread_id": thread_id}}
    return list(reversed(with_steps(list(graph.get_state_history(config)), database_url)))


def checkpoint_before(history: list[StateSnapshot], step: int) -> tuple[StateSnapshot, StepTrace]:
    """The checkpoint just before trace step `step` (1-based) ran, and that step."""
    latest = history[-1].values if history else {}
    trace: list[StepTrace] = latest.get("trace") or []
    if not 1 <= step <= len(trace):
        raise ReplayError(f"step {step} does not exist: the trace has steps 1 to {len(trace)}")
    target = trace[step - 1]
    # The last checkpoint before the step's own; steps that ran side by side share one, so
    # it may hold fewer than `step - 1` steps (the replay then re-runs those beside it).
    before = [s for s in history if len(s.values.get("trace") or []) < step]
    if before and target.node in before[-1].next:
        return before[-1], target
    first = history[0]
    pruned = not first.parent_config and len(first.values.get("trace") or []) >= step
    raise ReplayError(
        f"no checkpoint before step {step} ({target.node}) is left in the thread's history"
        + (
            ": it was pruned after the thread finished (QUALIFY_CHECKPOINT_RETENTION_DAYS); "
            "the step's record stays in `qualify trace`"
            if pruned
            else ""
        )
    )


def parse_edit(text: str) -> tuple[str, Any]:
    """'icp.fit_level=none' → ('icp.fit_level', 'none'); JSON values are parsed."""
    path, sep, raw = text.partition("=")
    if not sep or not path.strip():
        raise ReplayError(f"edit {text!r}: write PATH=VALUE, e.g. research.company.employees=150")
    try:
        value: Any = json.loads(raw)
    except json.JSONDecodeError:
        value = raw
    return path.strip(), value


def apply_edit(values: dict[str, Any], path: str, value: Any) -> None:
    """Set a dotted path in the state values, copying pydantic models along the way."""
    head, *rest = path.split(".")
    if head not in values:
        raise ReplayError(f"edit {path!r}: the state has no {head!r}; keys: {', '.join(values)}")
    values[head] = _set(values[head], rest, value, path)


def _set(node: Any, rest: list[str], value: Any, path: str) -> Any:
    if not rest:
        return value
    key, *deeper = rest
    if isinstance(node, BaseModel):
        if key not in type(node).model_fields:
            raise ReplayError(f"edit {path!r}: {type(node).__name__} has no field {key!r}")
        updated = _set(getattr(node, key), deeper, value, path)
        return type(node).model_validate(node.model_dump() | {key: updated})
    if isinstance(node, dict):
        return node | {key: _set(node.get(key), deeper, value, path)}
    raise ReplayError(f"edit {path!r}: cannot go into {type(node).__name__} at {key!r}")


def fork(
    saver: BaseCheckpointSaver,
    snapshot: StateSnapshot,
    replay_thread_id: str,
    edits: dict[str, Any],
    original_thread_id: str,
) -> dict[str, Any]:
    """Copy `snapshot`'s checkpoint (with edits) into a new thread; returns its config."""
    found = saver.get_tuple(snapshot.config)
    if found is None:
        raise ReplayError(f"checkpoint {snapshot.config} is gone from the checkpointer")
    checkpoint = copy_checkpoint(found.checkpoint)
    checkpoint["id"] = str(uuid6(clock_seq=-1))
    checkpoint["ts"] = utc_now().isoformat()
    values = checkpoint["channel_values"]
    for path, value in edits.items():
        apply_edit(values, path, value)
    metadata = dict(found.metadata) | {
        "source": "fork",
        "replay": True,
        "replay_of": original_thread_id,
        "replay_from_checkpoint": snapshot.config["configurable"]["checkpoint_id"],
    }
    config = {"configurable": {"thread_id": replay_thread_id, "checkpoint_ns": ""}}
    return saver.put(config, checkpoint, metadata, checkpoint["channel_versions"])  # type: ignore[arg-type]


class ReplayResult(BaseModel):
    """What a replay did, for the side-by-side view."""

    replay_id: int
    replay_thread_id: str
    from_step: int
    from_node: str
    original: dict[str, str]
    replayed: dict[str, str]


def replay(
    saver: BaseCheckpointSaver,
    context: Context,
    *,
    lead_id: str,
    mode: Mode,
    from_step: int,
    prompt_versions: tuple[tuple[str, str], ...] = (),
    engine: str | None = None,
    model: str | None = None,
    edits: dict[str, Any] | None = None,
    created_by: str | None = None,
) -> ReplayResult:
    """Fork the lead's thread before `from_step` and run it on as a sandbox."""
    graph = build_graph(mode, saver)
    original_thread = thread_id_for(lead_id, mode)
    history = _history(graph, original_thread, context.database_url)
    if not history:
        hint = (
            f"qualify research {lead_id}"
            if mode == "research"
            else f"qualify engage start {lead_id}"
        )
        raise ReplayError(f"{lead_id} has no {mode} thread yet: run `{hint}` first")
    snapshot, step = checkpoint_before(history, from_step)
    replay_thread = f"replay:{mode}:{lead_id}:{uuid.uuid4().hex[:8]}"
    fork(saver, snapshot, replay_thread, edits or {}, original_thread)
    sandbox = replace(
        context,
        sandbox=True,
        prompt_versions=prompt_versions,
        engine=engine or context.engine,  # type: ignore[arg-type]
        model=model or context.model,
        # Engage rules read the clock: replay at the time the step first ran.
        clock=ManualClock(step.started_at),
    )
    graph.invoke(None, {"configurable": {"thread_id": replay_thread}}, context=sandbox)
    replayed_state = graph.get_state({"configurable": {"thread_id": replay_thread}})
    latest = history[-1]
    original = outcome_of(mode, latest.values, latest.next)
    replayed = outcome_of(mode, replayed_state.values, replayed_state.next)
    with session_scope(context.database_url) as session:
        record = Replay(
            lead_id=lead_id,
            mode=mode,
            original_thread_id=original_thread,
            replay_thread_id=replay_thread,
            from_step=from_step,
            from_node=step.node,
            from_checkpoint_id=snapshot.config["configurable"]["checkpoint_id"],
            engine=sandbox.engine,
            model=sandbox.model if sandbox.engine == "llm" else None,
            prompt_versions=dict(prompt_versions),
            edits=dict(edits or {}),
            original=original,
            replayed=replayed,
            created_by=created_by,
        )
        session.add(record)
        session.flush()
        replay_id = record.id
    return ReplayResult(
        replay_id=replay_id or 0,
        replay_thread_id=replay_thread,
        from_step=from_step,
        from_node=step.node,
        original=original,
        replayed=replayed,
    )
