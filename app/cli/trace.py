"""`qualify trace LEAD`: a lead's trace (its thread's checkpoint history) as a timeline,
one step in full (`--step N`), what each step changed (`--diff`), or JSON (`--json`)."""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from typing import Annotated, Any

import typer
from langgraph.types import StateSnapshot
from rich.console import Console
from rich.table import Table
from sqlmodel import Session

from app.cli.run_context import console, database_url, fail
from core.settings import get_settings
from graphs.tracing import trace_history
from graphs.tracing.trace_view import (
    LeadTrace,
    StepDetail,
    TraceNotFoundError,
    build_trace,
    step_detail,
)
from store.crm import Lead
from store.db import get_db_engine


class TraceMode(StrEnum):
    """Which of the lead's threads to read."""

    RESEARCH = "research"
    ENGAGE = "engage"


_CREATE = {
    TraceMode.RESEARCH: "qualify research {lead}",
    TraceMode.ENGAGE: "qualify engage start {lead}",
}


def load_history(lead_id: str, mode: TraceMode) -> list[StateSnapshot]:
    """The checkpoints of the lead's thread in `mode`, newest first (empty: no thread)."""
    return trace_history.load_history(
        lead_id,
        mode.value,  # type: ignore[arg-type]
        checkpoint_url=get_settings().resolved_checkpoint_url,
        database_url=database_url(),
    )


def _no_trace_message(lead_id: str, mode: TraceMode) -> str:
    with Session(get_db_engine(database_url())) as session:
        known = session.get(Lead, lead_id) is not None
    if not known:
        return (
            f"no lead with id {lead_id!r} in the CRM and no trace for it; list leads with "
            "`qualify leads`"
        )
    other = TraceMode.ENGAGE if mode == TraceMode.RESEARCH else TraceMode.RESEARCH
    hint = (
        f" ({lead_id} has a {other} trace: add --mode {other})"
        if load_history(lead_id, other)
        else ""
    )
    create = _CREATE[mode].format(lead=lead_id)
    return f"{lead_id} has no {mode} trace yet: create one with `{create}`{hint}"


# -- rendering ---------------------------------------------------------------------------------


def _ms(value: float | None) -> str:
    return "—" if value is None else f"{value:,.1f}"


def _cost(value: float | None) -> str:
    return "—" if value is None else f"${value:.6f}"


def _header(trace: LeadTrace) -> str:
    waiting = f"; waiting on {', '.join(trace.waiting_on)}" if trace.waiting_on else ""
    replays = sum(step.replay for step in trace.steps)
    marked = f"; {replays} replay steps (↺)" if replays else ""
    checkpoints = f"{trace.checkpoint_count} checkpoint{'s' * (trace.checkpoint_count != 1)}"
    pruned = (
        f"; steps 1-{trace.pruned_steps}: checkpoints pruned (records kept)"
        if trace.pruned_steps
        else ""
    )
    return (
        f"Trace of {trace.lead_id} ({trace.thread_id}): {len(trace.steps)} steps, "
        f"{checkpoints}{waiting}{marked}{pruned}"
    )


def render_timeline(trace: LeadTrace, out: Console) -> None:
    """One row per step: node, time, duration, engine, prompts, calls, outcome, error."""
    table = Table(title=_header(trace), title_justify="left")
    for column, justify in (
        ("#", "right"),
        ("Node", "left"),
        ("Started (UTC)", "left"),
        ("ms", "right"),
        ("Engine", "left"),
        ("Prompts", "left"),
        ("Tools", "right"),
        ("Tokens in/out", "right"),
        ("Outcome", "left"),
        ("Error", "left"),
    ):
        # A narrow terminal squeezes the outcome, never the node's name.
        width = (
            max((len(step.node) for step in trace.steps), default=4) if column == "Node" else None
        )
        table.add_column(column, justify=justify, no_wrap=width is not None, min_width=width)  # type: ignore[arg-type]
    for step in trace.steps:
        table.add_row(
            f"{step.number}{' ↺' if step.replay else ''}",
            step.node,
            f"{step.started_at:%Y-%m-%d %H:%M:%S}" if step.started_at else "—",
            _ms(step.duration_ms),
            step.engine or "—",
            ", ".join(step.prompts) or "—",
            str(len(step.tool_calls)),
            f"{step.tokens_in}/{step.tokens_out}" if step.llm_calls else "—",
            step.outcome or "—",
            f"[red]{step.error}[/red]" if step.error else "",
        )
    out.print(table)
    out.print(f"One step in full: qualify trace {trace.lead_id} --mode {trace.mode} --step N")


def render_diff(trace: LeadTrace, out: Console) -> None:
    """Per step, the state keys it changed: scalars before → after, lists by count."""
    table = Table(title=_header(trace), title_justify="left")
    for column in ("#", "Node", "Key", "Before", "→ After"):
        table.add_column(column, justify="right" if column == "#" else "left")
    for step in trace.steps:
        label = f"{step.number}{' ↺' if step.replay else ''}"
        if not step.changes:
            note = (
                "(state not kept: checkpoints pruned)"
                if step.pruned
                else "(failed: no update)"
                if step.error
                else "(no change)"
            )
            table.add_row(label, step.node, note, "", "")
        for index, change in enumerate(step.changes):
            first = index == 0
            table.add_row(
                label if first else "",
                step.node if first else "",
                change.key,
                change.before,
                change.after,
            )
    out.print(table)


def _calls_tables(detail: StepDetail, out: Console) -> None:
    step = detail.step
    if step.tool_calls:
        tools = Table(title="Tool calls", title_justify="left")
        for column in ("Tool", "Arguments", "Result", "ms", "Error"):
            tools.add_column(column, justify="right" if column == "ms" else "left")
        for call in step.tool_calls:
            tools.add_row(
                call.tool,
                json.dumps(call.arguments, ensure_ascii=False, default=str),
                call.result_summary,
                _ms(call.duration_ms),
                call.error or "",
            )
        out.print(tools)
    else:
        out.print("Tool calls: none")
    if step.llm_calls:
        llm = Table(title="LLM calls", title_justify="left")
        for column in ("Task", "Model", "Tokens in", "Tokens out", "Cost (USD)", "ms"):
            llm.add_column(column, justify="left" if column in ("Task", "Model") else "right")
        for call in step.llm_calls:
            llm.add_row(
                call.task,
                call.model,
                str(call.tokens_in),
                str(call.tokens_out),
                _cost(call.cost_usd),
                _ms(call.duration_ms),
            )
        out.print(llm)
        if step.cost_note:
            out.print(f"Cost unknown: {step.cost_note}", highlight=False)
    else:
        out.print("LLM calls: none")


def render_step(detail: StepDetail, out: Console) -> None:
    """One step in full: what it ran on, its calls, the state it read and what it changed."""
    step = detail.step
    replay = " (replay ↺)" if step.replay else ""
    out.print(f"[bold]Step {step.number}: {step.node}{replay}[/bold] — {detail.lead_id}")
    started = f"{step.started_at:%Y-%m-%d %H:%M:%S.%f} UTC" if step.started_at else "—"
    out.print(f"Started {started}, {_ms(step.duration_ms)} ms, engine {step.engine or '—'}")
    out.print(f"Prompts: {', '.join(step.prompts) or 'none'}", highlight=False)
    out.print(f"Outcome: {step.outcome or '—'}", highlight=False)
    if step.error:
        out.print(f"[red]Error: {step.error}[/red]", highlight=False)
    if step.llm_calls:
        out.print(
            f"Tokens {step.tokens_in} in / {step.tokens_out} out, cost {_cost(step.cost_usd)}"
        )
    _calls_tables(detail, out)
    if step.pruned:
        out.print(
            "Inputs and outputs: state not kept (checkpoints pruned after the thread finished; "
            "QUALIFY_CHECKPOINT_RETENTION_DAYS)"
        )
        return
    out.print(f"[bold]Inputs[/bold] (state before, checkpoint {step.input_checkpoint_id or '—'}):")
    out.print_json(data=detail.inputs)
    out.print(f"[bold]Outputs[/bold] (state update, checkpoint {step.checkpoint_id or '—'}):")
    if detail.outputs:
        out.print_json(data=detail.outputs)
    else:
        out.print("(none)")
    if step.changes:
        out.print("Changed: " + "; ".join(f"{c.key}: {c.before} → {c.after}" for c in step.changes))


def _write_json(payload: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(payload, indent=2, ensure_ascii=False) + "\n")


# -- the command -------------------------------------------------------------------------------


def trace_command(
    lead: Annotated[str, typer.Argument(help="Lead id, e.g. LEAD-0001.")],
    mode: Annotated[
        TraceMode, typer.Option("--mode", help="Which thread: research or engage.")
    ] = TraceMode.RESEARCH,
    step: Annotated[
        int | None, typer.Option("--step", help="Show step N in full (inputs, outputs, calls).")
    ] = None,
    diff: Annotated[bool, typer.Option("--diff", help="Show what each step changed.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the trace as JSON.")] = False,
) -> None:
    """Show a lead's trace: every step the agent took, from its thread's checkpoints."""
    history = load_history(lead, mode)
    if not history:
        raise fail(_no_trace_message(lead, mode))
    if step is not None:
        try:
            detail = step_detail(history, step, lead_id=lead, mode=mode.value)
        except TraceNotFoundError as exc:
            raise fail(f"{exc}; see the list with `qualify trace {lead} --mode {mode}`") from exc
        if as_json:
            _write_json(detail.model_dump(mode="json"))
        else:
            render_step(detail, console)
        return
    trace = build_trace(history, lead_id=lead, mode=mode.value)
    if as_json:
        _write_json(trace.model_dump(mode="json"))
    elif diff:
        render_diff(trace, console)
    else:
        render_timeline(trace, console)
