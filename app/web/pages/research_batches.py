"""`/research`: supervisors and admins start a research batch (the first N eligible leads,
or the leads waiting on a research request) as a background job, and see recent ones."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import Session, col, select

from app.web.background_jobs import jobs_of
from app.web.console_access import SupervisorViewer, database_url_of
from app.web.research_job import MAX_BATCH, research_batch
from app.web.templating import render
from graphs.research.requested_research import waiting_requests
from store.console_jobs import ConsoleJob
from store.db import get_db_engine

router = APIRouter(include_in_schema=False)

RECENT_JOBS = 20


def _form(
    request: Request, *, values: dict[str, str], errors: dict[str, str], status: int = 200
) -> HTMLResponse:
    database_url = database_url_of(request)
    with Session(get_db_engine(database_url)) as session:
        recent = session.exec(
            select(ConsoleJob)
            .where(ConsoleJob.kind == "research")
            .order_by(col(ConsoleJob.id).desc())
            .limit(RECENT_JOBS)
        ).all()
    return render(
        request,
        "research.html",
        status_code=status,
        values=values,
        errors=errors,
        pending=len(waiting_requests(database_url, limit=None)),
        recent=recent,
        max_batch=MAX_BATCH,
    )


@router.get("/research", response_class=HTMLResponse)
def research_page(request: Request, viewer: SupervisorViewer) -> HTMLResponse:
    """The form that starts a research batch, and the latest batches."""
    return _form(request, values={"kind": "eligible", "how_many": "50"}, errors={})


@router.post("/research")
def start_research(
    request: Request,
    viewer: SupervisorViewer,
    kind: Annotated[str, Form(max_length=20)] = "eligible",
    how_many: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    """Start the batch as a job and follow it on its page; a bad field is shown at it."""
    errors: dict[str, str] = {}
    if kind not in ("eligible", "pending"):
        errors["kind"] = "Choose eligible leads or pending research requests."
    count = 0
    if kind == "eligible":
        try:
            count = int(how_many.strip())
        except ValueError:
            count = 0
        if not 1 <= count <= MAX_BATCH:
            errors["how_many"] = f"Give a whole number of leads from 1 to {MAX_BATCH}."
    if errors:
        return _form(
            request, values={"kind": kind, "how_many": how_many}, errors=errors, status=422
        )
    what = "pending research requests" if kind == "pending" else f"{count} eligible leads"
    job_id = jobs_of(request.app).start(
        "research",
        viewer,
        research_batch(database_url_of(request), kind, count),  # type: ignore[arg-type]
        message=f"Waiting to research {what}",
    )
    return RedirectResponse(f"/jobs/{job_id}", status_code=303)
