"""A research batch as a console job: the first N eligible leads, or the leads a change
asked research for, researched as `qualify research` does (same runner, checkpointer and
model cache), with progress per lead."""

from __future__ import annotations

from collections import Counter
from typing import Literal

from app.research_runner import research_runner
from app.web.background_jobs import JobProgress, JobWork
from graphs.context import Context
from graphs.research.requested_research import research_requested, waiting_requests

BatchKind = Literal["eligible", "pending"]
MAX_BATCH = 10_000


def research_batch(database_url: str, kind: BatchKind, how_many: int) -> JobWork:
    """The job's work: research `how_many` eligible leads (newest first), or every lead
    waiting on a research request."""

    def work(progress: JobProgress) -> str | None:
        counts: Counter[str] = Counter()
        with research_runner(Context(database_url=database_url)) as runner:
            if kind == "pending":
                total = len(waiting_requests(database_url, limit=None))
                outcomes = research_requested(runner, limit=None)
            else:
                ids = [lead.lead_id for lead in runner.eligible_leads(limit=how_many)]
                total = len(ids)
                outcomes = runner.research(ids)
            progress(0, total, f"0 of {total} leads researched")
            for done, outcome in enumerate(outcomes, start=1):
                counts[outcome.status] += 1
                progress(done, total, f"{done} of {total}: {outcome.lead_id} {outcome.status}")
        summary = ", ".join(f"{status} {n}" for status, n in counts.most_common())
        progress(total, total, f"{total} leads: {summary or 'nothing to research'}")
        progress.flush()
        return None

    return work
