"""Benchmark: the console's trace pages for a lead with a long trace (offline engine,
SQLite CRM and checkpoints).

Makes a small sample home, researches one lead again and again with `force` until its
research thread holds at least `--steps` steps (as the tracer writes them: one NodeRun row
per step), adds a supervisor account, then requests through the console app in this
process (FastAPI's TestClient: the whole ASGI stack, no network) `--requests` times each:
the trace page (timeline of every step), one step's page in full (the middle step), and
the same two through the JSON API. Prints p50, p95 and max in ms.
Run: `python -m benchmarks.console_trace_benchmark [--steps 50] [--requests 200]`.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from fastapi.testclient import TestClient
from sqlmodel import Session

from app.web.accounts import add_account
from app.web.server import create_app
from benchmarks.trace_benchmark import grow_trace, sample_home
from graphs.checkpointing import open_checkpointer
from graphs.tracing.monitor import percentile
from store.console_accounts import ConsoleRole
from store.db import get_db_engine
from tests.console_support import PASSWORD, signed_in

SUPERVISOR = "supervisor@example.org"


def build_long_trace(root: Path, steps: int) -> tuple[str, str, int]:
    """A sample home in `root` with one lead researched until its thread holds at least
    `steps` steps, and a supervisor account; the database URL, the lead and its steps."""
    context = sample_home(root)
    with Session(get_db_engine(context.database_url)) as session:
        add_account(session, SUPERVISOR, PASSWORD, ConsoleRole.SUPERVISOR, full_name=None)
        session.commit()
    with open_checkpointer(str(root / "checkpoints.db")) as saver:
        lead_id, _, held = grow_trace(saver, context, steps)
    return context.database_url, lead_id, held


def console_for(root: Path, database_url: str) -> TestClient:
    """The console over the home, reading its checkpoints (enter it before use)."""
    app = create_app(database_url)
    app.state.checkpoint_url = str(root / "checkpoints.db")
    return TestClient(app, follow_redirects=False)


def _timings(client: TestClient, url: str, requests: int) -> list[float]:
    times = []
    for _ in range(requests):
        started = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"GET {url}: {response.status_code} {response.text[:200]}")
    return times


def _line(label: str, times: list[float]) -> str:
    return (
        f"{label:<34} p50 {percentile(times, 0.5):7.1f} ms   p95 {percentile(times, 0.95):7.1f} ms"
        f"   max {max(times):7.1f} ms"
    )


def main() -> None:
    """Build the long trace, then time the pages."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--steps", type=int, default=50, help="Steps the thread should hold.")
    parser.add_argument("--requests", type=int, default=200, help="Timed requests per page.")
    parser.add_argument("--dir", type=Path, default=None, help="Work folder (default: temp).")
    args = parser.parse_args()
    root = args.dir or Path(tempfile.mkdtemp(prefix="qualify-console-trace-bench-"))
    started = time.perf_counter()
    database_url, lead_id, steps = build_long_trace(root, args.steps)
    print(f"lead {lead_id}: {steps} steps ({time.perf_counter() - started:.1f} s to build)")
    middle = steps // 2
    with console_for(root, database_url) as client:
        signed_in(client, SUPERVISOR)
        _timings(client, f"/traces/{lead_id}", 5)  # warm: templates compiled, caches filled
        pages = {
            f"trace page ({steps} steps)": f"/traces/{lead_id}",
            f"step page (step {middle} in full)": f"/traces/{lead_id}?step={middle}",
            "GET /api/traces/{lead}": f"/api/traces/{lead_id}",
            f"GET /api/traces/{{lead}}/steps/{middle}": f"/api/traces/{lead_id}/steps/{middle}",
        }
        for label, url in pages.items():
            print(_line(label, _timings(client, url, args.requests)))


if __name__ == "__main__":
    main()
