"""The database schema's revisions: Alembic migrations in store/migrations/versions.

Opening a database (`prepare_schema`, on every engine `store.db` makes) brings it to this
release's schema: an empty one is created and stamped, one made before migrations existed
is stamped as the baseline and upgraded, a SQLite file behind is upgraded; a PostgreSQL
database behind is left alone with an error naming `qualify db upgrade`
(`upgrade_database`), since a shared server is upgraded deliberately, not by whichever
process happens to start first.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import URL, Connection, Engine, make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import NullPool
from sqlalchemy.schema import CreateIndex
from sqlmodel import SQLModel

import store.agent_ratings
import store.agent_records
import store.console_accounts
import store.console_jobs
import store.crm
import store.engagement
import store.node_runs
import store.product_profiles
import store.prompt_versions
import store.replays
import store.research_requests
import store.seller_inbox
import store.seller_routing
import store.sender_reputation  # noqa: F401  (registers the tables on SQLModel.metadata)
from store.sqlite_files import connect_read_only, is_read_only

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
VERSIONS_DIR = MIGRATIONS_DIR / "versions"
BASELINE = "0001_baseline"
"""The schema of the last release before migrations (git f09fa4d), as its create_all made it."""

MIGRATION_LOCK = 7_230_915_002
"""The PostgreSQL advisory lock that processes creating or migrating the tables take in turn
(the checkpointer's is 7_230_915_001)."""
MIGRATION_WAIT_S = 120.0

target_metadata = SQLModel.metadata


class SchemaError(RuntimeError):
    """The database's schema is not this release's and cannot be made so here."""


@lru_cache(maxsize=1)
def known_revisions() -> tuple[str, ...]:
    """Every revision, oldest first: each file in versions/ is named after its revision
    id, which sorts in order (a test holds Alembic's own graph to this)."""
    return tuple(sorted(path.stem for path in VERSIONS_DIR.glob("[0-9]*.py")))


def head_revision() -> str:
    """The revision this release's models are at."""
    return known_revisions()[-1]


def alembic_config(*, url: str | None = None, connection: Connection | None = None) -> Config:
    """Alembic's configuration for the migrations, on `connection` (or `url`); no
    alembic.ini: the folder ships inside the package."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if url is not None:
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    config.attributes["connection"] = connection
    return config


def display_url(url: str | URL) -> str:
    """`url` as people write it: no driver name, no password."""
    parsed = make_url(url)
    return parsed.set(drivername=parsed.get_backend_name()).render_as_string(hide_password=True)


def current_revision(url: str) -> str | None:
    """The revision the database at `url` is stamped with; reads only (a read-only home's
    file is opened as such)."""
    engine = create_engine(url, poolclass=NullPool)
    if url.startswith("sqlite:///") and is_read_only(path := Path(url.removeprefix("sqlite:///"))):
        engine = create_engine(
            "sqlite://", poolclass=NullPool, creator=lambda: connect_read_only(path)
        )
    try:
        with engine.connect() as connection:
            return stored_revision(connection)
    finally:
        engine.dispose()


def stored_revision(connection: Connection) -> str | None:
    """The revision stamped in the database (None: no alembic_version table, or empty).

    One query, tried rather than looked up first: opening a database at head, on every
    command, costs just that query.
    """
    try:
        return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except DBAPIError:
        if connection.dialect.name == "postgresql":
            # PostgreSQL aborts the transaction on the error; SQLite's (maybe holding the
            # write lock) goes on.
            connection.rollback()
        return None


def prepare_schema(engine: Engine) -> None:
    """Bring the database behind `engine` to `head_revision()`, or raise `SchemaError`
    saying how (PostgreSQL behind head: `qualify db upgrade`)."""
    with engine.connect() as connection:
        if stored_revision(connection) == head_revision():
            return
    with exclusively(engine) as connection:
        _bring_to_head(connection, may_upgrade=engine.dialect.name == "sqlite")


def upgrade_database(url: str) -> tuple[str | None, str]:
    """Upgrade the database at `url` to head: (the revision it was at, head). None as the
    first: it was empty or made before migrations."""
    sqlite = url.startswith("sqlite")
    engine = create_engine(url, poolclass=NullPool, connect_args={"timeout": 30} if sqlite else {})
    try:
        with exclusively(engine) as connection:
            return _bring_to_head(connection, may_upgrade=True), head_revision()
    finally:
        engine.dispose()


def _bring_to_head(connection: Connection, *, may_upgrade: bool) -> str | None:
    """Create, stamp or upgrade the schema on `connection`; the revision it was at."""
    from alembic import command

    head = head_revision()
    stored = stored_revision(connection)  # again: another process may have just done it
    if stored == head:
        return stored
    config = alembic_config(connection=connection)
    where = display_url(connection.engine.url)
    if stored is None:
        present = set(inspect(connection).get_table_names()) & set(target_metadata.tables)
        if not present:
            # A new database: the models' tables as they are now, without replaying history.
            target_metadata.create_all(connection)
            command.stamp(config, head)
            return None
        # Tables but no revision: a release before migrations made them, as that release
        # knew them. Such releases created missing tables and nullable columns on open; do
        # that once more so the baseline holds, then the migrations take it from there.
        _adopt_unversioned(connection)
        command.stamp(config, BASELINE)
    elif stored not in known_revisions():
        raise SchemaError(
            f"the database at {where} is at schema revision {stored}, which this release does "
            f"not know (a newer release upgraded it); use that release or newer"
        )
    elif not may_upgrade:
        raise SchemaError(
            f"the database at {where} is at schema revision {stored}; this release needs "
            f"{head}: run qualify db upgrade"
        )
    command.upgrade(config, head)
    return stored


def _adopt_unversioned(connection: Connection) -> None:
    """Create the tables, nullable columns and indexes an unversioned database lacks (only
    additions: anything else needs a migration and is left to the revisions)."""
    target_metadata.create_all(connection)  # missing tables only
    existing = inspect(connection)
    for table in target_metadata.sorted_tables:
        have = {column["name"] for column in existing.get_columns(table.name)}
        for column in table.columns:
            if column.name in have or not column.nullable:
                continue
            kind = column.type.compile(dialect=connection.dialect)
            connection.execute(
                text(f'ALTER TABLE "{table.name}" ADD COLUMN "{column.name}" {kind}')
            )
        for index in table.indexes:
            connection.execute(CreateIndex(index, if_not_exists=True))


@contextmanager
def exclusively(engine: Engine) -> Iterator[Connection]:
    """A connection in a transaction no other process creates or migrates tables beside;
    committed at the end (rolled back on error)."""
    with engine.connect() as connection:
        if engine.dialect.name == "postgresql":
            _take_advisory_lock(connection, where=display_url(engine.url))
        elif engine.dialect.name == "sqlite":
            # Take the write lock now, not at the first write: two processes that both saw
            # an empty file would otherwise both create and stamp it.
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        try:
            yield connection
            connection.commit()
        except BaseException:
            connection.rollback()
            raise
        finally:
            if engine.dialect.name == "postgresql":
                connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": MIGRATION_LOCK})
                connection.commit()


def _take_advisory_lock(connection: Connection, *, where: str) -> None:
    """Wait for the migration lock (session-level: it outlasts the commits in between)."""
    # Try and sleep, as the checkpointer does, so that a holder stuck for long ends in an
    # error naming the database rather than a hang.
    deadline = time.monotonic() + MIGRATION_WAIT_S
    query = text("SELECT pg_try_advisory_lock(:key)")
    while not connection.execute(query, {"key": MIGRATION_LOCK}).scalar():
        connection.commit()  # no transaction held open while waiting
        if time.monotonic() > deadline:
            raise SchemaError(
                f"another process has been creating or migrating the tables for over "
                f"{MIGRATION_WAIT_S:g} s; check the database at {where}"
            )
        time.sleep(0.2)
    connection.commit()
