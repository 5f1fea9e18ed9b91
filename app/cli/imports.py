"""`qualify import leads|accounts FILE.csv`: import CRM rows; bad rows are reported and skipped."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import typer
from sqlmodel import Session

from app.cli.run_context import console, database_url, fail
from store.csv_import import CsvImportError, ImportReport, import_accounts_csv, import_leads_csv
from store.db import session_scope

import_app = typer.Typer(help="Import leads or accounts from CSV.")


def _import(import_csv: Callable[[Session, Path], ImportReport], path: Path) -> None:
    try:
        with session_scope(database_url()) as session:
            report = import_csv(session, path)
    except CsvImportError as exc:
        raise fail(str(exc)) from exc
    console.print(f"Imported {report.imported} rows, skipped {report.skipped}.")
    for warning in report.warnings:
        console.print(f"[yellow]warning:[/yellow] {warning}", highlight=False)
    for error in report.errors:
        console.print(f"  row {error.row}, {error.field}: {error.message}", highlight=False)


@import_app.command("leads")
def import_leads(path: Path) -> None:
    """Import leads from CSV; bad rows are reported and skipped."""
    _import(import_leads_csv, path)


@import_app.command("accounts")
def import_accounts(path: Path) -> None:
    """Import accounts from CSV; bad rows are reported and skipped."""
    _import(import_accounts_csv, path)
