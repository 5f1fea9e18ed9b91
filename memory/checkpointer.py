"""Checkpointers for lead threads: a SQLite file by default, PostgreSQL by URL."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.checkpoint.serde.jsonplus import JsonPlusSerializer

from memory.lean_sqlite_saver import LeanSqliteSaver
from store.sqlite_files import connect_read_only, is_read_only


def state_serializer(allowlist: Iterable[tuple[str, str]]) -> JsonPlusSerializer:
    """A serializer that rebuilds exactly the listed (module, class) models and enums."""
    return JsonPlusSerializer(allowed_msgpack_modules=tuple(allowlist))


SETUP_LOCK = 7_230_915_001
"""The PostgreSQL advisory lock that processes creating the checkpoint tables take in turn."""
SETUP_WAIT_S = 120.0


def _setup_once_at_a_time(saver: BaseCheckpointSaver, url: str) -> None:
    """Create or migrate the checkpoint tables, one process at a time: two processes
    starting together (overlapping ticks, workers) would both insert the same migration
    row and one would fail on its primary key."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as connection:
        # Try, and sleep between tries: a session blocked in pg_advisory_lock is a running
        # statement, and the migrations' CREATE INDEX CONCURRENTLY waits for every running
        # statement to finish, so a blocking wait here deadlocks with the holder's setup.
        deadline = time.monotonic() + SETUP_WAIT_S
        while not connection.execute("SELECT pg_try_advisory_lock(%s)", (SETUP_LOCK,)).fetchone()[
            0
        ]:  # type: ignore[index]
            if time.monotonic() > deadline:
                raise RuntimeError(
                    f"another process has been creating the checkpoint tables for over "
                    f"{SETUP_WAIT_S:g} s; check the database at {url}"
                )
            time.sleep(0.2)
        try:
            saver.setup()  # type: ignore[attr-defined]
        finally:
            connection.execute("SELECT pg_advisory_unlock(%s)", (SETUP_LOCK,))


@contextmanager
def open_checkpointer(
    url: str, *, allowlist: Iterable[tuple[str, str]]
) -> Iterator[BaseCheckpointSaver]:
    """A ready checkpointer for `url`: a `postgresql://` URL, or a SQLite file path.

    `allowlist` names the state types checkpoints may rebuild; the graphs derive it from
    their state schemas, so this layer need not know them.
    """
    serde = state_serializer(allowlist)
    if url.startswith(("postgresql://", "postgres://")):
        try:
            from langgraph.checkpoint.postgres import PostgresSaver
        except ImportError as exc:
            raise RuntimeError(
                "QUALIFY_CHECKPOINT_URL is a PostgreSQL URL but langgraph-checkpoint-postgres "
                "is not installed: pip install -e '.[postgres]'"
            ) from exc
        with PostgresSaver.from_conn_string(url) as saver:
            saver.serde = serde
            _setup_once_at_a_time(saver, url)
            yield saver
        return
    path = Path(url.removeprefix("sqlite:///"))
    read_only = is_read_only(path)
    if not read_only:
        path.parent.mkdir(parents=True, exist_ok=True)
    # One connection shared by the runner's thread; the saver serialises access with a lock.
    connect = connect_read_only if read_only else sqlite3.connect
    connection = connect(path, check_same_thread=False)
    try:
        saver = LeanSqliteSaver(connection, serde=serde)
        # setup() switches the journal mode and creates tables: writes a read-only
        # file refuses. Its tables exist (it was written once) and can be read as they are.
        saver.is_setup = read_only
        saver.setup()
        yield saver
    finally:
        connection.close()
