"""Message writer: writes the next email in the thread and puts it in the outbox.

Sending is the outbox's job (`tools.mail.outbox.deliver_due`); this node only enqueues,
under an idempotency key made of the thread and the message's step, so a re-run after a
crash finds the message already queued and never writes a second one.
"""

from __future__ import annotations

import uuid
from typing import Literal

from langgraph.config import get_config
from langgraph.runtime import Runtime
from langgraph.types import Command
from sqlmodel import Session, select

from core.conversation import ConversationTurn
from graphs.context import Context
from graphs.engage.content_check import ContentFinding, check_email_to_lead
from graphs.engage.email_review import hold_for_review, reviewed_turns, sending_mode
from graphs.engage.followups import follow_ups_exhausted, next_follow_up_at
from graphs.engage.handoff_rules import HandoffDecision, HandoffTarget, RuleCondition
from graphs.engage.nodes.sandbox import commit_unless_sandbox
from graphs.engage.sender_reputation import EmailFooter, with_footer
from graphs.engage.state import EngageState
from graphs.engage.stored_settings import load_engage_settings
from graphs.knowledge.source_answers import use_knowledge_sources
from graphs.research.agent_settings import OutreachSettings, settings_in_force
from graphs.services import services_for
from store.conversations import ensure_conversation, outbound_messages
from store.crm import Lead
from store.db import get_db_engine
from store.engagement import ConversationState, EmailMessage
from tools.mail.outbox import enqueue_email


def message_key(thread_id: str, step: int) -> str:
    """The idempotency key of the thread's `step`-th outbound message."""
    return f"{thread_id}:message:{step}"


def _held_for_review(findings: list[ContentFinding]) -> HandoffDecision:
    return HandoffDecision(
        rule_id="content_check",
        description="The email was held before sending: a person must review it",
        target=HandoffTarget.SELLER,
        matched=[finding.detail for finding in findings],
        condition=RuleCondition(content_held=True),
    )


def signed_and_disclosed(body: str, footer: EmailFooter, outreach: OutreachSettings) -> str:
    """The body with the admin's signature and AI disclosure (`sender_reputation.footer`)."""
    disclosure = (
        footer.ai_disclosure.format(
            sender_name=outreach.sender_name, sender_company=outreach.sender_company
        )
        if footer.ai_disclosure
        else None
    )
    return with_footer(body, footer.signature or outreach.signature, disclosure)


def _wait_for_reply(turn: ConversationTurn, notes: list[str]) -> Command[Literal["reply_waiter"]]:
    return Command(
        goto="reply_waiter",
        update={"conversation": [turn], "pending_message": None, "engine_notes": notes},
    )


def message_writer(
    state: EngageState, runtime: Runtime[Context]
) -> Command[Literal["reply_waiter", "handoff_router"]]:
    """Graph node: see `_write_message`; answers come from the product's knowledge sources."""
    context = runtime.context or Context()
    services = services_for(context)
    engage = load_engage_settings(context.database_url)
    reset_sources = use_knowledge_sources(services.knowledge, engage.knowledge)
    try:
        return _write_message(state, runtime)
    finally:
        reset_sources()


def _write_message(
    state: EngageState, runtime: Runtime[Context]
) -> Command[Literal["reply_waiter", "handoff_router"]]:
    """Graph node: enqueue the pending message (outreach, follow-up, answer, check-in).

    The written email passes the content check first (links, web text, instructions);
    one that fails goes to the seller as a hand-off and is never queued.
    """
    context = runtime.context or Context()
    services = services_for(context)
    engage = load_engage_settings(context.database_url)
    now = context.clock.now()
    thread_id = get_config()["configurable"]["thread_id"]
    kind = state.get("pending_message") or "outreach"
    step = sum(1 for turn in state["conversation"] if turn.direction == "outbound") + 1
    key = message_key(thread_id, step)
    with Session(get_db_engine(context.database_url)) as session:
        # As the lead has it: without emails cancelled in review, with the owner's edits.
        turns = reviewed_turns(session, state["conversation"])
        lead = session.get(Lead, state["lead_id"])
        assert lead is not None and lead.email, "the gate lets no lead without email through"
        conversation = ensure_conversation(
            session, lead.id, thread_id, engage.mailbox_addresses[0], now
        )
        queued = session.exec(
            select(EmailMessage).where(EmailMessage.idempotency_key == key)
        ).first()
        if queued is None:
            outreach = settings_in_force(context).outreach
            signature = outreach.signature
            research = state["research"]
            draft = (
                services.reasoning.write_outreach(research, state["icp"], signature)
                if kind == "outreach"
                else services.reasoning.write_message(kind, research, turns, signature)
            )
            findings = check_email_to_lead(
                draft.subject,
                draft.body,
                lead_email=lead.email,
                research=research,
                mailboxes=engage.mailbox_addresses,
                link_allowlist=engage.guardrails.link_allowlist,
                product=context.product,
                conversation=turns,
                sender=signature,
            )
            if findings:
                session.rollback()
                return Command(
                    goto="handoff_router",
                    update={
                        "stop": _held_for_review(findings).model_dump(mode="json"),
                        "pending_message": None,
                        "engine_notes": services.take_engine_notes(),
                    },
                )
            thread_ids = [turn.message_id for turn in turns]
            body = signed_and_disclosed(draft.body, engage.sender_reputation.footer, outreach)
            if context.sandbox:
                # A replay shows what would be written; nothing enters the outbox.
                turn = ConversationTurn(
                    direction="outbound",
                    at=now,
                    subject=draft.subject,
                    body=body,
                    message_id=f"<replay-{uuid.uuid4().hex[:12]}@sandbox>",
                    kind=kind,
                )
                session.rollback()
                return _wait_for_reply(turn, services.take_engine_notes())
            queued = enqueue_email(
                session,
                idempotency_key=key,
                lead_id=lead.id,
                mailbox=conversation.mailbox,
                to_address=lead.email,
                subject=draft.subject,
                body=body,
                kind=kind,
                in_reply_to=thread_ids[-1] if thread_ids else None,
                references=thread_ids,
                now=now,
            )
            if sending_mode(engage, lead) == "review":
                hold_for_review(queued, now)  # in this transaction: never seen as queued
        sent = outbound_messages(session, lead.id)
        conversation.messages_sent = len(sent)
        conversation.followups_sent = sum(1 for m in sent if m.kind == "follow_up")
        conversation.last_outbound_on = now
        conversation.state = ConversationState.WAITING
        conversation.next_action_on = next_follow_up_at(
            now,
            engage.follow_ups,
            lead.time_zone,
            engage.guardrails.business_hours,
            engage.guardrails.default_time_zone,
        )
        # After the last follow-up the next timer closes the conversation instead.
        exhausted = follow_ups_exhausted(conversation.followups_sent, engage.follow_ups)
        conversation.next_action = "close_no_reply" if exhausted else "follow_up"
        session.add(conversation)
        commit_unless_sandbox(session, context)
        turn = ConversationTurn(
            direction="outbound",
            at=queued.created_on,
            subject=queued.subject,
            body=queued.body,
            message_id=queued.message_id,
            kind=queued.kind,  # type: ignore[arg-type]
        )
    return _wait_for_reply(turn, services.take_engine_notes())
