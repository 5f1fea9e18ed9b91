"""The outbound message: Message-IDs, thread references, addresses, and the MIME message.

An outbox row becomes an RFC 5322 message here: threading headers (In-Reply-To,
References), opt-out headers (List-Unsubscribe), UTF-8 plain text, and internationalized
addresses (SMTPUTF8) where a local part is not ASCII.
"""

from __future__ import annotations

import contextlib
import hashlib
from datetime import datetime
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage as MimeMessage
from email.utils import format_datetime
from urllib.parse import quote

from core.clock import as_utc
from store.engagement import EmailMessage
from tools.mail.settings import MailSettings
from tools.mail.unsubscribe_tokens import unsubscribe_token


def message_id_for(idempotency_key: str, domain: str) -> str:
    """The Message-ID of the email with this idempotency key: the same key, the same id."""
    digest = hashlib.sha1(idempotency_key.encode("utf-8")).hexdigest()[:20]
    return f"<{digest}@{domain}>"


def as_message_id(value: str) -> str:
    """The id in angle brackets, as Message-ID headers carry it."""
    value = value.strip()
    return value if value.startswith("<") else f"<{value}>"


def thread_references(in_reply_to: str | None, references: list[str]) -> list[str]:
    """References in order, without duplicates, ending with the message replied to (RFC 5322)."""
    ordered: list[str] = []
    for ref in [*references, *([in_reply_to] if in_reply_to else [])]:
        normal = as_message_id(ref)
        if normal in ordered:
            ordered.remove(normal)
        ordered.append(normal)
    return ordered


def check_address(field: str, value: str) -> None:
    """Refuse anything but one plain address: a list or a line break would be an injection."""
    if "@" not in value or any(c in value for c in " \r\n<>,;"):
        raise ValueError(f"{field} {value!r} is not a single email address like name@example.com")


def unsubscribe_targets(message: EmailMessage, settings: MailSettings) -> list[str]:
    """The List-Unsubscribe URIs for this message: a mailto, and the one-click URL.

    Both carry the lead's signed token (`tools.mail.unsubscribe_tokens`): the URL for the
    `qualify serve` endpoint, the mailto's subject for the inbound import.
    """
    mailbox = message.mailbox or message.from_address
    mailto = settings.unsubscribe_mailto or mailbox
    if not message.lead_id:
        return [f"mailto:{mailto}?subject=unsubscribe"]
    token = unsubscribe_token(message.lead_id, settings.signing_secret())
    targets = [f"mailto:{mailto}?subject={quote('unsubscribe ' + token)}"]
    if settings.unsubscribe_url:
        targets.append(
            settings.unsubscribe_url.format(
                lead_id=quote(message.lead_id, safe=""),
                message_id=quote(message.message_id.strip("<>"), safe=""),
                token=quote(token, safe=""),
            )
        )
    return targets


class UnusableRecipient(ValueError):
    """The lead's address cannot be written into a message: it can never be delivered."""


def envelope_address(address: str) -> tuple[str, bool]:
    """The address as SMTP carries it, and whether that needs SMTPUTF8 (RFC 6531).

    A non-ASCII domain alone goes out in its IDNA form (bücher.de -> xn--bcher-kva.de),
    which every server takes; a non-ASCII local part (uwe.krüger@...) has no ASCII form.
    """
    local, _, domain = address.strip().rpartition("@")
    if not domain.isascii():
        with contextlib.suppress(UnicodeError):
            domain = domain.encode("idna").decode("ascii")
    address = f"{local}@{domain}"
    return address, not address.isascii()


def _mime_address(display_name: str, address: str) -> Address:
    # `Address(addr_spec=...)` refuses a non-ASCII local part even where SMTPUTF8 allows it;
    # built from its parts, the address is written as UTF-8 by the SMTPUTF8 policy.
    local, _, domain = address.rpartition("@")
    return Address(display_name=display_name, username=local, domain=domain)


def build_mime(
    message: EmailMessage, settings: MailSettings, *, now: datetime | None = None
) -> MimeMessage:
    """The RFC 5322 message for an outbox row: threading and opt-out headers, UTF-8 plain text.

    An address with a non-ASCII local part makes it an internationalized message (RFC 6532,
    `policy.SMTPUTF8`: headers in raw UTF-8), which only a server offering SMTPUTF8 takes.
    """
    mailbox, _ = envelope_address(message.mailbox or message.from_address)
    to_address, _ = envelope_address(message.to_address)
    international = not (mailbox.isascii() and to_address.isascii())
    mime = MimeMessage(policy=policy.SMTPUTF8 if international else policy.default)
    mime["From"] = _mime_address(settings.from_name, mailbox)
    try:
        mime["To"] = _mime_address("", to_address)
    except (ValueError, TypeError, IndexError) as exc:
        raise UnusableRecipient(
            f"the lead's address {message.to_address!r} cannot be written as an email "
            f"address ({exc}); fix the lead's email"
        ) from exc
    mime["Subject"] = message.subject
    mime["Date"] = format_datetime(as_utc(now or message.sent_on or message.created_on))
    mime["Message-ID"] = message.message_id
    if message.in_reply_to:
        mime["In-Reply-To"] = message.in_reply_to
    if message.references:
        mime["References"] = message.references
    targets = unsubscribe_targets(message, settings)
    mime["List-Unsubscribe"] = ", ".join(f"<{target}>" for target in targets)
    if any(target.startswith("http") for target in targets):
        mime["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    mime.set_content(message.body, charset="utf-8")
    return mime
