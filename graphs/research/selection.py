"""Which leads the research agent takes, and when its research goes stale. Pure rules, no DB."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from enum import Enum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from core.clock import as_utc
from store.crm import Lead, LeadStatus, SecurityRole

# --- Settings -------------------------------------------------------------------------------


def _allowed_values(field: str, values: Iterable[object], allowed: type[Enum]) -> list[str]:
    """Lowercase, de-duplicate and check values against an enum, naming the field on error."""
    choices = [str(member.value) for member in allowed]
    cleaned: list[str] = []
    for value in values:
        text = str(value.value if isinstance(value, Enum) else value).strip().lower()
        if text not in choices:
            raise ValueError(f"{field}: {value!r} is not allowed; use one of {', '.join(choices)}")
        if text not in cleaned:
            cleaned.append(text)
    if not cleaned:
        raise ValueError(f"{field}: list at least one of {', '.join(choices)}")
    return cleaned


class SelectionRules(BaseModel):
    """Which leads research takes (admin settings). Dynamics never takes leads without a
    company name or a primary email; both stay switchable here."""

    model_config = ConfigDict(extra="forbid")

    statuses: list[str] = Field(default_factory=lambda: ["open"])
    max_age_days: int | None = Field(
        default=14, description="Take leads created in the last N days; None = no age limit."
    )
    allowed_roles: list[str] = Field(
        default_factory=lambda: ["seller", "sales_manager"],
        description="Security roles of lead owners who may use the agent.",
    )
    require_email: bool = True
    require_company: bool = True
    # Dynamics' engage mode also excludes "Employee referral" and "Partner"; research takes all.
    excluded_sources: list[str] = Field(default_factory=list)

    @field_validator("statuses", mode="before")
    @classmethod
    def _known_statuses(cls, value: object) -> list[str]:
        return _allowed_values("statuses", _as_list("statuses", value), LeadStatus)

    @field_validator("allowed_roles", mode="before")
    @classmethod
    def _known_roles(cls, value: object) -> list[str]:
        return _allowed_values("allowed_roles", _as_list("allowed_roles", value), SecurityRole)

    @field_validator("max_age_days")
    @classmethod
    def _positive_age(cls, value: int | None) -> int | None:
        if value is not None and value < 1:
            raise ValueError(
                f"max_age_days: {value} would take no lead; use 1 or more, or leave it empty "
                "for no age limit"
            )
        return value

    @field_validator("excluded_sources", mode="before")
    @classmethod
    def _clean_sources(cls, value: object) -> list[str]:
        cleaned: list[str] = []
        for source in _as_list("excluded_sources", value):
            text = str(source).strip()
            if text and text.casefold() not in {s.casefold() for s in cleaned}:
                cleaned.append(text)
        return cleaned


def _as_list(field: str, value: object) -> list[object]:
    if isinstance(value, str):
        return [value]  # a single YAML scalar is a one-item list, not a list of letters
    if isinstance(value, Iterable):
        return list(value)
    raise ValueError(f"{field}: expected a list, got {value!r}")


class RefreshSchedule(BaseModel):
    """When research on a lead is redone."""

    model_config = ConfigDict(extra="forbid")

    refresh_after_hours: float | None = Field(
        default=24,
        description="Research older than this is stale; None = refresh on changes only "
        "(Dynamics' behaviour).",
    )
    refresh_on_change: bool = Field(
        default=True, description="Redo research when the lead changed after it."
    )

    @field_validator("refresh_after_hours")
    @classmethod
    def _positive_hours(cls, value: float | None) -> float | None:
        if value is not None and value <= 0:
            raise ValueError(
                f"refresh_after_hours: {value} would redo research on every run; use a number "
                "of hours above 0, or leave it empty to refresh on changes only"
            )
        return value


# --- Eligibility ----------------------------------------------------------------------------


LeftOutRule = Literal["too_old", "status", "owner_role", "no_email", "no_company", "source"]

LEFT_OUT_FIXES: dict[str, str] = {
    "too_old": "created too long ago (selection.max_age_days)",
    "status": "status not taken (selection.statuses)",
    "owner_role": "owner missing or in a role that may not use the agent (selection.allowed_roles)",
    "no_email": "no primary email (selection.require_email)",
    "no_company": "no company name (selection.require_company)",
    "source": "an excluded source (selection.excluded_sources)",
}
"""Each rule that leaves leads out, and the setting that changes it (`qualify settings`)."""


class Eligibility(BaseModel):
    """Whether research takes a lead, with every failing rule in words."""

    eligible: bool
    reasons: list[str] = Field(default_factory=list)
    rules: list[LeftOutRule] = Field(default_factory=list, description="The rules that failed.")


def _days(n: int) -> str:
    return f"{n} day" if n == 1 else f"{n} days"


def _either(values: list[str]) -> str:
    words = [v.replace("_", " ") for v in values]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]


def check_eligibility(
    lead: Lead, owner_role: str | None, now: datetime, rules: SelectionRules
) -> Eligibility:
    """Check one lead against the selection rules; naive datetimes are taken as UTC."""
    reasons: list[str] = []
    failed: list[LeftOutRule] = []

    if rules.max_age_days is not None:
        age = as_utc(now) - as_utc(lead.created_on)
        limit = timedelta(days=rules.max_age_days)
        if age > limit:
            # Over by less than a day would read "created 14 days ago": say "more than" instead.
            when = (
                _days(age.days)
                if age.days > rules.max_age_days
                else f"more than {_days(rules.max_age_days)}"
            )
            reasons.append(
                f"created {when} ago; research takes leads created in the last "
                f"{_days(rules.max_age_days)}"
            )
            failed.append("too_old")

    status = str(getattr(lead.status, "value", lead.status))
    if status not in rules.statuses:
        reasons.append(f"status is {status}; research takes {_either(rules.statuses)} leads")
        failed.append("status")

    owners = f"research takes leads owned by users with role {_either(rules.allowed_roles)}"
    role = None if owner_role is None else str(getattr(owner_role, "value", owner_role)).lower()
    if lead.owner_id is None:
        reasons.append(f"no owner; {owners}")
    elif role is None:
        reasons.append(f"owner {lead.owner_id} has no known security role; {owners}")
    elif role not in rules.allowed_roles:
        reasons.append(f"owner {lead.owner_id} has role {role}, which may not use the agent")
    if lead.owner_id is None or role is None or role not in rules.allowed_roles:
        failed.append("owner_role")

    if rules.require_email and not (lead.email and lead.email.strip()):
        reasons.append("no primary email")
        failed.append("no_email")
    if rules.require_company and not (lead.company_name and lead.company_name.strip()):
        reasons.append("no company name")
        failed.append("no_company")

    source = (lead.source or "").strip()
    if source and source.casefold() in {s.casefold() for s in rules.excluded_sources}:
        reasons.append(f"source is {source}, which research excludes")
        failed.append("source")

    return Eligibility(eligible=not reasons, reasons=reasons, rules=failed)


def left_out_counts(
    leads: Iterable[Lead], roles: dict[str, str], now: datetime, rules: SelectionRules
) -> dict[str, int]:
    """How many leads each rule leaves out (a lead may fail several), in LEFT_OUT_FIXES order."""
    counts = dict.fromkeys(LEFT_OUT_FIXES, 0)
    for lead in leads:
        for rule in check_eligibility(lead, roles.get(lead.owner_id or ""), now, rules).rules:
            counts[rule] += 1
    return {rule: n for rule, n in counts.items() if n}


# --- Refresh --------------------------------------------------------------------------------


def staleness_reason(
    researched_on: datetime | None,
    now: datetime,
    schedule: RefreshSchedule,
    *,
    lead_changed_on: datetime | None = None,
) -> str | None:
    """Why research on a lead should be redone, or None while it is fresh."""
    if researched_on is None:
        return "never researched"
    researched = as_utc(researched_on)
    if (
        schedule.refresh_on_change
        and lead_changed_on is not None
        and as_utc(lead_changed_on) > researched
    ):
        return "the lead changed after it was researched"
    if schedule.refresh_after_hours is not None:
        age = as_utc(now) - researched
        if age > timedelta(hours=schedule.refresh_after_hours):
            hours = age.total_seconds() / 3600
            return (
                f"researched {hours:.0f} hours ago; research is redone after "
                f"{schedule.refresh_after_hours:g} hours"
            )
    return None


def is_stale(
    researched_on: datetime | None,
    now: datetime,
    schedule: RefreshSchedule,
    *,
    lead_changed_on: datetime | None = None,
) -> bool:
    """Whether research should be redone: never done, too old, or the lead changed since."""
    return (
        staleness_reason(researched_on, now, schedule, lead_changed_on=lead_changed_on) is not None
    )
