"""Reply reader: reads the lead's new emails (intent, purchase interest, BANT) and acts on
what must be honoured at once in code: an opt-out, a referral."""

from __future__ import annotations

from langgraph.runtime import Runtime
from sqlmodel import Session

from core.clock import as_utc
from core.conversation import ConversationTurn
from core.reply_reading import Intent, ReplyReading
from graphs.context import Context
from graphs.engage.nodes.sandbox import commit_unless_sandbox
from graphs.engage.state import EngageState
from graphs.engage.stored_settings import load_engage_settings
from graphs.rating.rating_records import rate_after_replies
from graphs.services import services_for
from store.conversations import opt_out, record_referral, unread_replies
from store.crm import Lead
from store.db import get_db_engine
from store.engagement import Conversation, ConversationState, EmailMessage
from tools.mail.lead_stops import stop_company

_COMPANY_STOPS = {
    Intent.NOT_INTERESTED: "replied not interested",
    Intent.UNSUBSCRIBE: "opted out",
}
"""Answers that stop the agent's email to the lead's whole company (`company_wide_stop`)."""


def _bounce_reading(message: EmailMessage) -> ReplyReading:
    # A delivery failure is a protocol fact, not something to ask a model about.
    recipient = message.headers.get("bounced_recipient") or "the lead's address"
    return ReplyReading(
        intent=Intent.BOUNCE, summary=f"The email to {recipient} bounced.", engine="rules"
    )


def reply_reader(state: EngageState, runtime: Runtime[Context]) -> dict:
    """Graph node: a reading for every unread reply, in order."""
    context = runtime.context or Context()
    services = services_for(context)
    research = state["research"]
    turns: list[ConversationTurn] = list(state["conversation"])
    new_turns: list[ConversationTurn] = []
    stops_company = load_engage_settings(context.database_url).sender_reputation.company_wide_stop
    with Session(get_db_engine(context.database_url)) as session:
        conversation = session.get(Conversation, state["lead_id"])
        lead = session.get(Lead, state["lead_id"])
        assert conversation is not None and lead is not None
        # Unread = not yet in the thread's state; a re-run after a crash reads them again.
        known = {turn.message_id for turn in turns}
        # The runner names the replies it woke the thread for, so a replay of this step
        # reads the same ones, not replies that came later.
        named = (state.get("wake") or {}).get("message_ids")
        for message in unread_replies(session, lead.id, after_id=None):
            if message.message_id in known:
                conversation.last_read_inbound_id = max(
                    conversation.last_read_inbound_id or 0, message.id or 0
                )
                continue
            if named is not None and message.message_id not in named:
                continue
            at = as_utc(message.received_on or message.created_on)
            turn = ConversationTurn(
                direction="inbound",
                at=at,
                subject=message.subject,
                body=message.body,
                message_id=message.message_id,
            )
            if message.headers.get("bounce"):
                reading = _bounce_reading(message)
            else:
                reading = services.reasoning.read_reply(
                    message.body,
                    [*turns, turn],
                    research,
                    headers=message.headers,
                    product=context.product,
                )
            turn.reading = reading
            turns.append(turn)
            new_turns.append(turn)
            if reading.intent is Intent.UNSUBSCRIBE:
                opt_out(session, lead.id)
            if reading.intent in _COMPANY_STOPS and stops_company:
                stop_company(session, lead, _COMPANY_STOPS[reading.intent], at)
            if reading.intent is Intent.WRONG_PERSON and reading.referral is not None:
                record_referral(
                    session,
                    lead=lead,
                    name=reading.referral.name,
                    email=reading.referral.email,
                    job_title=reading.referral.job_title,
                    when=at,
                )
            conversation.last_read_inbound_id = message.id
            conversation.last_inbound_on = at
        if new_turns:
            # Something new to act on: the router sets the next timer, if any.
            conversation.state = ConversationState.ACTIVE
            conversation.next_action_on = None
            conversation.next_action = None
        session.add(conversation)
        rate_after_replies(session, lead.id, new_turns, context.clock.now(), context.product)
        commit_unless_sandbox(session, context)
    return {
        "conversation": new_turns,
        "replies_read": len(new_turns),
        "engine_notes": services.take_engine_notes(),
    }
