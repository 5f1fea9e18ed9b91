"""Guardrails gate: decides, in code, whether the agent may email the lead now.

Pre-contact hand-off rules (no ICP match, invalid email) and every guardrail (opt-out,
do-not-contact, seller took over, caps, quiet hours) are checked here before each send.
"""

from __future__ import annotations

from typing import Literal

from langgraph.config import get_config
from langgraph.runtime import Runtime
from langgraph.types import Command
from sqlmodel import Session

from graphs.context import Context
from graphs.engage.email_review import reviewed_turns
from graphs.engage.guardrails import SendContext, check_send, mailbox_day
from graphs.engage.handoff_rules import evaluate_handoff, facts_from_conversation
from graphs.engage.nodes.sandbox import commit_unless_sandbox, store_as_of
from graphs.engage.sending_mailboxes import cap_today, paused_reason
from graphs.engage.state import EngageState
from graphs.engage.stored_settings import load_engage_settings
from store.conversations import ensure_conversation, mailbox_sends, outbound_messages
from store.crm import Lead
from store.db import get_db_engine
from store.engagement import ConversationState
from tools.mail.lead_stops import company_stop_reason

GateRoute = Literal["message_writer", "reply_waiter", "handoff_router", "engagement_closer"]


def guardrails_gate(state: EngageState, runtime: Runtime[Context]) -> Command[GateRoute]:
    """Graph node: send, wait for the next allowed time, hand off, or stop for good."""
    context = runtime.context or Context()
    settings = load_engage_settings(context.database_url)
    now = context.clock.now()
    thread_id = get_config()["configurable"]["thread_id"]
    research, icp = state["research"], state["icp"]
    with Session(get_db_engine(context.database_url)) as session:
        lead = session.get(Lead, state["lead_id"])
        assert lead is not None, "the researcher already read this lead"
        conversation = ensure_conversation(
            session, lead.id, thread_id, settings.mailbox_addresses[0], now
        )
        facts = facts_from_conversation(
            state["conversation"],
            fit_level=icp.fit_level,
            do_not_email=lead.do_not_email,
            email_invalid=not research.email_check.is_valid,
            judged_turns=state.get("judged_turns", 0),
        )
        decision = evaluate_handoff(facts, settings.handoff_rules)
        if decision is not None:
            commit_unless_sandbox(session, context)
            return Command(goto="handoff_router", update={"stop": decision.model_dump(mode="json")})
        gate = check_send(
            SendContext(
                do_not_email=lead.do_not_email,
                do_not_contact=lead.do_not_contact,
                email_valid=research.email_check.is_valid,
                email=lead.email,
                taken_over_by=conversation.taken_over_by,
                company_stopped=company_stop_reason(session, lead),
                messages_sent_to_lead=len(
                    outbound_messages(session, lead.id, as_of=store_as_of(context))
                ),
                mailbox_sent_today=mailbox_sends(
                    session,
                    conversation.mailbox,
                    *mailbox_day(now, settings.guardrails),
                    sent_only=False,
                    as_of=store_as_of(context),
                ),
                mailbox=conversation.mailbox,
                mailbox_daily_cap=cap_today(settings, conversation.mailbox, now),
                mailbox_paused=paused_reason(session, settings, conversation.mailbox, now),
                now_utc=now,
                time_zone=lead.time_zone,
            ),
            settings.guardrails,
        )
        if gate.allowed:
            commit_unless_sandbox(session, context)
            # An email cancelled in review never reached the lead: the next one is no follow-up.
            pending = state.get("pending_message") or (
                "outreach" if not reviewed_turns(session, state["conversation"]) else "follow_up"
            )
            return Command(goto="message_writer", update={"pending_message": pending})
        if gate.blocked_for_good:
            commit_unless_sandbox(session, context)
            return Command(goto="engagement_closer", update={"stop": {"reasons": gate.reasons}})
        conversation.next_action_on = gate.not_before
        conversation.next_action = "send"
        conversation.state = ConversationState.WAITING
        session.add(conversation)
        commit_unless_sandbox(session, context)
    return Command(goto="reply_waiter")
