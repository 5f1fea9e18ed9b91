"""The agent's rating over real runs: a reply asking about pricing and a demo makes a lead
hot, visible in `qualify leads` and `qualify show`; a lead never engaged and created 40 days
ago is cold; the engage runner takes only the agent ratings the admin lists."""

from __future__ import annotations

import shutil
from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import Session, select
from typer.testing import CliRunner

from app.cli.main import app
from core.clock import utc_now
from core.settings import get_settings
from graphs.checkpointing import open_checkpointer
from graphs.engage.runner import EngageRunner
from graphs.engage.stored_settings import load_engage_settings, save_engage_settings
from graphs.research.runner import ResearchRunner
from store.agent_ratings import AgentLeadRating
from store.crm import Lead, LeadRating
from store.db import get_db_engine
from tests.conftest import SampleCrm
from tests.test_engage_journeys import Journey, journey  # noqa: F401
from tools.mail.settings import MailSettings

cli = CliRunner()


def _run(*args: str) -> str:
    result = cli.invoke(app, list(args), env={"COLUMNS": "200"})
    assert result.exit_code == 0, f"qualify {' '.join(args)}:\n{result.output}"
    return result.output


def _rating(crm: SampleCrm, lead_id: str) -> AgentLeadRating | None:
    with Session(get_db_engine(crm.database_url)) as session:
        return session.get(AgentLeadRating, lead_id)


def test_a_reply_asking_about_pricing_and_a_demo_makes_the_lead_hot(
    journey: Journey,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    lead_id = journey.lead.id
    before = _rating(journey.world, lead_id)
    assert before is not None and before.level != "hot"  # research rated it: fit, no reply
    assert "fit: exact" in before.reasons and "never engaged" in before.reasons

    journey.tick()
    assert journey.mail_to_lead()
    journey.days(1)
    journey.reply(
        "Thanks, this looks relevant to us. What would it cost for a team of our size? "
        "And could you show us a demo next week?\n\nBest,\n" + journey.lead.full_name
    )
    journey.tick()

    after = _rating(journey.world, lead_id)
    assert after is not None and after.level == "hot", after.reasons
    assert "asked about pricing today" in after.reasons
    assert "asked for a demo, trial or meeting today" in after.reasons
    assert "fit: exact" in after.reasons
    assert {s["kind"] for s in after.signals} >= {"pricing", "demo_or_trial"}
    with Session(get_db_engine(journey.world.database_url)) as session:
        crm_rating = session.get(Lead, lead_id).rating  # type: ignore[union-attr]
    assert crm_rating == journey.lead.rating  # the CRM's own rating is left alone

    monkeypatch.setenv("QUALIFY_HOME", str(journey.world.root))
    get_settings.cache_clear()
    hot = _run("leads", "--agent-rating", "hot")
    assert "CRM / agent" in hot and lead_id in hot and "/ hot" in hot
    listed = [word for word in hot.split() if word.startswith("LEAD-")]
    assert listed == [lead_id]
    cold_or_warm = _run("leads", "--agent-rating", "warm", "--agent-rating", "cold")
    assert lead_id not in cold_or_warm and "LEAD-" in cold_or_warm
    page = _run("show", lead_id)
    assert "Agent rating" in page and "HOT" in page
    assert "asked about pricing today" in page and "fit: exact" in page
    bad = cli.invoke(app, ["leads", "--agent-rating", "boiling"])
    assert bad.exit_code == 1 and "use one of hot, warm, cold" in bad.output

    # Nothing new from the lead for two months: the engage pass rates it again, and it cools.
    journey.days(62)
    assert journey.tick().ratings_aged >= 1
    cooled = _rating(journey.world, lead_id)
    assert cooled is not None and cooled.level != "hot", cooled.reasons
    assert cooled.components["recency"]["points"] == 0
    assert journey.tick().ratings_aged == 0  # rated today: left alone


def test_a_lead_never_engaged_and_created_40_days_ago_is_cold(sample_crm: SampleCrm) -> None:
    with Session(get_db_engine(sample_crm.database_url)) as session:
        lead = session.exec(select(Lead).where(Lead.company_name.is_not(None))).first()  # type: ignore[union-attr]
        assert lead is not None
        lead.created_on = utc_now() - timedelta(days=40)
        session.add(lead)
        session.commit()
        lead_id = lead.id
    with open_checkpointer(sample_crm.checkpoint_path) as saver:
        outcomes = list(ResearchRunner(sample_crm.context(), saver).research([lead_id], force=True))
    assert outcomes
    rating = _rating(sample_crm, lead_id)
    assert rating is not None and rating.level == "cold", rating
    assert "never engaged" in rating.reasons
    assert "last activity: created 40 days ago" in rating.reasons
    assert rating.components["recency"]["points"] == 0


def test_the_runner_takes_only_the_listed_agent_ratings(
    researched_world: tuple[SampleCrm, list[str]],
    tmp_path: Path,
) -> None:
    template, _ = researched_world
    world = SampleCrm(tmp_path / "world")
    shutil.copytree(template.root, world.root)
    with Session(get_db_engine(world.database_url)) as session:
        levels = {row.lead_id: row.level for row in session.exec(select(AgentLeadRating))}
    assert set(levels.values()) >= {"warm"} and "hot" not in levels.values()
    settings = load_engage_settings(world.database_url)
    settings.assignment.agent_ratings = [LeadRating.HOT]
    save_engage_settings(world.database_url, settings)
    mail = MailSettings(outbox_dir=tmp_path / "outbox", mailboxes=["alex@northwind.example"])
    with open_checkpointer(world.checkpoint_path) as saver:
        runner = EngageRunner(world.context(), saver, mail, inbox_dir=tmp_path / "inbox")
        assert runner.plan()[1].start == []
        settings.assignment.agent_ratings = [LeadRating.WARM]
        save_engage_settings(world.database_url, settings)
        picked = runner.plan()[1].start
    assert picked and all(levels[lead_id] == "warm" for lead_id in picked)
