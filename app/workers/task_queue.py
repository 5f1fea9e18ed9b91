"""The task queue: procrastinate on the project's PostgreSQL database (no other broker),
its jobs registered with their locks and retries, and the schedule from settings."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from croniter import croniter
from procrastinate import App, PsycopgConnector, RetryStrategy
from procrastinate.tasks import Task

from app.workers import lead_jobs
from core.settings import Settings, get_settings

# A failed or busy lead is tried again after 3, 9 and 27 s, then left failed in the
# jobs table for an admin to see (a lead that fails four times needs a person).
_LEAD_RETRY = RetryStrategy(max_attempts=4, exponential_wait=3)

# Often enough that a dead worker's leads wait seconds, not minutes, for another.
STALLED_CHECK = "* * * * * */15"


class QueueUnavailable(Exception):
    """The task queue cannot run on this configuration; the message names the fix."""


def _checked_cron(value: str, variable: str) -> str:
    if not croniter.is_valid(value):
        raise QueueUnavailable(
            f"{variable}={value!r} is not a cron schedule; use five fields, e.g. '*/5 * * * *'"
        )
    return value


def task_queue(settings: Settings | None = None) -> App:
    """The queue on the configured PostgreSQL database, with every job and the schedule."""
    settings = settings or get_settings()
    url = settings.postgres_url
    if url is None:
        raise QueueUnavailable(
            "workers need PostgreSQL: set QUALIFY_DATABASE_URL=postgresql://user@host/db and "
            "run `qualify db upgrade`; the embedded SQLite home runs `qualify research` and "
            "`qualify engage run` in one process instead"
        )
    queue = App(connector=PsycopgConnector(conninfo=url))
    lead_task = {"queue": lead_jobs.LEAD_QUEUE, "retry": _LEAD_RETRY}
    queue.task(name="research_lead", **lead_task)(lead_jobs.research_lead)
    queue.task(name="start_lead", pass_context=True, **lead_task)(lead_jobs.start_lead)
    queue.task(name="wake_lead", pass_context=True, **lead_task)(lead_jobs.wake_lead)

    def one_at_a_time(name: str, job: Callable[..., Any], **options: Any) -> Task:
        # A pass runs once at a time and waits in the queue once: a second copy, queued by
        # hand beside the schedule or by another worker's clock, would only redo its work.
        return queue.task(name=name, lock=name, queueing_lock=name, **options)(job)

    one_at_a_time("deliver_outbox", lead_jobs.deliver_outbox, **lead_task)
    scheduled = {"queue": lead_jobs.SCHEDULE_QUEUE, "pass_context": True}
    for name, job, setting in (
        ("plan_engage", lead_jobs.plan_engage, "engage_schedule"),
        ("refresh_research", lead_jobs.refresh_research, "research_schedule"),
        ("plan_requested_research", lead_jobs.plan_requested_research, "requests_schedule"),
        ("prune_checkpoints", lead_jobs.prune_checkpoints, "prune_schedule"),
    ):
        cron = _checked_cron(getattr(settings, setting), f"QUALIFY_{setting.upper()}")
        queue.periodic(cron=cron, periodic_id=name)(one_at_a_time(name, job, **scheduled))
    stalled = one_at_a_time("retry_stalled_jobs", lead_jobs.retry_stalled_jobs, **scheduled)
    queue.periodic(cron=STALLED_CHECK, periodic_id="retry_stalled_jobs")(stalled)
    return queue


def queue_has_tables(queue: App) -> bool:
    """Whether the database holds the queue's tables (the queue must be open)."""
    row = queue.connector.get_sync_connector().execute_query_one(
        "SELECT to_regclass('procrastinate_jobs') IS NOT NULL AS present"
    )
    return bool(row["present"])


def apply_queue_schema(queue: App) -> bool:
    """Create the queue's tables if the database has none; True when created."""
    with queue.open():
        if queue_has_tables(queue):
            return False
        queue.schema_manager.apply_schema()
        return True
