"""Typed outputs of the research graph's nodes: what the insights page shows."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field

from core.icp_verdicts import IcpAssessment
from core.time_zones import TimeZoneSource

EmailType = Literal["work", "personal", "disposable", "role", "unknown"]


class EmailCheck(BaseModel):
    """Result of checking one address; seller overrides win over the agent's labels."""

    email: str | None
    normalized: str | None = None
    is_valid: bool
    validity_reason: str = Field(description="Why valid or invalid, in words a seller reads.")
    deliverability_checked: bool = False
    email_type: EmailType = "unknown"
    type_reason: str = ""
    overridden: bool = Field(default=False, description="A seller's override was applied.")


class LeadFacts(BaseModel):
    """The lead's CRM fields the agent reasons on."""

    lead_id: str
    full_name: str
    job_title: str | None = None
    company_name: str | None = None
    email: str | None = None
    phone: str | None = None
    country: str | None = None
    city: str | None = None
    source: str | None = None
    rating: str | None = None
    status: str | None = None
    topic: str | None = None
    created_on: datetime | None = None
    owner_name: str | None = None
    time_zone: str | None = Field(default=None, description="IANA name or UTC±HH:MM.")
    time_zone_source: TimeZoneSource | None = Field(
        default=None, description="How the zone was found; None: a person set it."
    )
    time_zone_certain: bool = True
    time_zone_place: str | None = Field(
        default=None, description="The place an inferred zone comes from: 'Chicago, US'."
    )


class CompanyFacts(BaseModel):
    """Firmographics of the lead's company, each field with its source."""

    name: str | None = None
    domain: str | None = None
    industry: str | None = None
    employees: int | None = None
    annual_revenue: float | None = Field(default=None, description="US dollars.")
    employees_as_given: str | None = Field(
        default=None, description="The CRM's headcount when not one number ('200-500', '1k+')."
    )
    revenue_as_given: str | None = Field(
        default=None, description="The CRM's revenue as written, in its own currency."
    )
    currency: str | None = Field(
        default=None, description="The account record's currency (ISO 4217) for bare numbers."
    )
    country: str | None = None
    city: str | None = None
    products: list[str] = Field(default_factory=list)
    mission: str | None = None
    description: str | None = None
    sources: dict[str, str] = Field(
        default_factory=dict, description="Field name to source: 'CRM account.x' or a URL."
    )


NewsCategory = Literal["launch", "leadership", "contract", "award", "community", "other"]


class NewsItem(BaseModel):
    """One recent news item about the company."""

    title: str
    url: str
    published_on: date | None = None
    category: NewsCategory = "other"
    summary: str


class SourcePassage(BaseModel):
    """One sentence or list item of a page the research read, with the page it is on."""

    url: str
    text: str


class AccountDigest(BaseModel):
    """Web research on a company: overview, finances, news and extracted facts."""

    company_name: str
    business_overview: str
    finances: str
    news: list[NewsItem] = Field(default_factory=list)
    facts: CompanyFacts = Field(default_factory=CompanyFacts)
    sources: list[str] = Field(default_factory=list, description="URLs read.")
    passages: list[SourcePassage] = Field(
        default_factory=list,
        description="What the pages say, sentence by sentence: free-text criteria are judged "
        "on all of it, not on the overview alone.",
    )
    flagged: list[SourcePassage] = Field(
        default_factory=list,
        description="Sentences of the pages that address an AI ('ignore previous "
        "instructions'): kept out of the research and shown to the seller as a warning.",
    )
    engine: str = "offline"


class ColleagueLink(BaseModel):
    """A coworker who emailed or met the lead or its account."""

    user_id: str
    user_name: str
    emails: int = 0
    meetings: int = 0
    last_interaction: datetime
    with_lead: bool = Field(description="True if they dealt with the lead itself.")


class OpportunitySummary(BaseModel):
    """An open opportunity related to the lead or its account."""

    id: str
    name: str
    stage: str
    estimated_value: float
    account_id: str | None = None
    owner_name: str | None = None


class ContactSuggestion(BaseModel):
    """A contact at the account the seller could reach, or one matching the lead."""

    id: str
    full_name: str
    job_title: str | None = None
    email: str | None = None
    reason: str


class LeadResearch(BaseModel):
    """The researcher node's output."""

    lead: LeadFacts
    email_check: EmailCheck
    account_id: str | None = None
    account_match: str | None = Field(
        default=None, description="How the account was found: connected, email domain, name."
    )
    contact_match: ContactSuggestion | None = None
    company: CompanyFacts = Field(default_factory=CompanyFacts)
    digest: AccountDigest | None = None
    who_knows_whom: list[ColleagueLink] = Field(default_factory=list)
    lead_opportunities: list[OpportunitySummary] = Field(default_factory=list)
    account_opportunities: list[OpportunitySummary] = Field(default_factory=list)
    suggested_contacts: list[ContactSuggestion] = Field(default_factory=list)
    lead_summary: str = ""
    notes: list[str] = Field(default_factory=list, description="Gaps and problems met.")


class OutreachDraft(BaseModel):
    """An outreach email draft; never sent by the research graph."""

    subject: str
    body: str
    grounded_on: list[str] = Field(
        default_factory=list, description="Sources of every personal claim in the body."
    )
    engine: str = "offline"


class LeadInsights(BaseModel):
    """Everything the insights page shows, stored as the lead's latest insights."""

    lead_id: str
    researched_on: datetime
    research: LeadResearch
    icp: IcpAssessment
    draft: OutreachDraft | None = None
    engine: str
    fallback_notes: list[str] = Field(default_factory=list)
