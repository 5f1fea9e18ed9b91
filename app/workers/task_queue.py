"""The task queue: procrastinate on the project's PostgreSQL database (no other broker),
its jobs registered with their locks and retries, and the schedule from settings."""

from __future__ import annotations

from croniter import croniter
from procrastinate import App, PsycopgConnector, RetryStrategy

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
    queue.task(name="deliver_outbox", queue=lead_jobs.LEAD_QUEUE, retry=_LEAD_RETRY)(
        lead_jobs.deliver_outbox
    )
    scheduled = {"queue": lead_jobs.SCHEDULE_QUEUE, "pass_context": True}
    plan = queue.task(name="plan_engage", **scheduled)(lead_jobs.plan_engage)
    refresh = queue.task(name="refresh_research", **scheduled)(lead_jobs.refresh_research)
    stalled = queue.task(name="retry_stalled_jobs", **scheduled)(lead_jobs.retry_stalled_jobs)
    prune = queue.task(name="prune_checkpoints", queue=lead_jobs.SCHEDULE_QUEUE)(
        lead_jobs.prune_checkpoints
    )
    engage_cron = _checked_cron(settings.engage_schedule, "QUALIFY_ENGAGE_SCHEDULE")
    research_cron = _checked_cron(settings.research_schedule, "QUALIFY_RESEARCH_SCHEDULE")
    queue.periodic(cron=engage_cron, periodic_id="engage", queueing_lock="plan_engage")(plan)
    queue.periodic(cron=research_cron, periodic_id="research", queueing_lock="refresh")(refresh)
    prune_cron = _checked_cron(settings.prune_schedule, "QUALIFY_PRUNE_SCHEDULE")
    queue.periodic(cron=prune_cron, periodic_id="prune", queueing_lock="prune")(prune)
    queue.periodic(cron=STALLED_CHECK, periodic_id="stalled", queueing_lock="stalled")(stalled)
    return queue


def apply_queue_schema(queue: App) -> bool:
    """Create the queue's tables if the database has none; True when created."""
    with queue.open():
        connector = queue.connector.get_sync_connector()
        row = connector.execute_query_one(
            "SELECT to_regclass('procrastinate_jobs') IS NOT NULL AS present"
        )
        if row["present"]:
            return False
        queue.schema_manager.apply_schema()
        return True
