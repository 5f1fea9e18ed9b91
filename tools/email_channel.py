"""The email channel, outbound: an outbox in the database, delivered by SMTP or as .eml files.

The engage graph only *enqueues* (one row per idempotency key: thread and step);
`deliver_due` delivers. Each row is marked `sending` and committed before the SMTP
conversation starts, so a crash between the server's "250 OK" and the `sent` commit
leaves evidence: the next run marks the row `unconfirmed` and reports it instead of
sending it a second time. A failed send is retried with backoff and reported, never lost.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import smtplib
import ssl
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from email.headerregistry import Address
from email.message import EmailMessage as MimeMessage
from email.utils import format_datetime
from pathlib import Path
from typing import Annotated, Any, Literal, get_args
from urllib.parse import quote

from pydantic import BaseModel, Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict
from sqlalchemy import and_, or_, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from core.clock import as_utc
from core.conversation import MessageKind
from store.conversations import mailbox_sends
from store.crm import Lead
from store.db import session_scope
from store.engagement import Conversation, DeliveryStatus, Direction, EmailMessage

# Minutes to wait before retry n (1-based); the last value repeats.
BACKOFF_MINUTES: tuple[int, ...] = (1, 5, 15, 60, 240)

INTERRUPTED_REASON = (
    "the process stopped during delivery; not resent to avoid a duplicate; "
    "check the mailbox's Sent folder"
)

_MESSAGE_ID = re.compile(r"<[^<>\s]+>")
_UNSAFE_FILE_CHARS = re.compile(r"[^A-Za-z0-9._@-]")


class MailSettings(BaseModel):
    """How outbound mail leaves: an SMTP server, or (no host) .eml files in the outbox folder."""

    smtp_host: str | None = Field(default=None, description="None: write .eml files instead.")
    smtp_port: int = Field(default=587, ge=1, le=65535)
    smtp_starttls: bool = True
    smtp_ssl: bool = Field(
        default=False, description="Implicit TLS (port 465); wins over STARTTLS."
    )
    smtp_username: SecretStr | None = None
    smtp_password: SecretStr | None = None
    timeout_s: float = Field(default=10.0, gt=0)
    outbox_dir: Path
    from_name: str = "Alex Morgan"
    mailboxes: list[str] = Field(default_factory=lambda: ["alex@northwind.example"], min_length=1)
    unsubscribe_mailto: str | None = Field(
        default=None, description="Opt-out address; the sending mailbox when unset."
    )
    unsubscribe_url: str | None = Field(
        default=None,
        description="One-click opt-out URL; may contain {lead_id} and {message_id}.",
    )
    message_id_domain: str | None = Field(
        default=None, description="Right side of Message-IDs; the mailbox's domain when unset."
    )

    @field_validator("mailboxes")
    @classmethod
    def _mailboxes_are_addresses(cls, value: list[str]) -> list[str]:
        cleaned = [address.strip() for address in value if address.strip()]
        for address in cleaned:
            if "@" not in address or any(c in address for c in " \r\n<>"):
                raise ValueError(
                    f"mailbox {address!r} is not an email address like alex@example.com"
                )
        if not cleaned:
            raise ValueError("give at least one sending mailbox, e.g. alex@northwind.example")
        return cleaned

    @field_validator("unsubscribe_url")
    @classmethod
    def _url_placeholders_known(cls, value: str | None) -> str | None:
        if value is None:
            return None
        try:
            value.format(lead_id="LEAD-1", message_id="id@example.com")
        except (KeyError, IndexError, ValueError) as exc:
            raise ValueError(
                f"unsubscribe_url {value!r} has an unknown placeholder ({exc}); "
                "only {lead_id} and {message_id} are filled in"
            ) from exc
        return value

    @model_validator(mode="after")
    def _credentials_in_pairs(self) -> MailSettings:
        if (self.smtp_username is None) != (self.smtp_password is None):
            raise ValueError("set both smtp_username and smtp_password, or neither")
        return self

    @property
    def uses_smtp(self) -> bool:
        """True when a server is configured; otherwise messages become .eml files."""
        return self.smtp_host is not None

    @property
    def default_mailbox(self) -> str:
        """The first sending mailbox."""
        return self.mailboxes[0]

    @classmethod
    def from_env(cls) -> MailSettings:
        """Read QUALIFY_SMTP_*, QUALIFY_OUTBOX_DIR, QUALIFY_MAILBOXES, ... from the environment."""
        try:
            env = _MailEnvironment()
            return cls(
                smtp_host=env.smtp_host,
                smtp_port=env.smtp_port,
                smtp_starttls=env.smtp_starttls,
                smtp_ssl=env.smtp_ssl,
                smtp_username=env.smtp_username,
                smtp_password=env.smtp_password,
                timeout_s=env.smtp_timeout_s,
                outbox_dir=env.outbox_dir if env.outbox_dir is not None else env.home / "outbox",
                from_name=env.mail_from_name,
                mailboxes=env.mailboxes,
                unsubscribe_mailto=env.unsubscribe_mailto,
                unsubscribe_url=env.unsubscribe_url,
                message_id_domain=env.message_id_domain,
            )
        except ValidationError as exc:
            problems = "; ".join(
                f"QUALIFY_{'_'.join(str(part) for part in error['loc']).upper() or 'MAIL'}: "
                f"{error['msg']}"
                for error in exc.errors()
            )
            raise ValueError(
                f"Mail settings from the environment are invalid: {problems}. "
                "Fix these variables (README, Configuration)."
            ) from exc


class _MailEnvironment(BaseSettings):
    """The environment variables behind `MailSettings.from_env`."""

    model_config = SettingsConfigDict(env_prefix="QUALIFY_", env_file=".env", extra="ignore")

    home: Path = Path(".qualify")
    smtp_host: str | None = None
    smtp_port: int = 587
    smtp_starttls: bool = True
    smtp_ssl: bool = False
    smtp_username: SecretStr | None = None
    smtp_password: SecretStr | None = None
    smtp_timeout_s: float = 10.0
    outbox_dir: Path | None = None
    mail_from_name: str = "Alex Morgan"
    mailboxes: Annotated[list[str], NoDecode] = Field(
        default_factory=lambda: ["alex@northwind.example"]
    )
    unsubscribe_mailto: str | None = None
    unsubscribe_url: str | None = None
    message_id_domain: str | None = None

    @field_validator("smtp_host", "unsubscribe_mailto", "unsubscribe_url", "message_id_domain")
    @classmethod
    def _blank_is_unset(cls, value: str | None) -> str | None:
        return value.strip() or None if value is not None else None

    @field_validator("mailboxes", mode="before")
    @classmethod
    def _comma_list(cls, value: Any) -> Any:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value


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
    sent_message_ids: list[str] = Field(default_factory=list)
    errors: list[DeliveryIssue] = Field(default_factory=list)

    def summary(self) -> str:
        """One line for the CLI."""
        return (
            f"{self.sent} sent, {self.retried_later} to retry, {self.failed} failed, "
            f"{self.unconfirmed} unconfirmed, {self.capped} held by the daily cap, "
            f"{self.suppressed} suppressed, {self.held} held for the sending window, "
            f"{self.recovered} recovered"
        )


def message_id_for(idempotency_key: str, domain: str) -> str:
    """The Message-ID of the email with this idempotency key: the same key, the same id."""
    digest = hashlib.sha1(idempotency_key.encode("utf-8")).hexdigest()[:20]
    return f"<{digest}@{domain}>"


def _as_message_id(value: str) -> str:
    value = value.strip()
    return value if value.startswith("<") else f"<{value}>"


def _thread_references(in_reply_to: str | None, references: list[str]) -> list[str]:
    """References in order, without duplicates, ending with the message replied to (RFC 5322)."""
    ordered: list[str] = []
    for ref in [*references, *([in_reply_to] if in_reply_to else [])]:
        normal = _as_message_id(ref)
        if normal in ordered:
            ordered.remove(normal)
        ordered.append(normal)
    return ordered


def _check_address(field: str, value: str) -> None:
    if "@" not in value or any(c in value for c in " \r\n<>,;"):
        raise ValueError(f"{field} {value!r} is not a single email address like name@example.com")


def _find_by_key(session: Session, idempotency_key: str) -> EmailMessage | None:
    statement = select(EmailMessage).where(EmailMessage.idempotency_key == idempotency_key)
    return session.exec(statement).first()


def enqueue_email(
    session: Session,
    *,
    idempotency_key: str,
    lead_id: str,
    mailbox: str,
    to_address: str,
    subject: str,
    body: str,
    kind: str,
    in_reply_to: str | None,
    references: list[str],
    now: datetime,
    message_id_domain: str | None = None,
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
    if kind not in get_args(MessageKind):
        raise ValueError(f"kind {kind!r} is not one of {', '.join(get_args(MessageKind))}")
    _check_address("mailbox", mailbox)
    _check_address("to_address", to_address)
    domain = message_id_domain or mailbox.rpartition("@")[2]
    thread = _thread_references(in_reply_to, references)
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
        in_reply_to=_as_message_id(in_reply_to) if in_reply_to else None,
        references=" ".join(thread) or None,
        kind=kind,
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


def unsubscribe_targets(message: EmailMessage, settings: MailSettings) -> list[str]:
    """The List-Unsubscribe URIs for this message: a mailto, and the one-click URL if set."""
    mailbox = message.mailbox or message.from_address
    mailto = settings.unsubscribe_mailto or mailbox
    targets = [f"mailto:{mailto}?subject=unsubscribe"]
    if settings.unsubscribe_url:
        targets.append(
            settings.unsubscribe_url.format(
                lead_id=quote(message.lead_id or "", safe=""),
                message_id=quote(message.message_id.strip("<>"), safe=""),
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
    if settings.unsubscribe_url:
        mime["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    mime.set_content(message.body, charset="utf-8")
    return mime


class _SendFailed(Exception):
    """The server (or the disk) said no: nothing was delivered.

    `undeliverable`: the lead's address itself is the problem (refused recipient, an
    address no message can carry); the lead's thread then hears of it like a bounce.
    """

    def __init__(
        self, reason: str, *, permanent: bool = False, undeliverable: bool = False
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent or undeliverable
        self.undeliverable = undeliverable


class _OutcomeUnknown(Exception):
    """The connection broke after the message went out: it may have been delivered."""


def _smtp_refusal(stage: str, code: int, response: bytes | str) -> _SendFailed:
    text = response.decode("utf-8", "replace") if isinstance(response, bytes) else response
    permanent = 500 <= code < 600
    bounced = permanent and stage == "RCPT TO"
    hint = " (permanent: treat like a bounce)" if bounced else ""
    return _SendFailed(
        f"the SMTP server refused {stage}: {code} {text}{hint}",
        permanent=permanent,
        undeliverable=bounced,
    )


def _send_smtp(
    mime: MimeMessage, envelope_from: str, to_address: str, settings: MailSettings
) -> None:
    """Talk SMTP step by step, so that a failure is known to be before or after DATA."""
    host, port = settings.smtp_host or "", settings.smtp_port
    where = f"SMTP server {host}:{port}"
    payload = mime.as_bytes(policy=mime.policy.clone(linesep="\r\n"))
    international = not (envelope_from.isascii() and to_address.isascii())
    try:
        if settings.smtp_ssl:
            client: smtplib.SMTP = smtplib.SMTP_SSL(
                host, port, timeout=settings.timeout_s, context=ssl.create_default_context()
            )
        else:
            client = smtplib.SMTP(host, port, timeout=settings.timeout_s)
    except (OSError, smtplib.SMTPException) as exc:
        raise _SendFailed(f"cannot connect to {where}: {exc}") from exc
    try:
        try:
            client.ehlo()
            if settings.smtp_starttls and not settings.smtp_ssl:
                client.starttls(context=ssl.create_default_context())
                client.ehlo()
            if settings.smtp_username is not None and settings.smtp_password is not None:
                client.login(
                    settings.smtp_username.get_secret_value(),
                    settings.smtp_password.get_secret_value(),
                )
            options: list[str] = []
            if international:
                if not client.has_extn("smtputf8"):
                    raise _SendFailed(
                        f"{where} does not offer SMTPUTF8, which the address "
                        f"{to_address if not to_address.isascii() else envelope_from} needs "
                        "(non-ASCII before the @); use a server that offers it, or ask the "
                        "lead's seller for an ASCII address",
                        undeliverable=not to_address.isascii(),
                        permanent=True,
                    )
                options.append("SMTPUTF8")
                if client.has_extn("8bitmime"):
                    options.append("BODY=8BITMIME")
            code, response = client.mail(envelope_from, options)
            if code != 250:
                raise _smtp_refusal("MAIL FROM", code, response)
            code, response = client.rcpt(to_address)
            if code not in (250, 251):
                raise _smtp_refusal("RCPT TO", code, response)
        except smtplib.SMTPNotSupportedError as exc:
            raise _SendFailed(
                f"{where} does not offer STARTTLS ({exc}); set QUALIFY_SMTP_STARTTLS=false "
                "only for a trusted local relay"
            ) from exc
        except smtplib.SMTPAuthenticationError as exc:
            raise _SendFailed(
                f"{where} refused the login ({exc.smtp_code}); check QUALIFY_SMTP_USERNAME "
                "and QUALIFY_SMTP_PASSWORD"
            ) from exc
        except (OSError, smtplib.SMTPException) as exc:
            raise _SendFailed(f"SMTP error with {where} before sending: {exc!r}") from exc
        # From here the server may accept the message at any moment.
        try:
            # data() raises only when DATA itself is refused; the final reply comes back.
            code, response = client.data(payload)
        except smtplib.SMTPDataError as exc:
            raise _smtp_refusal("the message (DATA)", exc.smtp_code, exc.smtp_error) from exc
        except (OSError, smtplib.SMTPException) as exc:
            raise _OutcomeUnknown(
                f"the connection to {where} broke while the message was being sent ({exc!r}); "
                "not resent to avoid a duplicate; check the mailbox's Sent folder"
            ) from exc
        if code != 250:
            raise _smtp_refusal("the message (DATA)", code, response)
        # The message is accepted; a rude goodbye changes nothing.
        with contextlib.suppress(OSError, smtplib.SMTPException):
            client.quit()
    finally:
        client.close()


def _safe_file_name(message_id: str) -> str:
    return _UNSAFE_FILE_CHARS.sub("_", message_id.strip("<>"))


def _write_eml(mime: MimeMessage, message_id: str, settings: MailSettings, now: datetime) -> Path:
    """Write `<outbox>/<date>/<message id>.eml` by an atomic rename: whole or absent."""
    folder = settings.outbox_dir / as_utc(now).date().isoformat()
    path = folder / f"{_safe_file_name(message_id)}.eml"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(path.name + ".part")
        partial.write_bytes(mime.as_bytes())
        os.replace(partial, path)
    except OSError as exc:
        raise _SendFailed(f"cannot write {path}: {exc}; check the outbox folder") from exc
    return path


def _find_eml(message_id: str, settings: MailSettings) -> Path | None:
    matches = sorted(settings.outbox_dir.glob(f"*/{_safe_file_name(message_id)}.eml"))
    return matches[0] if matches else None


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


def _written_on(path: Path) -> datetime | None:
    """The Date the .eml file was written with: the (possibly simulated) send time."""
    try:
        written = message_from_bytes(path.read_bytes(), policy=policy.default)
        stamp = getattr(written["Date"], "datetime", None)
    except (OSError, ValueError, TypeError):
        return None
    return as_utc(stamp) if isinstance(stamp, datetime) else None


def _settle_interrupted(database_url: str, settings: MailSettings, report: DeliveryReport) -> None:
    """Rows left in `sending` by a crash: never resend blindly (that would be the duplicate)."""
    with session_scope(database_url) as session:
        statement = select(EmailMessage).where(
            EmailMessage.direction == Direction.OUTBOUND,
            EmailMessage.status == DeliveryStatus.SENDING,
        )
        for row in session.exec(statement).all():
            channel = (row.headers or {}).get("channel", "smtp")
            if channel == "eml":
                # Files are checkable: the atomic rename either happened or it did not.
                path = _find_eml(row.message_id, settings)
                if path is None:
                    row.status = DeliveryStatus.QUEUED
                    report.errors.append(
                        _issue(row, "requeued", "interrupted before the .eml file was written")
                    )
                else:
                    row.status = DeliveryStatus.SENT
                    row.sent_on = _written_on(path)
                    row.eml_path = str(path)
                    report.recovered += 1
                    report.errors.append(
                        _issue(row, "recovered", f"the .eml file {path} was complete")
                    )
            else:
                row.status = DeliveryStatus.UNCONFIRMED
                row.last_error = INTERRUPTED_REASON
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
    if conversation is not None and conversation.taken_over_by:
        return f"seller {conversation.taken_over_by} has taken over lead {lead.id}"
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
            headers={**(row.headers or {}), "channel": channel},
        )
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def _finish(database_url: str, row_id: int, **values: Any) -> None:
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


def _record_failure(
    database_url: str,
    row: EmailMessage,
    error: _SendFailed,
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
    `tools.inbound_mail` records for a real one) it wakes the thread, the reply reader
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
            references=" ".join(_thread_references(row.message_id, (row.references or "").split())),
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


def _transmit(row: EmailMessage, settings: MailSettings, now: datetime) -> str | None:
    """Hand the message over: to the SMTP server, or to a file (its path is returned)."""
    try:
        mime = build_mime(row, settings, now=now)
    except UnusableRecipient as exc:
        raise _SendFailed(str(exc), undeliverable=True) from exc
    except (ValueError, TypeError) as exc:
        raise _SendFailed(
            f"the message cannot be built ({exc}); fix the row's addresses or subject",
            permanent=True,
        ) from exc
    if settings.uses_smtp:
        envelope_from, _ = envelope_address(row.mailbox or row.from_address)
        to_address, _ = envelope_address(row.to_address)
        _send_smtp(mime, envelope_from, to_address, settings)
        return None
    return str(_write_eml(mime, row.message_id, settings, now))


def deliver_due(
    database_url: str,
    settings: MailSettings,
    *,
    now: datetime,
    daily_cap_per_mailbox: int | None = None,
    cap_day: tuple[datetime, datetime] | None = None,
    max_attempts: int = 5,
    not_before: Callable[[EmailMessage], datetime | None] | None = None,
) -> DeliveryReport:
    """Send every due outbox row once: queued ones, and failed ones whose retry time has come.

    The daily cap counts sends in `cap_day` ([start, end) UTC; default: `now`'s UTC day).

    `not_before(row)` may return the earliest time a row may go (quiet hours and business
    days in the lead's time zone); a later time holds the row until then.
    """
    now = as_utc(now)
    report = DeliveryReport()
    _settle_interrupted(database_url, settings, report)
    channel = "smtp" if settings.uses_smtp else "eml"
    sent_today: dict[str, int] = {}
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
            if daily_cap_per_mailbox is not None:
                if mailbox not in sent_today:
                    sent_today[mailbox] = mailbox_sends(session, mailbox, *cap_day, sent_only=True)
                if sent_today[mailbox] >= daily_cap_per_mailbox:
                    report.capped += 1
                    continue
            if not _claim(session, row, channel):
                continue  # Another sender took it.
            attempts = row.attempts + 1
        # Committed as `sending`: from here on a crash can no longer cause a second send.
        try:
            eml_path = _transmit(row, settings, now)
        except _OutcomeUnknown as exc:
            _finish(database_url, row_id, status=DeliveryStatus.UNCONFIRMED, last_error=str(exc))
            report.unconfirmed += 1
            report.errors.append(_issue(row, "unconfirmed", str(exc)))
            continue
        except _SendFailed as exc:
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


def resolve_unconfirmed(
    database_url: str, message_id: str, *, delivered: bool, now: datetime
) -> EmailMessage:
    """After checking the Sent folder: record an unconfirmed message as sent, or queue it again."""
    with session_scope(database_url) as session:
        row = session.exec(
            select(EmailMessage).where(
                EmailMessage.message_id == _as_message_id(message_id),
                EmailMessage.direction == Direction.OUTBOUND,
            )
        ).first()
        if row is None:
            raise ValueError(f"no outbound message with Message-ID {message_id}; check the id")
        if row.status != DeliveryStatus.UNCONFIRMED:
            raise ValueError(f"message {row.message_id} is {row.status.value}, not unconfirmed")
        if delivered:
            row.status, row.sent_on = DeliveryStatus.SENT, as_utc(now)
        else:
            row.status, row.next_attempt_on = DeliveryStatus.QUEUED, None
        row.last_error = None
        session.add(row)
        return row
