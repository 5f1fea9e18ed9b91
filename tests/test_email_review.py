"""Review before send: journeys over the real SMTP test server, where the agent's emails
are held for the lead owner's approval (assignment rule `sending: review`)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import Session, select
from typer.testing import CliRunner

from app.cli.main import app
from core.settings import get_settings
from graphs.engage.assignment import AssignmentCriteria
from graphs.engage.email_review import (
    ReviewError,
    approve_email,
    cancel_email,
    edit_email,
    held_emails,
    is_overdue,
    reviewer_problem,
)
from graphs.engage.engage_settings import EngageFileError, parse_engage_yaml
from store.crm import User
from store.db import get_db_engine
from store.engagement import ConversationState, DeliveryStatus, EmailMessage
from store.seller_inbox import SellerNotice
from tests.conftest import SampleCrm
from tests.test_engage_journeys import Journey, _open_journey


@pytest.fixture
def held(
    researched_world: tuple[SampleCrm, list[str]],
    tmp_path: Path,
) -> Iterator[Journey]:
    """A journey whose assignment rule holds each email for the owner's review."""
    with _open_journey(researched_world, tmp_path, sending="review") as opened:
        yield opened


def _outbox(journey: Journey) -> list[EmailMessage]:
    with Session(get_db_engine(journey.world.database_url)) as session:
        return list(
            session.exec(
                select(EmailMessage)
                .where(EmailMessage.lead_id == journey.lead.id)
                .order_by(EmailMessage.id)  # type: ignore[arg-type]
            )
        )


def _held_one(journey: Journey) -> EmailMessage:
    [row] = _outbox(journey)
    assert row.status is DeliveryStatus.HELD
    return row


def _someone_else(journey: Journey) -> str:
    with Session(get_db_engine(journey.world.database_url)) as session:
        users = session.exec(select(User)).all()
    return next(user.id for user in users if user.id != journey.lead.owner_id)


def test_held_email_is_sent_once_after_the_owner_approves(held: Journey) -> None:
    row = _held_one(held)
    held.tick()
    assert held.mail_to_lead() == []  # delivery never sends a held email
    owner, now = held.lead.owner_id, held.clock.now()
    assert owner is not None

    approved = approve_email(held.world.database_url, str(row.id), by=owner, now=now)
    assert approved.status == "queued" and approved.approved_by == owner
    # Approving again (a double click, or a retry after a crash before delivery) changes
    # nothing: the row is queued once and delivery claims it once.
    with pytest.raises(ReviewError, match="already approved"):
        approve_email(held.world.database_url, row.message_id, by=owner, now=now)
    held.tick()
    held.tick()
    [sent] = held.mail_to_lead()
    assert sent["Message-ID"] == row.message_id
    [after] = _outbox(held)
    assert after.status is DeliveryStatus.SENT and after.approved_by == owner
    assert [step["action"] for step in after.review_history or []] == ["held", "approved"]


def test_edited_email_goes_with_the_edited_body_and_keeps_the_original(held: Journey) -> None:
    row = _held_one(held)
    owner, url = held.lead.owner_id or "", held.world.database_url
    with pytest.raises(ReviewError, match="not saved") as refused:
        edit_email(
            url,
            str(row.id),
            by=owner,
            now=held.clock.now(),
            body=row.body + "\n\nSign in at https://login.evil.example/verify to see more.",
        )
    assert "evil.example" in str(refused.value)
    assert _held_one(held).body == row.body  # a refused edit changes nothing

    edited_body = "Would a short call next week be useful?\n\n" + row.body
    edit_email(
        url, str(row.id), by=owner, now=held.clock.now(), subject="A short call?", body=edited_body
    )
    held.tick()
    assert held.mail_to_lead() == []  # an edit is not an approval
    approve_email(url, str(row.id), by=owner, now=held.clock.now())
    held.tick()
    [sent] = held.mail_to_lead()
    assert sent["Subject"] == "A short call?"
    assert "Would a short call next week be useful?" in sent.get_body().get_content()  # type: ignore[union-attr]
    [after] = _outbox(held)
    [edit] = [step for step in after.review_history or [] if step["action"] == "edited"]
    assert edit["before"] == {"subject": row.subject, "body": row.body}
    assert edit["by"] == owner


def test_cancelled_email_is_never_sent_and_the_conversation_waits(held: Journey) -> None:
    row = _held_one(held)
    owner = held.lead.owner_id or ""
    with pytest.raises(ReviewError, match="say why in the note"):
        cancel_email(held.world.database_url, str(row.id), by=owner, now=held.clock.now(), note="")
    cancel_email(
        held.world.database_url,
        str(row.id),
        by=owner,
        now=held.clock.now(),
        note="I know this buyer; I will call them myself",
    )
    conversation = held.conversation()
    assert conversation.state is ConversationState.STOPPED
    assert conversation.next_action_on is None
    assert "I will call them myself" in (conversation.stop_reason or "")
    for _ in range(4):  # past every follow-up delay: no follow-up to an email never sent
        held.days(4)
        held.tick()
    assert held.mail_to_lead() == []
    [after] = _outbox(held)
    assert after.status is DeliveryStatus.CANCELLED
    assert held.handoffs() == []
    with pytest.raises(ReviewError, match="cancelled"):
        approve_email(held.world.database_url, str(row.id), by=owner, now=held.clock.now())

    # A person starts the conversation again: the agent writes anew, not "following up"
    # on the email the lead never had, and not threaded under it.
    started = held.runner.start([held.lead.id])
    assert not started.errors, started.errors
    cancelled, second = _outbox(held)
    assert cancelled.status is DeliveryStatus.CANCELLED
    assert second.status is DeliveryStatus.HELD and second.kind == "outreach"
    assert second.in_reply_to is None and row.message_id not in (second.references or "")


def test_email_held_past_the_limit_is_reported_to_its_owner_never_sent(
    held: Journey, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("QUALIFY_NOTICE_MAILBOX", "agent-notices@northwind.example")
    get_settings.cache_clear()
    row = _held_one(held)
    held.days(0.125)  # three hours: within the limit (and in business hours, as below)
    assert held.tick().reviews_overdue == 0
    held.days(9)  # past the 24 h limit, and past the follow-up's delay
    report = held.tick()
    assert report.reviews_overdue == 1
    held.days(1)
    held.tick()  # told once, not once per pass
    assert held.mail_to_lead() == []
    assert _held_one(held).status is DeliveryStatus.HELD
    # The follow-up timer waits for the owner: it does not fire as if the email had gone.
    assert held.conversation().held_for == row.message_id
    assert held.conversation().next_action_on is None
    with Session(get_db_engine(held.world.database_url)) as session:
        notices = session.exec(select(SellerNotice).where(SellerNotice.kind == "review")).all()
    assert [(n.user_id, n.lead_id) for n in notices] == [(held.lead.owner_id, held.lead.id)]
    with Session(get_db_engine(held.world.database_url)) as session:
        owner = session.get(User, held.lead.owner_id)
    assert owner is not None
    [told] = [m.message for m in held.smtp.messages if owner.email in m.rcpt_tos]
    assert told["Subject"] == f"[Qualify] Email waiting for your review ({held.lead.id})"
    assert f"qualify review show {row.id}" in told.get_content()
    [listed] = held_emails(held.world.database_url, now=held.clock.now())
    assert listed.overdue and listed.id == row.id

    # Approved late, it goes, and the conversation's next step is due again.
    approve_email(
        held.world.database_url, str(row.id), by=held.lead.owner_id or "", now=held.clock.now()
    )
    assert held.conversation().held_for is None
    held.tick()
    assert len(held.mail_to_lead()) == 1


def test_only_the_owner_reviews_and_the_cli_says_so(
    held: Journey, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    row = _held_one(held)
    other = _someone_else(held)
    with pytest.raises(ReviewError, match="only the lead's owner"):
        approve_email(held.world.database_url, str(row.id), by=other, now=held.clock.now())

    monkeypatch.setenv("QUALIFY_DATABASE_URL", held.world.database_url)
    get_settings.cache_clear()
    cli = CliRunner()
    listed = cli.invoke(app, ["review", "list", "--owner", held.lead.owner_id or ""])
    assert listed.exit_code == 0, listed.output
    assert "1 emails held for review" in listed.output  # (columns fold in a narrow terminal)
    nobody = cli.invoke(app, ["review", "list", "--owner", other])
    assert "No email is waiting for review" in nobody.output
    refused = cli.invoke(app, ["review", "approve", str(row.id), "--by", other])
    assert refused.exit_code == 1
    assert "only the lead's owner" in refused.output
    held.tick()
    assert held.mail_to_lead() == []
    with Session(get_db_engine(held.world.database_url)) as session:
        owner = session.get(User, held.lead.owner_id)
    assert owner is not None
    evil = tmp_path / "evil.txt"
    evil.write_text(row.body + "\n\nLog in at https://login.evil.example/verify\n")
    refused = cli.invoke(
        app, ["review", "edit", str(row.id), "--by", owner.id, "--file", str(evil)]
    )
    assert refused.exit_code == 1 and "evil.example" in refused.output
    better = tmp_path / "better.txt"
    better.write_text("Would a short call next week be useful?\n\n" + row.body)
    edited = cli.invoke(
        app, ["review", "edit", str(row.id), "--by", owner.email, "--file", str(better)]
    )
    assert edited.exit_code == 0, edited.output
    approved = cli.invoke(app, ["review", "approve", str(row.id), "--by", owner.full_name])
    assert approved.exit_code == 0, approved.output
    shown = cli.invoke(app, ["review", "show", str(row.id)])
    assert shown.exit_code == 0 and f"approved by {owner.id}" in shown.output
    held.tick()
    [sent] = held.mail_to_lead()
    assert "Would a short call next week be useful?" in sent.get_body().get_content()  # type: ignore[union-attr]


# -- the rules, without a graph ----------------------------------------------------------


def test_a_rule_that_does_not_say_holds_for_review() -> None:
    assert AssignmentCriteria().sending == "review"
    assert parse_engage_yaml("assignment:\n  sending: AUTO\n").assignment.sending == "auto"
    with pytest.raises(EngageFileError, match=r"assignment\.sending.*write auto .* or review"):
        parse_engage_yaml("assignment:\n  sending: sometimes\n")
    with pytest.raises(EngageFileError, match=r"assignment\.review_within_hours"):
        parse_engage_yaml("assignment:\n  review_within_hours: 0\n")


def test_overdue_and_who_may_review() -> None:
    held_on = datetime(2027, 3, 1, 9, tzinfo=UTC)
    assert not is_overdue(held_on, held_on + timedelta(hours=23, minutes=59), 24)
    assert is_overdue(held_on, held_on + timedelta(hours=24), 24)
    assert reviewer_problem("USR-01", "USR-01", "LEAD-1") is None
    assert "only the lead's owner (USR-01)" in (reviewer_problem("USR-01", "USR-02", "L") or "")
    assert "has no owner" in (reviewer_problem(None, "USR-02", "LEAD-1") or "")
