"""Leases: one process at a time owns a lead's thread (issue 13, item 1)."""

from __future__ import annotations

import multiprocessing
import os
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import Session

from store.agent_records import Lease
from store.db import get_db_engine
from store.leases import (
    leased,
    release,
    this_process,
    this_worker,
    try_acquire,
    worker_may_be_working,
)


@pytest.fixture(params=["sqlite", "postgres"])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path}/leases.db"
    postgres: str = request.getfixturevalue("postgres_url")
    return postgres.replace("postgresql://", "postgresql+psycopg://")


def _acquire_and_report(
    url: str,
    name: str,
    start: multiprocessing.synchronize.Barrier,
    tried: multiprocessing.synchronize.Barrier,
) -> None:
    start.wait()
    took = try_acquire(url, name)
    tried.wait()  # alive until every racer has tried: a dead holder's lease is fair game
    os._exit(0 if took else 1)  # exit without releasing: a crash


def _race(url: str, name: str, processes: int) -> list[int]:
    context = multiprocessing.get_context("spawn")
    start, tried = context.Barrier(processes), context.Barrier(processes)
    workers = [
        context.Process(target=_acquire_and_report, args=(url, name, start, tried))
        for _ in range(processes)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
    return [worker.exitcode or 0 for worker in workers]


def test_eight_processes_racing_for_one_lease_get_one_holder(url: str) -> None:
    name = f"thread:race:{os.urandom(4).hex()}"
    get_db_engine(url)  # tables exist before the race
    codes = _race(url, name, 8)
    assert codes.count(0) == 1, codes


def test_a_dead_holders_lease_is_taken_at_once_a_live_ones_never(url: str) -> None:
    name = f"thread:dead:{os.urandom(4).hex()}"
    get_db_engine(url)
    assert _race(url, name, 1) == [0]  # taken, then the process died holding it
    assert try_acquire(url, name)  # on this machine a dead holder is seen at once
    assert try_acquire(url, name)  # ours: taking it again is fine
    assert _race(url, name, 1) == [1]  # a live holder (us) keeps it
    release(url, name)
    assert _race(url, name, 1) == [0]


def test_another_machines_lease_waits_for_its_expiry(url: str) -> None:
    name = f"thread:remote:{os.urandom(4).hex()}"
    now = datetime.now(UTC)
    with Session(get_db_engine(url)) as session:
        later = now + timedelta(seconds=60)
        session.add(Lease(name=name, owner="far:1:x", host="far", pid=1, expires_on=later))
        session.commit()
    assert not try_acquire(url, name)
    with Session(get_db_engine(url)) as session:
        lease = session.get(Lease, name)
        assert lease is not None
        lease.expires_on = now - timedelta(seconds=1)
        session.add(lease)
        session.commit()
    assert try_acquire(url, name)


def test_leased_releases_after_the_block_and_reports_a_busy_lease(url: str) -> None:
    name = f"thread:block:{os.urandom(4).hex()}"
    with leased(url, name) as held:
        assert held
        assert _race(url, name, 1) == [1]
    assert _race(url, name, 1) == [0]
    with leased(url, name) as held:  # the dead child's lease is taken over
        assert held


def test_a_claim_is_in_flight_while_its_worker_lives() -> None:
    stale = timedelta(minutes=10)
    assert not worker_may_be_working(this_worker(), None, stale_after=stale)  # our own
    host = this_process().split(":")[0]
    assert not worker_may_be_working(f"{host}:999999999:t:1", None, stale_after=stale)
    assert worker_may_be_working(f"{host}:{os.getppid()}:t:1", None, stale_after=stale)
    now = datetime.now(UTC)
    assert worker_may_be_working("far:1:t:1", now, stale_after=stale)
    assert not worker_may_be_working("far:1:t:1", now - 2 * stale, stale_after=stale)


def test_held_leases_are_renewed_and_released_once_no_holder_is_left(url: str) -> None:
    """One renewer thread keeps every held lease alive; a lease held twice in a process
    (a nested block) stays held until the outer block ends."""

    def expires(name: str) -> datetime | None:
        with Session(get_db_engine(url)) as session:
            row = session.get(Lease, name)
            return None if row is None else row.expires_on.replace(tzinfo=UTC)

    with leased(url, "thread:a", seconds=3) as a, leased(url, "thread:b", seconds=60) as b:
        assert a and b
        first_a, first_b = expires("thread:a"), expires("thread:b")
        with leased(url, "thread:a", seconds=3) as again:
            assert again
        assert expires("thread:a") is not None  # the outer block still holds it
        deadline = datetime.now(UTC) + timedelta(seconds=10)
        while expires("thread:a") == first_a and datetime.now(UTC) < deadline:
            time.sleep(0.1)
        assert expires("thread:a") > first_a  # type: ignore[operator]
        assert expires("thread:b") >= first_b  # type: ignore[operator]
    assert expires("thread:a") is None and expires("thread:b") is None


def test_a_killed_holder_not_yet_reaped_is_dead() -> None:
    """`kill -9` leaves a zombie until its parent reaps it; its leases are free at once."""
    import signal
    import subprocess

    from store.leases import _HOST, holder_alive

    holder = subprocess.Popen(["sleep", "30"])
    try:
        assert holder_alive(_HOST, holder.pid) is True
        os.kill(holder.pid, signal.SIGKILL)
        deadline = time.monotonic() + 5
        while holder_alive(_HOST, holder.pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert holder_alive(_HOST, holder.pid) is False
    finally:
        holder.kill()
        holder.wait()
