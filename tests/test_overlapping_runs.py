"""Overlapping runs on one home: every email once, every lead once (issue 13, item 1).

Real processes (`qualify engage tick`, `qualify research`) run at the same time on one
SQLite home, sending through the real SMTP test server; the server counts what arrived.
"""

from __future__ import annotations

import sqlite3
import subprocess
from contextlib import closing
from pathlib import Path

from tests.fault_trials import qualify_command, qualify_env, sent_counts
from tests.smtp_test_server import smtp_server

DAYS = ["2026-12-07T14:00:00Z", "2026-12-10T14:00:00Z", "2026-12-15T14:00:00Z"]


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


def _home(tmp_path: Path, name: str) -> Path:
    home = tmp_path / name
    _all_ok([_qualify(qualify_env(home), "init", "--leads", "60", "--accounts", "15")])
    return home


def _outcomes(home: Path) -> tuple[list[tuple[str, int]], list[tuple[str, int]]]:
    with closing(sqlite3.connect(home / "crm.db")) as db:
        states = db.execute("SELECT state, count(*) FROM conversation GROUP BY state").fetchall()
        rules = db.execute("SELECT rule_id, count(*) FROM handoff GROUP BY rule_id").fetchall()
    return sorted(states), sorted(rules)


def test_four_overlapping_ticks_send_what_one_would_and_nothing_twice(tmp_path: Path) -> None:
    together, alone = _home(tmp_path, "together"), _home(tmp_path, "alone")
    with smtp_server() as smtp:
        for day in DAYS:
            _all_ok(
                [
                    _qualify(qualify_env(together, smtp), "engage", "tick", "--at", day)
                    for _ in range(4)
                ]
            )
        by_id, by_step = sent_counts(smtp)
    with smtp_server() as smtp_alone:
        for day in DAYS:
            _all_ok([_qualify(qualify_env(alone, smtp_alone), "engage", "tick", "--at", day)])
        alone_by_id, _ = sent_counts(smtp_alone)
    assert by_id and max(by_id.values()) == 1  # no Message-ID twice
    assert max(by_step.values()) == 1  # no lead got the same step twice
    assert sum(by_id.values()) == sum(alone_by_id.values())
    assert _outcomes(together) == _outcomes(alone)


def test_overlapping_research_batches_research_each_lead_once(tmp_path: Path) -> None:
    home = _home(tmp_path, "research")
    outputs = _all_ok([_qualify(qualify_env(home), "research") for _ in range(3)])
    with closing(sqlite3.connect(home / "crm.db")) as db:
        insights = db.execute("SELECT count(*) FROM leadinsight").fetchone()[0]
    researched = sum(
        int(line.split("│")[2])
        for output in outputs
        for line in output.splitlines()
        if line.count("│") >= 3 and line.split("│")[2].strip().isdigit()
        and line.split("│")[1].strip() not in ("busy", "fresh")
    )  # fmt: skip
    assert insights > 0 and researched == insights  # each lead by exactly one batch
