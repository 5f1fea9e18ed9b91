"""Workers of the task queue on PostgreSQL (`qualify worker`, `qualify enqueue`): leads are
queued once, researched and engaged by worker processes through the real SMTP test server,
and a worker killed mid-lead leaves its leads to another worker with no email sent twice."""

from __future__ import annotations

import os
import signal
import subprocess
import time
import uuid
from collections.abc import Iterator
from datetime import time as clock_time
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlmodel import Session

from core.clock import utc_now
from graphs.engage.business_calendar import Weekday
from graphs.engage.stored_settings import load_engage_settings, save_engage_settings
from graphs.research.agent_settings import load_agent_settings, save_setting_block
from graphs.research.selection_query import eligible_page
from store.db import get_db_engine
from tests.conftest import POSTGRES_ADMIN_URL
from tests.fault_trials import qualify_command, qualify_env, run, sent_counts
from tests.openai_compatible_server import running_openai_server
from tests.smtp_test_server import smtp_server

# No pass or refresh of their own during a test: the test queues what it means to run.
NEVER = "0 0 1 1 *"


@pytest.fixture
def worker_home(tmp_path: Path) -> Iterator[dict[str, str]]:
    """The environment of a fresh sample home on a PostgreSQL database of its own, its
    schema and task queue made by `qualify db upgrade`."""
    psycopg = pytest.importorskip("psycopg")
    database = f"qualify_workers_{uuid.uuid4().hex[:8]}"
    try:
        with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True, connect_timeout=3) as admin:
            admin.execute(f'CREATE DATABASE "{database}"')
    except psycopg.OperationalError as exc:
        pytest.skip(f"workers need PostgreSQL, not reachable at {POSTGRES_ADMIN_URL}: {exc}")
    env = qualify_env(tmp_path / "home") | {
        "QUALIFY_DATABASE_URL": f"postgresql://postgres@127.0.0.1:5432/{database}",
        "QUALIFY_ENGAGE_SCHEDULE": NEVER,
        "QUALIFY_RESEARCH_SCHEDULE": NEVER,
        "QUALIFY_REQUESTS_SCHEDULE": NEVER,
    }
    try:
        for command in (("init", "--leads", "24", "--accounts", "8"), ("db", "upgrade")):
            done = run(env, *command)
            assert done.returncode == 0, done.stdout + done.stderr
        yield env
    finally:
        with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


def _url(env: dict[str, str]) -> str:
    return env["QUALIFY_DATABASE_URL"].replace("postgresql://", "postgresql+psycopg://")


def _scalar(env: dict[str, str], query: str) -> int:
    with get_db_engine(_url(env)).connect() as db:
        return int(db.execute(text(query)).scalar_one())


def _jobs(env: dict[str, str], *statuses: str) -> int:
    listed = ", ".join(f"'{status}'" for status in statuses)
    return _scalar(env, f"SELECT count(*) FROM procrastinate_jobs WHERE status IN ({listed})")


def _send_any_time(env: dict[str, str]) -> None:
    """Business hours of every day and hour: the workers run on the wall clock."""
    url = _url(env)
    settings = load_engage_settings(url)
    hours = settings.guardrails.business_hours
    hours.days = list(Weekday)
    hours.start, hours.end = clock_time(0, 0), clock_time(23, 59, 59)
    save_engage_settings(url, settings)


def _with_smtp(env: dict[str, str], smtp: object) -> dict[str, str]:
    mail = qualify_env(Path(env["QUALIFY_HOME"]), smtp)  # type: ignore[arg-type]
    return env | {key: value for key, value in mail.items() if key.startswith("QUALIFY_SMTP")}


def test_leads_are_queued_once_and_researched_by_a_worker(worker_home: dict[str, str]) -> None:
    env = worker_home
    first = run(env, "enqueue", "research", "--force", "LEAD-0001", "LEAD-0002", "LEAD-0001")
    assert first.returncode == 0, first.stderr
    assert "queued 2 research jobs (1 already waiting)" in first.stdout
    again = run(env, "enqueue", "research", "LEAD-0002")
    assert "queued 0 research jobs (1 already waiting)" in again.stdout
    refresh = run(env, "enqueue", "research")
    assert "queued 1 research refresh job" in refresh.stdout

    done = run(env, "worker", "--once", "--concurrency", "4")
    assert done.returncode == 0, done.stdout + done.stderr

    url = _url(env)
    with Session(get_db_engine(url)) as session:
        rules = load_agent_settings(url).selection
        eligible = {lead.id for lead, *_ in eligible_page(session, rules, utc_now())}
    with get_db_engine(url).connect() as db:
        researched = set(db.execute(text("SELECT lead_id FROM leadinsight")).scalars())
    assert eligible, "the sample home has eligible leads"
    assert eligible | {"LEAD-0001", "LEAD-0002"} <= researched
    assert _jobs(env, "todo", "doing", "failed") == 0
    # The research threads are checkpointed in the same database: one URL for everything.
    assert _scalar(env, "SELECT count(DISTINCT thread_id) FROM checkpoints") >= len(eligible)


def test_an_engage_pass_run_by_workers_sends_each_email_once(worker_home: dict[str, str]) -> None:
    env = worker_home
    _send_any_time(env)
    with smtp_server() as smtp:
        env = _with_smtp(env, smtp)
        # The first pass queues research for candidates with no fit yet; the second starts them.
        for _ in range(2):
            assert "queued 1 engage pass job" in run(env, "enqueue", "engage").stdout
            done = run(env, "worker", "--once", "--concurrency", "4")
            assert done.returncode == 0, done.stdout + done.stderr
        started = _scalar(env, "SELECT count(*) FROM conversation")
        by_id, by_step = sent_counts(smtp)
        assert started > 0
        assert sum(by_id.values()) == started  # one first email per started lead
        assert max(by_id.values()) == 1 and max(by_step.values()) == 1

        # Nothing is due now: another pass sends nothing more.
        run(env, "enqueue", "engage")
        run(env, "worker", "--once")
        assert sum(sent_counts(smtp)[0].values()) == started
    assert _jobs(env, "todo", "doing", "failed") == 0


def test_workers_research_the_leads_a_change_asked_for(
    worker_home: dict[str, str], tmp_path: Path
) -> None:
    """A new lead imported and an email corrected to valid are researched by the workers'
    requests pass, however fresh, and no other lead; each request is then done."""
    env = worker_home
    run(env, "enqueue", "research")
    assert run(env, "worker", "--once", "--concurrency", "4").returncode == 0
    url = _url(env)
    refresh = load_agent_settings(url).refresh
    refresh.refresh_after_hours, refresh.refresh_on_change = None, False
    save_setting_block(url, "refresh", refresh)

    def researched_on() -> dict[str, object]:
        with get_db_engine(url).connect() as db:
            return dict(db.execute(text("SELECT lead_id, researched_on FROM leadinsight")).all())

    before = researched_on()
    corrected = sorted(before)[0]
    assert run(env, "email", corrected, "--valid").returncode == 0
    csv = tmp_path / "new.csv"
    csv.write_text(
        "First Name,Last Name,Email,Company,Owner\nAda,Quinn,ada@acme.example,Acme,USR-01\n"
    )
    imported = run(env, "import", "leads", str(csv))
    assert imported.returncode == 0, imported.stdout + imported.stderr
    new_lead = _scalar_text(env, "SELECT lead_id FROM researchrequest WHERE reasons = 'new_lead'")

    assert "queued 1 research requests pass job" in run(env, "enqueue", "requests").stdout
    done = run(env, "worker", "--once", "--concurrency", "4")
    assert done.returncode == 0, done.stdout + done.stderr

    after = researched_on()
    assert new_lead in after and after[corrected] != before[corrected]
    assert {k: v for k, v in after.items() if k not in (new_lead, corrected)} == {
        k: v for k, v in before.items() if k != corrected
    }
    assert _scalar(env, "SELECT count(*) FROM researchrequest WHERE done_on IS NULL") == 0
    assert _scalar(env, "SELECT count(*) FROM researchrequest") == 2
    assert _jobs(env, "todo", "doing", "failed") == 0


def _scalar_text(env: dict[str, str], query: str) -> str:
    with get_db_engine(_url(env)).connect() as db:
        return str(db.execute(text(query)).scalar_one())


def test_a_worker_killed_mid_lead_leaves_its_leads_to_another(
    worker_home: dict[str, str],
) -> None:
    """Each lead waits on a slow model endpoint (0.3 s a call, answered with an error so the
    offline engine takes over), so the kill lands while jobs run; a second worker takes
    them once the first stops beating, and every lead ends with at most one email."""
    _send_any_time(worker_home)
    leads = [f"LEAD-{n:04d}" for n in range(1, 17)]
    with running_openai_server() as model, smtp_server() as smtp:
        model.latency_s = 0.3
        model.fail_always()
        env = _with_smtp(worker_home, smtp) | {
            "OPENAI_API_KEY": "test",
            "OPENAI_BASE_URL": model.base_url,
            "NO_PROXY": "127.0.0.1",
            "QUALIFY_LLM_MAX_RETRIES": "0",
            "QUALIFY_LLM_BREAKER_FAILURES": "1000000",
            "QUALIFY_WORKER_STALLED_AFTER_S": "5",
        }
        assert "queued 16 engage jobs" in run(env, "enqueue", "engage", *leads).stdout

        first = _start_worker(env)
        deadline = time.monotonic() + 120
        while not (_jobs(env, "doing") and _scalar(env, "SELECT count(*) FROM conversation")):
            assert first.poll() is None, first.communicate()[0]
            assert time.monotonic() < deadline, "the first worker never got going"
            time.sleep(0.1)
        running_at_kill = _jobs(env, "doing")
        os.killpg(first.pid, signal.SIGKILL)
        first.wait()
        assert running_at_kill > 0

        second = _start_worker(env)
        try:
            deadline = time.monotonic() + 180
            while _jobs(env, "todo", "doing"):
                assert second.poll() is None, second.communicate()[0]
                assert time.monotonic() < deadline, "the leads of the killed worker were lost"
                time.sleep(0.5)
        finally:
            second.send_signal(signal.SIGTERM)
            output = second.communicate(timeout=60)[0]
        by_id, by_step = sent_counts(smtp)

    assert _jobs(env, "failed") == 0, output
    with get_db_engine(_url(env)).connect() as db:
        states = dict(
            db.execute(text("SELECT state, count(*) FROM conversation GROUP BY state")).all()
        )
        sent = "SELECT count(*) FROM emailmessage WHERE direction = 'OUTBOUND' AND status = 'SENT'"
        recorded = db.execute(text(sent)).scalar_one()
    # Every lead finished its step: waiting for a reply, or handed off / stopped.
    assert sum(states.values()) == len(leads) and "ACTIVE" not in states, _unfinished(env)
    assert max(by_id.values()) == 1 and max(by_step.values()) == 1
    assert sum(by_id.values()) == recorded == states.get("WAITING", 0)


def _unfinished(env: dict[str, str]) -> str:
    """What a lead left active went through: its conversation, its thread, its jobs."""
    with get_db_engine(_url(env)).connect() as db:
        rows = db.execute(
            text("SELECT lead_id, next_action, next_action_on, held_for FROM conversation "
                 "WHERE state = 'ACTIVE'")
        ).all()  # fmt: skip
        report = [str(rows)]
        for lead_id, *_ in rows:
            events = db.execute(
                text(
                    "SELECT j.id, j.task_name, j.status, j.attempts, e.type, e.at "
                    "FROM procrastinate_jobs j JOIN procrastinate_events e ON e.job_id = j.id "
                    "WHERE j.args->>'lead_id' = :lead ORDER BY e.id"
                ).bindparams(lead=lead_id)
            ).all()
            steps = db.execute(
                text("SELECT node, outcome, error FROM noderun WHERE lead_id = :lead "
                     "AND thread_id LIKE 'engage:%' ORDER BY id").bindparams(lead=lead_id)
            ).all()  # fmt: skip
            report += [f"{lead_id} jobs: {events}", f"{lead_id} steps: {steps}"]
    return "\n".join(report)


def _start_worker(env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [qualify_command(), "worker", "--concurrency", "4"], env=env, text=True,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip


def test_the_compose_file_runs_commands_that_exist() -> None:
    """compose.yaml cannot be run here (no Docker registry); what it runs must exist."""
    import yaml
    from typer.testing import CliRunner

    from app.cli.main import app

    services = yaml.safe_load((Path(__file__).parents[1] / "compose.yaml").read_text())["services"]
    commands = [services[name]["command"] for name in ("migrate", "worker")]
    assert commands == [["db", "upgrade"], ["worker"]]
    for command in commands:
        shown = CliRunner().invoke(app, [*command, "--help"])
        assert shown.exit_code == 0, shown.output
    assert services["worker"]["depends_on"]["migrate"]["condition"] == (
        "service_completed_successfully"
    )


@pytest.mark.parametrize(
    ("environment", "names"),
    [
        ({}, ["workers need PostgreSQL", "QUALIFY_DATABASE_URL"]),
        (
            {
                "QUALIFY_DATABASE_URL": "postgresql://nobody@127.0.0.1:1/none",
                "QUALIFY_ENGAGE_SCHEDULE": "every day",
            },
            ["QUALIFY_ENGAGE_SCHEDULE='every day' is not a cron schedule"],
        ),
    ],
)
def test_a_worker_that_cannot_run_says_why_in_one_line(
    environment: dict[str, str], names: list[str], tmp_path: Path
) -> None:
    env = qualify_env(tmp_path / "home") | environment
    if "QUALIFY_DATABASE_URL" not in environment:  # the embedded home, made first
        assert run(env, "init", "--leads", "5", "--accounts", "2").returncode == 0
    for command in (("worker",), ("enqueue", "research")):
        done = run(env, *command)
        assert done.returncode == 1
        assert all(name in done.stderr for name in names), done.stderr
        assert len(done.stderr.strip().splitlines()) <= 2, done.stderr
