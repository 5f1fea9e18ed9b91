"""`qualify research`: research leads with a progress bar, then a table of the outcomes."""

from __future__ import annotations

from collections import Counter
from itertools import chain
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from app.cli.run_context import EngineOption, console, context_for, research_runner
from graphs.research.requested_research import research_requested, waiting_requests
from store.research_requests import PendingResearch, reason_words


def research(
    lead_ids: Annotated[
        list[str] | None, typer.Argument(help="Lead ids; default all eligible.")
    ] = None,
    force: Annotated[
        bool, typer.Option(help="Research even if fresh or outside the selection rules.")
    ] = False,
    concurrency: Annotated[
        int | None,
        typer.Option(
            min=1,
            max=64,
            help="Leads side by side with a model (default QUALIFY_RESEARCH_CONCURRENCY).",
        ),
    ] = None,
    pending: Annotated[
        bool,
        typer.Option(
            "--pending",
            help="Only the leads a change asked research for (new, email made valid, "
            "account connected or filled in): list them, then research them.",
        ),
    ] = False,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="With --pending: list them, research nothing.")
    ] = False,
    engine: EngineOption = None,
) -> None:
    """Research leads: insights, email check, ICP fit and an outreach draft. Leads a change
    asked research for are researched first, however fresh."""
    counts: Counter[str] = Counter()
    examples: dict[str, str] = {}
    problems: list[tuple[str, str]] = []
    rejudged = 0
    if dry_run and not pending:
        raise typer.BadParameter("--dry-run lists pending requests: use it with --pending")
    context = context_for(engine)
    waiting = waiting_requests(context.database_url, limit=None)
    if pending:
        _show_pending(waiting)
        if dry_run or not waiting:
            return
    with research_runner(context) as runner:
        if pending:
            ids: list[str] = []
        else:
            ids = lead_ids or [lead.lead_id for lead in runner.eligible_leads()]
        requested = [r.lead_id for r in waiting]
        # What the requests research now, the batch does not do again.
        ids = [lead_id for lead_id in ids if lead_id not in set(requested)]
        total = len(requested) + len(ids)
        progress = Progress(
            TextColumn("[bold]Researching"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TextColumn("{task.description}"),
            console=console,
            disable=not console.is_terminal,
        )
        with progress:
            task = progress.add_task("", total=total)
            outcomes = chain(
                research_requested(runner, limit=None, concurrency=concurrency),
                runner.research(ids, force=force, concurrency=concurrency),
            )
            for outcome in outcomes:
                key = (
                    outcome.recommendation
                    if outcome.status in ("researched", "rejudged", "resumed")
                    else None
                )
                rejudged += outcome.status == "rejudged"
                counts[key or outcome.status] += 1
                examples.setdefault(key or outcome.status, outcome.lead_id)
                if outcome.status in ("error", "not_eligible"):
                    problems.append((outcome.lead_id, f"{outcome.status}: {outcome.message}"))
                elif outcome.message and outcome.status != "busy":  # the table counts those
                    problems.append((outcome.lead_id, f"note: {outcome.message}"))
                progress.update(task, advance=1, description=outcome.lead_id)
    table = Table(title=f"Research of {total} leads")
    table.add_column("Outcome")
    table.add_column("Leads", justify="right")
    table.add_column("For example")
    for outcome_name, count in counts.most_common():
        table.add_row(outcome_name, str(count), examples[outcome_name])
    console.print(table)
    if rejudged:
        console.print(
            f"{rejudged} of them had fresh research and an earlier ICP's fit: their fit was "
            "re-judged from the stored research, with no web search.",
            highlight=False,
        )
    for lead_id, message in problems[:50]:
        console.print(f"  {lead_id}: {message}", highlight=False)
    if len(problems) > 50:
        console.print(f"  … and {len(problems) - 50} more")
    if examples:
        console.print(f"Read a lead's insights with: qualify show {next(iter(examples.values()))}")
    if requested:
        console.print(f"{len(requested)} of them were researched on request (a change asked).")
    if counts.get("error"):
        raise typer.Exit(code=1)


def _show_pending(waiting: list[PendingResearch]) -> None:
    if not waiting:
        console.print("No research requests are pending.")
        return
    table = Table(title=f"{len(waiting)} leads waiting for research")
    table.add_column("Lead")
    table.add_column("Why")
    table.add_column("Asked on")
    table.add_column("Failed runs", justify="right")
    for request in waiting:
        table.add_row(
            request.lead_id,
            reason_words(request.reasons),
            f"{request.created_on:%Y-%m-%d %H:%M}",
            str(request.attempts) if request.attempts else "",
        )
    console.print(table)
