"""An engage pass runs its leads side by side when it waits on a model: the same outcome as
one lead at a time, each email written once, and the model's calls overlapping."""

from __future__ import annotations

import shutil
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlmodel import Session, select

from core.clock import ManualClock
from core.settings import get_settings
from graphs.checkpointing import open_checkpointer
from graphs.engage.runner import EngageRunner
from graphs.engage.stored_settings import load_engage_settings, save_engage_settings
from graphs.research.runner import ResearchRunner
from graphs.services import services_for
from store.crm import Lead, LeadStatus
from store.db import get_db_engine
from store.engagement import Conversation, EmailMessage
from tests.conftest import SampleCrm
from tests.openai_compatible_server import OpenAICompatibleServer, running_openai_server
from tools.mail.settings import MailSettings

MONDAY_AFTERNOON = datetime(2026, 12, 7, 14, 0, tzinfo=UTC)


@pytest.fixture
def slow_model(monkeypatch: pytest.MonkeyPatch) -> OpenAICompatibleServer:
    """A model endpoint taking 0.2 s per call and failing each (the offline engine then
    answers), so outcomes match the offline engine's whatever order the calls end in."""
    with running_openai_server() as server:
        server.latency_s = 0.2
        server.fail_always()
        for name, value in {
            "OPENAI_API_KEY": "test",
            "OPENAI_BASE_URL": server.base_url,
            "NO_PROXY": "127.0.0.1",
            "QUALIFY_LLM_MAX_RETRIES": "0",
            "QUALIFY_LLM_BREAKER_FAILURES": "1000000",
        }.items():
            monkeypatch.setenv(name, value)
        get_settings.cache_clear()
        services_for.cache_clear()
        yield server
    get_settings.cache_clear()
    services_for.cache_clear()


def _tick(home: SampleCrm, concurrency: int, monkeypatch: pytest.MonkeyPatch) -> Counter:
    monkeypatch.setenv("QUALIFY_RESEARCH_CONCURRENCY", str(concurrency))
    get_settings.cache_clear()
    settings = load_engage_settings(home.database_url)
    settings.assignment.max_active_conversations = 8
    save_engage_settings(home.database_url, settings)
    mail = MailSettings(outbox_dir=home.root / "outbox", mailboxes=["alex@northwind.example"])
    context = home.context(engine="llm", clock=ManualClock(MONDAY_AFTERNOON))
    with open_checkpointer(home.checkpoint_path) as saver:
        report = EngageRunner(context, saver, mail).tick()
    assert not report.errors, report.errors
    with Session(get_db_engine(home.database_url)) as session:
        states = Counter(str(c.state) for c in session.exec(select(Conversation)))
        emails = Counter(m.lead_id for m in session.exec(select(EmailMessage)))
    assert report.started == sum(states.values()) == 8
    assert set(emails.values()) == {1}  # one first email per started lead, never two
    return states


def test_leads_run_side_by_side_with_the_same_outcome(
    sample_crm: SampleCrm,
    slow_model: OpenAICompatibleServer,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    # Every lead's fit is known beforehand (offline), so the passes only engage: the calls
    # that overlap are the engage graph's, not research's.
    with open_checkpointer(sample_crm.checkpoint_path) as saver:
        with Session(get_db_engine(sample_crm.database_url)) as session:
            open_leads = list(session.exec(select(Lead.id).where(Lead.status == LeadStatus.OPEN)))
        offline = ResearchRunner(sample_crm.context(engine="offline"), saver)
        assert all(o.status == "researched" for o in offline.research(open_leads, force=True))
    one_at_a_time = SampleCrm(tmp_path / "one")
    shutil.copytree(sample_crm.root, one_at_a_time.root)

    sequential = _tick(one_at_a_time, 1, monkeypatch)
    assert slow_model.max_in_flight == 1
    slow_model.max_in_flight = 0
    side_by_side = _tick(sample_crm, 4, monkeypatch)

    assert slow_model.max_in_flight > 1
    assert side_by_side == sequential


def test_an_email_over_the_daily_cap_goes_at_the_leads_next_opening(
    sample_crm: SampleCrm,
) -> None:
    """Leads engaged side by side may write more emails than the cap allows on its last
    slots; the outbox sends up to the cap, and the rest wait for the lead's business hours
    the next day (never at midnight UTC); a seller's own email is not held."""
    from tools.mail.outbox import enqueue_email

    url = sample_crm.database_url
    settings = load_engage_settings(url)
    settings.guardrails.daily_send_cap_per_mailbox = 1
    save_engage_settings(url, settings)
    with Session(get_db_engine(url)) as session:
        leads = list(session.exec(select(Lead).where(Lead.time_zone.is_(None)).limit(3)))  # type: ignore[union-attr]

    def queue(n: int, at: datetime, sent_by: str | None = None) -> None:
        with Session(get_db_engine(url)) as session:
            enqueue_email(
                session, idempotency_key=f"test:{n}", lead_id=leads[n].id,
                mailbox="alex@northwind.example", to_address=f"lead{n}@example.com",
                subject="Hello", body="Hello.", kind="outreach", in_reply_to=None,
                references=[], now=at, sent_by=sent_by,
            )  # fmt: skip
            session.commit()

    mail = MailSettings(outbox_dir=sample_crm.root / "outbox", mailboxes=["alex@northwind.example"])

    def deliver(at: datetime) -> tuple[int, int]:
        with open_checkpointer(sample_crm.checkpoint_path) as saver:
            runner = EngageRunner(sample_crm.context(clock=ManualClock(at)), saver, mail)
            report = runner.deliver()
        return report.sent, report.held

    queue(0, MONDAY_AFTERNOON)
    queue(1, MONDAY_AFTERNOON)
    assert deliver(MONDAY_AFTERNOON) == (1, 0)  # the cap: one agent email today
    midnight = datetime(2026, 12, 8, 0, 30, tzinfo=UTC)
    assert deliver(midnight) == (0, 1)  # a new day, but 00:30 for the lead: not yet
    assert deliver(datetime(2026, 12, 8, 8, 0, tzinfo=UTC)) == (1, 0)  # its opening
    queue(2, datetime(2026, 12, 9, 1, 0, tzinfo=UTC), sent_by="USR-01")
    assert deliver(datetime(2026, 12, 9, 1, 0, tzinfo=UTC)) == (1, 0)  # a seller's: now
