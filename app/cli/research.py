"""`qualify research`: research leads with a progress bar, then a table of the outcomes."""

from __future__ import annotations

from collections import Counter
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from app.cli.run_context import EngineOption, console, context_for, research_runner


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
    engine: EngineOption = None,
) -> None:
    """Research leads: insights, email check, ICP fit and an outreach draft."""
    counts: Counter[str] = Counter()
    examples: dict[str, str] = {}
    problems: list[tuple[str, str]] = []
    rejudged = 0
    with research_runner(context_for(engine)) as runner:
        ids = lead_ids or [lead.lead_id for lead in runner.eligible_leads()]
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
            task = progress.add_task("", total=len(ids))
            for outcome in runner.research(ids, force=force, concurrency=concurrency):
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
    table = Table(title=f"Research of {len(ids)} leads")
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
    if counts.get("error"):
        raise typer.Exit(code=1)
