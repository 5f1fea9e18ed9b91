"""Evaluator pages: stored runs with their figures, a run's report served so no script
runs, two runs compared, and a run started as a background job."""

from __future__ import annotations

import json
import time
from pathlib import Path

from evals.run_folder import load_run, new_run_dir, runs_dir, write_run
from evals.runner import RunOptions, run_eval
from tests.conftest import SampleCrm
from tests.console_support import LOGINS, client_as

FIXTURES = Path(__file__).parent / "data" / "evals"


def _stored_run(name: str, dataset: Path) -> str:
    """A handoff run on `dataset`, in the runs folder the console reads."""
    out = new_run_dir(runs_dir(), name)
    run_eval(RunOptions(suites=["handoff"], dataset=dataset, out_dir=out))
    return out.name


def _broken_dataset(tmp_path: Path) -> Path:
    rows = [json.loads(line) for line in (FIXTURES / "handoff.jsonl").read_text().splitlines()]
    rows[1]["expected"] = {"target": "supervisor", "rule": "bounced"}  # now fails
    path = tmp_path / "handoff.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


def test_the_runs_are_listed_with_their_figures_and_report(
    console_crm: SampleCrm, tmp_path: Path
) -> None:
    name = _stored_run("20260101-000000-offline", FIXTURES / "handoff.jsonl")
    with client_as(console_crm.database_url, LOGINS.evaluator) as client:
        listing = client.get("/evals")
        run_page = client.get(f"/evals/{name}")
        report = client.get(f"/evals/{name}/report.html")
        api = client.get("/api/evals/runs").json()
        missing = client.get("/evals/no-such-run")
        escaping = client.get("/evals/..%2F..%2Fetc/report.html")
    assert listing.status_code == 200 and f'href="/evals/{name}"' in listing.text
    assert run_page.status_code == 200 and "100.0%" in run_page.text
    assert report.status_code == 200 and report.text.startswith("<!DOCTYPE html>")
    policy = report.headers["content-security-policy"]
    assert "sandbox" in policy and "script-src" not in policy and "default-src 'none'" in policy
    assert [(r["name"], r["suites"][0]["cases"]) for r in api] == [(name, 4)]
    assert missing.status_code == 404 and escaping.status_code == 404


def test_two_runs_compared_show_deltas_and_the_changed_case(
    console_crm: SampleCrm, tmp_path: Path
) -> None:
    a = _stored_run("20260101-000000-offline", FIXTURES / "handoff.jsonl")
    b = _stored_run("20260101-000001-offline", _broken_dataset(tmp_path))
    with client_as(console_crm.database_url, LOGINS.evaluator) as client:
        page = client.get("/evals/compare", params={"a": a, "b": b})
        unknown = client.get("/evals/compare", params={"a": a, "b": "nope"})
    assert page.status_code == 200, page.text
    assert "-25.0 pt ▼" in page.text and "handoff-0002" in page.text
    assert "0 fixed</strong>, <strong>1 broke" in page.text
    assert unknown.status_code == 404


def test_a_frozen_splits_changed_cases_are_counted_not_named(
    console_crm: SampleCrm, tmp_path: Path
) -> None:
    names = []
    for stamp, dataset in (("000000", FIXTURES / "handoff.jsonl"), ("000001", None)):
        source = _stored_run(f"20260101-{stamp}-src", dataset or _broken_dataset(tmp_path))
        run = load_run(runs_dir() / source)
        for suite in run.suites:
            suite.split = "test"  # as a run of the frozen split records it
        out = new_run_dir(runs_dir(), f"20260101-{stamp}-offline")
        write_run(run, out)
        names.append(out.name)
    with client_as(console_crm.database_url, LOGINS.evaluator) as client:
        page = client.get("/evals/compare", params={"a": names[0], "b": names[1]})
    assert page.status_code == 200
    assert "handoff (test)" in page.text and "1 broke" in page.text
    assert "handoff-0002" not in page.text and "counted, not listed" in page.text


def test_an_eval_run_started_from_the_page_runs_as_a_job(console_crm: SampleCrm) -> None:
    with client_as(console_crm.database_url, LOGINS.evaluator) as client:
        refused = client.post("/evals/runs", data={"splits": ["dev"]})
        started = client.post("/evals/runs", data={"suites": ["email"], "splits": ["dev"]})
        assert started.status_code == 303, started.text
        job_url = "/api" + started.headers["location"]
        deadline = time.monotonic() + 60
        while (job := client.get(job_url).json())["state"] in ("queued", "running"):
            assert time.monotonic() < deadline, job
            time.sleep(0.05)
        assert job["state"] == "done", job
        assert job["done"] == job["total"] > 300 and job["message"].endswith("email (dev)")
        result = client.get(job["result_url"])
    assert refused.status_code == 422 and "Choose one or more suites" in refused.text
    assert result.status_code == 200 and "email (dev)" in result.text
    assert job["result_url"].removeprefix("/evals/") in {p.name for p in runs_dir().iterdir()}


def test_dataset_text_in_a_run_is_shown_escaped(console_crm: SampleCrm) -> None:
    source = _stored_run("20260101-000000-src", FIXTURES / "handoff.jsonl")
    run = load_run(runs_dir() / source)
    hostile = "<script>alert('dataset')</script>"
    run.model = hostile
    run.suites[0].dataset = hostile
    out = new_run_dir(runs_dir(), "20260101-000001-offline")
    write_run(run, out)
    with client_as(console_crm.database_url, LOGINS.evaluator) as client:
        pages = [
            client.get("/evals").text,
            client.get(f"/evals/{out.name}").text,
            client.get(f"/evals/{out.name}/report.html").text,
            client.get("/evals/compare", params={"a": source, "b": out.name}).text,
        ]
    for text in pages:
        assert hostile not in text
    assert "&lt;script&gt;alert(" in pages[0] and "&lt;script&gt;alert(" in pages[2]
