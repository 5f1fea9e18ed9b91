"""`qualify prompts ...`: admins list, read, edit, compare, activate and roll back prompts."""

from __future__ import annotations

import getpass
import tempfile
from datetime import datetime
from pathlib import Path
from typing import Annotated

import click
import typer
from rich.markup import escape
from rich.table import Table

from app.cli.run_context import console, database_url, errors, fail
from prompts.registry import PromptError
from prompts.versioning import (
    activate,
    activation_log,
    diff,
    history,
    list_prompts,
    rollback,
    save_version,
    show,
)

prompts_app = typer.Typer(help="Admin versions of the prompts: list, show, edit, roll back.")

NameArgument = Annotated[str, typer.Argument(help="Prompt name, e.g. offline_outreach_email.")]


def _fail(message: str) -> typer.Exit:
    """`fail` with the message escaped: prompt errors quote template text, brackets and all."""
    return fail(escape(message))


def _default_author() -> str:
    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no login name in some containers
        return "admin"


def _when(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M UTC") if value is not None else "-"


@prompts_app.command("list")
def list_command() -> None:
    """Every prompt with its engine, active version and stored versions."""
    table = Table(title="Prompts")
    for column in ("Prompt", "Engine", "Active", "Versions"):
        table.add_column(column, no_wrap=True)
    table.add_column("Description")
    for summary in list_prompts(database_url()):
        table.add_row(
            summary.name,
            summary.engine,
            summary.active_version,
            str(summary.versions),
            summary.description,
        )
    console.print(table)


@prompts_app.command("show")
def show_command(
    name: NameArgument,
    version: Annotated[
        str | None, typer.Option("--version", "-v", help="A number or 'default' (default: active).")
    ] = None,
) -> None:
    """Print a version's text (the active one unless --version); details go to stderr."""
    try:
        info = show(database_url(), name, version)
    except PromptError as exc:
        raise _fail(str(exc)) from exc
    state = "active" if info.active else "not active"
    errors.print(
        f"{info.name} version {info.version} ({state}); author {info.author or '-'}, "
        f"{_when(info.created_on)}; {info.note or 'no note'}",
        highlight=False,
        markup=False,
    )
    typer.echo(info.text, nl=False)


def _edited_text(name: str, file: Path | None) -> str | None:
    """The new text, or None when it is the active text unchanged."""
    try:
        current = show(database_url(), name).text
    except PromptError as exc:
        raise _fail(str(exc)) from exc
    if file is None:
        edited = click.edit(current, extension=".md", require_save=True)
    else:
        try:
            edited = file.read_text(encoding="utf-8")
        except OSError as exc:
            raise _fail(f"cannot read --file {file}: {exc.strerror or exc}") from exc
    return None if edited is None or edited == current else edited


def _keep_rejected(name: str, text: str) -> Path:
    with tempfile.NamedTemporaryFile(
        "w", encoding="utf-8", prefix=f"{name}-", suffix=".md", delete=False
    ) as handle:
        handle.write(text)
    return Path(handle.name)


@prompts_app.command("edit")
def edit_command(
    name: NameArgument,
    file: Annotated[
        Path | None,
        typer.Option("--file", "-f", help="Read the new version from this file, not $EDITOR."),
    ] = None,
    author: Annotated[str | None, typer.Option(help="Who made it (default: login name).")] = None,
    note: Annotated[str, typer.Option(help="Why: shown in the history.")] = "",
    make_active: Annotated[
        bool, typer.Option("--activate/--no-activate", help="Make it the active version.")
    ] = True,
) -> None:
    """Save a new version of a prompt, from $EDITOR (on the active text) or --file."""
    text = _edited_text(name, file)
    if text is None:
        console.print(f"{name}: same text as the active version; nothing saved.")
        return
    try:
        saved = save_version(
            database_url(), name, text, author or _default_author(), note, activate=make_active
        )
    except PromptError as exc:
        message = f"{exc}\nNothing saved; the active version is unchanged."
        if file is None:  # do not lose what the admin typed in the editor
            message += f"\nYour text is in {_keep_rejected(name, text)}; fix it and use --file."
        raise _fail(message) from exc
    state = "now active" if saved.active else "saved, not active"
    console.print(f"{name}: version {saved.version} {state}.", highlight=False)


@prompts_app.command("history")
def history_command(name: NameArgument) -> None:
    """Every version of a prompt (author, time, note) and its activations."""
    try:
        versions = history(database_url(), name)
        log = activation_log(database_url(), name)
    except PromptError as exc:
        raise _fail(str(exc)) from exc
    table = Table(title=f"{name}: versions")
    for column in ("Version", "Active", "Author", "Created", "Note"):
        table.add_column(column)
    for info in versions:
        table.add_row(
            info.version,
            "*" if info.active else "",
            info.author or "-",
            _when(info.created_on),
            info.note,
        )
    console.print(table)
    if log:
        activations = Table(title=f"{name}: activations")
        for column in ("Version", "When", "By", "Rolled back"):
            activations.add_column(column)
        for entry in log:
            activations.add_row(
                entry.version,
                _when(entry.activated_on),
                entry.activated_by or "-",
                "yes" if entry.rolled_back else "",
            )
        console.print(activations)


@prompts_app.command("diff")
def diff_command(
    name: NameArgument,
    v1: Annotated[str, typer.Argument(help="From version (a number or 'default').")],
    v2: Annotated[str, typer.Argument(help="To version (a number or 'default').")],
) -> None:
    """A unified diff between two versions of a prompt."""
    try:
        text = diff(database_url(), name, v1, v2)
    except PromptError as exc:
        raise _fail(str(exc)) from exc
    typer.echo(text or f"{name}: versions {v1} and {v2} have the same text.", nl=not text)


@prompts_app.command("activate")
def activate_command(
    name: NameArgument,
    version: Annotated[str, typer.Argument(help="A number or 'default'.")],
    by: Annotated[str | None, typer.Option(help="Who (default: login name).")] = None,
) -> None:
    """Make a version the one every new run uses."""
    try:
        info = activate(database_url(), name, version, by or _default_author())
    except PromptError as exc:
        raise _fail(str(exc)) from exc
    console.print(f"{name}: version {info.version} is active.", highlight=False)


@prompts_app.command("rollback")
def rollback_command(name: NameArgument) -> None:
    """Undo the latest activation: the previously active version is active again."""
    try:
        info = rollback(database_url(), name)
    except PromptError as exc:
        raise _fail(str(exc)) from exc
    console.print(f"{name}: rolled back; version {info.version} is active.", highlight=False)
