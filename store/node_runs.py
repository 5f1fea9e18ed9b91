"""One row per node run: what the supervisor's monitor aggregates (latency, errors, tokens).

The full trace lives in the thread's checkpoints; this table is its index for reporting.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel


class NodeRun(SQLModel, table=True):
    """A node's run in a thread."""

    id: int | None = Field(default=None, primary_key=True)
    thread_id: str = Field(index=True)
    lead_id: str | None = Field(default=None, index=True)
    node: str = Field(index=True)
    started_at: datetime = Field(index=True)
    duration_ms: float
    engine: str | None = None
    tokens_in: int = 0
    tokens_out: int = 0
    cost_usd: float | None = None
    outcome: str = ""
    error: str | None = None
    replay: bool = False
