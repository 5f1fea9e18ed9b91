"""Schema and coverage checks for the replies, handoff and journeys eval datasets.

The checks are plain functions returning problems (file line, case id, what to fix), so a
test can also feed them a broken case and see it reported.
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest

from core.reply_reading import BantVerdict, Intent, PurchaseInterest
from evals.schemas import HandoffInput
from graphs.engage.engage_settings import default_engage
from graphs.engage.handoff_rules import DEFAULT_HANDOFF_RULES

DATASETS = Path(__file__).parents[1] / "evals" / "datasets"
MINIMUM_CASES = {"replies": 200, "handoff": 80, "journeys": 12}
MINIMUM_INJECTIONS = 15
BANT_NAMES = {"budget", "authority", "need", "timing"}
RULE_TARGETS = {rule.id: rule.target.value for rule in DEFAULT_HANDOFF_RULES}
# Rules that fire before the agent's first email: nothing may have been sent.
PRE_CONTACT_RULES = {"no_icp_match", "email_invalid"}
# The journeys the dataset must contain (target, rule), None = no hand-off after 30 days.
REQUIRED_JOURNEYS = {
    ("seller", "qualified_interest"),
    ("seller", "meeting_request"),
    ("supervisor", "no_reply_after_follow_ups"),
    ("supervisor", "opted_out"),
    ("supervisor", "bounced"),
    ("seller", "referral"),
    ("supervisor", "not_interested"),
    ("seller", "unanswered_question"),
    ("supervisor", "no_icp_match"),
    ("seller", "email_invalid"),
    (None, None),
}

Row = tuple[int, dict[str, Any]]


def read_rows(suite: str) -> list[Row]:
    """(line number, case) for every line of `evals/datasets/<suite>.jsonl`."""
    path = DATASETS / f"{suite}.jsonl"
    rows = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        assert line.strip(), f"{path.name}:{number}: empty line; remove it"
        try:
            rows.append((number, json.loads(line)))
        except json.JSONDecodeError as exc:
            pytest.fail(f"{path.name}:{number}: not JSON ({exc}); fix the line")
    return rows


def common_problems(suite: str, rows: list[Row]) -> list[str]:
    """Id, source, tags and layout problems shared by every suite."""
    problems, seen = [], Counter(case.get("id") for _, case in rows)
    for number, case in rows:
        where = f"{suite}.jsonl:{number} ({case.get('id')})"
        extra = set(case) - {"id", "source", "tags", "input", "expected", "notes"}
        if extra:
            problems.append(f"{where}: unknown keys {sorted(extra)}; remove them")
        case_id = case.get("id")
        if not isinstance(case_id, str) or not case_id.startswith(f"{suite}-"):
            problems.append(f"{where}: id must look like '{suite}-0001'")
        elif seen[case_id] > 1:
            problems.append(f"{where}: id {case_id} is used {seen[case_id]} times; renumber")
        if not str(case.get("source") or "").strip():
            problems.append(f"{where}: say where the case came from in 'source'")
        if not isinstance(case.get("tags"), list):
            problems.append(f"{where}: 'tags' must be a list")
        if not isinstance(case.get("input"), dict) or not isinstance(case.get("expected"), dict):
            problems.append(f"{where}: 'input' and 'expected' must be objects")
    return problems


def _iso_day(value: object) -> date | None:
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        return None


def reply_problems(number: int, case: dict[str, Any]) -> list[str]:
    """What is wrong with one replies case (empty: nothing)."""
    where = f"replies.jsonl:{number} ({case.get('id')})"
    given, expected = case["input"], case["expected"]
    problems = []
    reply = given.get("reply")
    if not isinstance(reply, str) or not reply.strip():
        return [f"{where}: input.reply must be the text as received"]
    outreach = given.get("outreach") or {}
    if not (outreach.get("subject") and outreach.get("body")):
        problems.append(f"{where}: input.outreach needs the subject and body it answers")
    try:
        received = datetime.fromisoformat(str(given.get("received_on")).replace("Z", "+00:00"))
    except ValueError:
        return [*problems, f"{where}: input.received_on must be an ISO datetime in UTC"]
    if received.utcoffset() is None or received.utcoffset().total_seconds() != 0:
        problems.append(f"{where}: input.received_on must be UTC (end it with Z)")
    if received.year != 2026:
        problems.append(f"{where}: input.received_on must be a fixed date in 2026")
    if not isinstance(given.get("headers"), dict):
        problems.append(f"{where}: input.headers must be an object ({{}} when none)")
    if expected.get("intent") not in {i.value for i in Intent}:
        problems.append(f"{where}: expected.intent {expected.get('intent')!r} is not an intent")
    if expected.get("purchase_interest") not in {p.value for p in PurchaseInterest}:
        problems.append(f"{where}: expected.purchase_interest must be high/medium/low/none")
    for name, item in (expected.get("bant") or {}).items():
        if name not in BANT_NAMES:
            problems.append(f"{where}: expected.bant.{name} is not a BANT dimension")
            continue
        if item.get("verdict") not in {v.value for v in BantVerdict}:
            problems.append(f"{where}: expected.bant.{name}.verdict must be met/not_met/unknown")
        evidence = item.get("evidence")
        if evidence is not None and evidence not in reply:
            problems.append(
                f"{where}: expected.bant.{name}.evidence {evidence!r} is not a verbatim "
                "substring of the reply; copy the lead's words exactly"
            )
    for key in ("return_date", "check_in_date"):
        if key in expected:
            day = _iso_day(expected[key])
            if day is None:
                problems.append(f"{where}: expected.{key} must be YYYY-MM-DD")
            elif day < received.date():
                problems.append(f"{where}: expected.{key} {day} is before the reply was received")
    referral = expected.get("referral_email")
    if referral is not None and referral not in reply:
        problems.append(f"{where}: expected.referral_email {referral!r} is not in the reply")
    if "injection" in expected and not isinstance(expected["injection"], bool):
        problems.append(f"{where}: expected.injection must be true or false")
    return problems


def handoff_problems(number: int, case: dict[str, Any]) -> list[str]:
    """What is wrong with one handoff case."""
    where = f"handoff.jsonl:{number} ({case.get('id')})"
    problems = []
    try:
        HandoffInput.model_validate(case["input"])
    except (ValueError, TypeError) as exc:
        problems.append(f"{where}: input is neither facts nor a reply to read: {exc}")
    target, rule = case["expected"].get("target"), case["expected"].get("rule")
    if (target is None) != (rule is None):
        problems.append(f"{where}: set both target and rule, or both to null (keep talking)")
    elif rule is not None and RULE_TARGETS.get(rule) != target:
        problems.append(
            f"{where}: rule {rule!r} sends to {RULE_TARGETS.get(rule)!r}, not {target!r}"
        )
    return problems


def journey_problems(number: int, case: dict[str, Any], max_messages: int) -> list[str]:
    """What is wrong with one journeys case."""
    where = f"journeys.jsonl:{number} ({case.get('id')})"
    given, expected = case["input"], case["expected"]
    problems = []
    lead_keys = {"first_name", "last_name", "job_title", "email", "company_name", "country"}
    missing = lead_keys - set(given.get("lead") or {})
    if missing:
        problems.append(f"{where}: input.lead lacks {sorted(missing)}")
    for index, reply in enumerate(given.get("replies") or []):
        if not isinstance(reply.get("after_days"), int | float) or reply["after_days"] < 0:
            problems.append(f"{where}: replies[{index}].after_days must be a number >= 0")
        if not str(reply.get("text") or "").strip():
            problems.append(f"{where}: replies[{index}].text is empty")
    target, rule = expected.get("target"), expected.get("rule")
    if (target is None) != (rule is None):
        problems.append(f"{where}: set both target and rule, or both to null (no hand-off)")
    elif rule is not None and RULE_TARGETS.get(rule) != target:
        problems.append(f"{where}: rule {rule!r} does not send to {target!r}")
    sent = expected.get("emails_sent")
    if sent is not None:
        if not 0 <= sent <= max_messages:
            problems.append(f"{where}: emails_sent {sent} is outside 0..{max_messages}")
        if rule in PRE_CONTACT_RULES and sent != 0:
            problems.append(f"{where}: {rule} fires before any email, so emails_sent is 0")
        if len(given.get("replies") or []) > max(sent, 0):
            problems.append(f"{where}: more replies than emails sent; each reply answers one")
    return problems


# -- the datasets --------------------------------------------------------------------------


@pytest.mark.parametrize("suite", sorted(MINIMUM_CASES))
def test_every_line_parses_with_unique_ids_and_sources(suite: str) -> None:
    rows = read_rows(suite)
    assert common_problems(suite, rows) == []
    wanted = MINIMUM_CASES[suite]
    assert len(rows) >= wanted, f"{suite}: {len(rows)} cases, want at least {wanted}"


def test_replies_are_well_formed_and_evidence_is_verbatim() -> None:
    problems = [p for number, case in read_rows("replies") for p in reply_problems(number, case)]
    assert problems == []


def test_replies_cover_every_intent_interest_and_the_hard_kinds() -> None:
    cases = [case for _, case in read_rows("replies")]
    intents = Counter(case["expected"]["intent"] for case in cases)
    assert set(intents) == {i.value for i in Intent}
    assert min(intents.values()) >= 10, intents
    assert {case["expected"]["purchase_interest"] for case in cases} == {
        p.value for p in PurchaseInterest
    }
    injections = [case for case in cases if case["expected"].get("injection") is True]
    assert len(injections) >= MINIMUM_INJECTIONS
    assert len({tag for case in injections for tag in case["tags"] if ":" in tag}) >= 8
    tags = Counter(tag for case in cases for tag in case["tags"])
    for needed in ("forwarded", "sarcasm", "gdpr-erasure", "rfc3834", "mobile-footer"):
        assert tags[needed] >= 1, f"no case tagged {needed!r}"
    assert sum(1 for case in cases if case["source"].startswith("sisimai")) >= 20
    bounces = [case for case in cases if case["expected"]["intent"] == "bounce"]
    assert {bool(case["input"]["headers"]) for case in bounces} == {True, False}


def test_handoff_cases_are_well_formed_and_cover_every_rule() -> None:
    rows = read_rows("handoff")
    assert [p for number, case in rows for p in handoff_problems(number, case)] == []
    rules = Counter(case["expected"]["rule"] for _, case in rows)
    assert set(RULE_TARGETS) <= set(rules), set(RULE_TARGETS) - set(rules)
    assert rules[None] >= 5, "keep-talking cases (null target) are missing"
    assert sum("conflict" in case["tags"] for _, case in rows) >= 20


def test_journeys_are_well_formed_and_cover_the_required_outcomes() -> None:
    rows = read_rows("journeys")
    cap = default_engage().guardrails.max_messages_per_lead
    assert [p for number, case in rows for p in journey_problems(number, case, cap)] == []
    outcomes = {(case["expected"]["target"], case["expected"]["rule"]) for _, case in rows}
    assert outcomes >= REQUIRED_JOURNEYS, REQUIRED_JOURNEYS - outcomes
    injected = [case for _, case in rows if "injection" in case["tags"]]
    assert injected and all(case["expected"]["target"] != "seller" for case in injected)


# -- the checks themselves catch what they promise --------------------------------------------


def _a_reply_case() -> dict[str, Any]:
    return {
        "id": "replies-9999",
        "source": "hand-written",
        "tags": [],
        "input": {
            "reply": "We have budget approved for Q3.",
            "outreach": {"subject": "Hello", "body": "Hi"},
            "job_title": None,
            "received_on": "2026-03-03T10:00:00Z",
            "headers": {},
        },
        "expected": {
            "intent": "interested",
            "purchase_interest": "medium",
            "bant": {"budget": {"verdict": "met", "evidence": "budget approved"}},
        },
    }


def test_a_good_case_has_no_problems() -> None:
    assert reply_problems(1, _a_reply_case()) == []


@pytest.mark.parametrize(
    ("change", "complaint"),
    [
        (lambda c: c["expected"]["bant"]["budget"].update(evidence="budget is OK"), "verbatim"),
        (lambda c: c["expected"].update(intent="keen"), "not an intent"),
        (lambda c: c["input"].update(received_on="2026-03-03T10:00:00+02:00"), "UTC"),
        (lambda c: c["expected"].update(check_in_date="2026-01-01"), "before the reply"),
        (lambda c: c["expected"].update(referral_email="x@y.example"), "not in the reply"),
    ],
)
def test_a_broken_reply_case_is_reported_with_its_line(change: Any, complaint: str) -> None:
    case = _a_reply_case()
    change(case)
    problems = reply_problems(7, case)
    assert len(problems) == 1 and complaint in problems[0] and "replies.jsonl:7" in problems[0]


def test_duplicate_ids_and_missing_sources_are_reported() -> None:
    first, second = _a_reply_case(), _a_reply_case()
    second["source"] = " "
    problems = common_problems("replies", [(1, first), (2, second)])
    assert any("used 2 times" in p for p in problems)
    assert any("replies.jsonl:2" in p and "source" in p for p in problems)


def test_a_rule_with_the_wrong_target_is_reported() -> None:
    case = {"id": "handoff-9999", "input": {"facts": {}}, "expected": {"target": "seller"}}
    case["expected"]["rule"] = "opted_out"
    assert "sends to 'supervisor'" in handoff_problems(3, case)[0]
    journey = {
        "id": "journeys-9999",
        "input": {"lead": dict.fromkeys(("first_name", "last_name", "job_title"), None)},
        "expected": {"target": "supervisor", "rule": "no_icp_match", "emails_sent": 1},
    }
    problems = journey_problems(4, journey, max_messages=4)
    assert any("lacks" in p for p in problems) and any("emails_sent is 0" in p for p in problems)
