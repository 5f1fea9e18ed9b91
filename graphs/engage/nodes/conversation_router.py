"""Conversation router: after a reply or a timer, decides what happens next.

The hand-off rules are checked first (they are data, evaluated in order); then a timer
leads to a follow-up or check-in, an out-of-office or "not now" to a later timer, and a
question or interest to an answer. A question the product FAQ cannot answer is a fact the
rules see (`unanswered_question`): by default it goes to the seller rather than being guessed.
"""

from __future__ import annotations

from typing import Literal

from langgraph.runtime import Runtime
from langgraph.types import Command
from sqlmodel import Session

from core.reply_reading import Intent
from graphs.context import Context
from graphs.engage.followups import after_out_of_office, check_in_at
from graphs.engage.handoff_rules import evaluate_handoff, facts_from_conversation
from graphs.engage.nodes.sandbox import commit_unless_sandbox
from graphs.engage.state import EngageState
from graphs.engage.stored_settings import load_engage_settings
from graphs.knowledge.product_catalog import product_faq
from store.crm import Lead
from store.db import get_db_engine
from store.engagement import Conversation, ConversationState

Route = Literal["guardrails_gate", "reply_waiter", "handoff_router"]


def conversation_router(state: EngageState, runtime: Runtime[Context]) -> Command[Route]:
    """Graph node: hand off, send the next message, or wait again."""
    context = runtime.context or Context()
    engage = load_engage_settings(context.database_url)
    hours, default_tz = engage.guardrails.business_hours, engage.guardrails.default_time_zone
    turns = state["conversation"]
    timer = (state.get("wake") or {}).get("event") == "timer"
    if not timer and not state.get("replies_read"):
        # Woken for a reply that was already read: nothing changed, keep waiting.
        return Command(goto="reply_waiter")
    latest = next((t for t in reversed(turns) if t.direction == "inbound"), None)
    reading = latest.reading if latest is not None and not timer else None
    with Session(get_db_engine(context.database_url)) as session:
        lead = session.get(Lead, state["lead_id"])
        conversation = session.get(Conversation, state["lead_id"])
        assert lead is not None and conversation is not None
        action = conversation.next_action if timer else None
        facts = facts_from_conversation(
            turns,
            fit_level=state["icp"].fit_level,
            follow_ups_exhausted_without_reply=action == "close_no_reply",
            do_not_email=lead.do_not_email,
            email_invalid=not state["research"].email_check.is_valid,
            unanswered_question=product_faq(context.product).leaves_unanswered(
                reading.questions if reading else []
            ),
            # The offline engine writes English: it hands the lead to a seller rather than
            # answering a German reply in English.
            written_languages=("en",) if context.engine == "offline" else None,
        )
        decision = evaluate_handoff(facts, engage.handoff_rules)
        if decision is not None:
            return Command(goto="handoff_router", update={"stop": decision.model_dump(mode="json")})
        if reading is None:  # a timer
            pending = {"check_in": "check_in", "send": state.get("pending_message")}.get(
                action or "", "follow_up"
            )
            return Command(goto="guardrails_gate", update={"pending_message": pending})
        if reading.intent in (Intent.OUT_OF_OFFICE, Intent.NOT_NOW):
            if reading.intent is Intent.OUT_OF_OFFICE:
                due = after_out_of_office(
                    reading.return_date,
                    lead.time_zone,
                    hours,
                    engage.follow_ups,
                    received_on_utc=latest.at,  # type: ignore[union-attr]
                    default_tz=default_tz,
                )
                conversation.next_action = "follow_up"
            else:
                due = check_in_at(
                    reading.check_in_date,
                    latest.at,  # type: ignore[union-attr]
                    engage.follow_ups,
                    lead.time_zone,
                    hours,
                    default_tz,
                )
                conversation.next_action = "check_in"
            conversation.next_action_on = due
            conversation.state = ConversationState.WAITING
            session.add(conversation)
            commit_unless_sandbox(session, context)
            return Command(goto="reply_waiter")
    # Interest or questions the FAQ answers: keep the conversation going.
    return Command(goto="guardrails_gate", update={"pending_message": "answer"})
