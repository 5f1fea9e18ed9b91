"""Checkpointers for lead threads: a SQLite file by default, PostgreSQL by URL."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.checkpoint.serde.jsonplus import JsonPlusSerializer
from langgraph.checkpoint.sqlite import SqliteSaver


def state_serializer(allowlist: Iterable[tuple[str, str]]) -> JsonPlusSerializer:
    """A serializer that rebuilds exactly the listed (module, class) models and enums."""
    return JsonPlusSerializer(allowed_msgpack_modules=tuple(allowlist))


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
            saver.setup()
            yield saver
        return
    path = Path(url.removeprefix("sqlite:///"))
    path.parent.mkdir(parents=True, exist_ok=True)
    # One connection shared by the runner's thread; the saver serialises access with a lock.
    connection = sqlite3.connect(path, check_same_thread=False)
    try:
        saver = SqliteSaver(connection, serde=serde)
        saver.setup()
        yield saver
    finally:
        connection.close()
