"""Sender reputation rules, pure: a mailbox's warm-up ramp, the bounce-rate breaker, the
company-wide stop setting, and the footer (signature, AI disclosure) of every agent email.

A new mailbox that sends its full cap on day one, or keeps sending while its mail bounces,
gets its domain's mail filtered as spam; practice is to start at about 10 a day, rise week
by week to 50-150, and stop a mailbox whose hard bounces pass about 3 %.
"""

from __future__ import annotations

import re
from datetime import date

from pydantic import BaseModel, ConfigDict, Field, field_validator

_ADDRESS = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class SendingMailbox(BaseModel):
    """A mailbox the agent sends from; in YAML a plain address, or the address with its
    warm-up start and its own daily cap."""

    model_config = ConfigDict(extra="forbid")

    address: str
    warm_up_from: date | None = Field(
        default=None, description="First day of its warm-up; None = warmed up already."
    )
    daily_cap: int | None = Field(
        default=None, ge=1, description="Its cap once warm; None = guardrails' daily cap."
    )

    @field_validator("address")
    @classmethod
    def _address(cls, value: str) -> str:
        value = value.strip().lower()
        if not _ADDRESS.match(value):
            raise ValueError(
                f"{value!r} is not an email address; write the sending address, "
                "e.g. alex@northwind.example"
            )
        return value


class WarmUpRamp(BaseModel):
    """How a new mailbox's daily cap rises: `start_per_day` in its first week, then
    `increase_per_week` more each week, up to the mailbox's cap."""

    model_config = ConfigDict(extra="forbid")

    start_per_day: int = Field(default=10, ge=1)
    increase_per_week: int = Field(default=10, ge=1)


class BounceBreaker(BaseModel):
    """Pause a mailbox whose hard bounces pass `max_hard_bounce_rate` of its last
    `window_sends` sends (judged once it has sent `min_sends`)."""

    model_config = ConfigDict(extra="forbid")

    max_hard_bounce_rate: float = Field(default=0.03, gt=0, lt=1)
    window_sends: int = Field(default=100, ge=1)
    min_sends: int = Field(default=20, ge=1)


class EmailFooter(BaseModel):
    """What ends every email the agent writes; a seller's own email gets neither."""

    model_config = ConfigDict(extra="forbid")

    signature: str | None = Field(
        default=None, description="None: the outreach signature (`qualify settings`)."
    )
    ai_disclosure: str | None = Field(
        default="This email was written by an AI assistant on behalf of {sender_name}, "
        "{sender_company}.",
        description="May name {sender_name} and {sender_company}; null = no disclosure.",
    )

    @field_validator("ai_disclosure")
    @classmethod
    def _known_placeholders(cls, value: str | None) -> str | None:
        if value is None:
            return None
        try:
            value.format(sender_name="A", sender_company="B")
        except (KeyError, IndexError, ValueError) as exc:
            raise ValueError(
                f"the disclosure has an unknown placeholder ({exc}); "
                "only {sender_name} and {sender_company} are filled in"
            ) from exc
        return value


class SenderReputation(BaseModel):
    """The admin's sender-reputation settings (the `sender_reputation` block)."""

    model_config = ConfigDict(extra="forbid")

    warm_up: WarmUpRamp = Field(default_factory=WarmUpRamp)
    bounce_breaker: BounceBreaker = Field(default_factory=BounceBreaker)
    company_wide_stop: bool = Field(
        default=True,
        description="A 'not interested' or an opt-out stops the agent's email to everyone "
        "at that lead's account or company domain.",
    )
    footer: EmailFooter = Field(default_factory=EmailFooter)


def daily_cap_on(mailbox: SendingMailbox, default_cap: int, ramp: WarmUpRamp, day: date) -> int:
    """The mailbox's cap on `day`: its ramp during warm-up, its full cap after."""
    full = mailbox.daily_cap or default_cap
    if mailbox.warm_up_from is None:
        return full
    if day < mailbox.warm_up_from:
        return 0  # not started yet: the admin set a future start
    weeks = (day - mailbox.warm_up_from).days // 7
    return min(full, ramp.start_per_day + weeks * ramp.increase_per_week)


def breaker_reason(sends: int, hard_bounces: int, breaker: BounceBreaker) -> str | None:
    """Why the mailbox must pause, or None: over the bounce rate among its recent sends."""
    if sends < breaker.min_sends or sends == 0:
        return None
    rate = hard_bounces / sends
    if rate <= breaker.max_hard_bounce_rate:
        return None
    return (
        f"{hard_bounces} hard bounces in its last {sends} sends ({rate:.1%}) is over the "
        f"{breaker.max_hard_bounce_rate:.1%} limit"
    )


def with_footer(body: str, signature: str, disclosure: str | None) -> str:
    """The body ending with the signature (added unless the writer already wrote it) and
    the AI disclosure."""
    text = body.rstrip()
    signature = signature.strip()
    if signature and " ".join(signature.split()) not in " ".join(
        text[-4 * len(signature) :].split()
    ):
        text = f"{text}\n\n{signature}"
    if disclosure and disclosure.strip() not in text:
        text = f"{text}\n\n--\n{disclosure.strip()}"
    return text + "\n"
