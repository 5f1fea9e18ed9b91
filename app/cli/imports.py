"""`qualify import KIND FILE.csv`: import CRM exports; bad rows are reported and skipped.

KIND is leads, accounts, contacts, opportunities, users or activities.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from app.cli.run_context import console, database_url, fail
from core.clock import utc_now
from core.settings import get_settings
from store.db import session_scope
from store.imports import KINDS, REVENUE_UNITS, CsvImportError, import_csv, known_headers

import_app = typer.Typer(
    help="Import CRM exports (CSV): leads, accounts, contacts, opportunities, users, activities."
)


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
    kind: str,
    path: Path,
    *,
    dry_run: bool,
    mapping: dict[str, str],
    revenue_unit: str = "one",
) -> None:
    try:
        with session_scope(database_url()) as session:
            report = import_csv(
                kind,
                session,
                path,
                dry_run=dry_run,
                mapping=mapping,
                revenue_unit=revenue_unit,
            )
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


_HELP = {
    "leads": "Import leads from a CSV export (Dynamics 365, Salesforce, HubSpot or your own); "
    "bad rows are reported and skipped, a lead already stored (same id or email) is updated; "
    "any opt-out column marks the lead do-not-email.",
    "contacts": "Import contacts; a contact already stored (same id or email) is updated; the "
    "account is given by id or by name (import accounts first).",
    "opportunities": "Import opportunities (deals), open or closed, with their account "
    "(id or name), contact, originating lead, stage, value and owner.",
    "users": "Import the CRM's users; a CRM role or profile name (Salesperson, Standard User, "
    "System Administrator, ...) is read as seller, sales_manager, supervisor, admin or "
    "marketing.",
    "activities": "Import emails and meetings with their parties (from, to or attendees, as "
    "addresses): who knows whom and when they last spoke.",
}


def _command(kind: str) -> None:
    def command(path: Path, dry_run: DryRunOption = False, map_: MapOption = None) -> None:
        _import(kind, path, dry_run=dry_run, mapping=_mapping(map_))

    import_app.command(kind, help=f"{_HELP[kind]} {_columns_help(kind)}")(command)


for _kind in KINDS:
    if _kind != "accounts":
        _command(_kind)


@import_app.command(
    "accounts",
    help="Import accounts from a CSV export; bad rows are reported and skipped, an account "
    "already stored (same id, domain or name) is updated. Headcount and revenue may be ranges "
    "or amounts in any currency; --revenue-unit says what a bare revenue number counts in, and "
    "revenue implausible for the headcount is warned about. " + _columns_help("accounts"),
)
def import_accounts(
    path: Path,
    dry_run: DryRunOption = False,
    map_: MapOption = None,
    revenue_unit: Annotated[
        str,
        typer.Option(
            help="What a bare revenue number counts in: "
            + ", ".join(REVENUE_UNITS)
            + " (CRMs often keep millions)."
        ),
    ] = "one",
) -> None:
    if revenue_unit not in REVENUE_UNITS:
        raise typer.BadParameter(
            f"{revenue_unit!r}: use one of {', '.join(REVENUE_UNITS)}", param_hint="--revenue-unit"
        )
    _import("accounts", path, dry_run=dry_run, mapping=_mapping(map_), revenue_unit=revenue_unit)
