"""The trace viewer and replay in the console: every step of a researched lead, one step in
full, a replay with an edited state value side by side that writes nothing to the CRM,
errors at the field, a seller kept to their own leads, and hostile lead data escaped."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from markupsafe import escape
from sqlalchemy import func
from sqlmodel import Session, select
from typer.testing import CliRunner

from app.cli.main import app
from core.settings import get_settings
from store.agent_records import LeadInsight
from store.crm import Account, Contact, Lead
from store.db import get_db_engine
from store.engagement import Conversation, EmailMessage, Handoff
from store.replays import Replay
from store.seller_routing import TeamMember
from tests.conftest import SampleCrm
from tests.console_support import LOGINS, client_as

NODES = ["researcher", "icp_judge", "lead_summarizer", "outreach_writer", "insights_recorder"]
CRM_TABLES = (Lead, Account, Contact, LeadInsight, EmailMessage, Handoff, Conversation)
cli = CliRunner()


@pytest.fixture
def world(
    researched_console_template: tuple[SampleCrm, list[str]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> tuple[SampleCrm, list[str]]:
    """A copy of the researched world as QUALIFY_HOME (its checkpoints and corpus)."""
    template, good = researched_console_template
    root = tmp_path / "world"
    shutil.copytree(template.root, root)
    monkeypatch.setenv("QUALIFY_HOME", str(root))
    get_settings.cache_clear()
    return SampleCrm(root), good


def _lead_owned(crm: SampleCrm, good: list[str], *, by_seller: bool) -> str:
    """A drafted lead the signed-in seller (USR-01) sees, or one they do not."""
    with Session(get_db_engine(crm.database_url)) as session:
        teams = session.exec(
            select(TeamMember.team_name).where(TeamMember.user_id == LOGINS.seller_user_id)
        ).all()
        mates = set(
            session.exec(
                select(TeamMember.user_id).where(TeamMember.team_name.in_(teams))  # type: ignore[attr-defined]
            ).all()
        ) | {LOGINS.seller_user_id}
        for lead_id in good:
            lead = session.get(Lead, lead_id)
            assert lead is not None
            if (lead.owner_id in mates) == by_seller:
                return lead_id
    pytest.skip("the researched world has no such lead")


def _counts(crm: SampleCrm) -> dict[str, int]:
    with Session(get_db_engine(crm.database_url)) as session:
        return {
            table.__name__: session.exec(select(func.count()).select_from(table)).one()
            for table in CRM_TABLES
        }


def test_the_trace_shows_every_step_and_one_in_full(world: tuple[SampleCrm, list[str]]) -> None:
    crm, good = world
    lead_id = good[0]
    with client_as(crm.database_url, LOGINS.supervisor) as client:
        api = client.get(f"/api/traces/{lead_id}")
        assert api.status_code == 200, api.text
        assert [step["node"] for step in api.json()["steps"]] == NODES

        page = client.get(f"/traces/{lead_id}")
        assert page.status_code == 200
        for number, node in enumerate(NODES, start=1):
            assert f"{number}. {node}</span>" in page.text
            assert f"?mode=research&amp;step={number}" in page.text

        step = client.get(f"/traces/{lead_id}?step=3")
        assert step.status_code == 200
        assert "Step 3: lead_summarizer" in step.text
        assert "<code>offline_lead_summary@default</code>" in step.text
        assert "<dt>Tokens</dt><dd>0 in · 0 out</dd>" in step.text
        assert "lead_summary" in step.text and "Replay from a step" in step.text

        detail = client.get(f"/api/traces/{lead_id}/steps/1")
        assert detail.status_code == 200
        body = detail.json()
        assert body["step"]["node"] == "researcher"
        assert {call["tool"] for call in body["step"]["tool_calls"]} >= {"crm.lead"}
        assert "research" in body["outputs"]
        assert client.get(f"/api/traces/{lead_id}/steps/99").status_code == 404
        assert client.get(f"/api/traces/{lead_id}?mode=engage").status_code == 404
        assert client.get("/api/traces/NO-SUCH-LEAD").status_code == 404


def test_a_replay_with_an_edited_value_side_by_side_writes_nothing_to_the_crm(
    world: tuple[SampleCrm, list[str]],
) -> None:
    crm, good = world
    lead_id = good[0]
    before = _counts(crm)
    with client_as(crm.database_url, LOGINS.supervisor) as client:
        form = {
            "mode": "research",
            "from_step": "4",
            "prompt_pin": "",
            "edit_key": "icp.fit_level",
            "edit_value": '"none"',
        }
        posted = client.post(f"/traces/{lead_id}/replay", data=form)
        assert posted.status_code == 303, posted.text
        target = posted.headers["location"]
        assert re.fullmatch(rf"/traces/{lead_id}/replays/\d+", target)
        page = client.get(target)
    assert page.status_code == 200
    text = page.text
    assert "<th>Original</th><th>Replay</th>" in text
    assert '<code>icp.fit_level</code> = <code>"none"</code>' in text
    changed = re.search(
        r'<tr class="changed"><th scope="row">fit</th><td>(.*?)</td><td>(.*?)</td>', text
    )
    assert changed, text
    assert changed[1].startswith("exact") and changed[2].startswith("none")
    assert "nothing was emailed or written to the CRM" in text
    assert _counts(crm) == before
    with Session(get_db_engine(crm.database_url)) as session:
        [kept] = session.exec(select(Replay)).all()
    assert kept.edits == {"icp.fit_level": "none"} and kept.created_by == LOGINS.supervisor


def test_the_replay_api_compares_each_step(world: tuple[SampleCrm, list[str]]) -> None:
    crm, good = world
    lead_id = good[1]
    with client_as(crm.database_url, LOGINS.admin) as client:
        response = client.post(
            f"/api/traces/{lead_id}/replay",
            json={"mode": "research", "from_step": 4, "edits": {"icp.fit_level": "none"}},
        )
        assert response.status_code == 200, response.text
        result = response.json()
        assert "fit" in result["changed"]
        assert [pair["number"] for pair in result["steps"]] == [4, 5]
        assert all(pair["replayed"]["replay"] for pair in result["steps"])
        refused = client.post(
            f"/api/traces/{lead_id}/replay",
            json={"mode": "research", "from_step": 9, "edits": {}},
        )
        assert refused.status_code == 422
        assert refused.json()["detail"][0]["field"] == "from_step"


@pytest.mark.parametrize(
    ("field", "value", "error_field", "message"),
    [
        ("edit_value", "none", "edit_value", "Not JSON"),
        ("edit_key", "no_such_key", "edit_key", "the state has no &#39;no_such_key&#39;"),
        ("edit_value", '"not a level"', "edit_value", "does not fit"),
        ("prompt_pin", "llm_write_outreach=7", "prompt_pin", "version"),
    ],
)
def test_a_bad_replay_field_is_shown_at_the_field_and_nothing_runs(
    world: tuple[SampleCrm, list[str]], field: str, value: str, error_field: str, message: str
) -> None:
    crm, good = world
    lead_id = good[0]
    form = {
        "mode": "research",
        "from_step": "4",
        "prompt_pin": "",
        "edit_key": "icp.fit_level",
        "edit_value": '"none"',
    } | {field: value}
    with client_as(crm.database_url, LOGINS.supervisor) as client:
        response = client.post(f"/traces/{lead_id}/replay", data=form)
    assert response.status_code == 422
    shown = re.search(rf'<p class="field-error" id="{error_field}-error">(.*?)</p>', response.text)
    assert shown and message in shown[1], response.text
    if field != "prompt_pin":  # a text field keeps what was typed
        assert f'name="{field}" value="{escape(value)}"' in response.text
    with Session(get_db_engine(crm.database_url)) as session:
        assert session.exec(select(Replay)).all() == []


def test_a_seller_sees_only_their_leads_traces_and_may_not_replay(
    world: tuple[SampleCrm, list[str]],
) -> None:
    crm, good = world
    mine = _lead_owned(crm, good, by_seller=True)
    theirs = _lead_owned(crm, good, by_seller=False)
    with client_as(crm.database_url, LOGINS.seller) as client:
        page = client.get(f"/traces/{mine}?step=2")
        assert page.status_code == 200 and "Step 2: icp_judge" in page.text
        assert "Replay from a step" not in page.text
        assert client.get(f"/traces/{theirs}").status_code == 403
        assert client.get(f"/api/traces/{theirs}").status_code == 403
        assert client.get(f"/api/traces/{theirs}/steps/1").status_code == 403
        form = {"mode": "research", "from_step": "1"}
        assert client.post(f"/traces/{mine}/replay", data=form).status_code == 403
        assert client.post(f"/traces/{theirs}/replay", data=form).status_code == 403
        replay = {"mode": "research", "from_step": 1}
        assert client.post(f"/api/traces/{mine}/replay", json=replay).status_code == 403


HOSTILE = "<script>alert(1)</script>"


def test_hostile_lead_data_in_a_step_is_shown_escaped(
    world: tuple[SampleCrm, list[str]],
) -> None:
    crm, good = world
    lead_id = good[2]
    with Session(get_db_engine(crm.database_url)) as session:
        lead = session.get(Lead, lead_id)
        assert lead is not None
        lead.first_name = HOSTILE
        session.add(lead)
        session.commit()
    result = cli.invoke(app, ["research", lead_id, "--force"])
    assert result.exit_code == 0, result.output
    with client_as(crm.database_url, LOGINS.supervisor) as client:
        steps = client.get(f"/api/traces/{lead_id}").json()["steps"]
        # The second run's judge read the research that holds the new name.
        judged = max(step["number"] for step in steps if step["node"] == "icp_judge")
        step = client.get(f"/api/traces/{lead_id}/steps/{judged}")
        assert HOSTILE in str(step.json()["inputs"])  # the recorded input holds it
        page = client.get(f"/traces/{lead_id}?step={judged}").text
        timeline = client.get(f"/traces/{lead_id}").text
    assert HOSTILE not in page and HOSTILE not in timeline
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page  # in the inputs, as text


@pytest.mark.parametrize(
    "body",
    [
        {"mode": "research", "from_step": 2, "edits": {"lead_id": 5}},
        {"mode": "research", "from_step": 1, "edits": {"research": "not research"}},
        {"mode": "research", "from_step": 4, "edits": {"icp.fit_level.deeper": 1}},
        {"mode": "research", "from_step": 1, "prompt_versions": {"researcher": "999999999"}},
        {"mode": "research", "from_step": 1, "prompt_versions": {"nothing": "1"}},
        {"mode": "engage", "from_step": 1},
    ],
)
def test_a_replay_the_state_cannot_take_is_refused_not_a_server_error(
    world: tuple[SampleCrm, list[str]], body: dict
) -> None:
    crm, good = world
    with client_as(crm.database_url, LOGINS.supervisor) as client:
        response = client.post(f"/api/traces/{good[0]}/replay", json=body)
    assert response.status_code == 422, response.text
    [problem] = response.json()["detail"]
    assert problem["field"] in {"edit_key", "edit_value", "prompt_pin", "mode", "from_step"}
