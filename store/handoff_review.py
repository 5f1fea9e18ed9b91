"""The hand-off queues: what waits for whom (decisions: graphs/engage/handoff_decisions.py)."""

from __future__ import annotations

from sqlmodel import Session, col, select

from store.engagement import Handoff, HandoffStatus, HandoffTarget


def list_handoffs(
    session: Session,
    *,
    target: HandoffTarget | None = None,
    status: HandoffStatus | None = None,
    assignee_id: str | None = None,
) -> list[Handoff]:
    """Hand-offs, newest first, filtered as asked."""
    query = select(Handoff)
    if target is not None:
        query = query.where(Handoff.target == target)
    if status is not None:
        query = query.where(Handoff.status == status)
    if assignee_id is not None:
        query = query.where(Handoff.assignee_id == assignee_id)
    return list(
        session.exec(query.order_by(col(Handoff.created_on).desc(), col(Handoff.id).desc()))
    )
