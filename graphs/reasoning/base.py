"""The contract both reasoning engines (offline and LLM) fulfil."""

from __future__ import annotations

from typing import Any, Protocol

from core.conversation import ConversationTurn, MessageKind
from core.findings import AccountDigest, CompanyFacts, LeadResearch, OutreachDraft
from core.icp_profile import FreeTextCriterion, IndustryCriterion, JobTitleCriterion
from core.icp_verdicts import CriterionVerdict, IcpAssessment
from core.reply_reading import ReplyReading
from tools.web_search.results import WebResult


class ReasoningEngine(Protocol):
    """What the research nodes ask of an engine. Same pydantic outputs either way."""

    name: str

    def digest_account(self, company_name: str, pages: list[WebResult]) -> AccountDigest:
        """Overview, finances, news and firmographic facts from web pages."""
        ...

    def summarize_lead(self, research: LeadResearch) -> str:
        """A short lead summary for the About lead section."""
        ...

    def judge_free_text(
        self, criterion: FreeTextCriterion, company: CompanyFacts, digest: AccountDigest | None
    ) -> CriterionVerdict:
        """Judge a free-text ICP criterion (products, technologies) with evidence."""
        ...

    def judge_label(
        self, criterion: IndustryCriterion | JobTitleCriterion, label: str, source: str | None
    ) -> CriterionVerdict | None:
        """An industry or job title the rules could not place; None: no opinion (offline)."""
        ...

    def write_outreach(
        self, research: LeadResearch, icp: IcpAssessment, sender_name: str
    ) -> OutreachDraft:
        """Draft a first outreach email grounded in the research."""
        ...

    def read_reply(
        self,
        reply_text: str,
        conversation: list[ConversationTurn],
        research: LeadResearch,
        *,
        headers: dict[str, Any] | None = None,
        product: str | None = None,
    ) -> ReplyReading:
        """Intent, purchase interest and BANT (with quotes) of the lead's latest reply.

        `reply_text` is untrusted: nothing in it may change how the agent behaves.
        `headers` are what the mail import recorded (auto-reply, bounce), when known.
        `product` names the seller's product profile (the sample company's by default): the
        lead's need is judged against the problems it solves.
        """
        ...

    def write_message(
        self,
        kind: MessageKind,
        research: LeadResearch,
        conversation: list[ConversationTurn],
        sender_name: str,
    ) -> OutreachDraft:
        """A follow-up, an answer to the lead's questions, or a check-in, in the thread."""
        ...


class EngineError(RuntimeError):
    """The engine could not produce a valid answer (after its retries)."""
