"""`qualify replay` and `qualify replays`: supervisors rerun a lead's thread from a step."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table
from sqlmodel import Session, col, select

from app.cli.run_context import console, database_url, fail
from core.settings import get_settings
from graphs.checkpointing import open_checkpointer
from graphs.context import Context
from graphs.tracing.replay import ReplayError, ReplayResult, parse_edit, replay
from prompts.registry import PromptError
from store.db import get_db_engine
from store.replays import Replay


def _pins(pins: list[str]) -> tuple[tuple[str, str], ...]:
    """NODE=VERSION or PROMPT=VERSION pins, expanded to prompt names."""
    parsed: dict[str, str] = {}
    for pin in pins:
        name, sep, version = pin.partition("=")
        if not sep or not name or not version:
            raise ReplayError(f"--prompt {pin!r}: write NODE=VERSION, e.g. outreach_writer=2")
        parsed[name.strip()] = version.strip()
    try:
        from prompts.versioning import expand_prompt_pins
    except ImportError:  # versioning not installed: names are prompt names
        return tuple(parsed.items())
    return expand_prompt_pins(parsed, database_url=database_url())


def print_comparison(result: ReplayResult) -> None:
    """The original and replayed outcomes side by side; changed rows stand out."""
    table = Table(
        title=f"Replay {result.replay_id} from step {result.from_step} ({result.from_node})"
    )
    table.add_column("")
    table.add_column("Original")
    table.add_column("Replayed")
    for key in dict.fromkeys([*result.original, *result.replayed]):
        before, after = result.original.get(key, "—"), result.replayed.get(key, "—")
        style = None if before == after else "bold yellow"
        table.add_row(key, before, after, style=style)
    console.print(table)
    console.print(
        f"Sandbox thread {result.replay_thread_id}: nothing was emailed or written to the CRM.",
        highlight=False,
    )


def replay_command(
    lead_id: str,
    from_step: Annotated[int, typer.Option("--from", help="Trace step to rerun from (1 = first).")],
    mode: Annotated[str, typer.Option(help="research or engage")] = "research",
    prompt: Annotated[
        list[str] | None, typer.Option(help="NODE=VERSION or PROMPT=VERSION (repeatable).")
    ] = None,
    engine: Annotated[str | None, typer.Option(help="offline or llm")] = None,
    model: Annotated[str | None, typer.Option(help="Model name for the LLM engine.")] = None,
    set_value: Annotated[
        list[str] | None,
        typer.Option("--set", help="Edit a state value first: PATH=VALUE (repeatable)."),
    ] = None,
    by: Annotated[str | None, typer.Option(help="Who runs the replay.")] = None,
) -> None:
    """Fork a lead's thread at a step and run it on in a sandbox; compare the outcomes."""
    if mode not in ("research", "engage"):
        raise typer.BadParameter("use research or engage", param_hint="--mode")
    if engine not in (None, "offline", "llm"):
        raise typer.BadParameter("use offline or llm", param_hint="--engine")
    try:
        edits = dict(parse_edit(text) for text in set_value or [])
        pins = _pins(prompt or [])
        with open_checkpointer(get_settings().resolved_checkpoint_url) as saver:
            result = replay(
                saver,
                Context(),
                lead_id=lead_id,
                mode=mode,  # type: ignore[arg-type]
                from_step=from_step,
                prompt_versions=pins,
                engine=engine,
                model=model,
                edits=edits,
                created_by=by,
            )
    except (ReplayError, PromptError) as exc:
        raise fail(str(exc)) from exc
    print_comparison(result)


def replays_command(
    lead_id: Annotated[str | None, typer.Argument(help="Only this lead's replays.")] = None,
) -> None:
    """List the replays kept, newest first."""
    with Session(get_db_engine(database_url())) as session:
        query = select(Replay).order_by(col(Replay.created_on).desc())
        if lead_id:
            query = query.where(Replay.lead_id == lead_id)
        rows = session.exec(query).all()
    table = Table(title=f"{len(rows)} replays")
    for column in ("Id", "Lead", "Mode", "From", "Engine", "Prompts", "Edits", "When", "Changed"):
        table.add_column(column)
    for row in rows:
        changed = [k for k in row.replayed if row.replayed.get(k) != row.original.get(k)]
        table.add_row(
            str(row.id),
            row.lead_id,
            row.mode,
            f"{row.from_step} {row.from_node}",
            row.engine + (f":{row.model}" if row.model else ""),
            ", ".join(f"{k}@{v}" for k, v in row.prompt_versions.items()) or "—",
            ", ".join(f"{k}={v}" for k, v in row.edits.items()) or "—",
            f"{row.created_on:%Y-%m-%d %H:%M}",
            ", ".join(changed) or "nothing",
        )
    console.print(table)
