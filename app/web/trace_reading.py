"""A lead's traces for the console: the checkpointer the console reads, each thread of
the lead, and a step's state formatted for reading."""

from __future__ import annotations

import json
from typing import Any

from fastapi import HTTPException, Request
from langgraph.types import StateSnapshot

from app.web.console_access import database_url_of
from core.settings import get_settings
from graphs.tracing.trace_history import TraceMode, load_history
from graphs.tracing.trace_view import LeadTrace, StepDetail, TraceNotFoundError, build_trace
from graphs.tracing.trace_view import step_detail as detail_of_step

MODES: tuple[TraceMode, ...] = ("research", "engage")


def checkpoint_url_of(request: Request) -> str:
    """The checkpointer the console reads (the app's own, else the configured one)."""
    return getattr(request.app.state, "checkpoint_url", None) or (
        get_settings().resolved_checkpoint_url
    )


def lead_histories(request: Request, lead_id: str) -> dict[TraceMode, list[StateSnapshot]]:
    """The checkpoint histories of the lead's threads that exist, research first."""
    found: dict[TraceMode, list[StateSnapshot]] = {}
    for mode in MODES:
        history = _history(request, lead_id, mode)
        if history:
            found[mode] = history
    return found


def lead_trace(request: Request, lead_id: str, mode: TraceMode) -> LeadTrace:
    """The lead's thread in `mode`; 404 when it has none."""
    history = _history(request, lead_id, mode)
    if not history:
        raise HTTPException(status_code=404, detail=f"{lead_id} has no {mode} trace yet.")
    return build_trace(history, lead_id=lead_id, mode=mode)


def step_in_full(request: Request, lead_id: str, mode: TraceMode, number: int) -> StepDetail:
    """One step of the lead's thread in full; 404 when there is no such step."""
    return step_of_history(_history(request, lead_id, mode), lead_id, mode, number)


def step_of_history(
    history: list[StateSnapshot], lead_id: str, mode: TraceMode, number: int
) -> StepDetail:
    """One step of a thread's history in full; 404 when there is no such step."""
    if not history:
        raise HTTPException(status_code=404, detail=f"{lead_id} has no {mode} trace yet.")
    try:
        return detail_of_step(history, number, lead_id=lead_id, mode=mode)
    except TraceNotFoundError as exc:
        raise HTTPException(status_code=404, detail=str(exc)) from exc


def _history(request: Request, lead_id: str, mode: TraceMode) -> list[StateSnapshot]:
    return load_history(
        lead_id,
        mode,
        checkpoint_url=checkpoint_url_of(request),
        database_url=database_url_of(request),
    )


def pretty_json(value: Any) -> str:
    """JSON indented for a <pre>; the template escapes it."""
    return json.dumps(value, indent=2, ensure_ascii=False, default=str)
