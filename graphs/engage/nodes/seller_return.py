"""Seller return: a lead a seller handed back to the agent waits for the lead again.

The agent's thread ended at the hand-off; the seller's decision enters it here, so the
trace shows who returned the lead and why, before the thread waits for the next reply.
"""

from __future__ import annotations

from graphs.engage.state import EngageState


def seller_return(state: EngageState) -> dict:
    """Graph node: count only later turns for the hand-off rules, and wait again."""
    returned = state.get("returned") or {}
    by = returned.get("by") or "a seller"
    return {
        # What the seller judged must not hand the lead back: the rules read on from here.
        "judged_turns": len(state["conversation"]),
        "stop": None,
        "outcome": f"returned to the agent by {by}",
    }
