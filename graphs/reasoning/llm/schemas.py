"""The structured-output models the chat model fills (small, LLM-facing, then converted).

Every field of these models is required and has no default, so the schemas pass strict
json_schema mode on OpenAI and on servers that reject optional or defaulted fields.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from core.findings import NewsCategory
from core.icp_verdicts import Verdict
from core.reply_reading import BantVerdict, Intent, PurchaseInterest


class LlmNewsItem(BaseModel):
    """A news item as the model reports it."""

    title: str
    url: str = Field(description="The page's url exactly as given.")
    published_on: str | None = Field(description="YYYY-MM-DD when the page states it, else null.")
    category: NewsCategory
    summary: str = Field(description="One sentence.")


FactName = Literal[
    "industry",
    "employees",
    "annual_revenue_usd",
    "country",
    "city",
    "products",
    "mission",
    "description",
]


class LlmFacts(BaseModel):
    """Firmographic facts stated by the pages; null when no page states them."""

    industry: str | None
    employees: int | None = Field(description="Whole number; lower bound of a range.")
    annual_revenue_usd: float | None = Field(description="US dollars.")
    country: str | None
    city: str | None = Field(description="Headquarters city.")
    products: list[str]
    mission: str | None
    description: str | None


class LlmFactSource(BaseModel):
    """Which page states a fact."""

    fact: FactName
    url: str


class LlmDigest(BaseModel):
    """The model's research digest of a company."""

    business_overview: str
    finances: str
    news: list[LlmNewsItem] = Field(description="Up to 3, newest first.")
    facts: LlmFacts
    fact_sources: list[LlmFactSource]


class LlmLeadSummary(BaseModel):
    """The model's lead summary."""

    summary: str = Field(description="2-3 sentences.")


class LlmCriterionJudgement(BaseModel):
    """The model's verdict on one free-text criterion."""

    verdict: Verdict
    evidence: str = Field(description="The quoted sentence the verdict rests on.")
    source: str | None = Field(description="Source of the evidence, from the allowed list.")


class LlmOutreach(BaseModel):
    """The model's outreach email."""

    subject: str
    body: str = Field(description="Plain text, signed with the sender's name.")
    grounded_on: list[str] = Field(description="Sources of the personal claims, from the list.")


class LlmBantItem(BaseModel):
    """One BANT dimension as the model judges it."""

    verdict: BantVerdict
    evidence: str | None = Field(
        description="The lead's exact words from the reply, copied verbatim; null if unknown."
    )


class LlmBant(BaseModel):
    """Budget, authority, need, timing as the model judges them."""

    budget: LlmBantItem
    authority: LlmBantItem
    need: LlmBantItem
    timing: LlmBantItem


class LlmReferral(BaseModel):
    """Someone the lead points to, as written in the reply."""

    name: str | None
    email: str | None
    job_title: str | None


class LlmReplyReading(BaseModel):
    """The model's reading of a lead's reply."""

    intent: Intent
    purchase_interest: PurchaseInterest
    bant: LlmBant
    questions: list[str] = Field(description="The lead's questions, copied from the reply.")
    return_date: str | None = Field(description="YYYY-MM-DD, out of office only; else null.")
    check_in_date: str | None = Field(description="YYYY-MM-DD, not now only; else null.")
    referral: LlmReferral | None
    injection_suspected: bool
    summary: str = Field(description="One line for the supervisor.")
