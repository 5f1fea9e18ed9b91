"""The supervisor's monitor: what the agents did in a period, from stored rows.

Pure over rows (`NodeRun`, `LeadInsight`, `Handoff`, `EmailMessage`): the caller loads
them, this module filters them to the period and counts. Replays (sandbox runs) are
left out of every figure and counted on their own.

Rates follow the Dynamics 365 supervisor dashboard where our data has the figures:
- email response rate = matched replies received ÷ emails sent, in the period;
- hand-over rate = engaged leads handed to a seller ÷ engaged leads processed;
- autonomous processing rate = engaged leads handed off (to a seller, or to a supervisor
  for disqualification) ÷ engaged leads processed;
- qualification rate = engaged leads handed to a seller as qualified (buying interest, a
  meeting asked for) ÷ engaged leads processed.

The funnel counts distinct leads at each stage in the period: assigned (the agent ran for
them), researched, contacted (an email sent), replied, then handed over (to a seller) or
disqualified (to a supervisor); beside it, blocked (handed to a seller because the agent
could not go on: a bad address or a reply it may not answer) and failed (a node run
failed).
"""

from __future__ import annotations

import math
import statistics
from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

from pydantic import BaseModel, Field, model_validator

from core.clock import as_utc
from store.agent_records import LeadInsight
from store.engagement import DeliveryStatus, Direction, EmailMessage, Handoff
from store.node_runs import NodeRun


class Period(BaseModel):
    """A time window [since, until), UTC."""

    since: datetime
    until: datetime

    @model_validator(mode="after")
    def _ordered(self) -> Period:
        self.since, self.until = as_utc(self.since), as_utc(self.until)
        if self.since >= self.until:
            raise ValueError(
                f"the period starts ({self.since:%Y-%m-%d %H:%M}) at or after it ends "
                f"({self.until:%Y-%m-%d %H:%M}): give --since before --until"
            )
        return self

    @classmethod
    def last_days(cls, days: float, until: datetime) -> Period:
        """The `days` before `until`."""
        if days <= 0:
            raise ValueError(f"--days must be more than 0, not {days}")
        return cls(since=until - timedelta(days=days), until=until)

    def holds(self, when: datetime | None) -> bool:
        """Whether `when` falls in the period (naive times are UTC)."""
        return when is not None and self.since <= as_utc(when) < self.until


class NodeLatency(BaseModel):
    """Latency of one node's runs."""

    node: str
    runs: int
    median_ms: float
    p95_ms: float


class NodeErrors(BaseModel):
    """Failed runs of one node, with the latest failure."""

    node: str
    count: int
    latest_message: str
    latest_at: datetime
    latest_lead_id: str | None


class HandoffCount(BaseModel):
    """Hand-offs by one rule to one target."""

    rule_id: str
    target: str
    count: int


class GraphUsage(BaseModel):
    """Model use by one graph (research or engage): totals and per lead."""

    graph: str
    leads: int
    llm_calls: int
    tokens_in: int
    tokens_out: int

    @property
    def calls_per_lead(self) -> float | None:
        """Model calls per lead the graph ran for."""
        return self.llm_calls / self.leads if self.leads else None

    @property
    def tokens_per_lead(self) -> float | None:
        """Tokens in and out per lead."""
        return (self.tokens_in + self.tokens_out) / self.leads if self.leads else None


class Funnel(BaseModel):
    """Distinct leads at each stage of the agent's work in a period."""

    assigned: int = Field(description="Leads the agent ran for (no replays).")
    researched: int
    contacted: int = Field(description="Leads sent at least one email.")
    replied: int = Field(description="Leads whose reply was received.")
    handed_over: int = Field(description="Leads handed to a seller.")
    disqualified: int = Field(description="Leads handed to a supervisor to disqualify.")
    blocked: int = Field(description="Handed to a seller as the agent could not go on.")
    failed: int = Field(description="Leads with a failed node run.")


# Hand-off kinds (graphs.engage.handoff_actions) meaning the agent could not go on alone.
_BLOCKED_KINDS = frozenset({"email", "review"})


class MonitorReport(BaseModel):
    """The supervisor's figures for a period."""

    period: Period
    leads_processed: int = Field(description="Distinct leads with a node run (no replays).")
    research_leads: int
    engage_leads: int
    node_runs: int
    replay_runs: int = Field(description="Node runs in replay sandboxes, left out above.")
    recommendations: dict[str, int]
    handoffs: list[HandoffCount]
    errors: list[NodeErrors]
    latency: list[NodeLatency]
    tokens_in: int
    tokens_out: int
    cost_usd: float = Field(description="Estimated, over the runs whose model has a price.")
    unpriced_llm_runs: int = Field(description="Runs that used a model without a price.")
    tokens_in_per_lead: float | None
    tokens_out_per_lead: float | None
    cost_usd_per_lead: float | None
    usage_by_graph: list[GraphUsage] = Field(default_factory=list)
    emails_sent: int
    replies_received: int
    email_response_rate: float | None
    hand_over_rate: float | None
    autonomous_processing_rate: float | None
    qualification_rate: float | None = None
    funnel: Funnel | None = None


def percentile(values: Sequence[float], share: float) -> float:
    """The nearest-rank percentile: the smallest value with `share` of values at or below it."""
    if not values:
        raise ValueError("percentile of no values")
    ordered = sorted(values)
    rank = max(1, math.ceil(share * len(ordered)))
    return ordered[rank - 1]


def _ratio(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _latency(runs: list[NodeRun]) -> list[NodeLatency]:
    by_node: dict[str, list[float]] = {}
    for run in runs:
        by_node.setdefault(run.node, []).append(run.duration_ms)
    return [
        NodeLatency(
            node=node,
            runs=len(durations),
            median_ms=statistics.median(durations),
            p95_ms=percentile(durations, 0.95),
        )
        for node, durations in sorted(by_node.items())
    ]


def _errors(runs: list[NodeRun]) -> list[NodeErrors]:
    failed: dict[str, list[NodeRun]] = {}
    for run in runs:
        if run.error:
            failed.setdefault(run.node, []).append(run)
    report = []
    for node, rows in failed.items():
        latest = max(rows, key=lambda row: as_utc(row.started_at))
        report.append(
            NodeErrors(
                node=node,
                count=len(rows),
                latest_message=latest.error or "",
                latest_at=as_utc(latest.started_at),
                latest_lead_id=latest.lead_id,
            )
        )
    return sorted(report, key=lambda item: (-item.count, item.node))


def _usage_by_graph(runs: list[NodeRun]) -> list[GraphUsage]:
    usage = []
    for graph in ("research", "engage"):
        mine = [run for run in runs if run.thread_id.startswith(f"{graph}:")]
        usage.append(
            GraphUsage(
                graph=graph,
                leads=len({run.lead_id for run in mine if run.lead_id}),
                llm_calls=sum(run.llm_calls for run in mine),
                tokens_in=sum(run.tokens_in for run in mine),
                tokens_out=sum(run.tokens_out for run in mine),
            )
        )
    return usage


def _email_figures(emails: Iterable[EmailMessage], period: Period) -> tuple[int, int]:
    sent = replies = 0
    for email in emails:
        if email.direction == Direction.OUTBOUND:
            sent += email.status == DeliveryStatus.SENT and period.holds(email.sent_on)
        elif email.lead_id is not None and email.status == DeliveryStatus.RECEIVED:
            replies += period.holds(email.received_on or email.created_on)
    return sent, replies


def _email_leads(emails: Iterable[EmailMessage], period: Period) -> tuple[set[str], set[str]]:
    contacted: set[str] = set()
    replied: set[str] = set()
    for email in emails:
        if email.lead_id is None:
            continue
        if email.direction == Direction.OUTBOUND:
            if email.status == DeliveryStatus.SENT and period.holds(email.sent_on):
                contacted.add(email.lead_id)
        elif email.status == DeliveryStatus.RECEIVED and period.holds(
            email.received_on or email.created_on
        ):
            replied.add(email.lead_id)
    return contacted, replied


def funnel(
    period: Period,
    *,
    node_runs: Iterable[NodeRun],
    handoffs: Iterable[Handoff] = (),
    emails: Iterable[EmailMessage] = (),
) -> Funnel:
    """Distinct leads at each stage in `period` (replays left out)."""
    runs = [run for run in node_runs if not run.replay and run.lead_id]
    runs = [run for run in runs if period.holds(run.started_at)]
    period_handoffs = [row for row in handoffs if period.holds(row.created_on)]
    to_seller = [row for row in period_handoffs if row.target == "seller"]
    contacted, replied = _email_leads(emails, period)
    return Funnel(
        assigned=len({run.lead_id for run in runs}),
        researched=len({run.lead_id for run in runs if run.thread_id.startswith("research:")}),
        contacted=len(contacted),
        replied=len(replied),
        handed_over=len({row.lead_id for row in to_seller}),
        disqualified=len({row.lead_id for row in period_handoffs if row.target == "supervisor"}),
        blocked=len({row.lead_id for row in to_seller if row.kind in _BLOCKED_KINDS}),
        failed=len({run.lead_id for run in runs if run.error}),
    )


def qualification_rate(
    period: Period, *, node_runs: Iterable[NodeRun], handoffs: Iterable[Handoff]
) -> float | None:
    """Engaged leads handed to a seller as qualified ÷ engaged leads processed."""
    engaged = {
        run.lead_id
        for run in node_runs
        if run.lead_id
        and not run.replay
        and run.thread_id.startswith("engage:")
        and period.holds(run.started_at)
    }
    qualified = {
        row.lead_id
        for row in handoffs
        if row.kind == "qualified" and row.target == "seller" and period.holds(row.created_on)
    }
    return _ratio(len(qualified & engaged), len(engaged))


def build_report(
    period: Period,
    *,
    node_runs: Iterable[NodeRun],
    insights: Iterable[LeadInsight] = (),
    handoffs: Iterable[Handoff] = (),
    emails: Iterable[EmailMessage] = (),
) -> MonitorReport:
    """Count what happened in `period`; rows outside it are ignored."""
    node_runs, handoffs, emails = list(node_runs), list(handoffs), list(emails)
    in_period = [run for run in node_runs if period.holds(run.started_at)]
    runs = [run for run in in_period if not run.replay]
    leads = {run.lead_id for run in runs if run.lead_id}
    engaged = {run.lead_id for run in runs if run.lead_id and run.thread_id.startswith("engage:")}
    researched = {
        run.lead_id for run in runs if run.lead_id and run.thread_id.startswith("research:")
    }
    recommendations = Counter(
        row.recommendation for row in insights if period.holds(row.researched_on)
    )
    period_handoffs = [row for row in handoffs if period.holds(row.created_on)]
    by_rule = Counter((row.rule_id, str(row.target)) for row in period_handoffs)
    to_seller = {row.lead_id for row in period_handoffs if row.target == "seller"}
    handed_off = {row.lead_id for row in period_handoffs}
    sent, replies = _email_figures(emails, period)

    tokens_in = sum(run.tokens_in for run in runs)
    tokens_out = sum(run.tokens_out for run in runs)
    cost = sum(run.cost_usd for run in runs if run.cost_usd is not None)
    unpriced = sum(1 for run in runs if run.cost_usd is None and (run.tokens_in or run.tokens_out))
    count = len(leads)
    return MonitorReport(
        period=period,
        leads_processed=count,
        research_leads=len(researched),
        engage_leads=len(engaged),
        node_runs=len(runs),
        replay_runs=len(in_period) - len(runs),
        recommendations=dict(recommendations.most_common()),
        handoffs=[
            HandoffCount(rule_id=rule, target=target, count=n)
            for (rule, target), n in sorted(by_rule.items(), key=lambda kv: (-kv[1], kv[0]))
        ],
        errors=_errors(runs),
        latency=_latency(runs),
        tokens_in=tokens_in,
        tokens_out=tokens_out,
        cost_usd=cost,
        unpriced_llm_runs=unpriced,
        tokens_in_per_lead=tokens_in / count if count else None,
        tokens_out_per_lead=tokens_out / count if count else None,
        cost_usd_per_lead=cost / count if count else None,
        usage_by_graph=_usage_by_graph(runs),
        emails_sent=sent,
        replies_received=replies,
        email_response_rate=_ratio(replies, sent),
        hand_over_rate=_ratio(len(to_seller & engaged), len(engaged)),
        autonomous_processing_rate=_ratio(len(handed_off & engaged), len(engaged)),
        qualification_rate=qualification_rate(period, node_runs=runs, handoffs=period_handoffs),
        funnel=funnel(period, node_runs=runs, handoffs=period_handoffs, emails=emails),
    )
