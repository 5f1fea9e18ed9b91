"""Overlapping runs on one home, the script: `python -m tests.overlap_trials`.

For each store (SQLite files, and PostgreSQL when reachable) and each number of
processes (1, 2, 4, 8 by default), a fresh home runs that many `qualify engage tick` at
once on each of two days (outreach, then follow-ups) through the real SMTP test server,
and that many `qualify research` batches at once. Printed as a table: emails, duplicates
by Message-ID and by step, failed processes, and whether the outcomes (conversation states,
hand-offs per rule) match one process. `tests/test_overlapping_runs.py` runs a few of these
in CI.
"""

from __future__ import annotations

import argparse
import subprocess
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from tempfile import TemporaryDirectory

from sqlalchemy import text

from store.db import get_db_engine
from tests.fault_trials import qualify_command, qualify_env, sent_counts
from tests.smtp_test_server import smtp_server

POSTGRES_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
DAYS = ["2026-12-07T14:00:00Z", "2026-12-11T14:00:00Z"]  # outreach, then follow-ups


@dataclass
class Home:
    """A home made for one overlap run: its folder and the environment naming its stores."""

    folder: Path
    extra: dict[str, str]

    def env(self, smtp: object | None = None) -> dict[str, str]:
        return qualify_env(self.folder, smtp) | self.extra  # type: ignore[arg-type]

    @property
    def database_url(self) -> str:
        return self.extra.get("QUALIFY_DATABASE_URL", f"sqlite:///{self.folder / 'crm.db'}")


@dataclass
class OverlapResult:
    """What `processes` overlapping runs did on one home."""

    store: str
    kind: str
    processes: int
    seconds: float = 0.0
    emails: int = 0
    duplicate_ids: int = 0
    duplicate_steps: int = 0
    researched: int = 0
    insights: int = 0
    outcomes: tuple[list[tuple[str, int]], ...] = ()
    failures: list[str] = field(default_factory=list)


class StoreUnavailable(RuntimeError):
    """The store asked for (PostgreSQL) cannot be reached from this machine."""


@contextmanager
def homes(root: Path, store: str) -> Iterator[Callable[..., Home]]:
    """A maker of fresh, initialised homes on `store` ("sqlite" or "postgres"); the
    PostgreSQL databases it created are dropped on exit."""
    created: list[str] = []

    def make(name: str, leads: int = 40, accounts: int = 10) -> Home:
        extra: dict[str, str] = {}
        if store == "postgres":
            import psycopg

            database = f"qualify_overlap_{uuid.uuid4().hex[:8]}"
            try:
                with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True, connect_timeout=3) as db:
                    db.execute(f'CREATE DATABASE "{database}"')
            except psycopg.OperationalError as exc:
                raise StoreUnavailable(f"PostgreSQL at {POSTGRES_ADMIN_URL}: {exc}") from exc
            created.append(database)
            url = f"postgresql://postgres@127.0.0.1:5432/{database}"
            extra = {
                "QUALIFY_DATABASE_URL": url.replace("postgresql://", "postgresql+psycopg://"),
                "QUALIFY_CHECKPOINT_URL": url,
            }
        home = Home(root / name, extra)
        failures = all_ok(
            [start(home.env(), "init", "--leads", str(leads), "--accounts", str(accounts))]
        )
        if failures:
            raise RuntimeError(failures[0])
        return home

    try:
        yield make
    finally:
        if created:
            import psycopg

            with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as db:
                for database in created:
                    db.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


def start(env: dict[str, str], *args: str) -> subprocess.Popen[str]:
    """`qualify ARGS`, started and not waited for."""
    return subprocess.Popen(
        [qualify_command(), *args], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        text=True,
    )  # fmt: skip


def all_ok(processes: list[subprocess.Popen[str]], outputs: list[str] | None = None) -> list[str]:
    """Wait for every process; what went wrong with each that failed or printed an error.
    Their outputs are appended to `outputs` when given."""
    failures = []
    for process in processes:
        output = process.communicate(timeout=600)[0]
        if outputs is not None:
            outputs.append(output)
        if process.returncode != 0 or "Traceback" in output or "Error" in output:
            failures.append(f"exit {process.returncode}: {output[-2000:]}")
    return failures


def outcomes(home: Home) -> tuple[list[tuple[str, int]], ...]:
    """Conversation states and hand-offs per rule, counted."""
    with get_db_engine(home.database_url).connect() as db:
        states = db.execute(text("SELECT state, count(*) FROM conversation GROUP BY state"))
        rules = db.execute(text("SELECT rule_id, count(*) FROM handoff GROUP BY rule_id"))
        return sorted(map(tuple, states)), sorted(map(tuple, rules))  # type: ignore[arg-type]


def overlapping_ticks(home: Home, store: str, processes: int) -> OverlapResult:
    """`processes` engage ticks at once on each day, through one SMTP test server."""
    result = OverlapResult(store, "engage tick", processes)
    started = time.perf_counter()
    with smtp_server() as smtp:
        for day in DAYS:
            ticks = [start(home.env(smtp), "engage", "tick", "--at", day) for _ in range(processes)]
            result.failures += all_ok(ticks)
        by_id, by_step = sent_counts(smtp)
    result.seconds = time.perf_counter() - started
    result.emails = sum(by_id.values())
    result.duplicate_ids = sum(n - 1 for n in by_id.values() if n > 1)
    result.duplicate_steps = sum(n - 1 for n in by_step.values() if n > 1)
    result.outcomes = outcomes(home)
    return result


def overlapping_research(home: Home, store: str, processes: int) -> OverlapResult:
    """`processes` research batches at once; how many leads each batch researched."""
    result = OverlapResult(store, "research", processes)
    started = time.perf_counter()
    outputs: list[str] = []
    result.failures += all_ok([start(home.env(), "research") for _ in range(processes)], outputs)
    result.seconds = time.perf_counter() - started
    with get_db_engine(home.database_url).connect() as db:
        result.insights = db.execute(text("SELECT count(*) FROM leadinsight")).scalar_one()
    result.researched = sum(
        int(line.split("│")[2])
        for output in outputs
        for line in output.splitlines()
        if line.count("│") >= 3 and line.split("│")[2].strip().isdigit()
        and line.split("│")[1].strip() not in ("busy", "fresh")
    )  # fmt: skip
    return result


def run(stores: list[str], counts: list[int], leads: int) -> list[OverlapResult]:
    """Every store × process count, each on fresh homes; the first count is the baseline."""
    results = []
    with TemporaryDirectory() as folder:
        for store in stores:
            try:
                with homes(Path(folder), store) as make:
                    for processes in counts:
                        home = make(f"{store}-ticks-{processes}", leads, max(leads // 4, 1))
                        results.append(overlapping_ticks(home, store, processes))
                        home = make(f"{store}-research-{processes}", leads, max(leads // 4, 1))
                        results.append(overlapping_research(home, store, processes))
            except StoreUnavailable as exc:
                print(f"{store}: skipped, {exc}")
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description="overlapping ticks and research batches")
    parser.add_argument("--processes", default="1,2,4,8", help="process counts, comma-separated")
    parser.add_argument("--stores", default="sqlite,postgres")
    parser.add_argument("--leads", type=int, default=40)
    args = parser.parse_args()
    counts = [int(n) for n in args.processes.split(",")]
    results = run(args.stores.split(","), counts, args.leads)
    print("| store | run | processes | seconds | emails | dup Message-IDs | dup steps "
          "| researched / insights | same outcomes as 1 | failed processes |")  # fmt: skip
    print("|---|---|---|---|---|---|---|---|---|---|")
    baseline: dict[tuple[str, str], OverlapResult] = {}
    for result in results:
        first = baseline.setdefault((result.store, result.kind), result)
        same = (
            result.outcomes == first.outcomes and result.emails == first.emails
            if result.kind == "engage tick"
            else result.insights == first.insights and result.researched == result.insights
        )
        print(
            f"| {result.store} | {result.kind} | {result.processes} | {result.seconds:.1f} | "
            f"{result.emails or '–'} | {result.duplicate_ids} | {result.duplicate_steps} | "
            f"{f'{result.researched} / {result.insights}' if result.kind == 'research' else '–'} | "
            f"{'yes' if same else 'NO'} | {len(result.failures)} |"
        )
    for result in results:
        for failure in result.failures:
            print(f"{result.store} {result.kind} ×{result.processes}: {failure}")


if __name__ == "__main__":
    main()
