"""The transmit step: hand a built message to the SMTP server, or write it as an .eml file.

A failure says whether anything may have been delivered: `SendFailed` (nothing was),
`OutcomeUnknown` (the connection broke after the message went out). The outbox
(`tools.mail.outbox`) turns these into retries, failures and unconfirmed rows.
"""

from __future__ import annotations

import contextlib
import os
import re
import smtplib
import ssl
from datetime import datetime
from email import message_from_bytes, policy
from email.message import EmailMessage as MimeMessage
from pathlib import Path

from core.clock import as_utc
from store.engagement import EmailMessage
from tools.mail.message import UnusableRecipient, build_mime, envelope_address
from tools.mail.settings import MailSettings

_UNSAFE_FILE_CHARS = re.compile(r"[^A-Za-z0-9._@-]")


class SendFailed(Exception):
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


class OutcomeUnknown(Exception):
    """The connection broke after the message went out: it may have been delivered."""


def _smtp_refusal(stage: str, code: int, response: bytes | str) -> SendFailed:
    text = response.decode("utf-8", "replace") if isinstance(response, bytes) else response
    permanent = 500 <= code < 600
    bounced = permanent and stage == "RCPT TO"
    hint = " (permanent: treat like a bounce)" if bounced else ""
    return SendFailed(
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
        raise SendFailed(f"cannot connect to {where}: {exc}") from exc
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
                    raise SendFailed(
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
            raise SendFailed(
                f"{where} does not offer STARTTLS ({exc}); set QUALIFY_SMTP_STARTTLS=false "
                "only for a trusted local relay"
            ) from exc
        except smtplib.SMTPAuthenticationError as exc:
            raise SendFailed(
                f"{where} refused the login ({exc.smtp_code}); check QUALIFY_SMTP_USERNAME "
                "and QUALIFY_SMTP_PASSWORD"
            ) from exc
        except (OSError, smtplib.SMTPException) as exc:
            raise SendFailed(f"SMTP error with {where} before sending: {exc!r}") from exc
        # From here the server may accept the message at any moment.
        try:
            # data() raises only when DATA itself is refused; the final reply comes back.
            code, response = client.data(payload)
        except smtplib.SMTPDataError as exc:
            raise _smtp_refusal("the message (DATA)", exc.smtp_code, exc.smtp_error) from exc
        except (OSError, smtplib.SMTPException) as exc:
            raise OutcomeUnknown(
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
        raise SendFailed(f"cannot write {path}: {exc}; check the outbox folder") from exc
    return path


def find_eml(message_id: str, settings: MailSettings) -> Path | None:
    """The .eml file written for this message, on whatever day it was, if any."""
    matches = sorted(settings.outbox_dir.glob(f"*/{_safe_file_name(message_id)}.eml"))
    return matches[0] if matches else None


def eml_written_on(path: Path) -> datetime | None:
    """The Date the .eml file was written with: the (possibly simulated) send time."""
    try:
        written = message_from_bytes(path.read_bytes(), policy=policy.default)
        stamp = getattr(written["Date"], "datetime", None)
    except (OSError, ValueError, TypeError):
        return None
    return as_utc(stamp) if isinstance(stamp, datetime) else None


def transmit(row: EmailMessage, settings: MailSettings, now: datetime) -> str | None:
    """Hand the message over: to the SMTP server, or to a file (its path is returned)."""
    try:
        mime = build_mime(row, settings, now=now)
    except UnusableRecipient as exc:
        raise SendFailed(str(exc), undeliverable=True) from exc
    except (ValueError, TypeError) as exc:
        raise SendFailed(
            f"the message cannot be built ({exc}); fix the row's addresses or subject",
            permanent=True,
        ) from exc
    if settings.uses_smtp:
        envelope_from, _ = envelope_address(row.mailbox or row.from_address)
        to_address, _ = envelope_address(row.to_address)
        _send_smtp(mime, envelope_from, to_address, settings)
        return None
    return str(_write_eml(mime, row.message_id, settings, now))
