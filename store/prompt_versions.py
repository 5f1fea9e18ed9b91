"""Admin versions of the prompts: saved texts, which one is active, and a change counter.

Version "default" is the file in `prompts/` and is never stored. The active version of a
prompt is its latest activation that was not rolled back (none: the file), so rollback is
an undo that can go back step by step to the file.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Column, Text, UniqueConstraint, update
from sqlmodel import Field, Session, SQLModel, col, select

from core.clock import utc_now

DEFAULT_VERSION = "default"


class PromptVersion(SQLModel, table=True):
    """One saved version of a prompt: the full file text, front matter included."""

    __table_args__ = (UniqueConstraint("name", "version", name="uq_promptversion_name_version"),)

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(index=True, description="The prompt's file name without .md.")
    version: int = Field(description="1, 2, ... per prompt name.")
    template: str = Field(sa_column=Column(Text, nullable=False))
    author: str
    created_on: datetime = Field(default_factory=utc_now)
    note: str = ""


class PromptActivation(SQLModel, table=True):
    """An admin made a version the active one; rollback marks the latest one undone."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(index=True)
    version: str = Field(description="'default' or the version number as text.")
    activated_on: datetime = Field(default_factory=utc_now)
    activated_by: str | None = None
    rolled_back: bool = False
    rolled_back_on: datetime | None = None


class PromptRegistryRevision(SQLModel, table=True):
    """One row, bumped by every save, activation and rollback.

    Workers cache the prompts in force and re-read them only when the revision changes;
    the token tells a recreated database apart from the one the cache was filled from.
    """

    id: int = Field(default=1, primary_key=True)
    token: str
    revision: int = 0


# -- queries (take a session: store.db imports this module, so it cannot import store.db) --


def registry_stamp(session: Session) -> tuple[str, int] | None:
    """(token, revision) of the stored prompt versions; None when nothing was ever stored."""
    row = session.get(PromptRegistryRevision, 1)
    return None if row is None else (row.token, row.revision)


def bump_revision(session: Session) -> None:
    """Tell every worker's cache that the prompts in force may have changed."""
    if session.get(PromptRegistryRevision, 1) is None:
        session.add(PromptRegistryRevision(id=1, token=uuid.uuid4().hex, revision=1))
        session.flush()
        return
    # One UPDATE, so two admins saving at once both count.
    session.execute(
        update(PromptRegistryRevision)
        .where(col(PromptRegistryRevision.id) == 1)
        .values(revision=PromptRegistryRevision.revision + 1)
    )


def latest_activation(session: Session, name: str) -> PromptActivation | None:
    """The activation in force for `name` (None: the default file)."""
    return session.exec(
        select(PromptActivation)
        .where(PromptActivation.name == name, col(PromptActivation.rolled_back).is_(False))
        .order_by(col(PromptActivation.id).desc())
        .limit(1)
    ).first()


def active_version(session: Session, name: str) -> str:
    """'default' or the number (as text) of the version in force for `name`."""
    row = latest_activation(session, name)
    return DEFAULT_VERSION if row is None else row.version


def stored_version(session: Session, name: str, version: int) -> PromptVersion | None:
    """The saved version `version` of `name`, if there is one."""
    return session.exec(
        select(PromptVersion).where(PromptVersion.name == name, PromptVersion.version == version)
    ).first()
