"""Hand-off router: records the hand-off the rules decided, once per thread."""

from __future__ import annotations

from langgraph.config import get_config
from langgraph.runtime import Runtime
from sqlmodel import Session, func, select

from graphs.context import Context
from graphs.engage.handoff_actions import handoff_kind
from graphs.engage.handoff_routing import assignee_for, resolve_routing
from graphs.engage.handoff_rules import (
    HandoffDecision,
    facts_from_conversation,
    suggest_next_step,
    summarize_conversation,
)
from graphs.engage.nodes.sandbox import commit_unless_sandbox
from graphs.engage.state import EngageState
from graphs.engage.stored_settings import load_engage_settings
from store.crm import Lead
from store.db import get_db_engine
from store.engagement import (
    Conversation,
    ConversationState,
    Handoff,
    HandoffStatus,
)
from store.seller_inbox import notify
from tools.mail.user_notices import email_notice


def handoff_router(state: EngageState, runtime: Runtime[Context]) -> dict:
    """Graph node: store the hand-off with its rule, summary, BANT and next step."""
    context = runtime.context or Context()
    engage = load_engage_settings(context.database_url)
    thread_id = get_config()["configurable"]["thread_id"]
    decision = HandoffDecision.model_validate(state["stop"])
    with Session(get_db_engine(context.database_url)) as session:
        lead = session.get(Lead, state["lead_id"])
        assert lead is not None
        facts = facts_from_conversation(
            state["conversation"],
            fit_level=state["icp"].fit_level,
            do_not_email=lead.do_not_email,
            email_invalid=not state["research"].email_check.is_valid,
        )
        # One hand-off per run of the thread: a crash-and-resume finds it, a restart after a
        # decided hand-off (say, the seller fixed the email) makes a new one.
        decided = session.exec(
            select(func.count())
            .select_from(Handoff)
            .where(Handoff.lead_id == lead.id, Handoff.status != HandoffStatus.PENDING)
        ).one()
        key = f"{thread_id}:handoff:{decided}"
        handoff = session.exec(select(Handoff).where(Handoff.idempotency_key == key)).first()
        if handoff is None and not context.sandbox:
            # The owner, or the rotation's next seller (its cursor moves in this transaction).
            routing = resolve_routing(
                session, engage.routing, legacy_supervisor_id=engage.supervisor_id
            )
            assignee = assignee_for(session, lead, decision.target, routing, context.clock.now())
            handoff = Handoff(
                lead_id=lead.id,
                idempotency_key=key,
                target=decision.target,
                assignee_id=assignee,
                rule_id=decision.rule_id,
                rule_description=f"{decision.description} ({'; '.join(decision.matched)})",
                summary=summarize_conversation(state["conversation"]),
                bant=facts.bant.model_dump(mode="json"),
                purchase_interest=facts.purchase_interest,
                next_step=suggest_next_step(decision, facts),
                kind=handoff_kind(decision.target, decision.condition).value,
                created_on=context.clock.now(),
            )
            session.add(handoff)
            if handoff.assignee_id:
                session.flush()  # the hand-off's id, for the notice
                notice = notify(
                    session,
                    user_id=handoff.assignee_id,
                    lead_id=lead.id,
                    kind="handoff",
                    text=f"{lead.full_name} ({lead.id}) handed to you by rule "
                    f"{decision.rule_id}: {handoff.next_step}",
                    key=f"handoff:{key}",
                    now=context.clock.now(),
                    handoff_id=handoff.id,
                )
                email_notice(session, notice, context.clock.now())
        conversation = session.get(Conversation, lead.id)
        if conversation is not None:
            conversation.state = ConversationState.HANDED_OFF
            conversation.next_action_on = None
            conversation.next_action = None
            session.add(conversation)
        commit_unless_sandbox(session, context)
    verb = "would hand" if context.sandbox else "handed"
    return {"outcome": f"{verb} to {decision.target} by rule {decision.rule_id}"}
