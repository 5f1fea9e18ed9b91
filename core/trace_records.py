"""Traces: what each node did, recorded in the thread's state (so the checkpoint history
is the trace) and in a `NodeRun` row for the supervisor's monitor.

A node wrapped with `traced(...)` gets a `StepRecorder` for the duration of its call;
tools, engines and the prompt registry report into it through the `record_*` functions,
which do nothing when no step is being recorded (tests, the CLI outside a graph).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from contextvars import ContextVar
from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from core.clock import utc_now


class ToolCall(BaseModel):
    """One tool call made by a node."""

    tool: str
    arguments: dict[str, Any] = Field(default_factory=dict)
    result_summary: str = ""
    duration_ms: float = 0.0
    error: str | None = None


class LlmCall(BaseModel):
    """One model call made by a node."""

    task: str
    model: str
    tokens_in: int = 0
    tokens_out: int = 0
    cost_usd: float | None = None
    duration_ms: float = 0.0


class PromptUse(BaseModel):
    """A prompt a node rendered, with the version in force."""

    name: str
    version: str


class StepTrace(BaseModel):
    """One node's run: timing, engine, prompts, model and tool calls, and its outcome."""

    node: str
    started_at: datetime
    duration_ms: float
    engine: str | None = None
    prompts: list[PromptUse] = Field(default_factory=list)
    llm_calls: list[LlmCall] = Field(default_factory=list)
    tool_calls: list[ToolCall] = Field(default_factory=list)
    outcome: str = Field(default="", description="One line: what the node decided or made.")
    error: str | None = None
    replay: bool = Field(default=False, description="Recorded in a replay sandbox.")
    wrote: list[str] | None = Field(
        default=None,
        description="The state keys the node's update set: a step that ran beside another "
        "shares its checkpoint, and shows only its own changes (None in older traces).",
    )

    @property
    def tokens_in(self) -> int:
        """Prompt tokens over the step's model calls."""
        return sum(call.tokens_in for call in self.llm_calls)

    @property
    def tokens_out(self) -> int:
        """Completion tokens over the step's model calls."""
        return sum(call.tokens_out for call in self.llm_calls)

    @property
    def cost_usd(self) -> float | None:
        """Estimated cost, when every model call had a price."""
        costs = [call.cost_usd for call in self.llm_calls]
        return None if not costs or None in costs else sum(c for c in costs if c is not None)


class StepRecorder:
    """Collects what happens during one node call."""

    def __init__(self, node: str, started_at: datetime | None = None) -> None:
        self.node = node
        self.started_at = started_at or utc_now()
        self._start = time.perf_counter()
        self.prompts: list[PromptUse] = []
        self.llm_calls: list[LlmCall] = []
        self.tool_calls: list[ToolCall] = []

    def elapsed_ms(self) -> float:
        """Milliseconds since the step started."""
        return (time.perf_counter() - self._start) * 1000


_current: ContextVar[StepRecorder | None] = ContextVar("qualify_step_recorder", default=None)


def current_step() -> StepRecorder | None:
    """The step being recorded, if any."""
    return _current.get()


def record_prompt_use(name: str, version: str) -> None:
    """A prompt was rendered (called by the prompt registry)."""
    step = _current.get()
    if step is not None and PromptUse(name=name, version=version) not in step.prompts:
        step.prompts.append(PromptUse(name=name, version=version))


def record_llm_call(call: LlmCall) -> None:
    """A model call finished (called by the LLM engine)."""
    step = _current.get()
    if step is not None:
        step.llm_calls.append(call)


def record_tool_call(call: ToolCall) -> None:
    """A tool call finished (called by CRM reads, web search, email check)."""
    step = _current.get()
    if step is not None:
        step.tool_calls.append(call)


def summarize_result(value: object, limit: int = 160) -> str:
    """A short, readable summary of a tool result for the trace."""
    if isinstance(value, list):
        return f"{len(value)} items" + (f": {summarize_result(value[0], 80)}, …" if value else "")
    text = value.model_dump_json() if isinstance(value, BaseModel) else repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def start_step(
    node: str, started_at: datetime | None = None
) -> tuple[StepRecorder, Callable[[], None]]:
    """Begin recording a step (at the run's clock time); returns the recorder and a
    function that ends it."""
    recorder = StepRecorder(node, started_at)
    token = _current.set(recorder)
    return recorder, lambda: _current.reset(token)
