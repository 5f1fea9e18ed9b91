"""The eval datasets' schemas (one per suite) and the result of running one case.

A dataset is JSONL, one case a line: {"id", "source", "tags", "input", "expected",
"notes"}. Inputs and expectations are strict (unknown fields are refused), so a typo in
a dataset is reported instead of silently leaving a field unscored.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from core.findings import EmailType
from core.icp_profile import IcpProfile
from core.icp_verdicts import FitLevel, Verdict
from core.reply_reading import BantVerdict, Intent, PurchaseInterest
from graphs.engage.handoff_rules import ConversationFacts

SuiteName = Literal["icp", "industries", "titles", "email", "replies", "handoff", "journeys"]
SUITE_NAMES: tuple[SuiteName, ...] = (
    "icp",
    "industries",
    "titles",
    "email",
    "replies",
    "handoff",
    "journeys",
)
BantName = Literal["budget", "authority", "need", "timing"]
Target = Literal["seller", "supervisor"]
Language = Literal["en", "de", "fr", "es", "pt"]
# The test splits label replies nobody can read as `unclear`, an intent the reader does not
# give yet: such a case counts as missed until it does, never skipped.
ExpectedIntent = Intent | Literal["unclear"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


# -- icp ---------------------------------------------------------------------------------


class IcpLead(_Strict):
    """The lead's CRM fields the ICP judge reads."""

    job_title: str | None = None
    country: str | None = None
    company_name: str | None = None


class IcpCompany(_Strict):
    """The account's firmographics: numbers, or strings as a CRM holds them ("200-500").

    A revenue with no currency sign is in `currency`, or else in the ICP's currency.
    """

    name: str | None = None
    industry: str | None = None
    employees: int | str | None = Field(default=None)
    annual_revenue: float | str | None = Field(default=None)
    currency: str | None = None
    country: str | None = None
    products: list[str] = Field(default_factory=list)
    description: str | None = None


class IcpInput(_Strict):
    """A lead and its company, judged against an ICP (None: the default ICP)."""

    lead: IcpLead
    company: IcpCompany
    icp: IcpProfile | None = None


class IcpExpected(_Strict):
    """The fit level and the verdicts of the criteria the case is about."""

    fit_level: FitLevel
    verdicts: dict[str, Verdict] = Field(default_factory=dict)


# -- industries --------------------------------------------------------------------------


class IndustryInput(_Strict):
    """An industry label as a CRM account holds it."""

    label: str = Field(min_length=1)
    language: Literal["en", "de", "fr", "es", "pt"] | None = None


class IndustryExpected(_Strict):
    """The ISIC Rev. 4 node the label belongs to: a section, division or group code."""

    isic: str = Field(pattern=r"^(?:[A-U]|\d{2}|\d{3})$")


# -- titles ------------------------------------------------------------------------------

TitleLevel = Literal["c_suite", "vp", "director", "manager", "other"]


class TitleInput(_Strict):
    """A job title as a lead's CRM record holds it."""

    title: str = Field(min_length=1)
    language: Literal["en", "de", "fr", "es", "pt"] | None = None


class TitleExpected(_Strict):
    """The title's level (the five levels title lists use) and its function (None: none)."""

    level: TitleLevel
    department: str | None = None


# -- email -------------------------------------------------------------------------------


class EmailInput(_Strict):
    """One address as a lead typed it (None: no email)."""

    email: str | None


class EmailExpected(_Strict):
    """Validity and type; the type of an invalid address is 'unknown'."""

    is_valid: bool
    email_type: EmailType

    @model_validator(mode="after")
    def _invalid_is_unknown(self) -> EmailExpected:
        if not self.is_valid and self.email_type != "unknown":
            raise ValueError(
                f"an invalid address has email_type 'unknown', not {self.email_type!r}"
            )
        return self


# -- replies -----------------------------------------------------------------------------


class Outreach(_Strict):
    """The agent's email the reply answers."""

    subject: str
    body: str


class ReplyInput(_Strict):
    """A reply as received, with the outreach it answers, for one seller's product."""

    product: str = Field(
        default="northwind", description="The product FAQ: graphs/knowledge/faq/<product>.yaml."
    )
    reply: str
    outreach: Outreach
    job_title: str | None = None
    received_on: datetime
    headers: dict[str, Any] = Field(default_factory=dict)


class ExpectedBant(_Strict):
    """One BANT dimension: its verdict and the lead's words (a substring of the reply)."""

    verdict: BantVerdict
    evidence: str | None = None


class ReplyExpected(_Strict):
    """Intent, purchase interest and the BANT dimensions the case is about."""

    intent: ExpectedIntent
    language: Language | None = None
    purchase_interest: PurchaseInterest
    bant: dict[BantName, ExpectedBant] = Field(default_factory=dict)
    return_date: date | None = None
    check_in_date: date | None = None
    referral_email: str | None = None
    injection: bool | None = None


# -- handoff -----------------------------------------------------------------------------


class ReplyHandoffInput(ReplyInput):
    """End to end: the lead's first reply is read, then the rules decide."""

    fit_level: FitLevel


class HandoffInput(_Strict):
    """What the hand-off rules see: the facts of a conversation, or a reply to read first."""

    facts: ConversationFacts | None = None
    reply: ReplyHandoffInput | None = None

    @model_validator(mode="before")
    @classmethod
    def _reply_fields_at_top(cls, data: Any) -> Any:
        # The end-to-end cases give the reply's fields at the top of `input`.
        if isinstance(data, dict) and isinstance(data.get("reply"), str):
            return {"reply": data}
        return data

    @model_validator(mode="after")
    def _one_of(self) -> HandoffInput:
        if (self.facts is None) == (self.reply is None):
            raise ValueError("give either `facts` or a reply to read (`reply`, `outreach`, ...)")
        return self


class HandoffExpected(_Strict):
    """The rule that should fire and its target; both None: keep talking."""

    target: Target | None
    rule: str | None
    intent: ExpectedIntent | None = Field(default=None, description="End to end only.")
    language: Language | None = None

    @model_validator(mode="after")
    def _both_or_neither(self) -> HandoffExpected:
        if (self.target is None) != (self.rule is None):
            raise ValueError("set both target and rule, or both to null (keep talking)")
        return self


# -- journeys ----------------------------------------------------------------------------


class JourneyLead(_Strict):
    """The lead the agent engages."""

    first_name: str | None = None
    last_name: str | None = None
    job_title: str | None = None
    email: str | None = None
    company_name: str | None = None
    country: str | None = None
    time_zone: str | None = None


class JourneyAccount(_Strict):
    """The lead's account in the CRM."""

    name: str
    domain: str | None = None
    industry: str | None = None
    number_of_employees: int | None = Field(default=None, ge=0)
    annual_revenue: float | None = Field(default=None, ge=0)
    country: str | None = None


class ScriptedReply(_Strict):
    """The lead's reply, `after_days` after the agent's previous email."""

    after_days: float = Field(ge=0)
    text: str
    headers: dict[str, Any] = Field(default_factory=dict)


class JourneyInput(_Strict):
    """A lead, its account and the replies it will send."""

    lead: JourneyLead
    account: JourneyAccount | None = None
    replies: list[ScriptedReply] = Field(default_factory=list)


class JourneyExpected(_Strict):
    """How the journey ends: the hand-off (None: still talking after 30 days)."""

    target: Target | None
    rule: str | None
    emails_sent: int | None = Field(default=None, ge=0)

    @model_validator(mode="after")
    def _both_or_neither(self) -> JourneyExpected:
        if (self.target is None) != (self.rule is None):
            raise ValueError("set both target and rule, or both to null (no hand-off)")
        return self


# -- cases -------------------------------------------------------------------------------


class EvalCase(BaseModel):
    """One line of a dataset, before its suite's schema is applied."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(min_length=1)
    source: str = Field(min_length=1, description="Where the case came from.")
    tags: list[str] = Field(default_factory=list)
    input: Any
    expected: Any
    notes: str | None = None


class IcpCase(EvalCase):
    """An icp case."""

    input: IcpInput
    expected: IcpExpected


class IndustryCase(EvalCase):
    """An industries case."""

    input: IndustryInput
    expected: IndustryExpected


class TitleCase(EvalCase):
    """A titles case."""

    input: TitleInput
    expected: TitleExpected


class EmailCase(EvalCase):
    """An email case."""

    input: EmailInput
    expected: EmailExpected


def _squash(text: str) -> str:
    return " ".join(text.split()).lower()


class ReplyCase(EvalCase):
    """A replies case; BANT evidence must be the lead's words, found in the reply."""

    input: ReplyInput
    expected: ReplyExpected

    @model_validator(mode="after")
    def _evidence_in_reply(self) -> ReplyCase:
        reply = _squash(self.input.reply)
        for name, item in self.expected.bant.items():
            if item.evidence and _squash(item.evidence) not in reply:
                raise ValueError(
                    f"expected.bant.{name}.evidence {item.evidence!r} is not in the reply; "
                    "copy the lead's words verbatim"
                )
        return self


class HandoffCase(EvalCase):
    """A handoff case."""

    input: HandoffInput
    expected: HandoffExpected


class JourneyCase(EvalCase):
    """A journeys case."""

    input: JourneyInput
    expected: JourneyExpected


CASE_MODELS: dict[str, type[EvalCase]] = {
    "icp": IcpCase,
    "industries": IndustryCase,
    "titles": TitleCase,
    "email": EmailCase,
    "replies": ReplyCase,
    "handoff": HandoffCase,
    "journeys": JourneyCase,
}


# -- results -----------------------------------------------------------------------------


class FieldCheck(BaseModel):
    """One scored field of a case: what was expected, what came out, whether they match."""

    expected: Any = None
    got: Any = None
    match: bool


class SpanPair(BaseModel):
    """An expected evidence quote and the one the engine gave (None: none given)."""

    name: str
    expected: str
    got: str | None = None


class CaseResult(BaseModel):
    """One case run: the headline judgement, per-field checks, cost and time."""

    id: str
    suite: str
    tags: list[str] = Field(default_factory=list)
    expected: dict[str, Any] = Field(default_factory=dict)
    got: dict[str, Any] = Field(default_factory=dict)
    passed: bool = False
    label_expected: str | None = Field(
        default=None, description="The headline class expected (confusion matrix row)."
    )
    label_got: str | None = Field(default=None, description="The headline class given.")
    fields: dict[str, FieldCheck] = Field(default_factory=dict)
    spans: list[SpanPair] = Field(default_factory=list)
    score: float | None = Field(default=None, description="A confidence score, when any.")
    latency_ms: float = 0.0
    tokens_in: int = 0
    tokens_out: int = 0
    cost_usd: float | None = None
    llm_calls: int = 0
    cached_calls: int = 0
    error: str | None = None
