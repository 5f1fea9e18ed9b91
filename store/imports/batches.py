"""The import engine: a CRM export read in batches, each row stored, updated or reported.

Good rows are inserted; bad rows are skipped and reported with their spreadsheet row
number (the header is row 1), the column and how to fix it. A row for a record already
stored (the same id, or the kind's own match: a lead's email, an account's domain or name)
updates it: the columns it fills replace the stored values, empty cells never blank one,
and a re-import never lifts a sticky flag such as an opt-out. Two rows for one record are
reported, never both applied. The whole file is one transaction (a dry run rolls it back),
written batch by batch so memory stays that of one batch whatever the file's size.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from itertools import chain, islice
from pathlib import Path
from typing import Any, Generic, Protocol, TypeVar

from sqlalchemy import text
from sqlmodel import Session, SQLModel, col, select

from core.company_names import company_key
from store.crm import Account, User
from store.imports.cells import ImportRow
from store.imports.reading import Aliases, ExportFile, validate_row, with_mapping
from store.imports.report import ImportReport, RowError

R = TypeVar("R", bound=ImportRow)

BATCH_ROWS = 1000
"""Rows validated, looked up and written together: one query per batch, not per row."""


class Finder(Protocol[R]):
    """How a kind recognises a stored record a row is about, beside its id."""

    def prefetch(self, rows: list[R]) -> None:
        """Look up the batch's rows at once."""

    def find(self, row: R) -> str | None:
        """The stored record's id, or None for a new record."""

    def remember(self, row: R, record_id: str) -> None:
        """A record this import just created, so later rows find it too."""


@dataclass
class ImportContext:
    """What a kind's row builder may use: the session, the options and the report."""

    session: Session
    report: ImportReport
    now: datetime
    revenue_unit: float = 1.0
    row: int = 0
    header_of: dict[str, str] = field(default_factory=dict)
    """Field -> the file's own name for its column, for messages."""
    _account_keys: dict[str, str] | None = None
    _user_emails: dict[str, str] | None = None
    _accounts: dict[str, Account | None] = field(default_factory=dict)
    _notices: dict[str, list[Any]] = field(default_factory=dict)

    def account_named(self, name: str | None) -> str | None:
        """The stored account with this name, legal forms aside ("Acme GmbH" is "ACME")."""
        if not name:
            return None
        if self._account_keys is None:
            names = self.session.exec(select(Account.id, Account.name))
            self._account_keys = {company_key(n): account_id for account_id, n in names}
        return self._account_keys.get(company_key(name))

    def user_with_email(self, email: str) -> str | None:
        """The CRM user with this address, any case (users are few: read once)."""
        if self._user_emails is None:
            users = self.session.exec(select(User.email, User.id))
            self._user_emails = {e.strip().lower(): user_id for e, user_id in users if e}
        return self._user_emails.get(email.strip().lower())

    def account(self, account_id: str | None) -> Account | None:
        """The stored account with this id (each read once per import)."""
        if not account_id:
            return None
        if account_id not in self._accounts:
            self._accounts[account_id] = self.session.get(Account, account_id)
        return self._accounts[account_id]

    def column(self, name: str) -> str:
        """The file's name for a field's column ("Time Zone" for time_zone)."""
        return self.header_of.get(name, name)

    def remember_account(self, name: str, account_id: str) -> None:
        """An account this import created: later rows may name it."""
        if self._account_keys is not None:
            self._account_keys.setdefault(company_key(name), account_id)

    def notice(self, message: str) -> None:
        """A warning about this row, reported once per message with a count and examples."""
        seen = self._notices.setdefault(message, [0, []])
        seen[0] += 1
        if len(seen[1]) < 3:
            seen[1].append(self.row)

    def warnings(self) -> list[str]:
        """The notices as report lines: message, how many rows, the first rows."""
        return [
            f"{message} ({count} row{'s' if count > 1 else ''}: "
            f"{', '.join(f'row {r}' for r in rows)}{', ...' if count > len(rows) else ''})"
            for message, (count, rows) in self._notices.items()
        ]


@dataclass(frozen=True)
class ImportKind(Generic[R]):
    """One kind of CRM record an export holds, and how its rows become records."""

    name: str
    what: str
    aliases: Aliases
    row_model: type[R]
    table: type[SQLModel]
    id_prefix: str
    id_width: int
    build: Callable[[R, str, ImportContext], SQLModel]
    finder: Callable[[ImportContext], Finder[R]] | None = None
    required: tuple[str, ...] = ()
    references: dict[str, tuple[type[SQLModel], str]] = field(default_factory=dict)
    sticky: frozenset[str] = frozenset()
    # Stored column -> the row field that fills it, where the names differ.
    filled_by: dict[str, str] = field(default_factory=dict)
    companions: Callable[[R, str, ImportContext], list[SQLModel]] | None = None
    """Records stored beside a new or updated record (an activity's participants)."""
    on_stored: Callable[[str, frozenset[str] | None, ImportContext], None] | None = None
    """Called with each record stored: its id and the fields an update changed (None for
    a new record), to write in the same transaction what the change causes."""


def existing_ids(session: Session, model: type[SQLModel], ids: Iterable[str]) -> set[str]:
    """Which of `ids` are stored in `model`'s table."""
    wanted = sorted(set(ids))
    found: set[str] = set()
    for start in range(0, len(wanted), 500):  # stay under SQL parameter limits
        chunk = wanted[start : start + 500]
        found.update(session.exec(select(model.id).where(col(model.id).in_(chunk))).all())  # type: ignore[attr-defined]
    return found


class _IdMaker:
    """Next free readable id (`LEAD-0042`) after every id stored or named in the file."""

    def __init__(self, session: Session, kind: ImportKind[Any], given: Iterable[str]):
        self.prefix, self.width = kind.id_prefix, kind.id_width
        self.pattern = re.compile(rf"^{re.escape(self.prefix)}-(\d+)$")
        table = kind.table
        stored = session.exec(select(table.id).where(col(table.id).startswith(f"{self.prefix}-")))  # type: ignore[attr-defined]
        numbers = (m.group(1) for i in chain(stored, given) if (m := self.pattern.match(i)))
        self.last = max(map(int, numbers), default=0)

    def next(self) -> str:
        self.last += 1
        return f"{self.prefix}-{self.last:0{self.width}d}"


class _Touched:
    """Records this import created or updated, with the row that did: kept in a temporary
    table, so that a 100k-row import holds none of them in memory."""

    def __init__(self, session: Session) -> None:
        self.connection = session.connection()
        self.connection.execute(
            text(
                "CREATE TEMP TABLE IF NOT EXISTS import_touched "
                "(record_id TEXT PRIMARY KEY, row_number INTEGER NOT NULL)"
            )
        )
        self.connection.execute(text("DELETE FROM import_touched"))

    def rows_of(self, ids: Iterable[str]) -> dict[str, int]:
        wanted = sorted({i for i in ids if i})
        found: dict[str, int] = {}
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            marks = ", ".join(f":p{i}" for i in range(len(chunk)))
            rows = self.connection.execute(
                text(
                    f"SELECT record_id, row_number FROM import_touched WHERE record_id IN ({marks})"
                ),
                {f"p{i}": value for i, value in enumerate(chunk)},
            )
            found.update({record_id: number for record_id, number in rows})
        return found

    def add(self, rows: dict[str, int]) -> None:
        if rows:
            self.connection.execute(
                text("INSERT INTO import_touched (record_id, row_number) VALUES (:i, :n)"),
                [{"i": i, "n": n} for i, n in rows.items()],
            )


def _value(record: dict[str, str], name: str) -> str | None:
    return (record.get(name) or "").strip() or None


def _update(stored: Any, fresh: SQLModel, row: ImportRow, kind: ImportKind[Any]) -> frozenset[str]:
    """Copy into `stored` what the row filled in; keep everything else as stored. The
    fields whose value changed."""
    changed: set[str] = set()
    for name in type(fresh).model_fields:
        if name in ("id", "created_on"):
            continue
        sources = {name, kind.filled_by.get(name, name)}
        if all(getattr(row, source, None) in (None, False, "") for source in sources):
            continue  # the row did not fill it (or has no such column)
        value = getattr(fresh, name)
        if name in kind.sticky:
            value = bool(getattr(stored, name)) or bool(value)
        if getattr(stored, name) != value:  # an unchanged row writes nothing
            setattr(stored, name, value)
            changed.add(name)
    return frozenset(changed)


def _batches(
    records: Iterator[tuple[int, dict[str, str]]],
) -> Iterator[list[tuple[int, dict[str, str]]]]:
    while batch := list(islice(records, BATCH_ROWS)):
        yield batch


def run_import(
    kind: ImportKind[R],
    session: Session,
    path: Path,
    *,
    now: datetime,
    dry_run: bool = False,
    mapping: dict[str, str] | None = None,
    revenue_unit: float = 1.0,
) -> ImportReport:
    """Import a CRM export of `kind`: insert new records, update stored ones, report the rest."""
    report = ImportReport(path=str(path), kind=kind.name, dry_run=dry_run)
    aliases = with_mapping(kind.aliases, mapping or {})
    ctx = ImportContext(session, report, now, revenue_unit)
    export = ExportFile(path, aliases, kind.required, report)
    ctx.header_of = export.header_of
    # A first pass reads the ids only, so no made-up id takes one a later row names.
    given = (v for _, r in export.records(report=False) if (v := _value(r, "id")))
    ids = _IdMaker(session, kind, given)
    finder = kind.finder(ctx) if kind.finder else None
    touched = _Touched(session)
    for batch in _batches(export.records()):
        _import_batch(kind, ctx, export.header_of, batch, finder, ids, touched)
        session.flush()
        session.expunge_all()  # written: nothing of this batch stays in memory
    report.warnings += ctx.warnings()
    if dry_run:
        session.rollback()
    else:
        session.commit()
    report.errors.sort(key=lambda e: e.row)  # "too many values" rows were reported first
    return report


def _import_batch(
    kind: ImportKind[R],
    ctx: ImportContext,
    header_of: dict[str, str],
    batch: list[tuple[int, dict[str, str]]],
    finder: Finder[R] | None,
    ids: _IdMaker,
    touched: _Touched,
) -> None:
    session, report = ctx.session, ctx.report
    # Ids and references are checked on the raw values too, so that a row's every
    # problem is reported at once rather than one per attempt.
    given = [v for _, record in batch if (v := _value(record, "id"))]
    stored_ids = existing_ids(session, kind.table, given)
    known = {
        name: existing_ids(session, model, (v for _, r in batch if (v := _value(r, name))))
        for name, (model, _) in kind.references.items()
    }
    valid: list[tuple[int, dict[str, str], R]] = []
    for number, record in batch:
        row, errors = validate_row(kind.row_model, number, record, header_of)
        for name, (_, what) in kind.references.items():
            ref = _value(record, name)
            if ref and ref not in known[name]:
                errors.append(
                    RowError(
                        row=number,
                        field=header_of.get(name, name),
                        message=f"no {what} with id {ref!r}; use an existing {what} id "
                        "or leave it empty",
                    )
                )
        if errors or row is None:
            report.errors.extend(errors)
            report.skipped += 1
            continue
        valid.append((number, record, row))
    if finder is not None:
        finder.prefetch([row for _, _, row in valid])
    targets = [(number, record, row, _value(record, "id")) for number, record, row in valid]
    matched = {
        id(row): (row_id if row_id in stored_ids else finder.find(row) if finder else None)
        for _, _, row, row_id in targets
    }
    targets_stored = [m for m in matched.values() if m]
    earlier = touched.rows_of([*given, *targets_stored])
    # The records the batch updates, loaded in one query rather than one each.
    loaded: dict[str, Any] = {}
    for start in range(0, len(targets_stored), 500):
        chunk = targets_stored[start : start + 500]
        query = select(kind.table).where(col(kind.table.id).in_(chunk))  # type: ignore[attr-defined]
        loaded.update((record.id, record) for record in session.exec(query))
    this_batch: dict[str, int] = {}
    for number, _record, row, row_id in targets:
        target = matched[id(row)]
        if target is None and finder is not None:
            target = finder.find(row)  # a record an earlier row of this batch created
        key = target or row_id
        prior = this_batch.get(key) or earlier.get(key) if key else None
        if prior is not None:
            report.errors.append(
                RowError(
                    row=number,
                    field=header_of.get("id", "id"),
                    message=f"row {prior} already {'updates' if target else 'uses'} {key}; "
                    "keep one row per record",
                )
            )
            report.skipped += 1
            continue
        ctx.row = number
        if target is not None:
            stored = loaded.get(target) or session.get(kind.table, target)
            changed = _update(stored, kind.build(row, target, ctx), row, kind)
            report.changed(target)
            record_id = target
        else:
            changed = None
            record_id = row_id or ids.next()
            session.add(kind.build(row, record_id, ctx))
            report.created(record_id)
            if finder is not None:
                finder.remember(row, record_id)
        if kind.on_stored is not None:
            kind.on_stored(record_id, changed, ctx)
        if kind.companions is not None:
            session.flush()  # the record before what refers to it
            session.add_all(kind.companions(row, record_id, ctx))
        this_batch[record_id] = number
    touched.add(this_batch)
