"""`qualify import leads|accounts FILE.csv`: import CRM rows; bad rows are reported and skipped."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer

from app.cli.run_context import console, database_url, fail
from core.clock import utc_now
from core.settings import get_settings
from store.csv_import import (
    CsvImportError,
    ImportReport,
    import_accounts_csv,
    import_leads_csv,
    known_headers,
)
from store.db import session_scope

import_app = typer.Typer(help="Import leads or accounts from CSV.")


SHOWN_PROBLEMS = 20
"""Problems printed; all of them go to a file when there are more."""


MapOption = Annotated[
    list[str] | None,
    typer.Option(
        "--map",
        help="FIELD=COLUMN: read FIELD from a column of another name (repeatable), "
        "e.g. --map company_name='Organisation'.",
    ),
]
DryRunOption = Annotated[
    bool,
    typer.Option("--dry-run", help="Show the column mapping, counts and problems; write nothing."),
]


def _mapping(pairs: list[str] | None) -> dict[str, str]:
    mapping: dict[str, str] = {}
    for pair in pairs or []:
        field, sep, column = pair.partition("=")
        if not sep or not field.strip() or not column.strip():
            raise typer.BadParameter(f"{pair!r}: write FIELD=COLUMN", param_hint="--map")
        mapping[field.strip()] = column.strip()
    return mapping


def _import(
    import_csv: Callable[..., ImportReport],
    path: Path,
    *,
    dry_run: bool,
    mapping: dict[str, str],
) -> None:
    try:
        with session_scope(database_url()) as session:
            report = import_csv(session, path, dry_run=dry_run, mapping=mapping)
    except CsvImportError as exc:
        raise fail(str(exc)) from exc
    if dry_run:
        console.print("Dry run: nothing was written. Columns read:")
        for column, field in report.columns.items():
            console.print(f"  {column} -> {field}", highlight=False, markup=False)
    verb = "Would import" if dry_run else "Imported"
    console.print(
        f"{verb} {report.imported} rows, update {report.updated}, skip {report.skipped}."
        if dry_run
        else f"{verb} {report.imported} rows, updated {report.updated}, skipped {report.skipped}."
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


def _columns_help(kind: str) -> str:
    fields = known_headers(kind)
    return "Fields and the export headers read for them: " + "; ".join(
        f"{field} ({', '.join(names[:4])}{', ...' if len(names) > 4 else ''})" if names else field
        for field, names in fields.items()
    )


def _problems_file(source: Path) -> Path:
    folder = get_settings().home / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    stamp = utc_now().strftime("%Y%m%dT%H%M%SZ")
    return folder / f"{source.stem}-problems-{stamp}.txt"


@import_app.command(
    "leads",
    help="Import leads from a CSV export (Dynamics 365, Salesforce, HubSpot or your own); "
    "bad rows are reported and skipped, a lead already stored is updated. "
    + _columns_help("leads"),
)
def import_leads(path: Path, dry_run: DryRunOption = False, map_: MapOption = None) -> None:
    _import(import_leads_csv, path, dry_run=dry_run, mapping=_mapping(map_))


@import_app.command(
    "accounts",
    help="Import accounts from a CSV export; bad rows are reported and skipped, an account "
    "already stored (same id, domain or name) is updated. " + _columns_help("accounts"),
)
def import_accounts(path: Path, dry_run: DryRunOption = False, map_: MapOption = None) -> None:
    _import(import_accounts_csv, path, dry_run=dry_run, mapping=_mapping(map_))
