"""Database engine and sessions for the CRM and the agent's records."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

from sqlalchemy import Executable, Table, event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel, create_engine

# Imports every model module, so the tables are on SQLModel.metadata.
from store.schema_migrations import prepare_schema
from store.sqlite_files import connect_read_only, is_read_only


def _enable_sqlite_wal(dbapi_connection, _record) -> None:
    # WAL lets the CLI read while a research batch writes.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


_creating = threading.Lock()


def get_db_engine(url: str) -> Engine:
    """An engine for `url` (cached per URL), its tables at this release's schema
    (`store.schema_migrations.prepare_schema`; `SchemaError` when that needs
    `qualify db upgrade`)."""
    # Threads that first touch a database together (an eval's workers) must not race to
    # create its tables: one creates them, the others wait for its engine.
    with _creating:
        return _engine_for(url)


@lru_cache(maxsize=8)
def _engine_for(url: str) -> Engine:
    if url.startswith("sqlite:///") and not url.startswith("sqlite:///:memory:"):
        path = Path(url.removeprefix("sqlite:///"))
        if is_read_only(path):
            # Views still work; the tables are as the home's release made them (nothing is
            # stamped or upgraded: it cannot be written).
            return create_engine("sqlite://", creator=lambda: connect_read_only(path))
        path.parent.mkdir(parents=True, exist_ok=True)
    # Concurrent runs (two ticks, a tick and a research batch) wait for each other's
    # writes instead of failing with "database is locked" after the default 5 s.
    connect_args = {"timeout": 30} if url.startswith("sqlite") else {}
    engine = create_engine(url, connect_args=connect_args)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _enable_sqlite_wal)
    try:
        prepare_schema(engine)
    except BaseException:
        engine.dispose()  # not cached: the next call tries again
        raise
    return engine


def upsert(session: Session, row: SQLModel) -> None:
    """Insert `row`, or replace the stored row with its primary key, in one statement:
    two processes writing the same key at once both succeed and the last write wins
    (a read-then-insert would fail one of them on the unique key)."""
    table = type(row).__table__  # type: ignore[attr-defined]
    values = {column.name: getattr(row, column.name) for column in table.columns}
    session.connection().execute(_upsert_statement(table, session.get_bind().dialect.name), values)


@lru_cache(maxsize=64)
def _upsert_statement(table: Table, dialect_name: str) -> Executable:
    """The table's upsert with its values as parameters: one statement per table, so it
    is compiled once rather than on every write."""
    dialect = postgresql if dialect_name == "postgresql" else sqlite
    statement = dialect.insert(table)
    keys = {column.name for column in table.primary_key.columns}
    return statement.on_conflict_do_update(
        index_elements=list(keys),
        set_={c.name: statement.excluded[c.name] for c in table.columns if c.name not in keys},
    )


@contextmanager
def session_scope(url: str) -> Iterator[Session]:
    """A session that commits on success and rolls back on error."""
    with Session(get_db_engine(url), expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
