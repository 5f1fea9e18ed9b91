"""Conversation router: after a reply or a timer, decides what happens next.

The hand-off rules are checked first (they are data, evaluated in order); then a timer
leads to a follow-up or check-in, an out-of-office or "not now" to a later timer, and a
question or interest to an answer. A question neither the product FAQ nor its knowledge
sources answer is a fact the rules
see (`unanswered_question`): by default it goes to the seller rather than being guessed.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Literal

from langgraph.runtime import Runtime
from langgraph.types import Command
from sqlmodel import Session

from core.clock import as_utc
from core.reply_reading import Intent
from graphs.context import Context
from graphs.engage.followups import (
    after_out_of_office,
    check_in_at,
    follow_ups_exhausted,
    next_follow_up_at,
)
from graphs.engage.handoff_rules import evaluate_handoff, facts_from_conversation
from graphs.engage.nodes.sandbox import commit_unless_sandbox, store_as_of
from graphs.engage.state import EngageState
from graphs.engage.stored_settings import load_engage_settings
from graphs.knowledge.source_answers import answer_questions
from graphs.services import services_for
from store.conversations import outbound_messages
from store.crm import Lead
from store.db import get_db_engine
from store.engagement import Conversation, ConversationState, DeliveryStatus, EmailMessage

Route = Literal["guardrails_gate", "reply_waiter", "handoff_router"]

RECHECK_PENDING_EMAIL = timedelta(hours=1)
"""How soon a follow-up looks again at an email still waiting in the outbox."""


def _last_email_went_out(session: Session, conversation: Conversation, context: Context) -> bool:
    """Whether the agent's last email is known to have been sent long enough ago for the
    step that is due; if not, set the conversation's timer (or hold) and say no.

    Never follow up on an email the lead may not have: one still in the outbox is looked
    at again later; one whose sending is unknown or failed for good waits for a person
    (`qualify outbox`), as does one held for review (`qualify review`); one cancelled in
    review never went out and is not followed up; one that went out later than planned
    (quiet hours, caps) moves the follow-up to its delay after the real send.
    """
    sent = [
        message
        for message in outbound_messages(session, conversation.lead_id, as_of=store_as_of(context))
        if message.status is not DeliveryStatus.CANCELLED  # never sent: no follow-up to it
    ]
    last = sent[-1] if sent else None
    now = context.clock.now()
    if last is None:
        return True
    if last.status is DeliveryStatus.SENT:
        due = _follow_up_due(session, conversation, last, context)
        if due is None or due <= now:
            return True
        conversation.next_action_on = due
    elif last.status in (DeliveryStatus.UNCONFIRMED, DeliveryStatus.HELD) or (
        last.status is DeliveryStatus.FAILED and last.next_attempt_on is None
    ):
        # Held for review too: its owner's approval, not a timer, makes the next step due.
        conversation.held_for, conversation.next_action_on = last.message_id, None
    else:  # queued, being sent, or failed with a retry to come
        retry = as_utc(last.next_attempt_on) if last.next_attempt_on else now
        conversation.next_action_on = max(now + RECHECK_PENDING_EMAIL, retry)
    session.add(conversation)
    commit_unless_sandbox(session, context)
    return False


def _follow_up_due(
    session: Session, conversation: Conversation, last: EmailMessage, context: Context
) -> datetime | None:
    """When a follow-up to `last` is due, counted from when it really went out."""
    if conversation.next_action != "follow_up" or last.sent_on is None:
        return None
    engage = load_engage_settings(context.database_url)
    lead = session.get(Lead, conversation.lead_id)
    return next_follow_up_at(
        as_utc(last.sent_on),
        engage.follow_ups,
        lead.time_zone if lead else None,
        engage.guardrails.business_hours,
        engage.guardrails.default_time_zone,
    )


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
            # Answered by the FAQ or a close enough passage of the product's sources.
            unanswered_question=bool(
                answer_questions(
                    reading.questions if reading else [],
                    context.product,
                    services_for(context).knowledge,
                    engage.knowledge,
                ).unanswered
            ),
            # The offline engine writes English: it hands the lead to a seller rather than
            # answering a German reply in English.
            written_languages=("en",) if context.engine == "offline" else None,
            judged_turns=state.get("judged_turns", 0),
        )
        decision = evaluate_handoff(facts, engage.handoff_rules)
        if decision is not None:
            return Command(goto="handoff_router", update={"stop": decision.model_dump(mode="json")})
        if reading is None:  # a timer
            if action != "send" and not _last_email_went_out(session, conversation, context):
                return Command(goto="reply_waiter")
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
                # An auto-reply is no reply: after the last follow-up, no further one.
                exhausted = follow_ups_exhausted(conversation.followups_sent, engage.follow_ups)
                conversation.next_action = "close_no_reply" if exhausted else "follow_up"
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
