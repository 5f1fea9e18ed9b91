"""Reply waiter: pauses the thread until a reply arrives or a timer is due."""

from __future__ import annotations

from langgraph.types import interrupt

from graphs.engage.state import EngageState


def reply_waiter(state: EngageState) -> dict:
    """Graph node: interrupt; the runner resumes with {"event": "reply" | "timer"}.

    Nothing happens before `interrupt`, since a resumed node runs again from the start.
    """
    wake = interrupt({"lead_id": state["lead_id"], "waiting_for": "a reply or a timer"})
    if not isinstance(wake, dict) or wake.get("event") not in ("reply", "timer"):
        raise ValueError(
            f"resume an engage thread with {{'event': 'reply' | 'timer'}}, not {wake!r}"
        )
    return {"wake": wake}
