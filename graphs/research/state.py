"""Typed state of the research graph, with narrower input and output schemas."""

from __future__ import annotations

import operator
from datetime import datetime
from typing import Annotated, NotRequired, TypedDict

from core.findings import LeadResearch, OutreachDraft
from core.icp_verdicts import FitLevel, IcpAssessment
from core.trace_records import StepTrace


class ResearchInput(TypedDict):
    """What a caller passes: the lead to research."""

    lead_id: str
    # Company research made at or after this time is reused (ISO datetime, UTC);
    # unset means "as fresh as the refresh schedule asks".
    company_research_since: NotRequired[str]
    # True when only the ICP changed since the lead's research (still fresh): the run
    # re-judges the fit from the stored research, with no web search and no new summary.
    rejudge_fit: NotRequired[bool]


class ResearchOutput(TypedDict):
    """What a finished run returns: the parts of the lead's insights page (stored whole in
    the `LeadInsight` table), and when the research was made (a re-judge keeps its time)."""

    research: LeadResearch
    lead_summary: str
    icp: IcpAssessment
    draft: OutreachDraft | None
    engine_notes: list[str]
    researched_on: datetime


NEW_RUN = "\x00new run"
"""The researcher's first engine note: a new run, so the notes of earlier runs are dropped."""


def notes_of_this_run(earlier: list[str], new: list[str]) -> list[str]:
    """Add a node's notes, or start afresh when a run begins with `NEW_RUN`."""
    if new and new[0] == NEW_RUN:
        return list(new[1:])
    return earlier + new


class ResearchState(TypedDict):
    """Everything the nodes read and write; each node fills one field."""

    lead_id: str
    company_research_since: NotRequired[str]
    # Cleared by the insights recorder, so the thread's next run researches unless asked.
    rejudge_fit: NotRequired[bool]
    # The fit of the stored insights a re-judge starts from: their draft is re-made only
    # when the fit moved (the draft is written for a fit; the research did not change).
    stored_fit: NotRequired[FitLevel]
    research: NotRequired[LeadResearch]
    # Beside `research`, not in it: the summarizer runs alongside the ICP judge, and two
    # nodes of one step may not both write one channel.
    lead_summary: NotRequired[str]
    icp: NotRequired[IcpAssessment]
    draft: NotRequired[OutreachDraft | None]
    # A run that only writes a new draft (`qualify draft --regenerate`, started at the
    # outreach writer): the research and its time stay as they were.
    draft_only: NotRequired[bool]
    # Set by the insights recorder (a re-judge: by the stored insights, whose research it
    # keeps); the insights themselves are the fields above, and a copy in the state would
    # be stored again in every later checkpoint.
    researched_on: NotRequired[datetime]
    # Fallback notes from every node of this run accumulate so the insight can say what
    # degraded; a new run of the thread starts them afresh (see `notes_of_this_run`).
    engine_notes: Annotated[list[str], notes_of_this_run]
    # The `NodeRun` id of each node run, in order: with the checkpoint history, the trace.
    # Threads written before traces left the state hold the `StepTrace`s themselves.
    trace: Annotated[list[int | StepTrace], operator.add]
