"""The sending mailboxes now: each one's cap today (warm-up ramp), sent today, bounce rate
and state; the bounce breaker tripped where its rate is over the limit.

The rules are `sender_reputation` (pure); the records are `tools.mail.mailbox_health`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Literal

from pydantic import BaseModel
from sqlmodel import Session

from core.clock import as_utc
from graphs.engage.business_calendar import resolve_time_zone
from graphs.engage.engage_settings import EngageSettings
from graphs.engage.guardrails import mailbox_day
from graphs.engage.sender_reputation import breaker_reason, daily_cap_on
from store.conversations import mailbox_sends
from tools.mail.mailbox_health import bounce_record, pause_mailbox, pause_of

MailboxState = Literal["sending", "warming up", "not started", "paused"]


class MailboxStatus(BaseModel):
    """One mailbox as `qualify engage mailboxes` shows it."""

    address: str
    cap_today: int
    sent_today: int
    recent_sends: int
    hard_bounces: int
    bounce_rate: float
    state: MailboxState
    note: str | None = None


def cap_today(settings: EngageSettings, address: str, now: datetime) -> int:
    """The mailbox's daily cap in force on `now`'s day in the mailbox time zone."""
    zone, _ = resolve_time_zone(settings.guardrails.mailbox_time_zone)
    day = as_utc(now).astimezone(zone).date()
    return daily_cap_on(
        settings.sending_mailbox(address),
        settings.guardrails.daily_send_cap_per_mailbox,
        settings.sender_reputation.warm_up,
        day,
    )


def paused_reason(
    session: Session, settings: EngageSettings, address: str, now: datetime
) -> str | None:
    """Why the mailbox sends nothing now, or None. Trips the breaker when its recent hard
    bounces are over the limit: the pause is recorded and the admins are told (the caller
    commits)."""
    pause = pause_of(session, address)
    if pause is not None:
        return pause.reason
    breaker = settings.sender_reputation.bounce_breaker
    record = bounce_record(session, address, breaker.window_sends)
    reason = breaker_reason(record.sends, record.hard_bounces, breaker)
    if reason is None:
        return None
    return pause_mailbox(session, address, reason, now).reason


def mailbox_hold(settings: EngageSettings, now: datetime) -> Callable[[Session, str], str | None]:
    """The outbox's check before sending from a mailbox (`deliver_due(mailbox_hold=...)`)."""

    def hold(session: Session, address: str) -> str | None:
        reason = paused_reason(session, settings, address, now)
        session.commit()  # the pause and the admins' notices stand even if sending fails
        return reason

    return hold


def mailbox_statuses(
    session: Session, settings: EngageSettings, now: datetime
) -> list[MailboxStatus]:
    """Every sending mailbox's cap today, sent today, recent bounce rate and state."""
    statuses = []
    day = mailbox_day(now, settings.guardrails)
    for mailbox in settings.mailboxes:
        cap = cap_today(settings, mailbox.address, now)
        full = mailbox.daily_cap or settings.guardrails.daily_send_cap_per_mailbox
        window = settings.sender_reputation.bounce_breaker.window_sends
        record = bounce_record(session, mailbox.address, window)
        reason = paused_reason(session, settings, mailbox.address, now)
        state: MailboxState = (
            "paused"
            if reason is not None
            else "not started"
            if cap == 0
            else "warming up"
            if cap < full
            else "sending"
        )
        note = reason
        if state == "not started" and mailbox.warm_up_from is not None:
            note = f"warm-up starts {mailbox.warm_up_from.isoformat()}"
        statuses.append(
            MailboxStatus(
                address=mailbox.address,
                cap_today=cap,
                sent_today=mailbox_sends(session, mailbox.address, *day, sent_only=True),
                recent_sends=record.sends,
                hard_bounces=record.hard_bounces,
                bounce_rate=record.rate,
                state=state,
                note=note,
            )
        )
    return statuses
