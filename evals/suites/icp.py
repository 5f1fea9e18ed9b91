"""ICP suite: rule criteria by `judge_criterion`, free text by the engine, fit by the rule."""

from __future__ import annotations

from core.findings import CompanyFacts, LeadFacts
from core.icp_profile import FreeTextCriterion
from evals.schemas import CaseResult, IcpCase
from evals.suites import SuiteRuntime, base_result, check
from graphs.icp.profile_file import default_icp
from graphs.icp.scoring import assess_fit, judge_criterion

SUITE = "icp"


def run_case(case: IcpCase, runtime: SuiteRuntime) -> CaseResult:
    """Judge the case's lead against its ICP; passed = the fit level matches."""
    given = case.input
    profile = given.icp or default_icp()
    lead = LeadFacts(
        lead_id=case.id,
        full_name="(eval lead)",
        job_title=given.lead.job_title,
        company_name=given.lead.company_name,
        country=given.lead.country,
    )
    sources = {
        name: f"CRM account.{name}"
        for name in ("industry", "employees", "annual_revenue", "country", "description")
        if getattr(given.company, name) is not None
    }
    if given.company.products:
        sources["products"] = "CRM account.products"
    company = CompanyFacts(
        name=given.company.name,
        industry=given.company.industry,
        employees=given.company.employees,
        annual_revenue=given.company.annual_revenue,
        country=given.company.country,
        products=given.company.products,
        description=given.company.description,
        sources=sources,
    )
    with runtime.as_a_node():
        verdicts = [
            runtime.engine.judge_free_text(criterion, company, None)
            if isinstance(criterion, FreeTextCriterion)
            else judge_criterion(criterion, lead, company)
            for criterion in profile.criteria
        ]
    assessment = assess_fit(profile, verdicts)
    got_verdicts = {v.criterion_id: v.verdict.value for v in assessment.verdicts}
    result = base_result(case, SUITE)
    result.got = {
        "fit_level": assessment.fit_level.value,
        "score": assessment.score,
        "verdicts": got_verdicts,
    }
    result.fields["fit_level"] = check(case.expected.fit_level, assessment.fit_level)
    for criterion_id, verdict in case.expected.verdicts.items():
        result.fields[f"verdict.{criterion_id}"] = check(verdict, got_verdicts.get(criterion_id))
    result.label_expected = case.expected.fit_level.value
    result.label_got = assessment.fit_level.value
    result.passed = result.fields["fit_level"].match
    result.score = assessment.score
    return result
