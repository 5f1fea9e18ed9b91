"""The icp and email eval datasets: schema, ids, sources, size, class coverage, label sanity."""

from __future__ import annotations

import json
import re
from collections import Counter
from functools import cache
from pathlib import Path

import pytest

from core.icp_profile import FitRule, IcpProfile, Importance
from core.icp_verdicts import Verdict
from evals.schemas import CASE_MODELS, EmailCase, IcpCase
from graphs.icp.profile_file import default_icp

DATASETS = Path(__file__).resolve().parents[1] / "evals" / "datasets"
MINIMUM_CASES = {"icp": 150, "email": 300}
CREDIT = {"met": 1.0, "partly_met": 0.5, "not_met": 0.0, "unknown": 0.0}


@cache
def raw_lines(suite: str) -> list[tuple[int, dict]]:
    """(line number, parsed JSON) for every non-blank line of the suite's file."""
    path = DATASETS / f"{suite}.jsonl"
    rows = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip():
            try:
                rows.append((number, json.loads(line)))
            except json.JSONDecodeError as error:
                pytest.fail(f"{path.name}:{number} is not JSON: {error}")
    return rows


@cache
def icp_cases() -> list[IcpCase]:
    return [IcpCase.model_validate(row) for _, row in raw_lines("icp")]


@cache
def email_cases() -> list[EmailCase]:
    return [EmailCase.model_validate(row) for _, row in raw_lines("email")]


# -- both suites ----------------------------------------------------------------------------


@pytest.mark.parametrize("suite", ["icp", "email"])
def test_every_line_follows_the_suite_schema(suite: str) -> None:
    problems = []
    for number, row in raw_lines(suite):
        try:
            CASE_MODELS[suite].model_validate(row)
        except ValueError as error:
            problems.append(f"{suite}.jsonl:{number}: {error}")
    assert not problems, "\n".join(problems[:5])


@pytest.mark.parametrize("suite", ["icp", "email"])
def test_ids_are_unique_and_well_formed(suite: str) -> None:
    ids = [row["id"] for _, row in raw_lines(suite)]
    bad = [i for i in ids if not re.fullmatch(rf"{suite}-\d{{4}}", i)]
    assert not bad, f"ids not of the form {suite}-nnnn: {bad[:5]}"
    repeated = [i for i, n in Counter(ids).items() if n > 1]
    assert not repeated, f"repeated ids: {repeated}"


@pytest.mark.parametrize("suite", ["icp", "email"])
def test_every_case_says_where_it_came_from(suite: str) -> None:
    for number, row in raw_lines(suite):
        source = row.get("source", "")
        assert source.strip(), f"{suite}.jsonl:{number} has no source"
        if not source.startswith("hand-written"):
            # Third-party data names its repository and licence.
            assert "github.com/" in source, f"{suite}.jsonl:{number}: no repository in {source}"
            assert re.search(r"\((CC0|MIT|ISC|Unlicense)\)", source), (
                f"{suite}.jsonl:{number}: no licence in {source}"
            )


@pytest.mark.parametrize("suite", ["icp", "email"])
def test_the_suite_has_at_least_the_issue_minimum(suite: str) -> None:
    assert len(raw_lines(suite)) >= MINIMUM_CASES[suite]


def test_the_readme_documents_all_five_suites() -> None:
    text = (DATASETS / "README.md").read_text(encoding="utf-8")
    for suite in CASE_MODELS:
        assert f"## `{suite}`" in text, f"README.md has no section for {suite}"
    assert "## Sources: replies, handoff, journeys" in text


# -- icp ----------------------------------------------------------------------------------------


def profile_of(case: IcpCase) -> IcpProfile:
    return case.input.icp or default_icp()


def documented_fit(case: IcpCase) -> str:
    """The fit level the FitRule docstring gives for the case's expected verdicts."""
    profile = profile_of(case)
    rule: FitRule = profile.fit_rule
    weights, musts = {}, []
    for criterion in profile.criteria:
        must = criterion.importance is Importance.MUST_HAVE
        weights[criterion.id] = rule.must_have_weight if must else 1.0
        if must:
            musts.append(case.expected.verdicts[criterion.id].value)
    verdicts = {cid: v.value for cid, v in case.expected.verdicts.items()}
    score = sum(weights[c] * CREDIT[v] for c, v in verdicts.items()) / sum(weights.values())
    if "not_met" in musts or score < rule.close_min_score:
        return "none"
    accepted = {"met"} if rule.unknown_must_have_blocks_exact else {"met", "unknown"}
    if all(v in accepted for v in musts) and score >= rule.exact_min_score:
        return "exact"
    return "close"


def test_icp_verdicts_name_criteria_of_the_case_profile() -> None:
    for case in icp_cases():
        ids = {c.id for c in profile_of(case).criteria}
        unknown = set(case.expected.verdicts) - ids
        assert not unknown, f"{case.id}: verdicts for criteria not in its ICP: {unknown}"


def test_icp_fit_levels_follow_the_documented_rule_from_the_verdicts() -> None:
    wrong = []
    for case in icp_cases():
        ids = {c.id for c in profile_of(case).criteria}
        if set(case.expected.verdicts) == ids:
            fit = documented_fit(case)
            if fit != case.expected.fit_level.value:
                wrong.append(f"{case.id}: labelled {case.expected.fit_level.value}, rule {fit}")
    assert not wrong, "\n".join(wrong)


def test_documented_fit_catches_a_mislabelled_case() -> None:
    case = icp_cases()[0].model_copy(deep=True)
    case.expected.verdicts["industry"] = Verdict.NOT_MET  # a must-have not met: "none"
    assert documented_fit(case) == "none" != case.expected.fit_level.value


def test_icp_covers_every_fit_level_and_verdict() -> None:
    fits = Counter(c.expected.fit_level.value for c in icp_cases())
    assert all(fits[level] >= 25 for level in ("exact", "close", "none")), fits
    seen: dict[str, set[str]] = {}
    for case in icp_cases():
        if case.input.icp is None:
            for cid, verdict in case.expected.verdicts.items():
                seen.setdefault(cid, set()).add(verdict.value)
    every = {"met", "partly_met", "not_met", "unknown"}
    for cid in ("employees", "revenue", "job_title", "erp_user"):
        assert seen[cid] == every, f"{cid}: only {seen[cid]}"
    for cid in ("industry", "geography"):
        assert {"met", "not_met", "unknown"} <= seen[cid], f"{cid}: only {seen[cid]}"


def test_icp_covers_the_edge_cases_the_issue_names() -> None:
    tags = Counter(tag for case in icp_cases() for tag in case.tags)
    for tag in ("missing", "synonym", "size-bound", "revenue-bound", "country-region"):
        assert tags[tag] >= 8, f"only {tags[tag]} cases tagged {tag}"
    custom = [c for c in icp_cases() if c.input.icp is not None]
    assert len(custom) >= 12
    assert len({c.input.icp.name for c in custom}) >= 4, "custom cases use too few ICPs"
    employees = {c.input.company.employees for c in icp_cases() if c.input.icp is None}
    assert {199, 200, 10_000, 10_001} <= employees, "the size bounds are not all tested"


def test_icp_cases_are_not_paraphrases_of_each_other() -> None:
    names = [c.input.company.name for c in icp_cases() if c.input.company.name]
    assert len(set(names)) >= 0.95 * len(names)
    titles = {c.input.lead.job_title for c in icp_cases()}
    industries = {c.input.company.industry for c in icp_cases()}
    assert len(titles) >= 100 and len(industries) >= 80


# -- email --------------------------------------------------------------------------------------


def test_email_addresses_appear_once() -> None:
    repeated = [e for e, n in Counter(c.input.email for c in email_cases()).items() if n > 1]
    assert not repeated, f"repeated addresses: {repeated}"


def test_email_class_mix_is_close_to_the_asked_shares() -> None:
    asked = {"work": 0.35, "personal": 0.20, "disposable": 0.15, "role": 0.15, "invalid": 0.15}
    labels = Counter(
        c.expected.email_type if c.expected.is_valid else "invalid" for c in email_cases()
    )
    total = sum(labels.values())
    for label, share in asked.items():
        assert abs(labels[label] / total - share) <= 0.05, f"{label}: {labels[label]}/{total}"


def test_email_uses_each_third_party_list() -> None:
    sources = " ".join(c.source for c in email_cases())
    for marker in (
        "python-email-validator",
        "disposable_email_blocklist.conf",
        "allowlist.conf",
        "willwhite/freemail",
        "role-based-email-addresses",
    ):
        assert marker in sources, f"no case from {marker}"
    hand = sum(c.source == "hand-written" for c in email_cases())
    assert hand >= 100


def test_email_covers_the_tricky_forms() -> None:
    tags = Counter(tag for case in email_cases() for tag in case.tags)
    for tag in ("plus", "case", "subdomain", "whitespace", "idn", "quoted", "trailing-dot"):
        assert tags[tag] >= 1, f"no {tag} case"
    assert any(c.input.email is None for c in email_cases())
