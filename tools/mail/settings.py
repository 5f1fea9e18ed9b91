"""How outbound mail leaves: the validated settings of the email channel.

The environment variables behind them (QUALIFY_SMTP_*, QUALIFY_OUTBOX_DIR,
QUALIFY_MAILBOXES, ...) are fields of the project's one settings object,
`core.settings.Settings`; `MailSettings.from_env` reads them afresh at each call.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, Field, SecretStr, ValidationError, field_validator, model_validator

from core.settings import Settings
from tools.mail.unsubscribe_tokens import unsubscribe_secret

DEFAULT_UNSUBSCRIBE_URL = "http://127.0.0.1:8025/unsubscribe?token={token}"
"""`qualify serve`'s default address: set QUALIFY_UNSUBSCRIBE_URL to the public one."""


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
        default=DEFAULT_UNSUBSCRIBE_URL,
        description="One-click opt-out URL (RFC 8058); may contain {token}, {lead_id} and "
        "{message_id}; the default is `qualify serve` on this machine.",
    )
    unsubscribe_secret: SecretStr | None = Field(
        default=None, description="Signs unsubscribe tokens; None: the home's secret file."
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
            value.format(lead_id="LEAD-1", message_id="id@example.com", token="t")
        except (KeyError, IndexError, ValueError) as exc:
            raise ValueError(
                f"unsubscribe_url {value!r} has an unknown placeholder ({exc}); "
                "only {token}, {lead_id} and {message_id} are filled in"
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

    def signing_secret(self) -> bytes:
        """The secret unsubscribe tokens are signed with."""
        if self.unsubscribe_secret is not None:
            return self.unsubscribe_secret.get_secret_value().encode("utf-8")
        return unsubscribe_secret()

    @property
    def default_mailbox(self) -> str:
        """The first sending mailbox."""
        return self.mailboxes[0]

    @classmethod
    def from_env(cls) -> MailSettings:
        """Read QUALIFY_SMTP_*, QUALIFY_OUTBOX_DIR, QUALIFY_MAILBOXES, ... from the environment."""
        try:
            # Read now, not the cached `get_settings()`: the environment may have changed.
            env = Settings()
            return cls(
                smtp_host=env.smtp_host,
                smtp_port=env.smtp_port,
                smtp_starttls=env.smtp_starttls,
                smtp_ssl=env.smtp_ssl,
                smtp_username=env.smtp_username,
                smtp_password=env.smtp_password,
                timeout_s=env.smtp_timeout_s,
                outbox_dir=env.resolved_outbox_dir,
                from_name=env.mail_from_name,
                mailboxes=env.mailboxes,
                unsubscribe_mailto=env.unsubscribe_mailto,
                unsubscribe_url=env.unsubscribe_url or DEFAULT_UNSUBSCRIBE_URL,
                unsubscribe_secret=SecretStr(unsubscribe_secret(env).decode("utf-8")),
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
