"""Each user's queue of things the agent needs them to see: a hand-off made to them, a
reply from a lead whose conversation they took over."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel import Field, Session, SQLModel, col, select

from core.clock import utc_now


class SellerNotice(SQLModel, table=True):
    """One item in a user's queue."""

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(unique=True, description="Once per event: 'handoff:<key>', 'reply:<id>'.")
    user_id: str = Field(foreign_key="user.id", index=True)
    lead_id: str | None = Field(default=None, foreign_key="lead.id")
    kind: str = Field(description="handoff or reply.")
    text: str
    handoff_id: int | None = None
    created_on: datetime = Field(default_factory=utc_now)
    read_on: datetime | None = None


def notify(
    session: Session,
    *,
    user_id: str,
    lead_id: str | None,
    kind: str,
    text: str,
    key: str,
    now: datetime,
    handoff_id: int | None = None,
) -> SellerNotice:
    """Queue a notice once per `key` (a repeat, or a race with another worker, returns
    the first); the caller commits."""
    existing = session.exec(select(SellerNotice).where(SellerNotice.key == key)).first()
    if existing is not None:
        return existing
    notice = SellerNotice(
        key=key,
        user_id=user_id,
        lead_id=lead_id,
        kind=kind,
        text=text,
        handoff_id=handoff_id,
        created_on=now,
    )
    try:
        with session.begin_nested():
            session.add(notice)
    except IntegrityError:
        found = session.exec(select(SellerNotice).where(SellerNotice.key == key)).first()
        if found is None:
            raise
        return found
    return notice


def notices_for(
    session: Session, user_id: str | None, *, unread_only: bool = True
) -> list[SellerNotice]:
    """A user's notices (everyone's when None), newest first."""
    query = select(SellerNotice)
    if user_id is not None:
        query = query.where(SellerNotice.user_id == user_id)
    if unread_only:
        query = query.where(col(SellerNotice.read_on).is_(None))
    return list(session.exec(query.order_by(col(SellerNotice.created_on).desc())))
