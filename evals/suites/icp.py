"""ICP suite: rule criteria by `judge_criterion`, free text by the engine, fit by the rule."""

from __future__ import annotations

from core.findings import CompanyFacts, LeadFacts
from evals.schemas import CaseResult, IcpCase
from evals.suites import SuiteRuntime, base_result, check
from graphs.icp.profile_file import default_icp
from graphs.icp.scoring import assess_fit
from graphs.research.nodes.icp_judge import judge_one

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
    employees, revenue = given.company.employees, given.company.annual_revenue
    company = CompanyFacts(
        name=given.company.name,
        industry=given.company.industry,
        employees=employees if isinstance(employees, int) else None,
        employees_as_given=employees if isinstance(employees, str) else None,
        # A case's bare number is in the account's currency, else the ICP's (not US dollars).
        revenue_as_given=None if revenue is None else str(revenue),
        currency=given.company.currency or profile.currency,
        country=given.company.country,
        products=given.company.products,
        description=given.company.description,
        sources=sources,
    )
    with runtime.as_a_node():
        verdicts = [
            judge_one(criterion, lead, company, None, runtime.engine)
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
