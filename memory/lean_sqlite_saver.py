"""A SQLite checkpointer that stores each channel value once per version.

LangGraph's `SqliteSaver` writes the whole state into every checkpoint: a lead's research
(about 9 kB) is stored again at every later step of its thread, and the writes that made
each checkpoint are kept after the next checkpoint has taken them in. This subclass keeps
the saver's tables and behaviour and changes only what is stored, as `PostgresSaver` does:

- a channel's value goes to `channel_values` under (thread, namespace, channel, version)
  once, and checkpoints are stored without values; reads put the values back;
- when a checkpoint is saved, the pending writes of its parent in the same thread are
  deleted: the new checkpoint holds their effect, and nothing resumes from the parent
  (a replay forks a copy of a checkpoint without its writes). With LangGraph's default
  `durability="async"` a step's writes can reach the saver after the next checkpoint;
  channel writes to a checkpoint that already has a child are therefore not stored.

Checkpoints written by the plain saver (values inline) read as before.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import closing
from typing import Any

from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.base import (
    WRITES_IDX_MAP,
    ChannelVersions,
    Checkpoint,
    CheckpointMetadata,
    CheckpointTuple,
)
from langgraph.checkpoint.sqlite import SqliteSaver

_TABLE = """
CREATE TABLE IF NOT EXISTS channel_values (
    thread_id TEXT NOT NULL,
    checkpoint_ns TEXT NOT NULL DEFAULT '',
    channel TEXT NOT NULL,
    version TEXT NOT NULL,
    type TEXT,
    value BLOB,
    PRIMARY KEY (thread_id, checkpoint_ns, channel, version)
);
"""


class LeanSqliteSaver(SqliteSaver):
    """`SqliteSaver` storing channel values once per version and no superseded writes."""

    def __init__(self, conn: sqlite3.Connection, *args: Any, **kwargs: Any) -> None:
        super().__init__(conn, *args, **kwargs)
        # Re-entrant, so `put` and `put_writes` can hold it around the parent's methods,
        # which take it too: a check and the insert it guards must not interleave.
        self.lock = threading.RLock()  # type: ignore[assignment]

    def setup(self) -> None:
        """The saver's tables, and the table of channel values."""
        if self.is_setup:
            return
        super().setup()
        self.conn.executescript(_TABLE)

    def put(
        self,
        config: RunnableConfig,
        checkpoint: Checkpoint,
        metadata: CheckpointMetadata,
        new_versions: ChannelVersions,
    ) -> RunnableConfig:
        """Store the values not stored yet and the checkpoint without them, and drop the
        parent's writes, in one transaction: the parent's `put` commits it."""
        configurable = config["configurable"]
        thread_id = str(configurable["thread_id"])
        namespace = configurable.get("checkpoint_ns", "")
        parent_id = configurable.get("checkpoint_id")
        versions = checkpoint["channel_versions"]
        values = checkpoint["channel_values"]
        with self.lock, self.cursor(transaction=False) as cur:
            stored = self._stored_versions(
                cur, thread_id, namespace, values, versions, new_versions
            )
            rows = [
                (
                    thread_id,
                    namespace,
                    channel,
                    str(versions[channel]),
                    *self.serde.dumps_typed(value),
                )
                for channel, value in values.items()
                if (channel, str(versions[channel])) not in stored
            ]
            cur.executemany("INSERT OR IGNORE INTO channel_values VALUES (?, ?, ?, ?, ?, ?)", rows)
            if parent_id:
                cur.execute(
                    "DELETE FROM writes WHERE thread_id = ? AND checkpoint_ns = ? "
                    "AND checkpoint_id = ?",
                    (thread_id, namespace, parent_id),
                )
            return super().put(config, {**checkpoint, "channel_values": {}}, metadata, new_versions)

    def put_writes(
        self,
        config: RunnableConfig,
        writes: Sequence[tuple[str, Any]],
        task_id: str,
        task_path: str = "",
    ) -> None:
        """Store a task's writes, unless they are channel writes to a checkpoint that the
        thread has already moved past (they arrived late; the child holds their effect).
        Interrupts, errors and resumes are always stored."""
        configurable = config["configurable"]
        with self.lock:
            if not all(channel in WRITES_IDX_MAP for channel, _ in writes):
                with closing(self.conn.cursor()) as cur:
                    child = cur.execute(
                        "SELECT 1 FROM checkpoints WHERE thread_id = ? AND checkpoint_ns = ? "
                        "AND parent_checkpoint_id = ? LIMIT 1",
                        (
                            str(configurable["thread_id"]),
                            str(configurable.get("checkpoint_ns", "")),
                            str(configurable["checkpoint_id"]),
                        ),
                    ).fetchone()
                if child:
                    return
            super().put_writes(config, writes, task_id, task_path)

    def _stored_versions(
        self,
        cur: sqlite3.Cursor,
        thread_id: str,
        namespace: str,
        values: dict[str, Any],
        versions: ChannelVersions,
        new_versions: ChannelVersions,
    ) -> set[tuple[str, str]]:
        """(channel, version) pairs of `values` already in the table: the unchanged
        channels of a thread's next checkpoint, or none for a checkpoint copied into a
        new thread (a replay's fork)."""
        unchanged = [channel for channel in values if channel not in new_versions]
        if not unchanged:
            return set()
        pairs = [(channel, str(versions[channel])) for channel in unchanged]
        found = _rows_for(cur, "channel, version", thread_id, namespace, pairs)
        return {(channel, version) for channel, version in found}

    def get_tuple(self, config: RunnableConfig) -> CheckpointTuple | None:
        """The checkpoint with its channel values put back."""
        found = super().get_tuple(config)
        if found is None:
            return None
        with self.lock:
            return self._with_values(found)

    def list(
        self,
        config: RunnableConfig | None,
        *,
        filter: dict[str, Any] | None = None,
        before: RunnableConfig | None = None,
        limit: int | None = None,
    ) -> Iterator[CheckpointTuple]:
        """Checkpoints newest first, each with its channel values put back."""
        # The parent's generator holds the saver's lock while it yields.
        for found in super().list(config, filter=filter, before=before, limit=limit):
            yield self._with_values(found)

    def delete_thread(self, thread_id: str) -> None:
        """Delete the thread's checkpoints, writes and channel values."""
        super().delete_thread(thread_id)
        with self.cursor() as cur:
            cur.execute("DELETE FROM channel_values WHERE thread_id = ?", (str(thread_id),))

    def prune(self, thread_ids: Sequence[str], *, strategy: str = "keep_latest") -> None:
        """Keep each thread's latest checkpoint per namespace, with its pending writes and
        the values it references, and delete the rest, in one transaction; the kept
        checkpoint is left with no parent, as `PostgresSaver.prune` leaves it.
        `"delete"` deletes the threads."""
        if isinstance(thread_ids, str):
            raise TypeError("thread_ids must be a sequence of thread ids, not a str")
        if strategy == "delete":
            for thread_id in thread_ids:
                self.delete_thread(thread_id)
            return
        if strategy != "keep_latest":
            raise ValueError(f"Unknown prune strategy: {strategy!r}")
        with self.cursor() as cur:
            for thread_id in map(str, thread_ids):
                latest = cur.execute(
                    "SELECT checkpoint_ns, max(checkpoint_id) FROM checkpoints "
                    "WHERE thread_id = ? GROUP BY checkpoint_ns",
                    (thread_id,),
                ).fetchall()
                for namespace, checkpoint_id in latest:
                    self._keep_only(cur, thread_id, namespace, checkpoint_id)

    def _keep_only(
        self, cur: sqlite3.Cursor, thread_id: str, namespace: str, checkpoint_id: str
    ) -> None:
        key = (thread_id, namespace, checkpoint_id)
        where = "thread_id = ? AND checkpoint_ns = ?"
        cur.execute(f"DELETE FROM checkpoints WHERE {where} AND checkpoint_id <> ?", key)
        cur.execute(f"DELETE FROM writes WHERE {where} AND checkpoint_id <> ?", key)
        cur.execute(
            f"UPDATE checkpoints SET parent_checkpoint_id = NULL WHERE {where} "
            "AND checkpoint_id = ?",
            key,
        )
        kind, blob = cur.execute(
            f"SELECT type, checkpoint FROM checkpoints WHERE {where} AND checkpoint_id = ?", key
        ).fetchone()
        versions = self.serde.loads_typed((kind, blob))["channel_versions"]
        kept = [item for channel, version in versions.items() for item in (channel, str(version))]
        unkept = (
            f" AND (channel, version) NOT IN (VALUES {', '.join(['(?, ?)'] * len(versions))})"
            if versions
            else ""
        )
        cur.execute(
            f"DELETE FROM channel_values WHERE {where}{unkept}", (thread_id, namespace, *kept)
        )

    def _with_values(self, found: CheckpointTuple) -> CheckpointTuple:
        checkpoint = found.checkpoint
        missing = [
            (channel, str(version))
            for channel, version in checkpoint["channel_versions"].items()
            if channel not in checkpoint["channel_values"]
        ]
        if not missing:
            return found  # written by the plain saver, or a state with no values
        configurable = found.config["configurable"]
        with closing(self.conn.cursor()) as cur:  # under the lock: see the callers
            try:
                rows = _rows_for(
                    cur,
                    "channel, type, value",
                    str(configurable["thread_id"]),
                    configurable.get("checkpoint_ns", ""),
                    missing,
                )
            except sqlite3.OperationalError as exc:
                if "no such table" not in str(exc):
                    raise
                rows = []  # a read-only home written by the plain saver
        values = {channel: self.serde.loads_typed((kind, value)) for channel, kind, value in rows}
        checkpoint["channel_values"] = {**checkpoint["channel_values"], **values}
        return found


def _rows_for(
    cur: sqlite3.Cursor, columns: str, thread_id: str, namespace: str, pairs: list[tuple[str, str]]
) -> list[tuple[Any, ...]]:
    """`columns` of the stored values of a thread's (channel, version) `pairs`."""
    wanted = ", ".join(["(?, ?)"] * len(pairs))
    return cur.execute(
        f"SELECT {columns} FROM channel_values WHERE thread_id = ? AND checkpoint_ns = ? "
        f"AND (channel, version) IN (VALUES {wanted})",
        (thread_id, namespace, *(item for pair in pairs for item in pair)),
    ).fetchall()
