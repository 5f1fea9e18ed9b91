"""What the ICP judge says: per-criterion verdicts and the overall fit."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, Field

from core.icp_profile import Importance


class Verdict(StrEnum):
    """How well one criterion is met."""

    MET = "met"
    PARTLY_MET = "partly_met"
    NOT_MET = "not_met"
    UNKNOWN = "unknown"


class FitLevel(StrEnum):
    """ICP fit, mapped to the seller-facing recommendation."""

    EXACT = "exact"
    CLOSE = "close"
    NONE = "none"


RECOMMENDATIONS: dict[FitLevel, str] = {
    FitLevel.EXACT: "Engage now",
    FitLevel.CLOSE: "Engage only after you've exhausted your best leads",
    FitLevel.NONE: "Do not engage",
}


class CriterionVerdict(BaseModel):
    """One criterion judged, with the evidence and where it came from."""

    criterion_id: str
    label: str
    importance: Importance
    verdict: Verdict
    evidence: str = Field(description="The fact the verdict rests on, or why it is unknown.")
    source: str | None = Field(
        default=None, description="e.g. 'CRM account.industry' or a web page URL."
    )


class IcpAssessment(BaseModel):
    """The ICP judge's output."""

    fit_level: FitLevel
    recommendation: str
    score: float = Field(ge=0, le=1)
    reason: str = Field(description="Why, in a sentence or two, for the Key insights section.")
    verdicts: list[CriterionVerdict]
    judged_against: str | None = Field(
        default=None,
        description="Fingerprint of the ICP judged against (`core.icp_fingerprint`); when "
        "the ICP in force has another, the fit is stale. None: judged before fits kept it.",
    )
