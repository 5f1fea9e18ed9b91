"""Typed state of the engage graph: the lead's research, its conversation, and what is next."""

from __future__ import annotations

import operator
from typing import Annotated, Any, Literal, NotRequired, TypedDict

from core.conversation import ConversationTurn, MessageKind
from core.findings import LeadResearch
from core.icp_verdicts import IcpAssessment
from core.trace_records import StepTrace


def add_turns(
    existing: list[ConversationTurn], new: list[ConversationTurn]
) -> list[ConversationTurn]:
    """Append turns once each: a node re-run after a crash must not duplicate them."""
    seen = {turn.message_id for turn in existing}
    return existing + [turn for turn in new if turn.message_id not in seen]


class EngageInput(TypedDict):
    """What starts a thread: the lead to engage."""

    lead_id: str


class EngageOutput(TypedDict):
    """What a finished thread returns."""

    outcome: str


WakeEvent = Literal["reply", "timer"]


class EngageState(TypedDict):
    """Everything the engage nodes read and write."""

    lead_id: str
    company_research_since: NotRequired[str]
    research: NotRequired[LeadResearch]
    icp: NotRequired[IcpAssessment]
    conversation: Annotated[list[ConversationTurn], add_turns]
    # What the message writer sends next; set by the router, cleared once enqueued.
    pending_message: NotRequired[MessageKind | None]
    # The resume value of the last wait: {"event": "reply" | "timer", ...}.
    wake: NotRequired[dict[str, Any]]
    # How many new replies the last wake brought (0: nothing new, keep waiting).
    replies_read: NotRequired[int]
    # Set when a seller returns a hand-off to the agent: how many turns of `conversation`
    # the seller judged. The hand-off rules count only later ones, so what the seller
    # already judged does not hand the lead back.
    judged_turns: NotRequired[int]
    # The seller who returned the lead, and their note: {"by": user id, "note": text}.
    returned: NotRequired[dict[str, Any] | None]
    # A reason the gate or router stopped engaging, for the hand-off router.
    stop: NotRequired[dict[str, Any] | None]
    outcome: NotRequired[str]
    engine_notes: Annotated[list[str], operator.add]
    # The `NodeRun` id of each node run, in order: with the checkpoint history, the trace.
    # Threads written before traces left the state hold the `StepTrace`s themselves.
    trace: Annotated[list[int | StepTrace], operator.add]
