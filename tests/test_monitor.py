"""`qualify monitor`: figures counted by hand from rows, then from real research and engage
runs, and through the command line."""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

import graphs.research.graph as research_module
from app.cli.main import app
from app.cli.monitor import load_report
from core.clock import utc_now
from core.settings import get_settings
from graphs.checkpointing import open_checkpointer
from graphs.research.runner import ResearchRunner
from graphs.tracing.monitor import (
    Funnel,
    Period,
    build_report,
    funnel,
    percentile,
    qualification_rate,
)
from store.agent_records import LeadInsight
from store.engagement import DeliveryStatus, Direction, EmailMessage, Handoff
from store.node_runs import NodeRun
from tests.conftest import SampleCrm
from tests.test_trace_view import engage_to_handoff

DAY = datetime(2026, 1, 1, tzinfo=UTC)
PERIOD = Period(since=DAY, until=DAY + timedelta(days=7))
IN = DAY + timedelta(days=2)
BEFORE = DAY - timedelta(hours=1)


def _run(lead: str, node: str, ms: float, *, mode: str = "research", **extra: object) -> NodeRun:
    values: dict = {"started_at": IN} | extra
    return NodeRun(thread_id=f"{mode}:{lead}", lead_id=lead, node=node, duration_ms=ms, **values)


def _handoff(lead: str, rule: str, target: str, when: datetime) -> Handoff:
    return Handoff(
        lead_id=lead,
        idempotency_key=f"engage:{lead}:{rule}",
        target=target,
        rule_id=rule,
        rule_description=rule,
        summary="",
        next_step="",
        created_on=when,
    )


def _email(
    direction: str, status: str, *, lead: str | None = "L4", **times: datetime
) -> EmailMessage:
    return EmailMessage(
        message_id="<m@x>",
        lead_id=lead,
        direction=Direction(direction),
        status=DeliveryStatus(status),
        from_address="a@x",
        to_address="b@x",
        subject="s",
        body="b",
        **times,
    )


def _insight(lead: str, recommendation: str, when: datetime) -> LeadInsight:
    return LeadInsight(
        lead_id=lead,
        researched_on=when,
        fit_level="exact",
        recommendation=recommendation,
        engine="offline",
        thread_id=f"research:{lead}",
        payload={},
    )


def test_figures_match_a_hand_count() -> None:
    runs = [
        _run("L1", "researcher", 10, tokens_in=1000, tokens_out=200, cost_usd=0.001, llm_calls=2),
        _run("L2", "researcher", 20, tokens_in=500, tokens_out=100, cost_usd=None, llm_calls=1),
        _run("L3", "researcher", 30),
        _run("L4", "researcher", 40, mode="engage"),
        _run("L5", "researcher", 100, mode="engage"),
        _run("L1", "icp_judge", 1),
        _run("L2", "icp_judge", 2, error="ValueError: a", started_at=IN - timedelta(hours=1)),
        _run("L3", "icp_judge", 3, error="ValueError: b"),
        _run(
            "L4",
            "icp_judge",
            4,
            mode="engage",
            llm_calls=3,
            tokens_in=90,
            tokens_out=10,
            cost_usd=0.0005,
        ),
        _run("L9", "researcher", 5000, replay=True, llm_calls=5),  # a replay: counted apart
        _run("L8", "researcher", 7000, started_at=BEFORE),  # before the period
    ]
    insights = [
        _insight("L1", "Engage now", IN),
        _insight("L2", "Engage now", IN),
        _insight("L3", "Do not engage", IN),
        _insight("L6", "Engage now", BEFORE),
    ]
    handoffs = [
        _handoff("L4", "meeting_request", "seller", IN),
        _handoff("L5", "not_interested", "supervisor", IN),
        _handoff("L1", "bounced", "supervisor", BEFORE),
    ]
    emails = [
        *[_email("outbound", "sent", sent_on=IN) for _ in range(4)],
        _email("outbound", "sent", sent_on=BEFORE),
        _email("outbound", "failed", created_on=IN),
        _email("inbound", "received", received_on=IN),
        _email("inbound", "unmatched", lead=None, received_on=IN),
    ]
    report = build_report(
        PERIOD, node_runs=runs, insights=insights, handoffs=handoffs, emails=emails
    )
    assert report.leads_processed == 5
    assert (report.research_leads, report.engage_leads) == (3, 2)
    assert (report.node_runs, report.replay_runs) == (9, 1)
    assert report.recommendations == {"Engage now": 2, "Do not engage": 1}
    assert [(h.rule_id, h.target, h.count) for h in report.handoffs] == [
        ("meeting_request", "seller", 1),
        ("not_interested", "supervisor", 1),
    ]
    [errors] = report.errors
    assert (errors.node, errors.count, errors.latest_message, errors.latest_lead_id) == (
        "icp_judge",
        2,
        "ValueError: b",
        "L3",
    )
    latency = {row.node: (row.runs, row.median_ms, row.p95_ms) for row in report.latency}
    assert latency == {"icp_judge": (4, 2.5, 4), "researcher": (5, 30, 100)}
    assert (report.tokens_in, report.tokens_out) == (1590, 310)
    assert report.cost_usd == pytest.approx(0.0015) and report.unpriced_llm_runs == 1
    assert (report.tokens_in_per_lead, report.tokens_out_per_lead) == (318, 62)
    usage = {u.graph: (u.leads, u.llm_calls, u.calls_per_lead) for u in report.usage_by_graph}
    assert usage == {"research": (3, 3, 1.0), "engage": (2, 3, 1.5)}
    assert report.cost_usd_per_lead == pytest.approx(0.0003)
    assert (report.emails_sent, report.replies_received) == (4, 1)
    assert report.email_response_rate == 0.25
    assert report.hand_over_rate == 0.5
    assert report.autonomous_processing_rate == 1.0


def test_funnel_and_qualification_rate_match_a_hand_count() -> None:
    runs = [
        _run("L1", "researcher", 10),
        _run("L2", "researcher", 10),
        _run("L2", "icp_judge", 10, error="ValueError: a"),
        *[_run(lead, "message_writer", 10, mode="engage") for lead in ("L3", "L4", "L5", "L6")],
        _run("L7", "researcher", 10, replay=True),  # a replay: not in the funnel
        _run("L8", "researcher", 10, started_at=BEFORE),  # before the period
    ]
    handoffs = [
        _handoff("L3", "meeting_request", "seller", IN).model_copy(update={"kind": "qualified"}),
        _handoff("L4", "invalid_email", "seller", IN).model_copy(update={"kind": "email"}),
        _handoff("L5", "not_interested", "supervisor", IN).model_copy(
            update={"kind": "disqualify"}
        ),
        _handoff("L6", "meeting_request", "seller", BEFORE).model_copy(
            update={"kind": "qualified"}
        ),
    ]
    emails = [
        _email("outbound", "sent", lead="L3", sent_on=IN),
        _email("outbound", "sent", lead="L3", sent_on=IN),  # a follow-up: same lead
        _email("outbound", "sent", lead="L4", sent_on=IN),
        _email("outbound", "held", lead="L5", created_on=IN),  # never sent
        _email("inbound", "received", lead="L3", received_on=IN),
    ]
    assert funnel(PERIOD, node_runs=runs, handoffs=handoffs, emails=emails) == Funnel(
        assigned=6,
        researched=2,
        contacted=2,
        replied=1,
        handed_over=2,
        disqualified=1,
        blocked=1,
        failed=1,
    )
    # Of the four engaged leads only L3 was handed over as qualified in the period.
    assert qualification_rate(PERIOD, node_runs=runs, handoffs=handoffs) == 0.25
    report = build_report(PERIOD, node_runs=runs, handoffs=handoffs, emails=emails)
    assert report.qualification_rate == 0.25 and report.funnel is not None
    assert report.funnel.handed_over == 2


def test_an_empty_period_has_no_rates() -> None:
    report = build_report(PERIOD, node_runs=[])
    assert report.leads_processed == 0 and report.latency == [] and report.errors == []
    assert report.email_response_rate is None and report.hand_over_rate is None
    assert report.cost_usd_per_lead is None


def test_percentile_is_nearest_rank_and_period_checks_its_order() -> None:
    assert percentile([5, 1, 3, 2, 4], 0.95) == 5
    assert percentile(list(range(1, 101)), 0.95) == 95
    assert percentile([7], 0.5) == 7
    with pytest.raises(ValueError, match="--since before --until"):
        Period(since=DAY, until=DAY)
    with pytest.raises(ValueError, match="--days must be more than 0"):
        Period.last_days(0, DAY)


def _research(crm: SampleCrm, lead_ids: list[str], *, force: bool = False) -> list:
    with open_checkpointer(crm.checkpoint_path) as saver:
        return list(ResearchRunner(crm.context(), saver).research(lead_ids, force=force))


def _eligible(crm: SampleCrm, count: int) -> list[str]:
    with open_checkpointer(crm.checkpoint_path) as saver:
        return [lead.lead_id for lead in ResearchRunner(crm.context(), saver).eligible_leads()][
            :count
        ]


def _broken_judge(state: dict) -> dict:
    raise ValueError(f"no ICP for {state['lead_id']}")


def test_a_research_batch_in_the_monitor(
    sample_crm: SampleCrm, monkeypatch: pytest.MonkeyPatch
) -> None:
    started = utc_now()
    leads = _eligible(sample_crm, 5)
    outcomes = _research(sample_crm, leads)
    assert [o.status for o in outcomes] == ["researched"] * 5
    with monkeypatch.context() as patched:
        patched.setattr(research_module, "icp_judge", _broken_judge)
        [failed] = _research(sample_crm, leads[:1], force=True)
    assert failed.status == "error"

    report = load_report(Period(since=started, until=utc_now()), sample_crm.database_url)
    assert report.leads_processed == 5 and report.research_leads == 5
    assert report.recommendations == dict(Counter(o.recommendation for o in outcomes))
    runs = {row.node: row.runs for row in report.latency}
    # The summarizer ran beside the broken judge too; drafts are written ahead for exact fits.
    drafted = sum(o.fit_level == "exact" for o in outcomes)
    assert runs == {
        "researcher": 6,
        "icp_judge": 6,
        "lead_summarizer": 6,
        "outreach_writer": drafted,
        "insights_recorder": 5,
    }
    assert all(row.median_ms > 0 and row.p95_ms >= row.median_ms for row in report.latency)
    [error] = report.errors
    assert (error.node, error.count, error.latest_lead_id) == ("icp_judge", 1, leads[0])
    assert error.latest_message == f"ValueError: no ICP for {leads[0]}"
    assert report.tokens_in == 0 and report.cost_usd == 0  # the offline engine
    # A period that ended before the batch sees none of it.
    earlier = Period.last_days(1, started - timedelta(seconds=1))
    assert load_report(earlier, sample_crm.database_url).leads_processed == 0


def test_an_engage_journey_gives_the_rates(sample_crm: SampleCrm, tmp_path: Path) -> None:
    started = utc_now()
    engage_to_handoff(sample_crm, tmp_path)
    # The journey's clock runs up to two weeks ahead of the wall clock.
    report = load_report(
        Period(since=started, until=utc_now() + timedelta(days=20)), sample_crm.database_url
    )
    assert report.engage_leads == 1
    assert (report.emails_sent, report.replies_received) == (1, 1)
    assert report.email_response_rate == 1.0
    assert [(h.rule_id, h.target, h.count) for h in report.handoffs] == [
        ("meeting_request", "seller", 1)
    ]
    assert report.hand_over_rate == 1.0 and report.autonomous_processing_rate == 1.0
    assert report.qualification_rate == 1.0
    assert report.funnel is not None
    assert (report.funnel.contacted, report.funnel.replied, report.funnel.handed_over) == (1, 1, 1)


# -- the command -------------------------------------------------------------------------------

cli = CliRunner()


def _home(crm: SampleCrm, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QUALIFY_HOME", str(crm.root))
    get_settings.cache_clear()


def test_monitor_command_prints_tables_and_json(
    sample_crm: SampleCrm, monkeypatch: pytest.MonkeyPatch
) -> None:
    _home(sample_crm, monkeypatch)
    leads = _eligible(sample_crm, 3)
    _research(sample_crm, leads)
    result = cli.invoke(app, ["monitor"])
    assert result.exit_code == 0, result.output
    for heading in ("Leads processed", "Recommendations", "Hand-offs", "Latency per node"):
        assert heading in result.output
    assert "insights_recorder" in result.output and "Errors: none" in result.output

    result = cli.invoke(app, ["monitor", "--days", "1", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["leads_processed"] == 3
    assert {row["node"] for row in data["latency"]} >= {
        "researcher",
        "icp_judge",
        "lead_summarizer",
        "insights_recorder",
    }

    future = (utc_now() + timedelta(days=1)).date().isoformat()
    result = cli.invoke(app, ["monitor", "--since", future, "--json"])
    assert result.exit_code == 1 and "--since before --until" in result.output
    result = cli.invoke(app, ["monitor", "--since", "last tuesday"])
    assert result.exit_code == 1 and "--since 'last tuesday' is not an ISO date" in result.output
    result = cli.invoke(app, ["monitor", "--since", "2000-01-01", "--until", "2000-01-02"])
    assert result.exit_code == 0 and "(none)" in result.output
