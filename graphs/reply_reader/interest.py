"""Purchase interest of a reply, from its intent and the kinds of buying signal in it.

Seven kinds of buying signal (pricing and availability; budget and approval; features and
use cases; competitor comparisons; demo or trial; urgency and timeline; success stories
and ROI). Interest is none for bounce, opt-out, out of office, wrong person, not
interested and a reply nobody can read (unclear); low for not now; high for a meeting,
demo or pricing ask together with a timeline (or three kinds of signal, or a meeting plus
two); medium for a meeting request, a question about the product, any signal or explicit
interest; low otherwise (a vague positive).
"""

from __future__ import annotations

import re

from core.reply_reading import Bant, BantVerdict, Intent, PurchaseInterest
from graphs.reply_reader.sentences import Sentence, any_of, in_any_sentence

# A reply with one of these intents shows no purchase interest.
NEGATIVE_INTENTS = frozenset(
    {
        Intent.BOUNCE,
        Intent.UNSUBSCRIBE,
        Intent.OUT_OF_OFFICE,
        Intent.NOT_INTERESTED,
        Intent.WRONG_PERSON,
        Intent.UNCLEAR,
    }
)

_SIGNALS: dict[str, re.Pattern[str]] = {
    "pricing": any_of(
        r"\bpric(?:e|es|ing)\b",
        r"\bcosts?\b",
        r"\bquote\b",
        r"\bhow much\b",
        r"\blicen[cs]e (?:fee|cost)",
        r"\b(?:plans|tiers|rates)\b",
        r"\bavailability\b",
        r"\blead time\b",
    ),
    "budget": any_of(
        r"\bbudget",
        r"\bapprov(?:al|ed)\b",
        r"\bprocurement\b",
        r"\bpurchase order\b",
        r"\bsign-?off\b",
    ),
    "features": any_of(
        r"\bintegrat",
        r"\bdo(?:es)? (?:it|you) (?:support|work|handle|offer)",
        r"\bfeatures?\b",
        r"\b(?:api|sso|sap|salesforce|erp|crm)\b",
        r"\bworks? with\b",
        r"\buse cases?\b",
        r"\bcompatib",
        r"\bcapabilit",
    ),
    "competitors": any_of(
        r"\bcompared? (?:to|with)\b",
        r"\bvs\.?\b",
        r"\bversus\b",
        r"\bcurrently (?:use|using|on)\b",
        r"\bswitch(?:ing)? from\b",
        r"\balternative to\b",
        r"\bcompetitor",
        r"\bdifferent from\b",
    ),
    "demo": any_of(
        r"\bdemo\b",
        r"\btrial\b",
        r"\bpilot\b",
        r"\bproof of concept\b",
        r"\bpoc\b",
        r"\bsandbox\b",
        r"\bwalk ?through\b",
        r"\btest drive\b",
    ),
    "urgency": any_of(
        r"\basap\b",
        r"\bas soon as possible\b",
        r"\burgent",
        r"\bthis (?:quarter|month|week)\b",
        r"\bnext (?:month|quarter|few weeks)\b",
        r"\bby (?:the )?(?:end of )?(?:january|february|march|april|may|june|july|august|"
        r"september|october|november|december|q[1-4]|year[- ]end|the end of)\b",
        r"\bwithin (?:the next )?(?:\d+|a|one|two|three|four|six) (?:days?|weeks?|months?)\b",
        r"\bin the next (?:\d+|few|two|three) (?:weeks|months)\b",
        r"\bdeadline\b",
        r"\bgo-?live\b",
        r"\bimmediately\b",
    ),
    "roi": any_of(
        r"\broi\b",
        r"\breturn on investment\b",
        r"\bcase stud",
        r"\breferences?\b",
        r"\bcustomers like\b",
        r"\bsuccess stor",
        r"\bpayback\b",
        r"\bsavings?\b",
        r"\bbusiness case\b",
    ),
}

# Asking about price, in English (other languages: `cues/<lang>.yaml`, act `pricing`).
PRICING = _SIGNALS["pricing"]


def buying_signals(sentences: list[Sentence]) -> set[str]:
    """The kinds of buying signal in `sentences`."""
    return {
        kind
        for kind, pattern in _SIGNALS.items()
        if in_any_sentence(pattern, sentences, negatable=True)
    }


def interest_level(
    intent: Intent,
    kinds: set[str],
    bant: Bant,
    explicit_interest: bool,
    commits: bool = False,
    asks_about_product: bool = False,
) -> PurchaseInterest:
    """How keen the lead is to buy (see the module docstring); `commits`: she asks to buy or
    to start a trial or pilot, which is high interest; `asks_about_product`: a question
    about the product or the offer (not about who is writing)."""
    if intent in NEGATIVE_INTENTS:
        return PurchaseInterest.NONE
    if intent == Intent.NOT_NOW:
        return PurchaseInterest.LOW
    if commits:
        return PurchaseInterest.HIGH
    timeline = "urgency" in kinds or bant.timing.verdict == BantVerdict.MET
    strong = intent == Intent.MEETING_REQUEST or bool(kinds & {"demo", "pricing"})
    if (
        (strong and timeline)
        or len(kinds) >= 3
        or (intent == Intent.MEETING_REQUEST and len(kinds) >= 2)
    ):
        return PurchaseInterest.HIGH
    if intent == Intent.MEETING_REQUEST or asks_about_product or kinds or explicit_interest:
        # A question about the product or the offer is clear interest, in any language.
        return PurchaseInterest.MEDIUM
    return PurchaseInterest.LOW
