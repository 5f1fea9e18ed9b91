"""`qualify import leads|accounts FILE.csv`: import CRM rows; bad rows are reported and skipped."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import typer
from sqlmodel import Session

from app.cli.run_context import console, database_url, fail
from core.clock import utc_now
from core.settings import get_settings
from store.csv_import import CsvImportError, ImportReport, import_accounts_csv, import_leads_csv
from store.db import session_scope

import_app = typer.Typer(help="Import leads or accounts from CSV.")


SHOWN_PROBLEMS = 20
"""Problems printed; all of them go to a file when there are more."""


def _import(import_csv: Callable[[Session, Path], ImportReport], path: Path) -> None:
    try:
        with session_scope(database_url()) as session:
            report = import_csv(session, path)
    except CsvImportError as exc:
        raise fail(str(exc)) from exc
    console.print(
        f"Imported {report.imported} rows, updated {report.updated}, skipped {report.skipped}."
    )
    for warning in report.warnings:
        console.print(f"[yellow]warning:[/yellow] {warning}", highlight=False)
    lines = [f"row {e.row}, {e.field}: {e.message}" for e in report.errors]
    for line in lines[:SHOWN_PROBLEMS]:
        console.print(f"  {line}", highlight=False, markup=False)
    if len(lines) > SHOWN_PROBLEMS:
        problems = _problems_file(path)
        problems.write_text("\n".join(lines) + "\n", encoding="utf-8")
        console.print(
            f"  ... and {len(lines) - SHOWN_PROBLEMS} more; all {len(lines)} in {problems}",
            soft_wrap=True,
            highlight=False,
        )
    if report.skipped:
        # Scripts and schedulers must see that rows were left behind.
        raise typer.Exit(code=1)


def _problems_file(source: Path) -> Path:
    folder = get_settings().home / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    stamp = utc_now().strftime("%Y%m%dT%H%M%SZ")
    return folder / f"{source.stem}-problems-{stamp}.txt"


@import_app.command("leads")
def import_leads(path: Path) -> None:
    """Import leads from CSV; bad rows are reported and skipped."""
    _import(import_leads_csv, path)


@import_app.command("accounts")
def import_accounts(path: Path) -> None:
    """Import accounts from CSV; bad rows are reported and skipped."""
    _import(import_accounts_csv, path)
