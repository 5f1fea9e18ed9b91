"""The ICP judge's rules: criteria against lead and company facts, verdicts into a fit.

Pure functions: no model, no database. Free-text criteria ("runs an ERP") need reading
web pages and are judged by the reasoning engine; everything else is judged here.
"""

from __future__ import annotations

from collections.abc import Iterable

from core.findings import CompanyFacts, LeadFacts
from core.geography import (
    NEIGHBOURHOODS,
    countries_in,
    country_key,
    country_label,
    region_key,
    regions_with,
)
from core.icp_fingerprint import icp_fingerprint
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
from graphs.icp.industry import place_industry, relation
from graphs.icp.size_and_revenue import judge_employees, judge_revenue
from graphs.icp.title import TitleProfile, classify_title, department_key

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


def criterion_text(criterion: IndustryCriterion | JobTitleCriterion) -> str:
    """What an industry or job-title criterion asks for, in a sentence (for a model)."""
    if isinstance(criterion, IndustryCriterion):
        return f"The company's industry is one of: {', '.join(criterion.industries)}."
    parts = []
    if criterion.seniority:
        levels = _join([_SENIORITY_NAMES[s] for s in criterion.seniority])
        parts.append(f"seniority {levels}")
    if criterion.departments:
        parts.append(f"department {_join([_department_name(d) for d in criterion.departments])}")
    return f"The lead's job title has {' and '.join(parts)}."


def _join(items: Iterable[str], last: str = "or") -> str:
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {last} {items[-1]}"


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
    """The company's industry against the listed ones, through the ISIC hierarchy."""
    label = (company.industry or "").strip()
    source = company.sources.get("industry")
    if not label:
        return Verdict.UNKNOWN, "No industry on the account or its web pages", None
    listed = [(name, place_industry(name)) for name in criterion.industries]
    placed = place_industry(label)
    if placed is None:
        if any(_plain(label) == _plain(name) for name, _ in listed):
            return Verdict.MET, f"{label} is a listed industry", source
        return (
            Verdict.UNKNOWN,
            f"{label!r} is not an industry name the ISIC taxonomy knows; set the account's "
            "industry to a standard name or code",
            None,
        )
    here = f"{label} ({placed.industry.describe()})"
    relations = {
        name: relation(placed.industry.code, where.industry.code)
        for name, where in listed
        if where is not None
    }
    for wanted in ("within", "broader", "sibling"):
        names = [name for name, found in relations.items() if found == wanted]
        if not names:
            continue
        if wanted == "within":
            return Verdict.MET, f"{here} is within {_join(names)}", source
        if wanted == "broader":
            return (
                Verdict.PARTLY_MET,
                f"{here} is broader than {_join(names)}: it may or may not be in it",
                source,
            )
        return (
            Verdict.PARTLY_MET,
            f"{here} is not listed, but it shares its ISIC parent with {_join(names)}",
            source,
        )
    return Verdict.NOT_MET, f"{here}, not {_join(criterion.industries)}", source


def _plain(text: str) -> str:
    return " ".join(text.lower().split())


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
    counts_as = criterion.transcontinental
    listed_countries = {k for c in criterion.countries if (k := country_key(c))}
    listed_regions = {region_key(r) or r for r in criterion.regions}
    wanted = _join([*(country_label(c) for c in sorted(listed_countries)), *criterion.regions])
    key = country_key(place)
    if key is None:
        region = region_key(place)
        if region is None:
            return Verdict.UNKNOWN, f"{place!r} ({whose}) is not a country I recognise", None
        return (*_judge_region_field(region, listed_countries, listed_regions, counts_as), source)
    subject = f"{country_label(key)} ({whose})"
    regions = regions_with(key, counts_as)
    if key in listed_countries:
        return Verdict.MET, f"{subject} is a listed country", source
    inside = sorted(regions & listed_regions)
    if inside:
        return Verdict.MET, f"{subject} is in {_join(inside, 'and')}", source
    if not criterion.regions:
        near = set().union(*(regions_with(c, counts_as) for c in listed_countries))
        shared = sorted(regions & NEIGHBOURHOODS & near)
        if shared:
            return (
                Verdict.PARTLY_MET,
                f"{subject} is not listed, but shares {_join(shared, 'and')} with {wanted}",
                source,
            )
    return Verdict.NOT_MET, f"{subject} is not in {wanted}", source


def _judge_region_field(
    region: str,
    listed_countries: set[str],
    listed_regions: set[str],
    counts_as: dict[str, str],
) -> tuple[Verdict, str]:
    """A region where a country should be ("EMEA", "DACH"): met only if it lies wholly inside."""
    members = countries_in(region, counts_as)
    wanted = set(listed_countries).union(*(countries_in(r, counts_as) for r in listed_regions))
    listed = _join([*(country_label(c) for c in sorted(listed_countries)), *listed_regions])
    if members and members <= wanted:
        return Verdict.MET, f"{region} (a region, not a country) lies within {listed}"
    if members & wanted:
        return (
            Verdict.PARTLY_MET,
            f"{region} (a region, not a country) only partly overlaps {listed}",
        )
    return Verdict.NOT_MET, f"{region} (a region, not a country) is outside {listed}"


_SENIORITY_BANDS: dict[Seniority, int] = {
    Seniority.C_LEVEL: 0,
    Seniority.VP: 1,
    Seniority.DIRECTOR: 2,
    Seniority.HEAD: 2,
    Seniority.MANAGER: 3,
    Seniority.INDIVIDUAL: 4,
}
"""Title lists' five levels; head-of sits with director."""


def _seniority_part(criterion: JobTitleCriterion, profile: TitleProfile) -> tuple[str, str]:
    """'met', 'near' (a senior manager against director-and-above) or 'not_met', and why."""
    seniority = profile.seniority or Seniority.INDIVIDUAL
    level = f"{_SENIORITY_NAMES[seniority]} level"
    wanted = _join([_SENIORITY_NAMES[s] for s in criterion.seniority])
    lowest = max(_SENIORITY_BANDS[s] for s in criterion.seniority)
    if seniority in criterion.seniority:
        if profile.associate and _SENIORITY_BANDS[seniority] == lowest:
            return "near", f"associate {level}, just short of {wanted}"
        return "met", f"{level} matches"
    if profile.qualified_up and _SENIORITY_BANDS[seniority] == lowest + 1:
        return "near", f"{level}, just below {wanted}"
    return "not_met", f"{level}, not {wanted}"


def _department_part(criterion: JobTitleCriterion, profile: TitleProfile) -> tuple[str, str]:
    """'met', 'not_met' or 'unknown' (the title names no function), and why."""
    wanted_ids = {department_key(d) or d for d in criterion.departments}
    wanted = _join([_department_name(department_key(d) or d) for d in criterion.departments])
    if wanted_ids & set(profile.departments):
        found = _join([_department_name(d) for d in profile.departments if d in wanted_ids])
        return "met", f"{found} matches"
    # A founder, owner or chief executive runs every function: no function is named.
    if not profile.departments or set(profile.departments) == {"executive"}:
        return "unknown", f"no function named, so {wanted} cannot be confirmed"
    found = _join([_department_name(d) for d in profile.departments], "and")
    return "not_met", f"{found}, not {wanted}"


def _judge_job_title(
    criterion: JobTitleCriterion, lead: LeadFacts
) -> tuple[Verdict, str, str | None]:
    """Both parts met -> met; none met and one not met -> not met; otherwise partly met."""
    title = (lead.job_title or "").strip()
    if not title:
        return Verdict.UNKNOWN, "The lead has no job title", None
    profile = classify_title(title)
    if not profile.recognised:
        return (
            Verdict.UNKNOWN,
            f"{title}: no word of the title names a level or a function I know",
            None,
        )
    parts: list[tuple[str, str]] = []
    if criterion.seniority:
        parts.append(_seniority_part(criterion, profile))
    if criterion.departments:
        parts.append(_department_part(criterion, profile))
    outcomes = [outcome for outcome, _ in parts]
    if all(outcome == "met" for outcome in outcomes):
        verdict = Verdict.MET
    elif "met" not in outcomes and "not_met" in outcomes:
        verdict = Verdict.NOT_MET
    else:
        verdict = Verdict.PARTLY_MET
    findings = "; ".join(why for _, why in parts)
    return verdict, f"{title}: {findings}", "CRM lead.job_title"


def judge_criterion(
    criterion: IcpCriterion, lead: LeadFacts, company: CompanyFacts
) -> CriterionVerdict:
    """Judge one rule-based criterion; free-text criteria raise ValueError (engine's job)."""
    if isinstance(criterion, IndustryCriterion):
        result = _judge_industry(criterion, company)
    elif isinstance(criterion, EmployeeRangeCriterion):
        result = judge_employees(criterion, company)
    elif isinstance(criterion, RevenueRangeCriterion):
        result = judge_revenue(criterion, company)
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
    """Combine verdicts into the fit level, recommendation and a reason sentence, marked
    with the fingerprint of the ICP it answers (so an ICP change shows it stale).

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
        judged_against=icp_fingerprint(profile),
    )
