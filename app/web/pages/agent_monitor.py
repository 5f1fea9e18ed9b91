"""The supervisor's agent monitor: `qualify monitor`'s figures for the last N days, with
the funnel, hand-offs per rule and latency per node drawn as bar charts."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from app.web.bar_charts import BarChart, bar_chart
from app.web.console_access import SupervisorViewer, database_url_of
from app.web.templating import render
from core.clock import utc_now
from graphs.tracing.monitor import MonitorReport, Period
from graphs.tracing.monitor_query import load_report

router = APIRouter()

PERIOD_CHOICES = (1, 7, 30, 90)
Days = Annotated[int, Query(ge=1, le=365, description="Length of the period, ending now.")]

_FUNNEL_STAGES = (
    ("Assigned", "assigned"),
    ("Researched", "researched"),
    ("Contacted", "contacted"),
    ("Replied", "replied"),
    ("Handed over", "handed_over"),
    ("Disqualified", "disqualified"),
    ("Blocked", "blocked"),
    ("Failed", "failed"),
)
_FUNNEL_TONES = {"Handed over": "good", "Disqualified": "warn", "Blocked": "warn", "Failed": "bad"}


def monitor_report(database_url: str, days: int) -> MonitorReport:
    """The figures of the `days` before now."""
    return load_report(Period.last_days(days, utc_now()), database_url)


def monitor_charts(report: MonitorReport) -> list[BarChart]:
    """The funnel, hand-offs per rule and latency per node as bar charts."""
    charts = []
    if report.funnel is not None:
        stages = report.funnel.model_dump()
        charts.append(
            bar_chart(
                "Funnel (leads)",
                [(label, stages[key], str(stages[key])) for label, key in _FUNNEL_STAGES],
                _FUNNEL_TONES,
            )
        )
    charts.append(
        bar_chart(
            "Hand-offs per rule",
            [
                (f"{row.rule_id} → {row.target}", row.count, str(row.count))
                for row in report.handoffs
            ],
        )
    )
    charts.append(
        bar_chart(
            "Latency per node (p95, ms)",
            [
                (row.node, row.p95_ms, f"p50 {row.median_ms:,.0f} · p95 {row.p95_ms:,.0f}")
                for row in report.latency
            ],
        )
    )
    return charts


@router.get("/monitor", response_class=HTMLResponse, include_in_schema=False)
def monitor_page(request: Request, viewer: SupervisorViewer, days: Days = 7) -> HTMLResponse:
    """The agent monitor page."""
    report = monitor_report(database_url_of(request), days)
    return render(
        request,
        "monitor.html",
        report=report,
        charts=monitor_charts(report),
        days=days,
        period_choices=PERIOD_CHOICES,
    )


@router.get("/api/monitor", response_model=MonitorReport, tags=["monitor"])
def monitor_api(request: Request, viewer: SupervisorViewer, days: Days = 7) -> MonitorReport:
    """The supervisor's figures for the `days` before now, as `qualify monitor --json`."""
    return monitor_report(database_url_of(request), days)
