"""Hand-off rules: data the admin edits, evaluated in order, first match wins. Pure, no DB.

The rules see only `ConversationFacts`, computed from the reply reader's structured
readings and the CRM; nothing the lead wrote reaches them as text. `injection_suspected`
is carried for the record but no condition can test it, and `facts_from_conversation`
does not let a reply flagged as an injection attempt raise purchase interest or BANT.

Default order (why): a meeting request is the lead's latest explicit wish, so it goes to
the seller first (the agent itself still never emails an opted-out lead). Then the
lead's "no" in any form (opt-out, bounce, not interested) beats interest shown earlier
in the conversation: an unsubscribe must never reach a seller as "qualified". Then
qualified interest, which beats a weak ICP fit (the lead's words outrank our guess).
Then the remaining disqualifications, and last an invalid address, which the seller
fixes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    computed_field,
    field_validator,
    model_validator,
)

from core.conversation import ConversationTurn
from core.icp_verdicts import FitLevel
from core.reply_reading import (
    INTEREST_ORDER,
    Bant,
    BantVerdict,
    Intent,
    PurchaseInterest,
)
from graphs.reply_reader.injection import injected_text
from store.engagement import HandoffTarget

_BANT_NAMES = ("budget", "authority", "need", "timing")


def _enum_key(value: object) -> object:
    """'Meeting request', 'meeting-request' and 'MEETING_REQUEST' all mean meeting_request."""
    if isinstance(value, str):
        return re.sub(r"[\s\-]+", "_", value.strip().lower())
    return value


def _words(value: object) -> str:
    return str(getattr(value, "value", value)).replace("_", " ")


class RuleCondition(BaseModel):
    """What must hold for a rule to fire: every condition that is set (None = not checked)."""

    model_config = ConfigDict(extra="forbid")

    intent_in: list[Intent] | None = Field(
        default=None, description="The latest reply's intent is one of these."
    )
    min_purchase_interest: PurchaseInterest | None = Field(
        default=None, description="The highest purchase interest shown is at least this."
    )
    min_bant_met: int | None = Field(
        default=None, ge=0, le=4, description="At least this many of the 4 BANT are met."
    )
    fit_in: list[FitLevel] | None = Field(default=None, description="The ICP fit is one of these.")
    no_reply_after_last_follow_up: bool | None = None
    bounced: bool | None = None
    opted_out: bool | None = None
    email_invalid: bool | None = None
    unanswered_question: bool | None = Field(
        default=None, description="The lead asked something the product FAQ does not cover."
    )
    injection_only: bool | None = Field(
        default=None,
        description="The latest reply held nothing but an attempt to instruct the agent.",
    )
    content_held: bool | None = Field(
        default=None,
        description="An email the agent wrote failed the content check before sending "
        "(set by the message writer, not matched against conversation facts).",
    )
    language_not_written: bool | None = Field(
        default=None,
        description="The lead writes in a language the agent's engine does not write in.",
    )
    confidence_below: float | None = Field(
        default=None,
        ge=0,
        le=1,
        description="The reader's confidence in the latest reply is below this threshold.",
    )

    @field_validator("intent_in", "fit_in", mode="before")
    @classmethod
    def _enum_lists(cls, value: object) -> object:
        if value is None:
            return None
        items = [value] if isinstance(value, str) else value
        if isinstance(items, list | tuple):
            if not items:
                raise ValueError("list at least one value, or remove the condition")
            return list(dict.fromkeys(_enum_key(v) for v in items))
        return value

    @field_validator("min_purchase_interest", mode="before")
    @classmethod
    def _interest(cls, value: object) -> object:
        return _enum_key(value)

    @model_validator(mode="after")
    def _something_to_check(self) -> RuleCondition:
        if all(getattr(self, name) is None for name in type(self).model_fields):
            raise ValueError(
                "the rule has no condition and would match every lead; set at least one of "
                + ", ".join(type(self).model_fields)
            )
        return self


class HandoffRule(BaseModel):
    """One hand-off rule: when its conditions hold, the lead goes to `target`."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_\-]*$", max_length=64)
    description: str
    target: HandoffTarget
    when: RuleCondition

    @field_validator("target", mode="before")
    @classmethod
    def _target(cls, value: object) -> object:
        return _enum_key(value)


class ConversationFacts(BaseModel):
    """What the rules know about a conversation (computed, never the lead's raw text)."""

    latest_intent: Intent | None = None
    purchase_interest: PurchaseInterest = Field(
        default=PurchaseInterest.NONE, description="The highest over the conversation."
    )
    bant: Bant = Field(default_factory=Bant, description="Accumulated over the conversation.")
    fit_level: FitLevel | None = Field(default=None, description="None = not researched.")
    follow_ups_exhausted_without_reply: bool = False
    bounced: bool = False
    opted_out: bool = False
    email_invalid: bool = False
    unanswered_question: bool = Field(
        default=False, description="The latest reply asks what the product FAQ cannot answer."
    )
    injection_suspected: bool = Field(
        default=False, description="Informational: no rule condition can test it."
    )
    # Testable, unlike the flag above, because it can only keep the lead from the seller:
    # a reply that is nothing but an attempt to steer the agent goes to a supervisor.
    injection_only: bool = Field(
        default=False, description="The latest reply held nothing but an injection attempt."
    )
    reading_confidence: float | None = Field(
        default=None, ge=0, le=1, description="How sure the reader is of the latest reply."
    )
    language_not_written: bool = Field(
        default=False,
        description="The latest reply is in a language the engine does not write (the "
        "offline engine writes English): a seller answers rather than the agent in English.",
    )

    @model_validator(mode="after")
    def _intent_implies_state(self) -> ConversationFacts:
        # An unsubscribe reply is an opt-out and a bounce notice is a bounce, whoever
        # built the facts: the rules must not depend on the caller remembering it.
        if self.latest_intent is Intent.UNSUBSCRIBE:
            self.opted_out = True
        if self.latest_intent is Intent.BOUNCE:
            self.bounced = True
        return self


class HandoffDecision(BaseModel):
    """The rule that fired and why, in words a supervisor reads."""

    rule_id: str
    description: str
    target: HandoffTarget
    matched: list[str] = Field(description="Each condition that held, explained.")
    condition: RuleCondition

    @computed_field  # type: ignore[prop-decorator]
    @property
    def explanation(self) -> str:
        """The matched conditions in one line, e.g. 'purchase interest medium ≥ medium; ...'."""
        return "; ".join(self.matched)


def _rank(interest: PurchaseInterest) -> int:
    return INTEREST_ORDER.index(PurchaseInterest(interest))


def _flag(name: str, wanted: bool, actual: bool) -> str | None:
    texts = {
        "no_reply_after_last_follow_up": "no reply after the last follow-up",
        "bounced": "the email bounced",
        "opted_out": "the lead opted out",
        "email_invalid": "the email address is invalid or missing",
        "unanswered_question": "a question the product FAQ does not answer",
        "injection_only": "the reply only tried to instruct the agent",
        "language_not_written": "the lead writes in a language the agent does not write",
        "content_held": "an email was held by the content check",
    }
    if wanted != actual:
        return None
    return texts[name] if wanted else f"not: {texts[name]}"


def _match(when: RuleCondition, facts: ConversationFacts) -> list[str] | None:
    """Explanations of every set condition, or None as soon as one fails."""
    said: list[str] = []
    if when.intent_in is not None:
        if facts.latest_intent not in when.intent_in:
            return None
        listed = ", ".join(_words(i) for i in when.intent_in)
        extra = f" (one of: {listed})" if len(when.intent_in) > 1 else ""
        said.append(f"latest intent {_words(facts.latest_intent)}{extra}")
    if when.min_purchase_interest is not None:
        if _rank(facts.purchase_interest) < _rank(when.min_purchase_interest):
            return None
        said.append(
            f"purchase interest {_words(facts.purchase_interest)} ≥ "
            f"{_words(when.min_purchase_interest)}"
        )
    if when.min_bant_met is not None:
        met = facts.bant.met_count()
        if met < when.min_bant_met:
            return None
        said.append(f"{met} of 4 BANT met ≥ {when.min_bant_met}")
    if when.confidence_below is not None:
        confidence = facts.reading_confidence
        if confidence is None or confidence >= when.confidence_below:
            return None
        said.append(f"reading confidence {confidence:.2f} < {when.confidence_below:.2f}")
    if when.fit_in is not None:
        if facts.fit_level is None or facts.fit_level not in when.fit_in:
            return None
        said.append(f"ICP fit {_words(facts.fit_level)}")
    flags = {
        "no_reply_after_last_follow_up": facts.follow_ups_exhausted_without_reply,
        "bounced": facts.bounced,
        "opted_out": facts.opted_out,
        "email_invalid": facts.email_invalid,
        "unanswered_question": facts.unanswered_question,
        "injection_only": facts.injection_only,
        "language_not_written": facts.language_not_written,
        # Decided by the message writer on the email it wrote, never by conversation facts:
        # an admin rule naming it cannot fire here.
        "content_held": False,
    }
    for name, actual in flags.items():
        wanted = getattr(when, name)
        if wanted is None:
            continue
        text = _flag(name, wanted, actual)
        if text is None:
            return None
        said.append(text)
    return said


def evaluate_handoff(
    facts: ConversationFacts, rules: Iterable[HandoffRule]
) -> HandoffDecision | None:
    """The first rule whose conditions all hold, or None: keep the conversation going."""
    for rule in rules:
        matched = _match(rule.when, facts)
        if matched is not None:
            return HandoffDecision(
                rule_id=rule.id,
                description=rule.description,
                target=rule.target,
                matched=matched,
                condition=rule.when,
            )
    return None


def _rule(rule_id: str, description: str, target: HandoffTarget, **when: object) -> HandoffRule:
    return HandoffRule(
        id=rule_id,
        description=description,
        target=target,
        when=RuleCondition.model_validate(when),
    )


_SELLER, _SUPERVISOR = HandoffTarget.SELLER, HandoffTarget.SUPERVISOR

DEFAULT_HANDOFF_RULES: tuple[HandoffRule, ...] = (
    _rule(
        "meeting_request", "The lead asked for a meeting", _SELLER, intent_in=["meeting_request"]
    ),
    _rule("opted_out", "The lead opted out", _SUPERVISOR, opted_out=True),
    _rule("bounced", "The email bounced", _SUPERVISOR, bounced=True),
    _rule(
        "suspicious_reply",
        "The reply only tried to instruct the agent",
        _SUPERVISOR,
        injection_only=True,
    ),
    _rule(
        "not_interested", "The lead is not interested", _SUPERVISOR, intent_in=["not_interested"]
    ),
    _rule(
        "qualified_interest",
        "Purchase interest at least medium and at least 3 of 4 BANT met",
        _SELLER,
        min_purchase_interest="medium",
        min_bant_met=3,
    ),
    _rule(
        "referral",
        "The lead referred the agent to someone else",
        _SELLER,
        intent_in=["wrong_person"],
    ),
    _rule(
        "unanswered_question",
        "The lead asked something only the seller can answer",
        _SELLER,
        unanswered_question=True,
    ),
    _rule(
        "unclear_reply",
        "The agent could not tell what the lead means",
        _SELLER,
        intent_in=["unclear"],
    ),
    _rule(
        "low_confidence",
        "The agent is not sure what the lead means",
        _SELLER,
        confidence_below=0.5,
    ),
    _rule(
        "language_not_written",
        "The lead writes in a language the agent does not write",
        _SELLER,
        language_not_written=True,
    ),
    _rule("no_icp_match", "The lead does not match the ICP", _SUPERVISOR, fit_in=["none"]),
    _rule(
        "no_reply_after_follow_ups",
        "No reply after the last follow-up",
        _SUPERVISOR,
        no_reply_after_last_follow_up=True,
    ),
    _rule("email_invalid", "The email address is invalid or missing", _SELLER, email_invalid=True),
)


def default_handoff_rules() -> list[HandoffRule]:
    """Fresh copies of the default rules (callers may edit them)."""
    return [rule.model_copy(deep=True) for rule in DEFAULT_HANDOFF_RULES]


# -- facts from the conversation -----------------------------------------------------------


def _flat(text: str) -> str:
    return " ".join(text.split()).lower()


def _said_in(evidence: str | None, bodies: list[str]) -> bool:
    """True if the quote is in one of these emails (or is no quote: the job title)."""
    if not evidence or evidence.startswith("Job title:"):
        return bool(evidence)
    return any(_flat(evidence) in _flat(body) for body in bodies)


def _genuine_quote(evidence: str | None, body: str, injected: list[str]) -> bool:
    """True if the quote is the lead's own words: in the reply, outside the `injected`
    sentences (already flattened and lowercased)."""
    if not _said_in(evidence, [body]):
        return False
    return not any(_flat(evidence or "") in sentence for sentence in injected)


def facts_from_conversation(
    turns: list[ConversationTurn],
    *,
    fit_level: FitLevel | None,
    follow_ups_exhausted_without_reply: bool = False,
    do_not_email: bool = False,
    email_invalid: bool = False,
    unanswered_question: bool = False,
    written_languages: tuple[str, ...] | None = None,
    judged_turns: int = 0,
) -> ConversationFacts:
    """The rules' input from the readings of the lead's replies, after the first
    `judged_turns` turns (those a seller judged before returning the lead to the agent:
    they do not hand it off again).

    Purchase interest is the highest shown; each BANT dimension keeps its latest
    verdict that is not "unknown" (a later "no budget after all" overrides an earlier
    "budget approved"). A reply with an injection attempt counts like any other: the
    reader has already left the injected sentences out of its interest and BANT.
    `written_languages`: the languages the engine writes (None: any).
    """
    read = [t for t in sorted(turns[judged_turns:], key=lambda t: t.at) if t.reading is not None]
    # A reading weighs the whole conversation, so it may carry BANT shown in turns the
    # seller already judged: after a return, only what the lead says in new turns counts.
    new_words = [t.body for t in read] if judged_turns else None
    readings = [t.reading for t in read if t.reading is not None]
    interest = PurchaseInterest.NONE
    bant = Bant()
    opted_out = do_not_email
    for turn in read:
        reading = turn.reading
        assert reading is not None
        opted_out = opted_out or reading.intent is Intent.UNSUBSCRIBE
        items = {name: getattr(reading.bant, name) for name in _BANT_NAMES}
        shown = reading.purchase_interest
        if new_words is not None:
            items = {n: i for n, i in items.items() if _said_in(i.evidence, new_words)}
        if reading.injection_suspected:
            # Trust only what the lead wrote outside the injected sentences: a reader that
            # was talked into "budget approved" quotes words that are not there.
            injected = [" ".join(t.split()).lower() for t in injected_text(turn.body)]
            items = {
                n: i for n, i in items.items() if _genuine_quote(i.evidence, turn.body, injected)
            }
            if not any(i.verdict is BantVerdict.MET for i in items.values()):
                shown = PurchaseInterest.NONE
        if _rank(shown) > _rank(interest):
            interest = shown
        for name, item in items.items():
            if item.verdict is not BantVerdict.UNKNOWN:
                setattr(bant, name, item.model_copy())
    latest = readings[-1] if readings else None
    return ConversationFacts(
        latest_intent=latest.intent if latest else None,
        purchase_interest=interest,
        bant=bant,
        fit_level=fit_level,
        follow_ups_exhausted_without_reply=follow_ups_exhausted_without_reply,
        bounced=bool(latest and latest.intent is Intent.BOUNCE),
        opted_out=opted_out,
        email_invalid=email_invalid,
        unanswered_question=unanswered_question,
        injection_suspected=any(r.injection_suspected for r in readings),
        injection_only=bool(latest and latest.injection_only),
        reading_confidence=latest.confidence if latest else None,
        language_not_written=bool(
            written_languages is not None
            and latest is not None
            and latest.language
            and latest.language not in written_languages
        ),
    )


# -- summary and next step -----------------------------------------------------------------

_QUOTE_HEADER = re.compile(r"^on .{0,200} wrote:\s*$", re.IGNORECASE)


def _gist(text: str, limit: int) -> str:
    """The first words of an email body, without quoted history or signature."""
    kept: list[str] = []
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith(">") or _QUOTE_HEADER.match(stripped):
            break
        if stripped in {"--", "-- "}:
            break
        if stripped:
            kept.append(stripped)
    words = " ".join(" ".join(kept).split())
    return words if len(words) <= limit else words[: limit - 1].rstrip() + "…"


def _turn_line(turn: ConversationTurn) -> str:
    day = f"{turn.at:%Y-%m-%d}"
    if turn.direction == "outbound":
        kind = _words(turn.kind) if turn.kind else "email"
        return f"{day} Agent ({kind}): {_gist(turn.subject or turn.body, 90)}"
    reading = turn.reading
    label = _words(reading.intent) if reading else "reply"
    text = reading.summary if reading and reading.summary else turn.body
    return f"{day} Lead ({label}): {_gist(text, 110)}"


def summarize_conversation(turns: list[ConversationTurn], max_chars: int = 600) -> str:
    """A short readable summary: one dated line per email, then the latest intent.

    When it does not fit in `max_chars`, the oldest emails are left out first (the
    count is said), because the end of a conversation matters most for a hand-off.
    """
    if not turns:
        return "No emails exchanged yet."
    ordered = sorted(turns, key=lambda t: t.at)
    inbound = [t for t in ordered if t.direction == "inbound"]
    head = (
        f"{len(ordered)} emails from {ordered[0].at:%Y-%m-%d} to {ordered[-1].at:%Y-%m-%d}, "
        f"{len(inbound)} from the lead."
    )
    latest = next((t.reading for t in reversed(inbound) if t.reading is not None), None)
    tail = (
        f"Latest intent: {_words(latest.intent)}; purchase interest "
        f"{_words(latest.purchase_interest)}."
        if latest
        else "The lead has not replied."
    )
    lines = [_turn_line(t) for t in ordered]
    dropped = 0
    while True:
        skipped = f"({dropped} earlier email{'s' if dropped > 1 else ''} not shown)"
        middle = ([skipped] if dropped else []) + lines[dropped:]
        text = "\n".join([head, *middle, tail])
        if len(text) <= max_chars or dropped >= len(lines) - 1:
            break
        dropped += 1
    return text if len(text) <= max_chars else text[: max(0, max_chars - 1)].rstrip() + "…"


def suggest_next_step(decision: HandoffDecision, facts: ConversationFacts) -> str:
    """What the seller or supervisor should do next, from the rule that fired."""
    when = decision.condition
    if decision.target is HandoffTarget.SELLER:
        if when.content_held:
            return (
                "Review the held email: remove what the content check marked, then send it "
                "yourself or restart the agent"
            )
        if when.email_invalid:
            return "Fix the email address, then restart the agent on this lead"
        if when.intent_in and Intent.MEETING_REQUEST in when.intent_in:
            return "Book the meeting the lead asked for"
        missing = [
            name for name in _BANT_NAMES if getattr(facts.bant, name).verdict is not BantVerdict.MET
        ]
        ask = f"; still to confirm: {', '.join(missing)}" if missing else ""
        return f"Call the lead to confirm the opportunity{ask}"
    review = "Review and approve the disqualification"
    if when.opted_out or facts.opted_out:
        return f"{review}; the lead opted out, do not contact them again"
    if when.bounced or facts.bounced:
        return f"{review}, or find a working email address for the lead"
    if when.no_reply_after_last_follow_up:
        return f"{review}, or try the lead on another channel"
    if when.fit_in:
        return f"{review}, or reject it if the ICP judgement missed something"
    return review
