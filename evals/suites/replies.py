"""Replies suite: the engine's `read_reply` on a reply and the outreach it answers."""

from __future__ import annotations

from datetime import timedelta

from core.clock import as_utc
from core.conversation import ConversationTurn
from core.findings import LeadFacts, LeadResearch
from core.reply_reading import ReplyReading
from evals.schemas import CaseResult, ReplyCase, ReplyInput, SpanPair
from evals.suites import SuiteRuntime, base_result, check
from tools.email_check import check_email

SUITE = "replies"
BANT_NAMES = ("budget", "authority", "need", "timing")


def reply_turns(given: ReplyInput, case_id: str) -> list[ConversationTurn]:
    """The outreach a day before the reply, then the reply itself."""
    received = as_utc(given.received_on)
    outreach = given.outreach
    return [
        ConversationTurn(
            direction="outbound",
            at=received - timedelta(days=1),
            subject=outreach.subject,
            body=outreach.body,
            message_id=f"<outreach-{case_id}@eval.example>",
            kind="outreach",
        ),
        ConversationTurn(
            direction="inbound",
            at=received,
            subject=f"Re: {outreach.subject}",
            body=given.reply,
            message_id=f"<reply-{case_id}@lead.example>",
        ),
    ]


def read_case_reply(
    given: ReplyInput, case_id: str, runtime: SuiteRuntime
) -> tuple[ReplyReading, list[ConversationTurn]]:
    """The engine's reading of the reply, and the conversation it was read in."""
    research = LeadResearch(
        lead=LeadFacts(lead_id=case_id, full_name="(eval lead)", job_title=given.job_title),
        email_check=check_email(None),
    )
    turns = reply_turns(given, case_id)
    with runtime.as_a_node():
        reading = runtime.engine.read_reply(
            given.reply, turns, research, headers=dict(given.headers), product=given.product
        )
    return reading, turns


def run_case(case: ReplyCase, runtime: SuiteRuntime) -> CaseResult:
    """Read the reply; passed = the intent matches."""
    reading, _turns = read_case_reply(case.input, case.id, runtime)
    referral_email = reading.referral.email if reading.referral else None
    got_bant = {
        name: {"verdict": item.verdict.value, "evidence": item.evidence}
        for name in BANT_NAMES
        if (item := getattr(reading.bant, name))
    }
    result = base_result(case, SUITE)
    result.got = {
        "intent": reading.intent.value,
        "purchase_interest": reading.purchase_interest.value,
        "bant": got_bant,
        "return_date": reading.return_date.isoformat() if reading.return_date else None,
        "check_in_date": reading.check_in_date.isoformat() if reading.check_in_date else None,
        "referral_email": referral_email,
        "injection": reading.injection_suspected,
        "language": reading.language,
        "summary": reading.summary,
    }
    expected = case.expected
    result.fields["intent"] = check(expected.intent, reading.intent)
    result.fields["purchase_interest"] = check(
        expected.purchase_interest, reading.purchase_interest
    )
    for name, item in expected.bant.items():
        result.fields[f"bant.{name}"] = check(item.verdict, got_bant[name]["verdict"])
        if item.evidence:
            result.spans.append(
                SpanPair(name=name, expected=item.evidence, got=got_bant[name]["evidence"])
            )
    if expected.return_date is not None:
        result.fields["return_date"] = check(expected.return_date, reading.return_date)
    if expected.check_in_date is not None:
        result.fields["check_in_date"] = check(expected.check_in_date, reading.check_in_date)
    if expected.referral_email is not None:
        result.fields["referral_email"] = check(
            expected.referral_email.lower(), (referral_email or "").lower() or None
        )
    if expected.language is not None:
        result.fields["language"] = check(expected.language, reading.language)
    if expected.injection is not None:
        result.fields["injection"] = check(expected.injection, reading.injection_suspected)
    result.label_expected = str(expected.intent)
    result.label_got = reading.intent.value
    result.passed = result.fields["intent"].match
    return result
