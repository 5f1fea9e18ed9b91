"""When the next follow-up, out-of-office retry or check-in is due. Pure rules, no DB."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from pydantic import BaseModel, ConfigDict, Field

from core.clock import as_utc
from graphs.engage.business_calendar import (
    BusinessHours,
    add_business_days,
    at_local,
    next_send_time,
    resolve_time_zone,
)


class FollowUpPolicy(BaseModel):
    """How long the agent waits for a reply and how often it follows up (admin settings)."""

    model_config = ConfigDict(extra="forbid")

    wait_business_days: int = Field(
        default=3, ge=1, description="Business days without a reply before a follow-up."
    )
    max_follow_ups: int = Field(
        default=2, ge=0, description="Follow-ups after the first outreach; 0 = none."
    )
    check_in_default_days: int = Field(
        default=30, ge=1, description="Calendar days to a check-in after 'not now' without a date."
    )
    ooo_grace_business_days: int = Field(
        default=1,
        ge=0,
        description="Business days left to a lead back from holiday before emailing.",
    )


def next_follow_up_at(
    last_outbound_utc: datetime,
    policy: FollowUpPolicy,
    tz_name: str | None,
    hours: BusinessHours,
    default_tz: str = "UTC",
) -> datetime:
    """When a follow-up is due if no reply comes: `wait_business_days` after the last email."""
    return add_business_days(
        last_outbound_utc, policy.wait_business_days, tz_name, hours, default_tz
    )


def after_out_of_office(
    return_date: date | datetime | None,
    tz_name: str | None,
    hours: BusinessHours,
    policy: FollowUpPolicy,
    *,
    received_on_utc: datetime | None = None,
    default_tz: str = "UTC",
) -> datetime:
    """The first send time once the lead is back, plus the grace business days (UTC).

    A date means "back at the start of that (local) day"; a datetime is the exact moment
    (naive = the lead's local time). So a return on Friday with one grace day gives the
    Monday opening, and "back Friday 19:00" gives Monday's opening plus one: Tuesday.
    Without a return date, or with one already past when the auto-reply arrived, the
    usual follow-up wait from `received_on_utc` applies.
    """
    zone, _ = resolve_time_zone(tz_name, default_tz)
    received = as_utc(received_on_utc) if received_on_utc is not None else None
    if return_date is None:
        if received is None:
            raise ValueError("give the return date or the time the auto-reply was received")
        return next_follow_up_at(received, policy, tz_name, hours, default_tz)
    if isinstance(return_date, datetime):
        aware = return_date if return_date.tzinfo is not None else return_date.replace(tzinfo=zone)
        back = as_utc(aware)
    else:
        back = at_local(return_date, time(0, 0), zone)
    if received is not None and back <= received:
        return next_follow_up_at(received, policy, tz_name, hours, default_tz)
    first_day_back = next_send_time(back, tz_name, hours, default_tz)
    return add_business_days(
        first_day_back, policy.ooo_grace_business_days, tz_name, hours, default_tz
    )


def check_in_at(
    check_in_date: date | None,
    received_on_utc: datetime,
    policy: FollowUpPolicy,
    tz_name: str | None,
    hours: BusinessHours,
    default_tz: str = "UTC",
) -> datetime:
    """When to check in after "not now": the first opening on the date the lead named, or
    `check_in_default_days` calendar days after the reply (same local time or the next
    opening) when no date was given or the date is not after the reply."""
    zone, _ = resolve_time_zone(tz_name, default_tz)
    local_received = as_utc(received_on_utc).astimezone(zone)
    if check_in_date is not None and check_in_date > local_received.date():
        return next_send_time(at_local(check_in_date, time(0, 0), zone), tz_name, hours, default_tz)
    day = local_received.date() + timedelta(days=policy.check_in_default_days)
    wall = time(local_received.hour, local_received.minute, local_received.second)
    return next_send_time(at_local(day, wall, zone), tz_name, hours, default_tz)


def follow_ups_exhausted(sent: int, policy: FollowUpPolicy) -> bool:
    """Whether every allowed follow-up has been sent."""
    return sent >= policy.max_follow_ups
