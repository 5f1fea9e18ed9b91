"""Long work started from the console (a research batch, an eval run) runs here, in the
console's process, on a small pool of threads; each job's row says how far it is.

A job is a function given a progress callback; it returns the console page of its result
(or None). The callback writes the row at most every PROGRESS_EVERY_S seconds (and always
at the end), so a batch of thousands of fast leads does not write thousands of times.
A console that stops mid-job leaves it "running": the next start marks it failed."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from datetime import datetime

from fastapi import FastAPI
from sqlmodel import col, select

from app.web.accounts import Viewer
from core.clock import utc_now
from store.console_accounts import ConsoleRole
from store.console_jobs import ConsoleJob, JobState
from store.db import session_scope

logger = logging.getLogger(__name__)

JOB_WORKERS = 2
PROGRESS_EVERY_S = 0.25
INTERRUPTED = "the console stopped before the job finished; start it again"


class JobProgress:
    """The progress callback a job's work calls: `progress(done, total, message)`."""

    def __init__(self, database_url: str, job_id: int, every_s: float = PROGRESS_EVERY_S):
        self._database_url = database_url
        self._job_id = job_id
        self._every_s = every_s
        self._lock = threading.Lock()
        self._last_write = 0.0
        self._pending: tuple[int, int, str] | None = None
        self.writes = 0

    def __call__(self, done: int, total: int, message: str = "") -> None:
        with self._lock:
            self._pending = (done, total, message)
            now = time.monotonic()
            if now - self._last_write < self._every_s and done < total:
                return
            self._last_write = now
            self._write()

    def flush(self) -> None:
        """Write the latest progress, if a throttled one is unwritten."""
        with self._lock:
            self._write()

    def _write(self) -> None:
        if self._pending is None:
            return
        done, total, message = self._pending
        self._pending = None
        with session_scope(self._database_url) as session:
            job = session.get(ConsoleJob, self._job_id)
            if job is not None:
                job.done, job.total, job.message = done, total, message[:500]
                session.add(job)
        self.writes += 1


JobWork = Callable[[JobProgress], str | None]


class ConsoleJobs:
    """The pool the console's jobs run on."""

    def __init__(self, database_url: str, workers: int = JOB_WORKERS) -> None:
        self.database_url = database_url
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="console-job")

    def start(self, kind: str, viewer: Viewer, work: JobWork, message: str = "") -> int:
        """Queue `work` as a job started by `viewer`; its id."""
        with session_scope(self.database_url) as session:
            job = ConsoleJob(kind=kind, started_by=viewer.account_id, message=message)
            session.add(job)
            session.flush()
            assert job.id is not None
            job_id = job.id
        self._pool.submit(self._run, job_id, work)
        return job_id

    def _run(self, job_id: int, work: JobWork) -> None:
        self._update(job_id, state=JobState.RUNNING, started_on=utc_now())
        progress = JobProgress(self.database_url, job_id)
        try:
            result_url = work(progress)
        except Exception as exc:  # the job's row is where its error is read
            logger.exception("console job %s failed", job_id)
            progress.flush()
            self._update(
                job_id,
                state=JobState.FAILED,
                error=f"{type(exc).__name__}: {exc}"[:2000],
                finished_on=utc_now(),
            )
            return
        progress.flush()
        self._update(job_id, state=JobState.DONE, result_url=result_url, finished_on=utc_now())

    def _update(self, job_id: int, **values: object) -> None:
        with session_scope(self.database_url) as session:
            job = session.get(ConsoleJob, job_id)
            if job is not None:
                for name, value in values.items():
                    setattr(job, name, value)
                session.add(job)

    def shutdown(self) -> None:
        """Stop taking jobs; a running one is left to finish in its thread (or, if the
        process ends first, marked failed at the next start)."""
        self._pool.shutdown(wait=False, cancel_futures=True)


def fail_interrupted_jobs(database_url: str, now: datetime | None = None) -> int:
    """Mark failed every job a stopped console left queued or running; how many."""
    with session_scope(database_url) as session:
        stale = session.exec(
            select(ConsoleJob).where(col(ConsoleJob.state).in_([JobState.QUEUED, JobState.RUNNING]))
        ).all()
        for job in stale:
            job.state, job.error = JobState.FAILED, INTERRUPTED
            job.finished_on = now or utc_now()
            session.add(job)
    return len(stale)


_starting = threading.Lock()


def jobs_of(app: FastAPI) -> ConsoleJobs:
    """The app's job pool (made at start-up; made here if the app was not started)."""
    with _starting:
        jobs = getattr(app.state, "console_jobs", None)
        if jobs is None:
            jobs = app.state.console_jobs = ConsoleJobs(app.state.database_url)
        return jobs


@asynccontextmanager
async def console_jobs_lifespan(app: FastAPI) -> AsyncIterator[None]:
    """At start-up, fail the jobs a stopped console left; at shutdown, stop the pool."""
    failed = fail_interrupted_jobs(app.state.database_url)
    if failed:
        logger.warning("%s console jobs were left unfinished by a stopped console", failed)
    jobs_of(app)
    try:
        yield
    finally:
        jobs = getattr(app.state, "console_jobs", None)
        if jobs is not None:
            jobs.shutdown()
            app.state.console_jobs = None


def may_see_job(job: ConsoleJob, viewer: Viewer) -> bool:
    """Its starter, supervisors and admins."""
    return job.started_by == viewer.account_id or viewer.role in (
        ConsoleRole.SUPERVISOR,
        ConsoleRole.ADMIN,
    )
