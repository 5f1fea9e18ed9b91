"""A hand-off nobody decided in time goes up: after N business hours (the guardrails'
business hours, in the mailbox time zone) it is given, once, to the supervisor or the
rotation's next seller, and both the new and the old assignee are told."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import update
from sqlmodel import Session, col, select

from core.clock import as_utc
from graphs.engage.business_calendar import BusinessHours, at_local, resolve_time_zone
from graphs.engage.engage_settings import EngageSettings
from graphs.engage.handoff_routing import (
    ResolvedRouting,
    first_supervisor,
    resolve_routing,
    supervisor_of,
    take_turn,
)
from store.crm import User
from store.db import session_scope
from store.engagement import Handoff, HandoffStatus, HandoffTarget
from store.seller_inbox import notify
from tools.mail.user_notices import email_notice

_MAX_SEARCH_DAYS = 3 * 366

# -- the rule (pure) -------------------------------------------------------------------------


def add_business_hours(
    start_utc: datetime, hours_n: float, hours: BusinessHours, tz_name: str | None
) -> datetime:
    """The instant `hours_n` business hours after `start_utc` (UTC): only the open hours
    of business days, on the local calendar of `tz_name`, count."""
    zone, _ = resolve_time_zone(tz_name)
    cursor = as_utc(start_utc)
    remaining = timedelta(hours=hours_n)
    day = cursor.astimezone(zone).date()
    for _ in range(_MAX_SEARCH_DAYS):
        if hours.is_business_day(day):
            opening, closing = at_local(day, hours.start, zone), at_local(day, hours.end, zone)
            begin = max(cursor, opening)
            if begin < closing:
                if remaining <= closing - begin:
                    return begin + remaining
                remaining -= closing - begin
        day += timedelta(days=1)
    raise ValueError("no business hours found; check business_hours.days and holidays")


def escalation_due(
    created_on: datetime,
    now: datetime,
    after_business_hours: int | None,
    hours: BusinessHours,
    tz_name: str | None,
) -> bool:
    """Whether a hand-off made at `created_on` has waited `after_business_hours` business
    hours by `now` (never, when None)."""
    if after_business_hours is None:
        return False
    return as_utc(now) >= add_business_hours(created_on, after_business_hours, hours, tz_name)


# -- escalating ------------------------------------------------------------------------------


def _target(
    session: Session, handoff: Handoff, routing: ResolvedRouting, now: datetime
) -> str | None:
    """Who an overdue hand-off goes to (None: nobody other than its assignee)."""
    current = handoff.assignee_id
    if routing.settings.escalate_to == "next_in_rotation" and handoff.target == (
        HandoffTarget.SELLER
    ):
        chosen = take_turn(session, routing, now)
        if chosen == current:
            chosen = take_turn(session, routing, now)  # its turn passes: the next one
        if chosen is not None and chosen != current:
            return chosen
    chosen = supervisor_of(session, routing)
    if chosen == current:
        # It is the supervisor's already: the next supervisor, if there is one.
        chosen = first_supervisor(session, besides=current)
    return chosen


def _user_name(session: Session, user_id: str | None) -> str:
    user = session.get(User, user_id) if user_id else None
    return user.full_name if user else (user_id or "nobody")


def escalate_overdue(database_url: str, settings: EngageSettings, *, now: datetime) -> int:
    """Escalate each pending hand-off past the limit, once; the count escalated now."""
    routing_settings = settings.routing
    after = routing_settings.escalate_after_business_hours
    if after is None:
        return 0
    guardrails = settings.guardrails
    now = as_utc(now)
    escalated = 0
    with session_scope(database_url) as session:
        pending = session.exec(
            select(Handoff)
            .where(Handoff.status == HandoffStatus.PENDING, col(Handoff.escalated_on).is_(None))
            .order_by(col(Handoff.id))
        ).all()
        overdue = [
            h
            for h in pending
            if escalation_due(
                h.created_on,
                now,
                after,
                guardrails.business_hours,
                guardrails.mailbox_time_zone,
            )
        ]
        if not overdue:
            return 0
        routing = resolve_routing(
            session, routing_settings, legacy_supervisor_id=settings.supervisor_id
        )
        for handoff in overdue:
            target = _target(session, handoff, routing, now)
            if target is None:
                continue  # nobody else to give it to: it stays, and is tried next pass
            previous = handoff.assignee_id
            # Claimed by its own update: of two passes at once, one escalates it.
            claimed = session.exec(
                update(Handoff)  # type: ignore[call-overload]
                .where(col(Handoff.id) == handoff.id, col(Handoff.escalated_on).is_(None))
                .values(assignee_id=target, escalated_from=previous, escalated_on=now)
            )
            if claimed.rowcount == 0:
                continue
            escalated += 1
            waited = f"waited over {after} business hours"
            lead = handoff.lead_id
            told = [
                (
                    target,
                    f"hand-off {handoff.id} of {lead} ({handoff.rule_id}) {waited} with "
                    f"{_user_name(session, previous)} and is now yours: "
                    f"`qualify handoffs show {handoff.id}`",
                    f"handoff_escalated:{handoff.id}",
                ),
                (
                    previous,
                    f"hand-off {handoff.id} of {lead} {waited} and went to "
                    f"{_user_name(session, target)}",
                    f"handoff_escalated_from:{handoff.id}",
                ),
            ]
            for user_id, text, key in told:
                if user_id is None:
                    continue
                notice = notify(
                    session,
                    user_id=user_id,
                    lead_id=lead,
                    kind="handoff",
                    text=text,
                    key=key,
                    now=now,
                    handoff_id=handoff.id,
                )
                email_notice(session, notice, now)
    return escalated
