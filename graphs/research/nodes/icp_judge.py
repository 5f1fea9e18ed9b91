"""ICP judge node: judges each ICP criterion and derives the fit by the admin's rule."""

from __future__ import annotations

from langgraph.runtime import Runtime

from core.findings import AccountDigest, CompanyFacts, LeadFacts, LeadResearch
from core.icp_profile import (
    FreeTextCriterion,
    IcpCriterion,
    IcpProfile,
    IndustryCriterion,
    JobTitleCriterion,
)
from core.icp_verdicts import CriterionVerdict, IcpAssessment, Verdict
from graphs.context import Context
from graphs.icp.scoring import assess_fit, judge_criterion
from graphs.reasoning.base import ReasoningEngine
from graphs.research.agent_settings import settings_in_force
from graphs.research.state import ResearchState
from graphs.services import services_for


def judge_icp(
    profile: IcpProfile, research: LeadResearch, engine: ReasoningEngine
) -> IcpAssessment:
    """Structured criteria by rule; free-text ones by the engine; fit by the profile's rule.

    An industry or job title the rules cannot place (unknown although the field is
    filled) goes to the engine; offline, or when the model has no answer, unknown stands.
    """
    verdicts = [
        judge_one(criterion, research.lead, research.company, research.digest, engine)
        for criterion in profile.criteria
    ]
    return assess_fit(profile, verdicts)


def judge_one(
    criterion: IcpCriterion,
    lead: LeadFacts,
    company: CompanyFacts,
    digest: AccountDigest | None,
    engine: ReasoningEngine,
) -> CriterionVerdict:
    """One criterion's verdict: the rules first, the engine for free text and unplaced labels."""
    if isinstance(criterion, FreeTextCriterion):
        return engine.judge_free_text(criterion, company, digest)
    verdict = judge_criterion(criterion, lead, company)
    if verdict.verdict is not Verdict.UNKNOWN:
        return verdict
    if isinstance(criterion, IndustryCriterion) and company.industry:
        label, source = company.industry, company.sources.get("industry")
    elif isinstance(criterion, JobTitleCriterion) and lead.job_title:
        label, source = lead.job_title, "CRM lead.job_title"
    else:
        return verdict
    return engine.judge_label(criterion, label, source) or verdict


def icp_judge(state: ResearchState, runtime: Runtime[Context]) -> dict:
    """Graph node: the lead's ICP assessment."""
    context = runtime.context or Context()
    services = services_for(context)
    profile = settings_in_force(context).icp
    assessment = judge_icp(profile, state["research"], services.reasoning)
    return {"icp": assessment, "engine_notes": services.take_engine_notes()}
