"""The hand-off queues: what waits for whom (decisions: graphs/engage/handoff_decisions.py)."""

from __future__ import annotations

from sqlalchemy import case
from sqlmodel import Session, col, func, select

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


def handoff_page(
    session: Session,
    *,
    target: HandoffTarget | None = None,
    status: HandoffStatus | None = None,
    assignee_id: str | None = None,
    offset: int = 0,
    limit: int = 50,
) -> tuple[int, list[Handoff]]:
    """One page of hand-offs, pending first, then newest first; and how many match."""
    conditions = []
    if target is not None:
        conditions.append(Handoff.target == target)
    if status is not None:
        conditions.append(Handoff.status == status)
    if assignee_id is not None:
        conditions.append(Handoff.assignee_id == assignee_id)
    total = session.exec(select(func.count()).select_from(Handoff).where(*conditions)).one()
    pending_first = case((Handoff.status == HandoffStatus.PENDING, 0), else_=1)
    rows = session.exec(
        select(Handoff)
        .where(*conditions)
        .order_by(pending_first, col(Handoff.created_on).desc(), col(Handoff.id).desc())
        .offset(offset)
        .limit(limit)
    )
    return total, list(rows)
