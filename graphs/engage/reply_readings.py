"""The agent's reading of each of a lead's replies, from the lead's engage thread."""

from __future__ import annotations

from langgraph.checkpoint.base import BaseCheckpointSaver

from core.conversation import ConversationTurn
from core.reply_reading import ReferredPerson, ReplyReading
from graphs.engage.graph import build_engage_graph
from memory.thread_ids import ENGAGE_MODE, thread_id_for


def conversation_turns(checkpointer: BaseCheckpointSaver, lead_id: str) -> list[ConversationTurn]:
    """The emails the agent knows of in the lead's engage thread, oldest first."""
    config = {"configurable": {"thread_id": thread_id_for(lead_id, ENGAGE_MODE)}}
    values = build_engage_graph(checkpointer).get_state(config).values or {}
    return sorted(values.get("conversation") or [], key=lambda turn: turn.at)


def readings_by_message(turns: list[ConversationTurn]) -> dict[str, ReplyReading]:
    """Each read reply's reading, by its Message-ID."""
    return {turn.message_id: turn.reading for turn in turns if turn.reading is not None}


def latest_referral(turns: list[ConversationTurn]) -> ReferredPerson | None:
    """The person the lead's latest referring reply named, if any."""
    for turn in reversed(turns):
        if turn.reading is not None and turn.reading.referral is not None:
            return turn.reading.referral
    return None
