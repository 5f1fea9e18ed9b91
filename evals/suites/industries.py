"""Industries suite: `graphs.icp.industry.place_industry` on CRM industry labels.

Passed when the label is placed at the expected ISIC node or inside it (a more specific
node is still right); placing it higher up, elsewhere, or nowhere fails. The confusion
matrix is by section.
"""

from __future__ import annotations

from evals.schemas import CaseResult, IndustryCase
from evals.suites import SuiteRuntime, base_result, check
from graphs.icp.industry import place_industry, taxonomy

SUITE = "industries"


def run_case(case: IndustryCase, runtime: SuiteRuntime) -> CaseResult:
    """Place the label; passed = at or under the expected node."""
    tax = taxonomy()
    # A node with a single child is the same industry as the child (ISIC 31 holds only 310).
    expected = tax.only_child(case.expected.isic)
    placed = place_industry(case.input.label)
    chain = tax.ancestors(tax.only_child(placed.industry.code)) if placed else []
    result = base_result(case, SUITE)
    result.got = {
        "isic": placed.industry.code if placed else None,
        "title": placed.industry.title if placed else None,
        "matched": placed.matched if placed else None,
    }
    result.fields["node"] = check(True, expected in chain)
    result.fields["section"] = check(tax.ancestors(expected)[-1], chain[-1] if chain else None)
    result.label_expected = tax.ancestors(expected)[-1]
    result.label_got = chain[-1] if chain else "unplaced"
    result.passed = expected in chain
    return result
