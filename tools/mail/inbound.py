"""The email channel, inbound: import .eml files and maildir folders, match each to its lead.

Replies are matched by their threading headers first (In-Reply-To, References against
the Message-IDs we sent), by the sender's address second. Bounces (delivery status
notifications) are matched through the original message they carry. Nothing is dropped:
unmatched mail is stored as `unmatched` and listed in the report. The maildir is only
read, never changed; a second import finds the same Message-IDs and skips them.

Reading each message (its text, headers, bounce and auto-reply facts) is
`tools.mail.inbound_parsing`.
"""

from __future__ import annotations

import mailbox
import re
from collections.abc import Iterator
from datetime import datetime
from email.message import EmailMessage as MimeMessage
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field
from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from core.clock import as_utc
from core.settings import get_settings
from store.crm import Lead, User
from store.db import session_scope
from store.engagement import Conversation, DeliveryStatus, Direction, EmailMessage
from store.seller_inbox import notify
from tools.mail.inbound_parsing import (
    UnreadableMessage,
    automation_headers,
    body_text,
    bounce_facts,
    first_address,
    header_text,
    is_bounce,
    message_id_of,
    message_ids_in,
    original_message_ids,
    parse_message,
    received_on,
    report_text,
    report_type,
)
from tools.mail.lead_stops import stop_company, stop_lead
from tools.mail.unsubscribe_tokens import lead_of_token, unsubscribe_secret
from tools.mail.user_notices import email_notice

MatchedBy = Literal["headers", "sender", "bounce", "complaint", "unsubscribe_token"]


class InboundItem(BaseModel):
    """What happened to one imported message (or one file that could not be read)."""

    source: str = Field(description="The file, or the maildir and message key.")
    outcome: Literal["matched", "unmatched", "duplicate", "unreadable"]
    message_id: str | None = None
    lead_id: str | None = None
    matched_by: MatchedBy | None = None
    row_id: int | None = None
    from_address: str | None = None
    subject: str | None = None
    bounce: bool = False
    auto_reply: bool = False
    reason: str | None = None


class InboundReport(BaseModel):
    """One import: an item per message, in the order they were read."""

    items: list[InboundItem] = Field(default_factory=list)

    def items_with(self, outcome: str) -> list[InboundItem]:
        """The items with this outcome: matched, unmatched, duplicate or unreadable."""
        return [item for item in self.items if item.outcome == outcome]

    @property
    def imported(self) -> int:
        """New messages stored, matched or not."""
        return self.matched + self.unmatched

    @property
    def matched(self) -> int:
        """Stored and attached to a lead."""
        return len(self.items_with("matched"))

    @property
    def unmatched(self) -> int:
        """Stored without a lead: someone should look at these."""
        return len(self.items_with("unmatched"))

    @property
    def duplicates(self) -> int:
        """Already imported (same Message-ID): skipped."""
        return len(self.items_with("duplicate"))

    @property
    def unreadable(self) -> int:
        """Files that are not email, or could not be read."""
        return len(self.items_with("unreadable"))

    def problems(self) -> list[str]:
        """One line per message a person should look at: unmatched or unreadable."""
        return [
            f"{item.outcome}: {item.source}"
            + (f" ({item.from_address}, {item.subject!r})" if item.from_address else "")
            + f": {item.reason}"
            for item in self.items
            if item.outcome in ("unmatched", "unreadable")
        ]

    def summary(self) -> str:
        """One line for the CLI."""
        return (
            f"{self.matched} matched, {self.unmatched} unmatched, "
            f"{self.duplicates} already imported, {self.unreadable} unreadable"
        )


# --- reading sources ----------------------------------------------------------------------


def _is_maildir(folder: Path) -> bool:
    return (folder / "cur").is_dir() or (folder / "new").is_dir()


def _read_file(path: Path) -> Iterator[tuple[str, bytes | None, str | None]]:
    try:
        yield str(path), path.read_bytes(), None
    except OSError as exc:
        yield str(path), None, f"cannot read the file: {exc}"


def _sources(paths: list[Path]) -> Iterator[tuple[str, bytes | None, str | None]]:
    """(label, raw bytes, or the reason there are none) for every message under `paths`."""
    for path in paths:
        if not path.exists():
            yield str(path), None, "no such file or folder; check the path"
        elif path.is_dir() and _is_maildir(path):
            box = mailbox.Maildir(path, factory=None, create=False)
            for key in sorted(box.keys()):
                label = f"{path} (maildir message {key})"
                try:
                    yield label, box.get_bytes(key), None
                except (OSError, KeyError) as exc:
                    yield label, None, f"cannot read the maildir message: {exc}"
        elif path.is_dir():
            files = sorted(p for p in path.rglob("*.eml") if p.is_file())
            if not files:
                yield str(path), None, "no .eml files here, and no cur/ or new/ (not a maildir)"
            for file in files:
                yield from _read_file(file)
        else:
            yield from _read_file(path)


# --- matching -----------------------------------------------------------------------------


def _lead_by_message_ids(session: Session, ids: list[str]) -> str | None:
    """The lead of the first id (in the order given) that is one of our recorded messages."""
    if not ids:
        return None
    rows = session.exec(
        select(EmailMessage.message_id, EmailMessage.lead_id, EmailMessage.direction).where(
            col(EmailMessage.message_id).in_(ids),
            col(EmailMessage.lead_id).is_not(None),
        )
    ).all()
    leads: dict[str, str] = {}
    # Outbound first: our own message is the surest anchor of a thread.
    for message_id, lead_id, _direction in sorted(rows, key=lambda r: r[2] != Direction.OUTBOUND):
        leads.setdefault(message_id, lead_id)
    return next((leads[mid] for mid in ids if mid in leads), None)


def _lead_by_address(session: Session, address: str) -> tuple[str | None, str | None]:
    """(lead id, note) for a sender; several leads share it → the one we last wrote to."""
    if not address:
        return None, None
    lead_ids = sorted(
        session.exec(select(Lead.id).where(func.lower(Lead.email) == address.lower())).all()
    )
    if len(lead_ids) <= 1:
        return (lead_ids[0] if lead_ids else None), None
    written = session.exec(
        select(EmailMessage.lead_id, func.max(EmailMessage.created_on))
        .where(
            col(EmailMessage.lead_id).in_(lead_ids),
            EmailMessage.direction == Direction.OUTBOUND,
        )
        .group_by(EmailMessage.lead_id)
    ).all()
    if written:
        chosen = max(written, key=lambda row: row[1])[0]
        return chosen, f"{len(lead_ids)} leads share {address}; chose {chosen}, last written to"
    return lead_ids[
        0
    ], f"{len(lead_ids)} leads share {address}, none written to; chose {lead_ids[0]}"


def _lead_by_recipient(session: Session, address: str) -> str | None:
    """For a bounce without its original: the lead we last sent to at that address."""
    if not address:
        return None
    row = session.exec(
        select(EmailMessage.lead_id)
        .where(
            func.lower(EmailMessage.to_address) == address.lower(),
            EmailMessage.direction == Direction.OUTBOUND,
            col(EmailMessage.lead_id).is_not(None),
        )
        .order_by(col(EmailMessage.created_on).desc())
    ).first()
    return row if row is not None else _lead_by_address(session, address)[0]


# --- import -------------------------------------------------------------------------------


class _Match(BaseModel):
    """Which lead a message belongs to, how we know, and the facts found on the way."""

    lead_id: str | None = None
    matched_by: MatchedBy | None = None
    note: str | None = None
    facts: dict[str, Any] = Field(default_factory=dict)


def _match_report(
    session: Session, message: MimeMessage, thread_ids: list[str], bounce: bool
) -> _Match:
    """A bounce or complaint belongs to the lead of the message it reports on, never its sender."""
    text = report_text(message) or body_text(message)
    originals = original_message_ids(message, text)
    facts: dict[str, Any] = {"original_message_id": originals[0] if originals else None}
    facts |= bounce_facts(message, text) if bounce else {"complaint": True}
    kind: MatchedBy = "bounce" if bounce else "complaint"
    lead_id = _lead_by_message_ids(session, [*thread_ids, *originals])
    if lead_id is not None:
        return _Match(
            lead_id=lead_id,
            matched_by=kind,
            facts=facts | {f"{kind}_matched_by": "original_message_id"},
        )
    # No original to go by: whom we sent to. Named recipients first, then any address quoted.
    candidates = [*facts.get("bounced_recipients", []), *facts.get("addresses_in_report", [])]
    for address in dict.fromkeys(candidates):
        lead_id = _lead_by_recipient(session, address)
        if lead_id is not None:
            return _Match(
                lead_id=lead_id, matched_by=kind, facts=facts | {f"{kind}_matched_by": "recipient"}
            )
    return _Match(facts=facts)


def _match_reply(session: Session, thread_ids: list[str], sender: str) -> _Match:
    """Threading headers first (they survive a colleague answering), the sender second."""
    lead_id = _lead_by_message_ids(session, thread_ids)
    if lead_id is not None:
        return _Match(lead_id=lead_id, matched_by="headers")
    lead_id, note = _lead_by_address(session, sender)
    return _Match(lead_id=lead_id, matched_by="sender" if lead_id else None, note=note)


def readable_part(text: str, limit: int, source: str) -> tuple[str, int | None]:
    """The text the agent reads: all of it, or its first `limit` characters and a note;
    with the length it had when cut."""
    if len(text) <= limit:
        return text, None
    note = (
        f"\n\n[The rest of this message ({len(text) - limit:,} characters) was not read: "
        f"it is over the {limit:,}-character limit. The whole message is in {source}.]"
    )
    return text[:limit] + note, len(text)


def _import_one(
    database_url: str,
    source: str,
    raw: bytes,
    now: datetime,
    limit: int,
    *,
    secret: bytes,
    company_wide_stop: bool,
) -> InboundItem:
    message = parse_message(raw)
    message_id = message_id_of(message, raw)
    sender, sender_name = first_address(message, "From")
    recipient, _ = first_address(message, "To")
    subject = " ".join(header_text(message, "Subject").split())
    item = InboundItem(
        source=source,
        outcome="unmatched",
        message_id=message_id,
        from_address=sender or None,
        subject=subject,
    )
    in_reply_to = next(iter(message_ids_in(header_text(message, "In-Reply-To"))), None)
    references = message_ids_in(header_text(message, "References"))
    thread_ids = [*([in_reply_to] if in_reply_to else []), *reversed(references)]

    with session_scope(database_url) as session:
        existing = session.exec(
            select(EmailMessage.direction).where(EmailMessage.message_id == message_id)
        ).first()
        if existing is not None:
            item.outcome = "duplicate"
            item.reason = (
                "already imported"
                if existing == Direction.INBOUND
                else "this is one of our own sent messages"
            )
            return item

        bounce = is_bounce(message, subject)
        if bounce or report_type(message) == "feedback-report":
            match = _match_report(session, message, thread_ids, bounce)
        else:
            match = _match_reply(session, thread_ids, sender)
        stop = _stop_at_once(session, match, subject, secret)
        if stop is not None and match.lead_id != stop[0]:
            # The mailto's token names the lead, whichever address the client sent from.
            match = _Match(lead_id=stop[0], matched_by="unsubscribe_token", facts=match.facts)
        headers: dict[str, Any] = {"source": source, "matched_by": match.matched_by}
        if sender_name:
            headers["from_name"] = sender_name
        if match.note:
            headers["match_note"] = match.note
        headers |= automation_headers(message, subject, bounce) | match.facts
        body, full_length = readable_part(body_text(message), limit, source)
        if full_length is not None:
            headers["text_cut_from_chars"] = full_length

        row = EmailMessage(
            message_id=message_id,
            idempotency_key=f"inbound:{message_id}",
            lead_id=match.lead_id,
            direction=Direction.INBOUND,
            status=DeliveryStatus.RECEIVED if match.lead_id else DeliveryStatus.UNMATCHED,
            from_address=sender or "(no sender)",
            to_address=recipient,
            subject=subject,
            body=body,
            in_reply_to=in_reply_to,
            references=" ".join(references) or None,
            created_on=as_utc(now),
            received_on=received_on(message, now),
            headers=headers,
        )
        try:
            with session.begin_nested():
                session.add(row)
        except IntegrityError:
            item.outcome, item.reason = "duplicate", "imported at the same time by another run"
            return item
        if match.lead_id and not bounce and not headers.get("auto_reply"):
            _tell_the_seller(session, match.lead_id, message_id, sender, subject, now)
        if stop is not None:
            lead_id, reason = stop
            if stop_lead(session, lead_id, reason) and company_wide_stop:
                lead = session.get(Lead, lead_id)
                if lead is not None:
                    stop_company(session, lead, reason, now)

    item.row_id = row.id
    item.lead_id, item.matched_by = match.lead_id, match.matched_by
    item.bounce, item.auto_reply = bounce, bool(headers.get("auto_reply"))
    item.outcome = "matched" if match.lead_id else "unmatched"
    item.reason = match.note or (
        None
        if match.lead_id
        else "no threading header points to our messages and no lead has the address "
        f"{sender or '(none)'}; attach it to a lead or ignore it"
    )
    return item


_UNSUBSCRIBE_SUBJECT = re.compile(r"^\s*unsubscribe\b\s*(\S*)", re.IGNORECASE)


def _stop_at_once(
    session: Session, match: _Match, subject: str, secret: bytes
) -> tuple[str, str] | None:
    """(lead, reason) when the message must stop its lead before any run reads it: a spam
    complaint (ARF), or the List-Unsubscribe mailto (its subject carries the lead's token)."""
    if match.lead_id and match.facts.get("complaint"):
        return match.lead_id, "the lead reported our email as spam (feedback report)"
    found = _UNSUBSCRIBE_SUBJECT.match(subject)
    if found is None:
        return None
    token_lead = lead_of_token(found.group(1), secret) if found.group(1) else None
    if token_lead is not None and session.get(Lead, token_lead) is not None:
        return token_lead, "the lead unsubscribed (List-Unsubscribe mailto)"
    if match.lead_id and match.matched_by in ("headers", "sender") and not found.group(1):
        return match.lead_id, "the lead unsubscribed (List-Unsubscribe mailto)"
    return None


def _tell_the_seller(
    session: Session, lead_id: str, message_id: str, sender: str, subject: str, now: datetime
) -> None:
    """A reply on a conversation a seller took over goes to that seller's queue: the
    agent no longer reads it for them."""
    conversation = session.get(Conversation, lead_id)
    seller = conversation.taken_over_by if conversation is not None else None
    if not seller or session.get(User, seller) is None:
        return
    notice = notify(
        session,
        user_id=seller,
        lead_id=lead_id,
        kind="reply",
        text=f"{sender or 'the lead'} replied on {lead_id}: {subject or '(no subject)'}",
        key=f"reply:{message_id}",
        now=now,
    )
    email_notice(session, notice, now)


def import_message(
    database_url: str,
    source: str,
    raw: bytes,
    *,
    now: datetime,
    max_chars: int | None = None,
    company_wide_stop: bool = True,
    signing_secret: bytes | None = None,
) -> InboundItem:
    """Import one raw RFC 822 message (a file's bytes, a webhook's body) as `import_inbound`
    does each file: matched to its lead, stored once per Message-ID, a message that cannot
    be parsed reported `unreadable`."""
    limit = max_chars if max_chars is not None else get_settings().max_reply_chars
    secret = signing_secret if signing_secret is not None else unsubscribe_secret()
    try:
        return _import_one(
            database_url,
            source,
            raw,
            now,
            limit,
            secret=secret,
            company_wide_stop=company_wide_stop,
        )
    except UnreadableMessage as exc:
        return InboundItem(source=source, outcome="unreadable", reason=str(exc))
    except (ValueError, TypeError, IndexError, LookupError, AttributeError) as exc:
        # The stdlib parser is lenient, but some malformed headers still raise.
        return InboundItem(
            source=source, outcome="unreadable", reason=f"cannot parse the message: {exc!r}"
        )


def import_inbound(
    database_url: str,
    paths: list[Path],
    *,
    now: datetime,
    max_chars: int | None = None,
    company_wide_stop: bool = True,
    signing_secret: bytes | None = None,
) -> InboundReport:
    """Import .eml files, folders of them, and maildir folders; report every message.

    A message's text beyond `max_chars` (default: the `max_reply_chars` setting) is cut
    with a note: a 5 MB reply must not slow every later step of its lead. A spam complaint
    or a List-Unsubscribe mailto stops its lead at once (and, with `company_wide_stop`,
    the agent's email to its company). `signing_secret` checks unsubscribe tokens
    (default: the home's; a simulation brings its own).
    """
    report = InboundReport()
    limit = max_chars if max_chars is not None else get_settings().max_reply_chars
    secret = signing_secret if signing_secret is not None else unsubscribe_secret()
    for source, raw, problem in _sources(paths):
        if raw is None:
            report.items.append(InboundItem(source=source, outcome="unreadable", reason=problem))
            continue
        report.items.append(
            import_message(
                database_url,
                source,
                raw,
                now=now,
                max_chars=limit,
                company_wide_stop=company_wide_stop,
                signing_secret=secret,
            )
        )
    return report
