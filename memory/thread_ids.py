"""Deterministic LangGraph thread ids: one thread per lead and mode."""

from __future__ import annotations

RESEARCH_MODE = "research"
ENGAGE_MODE = "engage"


def thread_id_for(lead_id: str, mode: str = RESEARCH_MODE) -> str:
    """The thread of `lead_id` in `mode` ("research" or "engage")."""
    return f"{mode}:{lead_id}"
