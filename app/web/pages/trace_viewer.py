"""The trace viewer: a lead's steps on a timeline (research and engage threads), one step
in full, and, for supervisors and admins, the form that replays from a step."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import Session

from app.web.accounts import Viewer
from app.web.console_access import SellerViewer, database_url_of
from app.web.lead_visibility import lead_for
from app.web.templating import render
from app.web.trace_reading import (
    lead_histories,
    lead_trace,
    pretty_json,
    step_in_full,
    step_of_history,
)
from app.web.trace_replays import prompt_choices
from graphs.tracing.trace_history import TraceMode
from graphs.tracing.trace_view import LeadTrace, StepDetail, build_trace
from store.console_accounts import ConsoleRole
from store.db import get_db_engine

router = APIRouter()

LeadId = Annotated[str, Path(max_length=64)]
Mode = Annotated[TraceMode, Query(description="Which thread: research or engage.")]
REPLAYERS = frozenset({ConsoleRole.SUPERVISOR, ConsoleRole.ADMIN})


def visible_lead(request: Request, viewer: Viewer, lead_id: str) -> None:
    """404 for no such lead, 403 for another seller's."""
    with Session(get_db_engine(database_url_of(request))) as session:
        lead_for(session, viewer, lead_id)


def trace_page(
    request: Request,
    viewer: Viewer,
    lead_id: str,
    mode: TraceMode | None,
    step: int | None,
    *,
    form: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    """The trace page; the replay form keeps what was typed and shows its errors."""
    with Session(get_db_engine(database_url_of(request))) as session:
        lead = lead_for(session, viewer, lead_id)
        lead_name = lead.full_name
        company = lead.company_name
    histories = lead_histories(request, lead_id)
    traces = {
        thread: build_trace(history, lead_id=lead_id, mode=thread)
        for thread, history in histories.items()
    }
    mode = mode if mode in traces else next(iter(traces), None)
    trace = traces.get(mode) if mode else None
    detail: StepDetail | None = None
    if mode is not None and step is not None:
        detail = step_of_history(histories[mode], lead_id, mode, step)
    may_replay = viewer.role in REPLAYERS
    chosen = step or (trace.steps[0].number if trace and trace.steps else 1)
    return render(
        request,
        "trace.html",
        status_code=status_code,
        lead_id=lead_id,
        lead_name=lead_name,
        company=company,
        traces=traces,
        mode=mode,
        trace=trace,
        detail=detail,
        inputs_json=pretty_json(detail.inputs) if detail else "",
        outputs_json=pretty_json(detail.outputs) if detail else "",
        arguments_json=[pretty_json(call.arguments) for call in detail.step.tool_calls]
        if detail
        else [],
        may_replay=may_replay,
        prompt_choices=prompt_choices(trace, database_url_of(request))
        if may_replay and trace
        else [],
        form={"from_step": str(chosen), "prompt_pin": "", "edit_key": "", "edit_value": ""}
        | (form or {}),
        errors=errors or {},
    )


@router.get("/traces", include_in_schema=False)
def find_trace(
    viewer: SellerViewer, lead_id: Annotated[str, Query(max_length=64)] = ""
) -> Response:
    """The trace of the lead id typed on the monitor."""
    from urllib.parse import quote

    lead_id = lead_id.strip()
    target = f"/traces/{quote(lead_id, safe='')}" if lead_id else "/monitor"
    return RedirectResponse(target, status_code=303)


@router.get("/traces/{lead_id}", response_class=HTMLResponse, include_in_schema=False)
def trace_view(
    request: Request,
    viewer: SellerViewer,
    lead_id: LeadId,
    mode: Annotated[TraceMode | None, Query()] = None,
    step: Annotated[int | None, Query(ge=1, le=100_000)] = None,
) -> HTMLResponse:
    """A lead's timeline; `?step=N` shows step N in full."""
    return trace_page(request, viewer, lead_id, mode, step)


@router.get("/api/traces/{lead_id}", response_model=LeadTrace, tags=["traces"])
def trace_api(
    request: Request, viewer: SellerViewer, lead_id: LeadId, mode: Mode = "research"
) -> Any:
    """A lead's thread as a timeline of steps (`qualify trace LEAD --json`)."""
    visible_lead(request, viewer, lead_id)
    return lead_trace(request, lead_id, mode)


@router.get("/api/traces/{lead_id}/steps/{step_id}", response_model=StepDetail, tags=["traces"])
def step_api(
    request: Request,
    viewer: SellerViewer,
    lead_id: LeadId,
    step_id: Annotated[int, Path(ge=1, le=100_000, description="The step's number, 1-based.")],
    mode: Mode = "research",
) -> Any:
    """One step in full: inputs, prompts, tool and LLM calls, outcome, what it changed."""
    visible_lead(request, viewer, lead_id)
    return step_in_full(request, lead_id, mode, step_id)
