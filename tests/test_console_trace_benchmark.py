"""The console trace benchmark's builder and pages still work (no timing asserted)."""

from __future__ import annotations

from pathlib import Path

from benchmarks.console_trace_benchmark import SUPERVISOR, build_long_trace, console_for
from tests.console_support import signed_in


def test_the_benchmark_builds_a_long_trace_the_console_shows(tmp_path: Path) -> None:
    database_url, lead_id, steps = build_long_trace(tmp_path, steps=8)
    assert steps >= 8
    with console_for(tmp_path, database_url) as client:
        signed_in(client, SUPERVISOR)
        trace = client.get(f"/api/traces/{lead_id}")
        assert trace.status_code == 200
        assert len(trace.json()["steps"]) == steps
        page = client.get(f"/traces/{lead_id}?step={steps}")
        assert page.status_code == 200 and f"Step {steps}: " in page.text
