"""`qualify monitor`: the supervisor's figures for a period (last 7 days by default)."""

from __future__ import annotations

import json
import sys
from datetime import datetime
from typing import Annotated

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.table import Table

from app.cli.run_context import console, database_url, fail
from core.clock import as_utc, utc_now
from graphs.tracing.monitor import MonitorReport, Period
from graphs.tracing.monitor_query import load_report

__all__ = ["load_report", "monitor_command", "render_report"]


def _parse_time(option: str, text: str | None) -> datetime | None:
    if text is None:
        return None
    try:
        return as_utc(datetime.fromisoformat(text.strip().replace("Z", "+00:00")))
    except ValueError as exc:
        raise fail(
            f"{option} {text!r} is not an ISO date or time: use e.g. 2026-11-01 or "
            "2026-11-01T09:00 (UTC unless it carries an offset)"
        ) from exc


# -- rendering ---------------------------------------------------------------------------------


def _rate(value: float | None, why_missing: str) -> str:
    return f"{value:.0%}" if value is not None else f"— ({why_missing})"


def _table(title: str, *columns: str) -> Table:
    table = Table(title=title, title_justify="left")
    for index, column in enumerate(columns):
        table.add_column(column, justify="left" if index == 0 else "right")
    return table


def render_report(report: MonitorReport, out: Console) -> None:
    """The report as Rich tables."""
    period = report.period
    summary = _table(
        f"Agent monitor {period.since:%Y-%m-%d %H:%M} → {period.until:%Y-%m-%d %H:%M} UTC",
        "Figure",
        "Value",
    )
    summary.add_row("Leads processed", str(report.leads_processed))
    summary.add_row("  researched / engaged", f"{report.research_leads} / {report.engage_leads}")
    summary.add_row("Node runs (replays left out)", f"{report.node_runs} ({report.replay_runs})")
    summary.add_row("Failed node runs", str(sum(e.count for e in report.errors)))
    summary.add_row(
        "Emails sent / replies received", f"{report.emails_sent} / {report.replies_received}"
    )
    summary.add_row("Email response rate", _rate(report.email_response_rate, "no email sent"))
    summary.add_row("Hand-over rate", _rate(report.hand_over_rate, "no engaged leads"))
    summary.add_row(
        "Autonomous processing rate",
        _rate(report.autonomous_processing_rate, "no engaged leads"),
    )
    summary.add_row("Qualification rate", _rate(report.qualification_rate, "no engaged leads"))
    out.print(summary)

    if report.funnel is not None:
        stages = _table("Funnel (leads)", "Stage", "Leads")
        for stage, count in report.funnel.model_dump().items():
            stages.add_row(stage.replace("_", " ").capitalize(), str(count))
        out.print(stages)

    recommendations = _table("Recommendations (research in the period)", "Recommendation", "Leads")
    for name, count in report.recommendations.items():
        recommendations.add_row(name, str(count))
    if not report.recommendations:
        recommendations.add_row("(none)", "0")
    out.print(recommendations)

    handoffs = _table("Hand-offs", "Rule", "Target", "Count")
    for row in report.handoffs:
        handoffs.add_row(row.rule_id, row.target, str(row.count))
    if not report.handoffs:
        handoffs.add_row("(none)", "", "0")
    out.print(handoffs)

    if report.errors:
        failed = _table("Errors", "Node", "Count", "Latest", "Lead", "Latest message")
        for row in report.errors:
            failed.add_row(
                row.node,
                str(row.count),
                f"{row.latest_at:%Y-%m-%d %H:%M}",
                row.latest_lead_id or "—",
                row.latest_message,
            )
        out.print(failed)
    else:
        out.print("Errors: none")

    latency = _table("Latency per node (ms)", "Node", "Runs", "Median", "p95")
    for row in report.latency:
        latency.add_row(row.node, str(row.runs), f"{row.median_ms:,.1f}", f"{row.p95_ms:,.1f}")
    out.print(latency)

    llm = _table("LLM usage", "Figure", "Total", "Per lead")
    per_lead = report.leads_processed or None
    llm.add_row(
        "Tokens in", f"{report.tokens_in:,}", _per(report.tokens_in_per_lead, per_lead, "{:,.0f}")
    )
    llm.add_row(
        "Tokens out",
        f"{report.tokens_out:,}",
        _per(report.tokens_out_per_lead, per_lead, "{:,.0f}"),
    )
    llm.add_row(
        "Estimated cost (USD)",
        f"${report.cost_usd:,.4f}",
        _per(report.cost_usd_per_lead, per_lead, "${:,.6f}"),
    )
    out.print(llm)
    graphs = _table(
        "LLM calls per graph", "Graph", "Leads", "Calls", "Calls per lead", "Tokens per lead"
    )
    for usage in report.usage_by_graph:
        graphs.add_row(
            usage.graph,
            str(usage.leads),
            str(usage.llm_calls),
            _per(usage.calls_per_lead, usage.leads, "{:,.2f}"),
            _per(usage.tokens_per_lead, usage.leads, "{:,.0f}"),
        )
    out.print(graphs)
    if report.unpriced_llm_runs:
        out.print(
            f"{report.unpriced_llm_runs} node runs used a model without a price: their cost is "
            "not counted (set QUALIFY_LLM_PRICE_IN and QUALIFY_LLM_PRICE_OUT)",
            highlight=False,
        )


def _per(value: float | None, leads: int | None, pattern: str) -> str:
    return pattern.format(value) if value is not None and leads else "—"


# -- the command -------------------------------------------------------------------------------


def monitor_command(
    days: Annotated[
        float, typer.Option("--days", help="Length of the period, ending at --until.")
    ] = 7,
    since: Annotated[
        str | None, typer.Option("--since", help="Start (ISO date or time, UTC); beats --days.")
    ] = None,
    until: Annotated[
        str | None, typer.Option("--until", help="End (ISO date or time, UTC); default now.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the figures as JSON.")] = False,
) -> None:
    """Supervisor figures: leads processed, recommendations, hand-offs, errors, latency, cost."""
    end = _parse_time("--until", until) or utc_now()
    start = _parse_time("--since", since)
    try:
        period = Period(since=start, until=end) if start else Period.last_days(days, end)
    except (ValueError, ValidationError) as exc:
        message = exc.errors()[0]["msg"] if isinstance(exc, ValidationError) else str(exc)
        raise fail(message.removeprefix("Value error, ")) from exc
    report = load_report(period, database_url())
    if as_json:
        sys.stdout.write(json.dumps(report.model_dump(mode="json"), indent=2) + "\n")
    else:
        render_report(report, console)
