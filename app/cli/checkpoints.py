"""`qualify checkpoints prune`: finished threads keep only their latest checkpoint."""

from __future__ import annotations

from typing import Annotated

import typer

from app.cli.run_context import console, database_url
from core.clock import utc_now
from core.settings import get_settings
from graphs.checkpoint_retention import prune_finished_threads
from graphs.checkpointing import open_checkpointer

checkpoints_app = typer.Typer(help="The lead threads' checkpoints: retention.")


@checkpoints_app.command("prune")
def prune(
    older_than: Annotated[
        float | None,
        typer.Option(
            "--older-than",
            min=0,
            help="Days since the thread finished (default: QUALIFY_CHECKPOINT_RETENTION_DAYS).",
        ),
    ] = None,
) -> None:
    """Keep only the latest checkpoint of threads that finished long ago (research done,
    conversations handed off or stopped); every step's record stays in the trace."""
    settings = get_settings()
    days = settings.checkpoint_retention_days if older_than is None else older_than
    with open_checkpointer(settings.resolved_checkpoint_url) as saver:
        report = prune_finished_threads(saver, database_url(), utc_now(), days)
    threads = f"{report.pruned} thread{'s' * (report.pruned != 1)}"
    console.print(
        f"kept only the latest checkpoint of {threads} finished over {days:g} days ago"
        + (f"; {len(report.busy)} running elsewhere, left for next time" if report.busy else ""),
        highlight=False,
    )
