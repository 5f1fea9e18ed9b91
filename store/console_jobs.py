"""The console's background jobs (a research batch, an eval run): who started each, how far
it is, and where its result is."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlmodel import Field, SQLModel

from core.clock import utc_now


class JobState(StrEnum):
    """Where a job is: waiting for a worker thread, running, or finished either way."""

    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class ConsoleJob(SQLModel, table=True):
    """One piece of long work started from the console, with its progress."""

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(description="research or eval.")
    started_by: int = Field(foreign_key="consoleaccount.id", index=True)
    state: JobState = Field(default=JobState.QUEUED, index=True)
    done: int = 0
    total: int = 0
    message: str = ""
    result_url: str | None = Field(default=None, description="A console page with the result.")
    error: str | None = None
    created_on: datetime = Field(default_factory=utc_now)
    started_on: datetime | None = None
    finished_on: datetime | None = None
