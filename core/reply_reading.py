"""What the reply reader says about a lead's email: intent, purchase interest and BANT."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from pydantic import BaseModel, Field


class Intent(StrEnum):
    """What the lead means by the reply."""

    INTERESTED = "interested"
    QUESTION = "question"
    MEETING_REQUEST = "meeting_request"
    NOT_NOW = "not_now"
    NOT_INTERESTED = "not_interested"
    UNSUBSCRIBE = "unsubscribe"
    OUT_OF_OFFICE = "out_of_office"
    WRONG_PERSON = "wrong_person"
    BOUNCE = "bounce"
    # A human reply whose meaning cannot be told: a seller reads it; the agent sends nothing.
    UNCLEAR = "unclear"


class PurchaseInterest(StrEnum):
    """How much buying interest the lead's emails show."""

    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"
    NONE = "none"


INTEREST_ORDER = [
    PurchaseInterest.NONE,
    PurchaseInterest.LOW,
    PurchaseInterest.MEDIUM,
    PurchaseInterest.HIGH,
]


class BantVerdict(StrEnum):
    """One BANT dimension's state."""

    MET = "met"
    NOT_MET = "not_met"
    UNKNOWN = "unknown"


class BantItem(BaseModel):
    """One BANT dimension with the lead's own words as evidence."""

    verdict: BantVerdict = BantVerdict.UNKNOWN
    evidence: str | None = Field(
        default=None, description="A verbatim quote from the reply (or the job title)."
    )


class Bant(BaseModel):
    """Budget, authority, need, timing."""

    budget: BantItem = Field(default_factory=BantItem)
    authority: BantItem = Field(default_factory=BantItem)
    need: BantItem = Field(default_factory=BantItem)
    timing: BantItem = Field(default_factory=BantItem)

    def met_count(self) -> int:
        """How many of the four dimensions are met."""
        return sum(
            item.verdict == BantVerdict.MET
            for item in (self.budget, self.authority, self.need, self.timing)
        )


class ReferredPerson(BaseModel):
    """Someone the lead pointed the agent to."""

    name: str | None = None
    email: str | None = None
    job_title: str | None = None


class ReplyReading(BaseModel):
    """The reply reader's output for one inbound email."""

    intent: Intent
    purchase_interest: PurchaseInterest = PurchaseInterest.NONE
    bant: Bant = Field(default_factory=Bant)
    questions: list[str] = Field(default_factory=list, description="Questions the lead asked.")
    return_date: date | None = Field(default=None, description="Out-of-office return date.")
    check_in_date: date | None = Field(default=None, description="'Not now, try in March'.")
    referral: ReferredPerson | None = None
    injection_suspected: bool = Field(
        default=False, description="The reply tries to instruct the agent; ignored for hand-off."
    )
    injection_only: bool = Field(
        default=False,
        description="Nothing is left to read once the attempt to instruct the agent is removed.",
    )
    language: str | None = Field(
        default=None,
        description="ISO 639-1 code of the lead's own text (en, de, fr, es, pt); None: no text.",
    )
    summary: str = Field(default="", description="One line for the supervisor.")
    engine: str = "offline"
    confidence: float = Field(
        default=1.0,
        ge=0,
        le=1,
        description="How sure the reader is of the intent; below the admin's threshold "
        "(hand-off rule low_confidence) a seller reads the reply and the agent sends nothing.",
    )
