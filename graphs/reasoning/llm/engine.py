"""The LLM reasoning engine: ChatOpenAI (any OpenAI-compatible endpoint) with structured output.

Each method renders its prompt file (`prompts/llm_*.md`) with fenced inputs
(`prompt_inputs`), asks the model for a small LLM-facing pydantic model (`schemas`,
through `calls`), then converts it to the contract model (`outputs`, `reply_outputs`).
The conversion is where rules dispose: citations must be pages or sources we supplied,
facts without a cited page are dropped, and only three news items are kept.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.rate_limiters import BaseRateLimiter

from core.clock import utc_now
from core.conversation import ConversationTurn, MessageKind
from core.findings import AccountDigest, CompanyFacts, LeadResearch, OutreachDraft
from core.icp_profile import FreeTextCriterion, IndustryCriterion, JobTitleCriterion
from core.icp_verdicts import CriterionVerdict, IcpAssessment, Verdict
from core.reply_reading import ReplyReading
from graphs.icp.scoring import criterion_label, criterion_text
from graphs.knowledge.product_catalog import product_profile
from graphs.knowledge.product_profile import product_text
from graphs.knowledge.source_answers import answers_for
from graphs.reasoning.llm.calls import StructuredCalls, StructuredMethod
from graphs.reasoning.llm.outputs import (
    NO_FINANCES,
    digest_from_llm,
    draft_from_llm,
    thread_subject,
    verdict_from_llm,
)
from graphs.reasoning.llm.prompt_inputs import (
    MESSAGE_KINDS,
    clean,
    conversation_text,
    data_text,
    fence_page,
    research_text,
)
from graphs.reasoning.llm.reply_outputs import reading_from_llm
from graphs.reasoning.llm.schemas import (
    LlmCriterionJudgement,
    LlmDigest,
    LlmLeadSummary,
    LlmOutreach,
    LlmReplyReading,
)
from graphs.reasoning.llm.sources import allowed_sources, unique
from graphs.reply_reader.language import LANGUAGE_NAMES
from graphs.reply_reader.reader import received_on_of
from graphs.reply_reader.segmentation import clean_reply
from prompts.registry import Prompt, load_prompt
from tools.web_search.results import WebResult


class LlmEngine:
    """Reasoning engine backed by a chat model on an OpenAI-compatible endpoint."""

    def __init__(
        self,
        model: str,
        *,
        api_key: str,
        base_url: str | None,
        timeout_s: float = 30.0,
        max_retries: int = 2,
        chat_model: BaseChatModel | None = None,
        method: StructuredMethod = "json_schema",
        max_page_chars: int = 6000,
        prompt_loader: Callable[[str], Prompt] = load_prompt,
        product: str | None = None,
        rate_limiter: BaseRateLimiter | None = None,
    ) -> None:
        """`prompt_loader` maps a prompt name to the version in use (default: the files);
        `product` is the product sold (default: the QUALIFY_PRODUCT setting);
        `rate_limiter` paces requests (shared by every engine on the same endpoint)."""
        self.model = model
        self.product = product
        self.name = f"llm:{model}"
        self.max_page_chars = max_page_chars
        self._calls = StructuredCalls(
            model,
            api_key=api_key,
            base_url=base_url,
            timeout_s=timeout_s,
            max_retries=max_retries,
            chat_model=chat_model,
            method=method,
            rate_limiter=rate_limiter,
        )
        self._prompt = prompt_loader

    @property
    def base_url(self) -> str | None:
        """The endpoint (None: the OpenAI API)."""
        return self._calls.base_url

    @property
    def method(self) -> StructuredMethod:
        """How the model is asked for structured output."""
        return self._calls.method

    @property
    def usage(self) -> dict[str, int]:
        """Tokens in, tokens out and calls so far, over all of this engine's calls."""
        return self._calls.usage

    @property
    def last_usage(self) -> dict[str, Any]:
        """Task, model and tokens of the latest call ({} before the first)."""
        return self._calls.last_usage

    def chat_model(self) -> BaseChatModel:
        """The chat model, built on first use unless one was injected."""
        return self._calls.chat_model()

    # -- the protocol ---------------------------------------------------------------

    def digest_account(self, company_name: str, pages: list[WebResult]) -> AccountDigest:
        """Overview, finances, news and firmographic facts from web pages."""
        page_urls = unique([page.url for page in pages])
        if not pages:
            # Nothing to read: asking the model would only invite invention.
            return AccountDigest(
                company_name=company_name,
                business_overview=f"No web pages about {company_name} were found.",
                finances=NO_FINANCES,
                facts=CompanyFacts(name=company_name),
                engine=self.name,
            )
        prompt = self._prompt("llm_digest_account").render(
            company_name=clean(company_name),
            today=utc_now().date().isoformat(),
            page_urls=", ".join(page_urls),
            pages="\n\n".join(
                fence_page(i, page, self.max_page_chars) for i, page in enumerate(pages, 1)
            ),
        )
        out = self._calls.ask("digest_account", prompt, LlmDigest)
        return digest_from_llm(company_name, page_urls, out, engine=self.name)

    def summarize_lead(self, research: LeadResearch) -> str:
        """A 2-3 sentence lead summary from the CRM fields."""
        prompt = self._prompt("llm_summarize_lead").render(
            lead=data_text(research.lead), company=data_text(research.company)
        )
        return self._calls.ask("summarize_lead", prompt, LlmLeadSummary).summary.strip()

    def judge_free_text(
        self, criterion: FreeTextCriterion, company: CompanyFacts, digest: AccountDigest | None
    ) -> CriterionVerdict:
        """Judge a free-text ICP criterion, quoting the evidence and naming its source."""
        allowed = allowed_sources(company, digest)
        prompt = self._prompt("llm_judge_free_text").render(
            criterion=clean(criterion.description),
            keywords=", ".join(clean(k) for k in criterion.keywords) or "(none given)",
            company=data_text(company),
            research=research_text(digest),
            allowed_sources=", ".join(allowed) or "(none)",
        )
        out = self._calls.ask("judge_free_text", prompt, LlmCriterionJudgement)
        seen = f"{data_text(company)}\n{research_text(digest)}"
        return verdict_from_llm(
            criterion, out, allowed, seen, label=criterion.label or criterion.description
        )

    def judge_label(
        self, criterion: IndustryCriterion | JobTitleCriterion, label: str, source: str | None
    ) -> CriterionVerdict | None:
        """An industry or job title the rules could not place, judged by the model."""
        what = "industry" if isinstance(criterion, IndustryCriterion) else "job title"
        prompt = self._prompt("llm_judge_label").render(
            criterion=clean(criterion_text(criterion)),
            label_name=what,
            label_name_tag=what.replace(" ", "_"),
            label=clean(label),
        )
        out = self._calls.ask("judge_label", prompt, LlmCriterionJudgement)
        verdict = verdict_from_llm(
            criterion, out, [source] if source else [], label, label=criterion_label(criterion)
        )
        kept = source if verdict.verdict is not Verdict.UNKNOWN else None
        return verdict.model_copy(update={"source": kept})

    def write_outreach(
        self, research: LeadResearch, icp: IcpAssessment, sender_name: str
    ) -> OutreachDraft:
        """Draft a first outreach email whose personal claims cite the research."""
        allowed = allowed_sources(research.company, research.digest)
        lead = research.lead.model_dump(
            mode="json", include={"full_name", "job_title", "company_name", "city", "country"}
        )
        lead["topic_of_interest"] = research.lead.topic
        prompt = self._prompt("llm_write_outreach").render(
            sender_name=clean(sender_name),
            product=product_text(product_profile(self.product)),
            lead=data_text(lead),
            company=data_text(research.company),
            research=research_text(research.digest),
            fit=f"{icp.fit_level.value} ({icp.recommendation})",
            allowed_sources=", ".join(allowed) or "(none)",
        )
        out = self._calls.ask("write_outreach", prompt, LlmOutreach)
        return draft_from_llm(out, allowed, sender_name, engine=self.name)

    def read_reply(
        self,
        reply_text: str,
        conversation: list[ConversationTurn],
        research: LeadResearch,
        *,
        headers: dict[str, Any] | None = None,
        product: str | None = None,
    ) -> ReplyReading:
        """Intent, purchase interest and BANT of the lead's latest reply.

        The model reads the reply fenced as untrusted data; code then keeps only evidence
        quoted verbatim from the reply (outside any injected instructions) and applies the
        rules that do not depend on judgement (see `reading_from_llm`).
        """
        received_on = received_on_of(conversation, utc_now())
        # The reply itself may already be the last (unread) turn; the model sees it once.
        earlier = [t for t in conversation if t.reading is not None or t.direction == "outbound"]
        text = clean_reply(reply_text).text or reply_text.strip()
        lead = research.lead
        prompt = self._prompt("llm_read_reply").render(
            today=received_on.date().isoformat(),
            product=product_text(product_profile(product or self.product)),
            lead=data_text(
                {
                    "job_title": lead.job_title,
                    "company_name": lead.company_name,
                    "topic": lead.topic,
                }
            ),
            conversation=conversation_text(earlier),
            reply=clean(text[: self.max_page_chars]),
        )
        out = self._calls.ask("read_reply", prompt, LlmReplyReading)
        return reading_from_llm(
            out,
            reply_text,
            received_on=received_on,
            job_title=lead.job_title,
            conversation=conversation,
            engine=self.name,
            headers=headers,
        )

    def _faq_answers(self, questions: list[str]) -> str:
        """Each question with the FAQ answer the agent may give, the document passage to quote
        and cite, or a note that none fits."""
        answers = answers_for(self.product, questions)
        faq = dict(answers.from_faq)
        sourced = {a.question: a for a in answers.from_sources}
        lines = []
        for question in questions:
            if question in faq:
                lines.append(f"- {clean(question)}\n  FAQ answer: {faq[question].answer}")
            elif question in sourced:
                found = sourced[question]
                lines.append(
                    f"- {clean(question)}\n  Document passage (quote it briefly, then a line "
                    f'"Source: {found.hit.citation}"): {clean(found.quote)}'
                )
            else:
                lines.append(
                    f"- {clean(question)}\n  FAQ answer: (no FAQ answer: say you will check "
                    "with the team)"
                )
        return "\n".join(lines) or "(none)"

    def write_message(
        self,
        kind: MessageKind,
        research: LeadResearch,
        conversation: list[ConversationTurn],
        sender_name: str,
    ) -> OutreachDraft:
        """A follow-up, an answer to the lead's questions, or a check-in, in the thread."""
        allowed = allowed_sources(research.company, research.digest)
        lead = research.lead.model_dump(
            mode="json", include={"full_name", "job_title", "company_name", "city", "country"}
        )
        lead["topic_of_interest"] = research.lead.topic
        latest = next((t for t in reversed(conversation) if t.direction == "inbound"), None)
        reading = latest.reading if latest else None
        questions = list(reading.questions) if reading else []
        language = (reading.language if reading else None) or "en"
        prompt = self._prompt("llm_write_message").render(
            sender_name=clean(sender_name),
            kind=kind,
            kind_instructions=MESSAGE_KINDS[kind],
            language=LANGUAGE_NAMES.get(language, "English"),
            product=product_text(product_profile(self.product)),
            faq_answers=self._faq_answers(questions),
            lead=data_text(lead),
            company=data_text(research.company),
            research=research_text(research.digest),
            conversation=conversation_text(conversation),
            allowed_sources=", ".join(allowed) or "(none)",
        )
        out = self._calls.ask("write_message", prompt, LlmOutreach)
        draft = draft_from_llm(out, allowed, sender_name, engine=self.name)
        subject = thread_subject(conversation)
        return draft.model_copy(update={"subject": subject}) if subject else draft
