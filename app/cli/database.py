"""`qualify db ...`: the database's schema revision, and upgrading it to this release's."""

from __future__ import annotations

import typer
from sqlalchemy.exc import SQLAlchemyError

from app.cli.run_context import console, database_url, fail
from core.settings import get_settings
from store.schema_migrations import (
    SchemaError,
    current_revision,
    display_url,
    head_revision,
    upgrade_database,
)
from store.sqlite_files import is_read_only_error

db_app = typer.Typer(help="The database's schema: which revision it is at, and upgrading it.")


@db_app.command("upgrade")
def upgrade() -> None:
    """Upgrade the database (QUALIFY_DATABASE_URL, or the home's) to this release's schema."""
    url = database_url()
    try:
        before, head = upgrade_database(url)
    except (SchemaError, SQLAlchemyError) as exc:
        if is_read_only_error(exc):
            raise  # `qualify` names what cannot be written, and the ways out
        raise fail(
            f"could not upgrade the database at {display_url(url)}: {_first_line(exc)}",
            soft_wrap=True,
        ) from exc
    if before == head:
        console.print(
            f"The database at {display_url(url)} is already at {head} (head).",
            highlight=False,
            soft_wrap=True,
        )
    else:
        console.print(
            f"Upgraded the database at {display_url(url)} from {before or 'no revision'} "
            f"to {head}.",
            highlight=False,
            soft_wrap=True,
        )
    if get_settings().postgres_url is not None:
        _upgrade_task_queue()


def _upgrade_task_queue() -> None:
    """The workers' task queue lives in the same PostgreSQL database: its tables too."""
    try:
        from app.workers.task_queue import apply_queue_schema, task_queue
    except ImportError:
        console.print(
            "No task queue: the PostgreSQL extras are not installed "
            "(pip install -c constraints.txt -e '.[postgres]'); workers cannot run.",
            highlight=False,
        )
        return
    created = apply_queue_schema(task_queue())
    console.print(
        "Created the task queue's tables." if created else "The task queue's tables are there."
    )


@db_app.command("current")
def current() -> None:
    """Print the database's schema revision and this release's (head); writes nothing."""
    url = database_url()
    try:
        revision = current_revision(url)
    except SQLAlchemyError as exc:
        raise fail(
            f"could not read the database at {display_url(url)}: {_first_line(exc)}",
            soft_wrap=True,
        ) from exc
    head = head_revision()
    if revision == head:
        console.print(f"{revision} (head)", highlight=False)
    else:
        console.print(
            f"{revision or 'no revision'} (this release needs {head}: run qualify db upgrade)",
            highlight=False,
            soft_wrap=True,
        )


def _first_line(exc: BaseException) -> str:
    """The error's first line: SQLAlchemy appends the statement and a link."""
    return str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
