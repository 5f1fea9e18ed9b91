"""A user's notice, emailed to them through the outbox when a notice mailbox is set."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from core.settings import get_settings
from store.crm import User
from store.engagement import EmailMessage
from store.seller_inbox import SellerNotice
from tools.mail.outbox import NOTICE_KIND, enqueue_email

_SUBJECTS = {"handoff": "Hand-off", "review": "Email waiting for your review"}


def email_notice(session: Session, notice: SellerNotice, now: datetime) -> EmailMessage | None:
    """Queue the notice as an email to its user, once (None: no notice mailbox is set, or
    the user has no address). The caller commits."""
    mailbox = get_settings().notice_mailbox
    user = session.get(User, notice.user_id)
    if mailbox is None or user is None or not user.email:
        return None
    lead = f" ({notice.lead_id})" if notice.lead_id else ""
    return enqueue_email(
        session,
        idempotency_key=f"notice:{notice.key}",
        # Not the lead's: a notice is mail to a colleague, never part of the conversation.
        lead_id=None,
        mailbox=mailbox,
        to_address=user.email,
        subject=f"[Qualify] {_SUBJECTS.get(notice.kind, 'Reply')}{lead}",
        body=f"{notice.text}\n\nSee it with: qualify inbox --user {user.id}\n",
        kind=NOTICE_KIND,
        in_reply_to=None,
        references=[],
        now=now,
    )
