"""A sending mailbox's health: its recent hard bounces, and its pause by the bounce breaker.

A pause is a row until an admin resumes it; while paused the outbox sends nothing from
the mailbox and its queued mail waits. Admins and supervisors get a notice in their queue.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel
from sqlmodel import Session, and_, col, or_, select

from core.clock import as_utc
from store.crm import SecurityRole, User
from store.engagement import DeliveryStatus, Direction, EmailMessage
from store.seller_inbox import notify
from store.sender_reputation import MailboxPause


class BounceRecord(BaseModel):
    """A mailbox's last sends and how many of them bounced hard."""

    sends: int
    hard_bounces: int

    @property
    def rate(self) -> float:
        """Hard bounces per send (0 before any send)."""
        return self.hard_bounces / self.sends if self.sends else 0.0


def bounce_record(session: Session, mailbox: str, window: int) -> BounceRecord:
    """The mailbox's last `window` sends (delivered, or refused for good by the server)
    since its last resume, and the hard bounces reported on them: a resumed mailbox
    starts a new record, or the old bounces would pause it again at once."""
    resumed = session.exec(
        select(MailboxPause.resumed_on)
        .where(MailboxPause.mailbox == mailbox.strip().lower())
        .where(col(MailboxPause.resumed_on).is_not(None))
        .order_by(col(MailboxPause.resumed_on).desc())
    ).first()
    query = select(EmailMessage.message_id, EmailMessage.lead_id)
    if resumed is not None:
        sent_on, created_on = col(EmailMessage.sent_on), col(EmailMessage.created_on)
        query = query.where(or_(sent_on > resumed, and_(sent_on.is_(None), created_on > resumed)))
    tried = session.exec(
        query.where(
            EmailMessage.mailbox == mailbox.strip().lower(),
            EmailMessage.direction == Direction.OUTBOUND,
            EmailMessage.kind != "notice",
            col(EmailMessage.status).in_([DeliveryStatus.SENT, DeliveryStatus.FAILED]),
            EmailMessage.attempts > 0,
        )
        .order_by(col(EmailMessage.id).desc())
        .limit(window)
    ).all()
    ids = {message_id for message_id, _ in tried}
    leads = {lead_id for _, lead_id in tried if lead_id}
    if not leads:
        return BounceRecord(sends=len(tried), hard_bounces=0)
    notices = session.exec(
        select(EmailMessage).where(
            EmailMessage.direction == Direction.INBOUND,
            col(EmailMessage.lead_id).in_(leads),
        )
    ).all()
    bounced = {
        notice.in_reply_to
        if notice.in_reply_to in ids
        else notice.headers.get("original_message_id")
        for notice in notices
        # A bounce not known to be transient (a 4.x.x "delayed") counts as hard.
        if notice.headers.get("bounce") and notice.headers.get("permanent") is not False
    }
    return BounceRecord(sends=len(tried), hard_bounces=len(bounced & ids))


def pause_of(session: Session, mailbox: str) -> MailboxPause | None:
    """The mailbox's pause in force, if any."""
    return session.exec(
        select(MailboxPause).where(
            MailboxPause.mailbox == mailbox.strip().lower(), col(MailboxPause.resumed_on).is_(None)
        )
    ).first()


def pause_mailbox(session: Session, mailbox: str, reason: str, now: datetime) -> MailboxPause:
    """Pause the mailbox (once) and tell every admin and supervisor. The caller commits."""
    existing = pause_of(session, mailbox)
    if existing is not None:
        return existing
    pause = MailboxPause(mailbox=mailbox.strip().lower(), reason=reason, paused_on=as_utc(now))
    session.add(pause)
    session.flush()
    users = session.exec(
        select(User).where(
            col(User.security_role).in_([SecurityRole.ADMIN, SecurityRole.SUPERVISOR])
        )
    ).all()
    for user in users:
        notify(
            session,
            user_id=user.id,
            lead_id=None,
            kind="mailbox_paused",
            text=(
                f"Sending mailbox {pause.mailbox} is paused: {reason}. Its queued mail waits. "
                f"Fix the list, then `qualify engage mailboxes resume {pause.mailbox}`."
            ),
            key=f"mailbox_paused:{pause.id}:{user.id}",
            now=as_utc(now),
        )
    return pause


def resume_mailbox(session: Session, mailbox: str, by: str | None, now: datetime) -> bool:
    """End the mailbox's pause; False if it was not paused. The caller commits."""
    pause = pause_of(session, mailbox)
    if pause is None:
        return False
    pause.resumed_on, pause.resumed_by = as_utc(now), by
    session.add(pause)
    return True
