"""Replays run the engage nodes as a sandbox: they read the store but keep no writes."""

from __future__ import annotations

from sqlmodel import Session

from graphs.context import Context


def commit_unless_sandbox(session: Session, context: Context) -> None:
    """Commit the node's writes, or, in a replay, throw them away."""
    if context.sandbox:
        session.rollback()
    else:
        session.commit()
