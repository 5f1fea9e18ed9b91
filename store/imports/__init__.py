"""Import CRM exports: leads, accounts, contacts, opportunities, users and activities.

Rows as Dynamics 365, Salesforce and HubSpot export them (their header names are known,
`--map FIELD=COLUMN` covers the rest); good rows are stored or update the record they are
about, bad rows are reported by row number and column and skipped. See `batches`.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from sqlmodel import Session

from core.clock import as_utc, utc_now
from store.imports.accounts import ACCOUNTS, REVENUE_UNITS
from store.imports.activities import ACTIVITIES
from store.imports.batches import ImportKind, run_import
from store.imports.contacts import CONTACTS
from store.imports.leads import LEADS
from store.imports.opportunities import OPPORTUNITIES
from store.imports.report import CsvImportError, ImportReport, RowError
from store.imports.users import USERS

KINDS: dict[str, ImportKind] = {  # type: ignore[type-arg]
    kind.name: kind for kind in (LEADS, ACCOUNTS, CONTACTS, OPPORTUNITIES, USERS, ACTIVITIES)
}
"""Every kind of record an export may hold, by the name the CLI uses."""

__all__ = [
    "KINDS",
    "REVENUE_UNITS",
    "CsvImportError",
    "ImportReport",
    "RowError",
    "import_csv",
    "known_headers",
]


def known_headers(kind: str) -> dict[str, tuple[str, ...]]:
    """Each field of an import and the export headers that fill it."""
    return dict(KINDS[kind].aliases)


def import_csv(
    kind: str,
    session: Session,
    path: Path,
    *,
    now: datetime | None = None,
    dry_run: bool = False,
    mapping: dict[str, str] | None = None,
    revenue_unit: str = "one",
) -> ImportReport:
    """Import a CSV export of `kind` (leads, accounts, contacts, opportunities, users,
    activities); `revenue_unit` says what a bare revenue number counts in."""
    return run_import(
        KINDS[kind],
        session,
        path,
        now=as_utc(now) if now is not None else utc_now(),
        dry_run=dry_run,
        mapping=mapping,
        revenue_unit=REVENUE_UNITS[revenue_unit],
    )
