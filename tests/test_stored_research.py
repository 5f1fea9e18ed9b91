"""Engagement starts from the lead's fresh research instead of researching it again
(issue 14, item 2): the engage runner researches a lead moments before starting it, and
a second research doubled the model calls of every start."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlmodel import Session, select

from core.clock import ManualClock, utc_now
from graphs.checkpointing import open_checkpointer
from graphs.engage.nodes.stored_research import fresh_insights
from graphs.engage.runner import EngageRunner
from graphs.research.runner import ResearchRunner
from memory.thread_ids import thread_id_for
from store.crm import Lead
from store.db import get_db_engine
from store.node_runs import NodeRun
from tests.conftest import SampleCrm
from tools.mail.settings import MailSettings


def _engage_nodes(crm: SampleCrm, lead_id: str) -> list[str]:
    with Session(get_db_engine(crm.database_url)) as session:
        runs = session.exec(
            select(NodeRun.node)
            .where(NodeRun.thread_id == thread_id_for(lead_id, "engage"))
            .order_by(NodeRun.id)  # type: ignore[arg-type]
        ).all()
    return list(runs)


def test_a_freshly_researched_lead_is_engaged_without_researching_it_again(
    sample_crm: SampleCrm, tmp_path: Path
) -> None:
    mail = MailSettings(outbox_dir=tmp_path / "outbox", mailboxes=["alex@northwind.example"])
    with open_checkpointer(sample_crm.checkpoint_path) as saver:
        research = ResearchRunner(sample_crm.context(), saver)
        fresh, changed, unresearched = [lead.lead_id for lead in research.eligible_leads()[:3]]
        list(research.research([fresh, changed]))
        with Session(get_db_engine(sample_crm.database_url)) as session:
            lead = session.get(Lead, changed)
            assert lead is not None
            lead.modified_on = utc_now() + timedelta(seconds=1)  # a seller edited it since
            session.add(lead)
            session.commit()
        clock = ManualClock(utc_now())
        engage = EngageRunner(sample_crm.context(clock=clock), saver, mail)
        report = engage.start([fresh, changed, unresearched])
    assert not report.errors and report.started == 3, report
    assert _engage_nodes(sample_crm, fresh)[:2] == ["stored_research", "guardrails_gate"]
    for lead_id in (changed, unresearched):
        assert _engage_nodes(sample_crm, lead_id)[:3] == [
            "stored_research", "researcher", "icp_judge"
        ]  # fmt: skip


def test_insights_older_than_asked_are_not_fresh(sample_crm: SampleCrm) -> None:
    with open_checkpointer(sample_crm.checkpoint_path) as saver:
        research = ResearchRunner(sample_crm.context(), saver)
        lead_id = research.eligible_leads()[0].lead_id
        list(research.research([lead_id]))
    assert fresh_insights(sample_crm.database_url, lead_id) is not None
    later = utc_now() + timedelta(minutes=1)
    assert fresh_insights(sample_crm.database_url, lead_id, since=later) is None
    assert fresh_insights(sample_crm.database_url, "LEAD-NONE") is None


def test_research_for_engagement_drafts_no_email(sample_crm: SampleCrm, tmp_path: Path) -> None:
    """Engage writes the email it sends; a research draft beside it was never read."""
    from graphs.engage.stored_settings import load_engage_settings, save_engage_settings
    from store.agent_records import LeadInsight

    settings = load_engage_settings(sample_crm.database_url)
    settings.assignment.max_active_conversations = 3
    save_engage_settings(sample_crm.database_url, settings)
    mail = MailSettings(outbox_dir=tmp_path / "outbox", mailboxes=["alex@northwind.example"])
    with open_checkpointer(sample_crm.checkpoint_path) as saver:
        engage = EngageRunner(sample_crm.context(clock=ManualClock(utc_now())), saver, mail)
        report = engage.tick()
    assert report.started == 3, report
    with Session(get_db_engine(sample_crm.database_url)) as session:
        researched = session.exec(select(LeadInsight)).all()
    assert researched and all(row.payload["draft"] is None for row in researched)
