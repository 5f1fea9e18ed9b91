"""Research the leads a change asked for (`store.research_requests`): a new lead, an email
corrected to valid, an account connected or filled in. The workers' job, `qualify
research` and the engage pass all drain them this way, before their own work.

A request is marked done only once the lead's research is stored (or the selection rules
leave the lead out); a lead another process holds, or a run that failed, stays pending
for the next drain, and one that fails `GIVE_UP_AFTER` times is closed with its error.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from core.clock import utc_now
from graphs.research.runner import ResearchOutcome, ResearchRunner
from store.db import session_scope
from store.research_requests import (
    PendingResearch,
    mark_done,
    mark_failed,
    pending_requests,
)

REQUESTS_PER_DRAIN = 100
"""Leads one drain takes: a large import's requests are worked through over several."""

GIVE_UP_AFTER = 3
"""Failed runs after which a request is closed: such a lead needs a person, not retries."""

_DONE = ("researched", "rejudged", "resumed", "fresh", "not_eligible")


def waiting_requests(
    database_url: str,
    *,
    limit: int | None = REQUESTS_PER_DRAIN,
    lead_ids: Iterable[str] | None = None,
) -> list[PendingResearch]:
    """The leads waiting for research, oldest request first."""
    with session_scope(database_url) as session:
        return pending_requests(session, limit=limit, lead_ids=lead_ids)


def research_requested(
    runner: ResearchRunner,
    *,
    limit: int | None = REQUESTS_PER_DRAIN,
    lead_ids: Iterable[str] | None = None,
    concurrency: int | None = None,
) -> Iterator[ResearchOutcome]:
    """Research the leads waiting (`limit` of them, or only `lead_ids`), one outcome per
    lead as it finishes, each request marked as its research is stored."""
    database_url = runner.context.database_url
    waiting = {r.lead_id: r for r in waiting_requests(database_url, limit=limit, lead_ids=lead_ids)}
    if not waiting:
        return
    started = utc_now()
    for outcome in runner.research(list(waiting), concurrency=concurrency, requested=waiting):
        request = waiting[outcome.lead_id]
        with session_scope(database_url) as session:
            if outcome.status in _DONE:
                summary = outcome.status + (
                    f": {outcome.fit_level} fit" if outcome.fit_level else ""
                )
                mark_done(session, request, summary, utc_now(), started)
            elif outcome.status == "error":
                mark_failed(
                    session,
                    request,
                    outcome.message or "error",
                    utc_now(),
                    give_up_after=GIVE_UP_AFTER,
                )
            # busy: another process is researching it; the request waits for the next drain.
        yield outcome


def drain_requested(runner: ResearchRunner) -> list[str]:
    """Research the leads waiting (one drain); the problems, one line per lead."""
    return [
        f"{outcome.lead_id}: requested research failed: {outcome.message}"
        for outcome in research_requested(runner)
        if outcome.status == "error"
    ]
