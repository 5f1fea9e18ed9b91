"""Inbound import: replies matched by headers then sender, bounces through their original,
auto-replies flagged, unmatched mail kept and reported, re-imports skipped."""

from __future__ import annotations

import csv
import mailbox
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlmodel import select

from store.crm import Lead
from store.db import session_scope
from store.engagement import DeliveryStatus, Direction, EmailMessage
from tools.mail.inbound import InboundReport, import_inbound
from tools.mail.inbound_parsing import html_to_text
from tools.mail.outbox import enqueue_email

DATA = Path(__file__).parent / "data" / "inbound"
SISIMAI = Path("/work/shared/data/bounces_autoreplies_sisimai")
NOW = datetime(2025, 3, 10, 12, 0, tzinfo=UTC)
OUTREACH_ID = "<1272956cd22a8969cdfd@northwind.example>"


@pytest.fixture
def crm_url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'crm.db'}"
    with session_scope(url) as session:
        for lead_id, address in (
            ("LEAD-1", "dana@contoso.example"),
            ("LEAD-2", "lee@fabrikam.example"),
            ("LEAD-3", "kijitora@example.net"),
            ("LEAD-4", "kijitora@example.jp"),
        ):
            session.add(Lead(id=lead_id, topic="Analytics", email=address))
        outreach = enqueue_email(
            session,
            idempotency_key="LEAD-1:outreach",
            lead_id="LEAD-1",
            mailbox="alex@northwind.example",
            to_address="dana@contoso.example",
            subject="Faster month-end close at Contoso",
            body="Would a short call next week help?",
            kind="outreach",
            in_reply_to=None,
            references=[],
            now=datetime(2025, 3, 3, 9, 0, tzinfo=UTC),
        )
        assert outreach.message_id == OUTREACH_ID
    return url


def _sent(url: str, lead_id: str, to_address: str, message_id: str) -> None:
    """An outbound message as the outbox leaves it once sent."""
    with session_scope(url) as session:
        session.add(
            EmailMessage(
                message_id=message_id,
                idempotency_key=f"{lead_id}:outreach",
                lead_id=lead_id,
                direction=Direction.OUTBOUND,
                status=DeliveryStatus.SENT,
                mailbox="alex@northwind.example",
                from_address="alex@northwind.example",
                to_address=to_address,
                subject="Hello",
                body="...",
                kind="outreach",
                sent_on=NOW,
            )
        )


def _inbound(url: str) -> list[EmailMessage]:
    with session_scope(url) as session:
        statement = select(EmailMessage).where(EmailMessage.direction == Direction.INBOUND)
        return list(session.exec(statement).all())


def _only(report: InboundReport):  # type: ignore[no-untyped-def]
    assert len(report.items) == 1, report.items
    return report.items[0]


def test_a_reply_is_matched_by_its_threading_headers_even_from_a_colleague(crm_url: str) -> None:
    item = _only(import_inbound(crm_url, [DATA / "reply-threaded.eml"], now=NOW))

    assert (item.outcome, item.lead_id, item.matched_by) == ("matched", "LEAD-1", "headers")
    (row,) = _inbound(crm_url)
    assert row.id == item.row_id
    assert row.status is DeliveryStatus.RECEIVED
    assert row.message_id == "<CAF=reply-threaded-0001@mail.contoso.example>"
    assert row.from_address == "pat.quinn@contoso.example"
    assert row.to_address == "alex@northwind.example"
    assert row.in_reply_to == OUTREACH_ID and row.references == OUTREACH_ID
    assert row.received_on is not None
    assert row.received_on.replace(tzinfo=UTC) == datetime(2025, 3, 4, 15, 12, 9, tzinfo=UTC)
    assert "budget for this is approved for Q2" in row.body
    assert "<p>" not in row.body
    assert row.headers["from_name"] == "Pat Quinn"
    assert row.headers["auto_reply"] is False


def test_a_reply_without_headers_is_matched_by_sender_and_html_becomes_text(crm_url: str) -> None:
    item = _only(import_inbound(crm_url, [DATA / "reply-no-headers.eml"], now=NOW))

    assert (item.outcome, item.lead_id, item.matched_by) == ("matched", "LEAD-2", "sender")
    (row,) = _inbound(crm_url)
    assert row.body == "Hello Alex,\n\nNot right now — please check back in June.\n\nLee"
    assert row.received_on is not None
    assert row.received_on.replace(tzinfo=UTC) == datetime(2025, 3, 5, 13, 30, tzinfo=UTC)


def test_a_shared_address_goes_to_the_lead_we_wrote_to(crm_url: str) -> None:
    with session_scope(crm_url) as session:
        session.add(Lead(id="LEAD-0", topic="Old duplicate", email="Dana@Contoso.example"))
    item = _only(import_inbound(crm_url, [DATA / "no-message-id.eml"], now=NOW))

    assert (item.lead_id, item.matched_by) == ("LEAD-1", "sender")
    assert "2 leads share dana@contoso.example; chose LEAD-1" in (item.reason or "")


def test_unknown_sender_is_kept_as_unmatched_and_reported(crm_url: str) -> None:
    report = import_inbound(crm_url, [DATA / "unknown-sender.eml"], now=NOW)

    item = _only(report)
    assert item.outcome == "unmatched" and item.lead_id is None
    assert "jordan@tailspin.example" in (item.reason or "")
    assert report.items_with("unmatched") == [item]
    assert (report.imported, report.unmatched) == (1, 1)
    assert report.problems() == [
        f"unmatched: {DATA / 'unknown-sender.eml'} (jordan@tailspin.example, 'Partnership idea'): "
        f"{item.reason}"
    ]
    (row,) = _inbound(crm_url)
    assert (row.status, row.lead_id, row.subject) == (
        DeliveryStatus.UNMATCHED,
        None,
        "Partnership idea",
    )


def test_importing_again_finds_duplicates_and_adds_no_rows(crm_url: str) -> None:
    files = [
        DATA / "reply-threaded.eml",
        DATA / "unknown-sender.eml",
        DATA / "no-message-id.eml",
    ]
    first = import_inbound(crm_url, files, now=NOW)
    again = import_inbound(crm_url, files, now=NOW)

    assert first.duplicates == 0 and first.imported == 3
    assert [item.outcome for item in again.items] == ["duplicate"] * 3
    assert again.items[2].message_id == first.items[2].message_id  # derived, stable
    assert len(_inbound(crm_url)) == 3
    assert again.summary() == "0 matched, 0 unmatched, 3 already imported, 0 unreadable"


def test_our_own_sent_message_is_not_imported_as_a_reply(crm_url: str, tmp_path: Path) -> None:
    sent_copy = tmp_path / "sent.eml"
    sent_copy.write_text(
        "From: alex@northwind.example\nTo: dana@contoso.example\nSubject: Hi\n"
        f"Message-ID: {OUTREACH_ID}\n\nHello\n"
    )
    item = _only(import_inbound(crm_url, [sent_copy], now=NOW))
    assert item.outcome == "duplicate" and "our own" in (item.reason or "")
    assert _inbound(crm_url) == []


def test_a_maildir_folder_is_read_without_being_changed(crm_url: str, tmp_path: Path) -> None:
    box = mailbox.Maildir(tmp_path / "Maildir", create=True)
    box.add((DATA / "reply-no-headers.eml").read_bytes())
    seen = mailbox.MaildirMessage((DATA / "unknown-sender.eml").read_bytes())
    seen.set_subdir("cur")
    box.add(seen)
    before = sorted(p.name for p in (tmp_path / "Maildir").rglob("*") if p.is_file())

    report = import_inbound(crm_url, [tmp_path / "Maildir"], now=NOW)

    assert sorted(item.outcome for item in report.items) == ["matched", "unmatched"]
    assert all("maildir message" in item.source for item in report.items)
    assert sorted(p.name for p in (tmp_path / "Maildir").rglob("*") if p.is_file()) == before


def test_a_dsn_bounce_is_matched_through_the_attached_original(crm_url: str) -> None:
    # The sisimai Postfix DSN carries the original message, whose Message-ID we "sent".
    _sent(
        crm_url, "LEAD-3", "kijitora@example.net", "<20140701000000.000000000000@e1.example.ne.jp>"
    )

    item = _only(import_inbound(crm_url, [DATA / "sisimai-lhost-postfix-03.eml"], now=NOW))

    assert (item.outcome, item.lead_id, item.matched_by, item.bounce) == (
        "matched",
        "LEAD-3",
        "bounce",
        True,
    )
    (row,) = _inbound(crm_url)
    assert row.headers["bounce"] is True
    assert row.headers["bounced_recipient"] == "kijitora@example.net"
    assert row.headers["original_message_id"] == "<20140701000000.000000000000@e1.example.ne.jp>"
    assert row.headers["bounce_matched_by"] == "original_message_id"
    assert row.headers["bounce_status"] == "5.0.0"
    assert row.headers["permanent"] is True
    assert row.headers["auto_submitted"] == "auto-replied"
    assert row.headers["auto_reply"] is False
    assert "could not" in row.body and "delivered" in row.body


def test_a_bounce_quoting_the_original_is_matched_and_one_without_it_by_recipient(
    crm_url: str, tmp_path: Path
) -> None:
    # Exim, no DSN: the original is quoted as text; the bounce's From is MAILER-DAEMON.
    _sent(crm_url, "LEAD-4", "kijitora@example.jp", "<E1X58pB-0004bW-2s@marutamachi.example.org>")
    quoted = _only(import_inbound(crm_url, [DATA / "sisimai-lhost-exim-02.eml"], now=NOW))
    assert (quoted.lead_id, quoted.matched_by) == ("LEAD-4", "bounce")
    assert _inbound(crm_url)[0].headers["bounced_recipients"] == [
        "kijitora@example.jp",
        "sabatora@example.jp",
    ]

    # The same bounce with the quoted Message-Id cut: the failed recipient still finds the lead.
    text = (DATA / "sisimai-lhost-exim-02.eml").read_text()
    cut = tmp_path / "cut.eml"
    cut.write_text(
        text.replace("Message-Id: <E1X58pB", "X-Removed: <E1X58pB").replace(
            "<E1X58pT-0004bZ-Co@", "<E1X58pT-0004bZ-XX@"
        )
    )
    by_recipient = _only(import_inbound(crm_url, [cut], now=NOW))
    assert (by_recipient.lead_id, by_recipient.matched_by) == ("LEAD-4", "bounce")
    row = next(r for r in _inbound(crm_url) if r.id == by_recipient.row_id)
    assert row.headers["bounce_matched_by"] == "recipient"
    assert row.headers["original_message_id"] is None


def test_an_out_of_office_reply_is_flagged_for_the_reader(crm_url: str) -> None:
    item = _only(import_inbound(crm_url, [DATA / "sisimai-rfc3834-01.eml"], now=NOW))

    assert (item.lead_id, item.matched_by, item.auto_reply, item.bounce) == (
        "LEAD-3",
        "sender",
        True,
        False,
    )
    (row,) = _inbound(crm_url)
    assert row.headers["auto_submitted"] == "auto-replied"
    assert "bounce" not in row.headers
    assert "returning to the office on May 5th" in row.body


def test_unreadable_inputs_are_reported_and_the_rest_imported(crm_url: str, tmp_path: Path) -> None:
    empty_folder = tmp_path / "empty"
    empty_folder.mkdir()
    folder = tmp_path / "mixed"
    folder.mkdir()
    shutil.copy(DATA / "not-an-email.eml", folder / "a.eml")
    shutil.copy(DATA / "unknown-sender.eml", folder / "b.eml")
    (folder / "c.eml").write_bytes(b"")

    report = import_inbound(crm_url, [tmp_path / "missing.eml", empty_folder, folder], now=NOW)

    reasons = {Path(item.source).name: item.reason for item in report.items_with("unreadable")}
    assert set(reasons) == {"missing.eml", "empty", "a.eml", "c.eml"}
    assert "no such file" in (reasons["missing.eml"] or "")
    assert "not a maildir" in (reasons["empty"] or "")
    assert "not an .eml file" in (reasons["a.eml"] or "")
    assert "empty" in (reasons["c.eml"] or "")
    assert report.unmatched == 1 and len(_inbound(crm_url)) == 1
    assert len(report.problems()) == 5


def test_html_to_text_keeps_words_and_drops_markup() -> None:
    text = html_to_text("<style>x{}</style><p>Budget&nbsp;is <b>approved</b></p><br>Thanks")
    assert text == "Budget is approved\n\nThanks"


@pytest.mark.skipif(not SISIMAI.is_dir(), reason="the sisimai corpus is not on this machine")
def test_bounce_detection_on_the_sisimai_corpus(crm_url: str) -> None:
    """Held-out real bounces: 95 % recognised; auto-replies and plain mail never bounces."""
    labels = {row["file"]: row["reason"] for row in csv.DictReader((SISIMAI / "labels.csv").open())}
    bounces = [
        SISIMAI / "maildir_bsd" / name
        for name, reason in labels.items()
        if reason not in ("vacation", "feedback")
    ]
    not_bounces = sorted((SISIMAI / "maildir_not").glob("*.eml")) + sorted(
        (SISIMAI / "maildir_bsd").glob("rfc3834-*.eml")
    )

    found = import_inbound(crm_url, bounces, now=NOW)
    others = import_inbound(crm_url, not_bounces, now=NOW)

    # The corpus is anonymised and some files share a Message-ID: those import as duplicates.
    judged = [item for item in found.items if item.outcome != "duplicate"]
    assert len(judged) >= 480
    recognised = sum(item.bounce for item in judged)
    assert recognised / len(judged) >= 0.95, f"{recognised} of {len(judged)}"
    assert not any(item.bounce for item in others.items)
    assert sum(item.auto_reply for item in others.items) >= 5
    assert found.unreadable == 0 and others.unreadable == 0


def test_a_huge_reply_is_read_up_to_the_limit_with_a_note(crm_url: str, tmp_path: Path) -> None:
    from email.message import EmailMessage as MimeMessage

    message = MimeMessage()
    message["From"] = "Dana <dana@contoso.example>"
    message["To"] = "alex@northwind.example"
    message["Subject"] = "Re: Faster month-end close at Contoso"
    message["Message-ID"] = "<huge-1@contoso.example>"
    message["In-Reply-To"] = OUTREACH_ID
    filler = "We also paste our whole supplier list below. " * 120_000  # about 5.5 MB
    message.set_content(f"Our budget for this is approved for Q2.\n\n{filler}")
    huge = tmp_path / "huge.eml"
    huge.write_bytes(bytes(message))
    item = _only(import_inbound(crm_url, [huge], now=NOW, max_chars=20_000))
    assert item.outcome == "matched"
    (row,) = _inbound(crm_url)
    assert "budget for this is approved for Q2" in row.body  # the start is read
    assert len(row.body) < 21_000 and "was not read" in row.body and str(huge) in row.body
    assert row.headers["text_cut_from_chars"] > 5_000_000
