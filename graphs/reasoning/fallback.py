"""An engine that asks a primary engine (the LLM) and falls back to another (offline) on failure.

Each fallback leaves a note a graph node can copy into its output (`take_notes`), and
outputs made by the fallback carry the fallback's engine name, so the insights page
says which engine wrote what.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, TypeVar

from core.conversation import ConversationTurn, MessageKind
from core.findings import AccountDigest, CompanyFacts, LeadResearch, OutreachDraft
from core.icp_profile import FreeTextCriterion, IndustryCriterion, JobTitleCriterion
from core.icp_verdicts import CriterionVerdict, IcpAssessment
from core.reply_reading import ReplyReading
from graphs.reasoning.base import EngineError, ReasoningEngine
from graphs.reasoning.circuit_breaker import CircuitBreaker
from graphs.reasoning.time_budget import budget_spent
from tools.web_search.results import WebResult

_T = TypeVar("_T")
_Stamped = TypeVar("_Stamped", AccountDigest, OutreachDraft, ReplyReading)


class FallbackEngine:
    """The primary engine's answer when it has one, else the fallback's, with a note."""

    def __init__(
        self,
        primary: ReasoningEngine,
        fallback: ReasoningEngine,
        *,
        breaker: CircuitBreaker | None = None,
    ) -> None:
        """`breaker`: when it is open, the primary is not asked (default: a private one).

        An open breaker spares a batch the primary's timeouts and retries on every lead
        while its endpoint is down; it lets one call probe the endpoint after a cool-down.
        """
        self.primary = primary
        self.fallback = fallback
        self.breaker = breaker or CircuitBreaker()
        self.name = f"{primary.name} (fallback {fallback.name})"
        # Per thread: leads researched side by side each keep their own notes.
        self._local = threading.local()

    @property
    def failures_in_a_row(self) -> int:
        """The primary's failures since its last answer."""
        return self.breaker.failures_in_a_row

    @property
    def notes(self) -> list[str]:
        """This thread's fallback notes since they were last taken."""
        if not hasattr(self._local, "notes"):
            self._local.notes = []
        return self._local.notes

    def take_notes(self) -> list[str]:
        """This thread's fallback notes gathered so far, clearing them."""
        notes = self.notes
        self._local.notes = []
        return notes

    def digest_account(self, company_name: str, pages: list[WebResult]) -> AccountDigest:
        """Overview, finances, news and firmographic facts from web pages."""
        return self._call(
            "digest_account",
            lambda: self.primary.digest_account(company_name, pages),
            lambda: self._stamp(self.fallback.digest_account(company_name, pages)),
        )

    def summarize_lead(self, research: LeadResearch) -> str:
        """A short lead summary for the About lead section."""
        return self._call(
            "summarize_lead",
            lambda: self.primary.summarize_lead(research),
            lambda: self.fallback.summarize_lead(research),
        )

    def judge_free_text(
        self, criterion: FreeTextCriterion, company: CompanyFacts, digest: AccountDigest | None
    ) -> CriterionVerdict:
        """Judge a free-text ICP criterion (products, technologies) with evidence."""
        return self._call(
            "judge_free_text",
            lambda: self.primary.judge_free_text(criterion, company, digest),
            lambda: self.fallback.judge_free_text(criterion, company, digest),
        )

    def judge_label(
        self, criterion: IndustryCriterion | JobTitleCriterion, label: str, source: str | None
    ) -> CriterionVerdict | None:
        """An industry or job title the rules could not place; the rules' unknown on failure."""
        return self._call(
            "judge_label",
            lambda: self.primary.judge_label(criterion, label, source),
            lambda: self.fallback.judge_label(criterion, label, source),
        )

    def write_outreach(
        self, research: LeadResearch, icp: IcpAssessment, sender_name: str
    ) -> OutreachDraft:
        """Draft a first outreach email grounded in the research."""
        return self._call(
            "write_outreach",
            lambda: self.primary.write_outreach(research, icp, sender_name),
            lambda: self._stamp(self.fallback.write_outreach(research, icp, sender_name)),
        )

    def read_reply(
        self,
        reply_text: str,
        conversation: list[ConversationTurn],
        research: LeadResearch,
        *,
        headers: dict[str, Any] | None = None,
        product: str | None = None,
    ) -> ReplyReading:
        """Intent, purchase interest and BANT (with quotes) of the lead's latest reply."""
        return self._call(
            "read_reply",
            lambda: self.primary.read_reply(
                reply_text, conversation, research, headers=headers, product=product
            ),
            lambda: self._stamp(
                self.fallback.read_reply(
                    reply_text, conversation, research, headers=headers, product=product
                )
            ),
        )

    def write_message(
        self,
        kind: MessageKind,
        research: LeadResearch,
        conversation: list[ConversationTurn],
        sender_name: str,
    ) -> OutreachDraft:
        """A follow-up, an answer to the lead's questions, or a check-in, in the thread."""
        return self._call(
            "write_message",
            lambda: self.primary.write_message(kind, research, conversation, sender_name),
            lambda: self._stamp(
                self.fallback.write_message(kind, research, conversation, sender_name)
            ),
        )

    def _call(self, task: str, primary: Callable[[], _T], fallback: Callable[[], _T]) -> _T:
        spent = budget_spent()
        if spent is not None:
            result = fallback()
            self._note(
                f"{self.primary.name} skipped on {task}: the lead's {spent:g} s for the model "
                f"were spent; used the {self.fallback.name} engine"
            )
            return result
        if not self.breaker.allows():
            result = fallback()
            self._note(
                f"{self.primary.name} skipped on {task} after {self.failures_in_a_row} "
                f"failures in a row (circuit open); used the {self.fallback.name} engine"
            )
            return result
        try:
            result = primary()
        except EngineError as exc:
            self.breaker.failed()
            # Run the fallback first: if it fails too, its error is the one to raise.
            result = fallback()
            self._note(
                f"{self.primary.name} failed on {task} ({exc}); "
                f"used the {self.fallback.name} engine"
            )
            return result
        self.breaker.succeeded()
        return result

    def _stamp(self, output: _Stamped) -> _Stamped:
        """The output labelled with the fallback's name, whatever the fallback wrote there."""
        return output.model_copy(update={"engine": self.fallback.name})

    def _note(self, note: str) -> None:
        self.notes.append(note)
