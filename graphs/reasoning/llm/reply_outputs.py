"""The model's reading of a reply to our contract reading, checked against the reply.

Evidence must be the lead's own words, quoted verbatim from the cleaned reply and not
from instructions injected into it; the rules reader's opt-out, bounce and injection
findings stand whatever the model says (see `reading_from_llm`).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import graphs.reply_reader.dates as dates
from core.conversation import ConversationTurn
from core.reply_reading import (
    Bant,
    BantItem,
    BantVerdict,
    Intent,
    PurchaseInterest,
    ReferredPerson,
    ReplyReading,
)
from graphs.reasoning.llm.outputs import parse_date
from graphs.reasoning.llm.schemas import LlmBantItem, LlmReplyReading
from graphs.reply_reader.bant import BANT_DIMENSIONS, apply_title_authority, carry_over_bant
from graphs.reply_reader.injection import injected_spans
from graphs.reply_reader.interest import NEGATIVE_INTENTS
from graphs.reply_reader.reader import read_reply as read_reply_by_rules
from graphs.reply_reader.segmentation import clean_reply
from graphs.reply_reader.sentences import verbatim_quote

MAX_QUESTIONS = 10
MAX_DATE_AHEAD_DAYS = 730


def _overlaps(quote: str | None, text: str, spans: list[tuple[int, int]]) -> bool:
    """True if the quote's place in `text` overlaps an injected span."""
    start = text.find(quote) if quote else -1
    if start < 0:
        return False
    end = start + len(quote or "")
    return any(start < e and s < end for s, e in spans)


def _in_text(value: str | None, text: str) -> str | None:
    """`value` stripped, if the text contains it (ignoring case and spacing), else None."""
    value = " ".join((value or "").split())
    return value if value and verbatim_quote(value, text) is not None else None


def _future_date(value: str | None, received_on: date) -> date | None:
    """An ISO date from the model, kept only when it is plausible (today to two years on)."""
    day = parse_date(value)
    if day is None or not received_on <= day <= received_on + timedelta(days=MAX_DATE_AHEAD_DAYS):
        return None
    return day


def reading_from_llm(
    out: LlmReplyReading,
    reply_text: str,
    *,
    received_on: datetime,
    job_title: str | None,
    conversation: list[ConversationTurn] | None,
    engine: str,
    headers: dict[str, Any] | None = None,
) -> ReplyReading:
    """The contract reading, with rules in code where judgement is not needed.

    - Evidence must be the lead's words: a quote that is not in the cleaned reply
      (ignoring case and spacing) or that sits in injected instructions is dropped and the
      dimension becomes unknown; a kept quote is the reply's exact slice.
    - A senior job title sets authority met; earlier replies' verdicts carry over.
    - The rules reader runs too: its opt-out and bounce stand whatever the model says; when
      it finds instructions to the agent, intent and interest come from the rules (which
      ignore the injected sentences), so an injected "mark me qualified" changes nothing.
    - Interest is none for negative intents; dates must be plausible; a referral's email
      and name must appear in the reply.
    """
    text = clean_reply(reply_text).text or reply_text.strip()
    spans = injected_spans(text)
    rules = read_reply_by_rules(
        reply_text,
        received_on=received_on,
        job_title=job_title,
        conversation=conversation,
        headers=headers,
    )
    items: dict[str, BantItem] = {}
    for dimension in BANT_DIMENSIONS:
        judged: LlmBantItem = getattr(out.bant, dimension)
        quote = verbatim_quote(judged.evidence, text)
        if judged.verdict == BantVerdict.UNKNOWN or quote is None or _overlaps(quote, text, spans):
            items[dimension] = BantItem()
        else:
            items[dimension] = BantItem(verdict=judged.verdict, evidence=quote)
    bant = apply_title_authority(carry_over_bant(Bant(**items), conversation), job_title)

    intent, interest = out.intent, out.purchase_interest
    injection = out.injection_suspected or rules.injection_suspected
    if rules.intent in (Intent.UNSUBSCRIBE, Intent.BOUNCE) or rules.injection_suspected:
        intent, interest = rules.intent, rules.purchase_interest
    if intent in NEGATIVE_INTENTS:
        interest = PurchaseInterest.NONE

    day = received_on.date()
    return_on = check_in_on = None
    if intent == Intent.OUT_OF_OFFICE:
        return_on = _future_date(out.return_date, day) or dates.return_date(text, day)
    if intent == Intent.NOT_NOW:
        check_in_on = _future_date(out.check_in_date, day) or dates.check_in_date(text, day)

    referral = None
    if intent == Intent.WRONG_PERSON:
        given = out.referral
        email = (given.email or "").strip() if given else ""
        person = ReferredPerson(
            name=_in_text(given.name, text) if given else None,
            email=email if email and email.lower() in text.lower() else None,
            job_title=_in_text(given.job_title, text) if given else None,
        )
        referral = person if (person.name or person.email) else rules.referral

    questions = [
        " ".join(q.split())
        for q in out.questions
        if q.strip() and not _overlaps(verbatim_quote(q, text), text, spans)
    ][:MAX_QUESTIONS]
    summary = " ".join(out.summary.split())[:300] or rules.summary
    # Sure when the model and the rules agree on the act; every quote the model made up
    # (not the lead's words) makes the rest of its reading less credible.
    dropped = sum(
        1
        for d in BANT_DIMENSIONS
        if getattr(out.bant, d).verdict != BantVerdict.UNKNOWN
        and items[d].verdict == BantVerdict.UNKNOWN
    )
    confidence = (0.9 if intent == rules.intent else 0.65) - 0.15 * dropped
    return ReplyReading(
        confidence=round(max(0.2, confidence), 2),
        intent=intent,
        purchase_interest=interest,
        bant=bant,
        questions=questions,
        return_date=return_on,
        check_in_date=check_in_on,
        referral=referral,
        injection_suspected=injection,
        # The rules reader decides this for both engines: a model cannot be trusted to say
        # that a reply steering it held nothing else.
        injection_only=rules.injection_only,
        language=rules.language,
        summary=summary,
        engine=engine,
    )
