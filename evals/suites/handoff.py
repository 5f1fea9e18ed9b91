"""Hand-off suite: `evaluate_handoff` with the default rules."""

from __future__ import annotations

from evals.schemas import CaseResult, HandoffCase
from evals.suites import SuiteRuntime, base_result, check
from graphs.engage.handoff_rules import default_handoff_rules, evaluate_handoff

SUITE = "handoff"
KEEP_TALKING = "(keep talking)"


def run_case(case: HandoffCase, runtime: SuiteRuntime) -> CaseResult:
    """Apply the rules to the facts; passed = target and rule both match."""
    decision = evaluate_handoff(case.input.facts, default_handoff_rules())
    target = decision.target.value if decision else None
    rule = decision.rule_id if decision else None
    result = base_result(case, SUITE)
    result.got = {"target": target, "rule": rule}
    if decision is not None:
        result.got["explanation"] = decision.explanation
    result.fields["target"] = check(case.expected.target, target)
    result.fields["rule"] = check(case.expected.rule, rule)
    result.label_expected = case.expected.rule or KEEP_TALKING
    result.label_got = rule or KEEP_TALKING
    result.passed = result.fields["target"].match and result.fields["rule"].match
    return result
