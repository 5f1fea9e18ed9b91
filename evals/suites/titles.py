"""Titles suite: `graphs.icp.title.classify_title` on job titles in five languages.

Title lists label five levels (C-suite, VP, director, manager, other); the judge's
seniority has six, so head-of counts as director and individual as other.
"""

from __future__ import annotations

from core.icp_profile import Seniority
from evals.schemas import CaseResult, TitleCase
from evals.suites import SuiteRuntime, base_result, check
from graphs.icp.title import classify_title

SUITE = "titles"

LEVEL_OF: dict[Seniority | None, str] = {
    Seniority.C_LEVEL: "c_suite",
    Seniority.VP: "vp",
    Seniority.DIRECTOR: "director",
    Seniority.HEAD: "director",
    Seniority.MANAGER: "manager",
    Seniority.INDIVIDUAL: "other",
    None: "other",
}


def run_case(case: TitleCase, runtime: SuiteRuntime) -> CaseResult:
    """Classify the title; passed = the level matches (the department is a field)."""
    profile = classify_title(case.input.title)
    level = LEVEL_OF[profile.seniority]
    result = base_result(case, SUITE)
    result.got = {"level": level, "departments": profile.departments}
    result.fields["level"] = check(case.expected.level, level)
    expected_department = case.expected.department
    got_department = (
        expected_department
        if expected_department in profile.departments
        else (profile.departments[0] if profile.departments else None)
    )
    result.fields["department"] = check(expected_department, got_department)
    result.label_expected = case.expected.level
    result.label_got = level
    result.passed = result.fields["level"].match
    return result
