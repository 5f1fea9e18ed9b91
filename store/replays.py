"""Replays a supervisor ran: kept and listed, each in its own sandbox thread."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from core.clock import utc_now


class Replay(SQLModel, table=True):
    """A fork of a lead's thread from one step, run again with other prompts/engine/state."""

    id: int | None = Field(default=None, primary_key=True)
    lead_id: str = Field(index=True)
    mode: str
    original_thread_id: str
    replay_thread_id: str = Field(unique=True)
    from_step: int
    from_node: str
    from_checkpoint_id: str
    engine: str
    model: str | None = None
    prompt_versions: dict[str, str] = Field(default_factory=dict, sa_column=Column(JSON))
    edits: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON))
    original: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON))
    replayed: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON))
    created_on: datetime = Field(default_factory=utc_now)
    created_by: str | None = None
