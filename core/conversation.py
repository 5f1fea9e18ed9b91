"""The conversation the engage agent keeps with a lead, as the nodes and engines see it."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel

from core.reply_reading import ReplyReading

MessageKind = Literal["outreach", "follow_up", "answer", "check_in"]


class ConversationTurn(BaseModel):
    """One email in the conversation, with the reader's judgement for inbound ones."""

    direction: Literal["outbound", "inbound"]
    at: datetime
    subject: str
    body: str
    message_id: str
    kind: MessageKind | None = None
    reading: ReplyReading | None = None
