"""What every `qualify` command runs with: the consoles, the error exit, the database, the
`--engine` option with the run `Context` it picks, and the research runner (opened as
`app.research_runner` does, for the console too)."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from sqlmodel import Session, select

from app.research_runner import research_runner as research_runner
from core.settings import get_settings
from graphs.context import Context
from store.crm import User
from store.db import get_db_engine

console = Console()
errors = Console(stderr=True)

EngineOption = Annotated[
    str | None, typer.Option("--engine", help="offline or llm (default: QUALIFY_ENGINE).")
]


def fail(message: str, *, soft_wrap: bool = False) -> typer.Exit:
    """Print `Error: message` on stderr; the caller raises the returned exit (code 1)."""
    # Escaped: a message quoting data ("[unconfirmed]", a lead's text) is shown as it is.
    errors.print(f"[red]Error:[/red] {escape(message)}", highlight=False, soft_wrap=soft_wrap)
    return typer.Exit(code=1)


def database_url() -> str:
    """The database of the CRM, the agents' records and the settings."""
    return get_settings().resolved_database_url


def context_for(engine: str | None = None) -> Context:
    """The run context for an `--engine` value (None: the default, QUALIFY_ENGINE)."""
    if engine is not None and engine not in ("offline", "llm"):
        raise typer.BadParameter("use 'offline' or 'llm'", param_hint="--engine")
    return Context(engine=engine) if engine else Context()  # type: ignore[arg-type]


def user_id_named(owner: str) -> str:
    """The user id `owner` names (an id, an email or a full name), or exit 1 saying who
    the owners are."""
    wanted = owner.strip().casefold()
    with Session(get_db_engine(database_url())) as session:
        users = session.exec(select(User)).all()
    for user in users:
        if wanted in (user.id.casefold(), user.email.casefold(), user.full_name.casefold()):
            return user.id
    known = ", ".join(f"{user.id} ({user.full_name})" for user in users[:12])
    raise fail(f"no user {owner!r}: give a user id, email or full name, e.g. {known}")
