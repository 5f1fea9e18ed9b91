"""Lead selection rules and the research refresh schedule."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError

from graphs.research.selection import (
    Eligibility,
    RefreshSchedule,
    SelectionRules,
    check_eligibility,
    is_stale,
    staleness_reason,
)
from store.crm import Lead, LeadStatus, SecurityRole

NOW = datetime(2026, 11, 24, 12, 0, 0, tzinfo=UTC)
RULES = SelectionRules()


def make_lead(**changes: object) -> Lead:
    fields: dict[str, object] = {
        "id": "LEAD-0001",
        "topic": "Fleet telematics for 200 trucks",
        "first_name": "Jane",
        "last_name": "Doe",
        "company_name": "Globex",
        "email": "jane.doe@globex.com",
        "status": LeadStatus.OPEN,
        "source": "Web",
        "created_on": NOW - timedelta(days=3),
        "owner_id": "USR-01",
    }
    fields.update(changes)
    return Lead(**fields)


def check(lead: Lead, role: str | None = "seller", rules: SelectionRules = RULES) -> Eligibility:
    return check_eligibility(lead, role, NOW, rules)


# --- The 14-day window ----------------------------------------------------------------------


def test_a_fresh_open_lead_of_a_seller_is_eligible() -> None:
    result = check(make_lead())
    assert result.eligible
    assert result.reasons == []


def test_created_exactly_14_days_ago_is_eligible() -> None:
    assert check(make_lead(created_on=NOW - timedelta(days=14))).eligible


def test_created_14_days_and_1_second_ago_is_not() -> None:
    result = check(make_lead(created_on=NOW - timedelta(days=14, seconds=1)))
    assert not result.eligible
    assert result.reasons == [
        "created more than 14 days ago; research takes leads created in the last 14 days"
    ]


def test_created_15_days_ago_names_the_age() -> None:
    result = check(make_lead(created_on=NOW - timedelta(days=15)))
    assert result.reasons == [
        "created 15 days ago; research takes leads created in the last 14 days"
    ]


def test_naive_datetimes_from_sqlite_are_taken_as_utc() -> None:
    # SQLite hands back naive datetimes; read as local time, the edge would move by hours.
    naive_created = (NOW - timedelta(days=14)).replace(tzinfo=None)
    lead = Lead.model_construct(**{**make_lead().model_dump(), "created_on": naive_created})
    assert check(lead).eligible
    late = Lead.model_construct(
        **{**make_lead().model_dump(), "created_on": naive_created - timedelta(seconds=1)}
    )
    assert not check(late).eligible
    # A naive "now" is UTC too.
    assert check_eligibility(lead, "seller", NOW.replace(tzinfo=None), RULES).eligible


def test_other_timezones_are_compared_as_instants() -> None:
    tokyo = NOW.astimezone(ZoneInfo("Asia/Tokyo"))
    assert check(make_lead(created_on=tokyo - timedelta(days=14))).eligible
    assert not check(make_lead(created_on=tokyo - timedelta(days=14, seconds=1))).eligible


def test_no_age_limit() -> None:
    rules = SelectionRules(max_age_days=None)
    assert check(make_lead(created_on=NOW - timedelta(days=900)), rules=rules).eligible


def test_one_day_window_reads_singular() -> None:
    rules = SelectionRules(max_age_days=1)
    result = check(make_lead(created_on=NOW - timedelta(days=3)), rules=rules)
    assert result.reasons == ["created 3 days ago; research takes leads created in the last 1 day"]


# --- Status, owner, data ---------------------------------------------------------------------


@pytest.mark.parametrize("status", [LeadStatus.QUALIFIED, LeadStatus.DISQUALIFIED])
def test_closed_statuses_are_not_taken(status: LeadStatus) -> None:
    result = check(make_lead(status=status))
    assert result.reasons == [f"status is {status.value}; research takes open leads"]


def test_statuses_can_be_widened() -> None:
    rules = SelectionRules(statuses=["open", "qualified"])
    assert check(make_lead(status=LeadStatus.QUALIFIED), rules=rules).eligible
    result = check(make_lead(status=LeadStatus.DISQUALIFIED), rules=rules)
    assert result.reasons == ["status is disqualified; research takes open or qualified leads"]


@pytest.mark.parametrize("role", ["seller", "sales_manager", SecurityRole.SELLER, "Seller"])
def test_allowed_owner_roles(role: str) -> None:
    assert check(make_lead(), role=role).eligible


def test_owner_without_access() -> None:
    result = check(make_lead(owner_id="USR-10"), role="marketing")
    assert result.reasons == ["owner USR-10 has role marketing, which may not use the agent"]


def test_owner_with_unknown_role_and_lead_without_owner() -> None:
    unknown = check(make_lead(owner_id="USR-11"), role=None)
    assert unknown.reasons == [
        "owner USR-11 has no known security role; research takes leads owned by users with "
        "role seller or sales manager"
    ]
    orphan = check(make_lead(owner_id=None), role=None)
    assert orphan.reasons[0].startswith("no owner; ")


@pytest.mark.parametrize("email", [None, "", "   "])
def test_missing_primary_email(email: str | None) -> None:
    assert check(make_lead(email=email)).reasons == ["no primary email"]


@pytest.mark.parametrize("company", [None, "", " "])
def test_missing_company_name(company: str | None) -> None:
    assert check(make_lead(company_name=company)).reasons == ["no company name"]


def test_data_requirements_can_be_switched_off() -> None:
    rules = SelectionRules(require_email=False, require_company=False)
    assert check(make_lead(email=None, company_name=None), rules=rules).eligible


def test_excluded_sources_match_without_case() -> None:
    rules = SelectionRules(excluded_sources=["Employee referral", "Partner"])
    result = check(make_lead(source="partner"), rules=rules)
    assert result.reasons == ["source is partner, which research excludes"]
    assert check(make_lead(source="Web"), rules=rules).eligible
    assert check(make_lead(source=None), rules=rules).eligible
    assert check(make_lead(source="Partner")).eligible  # research excludes none by default


def test_every_failing_rule_is_listed_in_order() -> None:
    lead = make_lead(
        owner_id="USR-10",
        status=LeadStatus.QUALIFIED,
        created_on=NOW - timedelta(days=15),
        email=None,
        company_name=None,
    )
    result = check(lead, role="marketing")
    assert not result.eligible
    assert result.reasons == [
        "created 15 days ago; research takes leads created in the last 14 days",
        "status is qualified; research takes open leads",
        "owner USR-10 has role marketing, which may not use the agent",
        "no primary email",
        "no company name",
    ]


# --- Rule validation -------------------------------------------------------------------------


def test_defaults() -> None:
    assert RULES.statuses == ["open"]
    assert RULES.max_age_days == 14
    assert RULES.allowed_roles == ["seller", "sales_manager"]
    assert RULES.require_email and RULES.require_company
    assert RULES.excluded_sources == []


def test_values_are_cleaned() -> None:
    rules = SelectionRules(
        statuses=[" Open ", "open"],
        allowed_roles="Seller",
        excluded_sources=[" Partner", "partner", ""],
    )
    assert rules.statuses == ["open"]
    assert rules.allowed_roles == ["seller"]
    assert rules.excluded_sources == ["Partner"]


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"statuses": ["opne"]}, "statuses: 'opne' is not allowed; use one of open, qualified"),
        ({"statuses": []}, "statuses: list at least one of open"),
        ({"allowed_roles": ["ceo"]}, "allowed_roles: 'ceo' is not allowed; use one of seller"),
        ({"allowed_roles": []}, "allowed_roles: list at least one"),
        ({"max_age_days": 0}, "max_age_days: 0 would take no lead"),
        ({"max_age_days": -3}, "max_age_days: -3"),
        ({"excluded_sources": 5}, "excluded_sources: expected a list"),
        ({"max_age_dayz": 7}, "max_age_dayz"),
    ],
)
def test_bad_rules_say_what_to_fix(settings: dict[str, object], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        SelectionRules.model_validate(settings)


def test_rules_round_trip_as_json() -> None:
    rules = SelectionRules(max_age_days=30, excluded_sources=["Partner"])
    assert SelectionRules.model_validate_json(rules.model_dump_json()) == rules


# --- Refresh ---------------------------------------------------------------------------------

SCHEDULE = RefreshSchedule()


def test_never_researched_is_stale() -> None:
    assert is_stale(None, NOW, SCHEDULE)
    assert staleness_reason(None, NOW, SCHEDULE) == "never researched"


def test_research_is_fresh_up_to_24_hours() -> None:
    assert not is_stale(NOW - timedelta(hours=23), NOW, SCHEDULE)
    assert not is_stale(NOW - timedelta(hours=24), NOW, SCHEDULE)
    assert is_stale(NOW - timedelta(hours=24, seconds=1), NOW, SCHEDULE)
    reason = staleness_reason(NOW - timedelta(hours=30), NOW, SCHEDULE)
    assert reason == "researched 30 hours ago; research is redone after 24 hours"


def test_naive_research_time_is_utc() -> None:
    naive = (NOW - timedelta(hours=24)).replace(tzinfo=None)
    assert not is_stale(naive, NOW, SCHEDULE)
    assert is_stale(naive - timedelta(seconds=1), NOW, SCHEDULE)


def test_a_change_after_research_makes_it_stale() -> None:
    researched = NOW - timedelta(hours=2)
    assert is_stale(researched, NOW, SCHEDULE, lead_changed_on=NOW - timedelta(hours=1))
    assert not is_stale(researched, NOW, SCHEDULE, lead_changed_on=NOW - timedelta(hours=3))
    assert not is_stale(researched, NOW, SCHEDULE, lead_changed_on=researched)
    naive_change = (NOW - timedelta(hours=1)).replace(tzinfo=None)
    assert is_stale(researched, NOW, SCHEDULE, lead_changed_on=naive_change)


def test_changes_can_be_ignored() -> None:
    schedule = RefreshSchedule(refresh_on_change=False)
    researched = NOW - timedelta(hours=2)
    assert not is_stale(researched, NOW, schedule, lead_changed_on=NOW - timedelta(hours=1))


def test_refresh_on_changes_only() -> None:
    schedule = RefreshSchedule(refresh_after_hours=None)
    assert not is_stale(NOW - timedelta(days=365), NOW, schedule)
    assert is_stale(NOW - timedelta(days=365), NOW, schedule, lead_changed_on=NOW)


def test_custom_hours() -> None:
    schedule = RefreshSchedule(refresh_after_hours=1.5)
    assert not is_stale(NOW - timedelta(minutes=90), NOW, schedule)
    assert is_stale(NOW - timedelta(minutes=91), NOW, schedule)


@pytest.mark.parametrize("hours", [0, -1])
def test_bad_schedule_says_what_to_fix(hours: float) -> None:
    with pytest.raises(ValidationError, match="refresh_after_hours"):
        RefreshSchedule(refresh_after_hours=hours)


def test_left_out_leads_are_counted_per_rule() -> None:
    from graphs.research.selection import LEFT_OUT_FIXES, left_out_counts

    leads = [
        make_lead(id="L1"),  # taken
        make_lead(id="L2", created_on=NOW - timedelta(days=40)),
        make_lead(id="L3", created_on=NOW - timedelta(days=40), email=None),  # two rules
        make_lead(id="L4", status=LeadStatus.QUALIFIED),
        make_lead(id="L5", owner_id="USR-09"),  # an admin's lead
        make_lead(id="L6", company_name=" "),
    ]
    roles = {"USR-01": "seller", "USR-09": "admin"}
    counts = left_out_counts(leads, roles, NOW, RULES)
    assert counts == {"too_old": 2, "status": 1, "owner_role": 1, "no_email": 1, "no_company": 1}
    assert all("selection." in LEFT_OUT_FIXES[rule] for rule in counts)  # names the setting
