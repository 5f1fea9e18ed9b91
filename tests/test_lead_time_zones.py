"""A lead's time zone through the system: kept when the CRM or a person set it, filled in
by research when missing, and used by engage's business hours (an offset zone too)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlmodel import Session, select

from core.clock import ManualClock
from core.time_zones import TimeZoneSource, ZoneGuess
from graphs.checkpointing import open_checkpointer
from graphs.engage.guardrails import GuardrailSettings, SendContext, check_send
from graphs.engage.runner import EngageRunner
from graphs.research.runner import ResearchRunner
from store.agent_records import LeadInsight
from store.crm import Account, Lead, LeadStatus
from store.db import get_db_engine
from store.lead_time_zones import may_infer, record_time_zone, settle_time_zone
from tests.conftest import SampleCrm
from tools.mail.settings import MailSettings

MONDAY = datetime(2026, 12, 7, 14, 0, tzinfo=UTC)  # 19:30 at UTC+05:30: after hours there


def _lead(**fields: object) -> Lead:
    return Lead(id="LEAD-1", topic="Demo", **fields)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("fields", "inferred"),
    [
        ({}, True),
        ({"time_zone": "Europe/Paris"}, False),  # a person set it
        ({"time_zone": "Europe/Paris", "time_zone_source": TimeZoneSource.CRM}, False),
        ({"time_zone": "Europe/Paris", "time_zone_source": TimeZoneSource.CITY}, True),
        ({"time_zone": "Europe/Paris", "time_zone_source": TimeZoneSource.ACCOUNT}, True),
    ],
)
def test_only_zones_the_agent_found_are_found_again(
    fields: dict[str, object], inferred: bool
) -> None:
    lead = _lead(city="Denver", country="US", **fields)
    assert may_infer(lead) is inferred
    guess = settle_time_zone(lead, None)
    if inferred:
        assert guess is not None and lead.time_zone == "America/Denver"
        assert lead.time_zone_source is TimeZoneSource.CITY
    else:
        assert guess is None and lead.time_zone == "Europe/Paris"


def test_a_lead_without_a_place_takes_its_account_s() -> None:
    lead = _lead()
    settle_time_zone(lead, Account(id="ACC-1", name="Acme", city="Osaka", country="Japan"))
    assert (lead.time_zone, lead.time_zone_source) == ("Asia/Tokyo", TimeZoneSource.ACCOUNT)


def test_storing_an_inferred_zone_never_replaces_one_set_meanwhile(tmp_path: Path) -> None:
    with Session(get_db_engine(f"sqlite:///{tmp_path}/crm.db")) as session:
        session.add(Lead(id="LEAD-1", topic="Demo"))
        session.add(Lead(id="LEAD-2", topic="Demo", time_zone="Europe/Dublin"))
        session.commit()
        guess = ZoneGuess(zone="America/Chicago", source=TimeZoneSource.CITY, certain=False)
        assert record_time_zone(session, "LEAD-1", guess) is True
        assert record_time_zone(session, "LEAD-2", guess) is False
        session.expire_all()
        first, second = session.get(Lead, "LEAD-1"), session.get(Lead, "LEAD-2")
        assert first is not None and second is not None
        assert (first.time_zone, first.time_zone_source, first.time_zone_certain) == (
            "America/Chicago",
            TimeZoneSource.CITY,
            False,
        )
        assert (second.time_zone, second.time_zone_source) == ("Europe/Dublin", None)


def test_research_gives_a_zone_to_a_lead_imported_without_one(sample_crm: SampleCrm) -> None:
    """Leads imported before zones were inferred get one; the CRM's and a person's stay."""
    url = sample_crm.database_url
    with Session(get_db_engine(url)) as session:
        leads = session.exec(
            select(Lead).where(Lead.city == "Chicago", Lead.status == LeadStatus.OPEN)
        ).all()
        assert len(leads) >= 2
        missing, set_by_person = leads[0], leads[1]
        missing.time_zone, missing.time_zone_source = None, None
        set_by_person.time_zone, set_by_person.time_zone_source = "UTC-06:00", None
        session.add_all([missing, set_by_person])
        session.commit()
        ids = [missing.id, set_by_person.id]
    with open_checkpointer(sample_crm.checkpoint_path) as saver:
        outcomes = ResearchRunner(sample_crm.context(), saver).research(ids, force=True)
        assert {o.status for o in outcomes} == {"researched"}
    with Session(get_db_engine(url)) as session:
        filled, kept = (session.get(Lead, i) for i in ids)
        insight = session.get(LeadInsight, ids[0])
    assert filled is not None and kept is not None and insight is not None
    assert (filled.time_zone, filled.time_zone_source) == ("America/Chicago", TimeZoneSource.CITY)
    assert (kept.time_zone, kept.time_zone_source) == ("UTC-06:00", None)
    facts = insight.payload["research"]["lead"]
    assert (facts["time_zone"], facts["time_zone_place"]) == ("America/Chicago", "Chicago, US")


def test_the_gate_keeps_quiet_hours_at_a_half_hour_offset() -> None:
    settings = GuardrailSettings()
    at = SendContext(
        email="ravi@contoso.example", email_valid=True, now_utc=MONDAY, time_zone="UTC+05:30"
    )
    decision = check_send(at, settings)
    assert not decision.allowed and decision.notes == []  # the zone was read, not defaulted
    assert decision.not_before == datetime(2026, 12, 8, 2, 30, tzinfo=UTC)  # 08:00 there
    assert "UTC+05:30" in decision.reasons[0]
    assert check_send(at.model_copy(update={"now_utc": decision.not_before}), settings).allowed


def test_a_lead_at_a_utc_offset_is_emailed_in_its_own_business_hours(
    sample_crm: SampleCrm,
) -> None:
    """The outbox holds an email queued after the lead's hours and sends it at its next
    opening, 08:00 at UTC+05:30 (02:30 UTC), not at the mailbox's or UTC's."""
    from tools.mail.outbox import enqueue_email

    url = sample_crm.database_url
    with Session(get_db_engine(url)) as session:
        lead = session.exec(select(Lead).where(Lead.country == "India")).first()
        assert lead is not None
        lead.time_zone, lead.time_zone_source = "UTC+05:30", TimeZoneSource.CRM
        session.add(lead)
        enqueue_email(
            session, idempotency_key="test:offset", lead_id=lead.id,
            mailbox="alex@northwind.example", to_address="ravi@example.com", subject="Hello",
            body="Hello.", kind="outreach", in_reply_to=None, references=[], now=MONDAY,
        )  # fmt: skip
        session.commit()
    mail = MailSettings(outbox_dir=sample_crm.root / "outbox", mailboxes=["alex@northwind.example"])

    def deliver(at: datetime) -> tuple[int, int]:
        with open_checkpointer(sample_crm.checkpoint_path) as saver:
            report = EngageRunner(sample_crm.context(clock=ManualClock(at)), saver, mail).deliver()
        return report.sent, report.held

    assert deliver(MONDAY) == (0, 1)  # 19:30 there
    assert deliver(datetime(2026, 12, 8, 2, 0, tzinfo=UTC)) == (0, 0)  # 07:30 there: waits
    assert deliver(datetime(2026, 12, 8, 2, 30, tzinfo=UTC)) == (1, 0)  # 08:00 there
