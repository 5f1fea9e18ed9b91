"""A background job's progress: `GET /api/jobs/{job_id}` (what console.js polls) and
`GET /jobs/{job_id}` (a page with a progress bar that follows the job to its result).
Only the job's starter, supervisors and admins see it."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, HTTPException, Path, Request
from fastapi.responses import HTMLResponse
from pydantic import BaseModel
from sqlmodel import Session

from app.web.accounts import Viewer
from app.web.background_jobs import console_jobs_lifespan, may_see_job
from app.web.console_access import AnyViewer, database_url_of
from app.web.templating import render
from store.console_jobs import ConsoleJob, JobState
from store.db import get_db_engine

router = APIRouter(lifespan=console_jobs_lifespan)

JobId = Path(ge=1, le=2**62, description="The job's number.")


class JobStatus(BaseModel):
    """A job's progress, and where its result is once done."""

    id: int
    kind: str
    state: JobState
    done: int
    total: int
    message: str
    result_url: str | None
    error: str | None
    created_on: datetime
    started_on: datetime | None
    finished_on: datetime | None


def visible_job(request: Request, viewer: Viewer, job_id: int) -> ConsoleJob:
    """The job, if the viewer may see it (404 when there is none, 403 otherwise)."""
    with Session(get_db_engine(database_url_of(request))) as session:
        job = session.get(ConsoleJob, job_id)
    if job is None:
        raise HTTPException(status_code=404, detail=f"No job {job_id}.")
    if not may_see_job(job, viewer):
        raise HTTPException(status_code=403, detail="This job is someone else's.")
    return job


def _status(job: ConsoleJob) -> JobStatus:
    assert job.id is not None
    return JobStatus(
        id=job.id,
        kind=job.kind,
        state=job.state,
        done=job.done,
        total=job.total,
        message=job.message,
        result_url=job.result_url,
        error=job.error,
        created_on=job.created_on,
        started_on=job.started_on,
        finished_on=job.finished_on,
    )


@router.get("/api/jobs/{job_id}", response_model=JobStatus, tags=["jobs"])
def job_status(request: Request, viewer: AnyViewer, job_id: int = JobId) -> JobStatus:
    """A background job's state and progress."""
    return _status(visible_job(request, viewer, job_id))


@router.get("/jobs/{job_id}", response_class=HTMLResponse, include_in_schema=False)
def job_page(request: Request, viewer: AnyViewer, job_id: int = JobId) -> HTMLResponse:
    """The job's progress bar; the page moves on to the result when the job is done."""
    return render(request, "job.html", job=_status(visible_job(request, viewer, job_id)))
