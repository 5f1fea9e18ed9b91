"""`traced`: wraps a graph node so each run leaves its `StepTrace` in a `NodeRun` row and
the row's id in the state, with the prompt versions of the run's context in force."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import suppress
from datetime import datetime
from typing import Any

from langchain_core.callbacks import dispatch_custom_event
from langgraph.config import get_config
from langgraph.errors import GraphBubbleUp
from langgraph.runtime import Runtime
from langgraph.types import Command
from pydantic import BaseModel

from core.trace_records import StepRecorder, StepTrace, start_step
from graphs.context import Context
from graphs.knowledge.product_catalog import use_stored_products
from graphs.services import services_for
from prompts.registry import use_prompt_versions
from store.db import get_db_engine
from store.node_runs import add_node_run


def _summary(value: Any) -> str | None:
    """One line about one state update value, in sales terms."""
    from core.findings import LeadInsights, LeadResearch, OutreachDraft
    from core.icp_verdicts import IcpAssessment

    if isinstance(value, LeadResearch):
        company = value.company.name or value.lead.company_name or "no company"
        return f"researched {company}; email {value.email_check.email_type}"
    if isinstance(value, IcpAssessment):
        return f"fit {value.fit_level}: {value.recommendation} (score {value.score:.0%})"
    if isinstance(value, OutreachDraft):
        return f"draft '{value.subject}'"
    if isinstance(value, LeadInsights):
        return "insights ready"
    if isinstance(value, list) and value and hasattr(value[0], "direction"):
        parts = []
        for turn in value:
            reading = getattr(turn, "reading", None)
            what = f"{turn.direction} '{turn.subject}'"
            parts.append(f"{what} ({reading.intent})" if reading is not None else what)
        return "; ".join(parts)
    if isinstance(value, BaseModel):
        return type(value).__name__
    return None


def describe_update(update: Any) -> str:
    """What a node's return value says it did."""
    if isinstance(update, Command):
        goto = update.goto if isinstance(update.goto, str) else str(update.goto)
        inner = describe_update(update.update) if update.update else ""
        return f"→ {goto}" + (f"; {inner}" if inner else "")
    if not isinstance(update, dict):
        return ""
    parts = []
    for key, value in update.items():
        if key in ("trace", "engine_notes"):
            continue
        text = _summary(value)
        if text is None and isinstance(value, str | int | float | bool) and value != "":
            text = f"{key} = {value}"
        if isinstance(value, datetime):
            text = f"{key} = {value:%Y-%m-%d %H:%M}"
        if text:
            parts.append(text)
    return "; ".join(parts)


def _with_trace(update: Any, run_id: int) -> Any:
    if isinstance(update, Command):
        extra = dict(update.update or {})
        extra["trace"] = [run_id]
        return Command(goto=update.goto, update=extra, graph=update.graph, resume=update.resume)
    update = dict(update or {})
    update["trace"] = [run_id]
    return update


def _record_run(context: Context, state: dict, step: StepTrace) -> int:
    """Store the step's trace as a `NodeRun` row; its id is what the state keeps."""
    thread_id = get_config().get("configurable", {}).get("thread_id", "")
    dumped = step.model_dump(mode="json")
    run = {  # a `NodeRun` row
        "thread_id": thread_id,
        "lead_id": state.get("lead_id"),
        "node": step.node,
        "started_at": step.started_at,
        "duration_ms": step.duration_ms,
        "engine": step.engine,
        "tokens_in": step.tokens_in,
        "tokens_out": step.tokens_out,
        "llm_calls": len(step.llm_calls),
        "cost_usd": step.cost_usd,
        "outcome": step.outcome[:500],
        "error": step.error,
        "replay": context.sandbox,
        "step": dumped,
    }
    run_id = add_node_run(get_db_engine(context.database_url), run)
    _announce(dumped, run_id)
    return run_id


STEP_EVENT = "qualify_step"
"""The name of the LangChain custom event each step is announced as."""


def _announce(step: dict[str, Any], run_id: int) -> None:
    """The step as a LangChain custom event, for the callback handlers of the run (a
    LangSmith tracer, an OpenTelemetry exporter, `astream_events`): its record leaves the
    process the way the rest of the run does."""
    # Outside a run (a node called on its own) there is nobody to tell.
    with suppress(RuntimeError):
        dispatch_custom_event(STEP_EVENT, {"node_run_id": run_id, **step})


def _written_keys(update: Any) -> list[str]:
    if isinstance(update, Command):
        update = update.update
    return [key for key in update if key != "trace"] if isinstance(update, dict) else []


def _step(
    recorder: StepRecorder,
    engine: str,
    outcome: str,
    error: str | None,
    sandbox: bool,
    wrote: list[str] | None = None,
) -> StepTrace:
    return StepTrace(
        node=recorder.node,
        started_at=recorder.started_at,
        duration_ms=recorder.elapsed_ms(),
        engine=engine,
        prompts=recorder.prompts,
        llm_calls=recorder.llm_calls,
        tool_calls=recorder.tool_calls,
        outcome=outcome,
        error=error,
        replay=sandbox,
        wrote=wrote,
    )


def traced(name: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Decorate a node `fn(state[, runtime])` so every run is traced."""

    def decorate(fn: Callable[..., Any]) -> Callable[..., Any]:
        takes_runtime = "runtime" in fn.__code__.co_varnames[: fn.__code__.co_argcount]

        def node(state: dict, runtime: Runtime[Context]) -> Any:
            context = runtime.context or Context()
            engine = services_for(context).reasoning.name
            recorder, stop_recording = start_step(name, context.clock.now())
            reset_prompts = use_prompt_versions(context.database_url, context.prompt_versions)
            reset_products = use_stored_products(context.database_url)
            try:
                update = fn(state, runtime) if takes_runtime else fn(state)
            except GraphBubbleUp:
                raise  # an interrupt or a Command to a parent graph, not a failure
            except Exception as exc:
                step = _step(recorder, engine, "", f"{type(exc).__name__}: {exc}", context.sandbox)
                _record_run(context, state, step)
                raise
            finally:
                reset_products()
                reset_prompts()
                stop_recording()
            step = _step(
                recorder,
                engine,
                describe_update(update),
                None,
                context.sandbox,
                _written_keys(update),
            )
            return _with_trace(update, _record_run(context, state, step))

        # Not functools.wraps: LangGraph would read the wrapped signature and then not pass
        # `runtime` to a node that does not take it, though the wrapper needs it.
        node.__name__, node.__qualname__, node.__doc__ = fn.__name__, fn.__qualname__, fn.__doc__
        return node

    return decorate
