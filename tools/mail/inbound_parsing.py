"""Reading one inbound message: its headers, its text, and whether it is a bounce or an auto-reply.

The facts found here (threading ids, the bounced recipient and status, RFC 3834 automation
headers) are what `tools.mail.inbound` matches a message to its lead with, and what it
stores for the reply reader.
"""

from __future__ import annotations

import hashlib
import re
from datetime import datetime
from email import message_from_bytes, policy
from email.message import EmailMessage as MimeMessage
from email.message import Message
from email.parser import HeaderParser
from email.utils import getaddresses
from html import unescape
from html.parser import HTMLParser
from typing import Any

from core.clock import as_utc

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


class UnreadableMessage(Exception):
    """This file is not an email we can read."""


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


def body_text(message: MimeMessage) -> str:
    part = message.get_body(preferencelist=("plain", "html"))
    if part is None:
        return ""
    text = _part_text(part)
    if part.get_content_type() == "text/html":
        return html_to_text(text)
    return text.strip()


def header_text(message: Message, name: str) -> str:
    try:
        value = message.get(name)
    except (IndexError, ValueError, TypeError):  # Malformed header the parser chokes on.
        value = None
    return str(value).strip() if value is not None else ""


def first_address(message: Message, name: str) -> tuple[str, str]:
    """(address, display name) of the first address in a header."""
    pairs = getaddresses([header_text(message, name)])
    for display, address in pairs:
        if "@" in address:
            return address.strip(), display.strip()
    return "", ""


def message_ids_in(value: str) -> list[str]:
    return _MESSAGE_ID.findall(value)


def message_id_of(message: Message, raw: bytes) -> str:
    found = message_ids_in(header_text(message, "Message-ID"))
    if found:
        return found[0]
    # No Message-ID: derive one from the bytes, so that a re-import is still a duplicate.
    return f"<{hashlib.sha1(raw).hexdigest()[:24]}@no-message-id.invalid>"


def received_on(message: Message, now: datetime) -> datetime:
    try:
        header = message.get("Date")
        stamp = getattr(header, "datetime", None)
    except (IndexError, ValueError, TypeError):
        stamp = None
    return as_utc(stamp) if isinstance(stamp, datetime) else as_utc(now)


def parse_message(raw: bytes) -> MimeMessage:
    if not raw.strip():
        raise UnreadableMessage("the file is empty")
    message = message_from_bytes(raw, policy=policy.default)
    if not any(header_text(message, name) for name in ("From", "Date", "Message-ID", "Subject")):
        raise UnreadableMessage(
            "no email headers (From, Date, Message-ID, Subject): not an .eml file"
        )
    return message  # type: ignore[return-value]


# --- bounces and auto-replies -------------------------------------------------------------


def report_type(message: Message) -> str:
    if message.get_content_type() != "multipart/report":
        return ""
    return str(message.get_param("report-type") or "").lower()


def _parts(message: Message, *types: str) -> list[Message]:
    return [part for part in message.walk() if part.get_content_type() in types]


def report_text(message: Message) -> str:
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


def original_message_ids(message: Message, text: str) -> list[str]:
    """Message-IDs of the message that bounced: attached, attached headers, or quoted."""
    found: list[str] = []
    for part in _parts(message, *_ORIGINAL_PARTS):
        payload = part.get_payload()
        if isinstance(payload, list):
            found += [
                mid for block in payload for mid in message_ids_in(header_text(block, "Message-ID"))
            ]
        else:
            headers = HeaderParser().parsestr(_part_text(part), headersonly=True)
            found += message_ids_in(header_text(headers, "Message-ID"))
    found += _QUOTED_MESSAGE_ID.findall(text)
    own = set(message_ids_in(header_text(message, "Message-ID")))
    return [mid for i, mid in enumerate(found) if mid not in own and mid not in found[:i]]


def is_bounce(message: Message, subject: str) -> bool:
    if report_type(message) == "delivery-status" or header_text(message, "X-Failed-Recipients"):
        return True
    # The whole From header: "MAILER-DAEMON <>" has no address to look at.
    daemon = bool(_DAEMON.search(header_text(message, "From")))
    null_sender = header_text(message, "Return-Path") in ("<>", "")
    carries_original = bool(_parts(message, *_ORIGINAL_PARTS, "message/delivery-status"))
    if not _BOUNCE_SUBJECT.search(subject):
        return daemon and carries_original
    return daemon or carries_original or null_sender


def bounce_facts(message: Message, text: str) -> dict[str, Any]:
    """Who bounced, how hard, and which of our messages it was."""
    recipients: list[str] = []
    for kind in ("original", "final"):
        recipients += [
            address.lower()
            for label, address in _DSN_RECIPIENT.findall(text)
            if label.lower() == kind and address.lower() not in recipients
        ]
    failed_header = [
        a.lower() for _, a in getaddresses([header_text(message, "X-Failed-Recipients")]) if a
    ]
    recipients += [a for a in failed_header if a not in recipients]
    if not recipients:
        # The message that bounced says whom it was for.
        original_to = [
            header_text(block, "To")
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


def automation_headers(message: Message, subject: str, bounce: bool) -> dict[str, Any]:
    """Auto-Submitted / X-Autoreply / Precedence, kept for the reply reader (RFC 3834)."""
    facts: dict[str, Any] = {}
    for name, key in (
        ("Auto-Submitted", "auto_submitted"),
        ("X-Autoreply", "x_autoreply"),
        ("X-Autorespond", "x_autorespond"),
        ("Precedence", "precedence"),
    ):
        value = header_text(message, name)
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
