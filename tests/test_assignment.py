"""Assignment criteria: which leads the engage agent takes, and how many at once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pydantic import ValidationError

from core.icp_verdicts import FitLevel
from graphs.engage.assignment import AssignmentCriteria, check_assignment, pick_leads
from store.crm import Lead, LeadRating, LeadStatus

NOW = datetime(2025, 3, 3, 9, tzinfo=UTC)


def lead(lead_id: str = "LEAD-0001", **fields: Any) -> Lead:
    base: dict[str, Any] = {
        "id": lead_id,
        "topic": "Demand planning",
        "first_name": "Ana",
        "last_name": "Silva",
        "company_name": "Contoso Logistics",
        "email": "ana@contoso.example",
        "country": "Germany",
        "source": "Web",
        "rating": LeadRating.WARM,
        "status": LeadStatus.OPEN,
        "owner_id": "USR-002",
        "created_on": NOW,
    }
    base.update(fields)
    return Lead(**base)


def test_a_plain_researched_lead_is_assigned_by_default() -> None:
    result = check_assignment(lead(), FitLevel.CLOSE, AssignmentCriteria())
    assert result.assigned and result.reasons == []


@pytest.mark.parametrize(
    ("lead_fields", "fit", "criteria", "reason"),
    [
        ({"source": "Partner"}, FitLevel.EXACT, {}, "source is Partner, which the agent never"),
        ({"source": "employee referral"}, FitLevel.EXACT, {}, "never takes"),
        ({"source": "Event"}, FitLevel.EXACT, {"sources": ["Web"]}, "source is Event; the agent"),
        ({"source": None}, FitLevel.EXACT, {"sources": ["Web"]}, "no source"),
        ({"rating": LeadRating.COLD}, FitLevel.EXACT, {"ratings": ["hot"]}, "rating is cold"),
        ({"country": "France"}, FitLevel.EXACT, {"countries": ["Germany"]}, "outside Germany"),
        ({"country": "Brazil"}, FitLevel.EXACT, {"regions": ["DACH"]}, "outside DACH"),
        ({"country": None}, FitLevel.EXACT, {"regions": ["Europe"]}, "no country"),
        ({"country": "Atlantis"}, FitLevel.EXACT, {"regions": ["EU"]}, "not recognised"),
        ({"owner_id": "USR-009"}, FitLevel.EXACT, {"owner_ids": ["USR-002"]}, "owner is USR-009"),
        ({}, FitLevel.NONE, {}, "ICP fit is none; the agent takes close fit or better"),
        ({}, FitLevel.CLOSE, {"min_fit": "exact"}, "takes exact fit or better"),
        ({}, None, {}, "not researched yet"),
        ({"status": LeadStatus.QUALIFIED}, FitLevel.EXACT, {}, "status is qualified"),
        ({"email": None}, FitLevel.EXACT, {}, "no primary email"),
        ({"email": "  "}, FitLevel.EXACT, {}, "no primary email"),
        ({"company_name": None}, FitLevel.EXACT, {}, "no company name"),
        ({"do_not_email": True}, FitLevel.EXACT, {}, "opted out (Do Not Email)"),
        ({"do_not_contact": True}, FitLevel.EXACT, {}, "opted out (Do Not Contact)"),
    ],
)
def test_a_lead_outside_the_criteria_is_not_assigned(
    lead_fields: dict[str, Any], fit: FitLevel | None, criteria: dict[str, Any], reason: str
) -> None:
    result = check_assignment(lead(**lead_fields), fit, AssignmentCriteria(**criteria))
    assert not result.assigned
    assert any(reason in r for r in result.reasons), result.reasons


@pytest.mark.parametrize(
    ("lead_fields", "fit", "criteria"),
    [
        ({"country": "Austria"}, FitLevel.CLOSE, {"regions": ["DACH"]}),
        ({"country": "USA"}, FitLevel.CLOSE, {"regions": ["NA"]}),
        ({"country": "DE"}, FitLevel.CLOSE, {"countries": ["Deutschland"]}),
        # countries OR regions: France is in neither list's country but in Europe
        ({"country": "France"}, FitLevel.CLOSE, {"countries": ["Japan"], "regions": ["Europe"]}),
        ({"source": "web"}, FitLevel.CLOSE, {"sources": ["Web", "Event"]}),
        ({"rating": LeadRating.HOT}, FitLevel.CLOSE, {"ratings": ["Hot", "warm"]}),
        ({}, FitLevel.NONE, {"min_fit": "none"}),
        ({}, FitLevel.EXACT, {"min_fit": "exact"}),
        ({"email": None}, FitLevel.CLOSE, {"require_email": False}),
        ({"source": "Partner"}, FitLevel.CLOSE, {"excluded_sources": []}),
    ],
)
def test_a_lead_inside_the_criteria_is_assigned(
    lead_fields: dict[str, Any], fit: FitLevel, criteria: dict[str, Any]
) -> None:
    result = check_assignment(lead(**lead_fields), fit, AssignmentCriteria(**criteria))
    assert result.assigned, result.reasons


def test_every_failing_criterion_is_listed() -> None:
    result = check_assignment(
        lead(source="Partner", rating=LeadRating.COLD, email=None),
        None,
        AssignmentCriteria(ratings=["hot"]),
    )
    assert len(result.reasons) == 4


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("countries", ["Atlantis"], "unknown country 'Atlantis'"),
        ("regions", ["Middle Earth"], "unknown region 'Middle Earth'"),
        ("ratings", ["lukewarm"], "hot"),
        ("min_fit", "perfect", "exact"),
        ("max_active_conversations", -1, "greater than or equal to 0"),
        ("owner", ["USR-1"], "Extra inputs"),
    ],
)
def test_criteria_validation(field: str, value: object, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        AssignmentCriteria(**{field: value})


def test_a_single_source_is_a_one_item_list() -> None:
    assert AssignmentCriteria(sources="Web").sources == ["Web"]
    assert AssignmentCriteria(sources=["Web", "web", " Event "]).sources == ["Web", "Event"]


def candidates() -> list[tuple[Lead, FitLevel | None]]:
    return [
        (lead("LEAD-0001", created_on=NOW - timedelta(days=3)), FitLevel.CLOSE),
        (lead("LEAD-0002", created_on=NOW - timedelta(days=1)), FitLevel.CLOSE),
        (lead("LEAD-0003", created_on=NOW - timedelta(days=5)), FitLevel.EXACT),
        (lead("LEAD-0004", created_on=NOW), FitLevel.NONE),  # below min fit
        (lead("LEAD-0005", created_on=NOW, source="Partner"), FitLevel.EXACT),  # excluded
        (lead("LEAD-0006", created_on=NOW), None),  # not researched
        (lead("LEAD-0007", created_on=NOW - timedelta(days=1)), FitLevel.CLOSE),
    ]


def test_pick_leads_orders_exact_fit_then_newest_then_id() -> None:
    assert pick_leads(candidates(), 0, AssignmentCriteria()) == [
        "LEAD-0003",
        "LEAD-0002",
        "LEAD-0007",
        "LEAD-0001",
    ]


@pytest.mark.parametrize(
    ("cap", "active", "expected"),
    [
        (200, 0, 4),
        (3, 1, 2),
        (3, 3, 0),
        (3, 7, 0),  # already over the cap (lowered by the admin): nothing new
        (0, 0, 0),
    ],
)
def test_pick_leads_honours_the_active_conversation_cap(
    cap: int, active: int, expected: int
) -> None:
    picked = pick_leads(candidates(), active, AssignmentCriteria(max_active_conversations=cap))
    assert len(picked) == expected
    if expected:
        assert picked[0] == "LEAD-0003"


def test_pick_leads_ignores_duplicates() -> None:
    twice = [*candidates(), (lead("LEAD-0003", created_on=NOW), FitLevel.EXACT)]
    picked = pick_leads(twice, 0, AssignmentCriteria())
    assert picked.count("LEAD-0003") == 1
