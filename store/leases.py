"""Leases: one process at a time owns a lead's thread (or any named resource).

Two `qualify engage tick` at once (a cron entry and `engage run`), two research batches, a
replay beside a tick: each takes the lead thread's lease before it resumes the thread and
gives it back after, so no thread ever runs twice at once. A lease is a row, taken with one
conditional upsert (the same SQL on SQLite and PostgreSQL), renewed while its holder works,
and free again when it expires or, on the same machine, as soon as its holder's process is
gone (a `kill -9` does not block a lead until the lease runs out).

Leases keep real time, never the agent's simulated clock: they guard real processes.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import delete, select, update
from sqlalchemy.dialects import postgresql, sqlite

from store.agent_records import Lease
from store.db import get_db_engine

log = logging.getLogger(__name__)

LEASE_SECONDS = 120
"""How long a lease lasts without renewal: a holder on another machine that died frees
its leads after this long. Holders renew every third of it while they work."""


_HOST = socket.gethostname()
_token = uuid.uuid4().hex[:12]


def _new_token() -> None:
    global _token
    _token = uuid.uuid4().hex[:12]


os.register_at_fork(after_in_child=_new_token)  # a forked child is another holder


def this_process() -> str:
    """This process's holder name: host, pid and a token (pids are reused)."""
    return f"{_HOST}:{os.getpid()}:{_token}"


def this_worker() -> str:
    """This thread of this process: what a claimed outbox row records."""
    return f"{this_process()}:{threading.get_ident()}"


def worker_may_be_working(
    worker: str, claimed_on: datetime | None, *, stale_after: timedelta
) -> bool:
    """Whether the worker (`this_worker()` of some process) that claimed something may
    still be at it: on this machine, whether its process (and, in this process, its
    thread) still runs; elsewhere, whether its claim is younger than `stale_after`."""
    host, pid, token, thread = [*worker.split(":"), "", "", "", ""][:4]
    if f"{host}:{pid}:{token}" == this_process():
        alive_threads = {t.ident for t in threading.enumerate()}
        return (
            thread.isdigit()
            and int(thread) != threading.get_ident()
            and (int(thread) in alive_threads)
        )
    alive = holder_alive(host, int(pid)) if pid.isdigit() else None
    if alive is not None:
        return alive
    return claimed_on is not None and _real_now() - _as_utc(claimed_on) < stale_after


def _real_now() -> datetime:
    return datetime.now(UTC)


def holder_alive(host: str, pid: int) -> bool | None:
    """Whether a holder process still runs: known on this machine, None elsewhere."""
    if host != _HOST:
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return not _is_zombie(pid)


def _is_zombie(pid: int) -> bool:
    """A killed process its parent has not reaped yet: dead, though `kill(pid, 0)` finds it."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False  # no /proc here: take the process for alive
    return stat.rpartition(")")[2].split()[:1] == ["Z"]


def _as_utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def try_acquire(database_url: str, name: str, *, seconds: int = LEASE_SECONDS) -> bool:
    """Take the lease `name` if it is free, expired, ours, or its holder is gone."""
    engine = get_db_engine(database_url)
    me, now = this_process(), _real_now()
    table = Lease.__table__  # type: ignore[attr-defined]
    with engine.begin() as connection:
        held = connection.execute(select(table).where(table.c.name == name)).first()
        if held is not None and held.owner != me:
            expired = _as_utc(held.expires_on) <= now
            if not expired and holder_alive(held.host, held.pid) is not False:
                return False
        dialect = postgresql if engine.dialect.name == "postgresql" else sqlite
        values = {
            "name": name,
            "owner": me,
            "host": _HOST,
            "pid": os.getpid(),
            "expires_on": now + timedelta(seconds=seconds),
        }
        statement = dialect.insert(table).values(**values)
        # Compare and set: only the holder we read may be replaced; a process that read
        # the same free lease at the same moment finds it taken and backs off.
        seen = held.owner if held is not None else me
        statement = statement.on_conflict_do_update(
            index_elements=["name"],
            set_={k: v for k, v in values.items() if k != "name"},
            where=table.c.owner == seen,
        )
        connection.execute(statement)
        owner = connection.execute(select(table.c.owner).where(table.c.name == name)).scalar()
    return owner == me


def renew(database_url: str, name: str, *, seconds: int = LEASE_SECONDS) -> bool:
    """Extend our lease; False when it is no longer ours."""
    table = Lease.__table__  # type: ignore[attr-defined]
    with get_db_engine(database_url).begin() as connection:
        result = connection.execute(
            update(table)
            .where(table.c.name == name, table.c.owner == this_process())
            .values(expires_on=_real_now() + timedelta(seconds=seconds))
        )
    return result.rowcount == 1


def release(database_url: str, name: str) -> None:
    """Give the lease back (only if it is ours)."""
    table = Lease.__table__  # type: ignore[attr-defined]
    with get_db_engine(database_url).begin() as connection:
        connection.execute(
            delete(table).where(table.c.name == name, table.c.owner == this_process())
        )


class _Renewer:
    """One thread per process renews every lease the process holds when a third of its
    length has passed since it was taken or last renewed (a thread per lease cost each
    lead run a thread start, which a busy machine makes slow; renewing on every new hold
    cost each lead run a write)."""

    def __init__(self) -> None:
        self._held: dict[tuple[str, str], tuple[int, int]] = {}  # -> (seconds, holds)
        # -> when (monotonic) it was taken or its last renewal was tried
        self._renewed: dict[tuple[str, str], float] = {}
        self._changed = threading.Condition()
        self._thread: threading.Thread | None = None

    def hold(self, database_url: str, name: str, seconds: int) -> None:
        with self._changed:
            key = (database_url, name)
            _, holds = self._held.get(key, (seconds, 0))
            self._held[key] = (seconds, holds + 1)
            self._renewed.setdefault(key, time.monotonic())  # just taken for `seconds`
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._keep_renewing, name="lease renewer", daemon=True
                )
                self._thread.start()
            self._changed.notify()  # a shorter lease shortens the wait

    def let_go(self, database_url: str, name: str) -> bool:
        """Stop renewing; True when no other holder in this process still holds it."""
        with self._changed:
            key = (database_url, name)
            seconds, holds = self._held.pop(key, (0, 1))
            if holds > 1:
                self._held[key] = (seconds, holds - 1)
            else:
                self._renewed.pop(key, None)
            return holds <= 1

    def _due_in(self, now: float) -> float:
        """Seconds until the first held lease is due for renewal (under the lock)."""
        return max(
            0.0,
            min(self._renewed[key] + seconds / 3 - now for key, (seconds, _) in self._held.items()),
        )

    def _keep_renewing(self) -> None:
        while True:
            with self._changed:
                while not self._held:
                    self._changed.wait()
                self._changed.wait(self._due_in(time.monotonic()))
                now = time.monotonic()
                due = [
                    (key, seconds)
                    for key, (seconds, _) in self._held.items()
                    if now - self._renewed[key] >= seconds / 3
                ]
            for (database_url, name), seconds in due:
                try:
                    renew(database_url, name, seconds=seconds)
                except Exception:  # the database away for a moment: try again next round
                    log.warning("could not renew lease %s", name, exc_info=True)
                with self._changed:
                    if (database_url, name) in self._renewed:
                        self._renewed[(database_url, name)] = now


_renewer = _Renewer()


def _new_renewer() -> None:
    global _renewer
    _renewer = _Renewer()  # a forked child holds none of its parent's leases


os.register_at_fork(after_in_child=_new_renewer)


@contextmanager
def leased(database_url: str, name: str, *, seconds: int = LEASE_SECONDS) -> Iterator[bool]:
    """Hold the lease `name` for the block, renewing it meanwhile; yields whether it was
    taken (False: another process holds it; do not touch the resource)."""
    if not try_acquire(database_url, name, seconds=seconds):
        yield False
        return
    _renewer.hold(database_url, name, seconds)
    try:
        yield True
    finally:
        if _renewer.let_go(database_url, name):
            release(database_url, name)


def thread_lease(thread_id: str) -> str:
    """The lease name of a lead's graph thread."""
    return f"thread:{thread_id}"
