"""The ICP judge's rules: criteria against lead and company facts, verdicts into a fit.

Pure functions: no model, no database. Free-text criteria ("runs an ERP") need reading
web pages and are judged by the reasoning engine; everything else is judged here.
"""

from __future__ import annotations

from collections.abc import Iterable

from core.findings import CompanyFacts, LeadFacts
from core.icp_profile import (
    EmployeeRangeCriterion,
    FitRule,
    FreeTextCriterion,
    GeographyCriterion,
    IcpCriterion,
    IcpProfile,
    Importance,
    IndustryCriterion,
    JobTitleCriterion,
    RevenueRangeCriterion,
    Seniority,
)
from core.icp_verdicts import RECOMMENDATIONS, CriterionVerdict, FitLevel, IcpAssessment, Verdict
from graphs.icp.geography import (
    NEIGHBOURHOODS,
    country_key,
    country_label,
    region_key,
    region_of,
)
from graphs.icp.industry import industry_families, related_families
from graphs.icp.title import classify_title, department_key

NEAR_MISS = 0.20
"""A size or revenue this far outside a bound (as a share of the bound) is partly met."""

VERDICT_CREDIT: dict[Verdict, float] = {
    Verdict.MET: 1.0,
    Verdict.PARTLY_MET: 0.5,
    Verdict.NOT_MET: 0.0,
    Verdict.UNKNOWN: 0.0,
}

DEFAULT_LABELS: dict[str, str] = {
    "industry": "Industry",
    "employees": "Company size",
    "revenue": "Annual revenue",
    "geography": "Geography",
    "job_title": "Job title",
}

_SENIORITY_NAMES: dict[Seniority, str] = {
    Seniority.C_LEVEL: "C-level",
    Seniority.VP: "VP",
    Seniority.DIRECTOR: "director",
    Seniority.HEAD: "head-of",
    Seniority.MANAGER: "manager",
    Seniority.INDIVIDUAL: "individual-contributor",
}

_DEPARTMENT_NAMES: dict[str, str] = {
    "it": "IT",
    "hr": "HR",
    "supply_chain": "supply chain",
    "customer_service": "customer service",
}


# -- labels and formatting ------------------------------------------------------------


def criterion_label(criterion: IcpCriterion) -> str:
    """How the insights page names a criterion."""
    if criterion.label:
        return criterion.label
    if isinstance(criterion, FreeTextCriterion):
        return criterion.description
    return DEFAULT_LABELS[criterion.kind]


def _join(items: Iterable[str], last: str = "or") -> str:
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {last} {items[-1]}"


def _count(value: float) -> str:
    return f"{value:,.0f}"


def _money(value: float) -> str:
    for size, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "K")):
        if abs(value) >= size:
            return f"${value / size:,.1f}".removesuffix(".0") + suffix
    return f"${value:,.0f}"


def _department_name(department: str) -> str:
    return _DEPARTMENT_NAMES.get(department, department.replace("_", " "))


# -- per-criterion rules ----------------------------------------------------------------


def _verdict(
    criterion: IcpCriterion, verdict: Verdict, evidence: str, source: str | None
) -> CriterionVerdict:
    return CriterionVerdict(
        criterion_id=criterion.id or criterion.kind,
        label=criterion_label(criterion),
        importance=criterion.importance,
        verdict=verdict,
        evidence=evidence,
        source=source if verdict is not Verdict.UNKNOWN else None,
    )


def _judge_industry(
    criterion: IndustryCriterion, company: CompanyFacts
) -> tuple[Verdict, str, str | None]:
    label = (company.industry or "").strip()
    source = company.sources.get("industry")
    if not label:
        return Verdict.UNKNOWN, "No industry on the account or its web pages", None
    wanted: list[str] = []
    for listed in criterion.industries:
        wanted.extend(industry_families(listed) or [listed])
    families = industry_families(label)
    listed_text = _join(criterion.industries)
    hit = next((f for f in families if f in wanted), None)
    if hit is None and _plain(label) in {_plain(w) for w in wanted}:
        hit = label  # an industry outside the synonym table, spelled as listed
    if hit is not None:
        if _plain(hit) == _plain(label):
            return Verdict.MET, f"{label} is a listed industry", source
        return Verdict.MET, f"{label} counts as {hit}, a listed industry", source
    if not families:
        return Verdict.NOT_MET, f"{label} is not a recognised form of {listed_text}", source
    near = next((f for f in families if related_families(f) & set(wanted)), None)
    if near is not None:
        kin = _join(sorted(related_families(near) & set(wanted)))
        return (
            Verdict.PARTLY_MET,
            f"{label} counts as {near}: not listed, but close to {kin}",
            source,
        )
    return Verdict.NOT_MET, f"{label} counts as {families[0]}, not {listed_text}", source


def _plain(text: str) -> str:
    return " ".join(text.lower().split())


def _range_text(low: float | None, high: float | None, fmt) -> str:
    if low is not None and high is not None:
        return f"{fmt(low)}–{fmt(high)}"
    if low is not None:
        return f"{fmt(low)} or more"
    return f"up to {fmt(high)}"


def _judge_range(
    value: float | None,
    low: float | None,
    high: float | None,
    *,
    fmt,
    unit: str,
    missing: str,
) -> tuple[Verdict, str]:
    """Inside [low, high] -> met; within NEAR_MISS of a bound -> partly; else not met."""
    if value is None:
        return Verdict.UNKNOWN, missing
    shown = f"{fmt(value)}{unit}"
    if low is not None and value < low:
        gap = (low - value) / low
        if gap <= NEAR_MISS + 1e-9:
            return Verdict.PARTLY_MET, f"{shown}, {gap:.0%} below the minimum of {fmt(low)}"
        return Verdict.NOT_MET, f"{shown}, below {fmt(low)}"
    if high is not None and value > high:
        gap = (value - high) / high if high else float("inf")
        if gap <= NEAR_MISS + 1e-9:
            return Verdict.PARTLY_MET, f"{shown}, {gap:.0%} above the maximum of {fmt(high)}"
        return Verdict.NOT_MET, f"{shown}, above {fmt(high)}"
    return Verdict.MET, f"{shown}, within {_range_text(low, high, fmt)}"


def _judge_employees(
    criterion: EmployeeRangeCriterion, company: CompanyFacts
) -> tuple[Verdict, str, str | None]:
    verdict, evidence = _judge_range(
        company.employees,
        criterion.min,
        criterion.max,
        fmt=_count,
        unit=" employees",
        missing="No employee count on the account or its web pages",
    )
    return verdict, evidence, company.sources.get("employees")


def _judge_revenue(
    criterion: RevenueRangeCriterion, company: CompanyFacts
) -> tuple[Verdict, str, str | None]:
    verdict, evidence = _judge_range(
        company.annual_revenue,
        criterion.min,
        criterion.max,
        fmt=_money,
        unit=" annual revenue",
        missing="No annual revenue on the account or its web pages",
    )
    return verdict, evidence, company.sources.get("annual_revenue")


def _judge_geography(
    criterion: GeographyCriterion, lead: LeadFacts, company: CompanyFacts
) -> tuple[Verdict, str, str | None]:
    if company.country and company.country.strip():
        place, whose = company.country.strip(), "the company's country"
        source = company.sources.get("country")
    elif lead.country and lead.country.strip():
        place, whose = lead.country.strip(), "the lead's country; none on the account"
        source = "CRM lead.country"
    else:
        return Verdict.UNKNOWN, "No country on the account, its web pages or the lead", None
    key = country_key(place)
    if key is None:
        return Verdict.UNKNOWN, f"{place!r} ({whose}) is not a country I recognise", None
    subject = f"{country_label(key)} ({whose})"
    listed_countries = {k for c in criterion.countries if (k := country_key(c))}
    listed_regions = {region_key(r) or r for r in criterion.regions}
    regions = region_of(key)
    if key in listed_countries:
        return Verdict.MET, f"{subject} is a listed country", source
    inside = sorted(regions & listed_regions)
    if inside:
        return Verdict.MET, f"{subject} is in {_join(inside, 'and')}", source
    wanted = _join([*(country_label(c) for c in sorted(listed_countries)), *criterion.regions])
    if not criterion.regions:
        near = set().union(*(region_of(c) for c in listed_countries))
        shared = sorted(regions & NEIGHBOURHOODS & near)
        if shared:
            return (
                Verdict.PARTLY_MET,
                f"{subject} is not listed, but shares {_join(shared, 'and')} with {wanted}",
                source,
            )
    return Verdict.NOT_MET, f"{subject} is not in {wanted}", source


def _judge_job_title(
    criterion: JobTitleCriterion, lead: LeadFacts
) -> tuple[Verdict, str, str | None]:
    title = (lead.job_title or "").strip()
    if not title:
        return Verdict.UNKNOWN, "The lead has no job title", None
    profile = classify_title(title)
    seniority = profile.seniority or Seniority.INDIVIDUAL
    level = f"{_SENIORITY_NAMES[seniority]} level"
    depts = _join([_department_name(d) for d in profile.departments], "and")
    depts = depts or "no known department"
    wanted_depts = {department_key(d) or d for d in criterion.departments}
    checks: list[tuple[bool, str, str]] = []  # (matches, what it is, what was wanted)
    if criterion.seniority:
        checks.append(
            (
                seniority in criterion.seniority,
                level,
                _join([_SENIORITY_NAMES[s] for s in criterion.seniority]),
            )
        )
    if criterion.departments:
        checks.append(
            (
                bool(wanted_depts & set(profile.departments)),
                depts,
                _join([_department_name(department_key(d) or d) for d in criterion.departments]),
            )
        )
    hits = [c for c in checks if c[0]]
    if not checks or len(hits) == len(checks):
        verdict = Verdict.MET
    else:
        verdict = Verdict.PARTLY_MET if hits else Verdict.NOT_MET
    findings = "; ".join(
        f"{what} matches" if matches else f"{what}, not {wanted}"
        for matches, what, wanted in checks
    )
    return verdict, f"{title}: {findings}", "CRM lead.job_title"


def judge_criterion(
    criterion: IcpCriterion, lead: LeadFacts, company: CompanyFacts
) -> CriterionVerdict:
    """Judge one rule-based criterion; free-text criteria raise ValueError (engine's job)."""
    if isinstance(criterion, IndustryCriterion):
        result = _judge_industry(criterion, company)
    elif isinstance(criterion, EmployeeRangeCriterion):
        result = _judge_employees(criterion, company)
    elif isinstance(criterion, RevenueRangeCriterion):
        result = _judge_revenue(criterion, company)
    elif isinstance(criterion, GeographyCriterion):
        result = _judge_geography(criterion, lead, company)
    elif isinstance(criterion, JobTitleCriterion):
        result = _judge_job_title(criterion, lead)
    elif isinstance(criterion, FreeTextCriterion):
        raise ValueError(
            f"criterion {criterion.id!r} is free text: the reasoning engine judges it, "
            "not the rules"
        )
    else:  # pragma: no cover - the union is closed
        raise ValueError(f"unknown criterion kind {criterion.kind!r}")
    return _verdict(criterion, *result)


def judge_rule_criteria(
    profile: IcpProfile, lead: LeadFacts, company: CompanyFacts
) -> list[CriterionVerdict]:
    """Judge every criterion of the profile except free-text ones, in profile order."""
    return [
        judge_criterion(criterion, lead, company)
        for criterion in profile.criteria
        if not isinstance(criterion, FreeTextCriterion)
    ]


# -- fit ------------------------------------------------------------------------------


def _weight(verdict: CriterionVerdict, rule: FitRule) -> float:
    return rule.must_have_weight if verdict.importance is Importance.MUST_HAVE else 1.0


def score_verdicts(verdicts: list[CriterionVerdict], rule: FitRule) -> float:
    """Weighted share of criteria met: met 1, partly 0.5, else 0; must-haves weigh more."""
    total = sum(_weight(v, rule) for v in verdicts)
    if total == 0:
        return 0.0
    earned = sum(_weight(v, rule) * VERDICT_CREDIT[v.verdict] for v in verdicts)
    return earned / total


def _musts(verdicts: list[CriterionVerdict]) -> list[CriterionVerdict]:
    return [v for v in verdicts if v.importance is Importance.MUST_HAVE]


def fit_level(verdicts: list[CriterionVerdict], rule: FitRule) -> FitLevel:
    """Exact, close or none, per the FitRule docstring."""
    score = score_verdicts(verdicts, rule)
    musts = _musts(verdicts)
    if any(v.verdict is Verdict.NOT_MET for v in musts) or score < rule.close_min_score:
        return FitLevel.NONE
    accepted = {Verdict.MET}
    if not rule.unknown_must_have_blocks_exact:
        accepted.add(Verdict.UNKNOWN)
    if all(v.verdict in accepted for v in musts) and score >= rule.exact_min_score:
        return FitLevel.EXACT
    return FitLevel.CLOSE


def _names(verdicts: list[CriterionVerdict], *, lower: bool = False) -> str:
    """Labels in running text; `lower` lowercases default labels ("company size")."""
    defaults = set(DEFAULT_LABELS.values())
    return _join(
        [v.label.lower() if lower and v.label in defaults else v.label for v in verdicts], "and"
    )


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def _tally(verdicts: list[CriterionVerdict]) -> str:
    """'Meets all 3 must-haves (industry, ...) and 2 of 3 nice-to-haves'."""
    musts = _musts(verdicts)
    nices = [v for v in verdicts if v.importance is Importance.NICE_TO_HAVE]
    met_musts = [v for v in musts if v.verdict is Verdict.MET]
    met_nices = [v for v in nices if v.verdict is Verdict.MET]
    parts: list[str] = []
    if musts:
        if len(met_musts) == len(musts):
            head = "the must-have" if len(musts) == 1 else f"all {len(musts)} must-haves"
            parts.append(f"meets {head} ({_names(musts, lower=True)})")
        else:
            parts.append(f"meets {len(met_musts)} of {_plural(len(musts), 'must-have')}")
    if nices:
        parts.append(f"{len(met_nices)} of {_plural(len(nices), 'nice-to-have')}")
    text = " and ".join(parts) if parts else "no criteria judged"
    return text[0].upper() + text[1:]


def _fit_reason(verdicts: list[CriterionVerdict], rule: FitRule, level: FitLevel) -> str:
    score = score_verdicts(verdicts, rule)
    musts = _musts(verdicts)
    failed = [v for v in musts if v.verdict is Verdict.NOT_MET]
    unknown = [v for v in musts if v.verdict is Verdict.UNKNOWN]
    partly = [v for v in musts if v.verdict is Verdict.PARTLY_MET]
    if failed:
        if len(failed) == 1:
            return f"Does not meet the must-have {failed[0].label}: {failed[0].evidence}."
        details = "; ".join(f"{v.label}: {v.evidence}" for v in failed)
        return f"Does not meet {len(failed)} must-haves: {details}."
    if level is FitLevel.NONE:
        gaps = ""
        if unknown:
            verb = "is" if len(unknown) == 1 else "are"
            noun = "must-have" if len(unknown) == 1 else "must-haves"
            gaps = f"; the {noun} {_names(unknown)} {verb} unknown"
        return (
            f"Too little of the profile is met: score {score:.2f} is below "
            f"{rule.close_min_score:.2f}{gaps}. {_tally(verdicts)}."
        )
    if level is FitLevel.EXACT:
        reason = f"{_tally(verdicts)}."
        if unknown:
            verb = "is" if len(unknown) == 1 else "are"
            noun = "must-have" if len(unknown) == 1 else "must-haves"
            reason += f" The {noun} {_names(unknown)} {verb} unknown, not counted against it."
        return reason
    reasons: list[str] = []
    if len(partly) == 1:
        reasons.append(f"the must-have {partly[0].label} is only partly met ({partly[0].evidence})")
    elif partly:
        reasons.append(f"the must-haves {_names(partly)} are only partly met")
    if unknown and rule.unknown_must_have_blocks_exact:
        verb = "is" if len(unknown) == 1 else "are"
        noun = "must-have" if len(unknown) == 1 else "must-haves"
        reasons.append(f"the {noun} {_names(unknown)} {verb} unknown")
    if not reasons:
        reasons.append(
            f"score {score:.2f} is below {rule.exact_min_score:.2f} needed for an exact match"
        )
    return f"Close: {'; '.join(reasons)}. {_tally(verdicts)}."


def assess_fit(profile: IcpProfile, verdicts: list[CriterionVerdict]) -> IcpAssessment:
    """Combine verdicts into the fit level, recommendation and a reason sentence.

    Criteria of the profile with no verdict count as unknown, so a skipped criterion can
    never make a lead look better than it is.
    """
    by_id = {v.criterion_id: v for v in verdicts}
    ordered: list[CriterionVerdict] = []
    for criterion in profile.criteria:
        cid = criterion.id or criterion.kind
        ordered.append(
            by_id.pop(cid, None)
            or CriterionVerdict(
                criterion_id=cid,
                label=criterion_label(criterion),
                importance=criterion.importance,
                verdict=Verdict.UNKNOWN,
                evidence="Not judged: no verdict was given for this criterion",
            )
        )
    ordered.extend(by_id.values())
    rule = profile.fit_rule
    level = fit_level(ordered, rule)
    return IcpAssessment(
        fit_level=level,
        recommendation=RECOMMENDATIONS[level],
        score=round(score_verdicts(ordered, rule), 4),
        reason=_fit_reason(ordered, rule, level),
        verdicts=ordered,
    )
