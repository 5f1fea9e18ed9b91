"""Hand-off suite: the default rules on a conversation's facts, or end to end on a reply.

A `facts` case scores the rule table alone. A reply case is read by the engine first, as
the engage graph reads it, and its facts are built as the conversation router builds them
(the product's FAQ decides whether a question is answered): reading, then the rules.
"""

from __future__ import annotations

from core.reply_reading import ReplyReading
from evals.schemas import CaseResult, HandoffCase, ReplyHandoffInput
from evals.suites import SuiteRuntime, base_result, check
from evals.suites.replies import read_case_reply
from graphs.engage.handoff_rules import (
    ConversationFacts,
    default_handoff_rules,
    evaluate_handoff,
    facts_from_conversation,
)
from graphs.knowledge.product_catalog import product_faq

SUITE = "handoff"
KEEP_TALKING = "(keep talking)"


def _facts_from_reply(
    given: ReplyHandoffInput, case_id: str, runtime: SuiteRuntime
) -> tuple[ConversationFacts, ReplyReading]:
    reading, turns = read_case_reply(given, case_id, runtime)
    turns[-1] = turns[-1].model_copy(update={"reading": reading})
    with runtime.as_a_node():
        faq = product_faq(given.product)
    facts = facts_from_conversation(
        turns,
        fit_level=given.fit_level,
        follow_ups_exhausted_without_reply=False,
        do_not_email=False,
        email_invalid=False,
        unanswered_question=faq.leaves_unanswered(reading.questions),
    )
    return facts, reading


def run_case(case: HandoffCase, runtime: SuiteRuntime) -> CaseResult:
    """Apply the rules to the facts; passed = target and rule both match."""
    result = base_result(case, SUITE)
    if case.input.reply is not None:
        facts, reading = _facts_from_reply(case.input.reply, case.id, runtime)
        result.got |= {"intent": reading.intent.value, "language": reading.language}
        if case.expected.intent is not None:
            result.fields["intent"] = check(case.expected.intent, reading.intent)
        if case.expected.language is not None:
            result.fields["language"] = check(case.expected.language, reading.language)
    else:
        assert case.input.facts is not None  # the schema gives one or the other
        facts = case.input.facts
    decision = evaluate_handoff(facts, default_handoff_rules())
    target = decision.target.value if decision else None
    rule = decision.rule_id if decision else None
    result.got |= {"target": target, "rule": rule}
    if decision is not None:
        result.got["explanation"] = decision.explanation
    result.fields["target"] = check(case.expected.target, target)
    result.fields["rule"] = check(case.expected.rule, rule)
    result.label_expected = case.expected.rule or KEEP_TALKING
    result.label_got = rule or KEEP_TALKING
    result.passed = result.fields["target"].match and result.fields["rule"].match
    return result
