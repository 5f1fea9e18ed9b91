"""Benchmark: leads engaged by 1, 2 and 4 worker processes on PostgreSQL, and a worker
killed mid-run.

A sample home is made once on a PostgreSQL database, which then serves as the template of
a fresh copy per run. Each run queues the same leads to engage (research, then the first
email, through the real SMTP test server) and starts `--workers` processes of `qualify
worker`; the model endpoint is the tests' local OpenAI-compatible server, `--latency`
seconds per request, answered with an error so the offline engine takes over and nothing
needs scripting. Printed per run: wall time from queueing to the last job, leads/s, model
calls, the ideal time (calls x latency / (workers x concurrency)), emails and duplicates
(by Message-ID and by step). The last run kills one of two workers at half way; the
other finishes its leads once the dead one stops beating.
Run: `python -m benchmarks.worker_benchmark [--leads 48 --workers 1,2,4 --latency 1]`.
"""

from __future__ import annotations

import argparse
import os
import resource
import signal
import subprocess
import tempfile
import time
import uuid
from datetime import time as clock_time
from pathlib import Path

import psycopg
from sqlmodel import Session

from core.clock import utc_now
from graphs.engage.business_calendar import Weekday
from graphs.engage.stored_settings import load_engage_settings, save_engage_settings
from graphs.research.agent_settings import load_agent_settings
from graphs.research.selection_query import eligible_page
from store.db import get_db_engine
from tests.fault_trials import qualify_command, qualify_env, run, sent_counts
from tests.openai_compatible_server import OpenAICompatibleServer, running_openai_server
from tests.smtp_test_server import SmtpTestServer, smtp_server

ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
NEVER = "0 0 1 1 *"  # no scheduled pass of the workers' own during a run


def _database(name: str, template: str | None = None) -> str:
    with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
    return f"postgresql://postgres@127.0.0.1:5432/{name}"


def _drop(name: str) -> None:
    with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _sqlalchemy(url: str) -> str:
    return url.replace("postgresql://", "postgresql+psycopg://")


def _prepare(home: Path, url: str, leads: int) -> list[str]:
    """The sample home on `url`, sending at any hour; the leads to engage."""
    env = qualify_env(home) | {"QUALIFY_DATABASE_URL": url}
    for command in (("init", "--leads", str(leads * 2), "--accounts", "16"), ("db", "upgrade")):
        done = run(env, *command)
        assert done.returncode == 0, done.stdout + done.stderr
    settings = load_engage_settings(_sqlalchemy(url))
    hours = settings.guardrails.business_hours
    hours.days = list(Weekday)
    hours.start, hours.end = clock_time(0, 0), clock_time(23, 59, 59)
    settings.guardrails.daily_send_cap_per_mailbox = 10_000
    save_engage_settings(_sqlalchemy(url), settings)
    with Session(get_db_engine(_sqlalchemy(url))) as session:
        rules = load_agent_settings(_sqlalchemy(url)).selection
        eligible = [lead.id for lead, *_ in eligible_page(session, rules, utc_now())]
    get_db_engine(_sqlalchemy(url)).dispose()  # a template database takes no connections
    return eligible[:leads]


def _jobs_left(url: str) -> int:
    with psycopg.connect(url) as db:
        row = db.execute(
            "SELECT count(*) FROM procrastinate_jobs WHERE status IN ('todo', 'doing')"
        ).fetchone()
    return int(row[0]) if row else 0


def _children_cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _worker(env: dict[str, str], concurrency: int) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [qualify_command(), "worker", "--concurrency", str(concurrency)], env=env,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip


def one_run(
    home: Path,
    template: str,
    leads: list[str],
    workers: int,
    concurrency: int,
    model: OpenAICompatibleServer,
    smtp: SmtpTestServer,
    *,
    kill_one: bool = False,
) -> dict[str, object]:
    """Engage `leads` with `workers` processes on a fresh copy of the template."""
    name = f"qualify_bench_run_{uuid.uuid4().hex[:6]}"
    url = _database(name, template)
    env = qualify_env(home, smtp) | {
        "QUALIFY_DATABASE_URL": url,
        "QUALIFY_ENGAGE_SCHEDULE": NEVER,
        "QUALIFY_RESEARCH_SCHEDULE": NEVER,
        "QUALIFY_WORKER_STALLED_AFTER_S": "5",
        "OPENAI_API_KEY": "benchmark",
        "OPENAI_BASE_URL": model.base_url,
        "NO_PROXY": "127.0.0.1",
        "QUALIFY_LLM_MAX_RETRIES": "0",
        "QUALIFY_LLM_BREAKER_FAILURES": "1000000",
    }
    smtp.messages.clear()
    calls_before = len(model.requests)
    cpu_before = _children_cpu_s()
    queued = run(env, "enqueue", "engage", *leads)
    assert queued.returncode == 0, queued.stdout + queued.stderr
    started = time.perf_counter()
    processes = [_worker(env, concurrency) for _ in range(workers)]
    killed_at = None
    try:
        while (left := _jobs_left(url)) > 0:
            if kill_one and killed_at is None and left <= len(leads) // 2:
                os.killpg(processes[0].pid, signal.SIGKILL)
                killed_at = time.perf_counter() - started
            time.sleep(0.2)
        seconds = time.perf_counter() - started
    finally:
        for process in processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=60)
    with psycopg.connect(url) as db:
        conversations = db.execute("SELECT count(*) FROM conversation").fetchone()[0]  # type: ignore[index]
        failed = db.execute(
            "SELECT count(*) FROM procrastinate_jobs WHERE status = 'failed'"
        ).fetchone()[0]  # type: ignore[index]
    by_id, by_step = sent_counts(smtp)
    cpu = _children_cpu_s() - cpu_before
    _drop(name)
    calls = len(model.requests) - calls_before
    return {
        "workers": workers,
        "killed": f"one at {killed_at:.1f} s" if killed_at is not None else "-",
        "seconds": seconds,
        "leads/s": len(leads) / seconds,
        "calls": calls,
        "ideal s": calls * model.latency_s / (workers * concurrency),
        # CPU time of the worker processes beside what the cores could give in the run:
        # near 1, the cores bind, not the model or the queue.
        "CPU s": cpu,
        "CPU / cores x wall": cpu / ((os.cpu_count() or 1) * seconds),
        "engaged": conversations,
        "emails": sum(by_id.values()),
        "dup": sum(n - 1 for n in by_id.values() if n > 1)
        + sum(n - 1 for n in by_step.values() if n > 1),
        "failed jobs": failed,
    }


def main() -> None:
    """Make the template home, then time each number of workers and the killed run."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--leads", type=int, default=48)
    parser.add_argument("--workers", default="1,2,4")
    parser.add_argument("--concurrency", type=int, default=4, help="Jobs per worker.")
    parser.add_argument("--latency", type=float, default=1.0, help="Seconds per model call.")
    args = parser.parse_args()
    home = Path(tempfile.mkdtemp(prefix="qualify-worker-bench-"))
    template = f"qualify_bench_template_{uuid.uuid4().hex[:6]}"
    leads = _prepare(home, _database(template), args.leads)
    print(
        f"{len(leads)} leads engaged per run; {args.concurrency} jobs per worker; model "
        f"{args.latency:g} s per call; {os.cpu_count()} CPU cores; home {home}"
    )
    rows = []
    try:
        with running_openai_server() as model, smtp_server() as smtp:
            model.latency_s = args.latency
            model.fail_always()
            for workers in (int(n) for n in args.workers.split(",")):
                rows.append(one_run(home, template, leads, workers, args.concurrency, model, smtp))
            rows.append(
                one_run(home, template, leads, 2, args.concurrency, model, smtp, kill_one=True)
            )
    finally:
        _drop(template)
    columns = list(rows[0])
    print(" | ".join(columns))
    for row in rows:
        cells = (f"{row[c]:.2f}" if isinstance(row[c], float) else str(row[c]) for c in columns)
        print(" | ".join(cells))


if __name__ == "__main__":
    main()
