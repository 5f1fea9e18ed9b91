"""Sender reputation: warm-up caps, the bounce-rate breaker, company-wide stops, spam
complaints, one-click unsubscribe (RFC 8058) served over HTTP, signature and disclosure.

The journeys run the engage graph against the real local SMTP server of
`tests/smtp_test_server.py`; the pure rules are tested without a graph."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from email.utils import format_datetime, make_msgid
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
from sqlmodel import Session, select
from typer.testing import CliRunner

from app.cli.main import app
from core.clock import ManualClock, utc_now
from core.settings import get_settings
from graphs.checkpointing import open_checkpointer
from graphs.engage.engage_settings import EngageFileError, parse_engage_yaml
from graphs.engage.guardrails import GuardrailSettings, SendContext, check_send
from graphs.engage.runner import EngageRunner
from graphs.engage.sender_reputation import (
    BounceBreaker,
    SendingMailbox,
    WarmUpRamp,
    breaker_reason,
    daily_cap_on,
    with_footer,
)
from graphs.engage.stored_settings import load_engage_settings, save_engage_settings
from store.crm import Lead
from store.db import get_db_engine, session_scope
from store.engagement import Conversation, ConversationState, DeliveryStatus, EmailMessage
from store.seller_inbox import SellerNotice
from store.sender_reputation import MailboxPause
from tests.conftest import SampleCrm
from tests.console_support import running_console
from tests.smtp_test_server import RecordingHandler, free_port, smtp_server
from tests.test_engage_journeys import (  # noqa: F401  (fixtures)
    MAILBOX,
    Journey,
    _open_journey,
    journey,
)
from tools.mail.mailbox_health import pause_mailbox, resume_mailbox
from tools.mail.outbox import enqueue_email
from tools.mail.settings import MailSettings
from tools.mail.unsubscribe_tokens import lead_of_token, unsubscribe_secret, unsubscribe_token

MONDAY = datetime(2027, 3, 1, 10, 0, tzinfo=UTC)

# --- the rules, pure --------------------------------------------------------------------


def test_the_warm_up_ramp_gives_the_cap_of_each_day() -> None:
    ramp = WarmUpRamp(start_per_day=10, increase_per_week=15)
    new = SendingMailbox(address="sam@example.com", warm_up_from=date(2027, 3, 1), daily_cap=80)
    caps = {
        offset: daily_cap_on(new, 50, ramp, date(2027, 3, 1) + timedelta(days=offset))
        for offset in (-1, 0, 6, 7, 13, 14, 28, 35, 365)
    }
    assert caps == {-1: 0, 0: 10, 6: 10, 7: 25, 13: 25, 14: 40, 28: 70, 35: 80, 365: 80}
    # Without its own cap it rises to the guardrails' cap; a plain address is warm already.
    unset = SendingMailbox(address="sam@example.com", warm_up_from=date(2027, 3, 1))
    assert daily_cap_on(unset, 50, ramp, date(2027, 6, 1)) == 50
    assert daily_cap_on(SendingMailbox(address="a@example.com"), 50, ramp, date(2027, 3, 1)) == 50


def test_the_gate_holds_a_send_over_the_cap_in_force_and_on_a_paused_mailbox() -> None:
    settings = GuardrailSettings()
    base = {"email": "dana@contoso.example", "now_utc": MONDAY, "time_zone": "UTC"}
    assert check_send(SendContext(**base, mailbox_sent_today=9), settings).allowed
    capped = check_send(SendContext(**base, mailbox_sent_today=9, mailbox_daily_cap=9), settings)
    assert not capped.allowed and not capped.blocked_for_good
    assert "its daily cap is 9" in capped.reasons[0]
    assert capped.not_before is not None and capped.not_before.date() == date(2027, 3, 2)
    paused = check_send(SendContext(**base, mailbox_paused="4 hard bounces"), settings)
    assert not paused.allowed and not paused.blocked_for_good
    assert "paused: 4 hard bounces" in paused.reasons[0]
    stopped = check_send(SendContext(**base, company_stopped="LEAD-2 said no"), settings)
    assert stopped.blocked_for_good and stopped.reasons == ["LEAD-2 said no"]


def test_the_breaker_trips_over_the_rate_once_enough_mail_was_sent() -> None:
    breaker = BounceBreaker(max_hard_bounce_rate=0.03, window_sends=100, min_sends=20)
    assert breaker_reason(19, 5, breaker) is None  # too few sends to judge
    assert breaker_reason(100, 3, breaker) is None  # 3 % is the limit, not over it
    reason = breaker_reason(100, 4, breaker)
    assert reason is not None and "4 hard bounces in its last 100 sends (4.0%)" in reason


def test_the_footer_signs_once_and_discloses() -> None:
    signature = "Alex Morgan\nAccount Executive"
    written = "Hi Dana,\n\nA question.\n\nBest,\nAlex Morgan\nAccount Executive\n"
    body = with_footer(written, signature, "Written by an AI assistant.")
    assert body.count("Alex Morgan") == 1
    assert body.endswith("Account Executive\n\n--\nWritten by an AI assistant.\n")
    unsigned = with_footer("Hi Dana,\n\nA question.", signature, None)
    assert unsigned == "Hi Dana,\n\nA question.\n\nAlex Morgan\nAccount Executive\n"


def test_a_token_names_its_lead_and_cannot_be_forged() -> None:
    secret = b"s3cret"
    token = unsubscribe_token("LEAD-7", secret)
    assert lead_of_token(token, secret) == "LEAD-7"
    other = unsubscribe_token("LEAD-8", secret)
    swapped = f"{other.split('.')[0]}.{token.split('.')[1]}"  # LEAD-8 with LEAD-7's seal
    for forged in (swapped, unsubscribe_token("LEAD-7", b"guess"), token[:-2], "x", ""):
        assert lead_of_token(forged, secret) is None


def test_mailboxes_are_plain_addresses_or_warm_up_entries() -> None:
    settings = parse_engage_yaml(
        "mailboxes:\n  - alex@northwind.example\n"
        "  - {address: Sam@Northwind.example, warm_up_from: 2027-03-01, daily_cap: 120}\n"
    )
    assert settings.mailbox_addresses == ["alex@northwind.example", "sam@northwind.example"]
    assert settings.sending_mailbox("sam@northwind.example").daily_cap == 120
    with pytest.raises(EngageFileError) as bad:
        parse_engage_yaml("mailboxes:\n  - {address: sam@northwind.example, daily_cap: 0}\n")
    assert "mailboxes[0].daily_cap" in str(bad.value) and "line 2" in str(bad.value)
    with pytest.raises(EngageFileError) as bad:
        parse_engage_yaml("sender_reputation:\n  footer:\n    ai_disclosure: 'by {robot}'\n")
    assert "sender_reputation.footer.ai_disclosure" in str(bad.value)


# --- delivery: the ramp and the breaker, over the real SMTP server -----------------------


@contextmanager
def _delivering(world: SampleCrm, clock: ManualClock, handler: RecordingHandler) -> Iterator:
    with smtp_server(handler) as smtp, open_checkpointer(world.checkpoint_path) as saver:
        mail = MailSettings(
            smtp_host=smtp.host,
            smtp_port=smtp.port,
            smtp_starttls=False,
            outbox_dir=world.root / "outbox",
            mailboxes=[MAILBOX],
        )
        yield EngageRunner(world.context(clock=clock), saver, mail)


def _queue_to_leads(
    world: SampleCrm, count: int, now: datetime, tag: str, *, skip: int = 0
) -> list[str]:
    """Queue an agent email to each of `count` leads after the first `skip` that may be
    emailed (in UTC, so no quiet hours hold them)."""
    with session_scope(world.database_url) as session:
        leads = [
            lead
            for lead in session.exec(select(Lead).order_by(Lead.id))
            if not (lead.do_not_email or lead.do_not_contact)
            and re.fullmatch(r"[a-z0-9.\-]+@[a-z0-9.\-]+\.[a-z]+", lead.email or "")
        ][skip : skip + count]
        for lead in leads:
            lead.time_zone = "UTC"
            session.add(lead)
            enqueue_email(
                session,
                idempotency_key=f"{tag}:{lead.id}",
                lead_id=lead.id,
                mailbox=MAILBOX,
                to_address=lead.email or "",
                subject="Hello",
                body="Hi.",
                kind="outreach",
                in_reply_to=None,
                references=[],
                now=now,
            )
        return [lead.email or "" for lead in leads]


def test_a_warming_mailbox_sends_only_its_ramp_cap_each_day(sample_crm: SampleCrm) -> None:
    settings = load_engage_settings(sample_crm.database_url)
    settings.mailboxes = [
        SendingMailbox(address=MAILBOX, warm_up_from=MONDAY.date(), daily_cap=100)
    ]
    settings.sender_reputation.warm_up = WarmUpRamp(start_per_day=2, increase_per_week=3)
    save_engage_settings(sample_crm.database_url, settings)
    clock = ManualClock(MONDAY)
    _queue_to_leads(sample_crm, 7, MONDAY, "ramp")
    handler = RecordingHandler()
    with _delivering(sample_crm, clock, handler) as runner:
        first = runner.deliver()
        assert (first.sent, first.capped) == (2, 5)
        clock.advance(timedelta(days=1))
        assert runner.deliver().sent == 2  # still the first week: 2 a day
        clock.advance(timedelta(days=6))
        week_two = runner.deliver()  # day 7: 2 + 3 = 5 a day
    assert (week_two.sent, week_two.capped) == (3, 0)
    assert len(handler.messages) == 7


def test_the_breaker_pauses_a_bouncing_mailbox_until_the_admin_resumes_it(
    sample_crm: SampleCrm,
) -> None:
    clock = ManualClock(MONDAY)
    addresses = _queue_to_leads(sample_crm, 20, MONDAY, "first")
    handler = RecordingHandler(refuse_recipients={a.lower() for a in addresses[:2]})
    with _delivering(sample_crm, clock, handler) as runner:
        first = runner.deliver()
        assert (first.sent, first.failed) == (18, 2)  # 2 hard bounces in 20 sends: 10 %
        clock.advance(timedelta(hours=1))
        _queue_to_leads(sample_crm, 1, clock.now(), "second", skip=20)
        held = runner.deliver()
        assert (held.sent, held.paused) == (0, 1)
        with session_scope(sample_crm.database_url) as session:
            [pause] = session.exec(select(MailboxPause)).all()
            notices = session.exec(
                select(SellerNotice).where(SellerNotice.kind == "mailbox_paused")
            ).all()
            waiting = session.exec(
                select(EmailMessage).where(EmailMessage.idempotency_key.startswith("second:"))  # type: ignore[attr-defined]
            ).all()
            texts = [n.text for n in notices]
        assert pause.mailbox == MAILBOX and "2 hard bounces in its last 20 sends" in pause.reason
        assert notices and all(MAILBOX in text and "resume" in text for text in texts)
        # The queued email waits: not lost, not failed, not sent from another mailbox.
        [row] = waiting
        assert row.status is DeliveryStatus.QUEUED and row.mailbox == MAILBOX
        assert runner.deliver().sent == 0
        assert len(handler.messages) == 18

        with session_scope(sample_crm.database_url) as session:
            assert resume_mailbox(session, MAILBOX, "USR-001", clock.now())
        clock.advance(timedelta(minutes=5))
        resumed = runner.deliver()
    assert (resumed.sent, resumed.paused) == (1, 0)
    assert len(handler.messages) == 19


# --- journeys: stops, complaint, unsubscribe, footer --------------------------------------


def _mail_count(trip: Journey) -> int:
    return len(trip.mail_to_lead())


def _quiet_weeks(trip: Journey, days: int = 15) -> None:
    for _ in range(days):
        trip.days(1)
        trip.tick()


def _lead(trip: Journey, lead_id: str | None = None) -> Lead:
    with Session(get_db_engine(trip.world.database_url)) as session:
        found = session.get(Lead, lead_id or trip.lead.id)
    assert found is not None
    return found


def test_not_interested_stops_the_whole_company(
    researched_world: tuple[SampleCrm, list[str]],
    tmp_path: Path,
) -> None:
    _, good = researched_world
    with _open_journey(researched_world, tmp_path) as opened:
        domain = (opened.lead.email or "").rpartition("@")[2]
        with session_scope(opened.world.database_url) as session:
            colleague = session.get(Lead, good[1])
            assert colleague is not None
            colleague.email = f"pat.colleague@{domain}"
            colleague_id, colleague_email = colleague.id, colleague.email
            session.add(colleague)
        assert not opened.runner.start([colleague_id]).errors
        opened.tick()
        to_colleague = [m for m in opened.smtp.messages if colleague_email in m.rcpt_tos]
        assert _mail_count(opened) == 1 and len(to_colleague) == 1
        opened.days(1)
        opened.reply("Thanks, but we are not interested.")
        opened.tick()
        stopped = opened.conversation()  # the lead itself goes to a supervisor
        assert stopped.state != ConversationState.ACTIVE
        with Session(get_db_engine(opened.world.database_url)) as session:
            other = session.get(Conversation, colleague_id)
        assert other is not None and other.state == ConversationState.STOPPED
        assert opened.lead.id in (other.stop_reason or "")
        assert "not interested" in (other.stop_reason or "")
        _quiet_weeks(opened)
        to_colleague = [m for m in opened.smtp.messages if colleague_email in m.rcpt_tos]
        assert len(to_colleague) == 1, "no follow-up to the colleague after the company said no"


def test_a_queued_email_to_a_stopped_company_is_not_sent(
    researched_world: tuple[SampleCrm, list[str]],
    tmp_path: Path,
) -> None:
    _, good = researched_world
    with _open_journey(researched_world, tmp_path) as opened:
        domain = (opened.lead.email or "").rpartition("@")[2]
        opened.tick()
        with session_scope(opened.world.database_url) as session:
            colleague = session.get(Lead, good[1])
            assert colleague is not None
            colleague.email, colleague.time_zone = f"pat.colleague@{domain}", "UTC"
            session.add(colleague)
            enqueue_email(
                session,
                idempotency_key="queued-before-the-no",
                lead_id=colleague.id,
                mailbox=MAILBOX,
                to_address=colleague.email,
                subject="Hello",
                body="Hi.",
                kind="outreach",
                in_reply_to=None,
                references=[],
                now=opened.clock.now(),
            )
        opened.reply("Please unsubscribe me, we are not interested.")
        opened.tick()
        assert not [m for m in opened.smtp.messages if "pat.colleague@" in m.rcpt_tos[0]]
        with session_scope(opened.world.database_url) as session:
            row = session.exec(
                select(EmailMessage).where(EmailMessage.idempotency_key == "queued-before-the-no")
            ).one()
            assert row.status is DeliveryStatus.FAILED
            assert "stopped emailing this company" in (row.last_error or "")


def _complaint(trip: Journey, original_id: str) -> str:
    """An ARF feedback report (RFC 5965) as a mailbox provider's loop sends it."""
    return f"""From: Feedback Loop <fbl@isp.example>
To: {MAILBOX}
Subject: Complaint about message from {MAILBOX}
Date: {format_datetime(trip.clock.now())}
Message-ID: {make_msgid(domain="isp.example")}
MIME-Version: 1.0
Content-Type: multipart/report; report-type=feedback-report; boundary="arf"

--arf
Content-Type: text/plain

This is an email abuse report for an email message received from IP 192.0.2.1.

--arf
Content-Type: message/feedback-report

Feedback-Type: abuse
User-Agent: SomeFBL/1.0
Version: 1

--arf
Content-Type: text/rfc822-headers

From: {MAILBOX}
To: {trip.lead.email}
Message-ID: {original_id}
Subject: Hello

--arf--
"""


def test_a_spam_complaint_stops_the_lead_at_once(
    journey: Journey,  # noqa: F811
) -> None:
    journey.tick()
    [outreach] = journey.mail_to_lead()
    report = _complaint(journey, outreach["Message-ID"])
    (journey.inbox / "complaint.eml").write_text(report.replace("\n", "\r\n"))
    journey.days(1)
    journey.tick()
    assert _lead(journey).do_not_email
    conversation = journey.conversation()
    assert conversation.state == ConversationState.STOPPED
    assert "spam" in (conversation.stop_reason or "")
    _quiet_weeks(journey)
    assert _mail_count(journey) == 1


def test_every_agent_email_is_signed_and_discloses_the_ai(
    journey: Journey,  # noqa: F811
) -> None:
    journey.tick()
    [outreach] = journey.mail_to_lead()
    body = outreach.get_content()
    assert "This email was written by an AI assistant on behalf of Alex Morgan" in body
    assert body.count("Account Executive, Northwind Analytics") == 1


def test_the_admin_sets_the_signature_and_the_disclosure(
    researched_world: tuple[SampleCrm, list[str]],
    tmp_path: Path,
) -> None:
    template, good = researched_world
    world = SampleCrm(tmp_path / "template")
    shutil.copytree(template.root, world.root)
    settings = load_engage_settings(world.database_url)
    settings.sender_reputation.footer.signature = "Sam Reyes | Growth team"
    settings.sender_reputation.footer.ai_disclosure = "Drafted by {sender_company}'s AI."
    save_engage_settings(world.database_url, settings)
    with _open_journey((world, good), tmp_path / "journey") as opened:
        opened.tick()
        [outreach] = opened.mail_to_lead()
    body = outreach.get_content()
    assert "Sam Reyes | Growth team" in body
    assert body.rstrip().endswith("Drafted by Northwind Analytics's AI.")


def _http(url: str, method: str, data: bytes | None = None) -> tuple[int, str]:
    request = urllib.request.Request(url, data=data, method=method)
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(request, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def test_one_click_unsubscribe_over_http(
    journey: Journey,  # noqa: F811
) -> None:
    journey.tick()
    [outreach] = journey.mail_to_lead()
    assert outreach["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    targets = [t.strip(" <>") for t in " ".join(outreach["List-Unsubscribe"].split()).split(",")]
    mailto = next(t for t in targets if t.startswith("mailto:"))
    link = next(t for t in targets if t.startswith("http"))
    token = parse_qs(urlsplit(link).query)["token"][0]
    assert unquote(mailto.partition("subject=")[2]) == f"unsubscribe {token}"
    secret = unsubscribe_secret()
    assert lead_of_token(token, secret) == journey.lead.id

    with running_console(journey.world.database_url) as base:
        path = f"{base}/unsubscribe?token="
        status, page = _http(path + token, "GET")
        assert status == 200 and '<form method="post" action="/unsubscribe">' in page
        assert not _lead(journey).do_not_email, "a GET (a link scanner) unsubscribes nobody"

        forged = unsubscribe_token(journey.lead.id, b"a guessed secret")
        status, _ = _http(path + forged, "POST", b"List-Unsubscribe=One-Click")
        assert status == 400
        assert _http(f"{base}/elsewhere", "GET")[0] == 404
        assert not _lead(journey).do_not_email

        status, page = _http(path + token, "POST", b"List-Unsubscribe=One-Click")
    assert status == 200 and "unsubscribed" in page
    assert _lead(journey).do_not_email
    assert journey.conversation().state == ConversationState.STOPPED
    _quiet_weeks(journey)
    assert _mail_count(journey) == 1


def test_the_unsubscribe_mailto_stops_the_lead_on_import(
    journey: Journey,  # noqa: F811
) -> None:
    journey.tick()
    [outreach] = journey.mail_to_lead()
    targets = " ".join(outreach["List-Unsubscribe"].split())
    mailto = next(t.strip(" <>") for t in targets.split(",") if "mailto:" in t)
    address, _, query = mailto.removeprefix("mailto:").partition("?")
    journey.days(1)
    # Sent by the mail client, from whatever address the lead reads mail at.
    message = (
        f"From: someone@elsewhere.example\r\nTo: {address}\r\n"
        f"Subject: {unquote(query.removeprefix('subject='))}\r\n"
        f"Date: {format_datetime(journey.clock.now())}\r\n"
        f"Message-ID: {make_msgid(domain='elsewhere.example')}\r\n\r\nunsubscribe\r\n"
    )
    (journey.inbox / "unsubscribe.eml").write_text(message)
    journey.tick()
    assert _lead(journey).do_not_email
    assert journey.conversation().state == ConversationState.STOPPED
    _quiet_weeks(journey)
    assert _mail_count(journey) == 1


# --- the admin's command ------------------------------------------------------------------


def test_the_mailboxes_command_shows_each_state_and_resumes(tmp_path: Path) -> None:
    cli = CliRunner()

    def run(*args: str, code: int = 0) -> str:
        result = cli.invoke(app, list(args))
        assert result.exit_code == code, result.output
        return result.output

    run("init", "--leads", "40", "--accounts", "10")
    url = get_settings().resolved_database_url
    out = run("engage", "mailboxes")
    assert "alex@northwind.example" in out and "sending" in out and "50" in out
    with session_scope(url) as session:
        pause_mailbox(session, "alex@northwind.example", "5 hard bounces", utc_now())
    out = run("engage", "mailboxes")
    assert "paused" in out and "PAUSED alex@northwind.example: 5 hard bounces" in out
    with Session(get_db_engine(url)) as session:
        notices = session.exec(select(SellerNotice)).all()
    assert notices and all(n.kind == "mailbox_paused" for n in notices)
    assert "Resumed" in run("engage", "mailboxes", "resume", "alex@northwind.example")
    assert "PAUSED" not in run("engage", "mailboxes")
    run("engage", "mailboxes", "resume", "alex@northwind.example", code=1)


def test_qualify_serve_answers_on_its_port(tmp_path: Path) -> None:
    CliRunner().invoke(app, ["init", "--leads", "40", "--accounts", "10"])
    port = free_port()
    child = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from app.cli.main import main; main()",
            "serve",
            "--port",
            str(port),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):  # until it listens (10 s at most)
            try:
                status, _ = _http(f"{base}/unsubscribe?token=forged.token", "GET")
                break
            except urllib.error.URLError:
                time.sleep(0.1)
        else:
            pytest.fail("qualify serve did not listen")
        assert status == 400
        with Session(get_db_engine(get_settings().resolved_database_url)) as session:
            lead = session.exec(select(Lead).where(Lead.do_not_email == False)).first()  # noqa: E712
        assert lead is not None
        token = unsubscribe_token(lead.id, unsubscribe_secret())
        status, _ = _http(
            f"{base}/unsubscribe?token={token}", "POST", b"List-Unsubscribe=One-Click"
        )
        assert status == 200
        with Session(get_db_engine(get_settings().resolved_database_url)) as session:
            assert session.get(Lead, lead.id).do_not_email  # type: ignore[union-attr]
    finally:
        child.terminate()
        child.wait(timeout=10)
