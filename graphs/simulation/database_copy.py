"""A throwaway copy of the CRM and agent database for a simulation: the agent runs on the
copy, so nothing it writes (conversations, emails, hand-offs, notices, node runs, leases)
reaches the real database, and the copy is deleted afterwards.

SQLite only for now: a PostgreSQL database would need its own copy (or one transaction
rolled back across many runs and sessions), which the nodes' own commits do not allow.
"""

from __future__ import annotations

import sqlite3
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

from store.db import get_db_engine
from store.sqlite_files import connect_read_only, is_read_only


class SimulationRefused(ValueError):
    """The simulation cannot run on this database; the message says why and what to do."""


def _sqlite_path(database_url: str) -> Path:
    if not database_url.startswith("sqlite:///") or database_url.startswith("sqlite:///:memory:"):
        raise SimulationRefused(
            "simulation runs on a copy of a SQLite database, and this home's database is "
            f"{database_url.split('://', 1)[0]}: copying a PostgreSQL database is not "
            "supported yet. Run it on a SQLite copy of the CRM (QUALIFY_DATABASE_URL) instead"
        )
    path = Path(database_url.removeprefix("sqlite:///"))
    if not path.exists():
        raise SimulationRefused(f"no database at {path}; run `qualify init` or import a CRM first")
    return path


def _read(path: Path) -> sqlite3.Connection:
    """A connection that only reads `path` (the write-ahead log included)."""
    if is_read_only(path):
        return connect_read_only(path)
    return sqlite3.connect(f"file:{quote(str(path.resolve()))}?mode=ro", uri=True)


@contextmanager
def database_copy(database_url: str) -> Iterator[tuple[str, Path]]:
    """(URL of a private copy of the database, a scratch folder beside it); both are
    deleted on exit. Refuses (SimulationRefused) what is not a SQLite file."""
    source_path = _sqlite_path(database_url)
    with tempfile.TemporaryDirectory(prefix="qualify-simulation-") as folder:
        scratch = Path(folder)
        copy_path = scratch / "crm.db"
        source = _read(source_path)
        try:
            target = sqlite3.connect(copy_path)
            try:
                source.backup(target)  # a consistent snapshot, even while others write
            finally:
                target.close()
        finally:
            source.close()
        url = f"sqlite:///{copy_path}"
        try:
            yield url, scratch
        finally:
            # The engine is cached per URL: close its connections before the file goes.
            get_db_engine(url).dispose()
