"""The agent monitor page and `GET /api/monitor`: the figures `qualify monitor` prints, on
the researched world, with the charts drawn on the server; only supervisors and admins."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from app.cli.main import app
from core.settings import get_settings
from tests.conftest import SampleCrm
from tests.console_support import LOGINS, client_as

cli = CliRunner()


@pytest.fixture
def world(
    researched_console_template: tuple[SampleCrm, list[str]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> SampleCrm:
    """A copy of the researched world, as QUALIFY_HOME (the CLI and checkpoints read it)."""
    template, _ = researched_console_template
    root = tmp_path / "world"
    shutil.copytree(template.root, root)
    monkeypatch.setenv("QUALIFY_HOME", str(root))
    get_settings.cache_clear()
    return SampleCrm(root)


def _figures(report: dict) -> dict:
    """The report without its period (the CLI and the API ask a moment apart)."""
    return {key: value for key, value in report.items() if key != "period"}


def test_the_monitor_shows_what_qualify_monitor_prints(world: SampleCrm) -> None:
    printed = cli.invoke(app, ["monitor", "--json"])
    assert printed.exit_code == 0, printed.output
    expected = _figures(json.loads(printed.stdout))
    assert expected["leads_processed"] > 10 and expected["funnel"]["researched"] > 10

    with client_as(world.database_url, LOGINS.supervisor) as client:
        api = client.get("/api/monitor?days=7")
        assert api.status_code == 200, api.text
        assert _figures(api.json()) == expected

        page = client.get("/monitor")
    assert page.status_code == 200
    text = page.text
    processed = re.search(r'<div class="value">(\d+)</div><div class="label">Leads processed', text)
    assert processed and int(processed[1]) == expected["leads_processed"]
    for label in (
        "Autonomous processing rate",
        "Hand-over rate",
        "Qualification rate",
        "Email response rate",
        "Estimated cost",
    ):
        assert label in text
    # Charts drawn on the server: funnel, hand-offs per rule, latency per node.
    assert text.count('<svg class="chart"') == 2  # no hand-off yet: that chart says so
    assert "Funnel (leads)" in text and "Latency per node (p95, ms)" in text
    funnel = expected["funnel"]
    assert f"<title>Researched: {funnel['researched']}</title>" in text
    for row in expected["latency"]:
        assert f"<title>{row['node']}: p50 " in text
    assert "<script>" not in text.split("</head>", 1)[1]  # no inline script in the body


def test_the_period_is_chosen_and_checked(world: SampleCrm) -> None:
    with client_as(world.database_url, LOGINS.admin) as client:
        page = client.get("/monitor?days=30")
        assert page.status_code == 200
        assert '<option value="30" selected>Last 30 days</option>' in page.text
        assert client.get("/api/monitor?days=1").json()["period"]
        assert client.get("/api/monitor?days=0").status_code == 422
        assert client.get("/api/monitor?days=seven").status_code == 422


def test_sellers_and_evaluators_may_not_open_the_monitor(world: SampleCrm) -> None:
    for login in (LOGINS.seller, LOGINS.evaluator):
        with client_as(world.database_url, login) as client:
            assert client.get("/monitor").status_code == 403
            assert client.get("/api/monitor").status_code == 403
