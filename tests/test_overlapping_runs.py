"""Overlapping runs on one home: every email once, every lead once (issue 13, item 1).

Real processes (`qualify engage tick`, `qualify research`) run at the same time on one
home, its CRM and checkpoints in SQLite or in PostgreSQL, sending through the real SMTP
test server; the server counts what arrived. `python -m tests.overlap_trials` runs the
same with 1, 2, 4 and 8 processes and prints the table.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.overlap_trials import (
    Home,
    StoreUnavailable,
    homes,
    overlapping_research,
    overlapping_ticks,
)


@pytest.fixture(params=["sqlite", "postgres"])
def new_home(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Callable[[str], Home]]:
    """Fresh homes whose CRM and checkpoints live in SQLite files, or in fresh PostgreSQL
    databases (dropped afterwards)."""
    if request.param == "postgres":
        pytest.importorskip("psycopg")
    with homes(tmp_path, request.param) as make:

        def make_or_skip(name: str) -> Home:
            try:
                return make(name)
            except StoreUnavailable as exc:
                pytest.skip(f"cannot test on PostgreSQL: {exc}")

        yield make_or_skip


def test_four_overlapping_ticks_send_what_one_would_and_nothing_twice(
    new_home: Callable[[str], Home], request: pytest.FixtureRequest
) -> None:
    store = request.node.callspec.params["new_home"]
    together = overlapping_ticks(new_home("together"), store, processes=4)
    alone = overlapping_ticks(new_home("alone"), store, processes=1)
    assert not together.failures and not alone.failures, together.failures + alone.failures
    assert together.emails > 0
    assert together.duplicate_ids == 0  # no Message-ID twice
    assert together.duplicate_steps == 0  # no lead got the same step twice
    assert together.emails == alone.emails
    assert together.outcomes == alone.outcomes


def test_overlapping_research_batches_research_each_lead_once(
    new_home: Callable[[str], Home], request: pytest.FixtureRequest
) -> None:
    store = request.node.callspec.params["new_home"]
    result = overlapping_research(new_home("research"), store, processes=3)
    assert not result.failures, result.failures
    assert result.insights > 0 and result.researched == result.insights  # each by one batch
