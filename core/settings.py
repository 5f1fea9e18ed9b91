"""Settings read from the environment (and a `.env` file), with embedded defaults.

Everything defaults to one folder, `.qualify/` in the working directory: a SQLite
file for the CRM and the agent's records, one for checkpoints, the local web corpus
and its Chroma index, and the outbox of .eml files when no SMTP server is set. No key
is needed; keys switch on the LLM and Tavily.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AliasChoices, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict


class Settings(BaseSettings):
    """Environment configuration; see README "Configuration" for every variable."""

    model_config = SettingsConfigDict(
        env_prefix="QUALIFY_", env_file=".env", extra="ignore", populate_by_name=True
    )

    home: Path = Field(default=Path(".qualify"), description="Folder for embedded data.")
    database_url: str | None = Field(
        default=None, description="SQLAlchemy URL of the CRM and records; SQLite in home if unset."
    )
    checkpoint_url: str | None = Field(
        default=None,
        description="Checkpoint database: a SQLite path or a postgresql:// URL; home if unset.",
    )
    corpus_dir: Path | None = Field(default=None, description="Local web corpus folder.")
    chroma_dir: Path | None = Field(default=None, description="Local Chroma index folder.")

    engine: Literal["auto", "offline", "llm"] = Field(
        default="auto", description="auto: the LLM when OPENAI_API_KEY is set, else offline."
    )
    model: str = Field(default="gpt-4o-mini", description="Chat model name for the LLM engine.")
    product: str = Field(
        default="northwind",
        description="The product the agent sells: its profile and FAQ in force "
        "(`qualify product show`; shipped in graphs/knowledge/profiles and faq).",
    )
    openai_api_key: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("OPENAI_API_KEY", "QUALIFY_OPENAI_API_KEY")
    )
    openai_base_url: str | None = Field(
        default=None, validation_alias=AliasChoices("OPENAI_BASE_URL", "QUALIFY_OPENAI_BASE_URL")
    )
    llm_timeout_s: float = Field(default=30.0, ge=0.1)
    llm_max_retries: int = Field(
        default=2,
        ge=0,
        description="Retries per call by the OpenAI client (backoff with "
        "jitter; it honours Retry-After on 429 and 503).",
    )
    llm_breaker_failures: int = Field(
        default=3, ge=1, description="Failures in a row that open the endpoint's circuit."
    )
    llm_breaker_cool_down_s: float = Field(
        default=60.0, ge=0, description="Seconds an open circuit waits before one probe call."
    )
    llm_lead_budget_s: float | None = Field(
        default=180.0, gt=0, description="Model time per lead run; then the offline engine."
    )
    research_concurrency: int = Field(
        default=8,
        ge=1,
        le=64,
        description="Leads researched, and leads engaged in one engage pass, side by side "
        "when a model is used (they wait on it, not on the CPU); offline, one at a time.",
    )
    llm_cache: bool = Field(
        default=True,
        description="Identical model calls (same model, options, prompt, schema) are answered "
        "from $QUALIFY_HOME/llm_cache.db instead of asking the model again.",
    )
    llm_requests_per_minute: float | None = Field(
        default=None,
        gt=0,
        description="Requests per minute to the model endpoint, shared by every lead of "
        "the process (None: as fast as the endpoint answers).",
    )
    search_requests_per_minute: float | None = Field(
        default=None,
        gt=0,
        description="Requests per minute to the web search provider (Tavily), shared by "
        "every lead of the process (None: as fast as it answers).",
    )
    max_reply_chars: int = Field(
        default=262_144,
        ge=1_000,
        description="A reply's text beyond this many characters is not read (the agent reads "
        "the start, with a note; the whole message stays in the inbox's processed folder).",
    )

    checkpoint_retention_days: float = Field(
        default=30,
        ge=0,
        description="Days after a lead's thread finished (research done, conversation handed "
        "off or stopped) that its older checkpoints are kept; then only the latest stays. "
        "Every step's record stays in the trace; older steps can no longer be replayed.",
    )
    prune_schedule: str = Field(
        default="30 3 * * *", description="Cron schedule (UTC) of the workers' retention pass."
    )

    # Workers of the task queue (PostgreSQL only; `qualify worker`).
    worker_concurrency: int = Field(
        default=8, ge=1, le=256, description="Lead jobs one worker process runs side by side."
    )
    engage_schedule: str = Field(
        default="*/5 * * * *",
        description="Cron schedule (UTC) of the engage pass workers run: replies read, "
        "timers fired, new leads started, the outbox sent.",
    )
    research_schedule: str = Field(
        default="0 * * * *",
        description="Cron schedule (UTC) of the research refresh: every eligible lead whose "
        "research is missing or stale is queued.",
    )
    requests_schedule: str = Field(
        default="* * * * *",
        description="Cron schedule (UTC) at which workers take the research requests a "
        "change made (a new lead, an email made valid, an account connected or filled in).",
    )
    worker_stalled_after_s: float = Field(
        default=60.0,
        ge=5,
        description="A worker silent this long is taken for dead: its jobs go back to the "
        "queue for another worker.",
    )

    tavily_api_key: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("TAVILY_API_KEY", "QUALIFY_TAVILY_API_KEY")
    )
    tavily_timeout_s: float = Field(default=15.0, ge=0.1)

    check_deliverability: bool = Field(
        default=False, description="Ask DNS whether the email domain accepts mail."
    )
    dns_timeout_s: float = Field(default=3.0, ge=0.1)

    # Outbound email; the email channel checks these as its `MailSettings`.
    smtp_host: str | None = Field(default=None, description="Unset: .eml files in the outbox.")
    smtp_port: int = 587
    smtp_starttls: bool = True
    smtp_ssl: bool = False
    smtp_username: SecretStr | None = None
    smtp_password: SecretStr | None = None
    smtp_timeout_s: float = 10.0
    outbox_dir: Path | None = Field(default=None, description="Where .eml files go without SMTP.")
    mail_from_name: str = "Alex Morgan"
    mailboxes: Annotated[list[str], NoDecode] = Field(
        default_factory=lambda: ["alex@northwind.example"],
        description="Sending mailboxes; comma-separated in the environment.",
    )
    unsubscribe_mailto: str | None = None
    unsubscribe_url: str | None = Field(
        default=None,
        description="One-click opt-out URL; {token} is the signed lead token (`qualify serve`).",
    )
    unsubscribe_secret: SecretStr | None = Field(
        default=None,
        description="Signs unsubscribe tokens; unset: generated once into home/unsubscribe.secret.",
    )
    message_id_domain: str | None = None
    inbound_webhook_secret: SecretStr | None = Field(
        default=None,
        description="Signs the mail provider's posts to the console's inbound-email webhook "
        "(HMAC-SHA256 of timestamp and body); unset: the webhook answers 503.",
    )
    notice_mailbox: str | None = Field(
        default=None,
        description="The address users' notices (a hand-off made to them, a reply on a lead "
        "they took over) are emailed from; unset: they stay in `qualify inbox` only. Keep it "
        "apart from the sending mailboxes: notices never count against their caps.",
    )

    @field_validator(
        "smtp_host", "unsubscribe_mailto", "unsubscribe_url", "message_id_domain", "notice_mailbox"
    )
    @classmethod
    def _blank_is_unset(cls, value: str | None) -> str | None:
        return value.strip() or None if value is not None else None

    @field_validator("mailboxes", mode="before")
    @classmethod
    def _comma_list(cls, value: Any) -> Any:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @property
    def resolved_database_url(self) -> str:
        """The CRM database URL (SQLAlchemy), defaulting to a SQLite file in `home`.

        A plain `postgresql://` URL means psycopg 3, the driver installed with the project
        (SQLAlchemy alone would look for psycopg2), so one URL serves every component.
        """
        if self.database_url is None:
            return f"sqlite:///{(self.home / 'crm.db').as_posix()}"
        for scheme in ("postgresql://", "postgres://"):
            if self.database_url.startswith(scheme):
                return "postgresql+psycopg://" + self.database_url.removeprefix(scheme)
        return self.database_url

    @property
    def postgres_url(self) -> str | None:
        """The database as a libpq URL when it is PostgreSQL (checkpoints, the task queue)."""
        url = self.resolved_database_url
        if not url.startswith("postgresql"):
            return None
        return "postgresql://" + url.split("://", 1)[1]

    @property
    def resolved_checkpoint_url(self) -> str:
        """Where checkpoints live: a Postgres URL, or a SQLite file path; on a PostgreSQL
        database, that database unless set apart."""
        if self.checkpoint_url is not None:
            return self.checkpoint_url
        return self.postgres_url or str(self.home / "checkpoints.db")

    @property
    def resolved_corpus_dir(self) -> Path:
        """The local web corpus folder."""
        return self.corpus_dir if self.corpus_dir is not None else self.home / "web"

    @property
    def resolved_chroma_dir(self) -> Path:
        """The local Chroma folder."""
        return self.chroma_dir if self.chroma_dir is not None else self.home / "chroma"

    @property
    def resolved_outbox_dir(self) -> Path:
        """Where outgoing mail is written as .eml files when no SMTP server is set."""
        return self.outbox_dir if self.outbox_dir is not None else self.home / "outbox"

    @property
    def resolved_engine(self) -> Literal["offline", "llm"]:
        """The engine to use when nobody chose one for the run."""
        if self.engine != "auto":
            return self.engine
        return "llm" if self.openai_api_key is not None else "offline"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once."""
    return Settings()
