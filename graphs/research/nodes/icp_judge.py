"""ICP judge node: judges each ICP criterion and derives the fit by the admin's rule."""

from __future__ import annotations

from langgraph.runtime import Runtime

from core.findings import LeadResearch
from core.icp_profile import FreeTextCriterion, IcpProfile
from core.icp_verdicts import IcpAssessment
from graphs.context import Context
from graphs.icp.scoring import assess_fit, judge_criterion
from graphs.reasoning.base import ReasoningEngine
from graphs.research.agent_settings import load_agent_settings
from graphs.research.state import ResearchState
from graphs.services import services_for


def judge_icp(
    profile: IcpProfile, research: LeadResearch, engine: ReasoningEngine
) -> IcpAssessment:
    """Structured criteria by rule; free-text ones by the engine; fit by the profile's rule."""
    verdicts = [
        engine.judge_free_text(criterion, research.company, research.digest)
        if isinstance(criterion, FreeTextCriterion)
        else judge_criterion(criterion, research.lead, research.company)
        for criterion in profile.criteria
    ]
    return assess_fit(profile, verdicts)


def icp_judge(state: ResearchState, runtime: Runtime[Context]) -> dict:
    """Graph node: the lead's ICP assessment."""
    context = runtime.context or Context()
    services = services_for(context)
    profile = load_agent_settings(context.database_url).icp
    assessment = judge_icp(profile, state["research"], services.reasoning)
    return {"icp": assessment, "engine_notes": services.take_engine_notes()}
