"""What a person may do with a hand-off, from what its rule tested (never from its id).

A seller *accepts* a lead that showed buying interest, *fixes* an address the agent could
not use, *follows* a referral to the person the lead named, *returns* the lead to the agent
with a note (it is not ready: keep the conversation going), or *rejects* the hand-off (the
lead stays open with them); a supervisor *approves* or *rejects* a disqualification. The kind is
worked out from the rule's conditions when the hand-off is made, so an admin's own rules
get the actions that fit them.
"""

from __future__ import annotations

from enum import StrEnum

from core.reply_reading import Intent
from graphs.engage.handoff_rules import RuleCondition
from store.engagement import HandoffTarget


class HandoffKind(StrEnum):
    """What a hand-off asks of the person who receives it."""

    QUALIFIED = "qualified"  # buying interest, a meeting asked for: confirm and take it on
    EMAIL = "email"  # the address is invalid or bounced: a working one is needed
    REFERRAL = "referral"  # the lead named someone else to talk to
    REVIEW = "review"  # a reply the agent may not answer: a seller reads it
    DISQUALIFY = "disqualify"  # a supervisor confirms or overturns the agent's judgement


class HandoffAction(StrEnum):
    """A decision on a hand-off."""

    ACCEPT = "accept"
    FIX = "fix"
    FOLLOW = "follow"
    APPROVE = "approve"
    RETURN = "return"
    REJECT = "reject"


ALLOWED: dict[HandoffKind, tuple[HandoffAction, ...]] = {
    HandoffKind.QUALIFIED: (HandoffAction.ACCEPT, HandoffAction.RETURN, HandoffAction.REJECT),
    # A bad address cannot be returned: the agent would stop at it again.
    HandoffKind.EMAIL: (HandoffAction.FIX, HandoffAction.REJECT),
    HandoffKind.REFERRAL: (HandoffAction.FOLLOW, HandoffAction.RETURN, HandoffAction.REJECT),
    # A reply the agent could not answer may show the lead is ready: the seller decides.
    HandoffKind.REVIEW: (HandoffAction.ACCEPT, HandoffAction.RETURN, HandoffAction.REJECT),
    HandoffKind.DISQUALIFY: (HandoffAction.APPROVE, HandoffAction.REJECT),
}

WHAT_IT_DOES: dict[HandoffAction, str] = {
    HandoffAction.ACCEPT: "take the lead on: it is qualified (and an opportunity made, by setting)",
    HandoffAction.FIX: "give a working address (--email): the agent starts again with it",
    HandoffAction.FOLLOW: "make the person the lead named a new lead for the agent",
    HandoffAction.APPROVE: "disqualify the lead, for the rule's reason",
    HandoffAction.RETURN: "give it back to the agent with a --note: it waits for the lead's "
    "next reply, follow-ups resume, and only replies it has not read yet can hand it off again",
    HandoffAction.REJECT: "decline it: the lead stays open with its seller, the agent stopped",
}

_BUYING_INTENTS = {Intent.INTERESTED, Intent.MEETING_REQUEST}


def handoff_kind(target: HandoffTarget, condition: RuleCondition | None) -> HandoffKind:
    """The kind of a hand-off made by a rule with this target and condition (None: the
    rule is unknown, as for hand-offs made before kinds were kept)."""
    if target is HandoffTarget.SUPERVISOR:
        return HandoffKind.DISQUALIFY
    if condition is None:
        return HandoffKind.REVIEW
    if condition.email_invalid or condition.bounced:
        return HandoffKind.EMAIL
    intents = set(condition.intent_in or [])
    if Intent.WRONG_PERSON in intents:
        return HandoffKind.REFERRAL
    if (
        condition.min_purchase_interest is not None
        or condition.min_bant_met is not None
        or intents & _BUYING_INTENTS
    ):
        return HandoffKind.QUALIFIED
    return HandoffKind.REVIEW


def refusal(kind: HandoffKind, action: HandoffAction) -> str | None:
    """Why `action` is not allowed on a hand-off of `kind`, naming the allowed ones; None
    when it is allowed."""
    allowed = ALLOWED[kind]
    if action in allowed:
        return None
    *others, last = [a.value for a in allowed]
    names = f"{', '.join(others)} or {last}" if others else last
    return f"a hand-off of kind {kind.value} cannot be {_past(action)}; {names} it instead"


def _past(action: HandoffAction) -> str:
    return {
        HandoffAction.ACCEPT: "accepted",
        HandoffAction.FIX: "fixed",
        HandoffAction.FOLLOW: "followed",
        HandoffAction.APPROVE: "approved",
        HandoffAction.RETURN: "returned",
        HandoffAction.REJECT: "rejected",
    }[action]
