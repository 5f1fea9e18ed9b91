"""Buying signals in a lead's replies, by kind, read from the reply reader's output.

A signal comes from the reading's structure (a meeting request, BANT met with the lead's own
words) or from the meaning of a question: the product FAQ entry it matches names its kind
(pricing, trial, integrations, ...), and a short cue list per kind covers what no FAQ entry
has (competitors, case studies, urgency). A competitor named anywhere in the lead's own text
is a comparison, whichever product is sold: the names come from its profile.
"""

from __future__ import annotations

import re
from datetime import datetime
from enum import StrEnum
from functools import cache

from pydantic import BaseModel, Field

from core.reply_reading import BantVerdict, Intent, ReplyReading
from graphs.knowledge.product_faq import ProductFaq, kind_topics
from graphs.knowledge.product_profile import ProductProfile


class SignalKind(StrEnum):
    """The seven kinds of buying signal Dynamics 365's agent reads."""

    PRICING = "pricing"
    BUDGET_OR_APPROVAL = "budget_or_approval"
    FEATURES = "features"
    COMPETITOR_COMPARISON = "competitor_comparison"
    DEMO_OR_TRIAL = "demo_or_trial"
    URGENCY_OR_TIMELINE = "urgency_or_timeline"
    CASE_STUDIES_OR_ROI = "case_studies_or_roi"


# What the seller reads: "asked about pricing 3 days ago".
SIGNAL_WORDS: dict[SignalKind, str] = {
    SignalKind.PRICING: "asked about pricing",
    SignalKind.BUDGET_OR_APPROVAL: "spoke of budget or approval",
    SignalKind.FEATURES: "asked about features or use cases",
    SignalKind.COMPETITOR_COMPARISON: "compared us with a competitor",
    SignalKind.DEMO_OR_TRIAL: "asked for a demo, trial or meeting",
    SignalKind.URGENCY_OR_TIMELINE: "gave a timeline",
    SignalKind.CASE_STUDIES_OR_ROI: "asked for case studies or ROI",
}

# A FAQ entry's kind says what a question matching it is about.
_FAQ_KIND_SIGNALS: dict[str, SignalKind] = {
    "pricing": SignalKind.PRICING,
    "trial": SignalKind.DEMO_OR_TRIAL,
    "integrations": SignalKind.FEATURES,
    "implementation": SignalKind.FEATURES,
    "security": SignalKind.FEATURES,
    "contract": SignalKind.BUDGET_OR_APPROVAL,
}

# The kinds no FAQ kind covers, a few words each (English, German, French, Spanish,
# Portuguese). Matched at a word start, case-insensitively.
_CUES: dict[SignalKind, tuple[str, ...]] = {
    SignalKind.COMPETITOR_COMPARISON: (
        "compare",
        "comparison",
        "compared to",
        "versus",
        "vs",
        "alternative to",
        "better than",
        "differ from",
        "difference between",
        "vergleich",
        "unterschied",
        "comparer",
        "comparaison",
        "différence",
        "comparar",
        "comparación",
        "comparação",
        "diferencia",
        "diferença",
    ),
    SignalKind.CASE_STUDIES_OR_ROI: (
        "case stud",
        "customer stor",
        "success stor",
        "reference",
        "roi",
        "return on",
        "payback",
        "savings",
        "customers like",
        "fallstud",
        "referenz",
        "kundenbeispiel",
        "étude de cas",
        "retour sur investissement",
        "caso de éxito",
        "casos de éxito",
        "caso de sucesso",
        "retorno",
    ),
    SignalKind.URGENCY_OR_TIMELINE: (
        "how soon",
        "how quickly",
        "how fast",
        "by when",
        "asap",
        "urgent",
        "deadline",
        "this quarter",
        "next quarter",
        "go live",
        "go-live",
        "wie schnell",
        "bis wann",
        "dringend",
        "zeitplan",
        "rapidement",
        "délai",
        "urgente",
        "plazo",
        "prazo",
    ),
    SignalKind.BUDGET_OR_APPROVAL: (
        "budget",
        "approval",
        "approve",
        "sign off",
        "sign-off",
        "procurement",
        "purchase order",
        "genehmig",
        "freigabe",
        "budgetär",
        "approbation",
        "presupuesto",
        "aprobación",
        "orçamento",
        "aprovação",
    ),
    SignalKind.FEATURES: (
        "feature",
        "use case",
        "functionality",
        "capabilit",
        "work with",
        "funktion",
        "fonctionnalit",
        "funcionalidad",
        "funcionalidade",
    ),
    SignalKind.DEMO_OR_TRIAL: kind_topics("trial"),
    SignalKind.PRICING: kind_topics("pricing"),
}


@cache
def _pattern(words: tuple[str, ...]) -> re.Pattern[str]:
    # Short words whole (so "vs" never fires inside "canvas"); longer ones at a word start.
    alternatives = sorted(
        (rf"{re.escape(w.lower())}\b" if len(w) <= 4 else re.escape(w.lower()) for w in words),
        key=len,
        reverse=True,
    )
    return re.compile(rf"\b(?:{'|'.join(alternatives)})")


class BuyingSignal(BaseModel):
    """One buying signal: its kind, when the lead sent it, and the words it rests on."""

    kind: SignalKind
    at: datetime
    evidence: str = Field(default="", description="The question or quote it was read from.")
    message_id: str | None = Field(default=None, description="The reply it came from.")


def question_kinds(question: str, faq: ProductFaq | None = None) -> list[SignalKind]:
    """The kinds of buying signal a question shows: its FAQ entry's kind first, then cues."""
    kinds: list[SignalKind] = []
    entry = faq.match(question) if faq is not None else None
    if entry is not None and entry.kind in _FAQ_KIND_SIGNALS:
        kinds.append(_FAQ_KIND_SIGNALS[entry.kind])
    lowered = question.lower()
    for kind, words in _CUES.items():
        if kind not in kinds and _pattern(words).search(lowered):
            kinds.append(kind)
    return kinds


def signals_from_reading(
    reading: ReplyReading,
    *,
    at: datetime,
    own_text: str = "",
    message_id: str | None = None,
    faq: ProductFaq | None = None,
    profile: ProductProfile | None = None,
) -> list[BuyingSignal]:
    """The buying signals of one read reply, one per kind (the first evidence kept).

    `own_text` is the lead's reply body (for competitor names); a reading whose reply
    tried to instruct the agent and held nothing else gives none.
    """
    if reading.injection_only or reading.intent in (
        Intent.UNSUBSCRIBE,
        Intent.NOT_INTERESTED,
        Intent.BOUNCE,
        Intent.OUT_OF_OFFICE,
    ):
        return []
    found: dict[SignalKind, str] = {}

    def add(kind: SignalKind, evidence: str) -> None:
        found.setdefault(kind, evidence)

    if reading.intent is Intent.MEETING_REQUEST:
        add(SignalKind.DEMO_OR_TRIAL, reading.summary or "asked for a meeting")
    if reading.bant.budget.verdict is BantVerdict.MET:
        add(SignalKind.BUDGET_OR_APPROVAL, reading.bant.budget.evidence or "")
    if reading.bant.timing.verdict is BantVerdict.MET:
        add(SignalKind.URGENCY_OR_TIMELINE, reading.bant.timing.evidence or "")
    for question in reading.questions:
        for kind in question_kinds(question, faq):
            add(kind, question)
    if profile is not None and profile.competitor_pattern is not None and own_text:
        named = profile.competitor_pattern.search(own_text)
        if named:
            add(SignalKind.COMPETITOR_COMPARISON, f"named {named.group(0)}")
    return [
        BuyingSignal(kind=kind, at=at, evidence=evidence, message_id=message_id)
        for kind, evidence in found.items()
    ]
