"""The outbox: idempotent enqueueing, delivery over a real SMTP server or to .eml files,
retries with backoff, the daily cap, and no second send after a crash mid-delivery."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from pathlib import Path

import pytest
from sqlmodel import select

import tools.mail.outbox as outbox
import tools.mail.smtp_delivery as smtp_delivery
from store.crm import Lead
from store.db import session_scope
from store.engagement import Conversation, DeliveryStatus, EmailMessage
from tests.smtp_test_server import RecordingHandler, free_port, smtp_server
from tools.mail.message import build_mime, message_id_for
from tools.mail.outbox import (
    INTERRUPTED_REASON,
    decide_undelivered,
    deliver_due,
    enqueue_email,
)
from tools.mail.settings import MailSettings
from tools.mail.unsubscribe_tokens import unsubscribe_token

REPO = Path(__file__).resolve().parents[1]
NOW = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)
MAILBOX = "alex@northwind.example"
UNSUBSCRIBE_URL = "https://northwind.example/unsubscribe?lead={lead_id}&m={message_id}"


def _crm(url: str, *leads: tuple[str, str]) -> str:
    with session_scope(url) as session:
        for lead_id, address in leads:
            session.add(Lead(id=lead_id, topic="Analytics", first_name="Dana", email=address))
    return url


@pytest.fixture
def crm_url(tmp_path: Path) -> str:
    return _crm(
        f"sqlite:///{tmp_path / 'crm.db'}",
        ("LEAD-1", "dana@contoso.example"),
        ("LEAD-2", "lee@fabrikam.example"),
        ("LEAD-3", "sam@litware.example"),
    )


def _settings(tmp_path: Path, port: int | None = None, **overrides: object) -> MailSettings:
    values: dict[str, object] = {
        "smtp_host": "127.0.0.1" if port is not None else None,
        "smtp_port": port or 587,
        "smtp_starttls": False,
        "outbox_dir": tmp_path / "outbox",
        "mailboxes": [MAILBOX],
        "unsubscribe_url": UNSUBSCRIBE_URL,
    } | overrides
    return MailSettings(**values)  # type: ignore[arg-type]


def _enqueue(url: str, key: str, lead_id: str = "LEAD-1", **overrides: object) -> EmailMessage:
    to_address = {"LEAD-1": "dana@contoso.example", "LEAD-2": "lee@fabrikam.example"}.get(
        lead_id, "sam@litware.example"
    )
    values: dict[str, object] = {
        "idempotency_key": key,
        "lead_id": lead_id,
        "mailbox": MAILBOX,
        "to_address": to_address,
        "subject": "Faster month-end close at Contoso",
        "body": "Hi Dana,\n\nWould a short call next week help?\n\nAlex",
        "kind": "outreach",
        "in_reply_to": None,
        "references": [],
        "now": NOW,
    } | overrides
    with session_scope(url) as session:
        return enqueue_email(session, **values)  # type: ignore[arg-type]


def _row(url: str, message_id: str) -> EmailMessage:
    with session_scope(url) as session:
        return session.exec(select(EmailMessage).where(EmailMessage.message_id == message_id)).one()


def _count(url: str) -> int:
    with session_scope(url) as session:
        return len(session.exec(select(EmailMessage)).all())


# --- enqueue ------------------------------------------------------------------------------


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_enqueue_twice_with_one_key_keeps_one_row_and_one_message_id(
    backend: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    if backend == "postgres":
        url = _crm(request.getfixturevalue("postgres_url"), ("LEAD-1", "dana@contoso.example"))
    else:
        url = _crm(f"sqlite:///{tmp_path / 'crm.db'}", ("LEAD-1", "dana@contoso.example"))
    first = _enqueue(url, "LEAD-1:outreach")
    again = _enqueue(url, "LEAD-1:outreach", subject="A different subject", kind="follow_up")

    assert again.id == first.id
    assert (
        again.message_id
        == first.message_id
        == message_id_for("LEAD-1:outreach", "northwind.example")
    )
    assert again.subject == "Faster month-end close at Contoso"
    assert _count(url) == 1
    assert first.status is DeliveryStatus.QUEUED


def test_enqueue_losing_an_insert_race_returns_the_winners_row(
    crm_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    winner = _enqueue(crm_url, "LEAD-1:outreach")
    real_lookup = outbox._find_by_key
    calls: list[str] = []

    def lookup_that_misses_once(session, key):  # type: ignore[no-untyped-def]
        calls.append(key)
        # The first read happens "before" the other worker's insert became visible.
        return None if len(calls) == 1 else real_lookup(session, key)

    monkeypatch.setattr(outbox, "_find_by_key", lookup_that_misses_once)
    with session_scope(crm_url) as session:
        loser = enqueue_email(
            session,
            idempotency_key="LEAD-1:outreach",
            lead_id="LEAD-1",
            mailbox=MAILBOX,
            to_address="dana@contoso.example",
            subject="Second writer",
            body="...",
            kind="outreach",
            in_reply_to=None,
            references=[],
            now=NOW,
        )
        # The savepoint kept the caller's transaction usable.
        other = enqueue_email(
            session,
            idempotency_key="LEAD-2:outreach",
            lead_id="LEAD-2",
            mailbox=MAILBOX,
            to_address="lee@fabrikam.example",
            subject="Hello",
            body="...",
            kind="outreach",
            in_reply_to=None,
            references=[],
            now=NOW,
        )
    assert len(calls) == 3
    assert loser.id == winner.id and loser.subject == winner.subject
    assert other.id is not None
    assert _count(crm_url) == 2


def test_enqueue_threads_replies_and_rejects_bad_fields(crm_url: str) -> None:
    follow_up = _enqueue(
        crm_url,
        "LEAD-1:follow_up:1",
        kind="follow_up",
        in_reply_to="<lead-reply@contoso.example>",
        references=["<first@northwind.example>", "lead-reply@contoso.example"],
        subject="Re: Faster\r\nBcc: everyone@example.com",
    )
    assert follow_up.in_reply_to == "<lead-reply@contoso.example>"
    assert follow_up.references == "<first@northwind.example> <lead-reply@contoso.example>"
    assert follow_up.subject == "Re: Faster Bcc: everyone@example.com"

    with pytest.raises(ValueError, match="kind 'newsletter'"):
        _enqueue(crm_url, "LEAD-1:x", kind="newsletter")
    with pytest.raises(ValueError, match="to_address"):
        _enqueue(crm_url, "LEAD-1:y", to_address="dana@contoso.example\r\nBcc: x@y.z")
    with pytest.raises(ValueError, match="idempotency_key"):
        _enqueue(crm_url, " ")


# --- delivery -----------------------------------------------------------------------------


def test_delivery_over_smtp_sends_each_row_once_with_threading_headers(
    crm_url: str, tmp_path: Path
) -> None:
    outreach = _enqueue(crm_url, "LEAD-1:outreach")
    follow_up = _enqueue(
        crm_url,
        "LEAD-1:follow_up:1",
        kind="follow_up",
        subject="Re: Faster month-end close at Contoso",
        in_reply_to=outreach.message_id,
        references=[outreach.message_id],
        body="Hi Dana, Grüße from Alex — just following up.",
    )
    with smtp_server() as server:
        settings = _settings(tmp_path, server.port)
        report = deliver_due(crm_url, settings, now=NOW)
        again = deliver_due(crm_url, settings, now=NOW + timedelta(hours=1))

    assert (report.sent, report.failed, report.retried_later, report.unconfirmed) == (2, 0, 0, 0)
    assert report.sent_message_ids == [outreach.message_id, follow_up.message_id]
    assert again.sent == 0
    assert len(server.messages) == 2
    first, second = (mail.message for mail in server.messages)
    assert server.messages[1].mail_from == MAILBOX
    assert server.messages[1].rcpt_tos == ["dana@contoso.example"]
    assert first["Message-ID"] == outreach.message_id
    assert "In-Reply-To" not in first
    assert second["Message-ID"] == follow_up.message_id
    assert second["In-Reply-To"] == outreach.message_id
    assert second["References"] == outreach.message_id
    assert str(second["From"]) == f"Alex Morgan <{MAILBOX}>"
    assert second["To"] == "dana@contoso.example"
    token = follow_up.message_id.strip("<>").replace("@", "%40")
    signed = unsubscribe_token("LEAD-1", settings.signing_secret())
    # Folded on the wire (it is long); compare it unfolded.
    assert " ".join(second["List-Unsubscribe"].split()) == (
        f"<mailto:{MAILBOX}?subject=unsubscribe%20{signed}>, "
        f"<https://northwind.example/unsubscribe?lead=LEAD-1&m={token}>"
    )
    assert second["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert second.get_content_type() == "text/plain"
    assert second.get_content_charset() == "utf-8"
    assert "Grüße from Alex — just" in second.get_content()
    row = _row(crm_url, follow_up.message_id)
    assert row.status is DeliveryStatus.SENT
    assert row.sent_on is not None and row.sent_on.replace(tzinfo=UTC) == NOW
    assert row.attempts == 1


def test_embedded_default_writes_parseable_eml_files_and_records_them(
    crm_url: str, tmp_path: Path
) -> None:
    message = _enqueue(crm_url, "LEAD-1:outreach", body="Bonjour Dana, à bientôt.")
    settings = _settings(
        tmp_path, unsubscribe_url=None, unsubscribe_mailto="optout@northwind.example"
    )

    report = deliver_due(crm_url, settings, now=NOW)

    assert report.sent == 1
    row = _row(crm_url, message.message_id)
    path = tmp_path / "outbox" / "2025-03-03" / f"{message.message_id.strip('<>')}.eml"
    assert row.status is DeliveryStatus.SENT and row.eml_path == str(path)
    parsed = message_from_bytes(path.read_bytes(), policy=policy.default)
    assert parsed["Message-ID"] == message.message_id
    assert parsed["Date"].datetime == NOW
    signed = unsubscribe_token("LEAD-1", settings.signing_secret())
    assert parsed["List-Unsubscribe"] == (
        f"<mailto:optout@northwind.example?subject=unsubscribe%20{signed}>"
    )
    assert "List-Unsubscribe-Post" not in parsed
    assert parsed.get_content().strip() == "Bonjour Dana, à bientôt."
    assert list((tmp_path / "outbox").rglob("*.part")) == []


def test_smtp_down_is_retried_with_backoff_and_delivered_once_the_server_is_up(
    crm_url: str, tmp_path: Path
) -> None:
    message = _enqueue(crm_url, "LEAD-1:outreach")
    down = _settings(tmp_path, free_port())

    report = deliver_due(crm_url, down, now=NOW)

    assert (report.sent, report.retried_later, report.failed) == (0, 1, 0)
    issue = report.errors[0]
    assert issue.outcome == "retry" and issue.message_id == message.message_id
    assert "cannot connect to SMTP server 127.0.0.1" in issue.reason
    assert issue.next_attempt_on == NOW + timedelta(minutes=1)
    row = _row(crm_url, message.message_id)
    assert (row.status, row.attempts) == (DeliveryStatus.FAILED, 1)
    assert "cannot connect" in (row.last_error or "")

    with smtp_server() as server:
        up = _settings(tmp_path, server.port)
        too_early = deliver_due(crm_url, up, now=NOW + timedelta(seconds=30))
        on_time = deliver_due(crm_url, up, now=NOW + timedelta(minutes=2))

    assert too_early.sent == 0 and server.messages[:0] == []
    assert on_time.sent == 1
    assert len(server.messages) == 1
    row = _row(crm_url, message.message_id)
    assert (row.status, row.attempts, row.last_error) == (DeliveryStatus.SENT, 2, None)


def test_retries_stop_after_max_attempts_and_the_failure_is_reported(
    crm_url: str, tmp_path: Path
) -> None:
    message = _enqueue(crm_url, "LEAD-1:outreach")
    down = _settings(tmp_path, free_port())
    reports = [
        deliver_due(crm_url, down, now=NOW + timedelta(hours=hour), max_attempts=3)
        for hour in range(5)
    ]

    assert [r.retried_later for r in reports] == [1, 1, 0, 0, 0]
    assert [r.failed for r in reports] == [0, 0, 1, 0, 0]
    assert "gave up after 3 attempts" in reports[2].errors[0].reason
    row = _row(crm_url, message.message_id)
    assert (row.status, row.attempts, row.next_attempt_on) == (DeliveryStatus.FAILED, 3, None)


def test_backoff_grows_between_attempts(crm_url: str, tmp_path: Path) -> None:
    _enqueue(crm_url, "LEAD-1:outreach")
    down = _settings(tmp_path, free_port())
    at = NOW
    waits = []
    for _ in range(4):
        issue = deliver_due(crm_url, down, now=at).errors[0]
        assert issue.next_attempt_on is not None
        waits.append(issue.next_attempt_on - at)
        at = issue.next_attempt_on
    assert waits == [timedelta(minutes=m) for m in (1, 5, 15, 60)]


def test_permanent_refusal_is_not_retried_and_a_451_is(crm_url: str, tmp_path: Path) -> None:
    refused = _enqueue(crm_url, "LEAD-1:outreach")
    deferred = _enqueue(crm_url, "LEAD-2:outreach", lead_id="LEAD-2")
    handler = RecordingHandler(refuse_recipients={"dana@contoso.example"})
    with smtp_server(handler) as server:
        settings = _settings(tmp_path, server.port)
        handler.data_reply = "451 4.3.0 Try again later"
        report = deliver_due(crm_url, settings, now=NOW)

    outcomes = {issue.message_id: issue for issue in report.errors}
    assert outcomes[refused.message_id].outcome == "failed"
    assert "550" in outcomes[refused.message_id].reason
    assert "treat like a bounce" in outcomes[refused.message_id].reason
    assert outcomes[deferred.message_id].outcome == "retry"
    assert "451" in outcomes[deferred.message_id].reason
    assert _row(crm_url, refused.message_id).next_attempt_on is None
    assert server.messages == []


def test_connection_lost_after_data_is_unconfirmed_not_resent(crm_url: str, tmp_path: Path) -> None:
    message = _enqueue(crm_url, "LEAD-1:outreach")
    with smtp_server(RecordingHandler(drop_connection=True)) as server:
        settings = _settings(tmp_path, server.port)
        report = deliver_due(crm_url, settings, now=NOW)
        server.handler.drop_connection = False
        later = deliver_due(crm_url, settings, now=NOW + timedelta(days=1))

    assert report.unconfirmed == 1 and report.sent == 0
    assert "broke while the message was being sent" in report.errors[0].reason
    assert later.sent == 0 and later.unconfirmed == 0
    assert len(server.messages) == 1
    assert _row(crm_url, message.message_id).status is DeliveryStatus.UNCONFIRMED


def test_daily_cap_holds_the_rest_until_the_next_day(crm_url: str, tmp_path: Path) -> None:
    for lead_id in ("LEAD-1", "LEAD-2", "LEAD-3"):
        _enqueue(crm_url, f"{lead_id}:outreach", lead_id=lead_id)
    with smtp_server() as server:
        settings = _settings(tmp_path, server.port)
        day_one = deliver_due(crm_url, settings, now=NOW, daily_cap_per_mailbox=2)
        same_day = deliver_due(
            crm_url, settings, now=NOW + timedelta(hours=8), daily_cap_per_mailbox=2
        )
        day_two = deliver_due(
            crm_url, settings, now=NOW + timedelta(days=1), daily_cap_per_mailbox=2
        )

    assert (day_one.sent, day_one.capped) == (2, 1)
    assert (same_day.sent, same_day.capped) == (0, 1)
    assert (day_two.sent, day_two.capped) == (1, 0)
    assert [mail.rcpt_tos[0] for mail in server.messages] == [
        "dana@contoso.example",
        "lee@fabrikam.example",
        "sam@litware.example",
    ]


def test_a_row_outside_the_sending_window_is_held_until_then(crm_url: str, tmp_path: Path) -> None:
    early = _enqueue(crm_url, "LEAD-1:outreach")
    _enqueue(crm_url, "LEAD-2:outreach", lead_id="LEAD-2")
    opens = NOW + timedelta(hours=3)

    def window(row: EmailMessage) -> datetime | None:
        return opens if row.lead_id == "LEAD-1" else None

    with smtp_server() as server:
        settings = _settings(tmp_path, server.port)
        first = deliver_due(crm_url, settings, now=NOW, not_before=window)
        before = deliver_due(crm_url, settings, now=NOW + timedelta(hours=1), not_before=window)
        after = deliver_due(crm_url, settings, now=opens, not_before=window)

    assert (first.sent, first.held) == (1, 1)
    assert (before.sent, before.held) == (0, 0)
    assert (after.sent, after.held) == (1, 0)
    assert [mail.rcpt_tos[0] for mail in server.messages] == [
        "lee@fabrikam.example",
        "dana@contoso.example",
    ]
    assert _row(crm_url, early.message_id).status is DeliveryStatus.SENT


def test_opt_out_or_seller_take_over_after_enqueue_stops_the_send(
    crm_url: str, tmp_path: Path
) -> None:
    opted_out = _enqueue(crm_url, "LEAD-1:outreach")
    taken_over = _enqueue(crm_url, "LEAD-2:outreach", lead_id="LEAD-2")
    with session_scope(crm_url) as session:
        lead = session.get(Lead, "LEAD-1")
        assert lead is not None
        lead.do_not_email = True
        session.add(lead)
        session.add(
            Conversation(lead_id="LEAD-2", thread_id="t-2", mailbox=MAILBOX, taken_over_by="USR-7")
        )
    with smtp_server() as server:
        report = deliver_due(crm_url, _settings(tmp_path, server.port), now=NOW)

    assert (report.sent, report.suppressed) == (0, 2)
    assert server.messages == []
    assert "opted out" in (_row(crm_url, opted_out.message_id).last_error or "")
    assert "USR-7" in (_row(crm_url, taken_over.message_id).last_error or "")


def test_credentials_are_used_and_a_refused_login_is_explained(
    crm_url: str, tmp_path: Path
) -> None:
    _enqueue(crm_url, "LEAD-1:outreach")
    _enqueue(crm_url, "LEAD-2:outreach", lead_id="LEAD-2")
    with smtp_server(credentials=("alex", "s3cret")) as server:
        wrong = _settings(tmp_path, server.port, smtp_username="alex", smtp_password="nope")
        refused = deliver_due(crm_url, wrong, now=NOW)
        right = _settings(tmp_path, server.port, smtp_username="alex", smtp_password="s3cret")
        accepted = deliver_due(crm_url, right, now=NOW + timedelta(hours=1))

    assert refused.retried_later == 2
    assert "QUALIFY_SMTP_USERNAME" in refused.errors[0].reason
    assert accepted.sent == 2
    assert ("alex", "s3cret") in server.handler.logins
    assert len(server.messages) == 2


# --- crashes ------------------------------------------------------------------------------

CHILD_DELIVER = """
import sys
from datetime import datetime
from tools.mail.outbox import deliver_due
from tools.mail.settings import MailSettings
settings = MailSettings.model_validate_json(sys.argv[1])
deliver_due(sys.argv[2], settings, now=datetime.fromisoformat(sys.argv[3]))
"""

CHILD_ENQUEUE_THEN_DIE = """
import os, signal, sys
from datetime import datetime
from store.db import session_scope
from tools.mail.outbox import enqueue_email
with session_scope(sys.argv[1]) as session:
    enqueue_email(session, idempotency_key="LEAD-1:outreach", lead_id="LEAD-1",
        mailbox="alex@northwind.example", to_address="dana@contoso.example",
        subject="Hello", body="Hi Dana", kind="outreach", in_reply_to=None,
        references=[], now=datetime.fromisoformat(sys.argv[2]))
os.kill(os.getpid(), signal.SIGKILL)
"""


def _child(code: str, *args: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.Popen(
        [sys.executable, "-c", code, *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def test_a_crash_between_smtp_acceptance_and_the_sent_commit_never_sends_twice(
    crm_url: str, tmp_path: Path
) -> None:
    message = _enqueue(crm_url, "LEAD-1:outreach")
    child_known = threading.Event()
    child: dict[str, subprocess.Popen[bytes]] = {}

    def kill_the_sender(_envelope: object) -> None:
        # The server has the message; the sender dies before it hears "250 OK".
        assert child_known.wait(timeout=60)
        os.kill(child["process"].pid, signal.SIGKILL)

    handler = RecordingHandler(before_reply=kill_the_sender)
    with smtp_server(handler) as server:
        settings = _settings(tmp_path, server.port)
        child["process"] = _child(
            CHILD_DELIVER, settings.model_dump_json(), crm_url, NOW.isoformat()
        )
        child_known.set()
        _, stderr = child["process"].communicate(timeout=120)
        assert child["process"].returncode == -signal.SIGKILL, stderr.decode()
        assert _row(crm_url, message.message_id).status is DeliveryStatus.SENDING

        handler.before_reply = None
        report = deliver_due(crm_url, settings, now=NOW + timedelta(minutes=5))
        later = deliver_due(crm_url, settings, now=NOW + timedelta(days=1))

    assert len(server.messages) == 1
    assert server.messages[0].message["Message-ID"] == message.message_id
    assert (report.unconfirmed, report.sent) == (1, 0)
    assert report.errors[0].outcome == "unconfirmed"
    assert report.errors[0].reason == INTERRUPTED_REASON
    assert (later.sent, later.unconfirmed) == (0, 0)
    row = _row(crm_url, message.message_id)
    assert (row.status, row.last_error) == (DeliveryStatus.UNCONFIRMED, INTERRUPTED_REASON)

    # Someone checked the Sent folder: it went out.
    resolved = decide_undelivered(crm_url, message.message_id, "sent", now=NOW)
    assert resolved.status is DeliveryStatus.SENT


def test_a_crash_before_any_send_delivers_once_on_the_next_run(
    crm_url: str, tmp_path: Path
) -> None:
    process = _child(CHILD_ENQUEUE_THEN_DIE, crm_url, NOW.isoformat())
    _, stderr = process.communicate(timeout=120)
    assert process.returncode == -signal.SIGKILL, stderr.decode()
    # The re-run of the same tick enqueues the same step again: still one row.
    message = _enqueue(crm_url, "LEAD-1:outreach")
    assert message.status is DeliveryStatus.QUEUED and _count(crm_url) == 1

    with smtp_server() as server:
        settings = _settings(tmp_path, server.port)
        first = deliver_due(crm_url, settings, now=NOW)
        second = deliver_due(crm_url, settings, now=NOW + timedelta(hours=1))

    assert (first.sent, second.sent) == (1, 0)
    assert len(server.messages) == 1


class SimulatedCrash(BaseException):
    """Stands for the process dying at this exact point."""


def test_eml_delivery_interrupted_after_the_file_is_written_is_recorded_not_rewritten(
    crm_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    message = _enqueue(crm_url, "LEAD-1:outreach")
    settings = _settings(tmp_path)
    real_finish = outbox._finish

    def crash(*_args: object, **_kwargs: object) -> None:
        raise SimulatedCrash

    monkeypatch.setattr(outbox, "_finish", crash)
    with pytest.raises(SimulatedCrash):
        deliver_due(crm_url, settings, now=NOW)
    monkeypatch.setattr(outbox, "_finish", real_finish)
    assert _row(crm_url, message.message_id).status is DeliveryStatus.SENDING

    report = deliver_due(crm_url, settings, now=NOW + timedelta(hours=2))

    assert (report.recovered, report.sent, report.unconfirmed) == (1, 0, 0)
    row = _row(crm_url, message.message_id)
    assert row.status is DeliveryStatus.SENT
    assert row.sent_on is not None and row.sent_on.replace(tzinfo=UTC) == NOW
    assert len(list((tmp_path / "outbox").rglob("*.eml"))) == 1


def test_eml_delivery_interrupted_before_the_file_is_written_is_requeued(
    crm_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    message = _enqueue(crm_url, "LEAD-1:outreach")
    settings = _settings(tmp_path)

    def crash(*_args: object, **_kwargs: object) -> None:
        raise SimulatedCrash

    with monkeypatch.context() as patch:
        patch.setattr(smtp_delivery, "_write_eml", crash)
        with pytest.raises(SimulatedCrash):
            deliver_due(crm_url, settings, now=NOW)

    report = deliver_due(crm_url, settings, now=NOW + timedelta(hours=2))

    assert report.sent == 1 and report.errors[0].outcome == "requeued"
    assert _row(crm_url, message.message_id).status is DeliveryStatus.SENT
    assert len(list((tmp_path / "outbox").rglob("*.eml"))) == 1


# --- settings -----------------------------------------------------------------------------


def test_settings_come_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("QUALIFY_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("QUALIFY_SMTP_HOST", "smtp.northwind.example")
    monkeypatch.setenv("QUALIFY_SMTP_PORT", "465")
    monkeypatch.setenv("QUALIFY_SMTP_SSL", "true")
    monkeypatch.setenv("QUALIFY_SMTP_USERNAME", "alex")
    monkeypatch.setenv("QUALIFY_SMTP_PASSWORD", "s3cret")
    monkeypatch.setenv("QUALIFY_MAILBOXES", "alex@northwind.example, sales@northwind.example")

    settings = MailSettings.from_env()

    assert settings.smtp_host == "smtp.northwind.example" and settings.smtp_port == 465
    assert settings.smtp_ssl and settings.uses_smtp
    assert (
        settings.smtp_password is not None and settings.smtp_password.get_secret_value() == "s3cret"
    )
    assert settings.mailboxes == ["alex@northwind.example", "sales@northwind.example"]
    assert settings.outbox_dir == tmp_path / "home" / "outbox"

    monkeypatch.delenv("QUALIFY_SMTP_HOST")
    monkeypatch.setenv("QUALIFY_OUTBOX_DIR", str(tmp_path / "out"))
    embedded = MailSettings.from_env()
    assert not embedded.uses_smtp and embedded.outbox_dir == tmp_path / "out"

    monkeypatch.setenv("QUALIFY_SMTP_PORT", "smtp")
    with pytest.raises(ValueError, match="QUALIFY_SMTP_PORT"):
        MailSettings.from_env()


def test_settings_reject_what_cannot_work(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="not an email address"):
        MailSettings(outbox_dir=tmp_path, mailboxes=["alex"])
    with pytest.raises(ValueError, match="unknown placeholder"):
        MailSettings(outbox_dir=tmp_path, unsubscribe_url="https://x.example/?u={email}")
    with pytest.raises(ValueError, match="smtp_username and smtp_password"):
        MailSettings(outbox_dir=tmp_path, smtp_username="alex")


def test_build_mime_dates_the_message_at_send_time(crm_url: str, tmp_path: Path) -> None:
    message = _enqueue(crm_url, "LEAD-1:outreach")
    mime = build_mime(message, _settings(tmp_path), now=NOW + timedelta(days=2))
    assert mime["Date"].datetime == NOW + timedelta(days=2)
