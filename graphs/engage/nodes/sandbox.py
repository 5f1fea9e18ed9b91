"""Replays run the engage nodes as a sandbox: they read the store as it was at the replayed
step (`store_as_of`) and keep no writes."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from graphs.context import Context


def store_as_of(context: Context) -> datetime | None:
    """In a replay, the replayed step's time: reads leave out what came after it."""
    return context.clock.now() if context.sandbox else None


def commit_unless_sandbox(session: Session, context: Context) -> None:
    """Commit the node's writes, or, in a replay, throw them away."""
    if context.sandbox:
        session.rollback()
    else:
        session.commit()
