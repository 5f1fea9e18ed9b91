"""The monitor's rows read from the database for a period, then counted by `monitor`."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import or_
from sqlmodel import Session, col, select

from graphs.tracing.monitor import MonitorReport, Period, build_report
from store.agent_records import LeadInsight
from store.db import get_db_engine
from store.engagement import EmailMessage, Handoff
from store.node_runs import NodeRun

# Rows are picked in SQL with a day's margin (PostgreSQL may store times shifted to its
# session zone) and then filtered exactly by `build_report`.
_MARGIN = timedelta(days=1)


def load_report(period: Period, database_url: str) -> MonitorReport:
    """Read the period's rows from the database and count them."""
    low = period.since - _MARGIN
    high = period.until + _MARGIN
    with Session(get_db_engine(database_url)) as session:
        runs = session.exec(
            select(NodeRun).where(col(NodeRun.started_at) >= low, col(NodeRun.started_at) < high)
        ).all()
        insights = session.exec(
            select(LeadInsight).where(
                col(LeadInsight.researched_on) >= low, col(LeadInsight.researched_on) < high
            )
        ).all()
        handoffs = session.exec(
            select(Handoff).where(col(Handoff.created_on) >= low, col(Handoff.created_on) < high)
        ).all()
        emails = session.exec(
            select(EmailMessage).where(
                col(EmailMessage.created_on) < high,
                or_(
                    col(EmailMessage.sent_on) >= low,
                    col(EmailMessage.received_on) >= low,
                    col(EmailMessage.created_on) >= low,
                ),
            )
        ).all()
    return build_report(period, node_runs=runs, insights=insights, handoffs=handoffs, emails=emails)
