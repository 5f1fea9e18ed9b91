"""What a lead's insights page says, in words, whatever draws it: the terminal page
(`insights_page.py`, rich) and the console's lead page (HTML) share these rules."""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from core.clock import as_utc
from core.crm_figures import money_text
from core.findings import AccountDigest, CompanyFacts, ContactSuggestion, NewsItem
from core.icp_profile import Importance
from core.icp_verdicts import FitLevel, Verdict

NOT_AVAILABLE = "Not available"
MAX_NEWS = 3

FIT_LABELS: dict[FitLevel, str] = {
    FitLevel.EXACT: "exact match",
    FitLevel.CLOSE: "close match",
    FitLevel.NONE: "no match",
}
VERDICT_WORDS: dict[Verdict, str] = {
    Verdict.MET: "met",
    Verdict.PARTLY_MET: "partly met",
    Verdict.NOT_MET: "not met",
    Verdict.UNKNOWN: "unknown",
}
IMPORTANCE_LABELS: dict[Importance, str] = {
    Importance.MUST_HAVE: "must-have",
    Importance.NICE_TO_HAVE: "nice-to-have",
}


def format_amount(value: float | None) -> str:
    """A deal value in whole dollars: 120000 -> '$120,000'."""
    if value is None:
        return NOT_AVAILABLE
    return f"${value:,.0f}"


def format_revenue(value: float | None) -> str:
    """Company revenue, short: 240e6 -> '$240M', 1.2e9 -> '$1.2B', 850e3 -> '$850K'."""
    return NOT_AVAILABLE if value is None else money_text(value)


def format_hours_ago(then: datetime, now: datetime) -> str:
    """How long ago research ran, in hours: '5 hours ago', '1 hour ago'."""
    hours = max(0, int((as_utc(now) - as_utc(then)).total_seconds() // 3600))
    if hours == 0:
        return "less than an hour ago"
    return f"{hours} hour{'s' if hours != 1 else ''} ago"


def describe_account_match(account_match: str | None) -> str:
    """How the account was linked, in a seller's words; accepts the researcher's phrases
    ('matched by email domain') and short codes ('email_domain', 'name', 'connected')."""
    if not account_match:
        return "connected"
    key = account_match.lower()
    if "agent" in key:
        return "connected by the agent"
    if "crm" in key:
        return "linked in the CRM"
    if "connect" in key or "seller" in key:
        return "connected by seller"
    if "domain" in key or "email" in key:
        return "matched by email domain"
    if "name" in key:
        return "matched by company name"
    return account_match


def is_connected_contact(contact: ContactSuggestion) -> bool:
    """Whether the contact is connected, not only suggested."""
    # ContactSuggestion has no 'connected' flag: the researcher says so in the reason.
    return "connected" in contact.reason.lower()


def merged_fact(
    field: str, company: CompanyFacts, digest_facts: CompanyFacts | None
) -> tuple[object | None, str | None]:
    """A company fact and its source: the research's facts first, then the web digest's."""
    for facts in (company, digest_facts):
        if facts is None:
            continue
        value = getattr(facts, field)
        if value not in (None, "", []):
            return value, facts.sources.get(field)
    return None, None


class CompanyFact(NamedTuple):
    """One line of Company facts: its label, its value in words (None: not available)
    and the source it came from."""

    label: str
    value: str | None
    source: str | None


def company_facts(company: CompanyFacts, digest: AccountDigest | None) -> list[CompanyFact]:
    """The Company facts lines, from the research's facts and the web digest's."""
    digest_facts = digest.facts if digest else None
    rows: list[CompanyFact] = []

    def shown(value: object | None) -> str | None:
        return str(value) if value not in (None, "") else None

    industry, source = merged_fact("industry", company, digest_facts)
    rows.append(CompanyFact("Industry", shown(industry), source))
    employees, source = merged_fact("employees", company, digest_facts)
    headcount = f"{employees:,}" if isinstance(employees, int) else employees
    if company.employees_as_given:  # the CRM's own wording: a range says more than a guess
        headcount, source = company.employees_as_given, company.sources.get("employees_as_given")
    rows.append(CompanyFact("Employees", shown(headcount), source))
    revenue, source = merged_fact("annual_revenue", company, digest_facts)
    revenue_text = format_revenue(revenue) if isinstance(revenue, int | float) else None
    if company.revenue_as_given:
        in_usd = f" (≈ {revenue_text})" if revenue_text else ""
        revenue_text = f"{company.revenue_as_given}{in_usd}"
        source = company.sources.get("revenue_as_given")
    rows.append(CompanyFact("Revenue", revenue_text, source))
    city, city_source = merged_fact("city", company, digest_facts)
    country, country_source = merged_fact("country", company, digest_facts)
    hq = ", ".join(str(p) for p in (city, country) if p)
    rows.append(CompanyFact("Headquarters", shown(hq), city_source or country_source))
    domain, source = merged_fact("domain", company, digest_facts)
    if domain:
        rows.append(CompanyFact("Website", str(domain), source))
    products, source = merged_fact("products", company, digest_facts)
    if products and isinstance(products, list):
        rows.append(CompanyFact("Products", ", ".join(products), source))
    return rows


def latest_news(items: list[NewsItem]) -> list[NewsItem]:
    """News newest first, undated last."""
    return sorted(items, key=lambda n: (n.published_on is not None, n.published_on), reverse=True)
