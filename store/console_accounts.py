"""Who may sign in to the web console, with which role, and their open sessions."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlmodel import Field, SQLModel

from core.clock import utc_now


class ConsoleRole(StrEnum):
    """What a console user may see and do."""

    SELLER = "seller"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"
    EVALUATOR = "evaluator"


class ConsoleAccount(SQLModel, table=True):
    """A console sign-in. A seller's account is tied to their CRM user: the leads they see
    are that user's and their teams'."""

    id: int | None = Field(default=None, primary_key=True)
    login: str = Field(unique=True, index=True, description="An email address, lower case.")
    full_name: str
    role: ConsoleRole
    user_id: str | None = Field(default=None, foreign_key="user.id")
    password_hash: str = Field(description="Argon2id, with its parameters and salt.")
    disabled: bool = False
    created_on: datetime = Field(default_factory=utc_now)
    password_changed_on: datetime = Field(default_factory=utc_now)
    failed_sign_ins: int = Field(default=0, description="Wrong passwords in a row.")
    locked_until: datetime | None = Field(
        default=None, description="Too many wrong passwords: no sign-in before this time."
    )


class ConsoleSession(SQLModel, table=True):
    """A signed-in browser. Only the SHA-256 of the cookie's token is kept, so a copy of
    the database signs no one in."""

    token_hash: str = Field(primary_key=True)
    account_id: int = Field(foreign_key="consoleaccount.id", index=True)
    csrf_token: str
    created_on: datetime = Field(default_factory=utc_now)
    expires_on: datetime
