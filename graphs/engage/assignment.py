"""Which leads the engage agent works on: the admin's assignment criteria. Pure rules, no DB.

Every list left empty means "any". The agent also never takes a lead that is not open,
that has no primary email or company name (Dynamics never does), or that has not been
researched yet (no ICP fit to compare with `min_fit`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from core.clock import as_utc
from core.geography import REGIONS, country_key, region_key, region_of
from core.icp_verdicts import FitLevel
from store.crm import Lead, LeadRating, LeadStatus

SendingMode = Literal["auto", "review"]
"""How the agent's emails to the leads of a rule go: at once, or held for the owner."""

# Weakest to strongest: `min_fit: close` accepts close and exact.
FIT_ORDER: list[FitLevel] = [FitLevel.NONE, FitLevel.CLOSE, FitLevel.EXACT]


def _as_list(value: object) -> list[object]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]  # a single YAML scalar is a one-item list, not a list of letters
    if isinstance(value, Iterable):
        return list(value)
    raise ValueError(f"expected a list, got {value!r}")


def _unique_texts(value: object) -> list[str]:
    cleaned: list[str] = []
    for item in _as_list(value):
        text = str(item).strip()
        if text and text.casefold() not in {c.casefold() for c in cleaned}:
            cleaned.append(text)
    return cleaned


def _lowered(value: object) -> list[str]:
    return [str(v).strip().lower() for v in _as_list(value)]


class AssignmentCriteria(BaseModel):
    """The admin's choice of leads for the engage agent (empty list = any)."""

    model_config = ConfigDict(extra="forbid")

    sources: list[str] = Field(default_factory=list, description="Lead sources taken.")
    excluded_sources: list[str] = Field(
        default_factory=lambda: ["Employee referral", "Partner"],
        description="Sources never taken (Dynamics' default: referrals and partners).",
    )
    ratings: list[LeadRating] = Field(default_factory=list, description="The CRM's rating.")
    agent_ratings: list[LeadRating] = Field(
        default_factory=list,
        description="The agent's own rating (graphs/rating); a lead not rated yet is not taken.",
    )
    countries: list[str] = Field(default_factory=list)
    regions: list[str] = Field(default_factory=list)
    min_fit: FitLevel = Field(default=FitLevel.CLOSE, description="Weakest ICP fit taken.")
    owner_ids: list[str] = Field(default_factory=list, description="Owners whose leads are taken.")
    statuses: list[LeadStatus] = Field(default_factory=lambda: [LeadStatus.OPEN])
    require_email: bool = True
    require_company: bool = True
    max_active_conversations: int = Field(
        default=200, ge=0, description="Cap on conversations the agent holds at once."
    )
    sending: SendingMode = Field(
        default="review",
        description="auto: the agent's emails go without a person; review: each waits for "
        "the lead owner's approval (`qualify review`). A rule that does not say holds.",
    )
    review_within_hours: int = Field(
        default=24,
        ge=1,
        description="A held email waiting longer is reported to its owner (never sent).",
    )

    @field_validator("sources", "excluded_sources", "owner_ids", mode="before")
    @classmethod
    def _texts(cls, value: object) -> list[str]:
        return _unique_texts(value)

    @field_validator("ratings", "agent_ratings", "statuses", mode="before")
    @classmethod
    def _enums(cls, value: object) -> list[str]:
        return list(dict.fromkeys(_lowered(value)))

    @field_validator("sending", mode="before")
    @classmethod
    def _sending(cls, value: object) -> object:
        return value.strip().lower() if isinstance(value, str) else value

    @field_validator("min_fit", mode="before")
    @classmethod
    def _fit(cls, value: object) -> object:
        return value.strip().lower() if isinstance(value, str) else value

    @field_validator("countries", mode="before")
    @classmethod
    def _countries(cls, value: object) -> list[str]:
        countries = _unique_texts(value)
        for country in countries:
            if country_key(country) is None:
                raise ValueError(
                    f"unknown country {country!r}; write the English name (e.g. Germany) or "
                    "the ISO code (e.g. DE)"
                )
        return countries

    @field_validator("regions", mode="before")
    @classmethod
    def _regions(cls, value: object) -> list[str]:
        regions = _unique_texts(value)
        for region in regions:
            if region_key(region) is None:
                raise ValueError(f"unknown region {region!r}; use one of: {', '.join(REGIONS)}")
        return regions


class AssignmentCheck(BaseModel):
    """Whether the agent takes a lead, with every failing criterion in words."""

    assigned: bool
    reasons: list[str] = Field(default_factory=list)


def _either(values: Iterable[str]) -> str:
    words = [str(v) for v in values]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]


def _geography_reason(lead: Lead, criteria: AssignmentCriteria) -> str | None:
    if not (criteria.countries or criteria.regions):
        return None
    wanted = _either([*criteria.countries, *criteria.regions])
    key = country_key(lead.country)
    if key is None:
        shown = f"country {lead.country!r} is not recognised" if lead.country else "no country"
        return f"{shown}; the agent takes leads in {wanted}"
    if key in {country_key(c) for c in criteria.countries}:
        return None
    if region_of(lead.country) & {region_key(r) for r in criteria.regions}:
        return None
    return f"country is {lead.country}, outside {wanted}"


def check_assignment(
    lead: Lead,
    fit_level: FitLevel | None,
    criteria: AssignmentCriteria,
    agent_rating: str | None = None,
) -> AssignmentCheck:
    """Check one lead against the assignment criteria; `fit_level` None = not researched,
    `agent_rating` None = not rated by the agent yet."""
    reasons: list[str] = []

    if lead.do_not_email or lead.do_not_contact:
        flag = "Do Not Contact" if lead.do_not_contact else "Do Not Email"
        reasons.append(f"the lead opted out ({flag}); the agent never emails it")
    status = str(getattr(lead.status, "value", lead.status))
    if status not in criteria.statuses:
        reasons.append(f"status is {status}; the agent takes {_either(criteria.statuses)} leads")
    if criteria.require_email and not (lead.email and lead.email.strip()):
        reasons.append("no primary email")
    if criteria.require_company and not (lead.company_name and lead.company_name.strip()):
        reasons.append("no company name")

    source = (lead.source or "").strip()
    if source and source.casefold() in {s.casefold() for s in criteria.excluded_sources}:
        reasons.append(f"source is {source}, which the agent never takes")
    elif criteria.sources and source.casefold() not in {s.casefold() for s in criteria.sources}:
        shown = f"source is {source}" if source else "no source"
        reasons.append(f"{shown}; the agent takes leads from {_either(criteria.sources)}")

    rating = str(getattr(lead.rating, "value", lead.rating))
    if criteria.ratings and rating not in criteria.ratings:
        reasons.append(f"rating is {rating}; the agent takes {_either(criteria.ratings)} leads")

    if criteria.agent_ratings and agent_rating not in criteria.agent_ratings:
        shown = (
            f"the agent's rating is {agent_rating}"
            if agent_rating
            else "not rated by the agent yet"
        )
        reasons.append(f"{shown}; the agent takes {_either(criteria.agent_ratings)} leads")

    geography = _geography_reason(lead, criteria)
    if geography:
        reasons.append(geography)

    if criteria.owner_ids and lead.owner_id not in criteria.owner_ids:
        owner = f"owner is {lead.owner_id}" if lead.owner_id else "no owner"
        reasons.append(f"{owner}; the agent takes leads owned by {_either(criteria.owner_ids)}")

    if fit_level is None:
        reasons.append("not researched yet: no ICP fit to compare with the minimum fit")
    elif FIT_ORDER.index(FitLevel(fit_level)) < FIT_ORDER.index(criteria.min_fit):
        reasons.append(
            f"ICP fit is {FitLevel(fit_level).value}; the agent takes {criteria.min_fit.value} "
            "fit or better"
        )

    return AssignmentCheck(assigned=not reasons, reasons=reasons)


def _pick_order(item: tuple[Lead, FitLevel | None]) -> tuple[int, float, str]:
    lead, fit = item
    stamp = as_utc(lead.created_on).timestamp() if lead.created_on else 0.0
    return (-FIT_ORDER.index(FitLevel(fit)) if fit else 0, -stamp, lead.id)


def pick_leads(
    candidates: list[tuple[Lead, FitLevel | None]],
    active_count: int,
    criteria: AssignmentCriteria,
    agent_ratings: dict[str, str] | None = None,
) -> list[str]:
    """Ids of the leads to start engaging now, up to the free conversation slots.

    Candidates should exclude leads already in a conversation (`active_count` counts
    those); `agent_ratings` holds the agent's rating of each rated lead, by id. Order:
    the better ICP fit first (exact before close, as the "engage only after you've
    exhausted your best leads" recommendation says), then the newest lead (fresh interest
    cools fast), then the lead id so that runs are repeatable.
    """
    free = max(0, criteria.max_active_conversations - max(0, active_count))
    if free == 0:
        return []
    seen: set[str] = set()
    taken: list[tuple[Lead, FitLevel | None]] = []
    for lead, fit in candidates:
        rating = (agent_ratings or {}).get(lead.id)
        if lead.id in seen or not check_assignment(lead, fit, criteria, rating).assigned:
            continue
        seen.add(lead.id)
        taken.append((lead, fit))
    taken.sort(key=_pick_order)
    return [lead.id for lead, _ in taken[:free]]
