"""SQLite files of a home that this process may only read.

A home on a read-only mount, or owned by another user, still serves its views: such a
file is opened read-only and immutable (without the write-ahead log's shared-memory
file, which cannot be created there), and a write fails with SQLite's "readonly" error,
which the CLI turns into one line naming what cannot be written.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from urllib.parse import quote


def is_read_only(path: Path) -> bool:
    """True when `path` exists but this process cannot write it or its folder (where
    SQLite keeps its journal)."""
    return path.exists() and not (os.access(path, os.W_OK) and os.access(path.parent, os.W_OK))


def connect_read_only(path: Path, **options: object) -> sqlite3.Connection:
    """A connection that reads `path` as it is on disk and never writes."""
    uri = f"file:{quote(str(path.resolve()))}?mode=ro&immutable=1"
    return sqlite3.connect(uri, uri=True, **options)  # type: ignore[arg-type]


def is_read_only_error(exc: BaseException) -> bool:
    """True when `exc`, or an error it was raised from, is a write refused by a
    read-only file or file system."""
    seen: set[int] = set()
    error: BaseException | None = exc
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        if isinstance(error, sqlite3.OperationalError) and "readonly" in str(error):
            return True
        if isinstance(error, OSError) and error.errno in (30, 13):  # EROFS, EACCES
            return True
        error = getattr(error, "orig", None) or error.__cause__ or error.__context__
    return False
