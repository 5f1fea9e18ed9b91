"""The terminal insights page and outreach draft: content, hints, and no crash on gaps."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta

import pytest
from rich.console import Console

from app.insights_page import render_draft, render_insights
from app.insights_wording import (
    describe_account_match,
    format_amount,
    format_hours_ago,
    format_revenue,
)
from core.findings import (
    AccountDigest,
    ColleagueLink,
    CompanyFacts,
    ContactSuggestion,
    EmailCheck,
    LeadFacts,
    LeadInsights,
    LeadResearch,
    NewsItem,
    OpportunitySummary,
    OutreachDraft,
)
from core.icp_profile import Importance
from core.icp_verdicts import (
    RECOMMENDATIONS,
    CriterionVerdict,
    FitLevel,
    IcpAssessment,
    Verdict,
)

NOW = datetime(2025, 2, 19, 15, 30, tzinfo=UTC)
RESEARCHED = NOW - timedelta(hours=5, minutes=10)


def _icp(fit: FitLevel = FitLevel.EXACT, verdicts: list[CriterionVerdict] | None = None):
    return IcpAssessment(
        fit_level=fit,
        recommendation=RECOMMENDATIONS[fit],
        score={FitLevel.EXACT: 0.86, FitLevel.CLOSE: 0.6, FitLevel.NONE: 0.2}[fit],
        reason="Mid-size manufacturer in Germany with an IT director as the lead.",
        verdicts=verdicts
        if verdicts is not None
        else [
            CriterionVerdict(
                criterion_id="industry",
                label="Industry: manufacturing",
                importance=Importance.MUST_HAVE,
                verdict=Verdict.MET,
                evidence="Industry is 'Industrial machinery' (a manufacturing synonym).",
                source="CRM account.industry",
            ),
            CriterionVerdict(
                criterion_id="employees",
                label="Employees 200-5,000",
                importance=Importance.MUST_HAVE,
                verdict=Verdict.PARTLY_MET,
                evidence="About 180 employees, just under the range.",
                source="https://contoso-machines.example/about",
            ),
            CriterionVerdict(
                criterion_id="geography",
                label="Region: Europe",
                importance=Importance.NICE_TO_HAVE,
                verdict=Verdict.NOT_MET,
                evidence="Headquartered in Canada.",
            ),
            CriterionVerdict(
                criterion_id="erp",
                label="Uses an ERP",
                importance=Importance.NICE_TO_HAVE,
                verdict=Verdict.UNKNOWN,
                evidence="No page mentions their ERP.",
            ),
        ],
    )


def _lead(**overrides) -> LeadFacts:
    fields = dict(
        lead_id="L-0042",
        full_name="Dana Whitfield",
        job_title="Director of IT",
        company_name="Contoso Machines",
        email="dana@contoso-machines.example",
        country="Germany",
        city="Stuttgart",
        source="Web",
        rating="warm",
        status="open",
        topic="Shop-floor analytics",
        owner_name="Alex Seller",
    )
    fields.update(overrides)
    return LeadFacts(**fields)


def _valid_check() -> EmailCheck:
    return EmailCheck(
        email="dana@contoso-machines.example",
        normalized="dana@contoso-machines.example",
        is_valid=True,
        validity_reason="Well formed; the domain accepts mail.",
        deliverability_checked=True,
        email_type="work",
        type_reason="Company domain matches the account.",
    )


def full_insights() -> LeadInsights:
    """Everything filled in, account connected."""
    company = CompanyFacts(
        name="Contoso Machines",
        domain="contoso-machines.example",
        industry="Industrial machinery",
        employees=1850,
        annual_revenue=240_000_000,
        country="Germany",
        city="Stuttgart",
        products=["CNC mills", "Press brakes"],
        sources={
            "industry": "CRM account.industry",
            "employees": "https://contoso-machines.example/about",
            "annual_revenue": "https://contoso-machines.example/investors",
        },
    )
    digest = AccountDigest(
        company_name="Contoso Machines",
        business_overview="Builds CNC machines for automotive suppliers across Europe.",
        finances="Revenue grew 12% to $240M in 2024; profitable for five years.",
        news=[
            NewsItem(
                title="Contoso opens a plant in Brno",
                url="https://news.example/contoso-brno",
                published_on=date(2025, 1, 20),
                category="launch",
                summary="A second plant doubles press brake output.",
            ),
            NewsItem(
                title="New CFO [/bold] appointed",  # markup-like text from the web
                url="https://news.example/contoso-cfo",
                published_on=date(2025, 2, 3),
                category="leadership",
                summary="Former Bosch finance lead joins.",
            ),
            NewsItem(
                title="Contoso wins award",
                url="https://news.example/award",
                published_on=date(2024, 11, 2),
                category="award",
                summary="Best mid-size machine builder.",
            ),
            NewsItem(
                title="Old news from 2020",
                url="https://news.example/old",
                published_on=date(2020, 1, 1),
                category="other",
                summary="Too old to show.",
            ),
        ],
        facts=CompanyFacts(mission="Precision for every shop floor."),
        sources=["https://contoso-machines.example/about"],
    )
    research = LeadResearch(
        lead=_lead(),
        email_check=_valid_check(),
        account_id="A-7",
        account_match="email_domain",
        contact_match=ContactSuggestion(
            id="C-11",
            full_name="Dana Whitfield",
            job_title="Director of IT",
            email="dana@contoso-machines.example",
            reason="Same email address as the lead.",
        ),
        company=company,
        digest=digest,
        who_knows_whom=[
            ColleagueLink(
                user_id="U-2",
                user_name="Priya Account-Manager",
                emails=4,
                meetings=1,
                last_interaction=datetime(2025, 2, 10, 9, 0, tzinfo=UTC),
                with_lead=True,
            ),
            ColleagueLink(
                user_id="U-3",
                user_name="Sam Presales",
                emails=0,
                meetings=2,
                last_interaction=datetime(2025, 1, 5, 9, 0),  # naive, as SQLite returns
                with_lead=False,
            ),
        ],
        lead_opportunities=[
            OpportunitySummary(
                id="O-1",
                name="Analytics pilot",
                stage="Propose",
                estimated_value=120_000,
                owner_name="Alex Seller",
            )
        ],
        account_opportunities=[
            OpportunitySummary(
                id="O-2",
                name="Plant 2 rollout",
                stage="Qualify",
                estimated_value=1_250_000.4,
                account_id="A-7",
            )
        ],
        suggested_contacts=[
            ContactSuggestion(
                id="C-12",
                full_name="Jonas Keller",
                job_title="CFO",
                email="jonas@contoso-machines.example",
                reason="Finance lead at the account.",
            )
        ],
        lead_summary="Dana asked for a shop-floor analytics demo after a webinar.",
        notes=["No web page found for contoso-machines.example/careers"],
    )
    return LeadInsights(
        lead_id="L-0042",
        researched_on=RESEARCHED,
        research=research,
        icp=_icp(),
        engine="llm:gpt-4o-mini",
    )


def sparse_insights() -> LeadInsights:
    """A lead with almost nothing known: no email, no account, no digest, no verdicts."""
    research = LeadResearch(
        lead=LeadFacts(lead_id="L-9", full_name="Pat"),
        email_check=EmailCheck(email=None, is_valid=False, validity_reason="No email on the lead."),
    )
    return LeadInsights(
        lead_id="L-9",
        researched_on=datetime(2025, 2, 19, 15, 0),  # naive on purpose
        research=research,
        icp=IcpAssessment(
            fit_level=FitLevel.NONE,
            recommendation="",
            score=0,
            reason="",
            verdicts=[],
        ),
        engine="offline",
    )


def invalid_email_insights() -> LeadInsights:
    """Close fit, invalid email, account found by name but no digest news."""
    research = LeadResearch(
        lead=_lead(lead_id="L-7", email="dana@@contoso"),
        email_check=EmailCheck(
            email="dana@@contoso",
            is_valid=False,
            validity_reason="The address has two @ signs.",
            email_type="unknown",
        ),
        company=CompanyFacts(name="Contoso Machines", annual_revenue=1_200_000_000),
    )
    return LeadInsights(
        lead_id="L-7",
        researched_on=RESEARCHED,
        research=research,
        icp=_icp(FitLevel.CLOSE),
        engine="offline",
    )


def fallback_insights() -> LeadInsights:
    """The LLM failed; an overridden personal email; the contact connected by the seller."""
    insights = full_insights()
    insights.icp = _icp(FitLevel.NONE)
    insights.engine = "offline"
    insights.fallback_notes = ["digest_account timed out after 3 retries"]
    insights.research.email_check = EmailCheck(
        email="dana.w@gmail.com",
        is_valid=True,
        validity_reason="Well formed.",
        email_type="personal",
        type_reason="Seller marked it personal.",
        overridden=True,
    )
    insights.research.contact_match = ContactSuggestion(
        id="C-11", full_name="Dana Whitfield", reason="Connected to the lead"
    )
    insights.research.account_match = "connected"
    return insights


def render(insights: LeadInsights, **kwargs) -> str:
    console = Console(record=True, width=120, color_system=None, file=io.StringIO())
    render_insights(insights, console, now=NOW, **kwargs)
    return console.export_text()


# --- formatting rules -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (240_000_000, "$240M"),
        (1_200_000_000, "$1.2B"),
        (5_500_000, "$5.5M"),
        (850_000, "$850K"),
        (999, "$999"),
        (None, "Not available"),
    ],
)
def test_revenue_is_short(value, shown):
    assert format_revenue(value) == shown


def test_amount_has_thousands_separators():
    assert format_amount(120_000) == "$120,000"
    assert format_amount(1_250_000.4) == "$1,250,000"


@pytest.mark.parametrize(
    ("match", "shown"),
    [
        ("connected by seller", "connected by seller"),
        ("linked in the CRM", "linked in the CRM"),
        ("connected by the agent", "connected by the agent"),
        ("matched by email domain", "matched by email domain"),
        ("matched by company name", "matched by company name"),
        ("email_domain", "matched by email domain"),
        ("name", "matched by company name"),
        ("connected", "connected by seller"),
        (None, "connected"),
    ],
)
def test_account_match_in_sellers_words(match, shown):
    assert describe_account_match(match) == shown


def test_hours_ago_counts_whole_hours():
    assert format_hours_ago(RESEARCHED, NOW) == "5 hours ago"
    assert format_hours_ago(NOW - timedelta(minutes=61), NOW) == "1 hour ago"
    assert format_hours_ago(NOW - timedelta(minutes=5), NOW) == "less than an hour ago"
    assert format_hours_ago(NOW + timedelta(hours=2), NOW) == "less than an hour ago"


# --- the full page ----------------------------------------------------------------------


def test_full_page_shows_every_section():
    text = render(full_insights())
    for title in (
        "Lead insights",
        "Key insights",
        "Email validation",
        "About lead",
        "About account",
        "Lead summary",
        "Who knows whom",
        "Open opportunities related to the lead",
        "Business overview",
        "Finances",
        "Account news",
        "Suggested contacts",
        "Open opportunities related to the account",
    ):
        assert title in text, title
    assert text.index("Key insights") < text.index("Email validation") < text.index("About lead")
    assert text.index("About lead") < text.index("About account")


def test_header_names_the_lead_and_research_age():
    text = render(full_insights(), lead_status="qualified")
    assert "Dana Whitfield" in text
    assert "Director of IT at Contoso Machines" in text
    assert "L-0042" in text
    assert "Research updated 2025-02-19 10:20 UTC (5 hours ago)" in text
    assert "llm:gpt-4o-mini" in text
    assert "Status qualified" in text  # the CRM's current status wins
    assert "The LLM failed" not in text


def test_key_insights_recommendation_and_criteria():
    text = render(full_insights())
    assert "Engage now" in text
    assert "exact match" in text and "86%" in text
    assert "Mid-size manufacturer in Germany" in text
    assert "Industry is 'Industrial machinery'" in text
    assert "CRM account.industry" in text
    assert "contoso-machines.example/about" in text  # a URL source, scheme trimmed
    for mark in ("✓ met", "◐ partly met", "✗ not met", "? unknown"):
        assert mark in text
    assert "must-have" in text and "nice-to-have" in text
    assert "Draft email: qualify draft L-0042" in text


def test_narrow_console_puts_sources_under_evidence():
    console = Console(record=True, width=80, color_system=None, file=io.StringIO())
    render_insights(full_insights(), console, now=NOW)
    text = console.export_text()
    key_insights = text[text.index("Key insights") : text.index("Email validation")]
    assert "Source" not in key_insights
    assert "CRM account.industry" in key_insights
    assert "contoso-machines.exa" in key_insights
    assert max(len(line) for line in text.splitlines()) <= 80


def test_about_lead_contact_and_tables():
    text = render(full_insights())
    assert "Suggested contact: Dana Whitfield" in text
    assert "qualify connect L-0042 --contact C-11" in text
    assert "Dana asked for a shop-floor analytics demo" in text
    assert "Priya Account-Manager" in text and "2025-02-10" in text
    assert "2025-01-05" in text  # naive datetime handled
    assert "$120,000" in text and "Analytics pilot" in text


@pytest.mark.parametrize(
    ("zone", "shown"),
    [
        (
            dict(
                time_zone="America/Chicago", time_zone_source="city", time_zone_place="Chicago, US"
            ),
            "Time zone: America/Chicago (from the city Chicago, US)",
        ),
        (
            dict(time_zone="Europe/Berlin", time_zone_source="country", time_zone_place="Germany"),
            "Time zone: Europe/Berlin (from the country Germany)",
        ),
        (
            dict(time_zone="UTC+05:30", time_zone_source="crm"),
            "Time zone: UTC+05:30 (from the CRM)",
        ),
        (
            dict(
                time_zone="America/Chicago",
                time_zone_source="account",
                time_zone_place="Chicago, US",
            ),
            "Time zone: America/Chicago (from the account's address Chicago, US)",
        ),
        (dict(time_zone="Europe/Paris"), "Time zone: Europe/Paris (as set on the lead)"),
        ({}, "Time zone: not known (no city or country to find it from"),
    ],
)
def test_about_lead_shows_the_time_zone_and_how_it_was_found(zone, shown):
    insights = full_insights()
    insights.research.lead = _lead(**zone)
    text = render(insights)
    assert shown in " ".join(text.split())  # the panel may wrap the line
    assert text.index("About lead") < text.index("Time zone:") < text.index("About account")


def test_an_uncertain_time_zone_says_so():
    insights = full_insights()
    insights.research.lead = _lead(
        city="Springfield",
        country="US",
        time_zone="America/Chicago",
        time_zone_source="city",
        time_zone_certain=False,
        time_zone_place="Springfield, US",
    )
    text = " ".join(render(insights).split())
    assert "America/Chicago (from the city Springfield, US; the most populous of several" in text


def test_about_account_facts_news_and_money():
    text = render(full_insights())
    assert "Account connected: Contoso Machines" in text
    assert "matched by email domain" in text
    assert "$240M" in text and "1,850" in text and "Stuttgart, Germany" in text
    assert "https://contoso-machines.example/investors" in text
    assert "Precision for every shop floor." in text  # mission from the digest's facts
    assert "New CFO [/bold] appointed" in text  # markup-like web text shown verbatim
    assert "Old news from 2020" not in text  # only the newest three
    assert text.index("New CFO") < text.index("Contoso opens a plant")
    assert "+1 more" in text
    assert "Jonas Keller" in text and "jonas@contoso-machines.example" in text
    assert "$1,250,000" in text
    assert "No web page found for contoso-machines.example/careers" in text
    assert text.rstrip().endswith("No web page found for contoso-machines.example/careers")


def test_valid_email_has_no_fix_hint():
    text = render(full_insights())
    assert "✓ valid" in text and "work" in text
    assert "Fix it" not in text
    assert "overridden by seller" not in text


# --- gaps and edge cases ----------------------------------------------------------------


def test_sparse_page_renders_with_not_available():
    text = render(sparse_insights())
    assert "Pat" in text and "L-9" in text
    assert "Do not engage" in text  # from the fit level when the text is empty
    assert "Not available" in text
    assert "ICP criteria  Not available" in text
    assert "Lead summary  Not available" in text
    assert "Company facts  Not available" in text
    assert "Research updated 2025-02-19 15:00 UTC (less than an hour ago)" in text
    assert "Address" in text and "No email on the lead." in text
    assert "Fix it: qualify email L-9 --set <address>" in text
    assert "No contact record connected: qualify connect L-9 --contact <id>" in text
    assert "No account connected: qualify connect L-9 --account <id>" in text
    # Account-only sections are hidden without an account.
    assert "Suggested contacts" not in text
    assert "Open opportunities related to the account" not in text
    assert "Notes" not in text


def test_invalid_email_shows_fix_hint_and_close_fit():
    text = render(invalid_email_insights())
    assert "✗ invalid" in text and "two @ signs" in text
    assert "Fix it: qualify email L-7 --set <address>" in text
    assert "Engage only after you've exhausted your best leads" in text
    assert "$1.2B" in text
    assert "No account connected: qualify connect L-7 --account <id>" in text


def test_fallback_note_override_and_connected_contact():
    text = render(fallback_insights())
    assert (
        "The LLM failed; parts of this page come from the offline engine: "
        "digest_account timed out" in text
    )
    assert "Do not engage" in text
    assert "Labels overridden by seller" in text
    assert "personal" in text and "Seller marked it personal." in text
    assert "Contact record connected: Dana Whitfield" in text
    assert "--contact C-11" not in text
    assert "connected by seller" in text


@pytest.mark.parametrize(
    ("build", "ansi"),
    [
        (full_insights, "\x1b[1;7;32m Engage now "),
        (invalid_email_insights, "\x1b[1;7;33m Engage only after you've exhausted"),
        (fallback_insights, "\x1b[1;7;31m Do not engage "),
    ],
)
def test_recommendation_is_coloured_by_fit(build, ansi):
    console = Console(
        record=True, width=120, force_terminal=True, color_system="standard", file=io.StringIO()
    )
    render_insights(build(), console, now=NOW)
    styled = console.export_text(styles=True)
    assert ansi in styled
    assert "\x1b[31m✗ not met" in styled and "\x1b[32m✓ met" in styled


# --- the draft --------------------------------------------------------------------------


def test_draft_shows_recipient_subject_body_and_grounding():
    draft = OutreachDraft(
        subject="Shop-floor analytics for Contoso's new Brno plant",
        body="Hi Dana,\n\nCongratulations on the Brno plant [launch].\n\nBest,\nAlex",
        grounded_on=["https://news.example/contoso-brno", "CRM lead.topic"],
        engine="offline",
    )
    console = Console(record=True, width=120, color_system=None, file=io.StringIO())
    render_draft(draft, console, to="dana@contoso-machines.example")
    text = console.export_text()
    assert "Outreach draft" in text
    assert "dana@contoso-machines.example" in text
    assert "Shop-floor analytics for Contoso's new Brno plant" in text
    assert "Congratulations on the Brno plant [launch]." in text
    assert "Grounded on:" in text and "https://news.example/contoso-brno" in text
    assert "offline" in text


def test_draft_without_recipient_or_sources():
    console = Console(record=True, width=120, color_system=None, file=io.StringIO())
    render_draft(OutreachDraft(subject="Hello", body="Hi."), console, to=None)
    text = console.export_text()
    assert "To" in text and "Not available" in text
    assert "Grounded on:" in text


def test_crm_figures_are_shown_as_the_crm_holds_them():
    insights = full_insights()
    company = insights.research.company.model_copy(
        update={
            "employees": None,
            "employees_as_given": "1.000-5.000",
            "revenue_as_given": "1,2 Mrd. €",
            "annual_revenue": 1_340_000_000,
        }
    )
    research = insights.research.model_copy(update={"company": company})
    text = render(insights.model_copy(update={"research": research}))
    assert "1.000-5.000" in text and "1,2 Mrd. € (≈ $1.3B)" in text
