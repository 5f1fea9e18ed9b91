"""Addresses with non-ASCII characters (uwe.krüger@...): the outbox sends them with SMTPUTF8
where the server offers it, and a permanent failure to reach the lead reads as a bounce."""

from __future__ import annotations

from datetime import UTC, datetime
from email import message_from_bytes, policy
from pathlib import Path

import pytest
from sqlmodel import select

from core.reply_reading import Intent
from graphs.engage.nodes.reply_reader import _bounce_reading
from store.conversations import leads_with_unread_replies, unread_replies
from store.crm import Lead
from store.db import session_scope
from store.engagement import (
    Conversation,
    ConversationState,
    DeliveryStatus,
    Direction,
    EmailMessage,
)
from tests.smtp_test_server import RecordingHandler, smtp_server
from tools.email_check import check_email
from tools.mail.message import build_mime, envelope_address
from tools.mail.outbox import deliver_due, enqueue_email
from tools.mail.settings import MailSettings

NOW = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)
MAILBOX = "alex@northwind.example"
UWE = "uwe.krüger@beispiel-gmbh.de"


@pytest.fixture
def crm_url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'crm.db'}"
    with session_scope(url) as session:
        session.add(Lead(id="LEAD-1", topic="Planung", first_name="Uwe", email=UWE))
        session.flush()
        # A thread waiting for a reply, as the message writer leaves it.
        session.add(
            Conversation(
                lead_id="LEAD-1",
                thread_id="LEAD-1:engage",
                mailbox=MAILBOX,
                state=ConversationState.WAITING,
            )
        )
    return url


def _enqueue(url: str, to_address: str = UWE) -> EmailMessage:
    with session_scope(url) as session:
        return enqueue_email(
            session,
            idempotency_key="LEAD-1:engage:message:1",
            lead_id="LEAD-1",
            mailbox=MAILBOX,
            to_address=to_address,
            subject="Bestandsplanung bei Krüger Landhandel",
            body="Hallo Herr Krüger,\n\nhätten Sie nächste Woche Zeit?\n\nAlex",
            kind="outreach",
            in_reply_to=None,
            references=[],
            now=NOW,
        )


def _settings(tmp_path: Path, port: int | None = None) -> MailSettings:
    return MailSettings(
        smtp_host="127.0.0.1" if port else None,
        smtp_port=port or 587,
        smtp_starttls=False,
        outbox_dir=tmp_path / "outbox",
        mailboxes=[MAILBOX],
    )


def _rows(url: str, direction: Direction) -> list[EmailMessage]:
    with session_scope(url) as session:
        return list(session.exec(select(EmailMessage).where(EmailMessage.direction == direction)))


def test_the_email_check_accepts_the_address_the_outbox_must_then_send() -> None:
    assert check_email(UWE).is_valid


def test_envelope_address_needs_smtputf8_only_for_a_non_ascii_local_part() -> None:
    assert envelope_address(UWE) == (UWE, True)
    assert envelope_address("info@bücher.de") == ("info@xn--bcher-kva.de", False)
    assert envelope_address("dana@contoso.example") == ("dana@contoso.example", False)


def test_the_message_is_internationalized_only_when_an_address_needs_it(
    crm_url: str, tmp_path: Path
) -> None:
    settings = _settings(tmp_path)
    mime = build_mime(_enqueue(crm_url), settings)
    assert mime.policy.utf8
    raw = mime.as_bytes()
    assert f"To: {UWE}".encode() in raw  # raw UTF-8, RFC 6532
    assert str(message_from_bytes(raw, policy=policy.default)["To"]) == UWE
    ascii_row = EmailMessage(**{**_enqueue(crm_url).model_dump(), "to_address": "uwe@xn.example"})
    assert not build_mime(ascii_row, settings).policy.utf8


def test_smtputf8_server_receives_the_mail(crm_url: str, tmp_path: Path) -> None:
    message = _enqueue(crm_url)
    with smtp_server(smtputf8=True) as server:
        report = deliver_due(crm_url, _settings(tmp_path, server.port), now=NOW)
    assert report.sent == 1, report.errors
    [received] = server.messages
    assert received.rcpt_tos == [UWE]
    assert "SMTPUTF8" in received.mail_options
    assert received.message["Message-ID"] == message.message_id
    assert str(received.message["To"]) == UWE
    assert "Krüger" in received.message.get_content()
    assert _rows(crm_url, Direction.INBOUND) == []


def test_server_without_smtputf8_is_a_permanent_failure_read_as_a_bounce(
    crm_url: str, tmp_path: Path
) -> None:
    message = _enqueue(crm_url)
    with smtp_server() as server:
        settings = _settings(tmp_path, server.port)
        report = deliver_due(crm_url, settings, now=NOW)
        again = deliver_due(crm_url, settings, now=NOW.replace(hour=18))
    assert server.messages == []
    assert (report.sent, report.failed, report.retried_later) == (0, 1, 0)
    assert "does not offer SMTPUTF8" in report.errors[0].reason
    assert UWE in report.errors[0].reason
    assert (again.sent, again.failed, again.retried_later) == (0, 0, 0)
    [outbound] = _rows(crm_url, Direction.OUTBOUND)
    assert (outbound.status, outbound.next_attempt_on) == (DeliveryStatus.FAILED, None)
    # Once, whatever the number of runs: the thread wakes on it like on a server's bounce.
    [notice] = _rows(crm_url, Direction.INBOUND)
    assert notice.status == DeliveryStatus.RECEIVED and notice.lead_id == "LEAD-1"
    assert notice.in_reply_to == message.message_id
    assert notice.headers["bounce"] is True
    assert notice.headers["bounced_recipient"] == UWE
    assert "SMTPUTF8" in notice.body
    with session_scope(crm_url) as session:
        assert leads_with_unread_replies(session) == ["LEAD-1"]
        [unread] = unread_replies(session, "LEAD-1", after_id=None)
    assert _bounce_reading(unread).intent is Intent.BOUNCE


def test_recipient_refused_for_good_is_read_as_a_bounce(crm_url: str, tmp_path: Path) -> None:
    _enqueue(crm_url, to_address="gone@beispiel-gmbh.de")
    handler = RecordingHandler(refuse_recipients={"gone@beispiel-gmbh.de"})
    with smtp_server(handler) as server:
        report = deliver_due(crm_url, _settings(tmp_path, server.port), now=NOW)
    assert report.failed == 1
    [notice] = _rows(crm_url, Direction.INBOUND)
    assert notice.headers["bounce"] and notice.headers["bounce_status"] == "5.1.1"


def test_a_temporary_failure_is_not_a_bounce(crm_url: str, tmp_path: Path) -> None:
    _enqueue(crm_url)
    handler = RecordingHandler(data_reply="451 4.3.0 Try again later")
    with smtp_server(handler, smtputf8=True) as server:
        report = deliver_due(crm_url, _settings(tmp_path, server.port), now=NOW)
    assert report.retried_later == 1
    assert _rows(crm_url, Direction.INBOUND) == []


def test_eml_outbox_writes_the_internationalized_message(crm_url: str, tmp_path: Path) -> None:
    message = _enqueue(crm_url)
    report = deliver_due(crm_url, _settings(tmp_path), now=NOW)
    assert report.sent == 1, report.errors
    [path] = (tmp_path / "outbox").glob("*/*.eml")
    written = message_from_bytes(path.read_bytes(), policy=policy.default)
    assert written["Message-ID"] == message.message_id
    assert str(written["To"]) == UWE
