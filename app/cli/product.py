"""`qualify product ...`: admins read and replace what the agent knows about the product
it sells (profile and FAQ), with every version kept."""

from __future__ import annotations

import getpass
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from app.cli.run_context import console, database_url, errors, fail
from core.settings import get_settings
from graphs.knowledge.product_catalog import ProductDocumentError
from graphs.knowledge.product_versions import (
    history,
    list_products,
    rollback,
    save_document,
    show_document,
)

product_app = typer.Typer(
    help="Show or set the product the agent sells: its profile (what it is, the problems "
    "it solves, competitors, pricing, proof) and its FAQ."
)

ProductArgument = Annotated[
    str | None, typer.Argument(help="Product key (default: QUALIFY_PRODUCT).", show_default=False)
]


def _author() -> str:
    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no login name in some containers
        return "admin"


def _fail(message: str) -> typer.Exit:
    # Validation messages quote YAML, brackets included.
    return fail(escape(message))


@product_app.command("list")
def list_command() -> None:
    """Every product with the version in force; * marks the one the agent sells."""
    table = Table(title="Products")
    for column in ("Product", "Name", "In force", "Stored versions"):
        table.add_column(column, no_wrap=True)
    try:
        summaries = list_products(database_url())
    except ValueError as exc:
        raise _fail(str(exc)) from exc
    for summary in summaries:
        mark = " *" if summary.sold else ""
        table.add_row(
            summary.product + mark, summary.name, summary.in_force, str(summary.stored_versions)
        )
    console.print(table)


@product_app.command("show")
def show_command(
    product: ProductArgument = None,
    version: Annotated[
        str | None,
        typer.Option("--version", "-v", help="A number or 'shipped' (default: in force)."),
    ] = None,
) -> None:
    """Print a product's document (profile and FAQ) as YAML to edit and `set` again."""
    name = product or get_settings().product
    try:
        document = show_document(database_url(), name, version)
    except ProductDocumentError as exc:
        raise _fail(str(exc)) from exc
    state = "in force" if document.in_force else "not in force"
    errors.print(f"{name} version {document.version} ({state})", highlight=False)
    console.print(escape(document.text), highlight=False, soft_wrap=True, end="")


@product_app.command("set")
def set_command(
    path: Annotated[Path, typer.Argument(help="A YAML document as `product show` prints.")],
    product: Annotated[
        str | None, typer.Option(help="Product key (default: QUALIFY_PRODUCT).")
    ] = None,
    note: Annotated[str, typer.Option(help="Why it changed.")] = "",
    by: Annotated[str | None, typer.Option(help="Who made the change.")] = None,
) -> None:
    """Store a new version of a product's document; it is in force from the next step the
    agent runs. A document that does not validate changes nothing."""
    name = product or get_settings().product
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise _fail(f"cannot read {path}: {exc}") from exc
    try:
        saved = save_document(database_url(), name, text, author=by or _author(), note=note)
    except ProductDocumentError as exc:
        raise _fail(str(exc)) from exc
    console.print(f"Product {name!r}: version {saved.version} saved and in force.")


@product_app.command("history")
def history_command(product: ProductArgument = None) -> None:
    """Every stored version of a product, oldest first."""
    name = product or get_settings().product
    table = Table(title=f"{name}: stored versions (none: the shipped files are in force)")
    for column in ("Version", "Saved", "By", "State", "Note"):
        table.add_column(column)
    for row in history(database_url(), name):
        state = "in force" if row.in_force else ("rolled back" if row.retired else "superseded")
        when = row.created_on.strftime("%Y-%m-%d %H:%M UTC") if row.created_on else "-"
        table.add_row(row.version, when, row.author or "-", state, escape(row.note))
    console.print(table)


@product_app.command("rollback")
def rollback_command(product: ProductArgument = None) -> None:
    """Retire the version in force: the one before it (or the shipped files) is in force."""
    name = product or get_settings().product
    try:
        now = rollback(database_url(), name)
    except ProductDocumentError as exc:
        raise _fail(str(exc)) from exc
    console.print(f"Product {name!r}: rolled back; in force now: {now}.")
