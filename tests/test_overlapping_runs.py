"""Overlapping runs on one home: every email once, every lead once (issue 13, item 1).

Real processes (`qualify engage tick`, `qualify research`) run at the same time on one
home, its CRM and checkpoints in SQLite or in PostgreSQL, sending through the real SMTP
test server; the server counts what arrived.
"""

from __future__ import annotations

import subprocess
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from store.db import get_db_engine
from tests.conftest import POSTGRES_ADMIN_URL
from tests.fault_trials import qualify_command, qualify_env, sent_counts
from tests.smtp_test_server import SmtpTestServer, smtp_server

NewHome = Callable[[str], tuple[Path, dict[str, str]]]
"""A fresh home by name: its folder and the extra environment naming its databases."""

DAYS = ["2026-12-07T14:00:00Z", "2026-12-11T14:00:00Z"]  # outreach, then follow-ups


def _qualify(env: dict[str, str], *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [qualify_command(), *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def _all_ok(processes: list[subprocess.Popen[str]]) -> list[str]:
    outputs = [process.communicate(timeout=300)[0] for process in processes]
    for process, output in zip(processes, outputs, strict=True):
        assert process.returncode == 0, output
        assert "Traceback" not in output and "Error" not in output, output
    return outputs


@pytest.fixture(params=["sqlite", "postgres"])
def new_home(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[NewHome]:
    """Homes whose CRM and checkpoints live in SQLite files, or in fresh PostgreSQL databases."""
    created: list[str] = []

    def make(name: str) -> tuple[Path, dict[str, str]]:
        extra: dict[str, str] = {}
        if request.param == "postgres":
            psycopg = pytest.importorskip("psycopg")
            database = f"qualify_overlap_{uuid.uuid4().hex[:8]}"
            try:
                with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True, connect_timeout=3) as db:
                    db.execute(f'CREATE DATABASE "{database}"')
            except psycopg.OperationalError as exc:
                pytest.skip(f"PostgreSQL is not reachable at {POSTGRES_ADMIN_URL}: {exc}")
            created.append(database)
            url = f"postgresql://postgres@127.0.0.1:5432/{database}"
            extra = {
                "QUALIFY_DATABASE_URL": url.replace("postgresql://", "postgresql+psycopg://"),
                "QUALIFY_CHECKPOINT_URL": url,
            }
        home = tmp_path / name
        _all_ok([_qualify(_with(home, extra), "init", "--leads", "40", "--accounts", "10")])
        return home, extra

    yield make
    if created:
        import psycopg

        with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as db:
            for database in created:
                db.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


def _with(home: Path, extra: dict[str, str], smtp: SmtpTestServer | None = None) -> dict[str, str]:
    return qualify_env(home, smtp) | extra


def _outcomes(home: Path, extra: dict[str, str]) -> tuple[list[tuple[str, int]], ...]:
    url = extra.get("QUALIFY_DATABASE_URL", f"sqlite:///{home / 'crm.db'}")
    with get_db_engine(url).connect() as db:
        states = db.execute(text("SELECT state, count(*) FROM conversation GROUP BY state"))
        rules = db.execute(text("SELECT rule_id, count(*) FROM handoff GROUP BY rule_id"))
        return sorted(map(tuple, states)), sorted(map(tuple, rules))


def test_four_overlapping_ticks_send_what_one_would_and_nothing_twice(new_home: NewHome) -> None:
    (together, extra), (alone, alone_extra) = new_home("together"), new_home("alone")
    with smtp_server() as smtp:
        for day in DAYS:
            env = _with(together, extra, smtp)
            _all_ok([_qualify(env, "engage", "tick", "--at", day) for _ in range(4)])
        by_id, by_step = sent_counts(smtp)
    with smtp_server() as smtp_alone:
        for day in DAYS:
            env = _with(alone, alone_extra, smtp_alone)
            _all_ok([_qualify(env, "engage", "tick", "--at", day)])
        alone_by_id, _ = sent_counts(smtp_alone)
    assert by_id and max(by_id.values()) == 1  # no Message-ID twice
    assert max(by_step.values()) == 1  # no lead got the same step twice
    assert sum(by_id.values()) == sum(alone_by_id.values())
    assert _outcomes(together, extra) == _outcomes(alone, alone_extra)


def test_overlapping_research_batches_research_each_lead_once(new_home: NewHome) -> None:
    home, extra = new_home("research")
    outputs = _all_ok([_qualify(_with(home, extra), "research") for _ in range(3)])
    url = extra.get("QUALIFY_DATABASE_URL", f"sqlite:///{home / 'crm.db'}")
    with get_db_engine(url).connect() as db:
        insights = db.execute(text("SELECT count(*) FROM leadinsight")).scalar_one()
    researched = sum(
        int(line.split("│")[2])
        for output in outputs
        for line in output.splitlines()
        if line.count("│") >= 3 and line.split("│")[2].strip().isdigit()
        and line.split("│")[1].strip() not in ("busy", "fresh")
    )  # fmt: skip
    assert insights > 0 and researched == insights  # each lead by exactly one batch
