"""Checkpoint retention: a lead's thread that finished long ago keeps only its latest
checkpoint.

A step's record (its `NodeRun` row: node, times, engine, prompts, calls, outcome) stays,
so the trace still lists every step; what goes is the state each old step read and wrote,
so those steps can no longer be diffed or replayed, and the trace view says so. The latest
checkpoint stays, so the lead's state, its insights and a restarted conversation go on.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from langgraph.checkpoint.base import BaseCheckpointSaver
from pydantic import BaseModel
from sqlmodel import Session, col, func, select

from memory.thread_ids import ENGAGE_MODE, RESEARCH_MODE, thread_id_for
from store.agent_records import LeadInsight
from store.db import get_db_engine
from store.engagement import Conversation, ConversationState
from store.leases import leased, thread_lease

_ENDED = (ConversationState.HANDED_OFF, ConversationState.STOPPED)


class PruneReport(BaseModel):
    """What one retention pass did."""

    pruned: int = 0
    busy: list[str] = []


def finished_threads(database_url: str, finished_before: datetime) -> list[str]:
    """Threads whose last run finished before `finished_before`: research threads by their
    last research, engage threads whose conversation ended (handed off or stopped) with no
    email either way since."""
    with Session(get_db_engine(database_url)) as session:
        researched = session.exec(
            select(LeadInsight.lead_id).where(LeadInsight.researched_on < finished_before)
        ).all()
        last_activity = func.coalesce(
            Conversation.last_inbound_on, Conversation.last_outbound_on, Conversation.started_on
        )
        ended = session.exec(
            select(Conversation.lead_id).where(
                col(Conversation.state).in_(_ENDED), last_activity < finished_before
            )
        ).all()
    return [thread_id_for(lead_id, RESEARCH_MODE) for lead_id in researched] + [
        thread_id_for(lead_id, ENGAGE_MODE) for lead_id in ended
    ]


def prune_finished_threads(
    saver: BaseCheckpointSaver, database_url: str, now: datetime, keep_days: float
) -> PruneReport:
    """Keep only the latest checkpoint of every thread finished more than `keep_days` ago;
    a thread some process is running (its lease held) is left for the next pass."""
    report = PruneReport()
    for thread_id in finished_threads(database_url, now - timedelta(days=keep_days)):
        with leased(database_url, thread_lease(thread_id)) as held:
            if not held:
                report.busy.append(thread_id)
                continue
            saver.prune([thread_id], strategy="keep_latest")
            report.pruned += 1
    return report
