"""The offline engine's extraction and writing, without a graph."""

from __future__ import annotations

import pytest

from core.findings import CompanyFacts, LeadFacts, LeadResearch
from core.icp_profile import FreeTextCriterion
from core.icp_verdicts import FitLevel, IcpAssessment
from graphs.reasoning.offline import (
    OfflineEngine,
    key_facts,
    news_category,
    page_kind,
    parse_employees,
    parse_money,
    sections,
)
from tools.email_check import check_email
from tools.web_search.results import WebResult

COMPANY_PAGE = """# Brightwater Logistics

## Overview
Brightwater Logistics runs cross-dock warehouses for retailers in the Benelux. It moves
over 40,000 pallets a week. The company is expanding into cold chain.

## Products and services
- Contract warehousing
- Warehouse management system (WMS) hosting
- Freight forwarding

## Key facts
- Industry: Third-Party Logistics (3PL)
- Employees: 1,250
- Headquarters: Rotterdam, Netherlands
- Founded: 1987

## Mission
To make every pallet count.
"""

FINANCE_PAGE = """## Financial overview
- Annual revenue: €240 million (FY2025)
- Revenue growth: 8% year over year
- Ownership: Privately held

Brightwater has been profitable for ten consecutive years.
"""


@pytest.mark.parametrize(
    ("text", "expected"),
    [("1,250", 1250), ("about 12 000 staff", 12000), ("1.250 employees", 1250), ("n/a", None)],
)
def test_parse_employees(text: str, expected: int | None) -> None:
    assert parse_employees(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("$240 million (FY2025)", 240e6),
        ("$1.2 billion", 1.2e9),
        ("€10m", 10e6 * 1.08),
        ("£3bn", 3e9 * 1.27),
        ("unknown", None),
    ],
)
def test_parse_money(text: str, expected: float | None) -> None:
    got = parse_money(text)
    assert got == pytest.approx(expected) if expected else got is None


@pytest.mark.parametrize(
    ("title", "category"),
    [
        ("Brightwater appoints Maria Jansen as CFO", "leadership"),
        ("Brightwater wins five-year contract with FreshMart", "contract"),
        ("Brightwater launches cold-chain service", "launch"),
        ("Brightwater named Logistics Employer of the Year award", "award"),
        ("Brightwater volunteers plant 2,000 trees with the community", "community"),
        ("Quarterly update", "other"),
    ],
)
def test_news_category(title: str, category: str) -> None:
    assert news_category(title) == category


def test_sections_and_facts() -> None:
    parts = sections(COMPANY_PAGE)
    assert "overview" in parts and "mission" in parts
    assert key_facts(COMPANY_PAGE)["industry"] == "Third-Party Logistics (3PL)"


def test_digest_extracts_facts_with_sources() -> None:
    pages = [
        WebResult(title="About Brightwater", url="https://bw.nl/about", content=COMPANY_PAGE),
        WebResult(title="Investors", url="https://bw.nl/investors", content=FINANCE_PAGE),
        WebResult(
            title="Brightwater wins contract with FreshMart",
            url="https://bw.nl/news/freshmart",
            content="Brightwater signed a five-year deal. It starts in March.",
            date="2026-10-01",
        ),
    ]
    assert [page_kind(p) for p in pages] == ["company", "finance", "news"]
    digest = OfflineEngine().digest_account("Brightwater Logistics", pages)
    facts = digest.facts
    assert facts.employees == 1250 and facts.sources["employees"] == "https://bw.nl/about"
    assert facts.country == "Netherlands" and facts.city == "Rotterdam"
    assert facts.annual_revenue == pytest.approx(240e6 * 1.08)
    assert facts.sources["annual_revenue"] == "https://bw.nl/investors"
    assert "Warehouse management system (WMS) hosting" in facts.products
    assert digest.news[0].category == "contract"
    assert "Annual revenue" in digest.finances
    assert "cross-dock" in digest.business_overview


def _research(company: CompanyFacts) -> LeadResearch:
    return LeadResearch(
        lead=LeadFacts(lead_id="LEAD-1", full_name="Ana Ruiz", topic="Demand forecasting"),
        email_check=check_email("ana.ruiz@bw.nl"),
        company=company,
    )


def test_free_text_criterion_met_partly_and_unknown() -> None:
    engine = OfflineEngine()
    criterion = FreeTextCriterion(
        id="erp", description="Runs an ERP or warehouse management system", keywords=["WMS"]
    )
    met = engine.judge_free_text(
        criterion,
        CompanyFacts(products=["WMS hosting"], sources={"products": "https://bw.nl/about"}),
        None,
    )
    assert met.verdict == "met" and met.source == "https://bw.nl/about"
    partly = engine.judge_free_text(
        criterion, CompanyFacts(description="We sell warehouse management consulting."), None
    )
    assert partly.verdict == "partly_met"
    unknown = engine.judge_free_text(criterion, CompanyFacts(), None)
    assert unknown.verdict == "unknown"
    not_met = engine.judge_free_text(criterion, CompanyFacts(description="A bakery."), None)
    assert not_met.verdict == "not_met"


def test_outreach_is_grounded_in_sourced_facts() -> None:
    company = CompanyFacts(
        name="Brightwater",
        mission="To make every pallet count.",
        employees=1250,
        sources={"mission": "https://bw.nl/about"},
    )
    icp = IcpAssessment(
        fit_level=FitLevel.EXACT, recommendation="Engage now", score=1.0, reason="", verdicts=[]
    )
    draft = OfflineEngine().write_outreach(_research(company), icp, "Alex Morgan")
    assert draft.body.startswith("Hi Ana,")
    # The mission is referred to, never pasted back: the page's words are not ours to send.
    assert "make every pallet count" not in draft.body
    assert "Brightwater sets out to do" in draft.body
    assert draft.grounded_on == ["https://bw.nl/about"]
    assert draft.body.rstrip().endswith("Alex Morgan")
    assert draft.subject == "Brightwater and Demand forecasting"  # interest, not form name


def test_outreach_never_quotes_a_page_or_names_a_form() -> None:
    from core.findings import AccountDigest, NewsItem
    from graphs.engage.content_check import check_content, research_texts

    news = NewsItem(
        title="Brightwater launches a new multi-user warehouse in Venlo",
        url="https://bw.nl/news/venlo",
        category="launch",
        summary="Brightwater launches a new multi-user warehouse in Venlo for retail clients.",
    )
    digest = AccountDigest(
        company_name="Brightwater", business_overview="", finances="", news=[news]
    )
    research = _research(CompanyFacts(name="Brightwater", employees=1250)).model_copy(
        update={"digest": digest}
    )
    research.lead.topic = "Contact us form"
    icp = IcpAssessment(
        fit_level=FitLevel.EXACT, recommendation="Engage now", score=1.0, reason="", verdicts=[]
    )
    draft = OfflineEngine().write_outreach(research, icp, "Alex Morgan")
    assert '"' not in draft.body and "Contact us form" not in f"{draft.subject} {draft.body}"
    assert "Brightwater's recent launch" in draft.body and draft.grounded_on == [news.url]
    assert "(case studies)" in draft.body  # the proof point the product profile sources
    allowed = ["northwind.example", "bw.nl"]
    assert (
        check_content(
            draft.subject, draft.body, allowed_hosts=allowed, research=research_texts(digest)
        )
        == []
    )


def test_the_engine_judges_need_by_the_product_it_sells() -> None:
    # QUALIFY_PRODUCT picks the profile: no-shows are Clinicflow's problem, not Northwind's.
    research = LeadResearch(
        lead=LeadFacts(lead_id="L1", full_name="Ana Lima"), email_check=check_email(None)
    )
    reply = "We lose a dozen appointments a week to no-shows."
    clinic = OfflineEngine("clinicflow").read_reply(reply, [], research)
    stock = OfflineEngine("northwind").read_reply(reply, [], research)
    assert clinic.bant.need.verdict.value == "met"
    assert stock.bant.need.verdict.value == "unknown"
    # The product named per call wins over the engine's.
    assert (
        OfflineEngine("northwind")
        .read_reply(reply, [], research, product="clinicflow")
        .bant.need.verdict.value
        == "met"
    )
