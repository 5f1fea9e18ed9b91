"""Replay from a step (supervisors and admins): the trace page's form, or the API, runs the
replay synchronously in a sandbox; the result page lays the original and the replay side
by side."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Path, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from app.web.accounts import Viewer
from app.web.console_access import SupervisorViewer, database_url_of
from app.web.pages.trace_viewer import LeadId, trace_page, visible_lead
from app.web.templating import render
from app.web.trace_reading import checkpoint_url_of
from app.web.trace_replays import (
    ReplayComparison,
    ReplayRefused,
    ReplayRequest,
    comparison,
    read_form,
    run_replay,
)
from graphs.tracing.replay import ReplayResult

router = APIRouter()

ReplayId = Annotated[int, Path(ge=1, le=2**31 - 1)]
FormText = Annotated[str, Form(max_length=4000)]


@router.post("/traces/{lead_id}/replay", include_in_schema=False)
def replay_form(
    request: Request,
    viewer: SupervisorViewer,
    lead_id: LeadId,
    mode: FormText = "",
    from_step: FormText = "",
    prompt_pin: FormText = "",
    edit_key: FormText = "",
    edit_value: FormText = "",
) -> Response:
    """Run the replay; on a problem, the trace page again with the error at its field."""
    visible_lead(request, viewer, lead_id)
    typed = {
        "from_step": from_step,
        "prompt_pin": prompt_pin,
        "edit_key": edit_key,
        "edit_value": edit_value,
    }
    asked, errors = read_form(mode, from_step, prompt_pin, edit_key, edit_value)
    shown_mode = mode if mode in ("research", "engage") else None
    step = asked.from_step if asked else None
    if asked is None:
        return trace_page(
            request, viewer, lead_id, shown_mode, step,  # type: ignore[arg-type]
            form=typed, errors=errors.by_field, status_code=422,
        )  # fmt: skip
    try:
        result = _replay(request, viewer, lead_id, asked)
    except ReplayRefused as refused:
        return trace_page(
            request, viewer, lead_id, asked.mode, None,
            form=typed, errors={refused.field: str(refused)}, status_code=422,
        )  # fmt: skip
    return RedirectResponse(f"/traces/{lead_id}/replays/{result.replay_id}", status_code=303)


def _replay(request: Request, viewer: Viewer, lead_id: str, asked: ReplayRequest) -> ReplayResult:
    return run_replay(
        lead_id,
        asked,
        database_url=database_url_of(request),
        checkpoint_url=checkpoint_url_of(request),
        by=viewer.login,
    )


def _comparison(request: Request, lead_id: str, replay_id: int) -> ReplayComparison:
    found = comparison(
        replay_id,
        lead_id,
        database_url=database_url_of(request),
        checkpoint_url=checkpoint_url_of(request),
    )
    if found is None:
        raise HTTPException(status_code=404, detail=f"No replay {replay_id} of {lead_id}.")
    return found


@router.get(
    "/traces/{lead_id}/replays/{replay_id}", response_class=HTMLResponse, include_in_schema=False
)
def replay_page(
    request: Request, viewer: SupervisorViewer, lead_id: LeadId, replay_id: ReplayId
) -> HTMLResponse:
    """The original and the replay side by side."""
    visible_lead(request, viewer, lead_id)
    return render(request, "replay.html", result=_comparison(request, lead_id, replay_id))


@router.post(
    "/api/traces/{lead_id}/replay",
    response_model=ReplayComparison,
    tags=["traces"],
    responses={422: {"description": "The replay cannot run as asked; `field` names why."}},
)
def replay_api(
    request: Request, viewer: SupervisorViewer, lead_id: LeadId, asked: ReplayRequest
) -> Response | ReplayComparison:
    """Fork the lead's thread before a step and run it on in a sandbox; the comparison."""
    visible_lead(request, viewer, lead_id)
    try:
        result = _replay(request, viewer, lead_id, asked)
    except ReplayRefused as refused:
        return JSONResponse(
            {"detail": [{"field": refused.field, "problem": str(refused)}]}, status_code=422
        )
    return _comparison(request, lead_id, result.replay_id)


@router.get(
    "/api/traces/{lead_id}/replays/{replay_id}", response_model=ReplayComparison, tags=["traces"]
)
def replay_result_api(
    request: Request, viewer: SupervisorViewer, lead_id: LeadId, replay_id: ReplayId
) -> ReplayComparison:
    """A kept replay beside the original."""
    visible_lead(request, viewer, lead_id)
    return _comparison(request, lead_id, replay_id)
