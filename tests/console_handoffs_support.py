"""An engage journey the console serves: the journey's world with a console account per
role, the console's settings pointed at its checkpoints, corpus and SMTP test server, and
helpers that make hand-offs the way the engage journeys do."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlmodel import Session, select

from core.settings import get_settings
from graphs.services import services_for
from store.agent_records import LeadInsight
from store.crm import Lead
from store.db import get_db_engine, session_scope
from store.engagement import Conversation, Handoff, HandoffStatus
from tests.conftest import SampleCrm
from tests.console_support import LOGINS, add_console_accounts
from tests.test_engage_journeys import MAILBOX, Journey, _open_journey

HOSTILE = "<script>alert(1)</script>"
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"


@contextmanager
def console_journey(
    researched_world: tuple[SampleCrm, list[str]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    *,
    sending: str | None = None,
) -> Iterator[Journey]:
    """A journey whose lead belongs to the console's seller (USR-01); `sending`: the
    assignment rule's sending mode (review: each email held for the owner)."""
    with _open_journey(researched_world, tmp_path, sending=sending) as trip:
        add_console_accounts(trip.world.database_url)
        with session_scope(trip.world.database_url) as session:
            lead = session.get(Lead, trip.lead.id)
            assert lead is not None
            lead.owner_id = LOGINS.seller_user_id
            session.add(lead)
        world = trip.world
        for name, value in {
            "QUALIFY_CHECKPOINT_URL": world.checkpoint_path,
            "QUALIFY_CORPUS_DIR": str(world.corpus_dir),
            "QUALIFY_CHROMA_DIR": str(world.chroma_dir),
            "QUALIFY_ENGINE": "offline",
            "QUALIFY_SMTP_HOST": trip.smtp.host,
            "QUALIFY_SMTP_PORT": str(trip.smtp.port),
            "QUALIFY_SMTP_STARTTLS": "false",
            "QUALIFY_MAILBOXES": MAILBOX,
            "QUALIFY_OUTBOX_DIR": str(tmp_path / "outbox"),
        }.items():
            monkeypatch.setenv(name, value)
        get_settings.cache_clear()
        services_for.cache_clear()
        yield trip


def to_the_seller(trip: Journey) -> Handoff:
    """The journey's one pending hand-off, assigned to the console's seller."""
    with session_scope(trip.world.database_url) as session:
        [handoff] = session.exec(
            select(Handoff).where(
                Handoff.lead_id == trip.lead.id, Handoff.status == HandoffStatus.PENDING
            )
        ).all()
        if handoff.target == "seller":
            handoff.assignee_id = LOGINS.seller_user_id
            session.add(handoff)
        session.flush()
        session.expunge(handoff)
    return handoff


def qualified_reply(trip: Journey, *, text: str = "") -> Handoff:
    """The lead answers with budget, authority and a meeting: a hand-off to the seller."""
    trip.tick()
    trip.days(1)
    trip.reply(
        "This is timely. We have budget approved for a planning tool this quarter, I run "
        f"operations and the decision is mine. Can we set up a call next Tuesday at 2pm? {text}"
    )
    trip.tick()
    return to_the_seller(trip)


def unsubscribe_reply(trip: Journey) -> Handoff:
    """The lead opts out: a disqualification for a supervisor."""
    trip.tick()
    trip.days(1)
    trip.reply("Please remove me from your mailing list.")
    trip.tick()
    return to_the_seller(trip)


def lead_row(trip: Journey, lead_id: str | None = None) -> Lead:
    with Session(get_db_engine(trip.world.database_url)) as session:
        lead = session.get(Lead, lead_id or trip.lead.id)
    assert lead is not None
    return lead


def handoff_row(trip: Journey, handoff_id: int) -> Handoff:
    with Session(get_db_engine(trip.world.database_url)) as session:
        handoff = session.get(Handoff, handoff_id)
    assert handoff is not None
    return handoff


def conversation_row(trip: Journey) -> Conversation:
    with Session(get_db_engine(trip.world.database_url)) as session:
        conversation = session.get(Conversation, trip.lead.id)
    assert conversation is not None
    return conversation


def sellers_drafted_lead(trip: Journey) -> Lead:
    """Another researched lead with a draft and a work address, given to the console's
    seller: the one the seller edits and sends."""
    with session_scope(trip.world.database_url) as session:
        rows = session.exec(select(LeadInsight).where(LeadInsight.fit_level == "exact")).all()
        for row in rows:
            lead = session.get(Lead, row.lead_id)
            if (
                lead is not None
                and lead.id != trip.lead.id
                and row.payload.get("draft")
                and row.payload["research"]["email_check"]["is_valid"]
                and row.payload["research"]["email_check"]["email_type"] == "work"
                and not (lead.do_not_email or lead.do_not_contact)
            ):
                lead.owner_id = LOGINS.seller_user_id
                session.add(lead)
                session.flush()
                session.expunge(lead)
                return lead
    raise AssertionError("the researched world has no other drafted lead")
