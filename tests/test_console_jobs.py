"""Background jobs of the console: a research batch with its progress, a failing job, a
job a stopped console left, who may see a job, and the throttled progress writes."""

from __future__ import annotations

import time

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from app.web.accounts import Viewer
from app.web.background_jobs import INTERRUPTED, ConsoleJobs, JobProgress
from core.settings import get_settings
from store.agent_records import LeadInsight
from store.console_accounts import ConsoleAccount
from store.console_jobs import ConsoleJob, JobState
from store.db import get_db_engine, session_scope
from tests.conftest import SampleCrm
from tests.console_support import LOGINS, client_as


@pytest.fixture
def crm_settings(console_crm: SampleCrm, monkeypatch: pytest.MonkeyPatch) -> SampleCrm:
    """The console's settings point at the copy's corpus and index, as a home's would."""
    monkeypatch.setenv("QUALIFY_CORPUS_DIR", str(console_crm.corpus_dir))
    monkeypatch.setenv("QUALIFY_CHROMA_DIR", str(console_crm.chroma_dir))
    monkeypatch.setenv("QUALIFY_ENGINE", "offline")
    get_settings.cache_clear()
    return console_crm


def _follow(client: TestClient, job_id: int, timeout_s: float = 120) -> list[dict]:
    """Every distinct progress the API showed until the job finished."""
    seen: list[dict] = []
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        response = client.get(f"/api/jobs/{job_id}")
        assert response.status_code == 200, response.text
        status = response.json()
        if not seen or (status["state"], status["done"]) != (seen[-1]["state"], seen[-1]["done"]):
            seen.append(status)
        if status["state"] in ("done", "failed"):
            return seen
        time.sleep(0.05)
    raise AssertionError(f"job {job_id} did not finish in {timeout_s} s: {seen[-1:]}")


def _job_id(location: str) -> int:
    assert location.startswith("/jobs/"), location
    return int(location.removeprefix("/jobs/"))


def test_a_research_batch_runs_to_done_with_its_progress_rising(crm_settings: SampleCrm) -> None:
    with client_as(crm_settings.database_url, LOGINS.supervisor) as client:
        form = client.get("/research")
        assert form.status_code == 200 and "How many eligible leads" in form.text
        started = client.post("/research", data={"kind": "eligible", "how_many": "4"})
        assert started.status_code == 303, started.text
        job_id = _job_id(started.headers["location"])
        page = client.get(f"/jobs/{job_id}")
        assert page.status_code == 200
        assert "<progress" in page.text
        seen = _follow(client, job_id)
    final = seen[-1]
    assert final["state"] == "done", final
    assert final["done"] == final["total"] == 4
    dones = [s["done"] for s in seen]
    assert dones == sorted(dones) and len(set(dones)) >= 2, dones
    assert final["message"].startswith("4 leads: ")
    with Session(get_db_engine(crm_settings.database_url)) as session:
        assert len(session.exec(select(LeadInsight)).all()) == 4


def test_a_bad_batch_size_is_shown_at_the_field_and_starts_nothing(
    console_crm: SampleCrm,
) -> None:
    with client_as(console_crm.database_url, LOGINS.admin) as client:
        response = client.post("/research", data={"kind": "eligible", "how_many": "lots"})
    assert response.status_code == 422
    assert 'id="how_many-error"' in response.text and "from 1 to 10000" in response.text
    with Session(get_db_engine(console_crm.database_url)) as session:
        assert session.exec(select(ConsoleJob)).all() == []


def _viewer(database_url: str, login: str) -> Viewer:
    with Session(get_db_engine(database_url)) as session:
        account = session.exec(select(ConsoleAccount).where(ConsoleAccount.login == login)).one()
    assert account.id is not None
    return Viewer(account.id, account.login, account.full_name, account.role, None, "")


def _wait(database_url: str, job_id: int) -> ConsoleJob:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with Session(get_db_engine(database_url)) as session:
            job = session.get(ConsoleJob, job_id)
        assert job is not None
        if job.state in (JobState.DONE, JobState.FAILED):
            return job
        time.sleep(0.02)
    raise AssertionError("the job did not finish")


def test_a_failing_job_ends_failed_with_its_error(console_crm: SampleCrm) -> None:
    url = console_crm.database_url
    jobs = ConsoleJobs(url)

    def work(progress: JobProgress) -> str:
        progress(1, 3, "first lead")
        raise ValueError("the CRM went away")

    try:
        job_id = jobs.start("research", _viewer(url, LOGINS.supervisor), work)
        job = _wait(url, job_id)
    finally:
        jobs.shutdown()
    assert job.state is JobState.FAILED
    assert job.error == "ValueError: the CRM went away"
    assert (job.done, job.total, job.message) == (1, 3, "first lead")
    assert job.finished_on is not None
    with client_as(url, LOGINS.supervisor) as client:
        shown = client.get(f"/api/jobs/{job_id}").json()
        page = client.get(f"/jobs/{job_id}").text
    assert shown["state"] == "failed" and shown["error"] == "ValueError: the CRM went away"
    assert "The job failed: ValueError: the CRM went away" in page


def test_a_job_left_running_by_a_stopped_console_is_failed_at_start_up(
    console_crm: SampleCrm,
) -> None:
    url = console_crm.database_url
    starter = _viewer(url, LOGINS.evaluator)
    with session_scope(url) as session:
        for state in (JobState.RUNNING, JobState.QUEUED, JobState.DONE):
            session.add(ConsoleJob(kind="eval", started_by=starter.account_id, state=state))
    with client_as(url, LOGINS.evaluator):
        pass
    with Session(get_db_engine(url)) as session:
        jobs = session.exec(select(ConsoleJob).order_by(col(ConsoleJob.id))).all()
    assert [job.state for job in jobs] == [JobState.FAILED, JobState.FAILED, JobState.DONE]
    assert [job.error for job in jobs] == [INTERRUPTED, INTERRUPTED, None]


def test_only_the_starter_supervisors_and_admins_see_a_job(console_crm: SampleCrm) -> None:
    url = console_crm.database_url
    with session_scope(url) as session:
        job = ConsoleJob(kind="eval", started_by=_viewer(url, LOGINS.evaluator).account_id)
        job.state = JobState.DONE
        session.add(job)
        session.flush()
        job_id = job.id
    for login, status in (
        (LOGINS.evaluator, 200),
        (LOGINS.supervisor, 200),
        (LOGINS.admin, 200),
        (LOGINS.seller, 403),
    ):
        with client_as(url, login) as client:
            assert client.get(f"/api/jobs/{job_id}").status_code == status, login
            assert client.get(f"/jobs/{job_id}").status_code == status, login
    with client_as(url, LOGINS.admin) as client:
        assert client.get("/api/jobs/999999").status_code == 404


def test_progress_writes_are_throttled_but_the_last_is_kept(console_crm: SampleCrm) -> None:
    url = console_crm.database_url
    with session_scope(url) as session:
        job = ConsoleJob(kind="research", started_by=_viewer(url, LOGINS.admin).account_id)
        session.add(job)
        session.flush()
        assert job.id is not None
        job_id = job.id
    progress = JobProgress(url, job_id, every_s=60)
    for done in range(1, 100):
        progress(done, 200, f"lead {done}")
    assert progress.writes == 1  # the first; the rest wait
    progress.flush()
    assert progress.writes == 2
    with Session(get_db_engine(url)) as session:
        stored = session.get(ConsoleJob, job_id)
    assert stored is not None and (stored.done, stored.message) == (99, "lead 99")
    progress(200, 200, "all done")  # the end is always written
    assert progress.writes == 3
