"""The ideal customer profile (ICP): typed criteria an admin defines, and the fit rule.

Each criterion is a must-have or a nice-to-have. The YAML an admin edits is this
model dumped as YAML (see `prompts/../README` "ICP file").
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator


class Importance(StrEnum):
    """How much a criterion weighs in the fit."""

    MUST_HAVE = "must_have"
    NICE_TO_HAVE = "nice_to_have"


class Seniority(StrEnum):
    """Job title seniority levels, highest first."""

    C_LEVEL = "c_level"
    VP = "vp"
    DIRECTOR = "director"
    HEAD = "head"
    MANAGER = "manager"
    INDIVIDUAL = "individual"


class _Criterion(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str | None = Field(default=None, description="Stable id; defaults to the kind.")
    label: str | None = Field(default=None, description="How the insights page names it.")
    importance: Importance = Importance.MUST_HAVE


class IndustryCriterion(_Criterion):
    """The company's industry is one of a list (synonyms count)."""

    kind: Literal["industry"] = "industry"
    industries: list[str] = Field(min_length=1)


class EmployeeRangeCriterion(_Criterion):
    """Number of employees within [min, max] (either bound optional)."""

    kind: Literal["employees"] = "employees"
    min: int | None = Field(default=None, ge=0)
    max: int | None = Field(default=None, ge=0)

    @model_validator(mode="after")
    def _bounds(self) -> EmployeeRangeCriterion:
        if self.min is None and self.max is None:
            raise ValueError("set min, max or both")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"min ({self.min}) is greater than max ({self.max})")
        return self


class RevenueRangeCriterion(_Criterion):
    """Annual revenue in US dollars within [min, max]."""

    kind: Literal["revenue"] = "revenue"
    min: float | None = Field(default=None, ge=0)
    max: float | None = Field(default=None, ge=0)

    @model_validator(mode="after")
    def _bounds(self) -> RevenueRangeCriterion:
        if self.min is None and self.max is None:
            raise ValueError("set min, max or both")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"min ({self.min}) is greater than max ({self.max})")
        return self


class GeographyCriterion(_Criterion):
    """The company (or lead) is in one of these countries or regions."""

    kind: Literal["geography"] = "geography"
    countries: list[str] = Field(default_factory=list)
    regions: list[str] = Field(
        default_factory=list, description="e.g. Europe, North America, APAC, EMEA, LATAM."
    )

    @model_validator(mode="after")
    def _some_place(self) -> GeographyCriterion:
        if not self.countries and not self.regions:
            raise ValueError("list at least one country or region")
        return self


class JobTitleCriterion(_Criterion):
    """The lead's job title has one of these seniorities and/or departments."""

    kind: Literal["job_title"] = "job_title"
    seniority: list[Seniority] = Field(default_factory=list)
    departments: list[str] = Field(
        default_factory=list, description="e.g. it, engineering, operations, finance, sales."
    )

    @model_validator(mode="after")
    def _something(self) -> JobTitleCriterion:
        if not self.seniority and not self.departments:
            raise ValueError("list at least one seniority or department")
        return self


class FreeTextCriterion(_Criterion):
    """Anything else, judged from the company's web pages: products, technologies."""

    kind: Literal["free_text"] = "free_text"
    description: str = Field(min_length=3)
    keywords: list[str] = Field(default_factory=list, description="Words that show it is met.")


IcpCriterion = Annotated[
    IndustryCriterion
    | EmployeeRangeCriterion
    | RevenueRangeCriterion
    | GeographyCriterion
    | JobTitleCriterion
    | FreeTextCriterion,
    Field(discriminator="kind"),
]


class FitRule(BaseModel):
    """How per-criterion verdicts become a fit level.

    Score = weighted share of criteria met (met 1, partly met 0.5, not met and unknown 0;
    must-haves weigh `must_have_weight`, nice-to-haves 1).
    - none:  any must-have is not met, or score < close_min_score;
    - exact: every must-have is met and score >= exact_min_score;
    - close: everything else.
    A must-have that is unknown blocks exact unless `unknown_must_have_blocks_exact` is false.
    """

    model_config = ConfigDict(extra="forbid")

    exact_min_score: float = Field(default=0.7, ge=0, le=1)
    close_min_score: float = Field(default=0.5, ge=0, le=1)
    must_have_weight: float = Field(default=2.0, gt=0)
    unknown_must_have_blocks_exact: bool = True

    @model_validator(mode="after")
    def _ordered(self) -> FitRule:
        if self.close_min_score > self.exact_min_score:
            raise ValueError("close_min_score must not exceed exact_min_score")
        return self


class IcpProfile(BaseModel):
    """The admin's ideal customer profile."""

    model_config = ConfigDict(extra="forbid")

    name: str = "Ideal customer profile"
    criteria: list[IcpCriterion] = Field(min_length=1)
    fit_rule: FitRule = Field(default_factory=FitRule)

    @model_validator(mode="after")
    def _unique_ids(self) -> IcpProfile:
        seen: set[str] = set()
        for criterion in self.criteria:
            if criterion.id is None:
                criterion.id = criterion.kind
            if criterion.id in seen:
                raise ValueError(f"two criteria share the id {criterion.id!r}; give each an id")
            seen.add(criterion.id)
        return self
