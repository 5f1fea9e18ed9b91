"""The agent's lead rating: the pure rule over a table of cases (each threshold edge), the
buying signals read from replies about unlike products, its settings and the assignment
filter on it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from core.icp_verdicts import FitLevel
from core.reply_reading import Intent, PurchaseInterest
from graphs.engage.assignment import AssignmentCriteria, check_assignment, pick_leads
from graphs.engage.engage_settings import EngageFileError, parse_engage_yaml
from graphs.knowledge.product_catalog import product_knowledge
from graphs.rating.buying_signals import BuyingSignal, SignalKind, signals_from_reading
from graphs.rating.lead_rating import RatingInputs, RatingSettings, rate_lead
from graphs.reply_reader.reader import read_reply
from store.crm import Lead

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
SETTINGS = RatingSettings()


def _ago(days: float) -> datetime:
    return NOW - timedelta(days=days)


def _inputs(**values: object) -> RatingInputs:
    return RatingInputs.model_validate({"created_on": _ago(100)} | values)


def _signal(kind: SignalKind, days: float) -> BuyingSignal:
    return BuyingSignal(kind=kind, at=_ago(days), evidence="?", message_id=f"<{kind}@x>")


# (case, inputs, level, points) — default weights: fit 30/15/0; interest 25/15/5/0 + 10 per
# signal kind, capped at 40; recency 20 (<= 7 days) / 10 (8-21) / 0; engagement 5 per
# reply, 10 per meeting, 1 per open, capped at 15; hot at 70, warm at 40.
CASES = [
    (
        "exact fit, never engaged, created 40 days ago",
        _inputs(fit_level="exact", created_on=_ago(40)),
        "cold",
        30,
    ),
    (
        "exact fit, created 7 days ago: recent",
        _inputs(fit_level="exact", created_on=_ago(7)),
        "warm",
        50,
    ),
    (
        "exact fit, created 8 days ago: moderate",
        _inputs(fit_level="exact", created_on=_ago(8)),
        "warm",
        40,
    ),
    (
        "close fit, created 21 days ago: moderate",
        _inputs(fit_level="close", created_on=_ago(21)),
        "cold",
        25,
    ),
    (
        "exact fit, created 22 days ago: old",
        _inputs(fit_level="exact", created_on=_ago(22)),
        "cold",
        30,
    ),
    ("not researched, created today", _inputs(created_on=_ago(0)), "cold", 20),
    (
        "39 points is cold: close fit, recent, four opens",
        _inputs(fit_level="close", created_on=_ago(3), open_times=[_ago(4)] * 4),
        "cold",
        15 + 20 + 4,
    ),
    (
        "40 points is warm: five opens",
        _inputs(fit_level="close", created_on=_ago(3), open_times=[_ago(4)] * 5),
        "warm",
        15 + 20 + 5,
    ),
    (
        "70 points is hot",
        _inputs(
            fit_level="close",
            reply_times=[_ago(2)],
            latest_reply_on=_ago(2),
            latest_interest="medium",
            signals=[_signal(SignalKind.PRICING, 2)],
            open_times=[_ago(2)] * 5,
        ),
        "hot",
        15 + (15 + 10) + 20 + (5 + 5),
    ),
    (
        "69 points is warm",
        _inputs(
            fit_level="close",
            reply_times=[_ago(2)],
            latest_reply_on=_ago(2),
            latest_interest="medium",
            signals=[_signal(SignalKind.PRICING, 2)],
            open_times=[_ago(2)] * 4,
        ),
        "warm",
        15 + (15 + 10) + 20 + (5 + 4),
    ),
    (
        "intent capped at 40",
        _inputs(
            fit_level="none",
            reply_times=[_ago(1)],
            latest_reply_on=_ago(1),
            latest_interest="high",
            signals=[_signal(k, 1) for k in SignalKind],
        ),
        "warm",
        0 + 40 + 20 + 5,
    ),
    (
        "a signal 61 days old counts for nothing; 60 still counts",
        _inputs(
            fit_level="exact",
            signals=[_signal(SignalKind.PRICING, 61), _signal(SignalKind.DEMO_OR_TRIAL, 60)],
        ),
        "warm",
        30 + 10,
    ),
    (
        "engagement capped at 15: four replies and a meeting",
        _inputs(
            fit_level="exact",
            reply_times=[_ago(d) for d in (30, 31, 32, 33)],
            meeting_times=[_ago(25)],
        ),
        "warm",
        30 + 0 + 0 + 15,
    ),
    (
        "a meeting 10 days ago is the last activity",
        _inputs(fit_level="exact", meeting_times=[_ago(10)]),
        "warm",
        30 + 10 + 10,
    ),
    (
        "opens and a web visit, where known, count",
        _inputs(fit_level="close", open_times=[_ago(1), _ago(2)], web_visit_on=_ago(3)),
        "cold",
        15 + 20 + 2,
    ),
    (
        "a lead that said no is cold whatever its points",
        _inputs(
            fit_level="exact",
            reply_times=[_ago(1)],
            latest_reply_on=_ago(1),
            latest_intent="not_interested",
            latest_interest="high",
            signals=[_signal(SignalKind.PRICING, 5)],
        ),
        "cold",
        30 + 35 + 20 + 5,
    ),
]


@pytest.mark.parametrize(
    ("inputs", "level", "points"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_rate_lead_table(inputs: RatingInputs, level: str, points: int) -> None:
    rating = rate_lead(inputs, NOW, SETTINGS)
    assert (rating.level, rating.score) == (level, points), rating.components
    assert rating.score == sum(c.points for c in rating.components.values())


def test_reasons_are_in_the_sellers_words() -> None:
    rating = rate_lead(
        _inputs(
            fit_level="exact",
            reply_times=[_ago(3)],
            latest_reply_on=_ago(3),
            latest_interest="high",
            signals=[_signal(SignalKind.PRICING, 3), _signal(SignalKind.DEMO_OR_TRIAL, 1)],
        ),
        NOW,
        SETTINGS,
    )
    assert rating.level == "hot"
    assert rating.reasons[:3] == [
        "asked for a demo, trial or meeting yesterday",
        "asked about pricing 3 days ago",
        "purchase interest: high",
    ]
    assert "fit: exact" in rating.reasons
    assert "1 reply in the last 60 days" in rating.reasons
    assert "last activity: replied 3 days ago" in rating.reasons

    silent = rate_lead(
        _inputs(fit_level="close", created_on=_ago(45), first_outreach_on=_ago(30)), NOW, SETTINGS
    )
    assert "no reply in 30 days" in silent.reasons
    said_no = rate_lead(
        _inputs(latest_intent="unsubscribe", latest_reply_on=_ago(2), reply_times=[_ago(2)]),
        NOW,
        SETTINGS,
    )
    assert said_no.reasons[0] == "opted out 2 days ago"


def test_weights_are_the_admins() -> None:
    inputs = _inputs(fit_level="exact", created_on=_ago(40))
    tuned = RatingSettings(fit_points={"exact": 45, "close": 20, "none": 0}, warm_at=45)
    assert rate_lead(inputs, NOW, tuned).level == "warm"
    assert rate_lead(inputs, NOW, RatingSettings(recent_days=3, moderate_days=50)).score == 40


def _read(product: str, text: str) -> list[SignalKind]:
    knowledge = product_knowledge(product)
    reading = read_reply(
        text,
        received_on=NOW,
        job_title="Operations Manager",
        competitors=knowledge.profile.competitor_pattern,
    )
    signals = signals_from_reading(
        reading, at=NOW, own_text=text, faq=knowledge.faq, profile=knowledge.profile
    )
    return sorted(s.kind for s in signals)


@pytest.mark.parametrize(
    ("product", "text", "kinds"),
    [
        (
            "fleetline",
            "Thanks. What would this cost for 40 vans? And could we get a demo next week? "
            "We are also looking at Samsara.",
            {SignalKind.PRICING, SignalKind.DEMO_OR_TRIAL, SignalKind.COMPETITOR_COMPARISON},
        ),
        (
            "clinicflow",
            "Interesting. How much per practitioner? Do you have case studies from clinics "
            "like ours? Does it integrate with our patient records system?",
            {SignalKind.PRICING, SignalKind.CASE_STUDIES_OR_ROI, SignalKind.FEATURES},
        ),
        (
            "ledgerly",
            "We have budget approved for this. Can I try it on our own data first?",
            {SignalKind.BUDGET_OR_APPROVAL, SignalKind.DEMO_OR_TRIAL},
        ),
        (
            "clinicflow",
            "Wie viel kostet das pro Behandler? Gibt es eine kostenlose Testphase?",
            {SignalKind.PRICING, SignalKind.DEMO_OR_TRIAL},
        ),
    ],
    ids=["fleet", "clinic", "ledger", "clinic-de"],
)
def test_signal_kinds_from_replies_about_unlike_products(
    product: str, text: str, kinds: set[SignalKind]
) -> None:
    assert set(_read(product, text)) == kinds


def test_no_signal_from_a_no_or_a_plain_thanks() -> None:
    assert _read("fleetline", "Not interested, please remove me from your list.") == []
    assert _read("clinicflow", "Thanks for the note, I will read it later.") == []


def test_rating_settings_errors_name_the_field_and_the_fix() -> None:
    with pytest.raises(EngageFileError) as error:
        parse_engage_yaml("rating:\n  hot_at: 30\n  warm_at: 40\n")
    assert "rating" in str(error.value) and "raise hot_at" in str(error.value)
    with pytest.raises(EngageFileError) as error:
        parse_engage_yaml("rating:\n  fit_points: {perfect: 30}\n")
    assert "rating" in str(error.value) and "perfect" in str(error.value)
    parsed = parse_engage_yaml("rating:\n  hot_at: 80\n")
    assert parsed.rating.hot_at == 80 and parsed.rating.warm_at == 40


def _lead(lead_id: str, days_old: int = 1) -> Lead:
    return Lead(
        id=lead_id,
        topic="t",
        email=f"{lead_id.lower()}@acme.example",
        company_name="Acme",
        source="Web",
        created_on=NOW - timedelta(days=days_old),
    )


def test_assignment_takes_the_agents_rating() -> None:
    criteria = AssignmentCriteria.model_validate({"agent_ratings": ["Hot", "warm"]})
    assert criteria.agent_ratings == ["hot", "warm"]
    lead = _lead("LEAD-1")
    assert check_assignment(lead, FitLevel.EXACT, criteria, "hot").assigned
    cold = check_assignment(lead, FitLevel.EXACT, criteria, "cold")
    assert cold.reasons == ["the agent's rating is cold; the agent takes hot or warm leads"]
    unrated = check_assignment(lead, FitLevel.EXACT, criteria, None)
    assert unrated.reasons == ["not rated by the agent yet; the agent takes hot or warm leads"]
    # The CRM's rating is its own criterion: the agent's rating leaves it alone.
    assert check_assignment(lead, FitLevel.EXACT, AssignmentCriteria(), "cold").assigned

    leads = [(_lead(f"LEAD-{n}", n), FitLevel.EXACT) for n in range(1, 5)]
    rated = {"LEAD-1": "cold", "LEAD-2": "warm", "LEAD-3": "hot"}
    assert pick_leads(leads, 0, criteria, agent_ratings=rated) == ["LEAD-2", "LEAD-3"]
    assert pick_leads(leads, 0, AssignmentCriteria(), agent_ratings=rated) == [
        "LEAD-1",
        "LEAD-2",
        "LEAD-3",
        "LEAD-4",
    ]
    with pytest.raises(EngageFileError) as error:
        parse_engage_yaml("assignment:\n  agent_ratings: [boiling]\n")
    assert "assignment.agent_ratings" in str(error.value) and "hot" in str(error.value)


def test_intent_and_interest_enums_stay_in_step() -> None:
    # The rating reads the reader's values by name: a renamed value must fail here.
    assert {i.value for i in (Intent.NOT_INTERESTED, Intent.UNSUBSCRIBE)} <= set(Intent)
    assert set(SETTINGS.interest_points) == set(PurchaseInterest)
