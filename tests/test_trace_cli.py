"""`qualify trace LEAD`: timeline, `--step`, `--diff`, `--json` and the errors, on the
embedded defaults (the sample CRM as QUALIFY_HOME)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner

import app.cli.run_context as run_context
import app.cli.trace as trace_cli
from app.cli.main import app
from core.settings import get_settings
from tests.conftest import SampleCrm
from tests.test_trace_view import engage_to_handoff

cli = CliRunner()


@pytest.fixture
def home(sample_crm: SampleCrm, monkeypatch: pytest.MonkeyPatch) -> SampleCrm:
    """The sample CRM as QUALIFY_HOME, with a console wide enough to keep cells whole."""
    monkeypatch.setenv("QUALIFY_HOME", str(sample_crm.root))
    get_settings.cache_clear()
    monkeypatch.setattr(trace_cli, "console", Console(width=250))
    monkeypatch.setattr(run_context, "errors", Console(stderr=True, width=250))
    return sample_crm


def _run(*args: str, code: int = 0) -> str:
    result = cli.invoke(app, list(args))
    assert result.exit_code == code, f"qualify {' '.join(args)}:\n{result.output}"
    return result.output


def _researched(home: SampleCrm) -> str:
    out = _run("leads")
    lead_id = next(word for word in out.split() if word.startswith("LEAD-"))
    _run("research", lead_id)
    return lead_id


def test_timeline_of_a_research_run(home: SampleCrm) -> None:
    lead_id = _researched(home)
    out = _run("trace", lead_id)
    assert f"Trace of {lead_id} (research:{lead_id}): 5 steps, 6 checkpoints" in out
    lines = [line for line in out.splitlines() if line.startswith("│ ")]
    nodes = [line.split("│")[2].strip() for line in lines if line.split("│")[2].strip()]
    assert nodes == [
        "researcher",
        "icp_judge",
        "lead_summarizer",
        "outreach_writer",
        "insights_recorder",
    ]
    assert "offline_lead_summary@default" in lines[2] and "offline" in lines[2]
    assert "fit " in out and "draft '" in out


def test_one_step_in_full(home: SampleCrm) -> None:
    lead_id = _researched(home)
    out = _run("trace", lead_id, "--step", "1")
    assert "Step 1: researcher" in out
    assert "crm.lead" in out and f'{{"lead_id": "{lead_id}"}}' in out
    assert "web.local_corpus" in out and "email.check" in out
    assert "LLM calls: none" in out
    inputs, outputs = out.split("Inputs", 1)[1].split("Outputs", 1)
    assert f'"lead_id": "{lead_id}"' in inputs and '"research"' not in inputs
    assert '"research"' in outputs

    out = _run("trace", lead_id, "--step", "3")
    assert "Step 3: lead_summarizer" in out
    assert "Prompts: offline_lead_summary@default" in out
    outputs = out.split("Outputs", 1)[1]
    assert '"lead_summary"' in outputs and '"icp"' not in outputs

    data = json.loads(cli.invoke(app, ["trace", lead_id, "--step", "2", "--json"]).stdout)
    assert data["step"]["node"] == "icp_judge" and list(data["outputs"]) == ["icp"]

    out = _run("trace", lead_id, "--step", "7", code=1)
    assert "step 7 does not exist" in out and "steps 1 to 5" in out


def test_diff_shows_what_each_step_changed(home: SampleCrm) -> None:
    lead_id = _researched(home)
    out = _run("trace", lead_id, "--diff")
    rows = [
        [cell.strip() for cell in line.split("│")[1:-1]]
        for line in out.splitlines()
        if line.startswith("│ ")
    ]
    assert [(r[0], r[1], r[2], r[3]) for r in rows] == [
        ("1", "researcher", "research", "(unset)"),
        ("2", "icp_judge", "icp", "(unset)"),
        ("3", "lead_summarizer", "lead_summary", "(unset)"),
        ("4", "outreach_writer", "draft", "(unset)"),
        ("5", "insights_recorder", "researched_on", "(unset)"),
    ]
    assert rows[1][4].startswith("fit ") and rows[4][4].startswith("20")


def test_json_exports_the_whole_trace(home: SampleCrm) -> None:
    lead_id = _researched(home)
    result = cli.invoke(app, ["trace", lead_id, "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["thread_id"] == f"research:{lead_id}" and data["checkpoint_count"] == 6
    steps = data["steps"]
    assert [s["node"] for s in steps] == [
        "researcher",
        "icp_judge",
        "lead_summarizer",
        "outreach_writer",
        "insights_recorder",
    ]
    assert all(s["checkpoint_id"] and s["input_checkpoint_id"] for s in steps)
    assert steps[0]["tool_calls"][0] == {
        "tool": "crm.lead",
        "arguments": {"lead_id": lead_id},
        "result_summary": steps[0]["tool_calls"][0]["result_summary"],
        "duration_ms": steps[0]["tool_calls"][0]["duration_ms"],
        "error": None,
    }
    assert steps[-1]["values"]["researched_on"].startswith("20")
    assert data["values"]["lead_id"] == repr(lead_id)


def test_engage_trace_with_reply_and_handoff(home: SampleCrm, tmp_path: Path) -> None:
    lead_id, _ = engage_to_handoff(home, tmp_path)
    out = _run("trace", lead_id, "--mode", "engage")
    assert f"(engage:{lead_id}): 7 steps" in out
    for node in ("guardrails_gate", "message_writer", "reply_waiter", "handoff_router"):
        assert node in out
    out = _run("trace", lead_id, "--mode", "engage", "--diff")
    assert "wake" in out and "1 items" in out and "2 items" in out
    # Engage started from the research thread's fresh research, not researching again.
    assert "stored_research" in _run("trace", lead_id, "--mode", "engage", "--step", "1")


def test_errors_name_the_lead_and_how_to_make_a_trace(home: SampleCrm) -> None:
    out = _run("trace", "LEAD-9999", code=1)
    assert "no lead with id 'LEAD-9999'" in out and "qualify leads" in out
    lead_id = _researched(home)
    out = _run("trace", lead_id, "--mode", "engage", code=1)
    assert f"qualify engage start {lead_id}" in out and "--mode research" in out
    other = next(
        word for word in _run("leads").split() if word.startswith("LEAD-") and word != lead_id
    )
    out = _run("trace", other, code=1)
    assert f"{other} has no research trace yet" in out and f"qualify research {other}" in out


def test_no_checkpoint_file_yet(tmp_path: Path) -> None:
    out = _run("trace", "LEAD-0001", code=1)
    assert "no lead with id 'LEAD-0001'" in out
    assert not (get_settings().home / "checkpoints.db").exists()
