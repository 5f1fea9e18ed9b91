"""Deciding a hand-off, for the CLI (`qualify handoffs ACTION`) and the console alike:
the referral a follow needs, the agent taking a returned lead back before the decision is
stored, the decision in one transaction, and the agent started again after a fixed address.

Nothing is written when the decision is refused (`HandoffDecisionError`, its message names
what to do instead)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from app.engage_runs import engage_runner
from core.clock import utc_now
from core.conversation import ConversationTurn
from core.settings import get_settings
from graphs.checkpointing import open_checkpointer
from graphs.engage.engage_settings import EngageSettings
from graphs.engage.handoff_actions import HandoffAction
from graphs.engage.handoff_decisions import (
    DecisionOutcome,
    HandoffDecisionError,
    decide,
    returnable,
)
from graphs.engage.reply_readings import conversation_turns, latest_referral
from graphs.engage.stored_settings import load_engage_settings
from store.db import get_db_engine, session_scope
from store.engagement import Handoff


@dataclass(frozen=True)
class DeskDecision:
    """The decision made, and what became of the agent after it (None: not restarted)."""

    outcome: DecisionOutcome
    agent: str | None = None


def lead_turns(lead_id: str) -> list[ConversationTurn]:
    """The emails of the lead's engage thread the agent knows of, with their readings."""
    with open_checkpointer(get_settings().resolved_checkpoint_url) as saver:
        return conversation_turns(saver, lead_id)


def interest_signals(turns: list[ConversationTurn]) -> list[str]:
    """What showed purchase interest: the intents and questions of the replies, once each."""
    readings = [turn.reading for turn in turns if turn.reading is not None]
    signals = [f"intent {r.intent.value}" for r in readings if r.intent]
    signals += [f"asked {q!r}" for r in readings for q in r.questions]
    return list(dict.fromkeys(signals))


def decide_handoff(
    database_url: str,
    handoff_id: int,
    action: HandoffAction,
    *,
    by: str | None,
    note: str | None,
    email: str | None = None,
) -> DeskDecision:
    """Decide the hand-off as `by` (a user id); see the module docstring."""
    settings = load_engage_settings(database_url)
    referral = None
    if action is HandoffAction.FOLLOW:
        with Session(get_db_engine(database_url)) as session:
            handoff = session.get(Handoff, handoff_id)
        if handoff is not None:
            referral = latest_referral(lead_turns(handoff.lead_id))
    if action is HandoffAction.RETURN:
        _agent_takes_back(database_url, handoff_id, settings, by, note)
    with session_scope(database_url) as session:
        outcome = decide(
            session,
            handoff_id,
            action,
            settings=settings,
            by=by,
            note=note,
            now=utc_now(),
            email=email,
            referral=referral,
        )
    if not outcome.restart_agent:
        return DeskDecision(outcome)
    with engage_runner(database_url=database_url) as runner:
        report = runner.start([outcome.lead_id])
    started = "started again" if report.started else "not started: " + "; ".join(report.errors)
    return DeskDecision(outcome, agent=f"{outcome.lead_id}: the agent {started}")


def _agent_takes_back(
    database_url: str,
    handoff_id: int,
    settings: EngageSettings,
    by: str | None,
    note: str | None,
) -> None:
    """The agent's thread waits again, before the decision is stored (see `take_back`)."""
    with Session(get_db_engine(database_url)) as session:
        handoff = returnable(session, handoff_id, settings, note)
    with engage_runner(database_url=database_url) as runner:
        report = runner.take_back(handoff.lead_id, by=by, note=note or "")
    if report.busy or report.errors:
        problem = "; ".join(report.errors) or "another process is running its thread"
        raise HandoffDecisionError(f"{handoff.lead_id}: {problem}; try again")
