"""A lead's trace read from its thread's checkpoint history: the timeline, one step's inputs
and outputs, and what each step changed in the state.

Pure over `StateSnapshot`s (as `graph.get_state_history(config)` yields them, newest
first), so it is tested without a CLI or a database. The steps come from the `trace` list
of the newest state (it accumulates one `StepTrace` per node run); each step is matched to
the checkpoint it wrote (the first whose trace is that long) and the one it read.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from typing import Any, Literal

from langgraph.types import StateSnapshot
from pydantic import BaseModel, Field, TypeAdapter

from core.trace_records import LlmCall, StepTrace, ToolCall
from graphs.reasoning.llm_pricing import no_price_note
from graphs.traced_node import describe_update

# State keys the diff leaves out: `trace` grows by one entry at every step by design.
_NOT_DIFFED = frozenset({"trace"})
_JSON = TypeAdapter(Any)


class StateChange(BaseModel):
    """One state key a step changed."""

    key: str
    kind: Literal["added", "changed", "removed"]
    before: str = Field(description="Short form: a scalar, a count for lists, a summary.")
    after: str


class TimelineStep(BaseModel):
    """One node run in the lead's thread."""

    number: int = Field(description="1-based, in the order the steps ran.")
    node: str
    started_at: datetime | None = None
    duration_ms: float | None = None
    engine: str | None = None
    prompts: list[str] = Field(default_factory=list, description="name@version.")
    outcome: str = ""
    error: str | None = None
    replay: bool = False
    pruned: bool = Field(
        default=False,
        description="The checkpoints it read and wrote were pruned (retention): its record "
        "stays, its state diff and replay do not.",
    )
    tokens_in: int = 0
    tokens_out: int = 0
    cost_usd: float | None = None
    cost_note: str | None = Field(default=None, description="Why a model call has no cost.")
    tool_calls: list[ToolCall] = Field(default_factory=list)
    llm_calls: list[LlmCall] = Field(default_factory=list)
    checkpoint_id: str | None = Field(
        default=None, description="The checkpoint the step wrote (None: it failed)."
    )
    input_checkpoint_id: str | None = Field(
        default=None, description="The checkpoint whose state the step read."
    )
    changes: list[StateChange] = Field(default_factory=list)
    values: dict[str, str] = Field(
        default_factory=dict, description="The state after the step, each key in short form."
    )


class LeadTrace(BaseModel):
    """A lead's thread as a timeline of steps."""

    lead_id: str
    mode: str
    thread_id: str
    checkpoint_count: int = Field(description="Checkpoints on the branch shown.")
    pruned_steps: int = Field(
        default=0, description="Steps 1..N whose checkpoints retention pruned."
    )
    head_checkpoint_id: str | None = None
    waiting_on: list[str] = Field(
        default_factory=list, description="Nodes due next (an interrupted wait, or a crash)."
    )
    steps: list[TimelineStep] = Field(default_factory=list)
    values: dict[str, str] = Field(
        default_factory=dict, description="The latest state, each key in short form."
    )


class StepDetail(BaseModel):
    """One step in full: the state it read, the update it made, its calls and prompts."""

    lead_id: str
    mode: str
    step: TimelineStep
    inputs: dict[str, Any] = Field(description="The state before the step (JSON).")
    outputs: dict[str, Any] = Field(
        description="The keys the step changed, with their new values (JSON; removed: null)."
    )


class TraceNotFoundError(LookupError):
    """The thread has no checkpoints, or the step does not exist."""


# -- values in short and in full --------------------------------------------------------------


def summarize_value(key: str, value: Any) -> str:
    """A state value in a few words: scalars as they are, lists by count, models by summary."""
    if value is None:
        return "—"
    if isinstance(value, bool | int | float):
        return str(value)
    if isinstance(value, str):
        text = " ".join(value.split())
        return repr(text) if len(text) <= 60 else repr(text[:59] + "…")
    if isinstance(value, list | tuple):
        return f"{len(value)} items"
    if isinstance(value, dict):
        text = ", ".join(f"{k}={summarize_value(k, v)}" for k, v in value.items())
        return "{" + text + "}" if len(text) <= 70 else f"{len(value)} keys"
    if isinstance(value, BaseModel):
        return describe_update({key: value}) or type(value).__name__
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    return type(value).__name__


def to_json(value: Any) -> Any:
    """A state value as JSON data (pydantic models dumped in JSON mode)."""
    return _JSON.dump_python(value, mode="json", fallback=repr)


def state_changes(before: dict[str, Any], after: dict[str, Any]) -> list[StateChange]:
    """Which keys differ between two states, in the order of the later one."""
    changes: list[StateChange] = []
    for key in [*after, *(k for k in before if k not in after)]:
        if key in _NOT_DIFFED:
            continue
        if key not in before:
            kind: Literal["added", "changed", "removed"] = "added"
        elif key not in after:
            kind = "removed"
        elif _same(before[key], after[key]):
            continue
        else:
            kind = "changed"
        changes.append(
            StateChange(
                key=key,
                kind=kind,
                before=summarize_value(key, before[key]) if key in before else "(unset)",
                after=summarize_value(key, after[key]) if key in after else "(unset)",
            )
        )
    return changes


def _same(a: Any, b: Any) -> bool:
    try:
        return bool(a == b)
    except Exception:  # exotic values that refuse comparison: compare their JSON
        return to_json(a) == to_json(b)


# -- the timeline ------------------------------------------------------------------------------


def _id(snapshot: StateSnapshot | None) -> str | None:
    if snapshot is None:
        return None
    return snapshot.config.get("configurable", {}).get("checkpoint_id")


def branch(history: Sequence[StateSnapshot], head: str | None = None) -> list[StateSnapshot]:
    """The checkpoints leading to `head` (default: the newest), oldest first.

    Following parent links keeps a forked thread's other branches out of the timeline.
    """
    if not history:
        return []
    by_id = {_id(s): s for s in history}
    current = by_id.get(head) if head is not None else history[0]
    if current is None:
        raise TraceNotFoundError(f"no checkpoint {head!r} in the thread")
    chain: list[StateSnapshot] = []
    while current is not None:
        chain.append(current)
        parent = current.parent_config
        parent_id = parent.get("configurable", {}).get("checkpoint_id") if parent else None
        current = by_id.get(parent_id) if parent_id else None
    chain.reverse()
    return chain


def _steps_of(snapshot: StateSnapshot) -> list[StepTrace]:
    raw = (snapshot.values or {}).get("trace") or []
    return [item if isinstance(item, StepTrace) else StepTrace.model_validate(item) for item in raw]


def _cost_note(calls: list[LlmCall]) -> str | None:
    unpriced = sorted({call.model for call in calls if call.cost_usd is None})
    return "; ".join(no_price_note(model) for model in unpriced) or None


def _timeline_step(number: int, trace: StepTrace) -> TimelineStep:
    return TimelineStep(
        number=number,
        node=trace.node,
        started_at=trace.started_at,
        duration_ms=trace.duration_ms,
        engine=trace.engine,
        prompts=[f"{p.name}@{p.version}" for p in trace.prompts],
        outcome=trace.outcome,
        error=trace.error,
        replay=trace.replay,
        tokens_in=trace.tokens_in,
        tokens_out=trace.tokens_out,
        cost_usd=trace.cost_usd,
        cost_note=_cost_note(trace.llm_calls),
        tool_calls=list(trace.tool_calls),
        llm_calls=list(trace.llm_calls),
    )


def _written_by(chain: list[StateSnapshot], count: int) -> list[int]:
    """For each step 1..count, the index in `chain` of the first checkpoint holding it."""
    lengths = [len((s.values or {}).get("trace") or []) for s in chain]
    found: list[int] = []
    position = 0
    for number in range(1, count + 1):
        while position < len(chain) and lengths[position] < number:
            position += 1
        found.append(position)
    return found


def _pruned_steps(first: StateSnapshot) -> int:
    """Steps whose checkpoints are gone: a thread's first checkpoint holds no step unless
    retention pruned the ones before it (a kept checkpoint is left with no parent) or it
    is a replay's fork (which copies the steps before it, with their checkpoints)."""
    if first.parent_config or (first.metadata or {}).get("source") == "fork":
        return 0
    return len((first.values or {}).get("trace") or [])


def _read_by(chain: list[StateSnapshot], after: int, node: str, floor: int) -> int | None:
    """The checkpoint a step read: the latest before `after` (not before `floor`) that had
    the node due next, else the one just before `after`."""
    for index in range(after - 1, floor - 1, -1):
        if node in chain[index].next:
            return index
    return after - 1 if after > 0 else None


_REPR = re.compile(r"^(\w+)\((['\"])(.*)\2\)$", re.DOTALL)


def _error_text(error: object) -> str:
    """`ValueError: text`, from the exception or from its repr as a checkpoint stores it."""
    if isinstance(error, BaseException):
        return f"{type(error).__name__}: {error}"
    found = _REPR.match(str(error))
    return f"{found[1]}: {found[3]}" if found else str(error)


def _failed_steps(head: StateSnapshot, first_number: int) -> list[TimelineStep]:
    """Tasks that raised at the head checkpoint: a crash leaves no StepTrace in the state."""
    failed = []
    for task in head.tasks:
        if task.error is not None:
            failed.append(
                TimelineStep(
                    number=first_number + len(failed),
                    node=task.name,
                    outcome="failed (no checkpoint written)",
                    error=_error_text(task.error),
                    input_checkpoint_id=_id(head),
                )
            )
    return failed


def build_trace(
    history: Sequence[StateSnapshot],
    *,
    lead_id: str,
    mode: str,
    thread_id: str | None = None,
    head: str | None = None,
) -> LeadTrace:
    """The lead's timeline from its thread's checkpoint history (newest first, as LangGraph
    returns it); `head` picks a branch of a forked thread (default: the newest)."""
    chain = branch(history, head)
    thread_id = thread_id or f"{mode}:{lead_id}"
    if not chain:
        return LeadTrace(lead_id=lead_id, mode=mode, thread_id=thread_id, checkpoint_count=0)
    last = chain[-1]
    traces = _steps_of(last)
    written = _written_by(chain, len(traces))
    pruned = _pruned_steps(chain[0])
    steps: list[TimelineStep] = []
    floor = 0
    for number, (trace, after) in enumerate(zip(traces, written, strict=True), start=1):
        step = _timeline_step(number, trace)
        if number <= pruned:
            step.pruned = True
        elif after < len(chain):
            before = _read_by(chain, after, trace.node, floor)
            step.checkpoint_id = _id(chain[after])
            after_values = chain[after].values or {}
            before_values = (chain[before].values or {}) if before is not None else {}
            step.input_checkpoint_id = _id(chain[before]) if before is not None else None
            step.changes = [
                change
                for change in state_changes(before_values, after_values)
                if trace.wrote is None or change.key in trace.wrote
            ]
            step.values = _short_values(after_values)
            floor = after
        steps.append(step)
    steps.extend(_failed_steps(last, len(steps) + 1))
    return LeadTrace(
        lead_id=lead_id,
        mode=mode,
        thread_id=thread_id,
        checkpoint_count=len(chain),
        pruned_steps=pruned,
        head_checkpoint_id=_id(last),
        waiting_on=list(last.next),
        steps=steps,
        values=_short_values(last.values or {}),
    )


def _short_values(values: dict[str, Any]) -> dict[str, str]:
    return {
        key: summarize_value(key, value) for key, value in values.items() if key not in _NOT_DIFFED
    }


def step_detail(
    history: Sequence[StateSnapshot],
    number: int,
    *,
    lead_id: str,
    mode: str,
    head: str | None = None,
) -> StepDetail:
    """Step `number` in full: the state it read and the update it made (both as JSON)."""
    trace = build_trace(history, lead_id=lead_id, mode=mode, head=head)
    if not 1 <= number <= len(trace.steps):
        raise TraceNotFoundError(
            f"step {number} does not exist: the trace of {lead_id} ({mode}) has steps "
            f"1 to {len(trace.steps)}"
            if trace.steps
            else f"the trace of {lead_id} ({mode}) has no steps yet"
        )
    step = trace.steps[number - 1]
    by_id = {_id(s): s for s in history}
    before = by_id.get(step.input_checkpoint_id) if step.input_checkpoint_id else None
    after = by_id.get(step.checkpoint_id) if step.checkpoint_id else None
    before_values = dict(before.values or {}) if before is not None else {}
    inputs = {k: to_json(v) for k, v in before_values.items() if k not in _NOT_DIFFED}
    outputs: dict[str, Any] = {}
    if after is not None:
        after_values = after.values or {}
        for change in step.changes:
            outputs[change.key] = to_json(after_values.get(change.key))
    return StepDetail(lead_id=lead_id, mode=mode, step=step, inputs=inputs, outputs=outputs)
