"""Engagement closer: ends a conversation a guardrail forbids for good (no hand-off rule)."""

from __future__ import annotations

from langgraph.runtime import Runtime
from sqlmodel import Session

from graphs.context import Context
from graphs.engage.nodes.sandbox import commit_unless_sandbox
from graphs.engage.state import EngageState
from store.db import get_db_engine
from store.engagement import Conversation, ConversationState


def engagement_closer(state: EngageState, runtime: Runtime[Context]) -> dict:
    """Graph node: mark the conversation stopped, with the guardrails' reasons."""
    context = runtime.context or Context()
    reasons = (state.get("stop") or {}).get("reasons") or ["stopped by a guardrail"]
    with Session(get_db_engine(context.database_url)) as session:
        conversation = session.get(Conversation, state["lead_id"])
        if conversation is not None:
            conversation.state = ConversationState.STOPPED
            conversation.stop_reason = "; ".join(reasons)
            conversation.next_action_on = None
            conversation.next_action = None
            session.add(conversation)
            commit_unless_sandbox(session, context)
    return {"outcome": "stopped: " + "; ".join(reasons)}
