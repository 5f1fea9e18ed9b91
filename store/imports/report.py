"""What an import did: rows stored, rows updated, rows skipped and why."""

from __future__ import annotations

from pydantic import BaseModel, Field

REPORTED_IDS = 1000
"""Ids listed in a report (the counts are always whole); a 100k-row import lists no 100k ids."""


class CsvImportError(ValueError):
    """The file as a whole cannot be imported (not a CSV, no header, ...); names the path."""


class RowError(BaseModel):
    """One problem in one row: where it is and how to fix it."""

    row: int = Field(description="Spreadsheet row number; the header is row 1.")
    field: str = Field(description="The column as named in the file, or the field name.")
    message: str


class ImportReport(BaseModel):
    """What an import did: rows stored, rows skipped and why."""

    path: str
    kind: str = Field(default="leads", description="What was imported: leads, accounts, ...")
    imported: int = 0
    updated: int = 0
    skipped: int = 0
    imported_ids: list[str] = Field(
        default_factory=list, description=f"The first {REPORTED_IDS} ids created."
    )
    updated_ids: list[str] = Field(
        default_factory=list, description=f"The first {REPORTED_IDS} ids updated."
    )
    columns: dict[str, str] = Field(
        default_factory=dict, description="Each column of the file read, and the field it fills."
    )
    dry_run: bool = Field(default=False, description="Nothing was written.")
    errors: list[RowError] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)

    def created(self, record_id: str) -> None:
        """Count a new record."""
        self.imported += 1
        if len(self.imported_ids) < REPORTED_IDS:
            self.imported_ids.append(record_id)

    def changed(self, record_id: str) -> None:
        """Count an updated record."""
        self.updated += 1
        if len(self.updated_ids) < REPORTED_IDS:
            self.updated_ids.append(record_id)
