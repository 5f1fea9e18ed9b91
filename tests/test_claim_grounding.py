"""The grounding check: figures and names in an email need a source (issue 12)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from core.conversation import ConversationTurn
from core.findings import AccountDigest, CompanyFacts, LeadFacts, LeadResearch, SourcePassage
from core.icp_verdicts import FitLevel, IcpAssessment
from graphs.engage.claim_grounding import unsupported_claims
from graphs.engage.content_check import check_email_to_lead, grounding_sources
from graphs.knowledge.product_catalog import product_profile
from graphs.reasoning.offline import OfflineEngine
from tools.email_check import check_email

PRODUCTS = ["northwind", "fleetline", "ledgerly", "clinicflow"]


def research(**company: object) -> LeadResearch:
    facts = CompanyFacts(
        name="Brightwater Logistics",
        domain="bw.nl",
        employees=1250,
        annual_revenue=240_000_000.0,
        city="Venlo",
        **company,  # type: ignore[arg-type]
    )
    return LeadResearch(
        lead=LeadFacts(lead_id="LEAD-1", full_name="Ana Ruiz", topic="Route planning"),
        email_check=check_email("ana.ruiz@bw.nl"),
        company=facts,
        digest=AccountDigest(
            company_name="Brightwater Logistics",
            finances="",
            business_overview="Brightwater Logistics runs 14 warehouses in the Benelux.",
            passages=[
                SourcePassage(
                    text="Brightwater opened a cold-store in Tilburg in 2024.",
                    url="https://bw.nl/news/tilburg",
                )
            ],
        ),
    )


def check(body: str, *, product: str = "northwind", **kwargs: object) -> list[str]:
    findings = check_email_to_lead(
        "Hello",
        body,
        lead_email="ana.ruiz@bw.nl",
        research=research(),
        mailboxes=["agent@northwind.example"],
        link_allowlist=[],
        product=product,
        sender="Alex Morgan",
        **kwargs,  # type: ignore[arg-type]
    )
    return [f.detail for f in findings if f.kind == "unsupported_claim"]


def test_an_unsupported_number_blocks_the_email_with_the_claim_marked() -> None:
    [finding] = check("Hi Ana,\n\nOther logistics firms cut costs by 37 % in a year.\n")
    assert "“37 %”" in finding and "⟦37 %⟧" in finding


@pytest.mark.parametrize(
    "sentence",
    [
        "With 1,250 people across 14 warehouses, Brightwater Logistics moves a lot of stock.",
        "At 240 million dollars of revenue, stock ties up cash.",  # 240,000,000 in the CRM
        "Congratulations on the Tilburg cold-store you opened in 2024.",
        "Customers typically cut stock-outs by about a fifth.",  # the product's proof point
    ],
)
def test_figures_and_names_from_the_sources_pass(sentence: str) -> None:
    assert check(f"Hi Ana,\n\n{sentence}\n\nBest regards,\nAlex Morgan\n") == []


@pytest.mark.parametrize(
    ("sentence", "term"),
    [
        ("Fleets like yours halved their idle time.", "halved"),
        ("Our customers get 3 times faster replenishment.", "3"),
        ("Customers cut stock-outs by a third.", "a third"),
        ("Teams like the one at Acme Freight moved to us last year.", "Acme Freight"),
        ("Congratulations on the new site in Rotterdam.", "Rotterdam"),
    ],
)
def test_invented_figures_and_names_are_caught(sentence: str, term: str) -> None:
    findings = check(f"Hi Ana,\n\n{sentence}\n")
    assert any(f"“{term}”" in f for f in findings), findings


def test_proposals_are_not_claims() -> None:
    body = (
        "Hi Ana,\n\nWould a 20-minute call on Tuesday at 10:30 or on 14 March help?\n"
        "We could also meet in Q3.\n\nBest regards,\nAlex Morgan\n"
    )
    assert check(body) == []


def test_the_leads_own_words_are_a_source() -> None:
    reply = ConversationTurn(
        direction="inbound",
        at=datetime(2026, 3, 1, tzinfo=UTC),
        subject="Re: Hello",
        body="We have 40 trucks and use Samsara today.",
        message_id="<r1@bw.nl>",
    )
    body = "Hi Ana,\n\nThanks. For 40 trucks, switching from Samsara is quick.\n"
    assert [f.split(" with no source")[0] for f in check(body)] == ["says “40”", "says “Samsara”"]
    assert check(body, conversation=[reply]) == []


def test_names_are_not_checked_where_every_noun_has_a_capital() -> None:
    body = (
        "Hallo Ana,\n\nvielen Dank für Ihre Nachricht. Wir helfen Lagerteams bei der Planung "
        "und melden uns mit einem Vorschlag für die Umsetzung.\n"
    )
    assert check(body) == []


@pytest.mark.parametrize("product", PRODUCTS)
def test_the_offline_writer_is_grounded_for_every_product(product: str) -> None:
    engine = OfflineEngine(product)
    icp = IcpAssessment(
        fit_level=FitLevel.EXACT, recommendation="Engage now", score=1.0, reason="", verdicts=[]
    )
    lead = research()
    outreach = engine.write_outreach(lead, icp, "Alex Morgan")
    sent = ConversationTurn(
        direction="outbound",
        at=datetime(2026, 3, 1, tzinfo=UTC),
        subject=outreach.subject,
        body=outreach.body,
        message_id="<m1@northwind.example>",
    )
    follow_up = engine.write_message("follow_up", lead, [sent], "Alex Morgan")
    profile = product_profile(product)
    others = [product_profile(p).name for p in PRODUCTS if p != product]
    for draft in (outreach, follow_up):
        sources = grounding_sources(lead, product=product, sender="Alex Morgan")
        assert unsupported_claims(draft.subject, draft.body, sources) == [], draft.body
        assert profile.name in draft.body
        assert not any(name in draft.body for name in others)
