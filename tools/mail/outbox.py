"""The email channel, outbound: an outbox in the database, delivered by SMTP or as .eml files.

The engage graph only *enqueues* (one row per idempotency key: thread and step);
`deliver_due` delivers. Each row is marked `sending` and committed before the SMTP
conversation starts, so a crash between the server's "250 OK" and the `sent` commit
leaves evidence: the next run marks the row `unconfirmed` and reports it instead of
sending it a second time. A failed send is retried with backoff and reported, never lost.

The message itself is built in `tools.mail.message`; the transmit step (SMTP or an .eml
file) is `tools.mail.smtp_delivery`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any, Literal, get_args

from pydantic import BaseModel, Field
from sqlalchemy import and_, or_, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from core.clock import as_utc
from core.conversation import MessageKind
from store.conversations import mailbox_sends
from store.crm import Lead
from store.db import session_scope
from store.engagement import (
    Conversation,
    ConversationState,
    DeliveryStatus,
    Direction,
    EmailMessage,
)
from store.leases import this_worker, worker_may_be_working
from tools.mail.lead_stops import company_stop_reason
from tools.mail.message import as_message_id, check_address, message_id_for, thread_references
from tools.mail.settings import MailSettings
from tools.mail.smtp_delivery import (
    OutcomeUnknown,
    SendFailed,
    eml_written_on,
    find_eml,
    transmit,
)

# Minutes to wait before retry n (1-based); the last value repeats.
BACKOFF_MINUTES: tuple[int, ...] = (1, 5, 15, 60, 240)

INTERRUPTED_REASON = (
    "the process stopped during delivery; not resent to avoid a duplicate; "
    "check the mailbox's Sent folder"
)


IssueOutcome = Literal["retry", "failed", "unconfirmed", "suppressed", "recovered", "requeued"]


class DeliveryIssue(BaseModel):
    """One message that was not simply sent in this run, and why."""

    message_id: str
    lead_id: str | None
    to_address: str
    outcome: IssueOutcome
    reason: str
    next_attempt_on: datetime | None = None


class DeliveryReport(BaseModel):
    """What one `deliver_due` run did."""

    sent: int = 0
    failed: int = Field(default=0, description="Given up: permanent error or attempts used up.")
    retried_later: int = 0
    unconfirmed: int = Field(default=0, description="Interrupted mid-send; not resent.")
    capped: int = Field(default=0, description="Left queued: the mailbox's daily cap is reached.")
    suppressed: int = Field(default=0, description="Not sent: opted out or taken over since.")
    recovered: int = Field(default=0, description="Interrupted .eml writes found complete.")
    held: int = Field(default=0, description="Outside the lead's sending window: later.")
    paused: int = Field(default=0, description="Left queued: the mailbox is paused.")
    sent_message_ids: list[str] = Field(default_factory=list)
    errors: list[DeliveryIssue] = Field(default_factory=list)

    def summary(self) -> str:
        """One line for the CLI."""
        return (
            f"{self.sent} sent, {self.retried_later} to retry, {self.failed} failed, "
            f"{self.unconfirmed} unconfirmed, {self.capped} held by the daily cap, "
            f"{self.suppressed} suppressed, {self.held} held for the sending window, "
            f"{self.recovered} recovered"
            + (f", {self.paused} waiting on a paused mailbox" if self.paused else "")
        )


def _find_by_key(session: Session, idempotency_key: str) -> EmailMessage | None:
    statement = select(EmailMessage).where(EmailMessage.idempotency_key == idempotency_key)
    return session.exec(statement).first()


OUTBOX_KINDS = (*get_args(MessageKind), NOTICE_KIND := "notice")
"""What the outbox sends: the agent's and sellers' emails to leads, and notices to users."""


def enqueue_email(
    session: Session,
    *,
    idempotency_key: str,
    lead_id: str | None,
    mailbox: str,
    to_address: str,
    subject: str,
    body: str,
    kind: str,
    in_reply_to: str | None,
    references: list[str],
    now: datetime,
    message_id_domain: str | None = None,
    sent_by: str | None = None,
) -> EmailMessage:
    """Put an email in the outbox once per idempotency key; a repeat returns the first row.

    The caller commits. The Message-ID derives from the key, so two racing inserts agree on it.
    """
    if not idempotency_key.strip():
        raise ValueError(
            "idempotency_key is empty; use the thread id and step, e.g. 'LEAD-1:outreach'"
        )
    existing = _find_by_key(session, idempotency_key)
    if existing is not None:
        return existing
    if kind not in OUTBOX_KINDS:
        raise ValueError(f"kind {kind!r} is not one of {', '.join(OUTBOX_KINDS)}")
    check_address("mailbox", mailbox)
    check_address("to_address", to_address)
    domain = message_id_domain or mailbox.rpartition("@")[2]
    thread = thread_references(in_reply_to, references)
    row = EmailMessage(
        message_id=message_id_for(idempotency_key, domain),
        idempotency_key=idempotency_key,
        lead_id=lead_id,
        direction=Direction.OUTBOUND,
        status=DeliveryStatus.QUEUED,
        mailbox=mailbox,
        from_address=mailbox,
        to_address=to_address.strip(),
        # A line break in a subject would be a header injection; the writer meant a space.
        subject=" ".join(subject.split()),
        body=body,
        in_reply_to=as_message_id(in_reply_to) if in_reply_to else None,
        references=" ".join(thread) or None,
        kind=kind,
        sent_by=sent_by,
        created_on=as_utc(now),
    )
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:
        # Another worker inserted the same key between our read and our insert.
        existing = _find_by_key(session, idempotency_key)
        if existing is None:
            raise
        return existing
    return row


def _backoff(attempts: int) -> timedelta:
    return timedelta(minutes=BACKOFF_MINUTES[min(max(attempts, 1), len(BACKOFF_MINUTES)) - 1])


def _issue(
    row: EmailMessage, outcome: IssueOutcome, reason: str, next_on: datetime | None = None
) -> DeliveryIssue:
    return DeliveryIssue(
        message_id=row.message_id,
        lead_id=row.lead_id,
        to_address=row.to_address,
        outcome=outcome,
        reason=reason,
        next_attempt_on=next_on,
    )


SENDING_STALE_AFTER = timedelta(minutes=10)
"""A send claimed by a process on another machine longer ago than this is taken as
interrupted (longer than any SMTP timeout); on this machine a dead process is seen at once."""


def _sender_may_be_working(row: EmailMessage) -> bool:
    """Whether the worker that claimed this row may still be sending it."""
    if not row.claimed_by:
        return False  # claimed before claims were recorded: an older release's crash
    claimed_on = as_utc(row.claimed_on) if row.claimed_on else None
    return worker_may_be_working(row.claimed_by, claimed_on, stale_after=SENDING_STALE_AFTER)


def _settle_interrupted(database_url: str, settings: MailSettings, report: DeliveryReport) -> None:
    """Rows left in `sending` by a crash: never resend blindly (that would be the duplicate)."""
    with session_scope(database_url) as session:
        statement = select(EmailMessage).where(
            EmailMessage.direction == Direction.OUTBOUND,
            EmailMessage.status == DeliveryStatus.SENDING,
        )
        for row in session.exec(statement).all():
            if _sender_may_be_working(row):
                continue  # another process is sending it right now: not ours to judge
            channel = (row.headers or {}).get("channel", "smtp")
            if channel == "eml":
                # Files are checkable: the atomic rename either happened or it did not.
                path = find_eml(row.message_id, settings)
                if path is None:
                    row.status = DeliveryStatus.QUEUED
                    report.errors.append(
                        _issue(row, "requeued", "interrupted before the .eml file was written")
                    )
                else:
                    row.status = DeliveryStatus.SENT
                    row.sent_on = eml_written_on(path)
                    row.eml_path = str(path)
                    report.recovered += 1
                    report.errors.append(
                        _issue(row, "recovered", f"the .eml file {path} was complete")
                    )
            else:
                row.status = DeliveryStatus.UNCONFIRMED
                row.last_error = INTERRUPTED_REASON
                _hold_for_a_decision(session, row.lead_id, row.message_id)
                report.unconfirmed += 1
                report.errors.append(_issue(row, "unconfirmed", INTERRUPTED_REASON))
            session.add(row)


def _due_ids(database_url: str, now: datetime, max_attempts: int) -> list[int]:
    """Queued rows (unless held for later) and failed rows whose retry time has come."""
    next_on = col(EmailMessage.next_attempt_on)
    with session_scope(database_url) as session:
        statement = (
            select(EmailMessage.id)
            .where(
                EmailMessage.direction == Direction.OUTBOUND,
                or_(
                    and_(
                        EmailMessage.status == DeliveryStatus.QUEUED,
                        or_(next_on.is_(None), next_on <= now),
                    ),
                    and_(
                        EmailMessage.status == DeliveryStatus.FAILED,
                        next_on.is_not(None),
                        next_on <= now,
                        EmailMessage.attempts < max_attempts,
                    ),
                ),
            )
            .order_by(col(EmailMessage.created_on), col(EmailMessage.id))
        )
        return [row_id for row_id in session.exec(statement).all() if row_id is not None]


def _suppression_reason(session: Session, row: EmailMessage) -> str | None:
    """Guardrails re-checked at the last moment: an opt-out may arrive after enqueueing."""
    if row.lead_id is None:
        return None
    lead = session.get(Lead, row.lead_id)
    if lead is None:
        return None
    if lead.do_not_email:
        return f"lead {lead.id} opted out (do_not_email) after the message was queued"
    if lead.do_not_contact:
        return f"lead {lead.id} is marked do_not_contact"
    conversation = session.get(Conversation, row.lead_id)
    # A take-over holds back the agent's emails, never the seller's own.
    if conversation is not None and conversation.taken_over_by and row.sent_by is None:
        return f"seller {conversation.taken_over_by} has taken over lead {lead.id}"
    if row.sent_by is None:
        return company_stop_reason(session, lead)
    return None


def _claim(session: Session, row: EmailMessage, channel: str) -> bool:
    """Mark the row `sending` only if nobody else changed it since we read it."""
    result = session.exec(
        update(EmailMessage)
        .where(
            col(EmailMessage.id) == row.id,
            col(EmailMessage.status) == row.status,
            col(EmailMessage.attempts) == row.attempts,
        )
        .values(
            status=DeliveryStatus.SENDING,
            attempts=row.attempts + 1,
            claimed_by=this_worker(),
            claimed_on=datetime.now(UTC),
            headers={**(row.headers or {}), "channel": channel},
        )
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def _finish(
    database_url: str, row_id: int, *, hold: EmailMessage | None = None, **values: Any
) -> None:
    """Set the outcome of a send; with `hold`, hold its lead's conversation in the same
    transaction."""
    with session_scope(database_url) as session:
        session.exec(
            update(EmailMessage)
            .where(
                col(EmailMessage.id) == row_id,
                # A concurrent sweep may have called it unconfirmed meanwhile; we know better.
                col(EmailMessage.status).in_([DeliveryStatus.SENDING, DeliveryStatus.UNCONFIRMED]),
            )
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        if hold is not None:
            _hold_for_a_decision(session, hold.lead_id, hold.message_id)


def _hold_for_a_decision(session: Session, lead_id: str | None, message_id: str) -> None:
    """Hold the lead's conversation until a person decides on `message_id` (`qualify
    outbox`): the agent never follows up on an email the lead may not have. Held when the
    email is found unconfirmed, not only when a follow-up falls due, so no unconfirmed
    email waits days without a decision being asked for."""
    conversation = session.get(Conversation, lead_id) if lead_id else None
    if conversation is None or conversation.state not in (
        ConversationState.ACTIVE,
        ConversationState.WAITING,
    ):
        return
    conversation.held_for, conversation.next_action_on = message_id, None
    session.add(conversation)


def _record_failure(
    database_url: str,
    row: EmailMessage,
    error: SendFailed,
    attempts: int,
    max_attempts: int,
    now: datetime,
    report: DeliveryReport,
) -> None:
    """Nothing was delivered: retry after a backoff, or give up and say why."""
    assert row.id is not None
    if error.permanent or attempts >= max_attempts:
        reason = (
            error.reason
            if error.permanent
            else f"{error.reason} (gave up after {attempts} attempts)"
        )
        _finish(
            database_url,
            row.id,
            status=DeliveryStatus.FAILED,
            last_error=reason,
            next_attempt_on=None,
        )
        if error.undeliverable:
            record_local_bounce(database_url, row, reason, now)
        report.failed += 1
        report.errors.append(_issue(row, "failed", reason))
        return
    next_on = now + _backoff(attempts)
    _finish(
        database_url,
        row.id,
        status=DeliveryStatus.FAILED,
        last_error=error.reason,
        next_attempt_on=next_on,
    )
    report.retried_later += 1
    report.errors.append(_issue(row, "retry", error.reason, next_on))


def record_local_bounce(
    database_url: str, row: EmailMessage, reason: str, now: datetime
) -> EmailMessage | None:
    """Record a permanent failure to reach the lead as the bounce notice a server would send.

    Without it the lead's thread would wait for a reply to mail that never left and end as
    "no reply after follow-ups"; as an unread inbound bounce (the same facts
    `tools.mail.inbound` records for a real one) it wakes the thread, the reply reader
    reads a bounce, and the `bounced` hand-off rule fires. Once per outbound message.
    """
    if row.lead_id is None:
        return None
    mailbox = row.mailbox or row.from_address
    domain = mailbox.rpartition("@")[2] or "localhost"
    key = f"bounce:{row.message_id}"
    recipient = row.to_address.strip().lower()
    with session_scope(database_url) as session:
        existing = _find_by_key(session, key)
        if existing is not None:
            return existing
        code = re.search(r"\b[245]\.\d{1,3}\.\d{1,3}\b", reason)
        notice = EmailMessage(
            message_id=message_id_for(key, domain),
            idempotency_key=key,
            lead_id=row.lead_id,
            direction=Direction.INBOUND,
            status=DeliveryStatus.RECEIVED,
            from_address=f"mailer-daemon@{domain}",
            to_address=mailbox,
            subject=f"Undeliverable: {row.subject}",
            body=(
                f"Your message to {row.to_address} could not be delivered; it was not sent.\n\n"
                f"Reason: {reason}"
            ),
            in_reply_to=row.message_id,
            references=" ".join(thread_references(row.message_id, (row.references or "").split())),
            created_on=as_utc(now),
            received_on=as_utc(now),
            headers={
                "source": "outbox",
                "matched_by": "bounce",
                "bounce": True,
                "bounced_recipient": recipient,
                "bounced_recipients": [recipient],
                "bounce_status": code.group(0) if code else "5.0.0",
                "bounce_action": "failed",
                "permanent": True,
                "local_failure": True,
                "auto_reply": False,
            },
        )
        try:
            with session.begin_nested():
                session.add(notice)
        except IntegrityError:
            return _find_by_key(session, key)  # another sender recorded it first
        return notice


def deliver_due(
    database_url: str,
    settings: MailSettings,
    *,
    now: datetime,
    daily_cap_per_mailbox: int | Callable[[str], int] | None = None,
    cap_day: tuple[datetime, datetime] | None = None,
    max_attempts: int = 5,
    not_before: Callable[[EmailMessage], datetime | None] | None = None,
    mailbox_hold: Callable[[Session, str], str | None] | None = None,
) -> DeliveryReport:
    """Send every due outbox row once: queued ones, and failed ones whose retry time has come.

    The daily cap counts sends in `cap_day` ([start, end) UTC; default: `now`'s UTC day).

    `not_before(row)` may return the earliest time a row may go (quiet hours and business
    days in the lead's time zone); a later time holds the row until then.

    `daily_cap_per_mailbox` may be a function of the mailbox (a warm-up ramp);
    `mailbox_hold(session, mailbox)` may say why a mailbox sends nothing now (paused):
    its rows stay queued, untouched, for after the resume.
    """
    now = as_utc(now)
    report = DeliveryReport()
    _settle_interrupted(database_url, settings, report)
    channel = "smtp" if settings.uses_smtp else "eml"
    sent_today: dict[str, int] = {}
    holds: dict[str, str | None] = {}
    if cap_day is None:
        day_start = datetime(now.year, now.month, now.day, tzinfo=UTC)
        cap_day = (day_start, day_start + timedelta(days=1))
    for row_id in _due_ids(database_url, now, max_attempts):
        with session_scope(database_url) as session:
            row = session.get(EmailMessage, row_id)
            if row is None or row.status not in (DeliveryStatus.QUEUED, DeliveryStatus.FAILED):
                continue
            suppressed = _suppression_reason(session, row)
            if suppressed is not None:
                row.status, row.next_attempt_on = DeliveryStatus.FAILED, None
                row.last_error = f"not sent: {suppressed}"
                session.add(row)
                report.suppressed += 1
                report.errors.append(_issue(row, "suppressed", row.last_error))
                continue
            earliest = not_before(row) if not_before is not None else None
            if earliest is not None and as_utc(earliest) > now:
                row.next_attempt_on = as_utc(earliest)
                session.add(row)
                report.held += 1
                continue
            mailbox = row.mailbox or row.from_address
            if mailbox_hold is not None and row.kind != NOTICE_KIND:
                if mailbox not in holds:
                    holds[mailbox] = mailbox_hold(session, mailbox)
                if holds[mailbox] is not None:
                    report.paused += 1
                    continue
            cap = (
                daily_cap_per_mailbox(mailbox)
                if callable(daily_cap_per_mailbox)
                else daily_cap_per_mailbox
            )
            if cap is not None:
                if mailbox not in sent_today:
                    sent_today[mailbox] = mailbox_sends(session, mailbox, *cap_day, sent_only=True)
                if sent_today[mailbox] >= cap:
                    report.capped += 1
                    continue
            if not _claim(session, row, channel):
                continue  # Another sender took it.
            attempts = row.attempts + 1
        # Committed as `sending`: from here on a crash can no longer cause a second send.
        try:
            eml_path = transmit(row, settings, now)
        except OutcomeUnknown as exc:
            _finish(
                database_url,
                row_id,
                hold=row,
                status=DeliveryStatus.UNCONFIRMED,
                last_error=str(exc),
            )
            report.unconfirmed += 1
            report.errors.append(_issue(row, "unconfirmed", str(exc)))
            continue
        except SendFailed as exc:
            _record_failure(database_url, row, exc, attempts, max_attempts, now, report)
            continue
        _finish(
            database_url,
            row_id,
            status=DeliveryStatus.SENT,
            sent_on=now,
            eml_path=eml_path,
            last_error=None,
            next_attempt_on=None,
        )
        report.sent += 1
        report.sent_message_ids.append(row.message_id)
        if mailbox in sent_today:
            sent_today[mailbox] += 1
    return report


OutboxDecision = Literal["sent", "resend", "drop"]


def undelivered(database_url: str) -> list[EmailMessage]:
    """Outbound emails a person must decide on: unconfirmed ones (a crash or a lost
    connection after the server had them) and ones that failed for good."""
    with session_scope(database_url) as session:
        return list(
            session.exec(
                select(EmailMessage)
                .where(
                    EmailMessage.direction == Direction.OUTBOUND,
                    or_(
                        EmailMessage.status == DeliveryStatus.UNCONFIRMED,
                        and_(
                            EmailMessage.status == DeliveryStatus.FAILED,
                            col(EmailMessage.next_attempt_on).is_(None),
                        ),
                    ),
                )
                .order_by(col(EmailMessage.created_on))
            ).all()
        )


def decide_undelivered(
    database_url: str,
    message_id: str,
    decision: OutboxDecision,
    *,
    now: datetime,
    by: str | None = None,
) -> EmailMessage:
    """A person's decision on an email not known to have been sent (after checking the
    mailbox's Sent folder): it was `sent`, `resend` it, or `drop` it for good.

    The lead's conversation, held while the email was undecided, goes on: after "sent" and
    "resend" its next step is due again (a follow-up waits for its delay after the real
    send); after "drop" it stops, to be started again with `qualify engage start`.
    """
    with session_scope(database_url) as session:
        row = session.exec(
            select(EmailMessage).where(
                EmailMessage.message_id == as_message_id(message_id),
                EmailMessage.direction == Direction.OUTBOUND,
            )
        ).first()
        if row is None:
            raise ValueError(f"no outbound message with Message-ID {message_id}; check the id")
        final_failure = row.status == DeliveryStatus.FAILED and row.next_attempt_on is None
        if row.status != DeliveryStatus.UNCONFIRMED and not final_failure:
            raise ValueError(
                f"message {row.message_id} is {row.status.value}; only unconfirmed or failed "
                "emails wait for a decision"
            )
        if decision == "sent":
            row.status, row.sent_on, row.last_error = DeliveryStatus.SENT, as_utc(now), None
        elif decision == "resend":
            row.status, row.next_attempt_on, row.last_error = DeliveryStatus.QUEUED, None, None
        else:
            row.status, row.next_attempt_on = DeliveryStatus.FAILED, None
            row.last_error = f"dropped by {by or 'a person'}: never sent"
        session.add(row)
        conversation = session.get(Conversation, row.lead_id) if row.lead_id else None
        if conversation is not None and conversation.held_for in (row.message_id, None):
            conversation.held_for = None
            if decision == "drop":
                conversation.state = ConversationState.STOPPED
                conversation.next_action_on = None
                conversation.stop_reason = (
                    f"email {row.message_id} was dropped unsent; start again with "
                    f"`qualify engage start {row.lead_id}`"
                )
            elif conversation.state in (ConversationState.ACTIVE, ConversationState.WAITING):
                conversation.next_action_on = as_utc(now)
            session.add(conversation)
        session.flush()
        session.expunge(row)
        return row
