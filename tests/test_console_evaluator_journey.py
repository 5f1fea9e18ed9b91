"""The evaluator's journey in a browser: start an eval run, watch its progress bar reach
the result, open the report, compare two runs; and a supervisor's research batch with
its progress bar. Screenshots are kept as test artefacts."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from core.settings import get_settings
from tests.conftest import SampleCrm
from tests.console_support import LOGINS, chromium, running_console, screenshot, sign_in_page


def _start_run(page, suites: list[str]) -> str:
    """Start a dev run of `suites` from /evals; the run's name once its page opens."""
    page.goto("/evals")
    for suite in suites:
        page.get_by_label(suite, exact=True).check()
    page.get_by_role("button", name="Start the run").click()
    page.wait_for_url(re.compile(r"/jobs/\d+$|/evals/[^/]+$"))
    job_url = page.url if "/jobs/" in page.url else None
    page.wait_for_url(re.compile(r"/evals/\d{8}-\d{6}-offline[^/]*$"), timeout=60_000)
    if job_url:
        # A small run can end before the bar is seen; the job page, read afterwards, has it.
        job_page = page.request.get(job_url).text()
        assert "<progress" in job_page
    return page.url.rsplit("/", 1)[1]


def test_an_evaluator_runs_reads_and_compares(console_crm: SampleCrm) -> None:
    with running_console(console_crm.database_url) as base_url, chromium() as browser:
        page = sign_in_page(browser, base_url, LOGINS.evaluator)
        assert page.url.endswith("/evals")
        first = _start_run(page, ["email", "titles", "industries"])
        expect(page.get_by_role("heading", name=f"Eval run {first}", exact=True)).to_be_visible()
        expect(page.get_by_role("cell", name="industries (dev)")).to_be_visible()
        second = _start_run(page, ["email", "titles"])
        assert second != first

        page.goto("/evals")
        expect(page.get_by_role("link", name=first, exact=True)).to_be_visible()
        screenshot(page, "evaluator-runs")

        page.goto(f"/evals/{first}")
        page.get_by_role("link", name="Open the full report").click()
        expect(page.get_by_role("heading", name=f"Eval run {first}", exact=True)).to_be_visible()
        assert page.url.endswith(f"/evals/{first}/report.html")

        page.goto("/evals")
        page.get_by_label("A (the baseline)").select_option(first)
        page.get_by_label("B (the candidate)").select_option(second)
        page.get_by_role("button", name="Compare").click()
        expect(page.get_by_role("heading", name="Compare eval runs")).to_be_visible()
        expect(page.get_by_role("heading", name="email (dev)")).to_be_visible()
        expect(
            page.get_by_text("Suites in only one run (not compared): industries (dev)")
        ).to_be_visible()
        screenshot(page, "evaluator-compare")


def test_a_supervisor_watches_a_research_batch(
    console_crm: SampleCrm, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("QUALIFY_CORPUS_DIR", str(console_crm.corpus_dir))
    monkeypatch.setenv("QUALIFY_CHROMA_DIR", str(console_crm.chroma_dir))
    monkeypatch.setenv("QUALIFY_ENGINE", "offline")
    get_settings.cache_clear()
    with running_console(console_crm.database_url) as base_url, chromium() as browser:
        page = sign_in_page(browser, base_url, LOGINS.supervisor)
        page.goto("/research")
        page.get_by_label("How many eligible leads").fill("25")
        page.get_by_role("button", name="Start research").click()
        page.wait_for_url(re.compile(r"/jobs/\d+$"))
        bar = page.locator("progress")
        page.wait_for_function(
            "() => { const p = document.querySelector('progress');"
            " return p && p.max === 25 && p.value > 0; }",
            timeout=60_000,
        )
        screenshot(page, "research-job-progress")
        page.wait_for_function(
            "() => document.querySelector('.job').dataset.jobState === 'done'", timeout=120_000
        )
        assert bar.evaluate("p => p.value") == 25
        expect(page.get_by_text(re.compile(r"^25 leads: "))).to_be_visible()
