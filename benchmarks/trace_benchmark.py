"""Benchmark: reading a long lead trace (offline engine, SQLite checkpoints).

One lead is researched again and again with `--force` (4 or 5 steps a run, with or without
a draft) until its thread holds at least `--steps` steps; then the trace is read the way
`qualify trace` reads it, `--repeat` times: the checkpoint history (no replay), the
timeline built from it, the timeline rendered, one step in full, and a replay from the
middle step. Prints median and worst times, the checkpoint count, and the checkpoint
database size for the lead (the file, and the bytes of the lead's own checkpoint rows).
Run: `python benchmarks/trace_benchmark.py [--steps 50]`.
"""

from __future__ import annotations

import argparse
import io
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Callable
from contextlib import closing
from pathlib import Path
from typing import Any

from rich.console import Console
from sqlmodel import Session

from app.cli.trace import render_step, render_timeline
from graphs.checkpointing import open_checkpointer
from graphs.context import Context
from graphs.research.graph import build_research_graph
from graphs.research.runner import ResearchRunner
from graphs.services import services_for
from graphs.tracing.replay import replay
from graphs.tracing.trace_steps import with_steps
from graphs.tracing.trace_view import build_trace, step_detail
from memory.thread_ids import thread_id_for
from sample_crm.generator import generate_sample_crm
from store.db import get_db_engine


def _timed(fn: Callable[[], Any], repeat: int) -> tuple[list[float], Any]:
    """Milliseconds of each of `repeat` calls, and the last result."""
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - started) * 1000)
    return times, result


def _line(label: str, times: list[float]) -> str:
    return f"{label:<34} median {statistics.median(times):8.1f} ms   max {max(times):8.1f} ms"


def _thread_bytes(path: Path, thread_id: str) -> int:
    """Bytes of the thread's checkpoints, pending writes and channel values."""
    sizes = {
        "checkpoints": "LENGTH(checkpoint) + LENGTH(metadata)",
        "writes": "LENGTH(value)",
        "channel_values": "LENGTH(value)",
    }
    with closing(sqlite3.connect(path)) as connection:
        tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master")}
        return sum(
            int(
                connection.execute(
                    f"SELECT COALESCE(SUM({size}), 0) FROM {table} WHERE thread_id = ?",
                    (thread_id,),
                ).fetchone()[0]
            )
            for table, size in sizes.items()
            if table in tables
        )


def sample_home(root: Path) -> Context:
    """The sample CRM (20 accounts, 40 leads) in `root` with its corpus indexed; the
    offline run context over it."""
    database_url = f"sqlite:///{root / 'crm.db'}"
    context = Context(
        database_url=database_url,
        corpus_dir=str(root / "web"),
        chroma_dir=str(root / "chroma"),
        engine="offline",
    )
    with Session(get_db_engine(database_url)) as session:
        generate_sample_crm(session, root / "web", n_accounts=20, n_leads=40)
        session.commit()
    services_for(context).web.sync()  # type: ignore[attr-defined]
    return context


def grow_trace(saver: Any, context: Context, steps: int) -> tuple[str, int, int]:
    """Research the first eligible lead again and again until its thread holds at least
    `steps` steps: the lead, the research runs and the steps held."""
    runner = ResearchRunner(context, saver)
    lead_id = runner.eligible_leads()[0].lead_id
    graph = build_research_graph(saver)
    config = {"configurable": {"thread_id": thread_id_for(lead_id)}}
    runs = held = 0
    while held < steps:
        [outcome] = runner.research([lead_id], force=True)
        if outcome.status != "researched":
            raise SystemExit(f"research of {lead_id} failed: {outcome.message}")
        runs, held = runs + 1, len(graph.get_state(config).values["trace"])
    return lead_id, runs, held


def main() -> None:
    """Build a long trace for one lead, then time reading it."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--steps", type=int, default=50, help="Steps the thread should hold.")
    parser.add_argument("--repeat", type=int, default=20, help="Timed reads of each kind.")
    parser.add_argument("--dir", type=Path, default=None, help="Work folder (default: a temp one).")
    args = parser.parse_args()
    root = args.dir or Path(tempfile.mkdtemp(prefix="qualify-trace-bench-"))
    context = sample_home(root)
    database_url = context.database_url
    checkpoints = root / "checkpoints.db"

    with open_checkpointer(str(checkpoints)) as saver:
        started = time.perf_counter()
        lead_id, runs, _ = grow_trace(saver, context, args.steps)
        built = time.perf_counter() - started
        graph = build_research_graph(saver)
        config = {"configurable": {"thread_id": thread_id_for(lead_id)}}

        read_times, history = _timed(
            lambda: with_steps(list(graph.get_state_history(config)), database_url), args.repeat
        )
        build_times, trace = _timed(
            lambda: build_trace(history, lead_id=lead_id, mode="research"), args.repeat
        )
        sink = Console(file=io.StringIO(), width=200)
        render_times, _ = _timed(lambda: render_timeline(trace, sink), args.repeat)
        middle = len(trace.steps) // 2
        detail_times, _ = _timed(
            lambda: render_step(
                step_detail(history, middle, lead_id=lead_id, mode="research"), sink
            ),
            args.repeat,
        )
        # Replay from the middle step: fork into a sandbox thread and run to the end.
        replay_repeat = max(1, args.repeat // 4)
        replay_times, result = _timed(
            lambda: replay(saver, context, lead_id=lead_id, mode="research", from_step=middle),
            replay_repeat,
        )

    listing = [r + b + s for r, b, s in zip(read_times, build_times, render_times, strict=True)]
    thread_kb = _thread_bytes(checkpoints, thread_id_for(lead_id)) / 1000
    print(
        f"lead {lead_id}: {runs} forced research runs, {len(trace.steps)} steps, "
        f"{trace.checkpoint_count} checkpoints ({built:.1f} s to build)"
    )
    print(_line("checkpoint history read", read_times))
    print(_line("timeline build (pure)", build_times))
    print(_line("timeline render", render_times))
    print(_line("trace listing (read+build+render)", listing))
    print(_line(f"one step in full (--step {middle})", detail_times))
    print(_line(f"replay from step {middle} ({result.from_node}) to the end", replay_times))
    print(
        f"checkpoint database: {checkpoints.stat().st_size / 1000:.0f} kB file for this one lead; "
        f"its thread's rows {thread_kb:.0f} kB ({thread_kb / len(trace.steps):.1f} kB per step)"
    )


if __name__ == "__main__":
    main()
