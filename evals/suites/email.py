"""Email suite: `tools.email_check.check_email` (format and type, no DNS)."""

from __future__ import annotations

from evals.schemas import CaseResult, EmailCase
from evals.suites import SuiteRuntime, base_result, check
from tools.email_check import check_email

SUITE = "email"


def run_case(case: EmailCase, runtime: SuiteRuntime) -> CaseResult:
    """Check the address; passed = validity and type both match."""
    found = check_email(case.input.email)
    result = base_result(case, SUITE)
    result.got = {
        "is_valid": found.is_valid,
        "email_type": found.email_type,
        "reason": found.validity_reason if not found.is_valid else found.type_reason,
    }
    result.fields["is_valid"] = check(case.expected.is_valid, found.is_valid)
    result.fields["email_type"] = check(case.expected.email_type, found.email_type)
    # One class per outcome, so the confusion matrix shows invalid next to the types.
    result.label_expected = case.expected.email_type if case.expected.is_valid else "invalid"
    result.label_got = found.email_type if found.is_valid else "invalid"
    result.passed = result.fields["is_valid"].match and result.fields["email_type"].match
    return result
