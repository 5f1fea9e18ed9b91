"""The ideal customer profile (ICP): typed criteria an admin defines, and the fit rule.

Each criterion is a must-have or a nice-to-have. The YAML an admin edits is this
model dumped as YAML (see `prompts/../README` "ICP file").
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from core.exchange_rates import currency_code


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


_TOLERANCE = Field(
    default=0.0,
    ge=0,
    le=1,
    description="A value outside a bound by at most this share of it is partly met (0: strict).",
)


class EmployeeRangeCriterion(_Criterion):
    """Number of employees within [min, max] (either bound optional)."""

    kind: Literal["employees"] = "employees"
    min: int | None = Field(default=None, ge=0)
    max: int | None = Field(default=None, ge=0)
    tolerance: float = _TOLERANCE

    @model_validator(mode="after")
    def _bounds(self) -> EmployeeRangeCriterion:
        if self.min is None and self.max is None:
            raise ValueError("set min, max or both")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"min ({self.min}) is greater than max ({self.max})")
        return self


class RevenueRangeCriterion(_Criterion):
    """Annual revenue within [min, max], in `currency` (the ICP's currency when left out)."""

    kind: Literal["revenue"] = "revenue"
    min: float | None = Field(default=None, ge=0)
    max: float | None = Field(default=None, ge=0)
    tolerance: float = _TOLERANCE
    currency: str | None = Field(default=None, description="ISO 4217 code; None: the ICP's.")
    exchange_rates: dict[str, float] = Field(
        default_factory=dict,
        description="Rates for currencies the ECB does not publish: 1 unit = this many of "
        "`currency` (the ICP's `exchange_rates` when left out).",
    )

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
    transcontinental: dict[str, str] = Field(
        default_factory=dict,
        description="Country -> the region it counts as, for countries on two continents "
        "(e.g. Turkey: Europe); without it the UN geoscheme decides.",
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
    currency: str = Field(default="USD", description="ISO 4217 code revenue bounds are written in.")
    exchange_rates: dict[str, float] = Field(
        default_factory=dict,
        description="For currencies the ECB does not publish (COP, CLP, ARS, AED, ...): how "
        "many units of `currency` one unit is worth, e.g. {COP: 0.00025}. Say in a comment "
        "when you took them.",
    )
    criteria: list[IcpCriterion] = Field(min_length=1)
    fit_rule: FitRule = Field(default_factory=FitRule)

    @field_validator("exchange_rates")
    @classmethod
    def _positive_rates(cls, value: dict[str, float]) -> dict[str, float]:
        bad = [code for code, rate in value.items() if not rate > 0]
        if bad:
            raise ValueError(f"exchange_rates for {', '.join(bad)} must be positive numbers")
        return {code.strip().upper(): rate for code, rate in value.items()}

    @field_validator("currency")
    @classmethod
    def _known_currency(cls, value: str) -> str:
        return currency_code(value)

    @model_validator(mode="after")
    def _unique_ids(self) -> IcpProfile:
        seen: set[str] = set()
        for criterion in self.criteria:
            if isinstance(criterion, RevenueRangeCriterion) and criterion.currency is None:
                criterion.currency = self.currency
                criterion.exchange_rates = {**self.exchange_rates, **criterion.exchange_rates}
            if criterion.id is None:
                criterion.id = criterion.kind
            if criterion.id in seen:
                raise ValueError(f"two criteria share the id {criterion.id!r}; give each an id")
            seen.add(criterion.id)
        return self
