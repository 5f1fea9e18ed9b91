"""The jobs workers run: one lead's research, one lead's engage step, the outbox, and the
scheduled passes that queue them.

Every lead job takes the lock `lead:<id>`, so one worker at a time owns a lead's threads,
and is queued under a queueing lock, so a lead already waiting in the queue is not queued
twice. Exactly-once side effects do not rest on the queue: a job re-run after a worker
died resumes the lead's thread from its checkpoint under the thread's lease, and the
outbox sends each email once (see store.leases and tools.mail.outbox).
"""

from __future__ import annotations

import logging

from procrastinate import App, JobContext
from procrastinate.exceptions import AlreadyEnqueued

from app.workers.lead_runners import lead_runners
from core.clock import utc_now
from core.settings import get_settings
from graphs.checkpoint_retention import prune_finished_threads
from graphs.engage.email_review import report_overdue
from graphs.engage.runner import TickReport
from graphs.research.requested_research import research_requested, waiting_requests

log = logging.getLogger(__name__)

LEAD_QUEUE = "leads"
SCHEDULE_QUEUE = "schedule"


class LeadBusy(Exception):
    """Another process holds the lead's thread: the job is retried later."""


class LeadRunFailed(Exception):
    """The lead's run failed (the model, the web, the CRM): the job is retried later."""


def enqueue(queue: App, task_name: str, lead_id: str | None = None, **arguments: object) -> bool:
    """Queue a job; False when the same job is already waiting in the queue."""
    task = queue.tasks[task_name]
    if lead_id is not None:
        arguments["lead_id"] = lead_id
        # Start and wake share one queueing lock: either does what the lead needs next.
        kind = "research" if task_name == "research_lead" else "engage"
        task = task.configure(lock=f"lead:{lead_id}", queueing_lock=f"{kind}:{lead_id}")
    try:
        task.defer(**arguments)
    except AlreadyEnqueued:
        return False
    return True


def waiting_jobs(queue: App, task_name: str | None = None, *, running: bool = True) -> int:
    """Jobs queued (and running, unless `running` is False), of one task or of all."""
    row = queue.connector.get_sync_connector().execute_query_one(
        "SELECT count(*) AS n FROM procrastinate_jobs "
        "WHERE (%(task)s::text IS NULL OR task_name = %(task)s) "
        "AND (status = 'todo' OR (%(running)s AND status = 'doing'))",
        task=task_name,
        running=running,
    )
    return int(row["n"])


def research_lead(lead_id: str, force: bool = False, requested: bool = False) -> str:
    """Research one lead (skipped when ineligible or fresh, unless forced); `requested`:
    the lead a change asked research for, however fresh, its request marked done once the
    research is stored."""
    runner = lead_runners().research
    if requested:
        outcomes = list(research_requested(runner, lead_ids=[lead_id], concurrency=1))
        if not outcomes:
            return "no request pending"  # another run did it meanwhile
        [outcome] = outcomes
    else:
        outcome = next(iter(runner.research([lead_id], force=force, concurrency=1)))
    if outcome.status == "busy":
        raise LeadBusy(outcome.message)
    if outcome.status == "error":
        raise LeadRunFailed(f"{lead_id}: {outcome.message}")
    return outcome.status


def _advance(context: JobContext, lead_id: str, *, start: bool) -> str:
    report = lead_runners().engage.advance(lead_id, start=start)
    if report.busy:
        raise LeadBusy(f"{lead_id}: another process is running its thread")
    if report.errors:
        raise LeadRunFailed("; ".join(report.errors))
    # What the step wrote to the outbox goes out now, not at the next pass.
    assert context.app is not None
    enqueue(context.app, "deliver_outbox")
    return f"handed off {dict(report.handoffs)}" if report.handoffs else "done"


def start_lead(context: JobContext, lead_id: str) -> str:
    """Begin engaging a lead the pass assigned (or do what its thread needs next)."""
    return _advance(context, lead_id, start=True)


def wake_lead(context: JobContext, lead_id: str) -> str:
    """Read a lead's new replies, fire its due timer, or resume its stopped run."""
    return _advance(context, lead_id, start=False)


def deliver_outbox() -> str:
    """Send the due emails of the outbox within each mailbox's daily cap."""
    runner = lead_runners().engage
    pass_report = TickReport(now=runner.context.clock.now())
    escalated = runner.escalate_handoffs(pass_report)
    for problem in pass_report.errors:
        log.warning("deliver outbox: %s", problem)
    delivery = runner.deliver()
    overdue = report_overdue(runner.context.database_url, now=runner.context.clock.now())
    return (
        f"sent {delivery.sent}, {overdue} held past the review limit, {escalated} hand-offs "
        "escalated"
    )


def plan_engage(context: JobContext, timestamp: int | None = None) -> str:
    """The engage pass: import replies, then queue a job per lead with work to do, and
    research for candidates whose fit is unknown (started by a later pass)."""
    queue = context.app
    assert queue is not None
    report, plan = lead_runners().engage.plan(starting=waiting_jobs(queue, "start_lead"))
    woken = sum(enqueue(queue, "wake_lead", lead_id) for lead_id in plan.wake)
    started = sum(enqueue(queue, "start_lead", lead_id) for lead_id in plan.start)
    researched = sum(
        enqueue(queue, "research_lead", lead_id, force=True) for lead_id in plan.research
    )
    enqueue(queue, "deliver_outbox")
    for problem in report.errors:
        log.warning("engage pass: %s", problem)
    return f"queued {woken} wakes, {started} starts, {researched} research"


def refresh_research(context: JobContext, timestamp: int | None = None) -> str:
    """Queue research for every eligible lead whose research is missing or stale, or
    whose fit answers an earlier ICP (the job then re-judges only the fit)."""
    queue = context.app
    assert queue is not None
    due = lead_runners().research.due_leads(utc_now())
    return f"queued {sum(enqueue(queue, 'research_lead', lead_id) for lead_id in due)} research"


def plan_requested_research(context: JobContext, timestamp: int | None = None) -> str:
    """Queue research for the leads a change asked it for (a new lead, an email made
    valid, an account connected or filled in), a bounded batch per pass, oldest first."""
    queue = context.app
    assert queue is not None
    waiting = waiting_requests(lead_runners().research.context.database_url)
    queued = sum(
        enqueue(queue, "research_lead", request.lead_id, requested=True) for request in waiting
    )
    return f"queued {queued} requested research of {len(waiting)} waiting"


def prune_checkpoints(context: JobContext, timestamp: int | None = None) -> str:
    """The retention pass: threads finished long ago keep only their latest checkpoint."""
    settings = get_settings()
    report = prune_finished_threads(
        lead_runners().checkpointer,
        settings.resolved_database_url,
        utc_now(),
        settings.checkpoint_retention_days,
    )
    return f"pruned {report.pruned} threads, {len(report.busy)} busy"


async def retry_stalled_jobs(context: JobContext, timestamp: int | None = None) -> str:
    """Give the jobs of a worker that stopped beating (killed, its machine lost) to
    another worker; the re-run resumes from the lead's last checkpoint."""
    queue = context.app
    assert queue is not None
    stalled = await queue.job_manager.get_stalled_jobs(
        seconds_since_heartbeat=get_settings().worker_stalled_after_s
    )
    for job in stalled:
        await queue.job_manager.retry_job(job)
    return f"retried {len(stalled)}"
