"""The send gate: may the agent email this lead now? Enforced in code, before every send.

The gate reads CRM flags and counters only, never anything the lead wrote, so no reply
can open it. "Blocked for good" reasons (opt-out, do-not-contact, bad address, seller
took over, message limit) end the agent's emailing; "not now" reasons (daily cap, quiet
hours) come with the earliest time to try again.
"""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta

from pydantic import BaseModel, ConfigDict, Field, field_validator

from core.clock import as_utc
from graphs.engage.business_calendar import (
    BusinessHours,
    at_local,
    describe_local,
    next_send_time,
    resolve_time_zone,
    zone_or_none,
)

# A backstop only: the email check tool judges validity; this catches the obviously broken.
_EMAIL_SHAPE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def _known_zone(value: str) -> str:
    if zone_or_none(value) is None:
        raise ValueError(
            f"{value!r} is not an IANA time zone or UTC offset; use a name such as UTC, "
            "Europe/Paris or America/New_York, or an offset such as UTC+05:30"
        )
    return value.strip()


class GuardrailSettings(BaseModel):
    """Limits on what the agent sends (admin settings)."""

    model_config = ConfigDict(extra="forbid")

    daily_send_cap_per_mailbox: int = Field(
        default=50, ge=1, description="Emails per sending mailbox per day (practice: 50-150)."
    )
    max_messages_per_lead: int = Field(
        default=4, ge=1, description="Emails the agent sends one lead in all."
    )
    business_hours: BusinessHours = Field(default_factory=BusinessHours)
    default_time_zone: str = Field(
        default="UTC", description="Used for leads whose time zone is missing or unknown."
    )
    mailbox_time_zone: str = Field(
        default="UTC", description="The zone whose midnight resets the daily send cap."
    )
    link_allowlist: list[str] = Field(
        default_factory=list,
        description="Domains an email may link to besides ours and the lead's own "
        "(e.g. a booking or video service).",
    )

    @field_validator("default_time_zone")
    @classmethod
    def _default_zone(cls, value: str) -> str:
        return _known_zone(value)

    @field_validator("mailbox_time_zone")
    @classmethod
    def _mailbox_zone(cls, value: str) -> str:
        return _known_zone(value)


class SendContext(BaseModel):
    """Everything the gate looks at for one email to one lead."""

    lead_id: str | None = None
    email: str | None
    email_valid: bool | None = Field(
        default=None, description="From the email check; None = unchecked."
    )
    do_not_email: bool = False
    do_not_contact: bool = False
    taken_over_by: str | None = Field(default=None, description="Seller who took over the thread.")
    company_stopped: str | None = Field(
        default=None, description="Why nobody at the lead's company is emailed any more."
    )
    messages_sent_to_lead: int = Field(default=0, ge=0)
    mailbox: str | None = None
    mailbox_sent_today: int = Field(default=0, ge=0, description="Counted over mailbox_day().")
    mailbox_daily_cap: int | None = Field(
        default=None, ge=0, description="The cap in force today (warm-up); None = the setting."
    )
    mailbox_paused: str | None = Field(
        default=None, description="Why the bounce breaker paused the mailbox; None = sending."
    )
    now_utc: datetime
    time_zone: str | None = Field(default=None, description="The lead's IANA time zone.")


class GateDecision(BaseModel):
    """The gate's answer: allowed, or why not and until when."""

    allowed: bool
    blocked_for_good: bool = False
    reasons: list[str] = Field(default_factory=list)
    not_before: datetime | None = Field(default=None, description="Earliest retry (UTC).")
    notes: list[str] = Field(default_factory=list, description="e.g. a time-zone fallback.")


def mailbox_day(now_utc: datetime, settings: GuardrailSettings) -> tuple[datetime, datetime]:
    """The mailbox's current day as [start, end) in UTC: count sends in it for the cap."""
    zone, _ = resolve_time_zone(settings.mailbox_time_zone)
    today = as_utc(now_utc).astimezone(zone).date()
    return at_local(today, time(0, 0), zone), at_local(today + timedelta(days=1), time(0, 0), zone)


def permanent_reasons(ctx: SendContext, settings: GuardrailSettings) -> list[str]:
    """Why this lead may never be emailed (opt-out, no valid address, ...); empty if none."""
    return _permanent_reasons(ctx, settings)


def _permanent_reasons(ctx: SendContext, settings: GuardrailSettings) -> list[str]:
    reasons: list[str] = []
    if ctx.do_not_email:
        reasons.append("the lead opted out of email (do not email)")
    if ctx.do_not_contact:
        reasons.append("the lead is marked do not contact")
    email = (ctx.email or "").strip()
    if not email:
        reasons.append("the lead has no email address")
    elif ctx.email_valid is False:
        reasons.append(f"the email address {email} is invalid")
    elif not _EMAIL_SHAPE.match(email):
        reasons.append(f"{email!r} is not an email address")
    if ctx.taken_over_by:
        reasons.append(f"seller {ctx.taken_over_by} has taken over the conversation")
    if ctx.company_stopped:
        reasons.append(ctx.company_stopped)
    if ctx.messages_sent_to_lead >= settings.max_messages_per_lead:
        reasons.append(
            f"{ctx.messages_sent_to_lead} emails already sent to this lead; the limit is "
            f"{settings.max_messages_per_lead}"
        )
    return reasons


def check_send(ctx: SendContext, settings: GuardrailSettings) -> GateDecision:
    """Whether the agent may send this email now; if not, why, and whether ever again."""
    permanent = _permanent_reasons(ctx, settings)
    if permanent:
        return GateDecision(allowed=False, blocked_for_good=True, reasons=permanent)

    now = as_utc(ctx.now_utc)
    hours, default_tz = settings.business_hours, settings.default_time_zone
    _, zone_note = resolve_time_zone(ctx.time_zone, default_tz)
    notes = [zone_note] if zone_note else []
    reasons: list[str] = []
    earliest = now

    cap = (
        ctx.mailbox_daily_cap
        if ctx.mailbox_daily_cap is not None
        else settings.daily_send_cap_per_mailbox
    )
    mailbox = ctx.mailbox or "the sending mailbox"
    if ctx.mailbox_paused:
        # Looked at again each day: only an admin's resume lifts a pause.
        reasons.append(f"{mailbox} is paused: {ctx.mailbox_paused}")
        earliest = mailbox_day(now, settings)[1]
    elif ctx.mailbox_sent_today >= cap:
        _, tomorrow = mailbox_day(now, settings)
        reasons.append(
            f"{mailbox} has sent {ctx.mailbox_sent_today} emails today; its daily cap is {cap}"
        )
        earliest = tomorrow

    opening = next_send_time(earliest, ctx.time_zone, hours, default_tz)
    if opening > earliest:
        reasons.append(
            "outside business hours for the lead at "
            f"{describe_local(earliest, ctx.time_zone, default_tz)}; next opening "
            f"{describe_local(opening, ctx.time_zone, default_tz)}"
        )
    if reasons:
        return GateDecision(allowed=False, reasons=reasons, not_before=opening, notes=notes)
    return GateDecision(allowed=True, notes=notes)
