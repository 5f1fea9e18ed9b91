"""The email channel, inbound: import .eml files and maildir folders, match each to its lead.

Replies are matched by their threading headers first (In-Reply-To, References against
the Message-IDs we sent), by the sender's address second. Bounces (delivery status
notifications) are matched through the original message they carry. Nothing is dropped:
unmatched mail is stored as `unmatched` and listed in the report. The maildir is only
read, never changed; a second import finds the same Message-IDs and skips them.
"""

from __future__ import annotations

import hashlib
import mailbox
import re
from collections.abc import Iterator
from datetime import datetime
from email import message_from_bytes, policy
from email.message import EmailMessage as MimeMessage
from email.message import Message
from email.parser import HeaderParser
from email.utils import getaddresses
from html import unescape
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field
from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from core.clock import as_utc
from store.crm import Lead
from store.db import session_scope
from store.engagement import DeliveryStatus, Direction, EmailMessage

MatchedBy = Literal["headers", "sender", "bounce", "complaint"]

_MESSAGE_ID = re.compile(r"<[^<>\s]+>")
_QUOTED_MESSAGE_ID = re.compile(r"^[ \t>]*Message-I[Dd][ \t]*:[ \t]*(<[^<>\s]+>)", re.MULTILINE)
_DSN_RECIPIENT = re.compile(
    r"^[ \t]*(Original|Final)-Recipient[ \t]*:[ \t]*(?:rfc822[ \t]*;)?[ \t]*"
    r"<?([^\s<>;]+@[^\s<>;]+)>?",
    re.MULTILINE | re.IGNORECASE,
)
_DSN_STATUS = re.compile(
    r"^[ \t]*Status[ \t]*:[ \t]*([245]\.\d{1,3}\.\d{1,3})", re.MULTILINE | re.I
)
_DSN_ACTION = re.compile(r"^[ \t]*Action[ \t]*:[ \t]*([a-z]+)", re.MULTILINE | re.IGNORECASE)
_ENHANCED_CODE = re.compile(r"\b([45]\.\d{1,3}\.\d{1,3})\b")
_DAEMON = re.compile(
    r"mailer-daemon|mailerdaemon|mail-daemon|postmaster|mdaemon|mail delivery (system|subsystem)",
    re.IGNORECASE,
)
_QUOTED_TO = re.compile(r"^[ \t>]*To[ \t]*:[ \t]*(.+)$", re.MULTILINE)
_ANY_ADDRESS = re.compile(r"[A-Za-z0-9._%+'-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
_BOUNCE_SUBJECT = re.compile(
    r"undeliver|not delivered|delivery status notification|returned mail|returning message|"
    r"mail delivery (failed|failure|subsystem|system)|delivery fail|failure notice|"
    r"could not be delivered|returned to sender|non-?deliver|delivery has failed|"
    r"delivery problem|rejected|mail system error|fail(ed|ure)|delayed|error sending|"
    r"delivery status",
    re.IGNORECASE,
)
_AUTO_REPLY_SUBJECT = re.compile(
    r"^\s*(automatic reply|auto[- ]?reply|autoreply|auto:|out of (the )?office|"
    r"abwesenheit|réponse automatique|respuesta automática|on vacation|away from)",
    re.IGNORECASE,
)
_ORIGINAL_PARTS = ("message/rfc822", "text/rfc822-headers", "message/rfc822-headers")


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


class _Unreadable(Exception):
    """This file is not an email we can read."""


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


# --- reading one message ------------------------------------------------------------------


class _TextFromHtml(HTMLParser):
    """Rough HTML to text: drop scripts and styles, break lines at blocks."""

    _BLOCKS = frozenset({"p", "div", "br", "tr", "li", "h1", "h2", "h3", "h4", "blockquote"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style", "head"):
            self._skipping += 1
        elif tag in self._BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "head"):
            self._skipping = max(0, self._skipping - 1)
        elif tag in self._BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self.parts.append(data)


def html_to_text(html: str) -> str:
    """The readable text of an HTML body, roughly."""
    parser = _TextFromHtml()
    parser.feed(html)
    parser.close()
    lines = (" ".join(line.split()) for line in unescape("".join(parser.parts)).splitlines())
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def _part_text(part: Message) -> str:
    try:
        content = part.get_content()  # type: ignore[attr-defined]
        if isinstance(content, str):
            return content
    except (LookupError, ValueError, AttributeError):
        pass  # Unknown charset or broken encoding: decode by hand below.
    payload = part.get_payload(decode=True)
    return payload.decode("utf-8", "replace") if isinstance(payload, bytes) else ""


def _body_text(message: MimeMessage) -> str:
    part = message.get_body(preferencelist=("plain", "html"))
    if part is None:
        return ""
    text = _part_text(part)
    if part.get_content_type() == "text/html":
        return html_to_text(text)
    return text.strip()


def _header(message: Message, name: str) -> str:
    try:
        value = message.get(name)
    except (IndexError, ValueError, TypeError):  # Malformed header the parser chokes on.
        value = None
    return str(value).strip() if value is not None else ""


def _first_address(message: Message, name: str) -> tuple[str, str]:
    """(address, display name) of the first address in a header."""
    pairs = getaddresses([_header(message, name)])
    for display, address in pairs:
        if "@" in address:
            return address.strip(), display.strip()
    return "", ""


def _message_ids(value: str) -> list[str]:
    return _MESSAGE_ID.findall(value)


def _message_id(message: Message, raw: bytes) -> str:
    found = _message_ids(_header(message, "Message-ID"))
    if found:
        return found[0]
    # No Message-ID: derive one from the bytes, so that a re-import is still a duplicate.
    return f"<{hashlib.sha1(raw).hexdigest()[:24]}@no-message-id.invalid>"


def _received_on(message: Message, now: datetime) -> datetime:
    try:
        header = message.get("Date")
        stamp = getattr(header, "datetime", None)
    except (IndexError, ValueError, TypeError):
        stamp = None
    return as_utc(stamp) if isinstance(stamp, datetime) else as_utc(now)


def _parse(raw: bytes) -> MimeMessage:
    if not raw.strip():
        raise _Unreadable("the file is empty")
    message = message_from_bytes(raw, policy=policy.default)
    if not any(_header(message, name) for name in ("From", "Date", "Message-ID", "Subject")):
        raise _Unreadable("no email headers (From, Date, Message-ID, Subject): not an .eml file")
    return message  # type: ignore[return-value]


# --- bounces and auto-replies -------------------------------------------------------------


def _report_type(message: Message) -> str:
    if message.get_content_type() != "multipart/report":
        return ""
    return str(message.get_param("report-type") or "").lower()


def _parts(message: Message, *types: str) -> list[Message]:
    return [part for part in message.walk() if part.get_content_type() in types]


def _report_text(message: Message) -> str:
    """Every part a bounce may keep its facts in, as text (top-level headers excluded)."""
    chunks: list[str] = []
    for part in message.walk():
        ctype = part.get_content_type()
        if part.is_multipart() and ctype not in ("message/delivery-status", *_ORIGINAL_PARTS):
            continue
        payload = part.get_payload()
        if isinstance(payload, list):  # message/* parts hold parsed blocks.
            chunks.extend(block.as_string() for block in payload if isinstance(block, Message))
        elif ctype.startswith("text/") or ctype == "message/delivery-status":
            chunks.append(_part_text(part))
    return "\n".join(chunks)


def _original_message_ids(message: Message, text: str) -> list[str]:
    """Message-IDs of the message that bounced: attached, attached headers, or quoted."""
    found: list[str] = []
    for part in _parts(message, *_ORIGINAL_PARTS):
        payload = part.get_payload()
        if isinstance(payload, list):
            found += [
                mid for block in payload for mid in _message_ids(_header(block, "Message-ID"))
            ]
        else:
            headers = HeaderParser().parsestr(_part_text(part), headersonly=True)
            found += _message_ids(_header(headers, "Message-ID"))
    found += _QUOTED_MESSAGE_ID.findall(text)
    own = set(_message_ids(_header(message, "Message-ID")))
    return [mid for i, mid in enumerate(found) if mid not in own and mid not in found[:i]]


def _is_bounce(message: Message, subject: str) -> bool:
    if _report_type(message) == "delivery-status" or _header(message, "X-Failed-Recipients"):
        return True
    # The whole From header: "MAILER-DAEMON <>" has no address to look at.
    daemon = bool(_DAEMON.search(_header(message, "From")))
    null_sender = _header(message, "Return-Path") in ("<>", "")
    carries_original = bool(_parts(message, *_ORIGINAL_PARTS, "message/delivery-status"))
    if not _BOUNCE_SUBJECT.search(subject):
        return daemon and carries_original
    return daemon or carries_original or null_sender


def _bounce_facts(message: Message, text: str) -> dict[str, Any]:
    """Who bounced, how hard, and which of our messages it was."""
    recipients: list[str] = []
    for kind in ("original", "final"):
        recipients += [
            address.lower()
            for label, address in _DSN_RECIPIENT.findall(text)
            if label.lower() == kind and address.lower() not in recipients
        ]
    failed_header = [
        a.lower() for _, a in getaddresses([_header(message, "X-Failed-Recipients")]) if a
    ]
    recipients += [a for a in failed_header if a not in recipients]
    if not recipients:
        # The message that bounced says whom it was for.
        original_to = [
            _header(block, "To")
            for part in _parts(message, *_ORIGINAL_PARTS)
            for block in (part.get_payload() if isinstance(part.get_payload(), list) else [])
        ] + _QUOTED_TO.findall(text)
        recipients += [
            a.lower()
            for _, a in getaddresses(original_to)
            if "@" in a and a.lower() not in recipients
        ]
    status_match = _DSN_STATUS.search(text) or _ENHANCED_CODE.search(text)
    action_match = _DSN_ACTION.search(text)
    status = status_match.group(1) if status_match else None
    action = action_match.group(1).lower() if action_match else None
    permanent = None
    if action == "delayed" or (status or "").startswith("4"):
        permanent = False
    elif action == "failed" or (status or "").startswith("5"):
        permanent = True
    return {
        "bounce": True,
        "bounced_recipient": recipients[0] if recipients else None,
        "bounced_recipients": recipients,
        "bounce_status": status,
        "bounce_action": action,
        "permanent": permanent,
        # Every address in the report: a last resort for matching against what we sent.
        "addresses_in_report": sorted({a.lower() for a in _ANY_ADDRESS.findall(text)}),
    }


def _automation_headers(message: Message, subject: str, bounce: bool) -> dict[str, Any]:
    """Auto-Submitted / X-Autoreply / Precedence, kept for the reply reader (RFC 3834)."""
    facts: dict[str, Any] = {}
    for name, key in (
        ("Auto-Submitted", "auto_submitted"),
        ("X-Autoreply", "x_autoreply"),
        ("X-Autorespond", "x_autorespond"),
        ("Precedence", "precedence"),
    ):
        value = _header(message, name)
        if value:
            facts[key] = value
    auto_submitted = facts.get("auto_submitted", "").lower()
    facts["auto_reply"] = not bounce and bool(
        (auto_submitted and not auto_submitted.startswith("no"))
        or "x_autoreply" in facts
        or "x_autorespond" in facts
        or facts.get("precedence", "").lower() == "auto_reply"
        or _AUTO_REPLY_SUBJECT.search(subject)
    )
    return facts


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
    text = _report_text(message) or _body_text(message)
    originals = _original_message_ids(message, text)
    facts: dict[str, Any] = {"original_message_id": originals[0] if originals else None}
    facts |= _bounce_facts(message, text) if bounce else {"complaint": True}
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


def _import_one(database_url: str, source: str, raw: bytes, now: datetime) -> InboundItem:
    message = _parse(raw)
    message_id = _message_id(message, raw)
    sender, sender_name = _first_address(message, "From")
    recipient, _ = _first_address(message, "To")
    subject = " ".join(_header(message, "Subject").split())
    item = InboundItem(
        source=source,
        outcome="unmatched",
        message_id=message_id,
        from_address=sender or None,
        subject=subject,
    )
    in_reply_to = next(iter(_message_ids(_header(message, "In-Reply-To"))), None)
    references = _message_ids(_header(message, "References"))
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

        bounce = _is_bounce(message, subject)
        if bounce or _report_type(message) == "feedback-report":
            match = _match_report(session, message, thread_ids, bounce)
        else:
            match = _match_reply(session, thread_ids, sender)
        headers: dict[str, Any] = {"source": source, "matched_by": match.matched_by}
        if sender_name:
            headers["from_name"] = sender_name
        if match.note:
            headers["match_note"] = match.note
        headers |= _automation_headers(message, subject, bounce) | match.facts

        row = EmailMessage(
            message_id=message_id,
            idempotency_key=f"inbound:{message_id}",
            lead_id=match.lead_id,
            direction=Direction.INBOUND,
            status=DeliveryStatus.RECEIVED if match.lead_id else DeliveryStatus.UNMATCHED,
            from_address=sender or "(no sender)",
            to_address=recipient,
            subject=subject,
            body=_body_text(message),
            in_reply_to=in_reply_to,
            references=" ".join(references) or None,
            created_on=as_utc(now),
            received_on=_received_on(message, now),
            headers=headers,
        )
        try:
            with session.begin_nested():
                session.add(row)
        except IntegrityError:
            item.outcome, item.reason = "duplicate", "imported at the same time by another run"
            return item

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


def import_inbound(database_url: str, paths: list[Path], *, now: datetime) -> InboundReport:
    """Import .eml files, folders of them, and maildir folders; report every message."""
    report = InboundReport()
    for source, raw, problem in _sources(paths):
        if raw is None:
            report.items.append(InboundItem(source=source, outcome="unreadable", reason=problem))
            continue
        try:
            report.items.append(_import_one(database_url, source, raw, now))
        except _Unreadable as exc:
            report.items.append(InboundItem(source=source, outcome="unreadable", reason=str(exc)))
        except (ValueError, TypeError, IndexError, LookupError, AttributeError) as exc:
            # The stdlib parser is lenient, but some malformed headers still raise.
            report.items.append(
                InboundItem(
                    source=source, outcome="unreadable", reason=f"cannot parse the message: {exc!r}"
                )
            )
    return report
