"""Typed state of the research graph, with narrower input and output schemas."""

from __future__ import annotations

import operator
from typing import Annotated, NotRequired, TypedDict

from core.findings import LeadInsights, LeadResearch, OutreachDraft
from core.icp_verdicts import IcpAssessment
from core.trace_records import StepTrace


class ResearchInput(TypedDict):
    """What a caller passes: the lead to research."""

    lead_id: str
    # Company research made at or after this time is reused (ISO datetime, UTC);
    # unset means "as fresh as the refresh schedule asks".
    company_research_since: NotRequired[str]


class ResearchOutput(TypedDict):
    """What a finished run returns."""

    insights: LeadInsights


class ResearchState(TypedDict):
    """Everything the nodes read and write; each node fills one field."""

    lead_id: str
    company_research_since: NotRequired[str]
    research: NotRequired[LeadResearch]
    icp: NotRequired[IcpAssessment]
    draft: NotRequired[OutreachDraft | None]
    insights: NotRequired[LeadInsights]
    # Fallback notes from every node accumulate so the insight can say what degraded.
    engine_notes: Annotated[list[str], operator.add]
    # One entry per node run: the thread's checkpoint history is its trace.
    trace: Annotated[list[StepTrace], operator.add]
