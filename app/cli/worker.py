"""`qualify worker` and `qualify enqueue`: leads processed by workers of the task queue
on PostgreSQL, on as many machines as share the database."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Annotated

import typer

from app.cli.run_context import console, fail
from core.settings import get_settings
from store.schema_migrations import display_url

if TYPE_CHECKING:
    from procrastinate import App

# The queue's modules are imported by these commands only: procrastinate costs every
# other command 0.3 s of start-up.

enqueue_app = typer.Typer(help="Queue lead jobs for the workers (PostgreSQL only).")

LeadIds = Annotated[list[str] | None, typer.Argument(help="Lead ids (default: see the command).")]


def _queue() -> App:
    try:
        from app.workers.task_queue import QueueUnavailable, task_queue
    except ImportError as exc:
        raise fail(
            f"workers need the PostgreSQL extras ({exc.name} is missing): "
            "pip install -c constraints.txt -e '.[postgres]'"
        ) from None
    try:
        return task_queue()
    except QueueUnavailable as exc:
        raise fail(str(exc)) from None


def _require_schema(queue: App) -> None:
    from app.workers.task_queue import queue_has_tables

    if not queue_has_tables(queue):
        raise fail("the database has no task queue yet: run `qualify db upgrade` first")


def worker(
    concurrency: Annotated[
        int | None,
        typer.Option(help="Lead jobs run side by side (default: QUALIFY_WORKER_CONCURRENCY)."),
    ] = None,
    once: Annotated[
        bool, typer.Option("--once", help="Run the jobs queued now, then exit (no schedule).")
    ] = False,
) -> None:
    """Run lead jobs from the queue until stopped (Ctrl-C or SIGTERM finish the running
    jobs first); the engage pass and the research refresh run on their schedules."""
    from app.workers.lead_runners import close_lead_runners

    settings = get_settings()
    queue = _queue()
    concurrency = concurrency or settings.worker_concurrency
    # Each job's start, end and failure (with its traceback) on stderr, as procrastinate
    # logs them: a worker is watched through its log.
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    with queue.open():
        _require_schema(queue)
    console.print(
        f"worker on {display_url(settings.postgres_url or '')}: {concurrency} jobs at a time; "
        f"engage pass '{settings.engage_schedule}', research refresh "
        f"'{settings.research_schedule}'",
        highlight=False,
    )
    options = {
        "concurrency": concurrency,
        # A dead worker is noticed after worker_stalled_after_s; beat well within it.
        "update_heartbeat_interval": min(10.0, settings.worker_stalled_after_s / 3),
        "stalled_worker_timeout": settings.worker_stalled_after_s,
        "delete_jobs": "successful",
    }
    try:
        if not once:
            queue.run_worker(**options)
            return
        # Without waiting, a worker stops as soon as one fetch finds the queue empty, even
        # while its running jobs queue more (a pass queues leads): go on until none wait.
        while _waiting(queue):
            queue.run_worker(wait=False, **options)
    finally:
        close_lead_runners()


def _waiting(queue: App) -> int:
    from app.workers.lead_jobs import waiting_jobs

    with queue.open():
        return waiting_jobs(queue, running=False)


def _report(kind: str, queued: int, total: int) -> None:
    console.print(
        f"queued {queued} {kind} job{'s' * (queued != 1)}"
        + (f" ({total - queued} already waiting)" if total > queued else "")
    )


@enqueue_app.command("research")
def enqueue_research(
    lead_ids: LeadIds = None,
    force: Annotated[
        bool, typer.Option("--force", help="Research even if ineligible or fresh.")
    ] = False,
) -> None:
    """Queue research of these leads (default: a refresh pass, which queues every
    eligible lead whose research is missing or stale)."""
    _enqueue(
        lead_ids, ("refresh_research", "research refresh"), ("research_lead", "research"),
        force=force,
    )  # fmt: skip


@enqueue_app.command("requests")
def enqueue_requests() -> None:
    """Queue the pass that takes the research requests changes made (new leads, emails
    made valid, accounts connected or filled in) now, without waiting for its schedule."""
    _enqueue(None, ("plan_requested_research", "research requests pass"), ("", ""))


@enqueue_app.command("engage")
def enqueue_engage(lead_ids: LeadIds = None) -> None:
    """Queue an engage pass now (default), or these leads: each is started if never
    engaged, else woken for whatever is due (replies, a timer)."""
    _enqueue(lead_ids, ("plan_engage", "engage pass"), ("start_lead", "engage"))


def _enqueue(
    lead_ids: list[str] | None,
    whole_pass: tuple[str, str],
    per_lead: tuple[str, str],
    **arguments: object,
) -> None:
    """Queue a job per lead, or with no lead the whole pass; each as (task, what to call it)."""
    from app.workers.lead_jobs import enqueue

    queue = _queue()
    with queue.open():
        _require_schema(queue)
        if not lead_ids:
            task, kind = whole_pass
            _report(kind, int(enqueue(queue, task)), 1)
            return
        task, kind = per_lead
        queued = sum(enqueue(queue, task, lead_id, **arguments) for lead_id in lead_ids)
    _report(kind, queued, len(lead_ids))
