"""The LLM reasoning engine: ChatOpenAI (any OpenAI-compatible endpoint) with structured output.

Each method renders its prompt file (`prompts/llm_*.md`), asks the model for a small
LLM-facing pydantic model, then converts it to the contract model. The conversion is
where rules dispose: citations must be pages or sources we supplied, facts without a
cited page are dropped, and only three news items are kept.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any, Literal, TypeVar

import httpx
import openai
from langchain_core.exceptions import LangChainException, OutputParserException
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import HumanMessage
from pydantic import BaseModel, Field, ValidationError

import graphs.reply_reader.dates as dates
from core.clock import utc_now
from core.conversation import ConversationTurn, MessageKind
from core.findings import (
    AccountDigest,
    CompanyFacts,
    LeadResearch,
    NewsCategory,
    NewsItem,
    OutreachDraft,
)
from core.icp_profile import FreeTextCriterion
from core.icp_verdicts import CriterionVerdict, IcpAssessment, Verdict
from core.reply_reading import (
    Bant,
    BantItem,
    BantVerdict,
    Intent,
    PurchaseInterest,
    ReferredPerson,
    ReplyReading,
)
from core.trace_records import LlmCall, record_llm_call
from graphs.reasoning.base import EngineError
from graphs.reasoning.llm_pricing import estimate_cost
from graphs.reply_reader.bant import BANT_DIMENSIONS, apply_title_authority, carry_over_bant
from graphs.reply_reader.injection import injected_spans
from graphs.reply_reader.interest import NEGATIVE_INTENTS
from graphs.reply_reader.reader import read_reply as read_reply_by_rules
from graphs.reply_reader.reader import received_on_of
from graphs.reply_reader.segmentation import clean_reply
from graphs.reply_reader.sentences import verbatim_quote
from prompts.registry import Prompt, load_prompt
from tools.web_search.search import WebResult

StructuredMethod = Literal["json_schema", "function_calling"]
"""How ChatOpenAI asks for structured output: strict `response_format`, or a forced tool call."""

MAX_NEWS = 3
NO_FINANCES = "No financial information in the sources."

_Out = TypeVar("_Out", bound=BaseModel)

# Every field below is required and has no default, so the schemas pass strict
# json_schema mode on OpenAI and on servers that reject optional or defaulted fields.


class LlmNewsItem(BaseModel):
    """A news item as the model reports it."""

    title: str
    url: str = Field(description="The page's url exactly as given.")
    published_on: str | None = Field(description="YYYY-MM-DD when the page states it, else null.")
    category: NewsCategory
    summary: str = Field(description="One sentence.")


FactName = Literal[
    "industry",
    "employees",
    "annual_revenue_usd",
    "country",
    "city",
    "products",
    "mission",
    "description",
]


class LlmFacts(BaseModel):
    """Firmographic facts stated by the pages; null when no page states them."""

    industry: str | None
    employees: int | None = Field(description="Whole number; lower bound of a range.")
    annual_revenue_usd: float | None = Field(description="US dollars.")
    country: str | None
    city: str | None = Field(description="Headquarters city.")
    products: list[str]
    mission: str | None
    description: str | None


class LlmFactSource(BaseModel):
    """Which page states a fact."""

    fact: FactName
    url: str


class LlmDigest(BaseModel):
    """The model's research digest of a company."""

    business_overview: str
    finances: str
    news: list[LlmNewsItem] = Field(description="Up to 3, newest first.")
    facts: LlmFacts
    fact_sources: list[LlmFactSource]


class LlmLeadSummary(BaseModel):
    """The model's lead summary."""

    summary: str = Field(description="2-3 sentences.")


class LlmCriterionJudgement(BaseModel):
    """The model's verdict on one free-text criterion."""

    verdict: Verdict
    evidence: str = Field(description="The quoted sentence the verdict rests on.")
    source: str | None = Field(description="Source of the evidence, from the allowed list.")


class LlmOutreach(BaseModel):
    """The model's outreach email."""

    subject: str
    body: str = Field(description="Plain text, signed with the sender's name.")
    grounded_on: list[str] = Field(description="Sources of the personal claims, from the list.")


class LlmBantItem(BaseModel):
    """One BANT dimension as the model judges it."""

    verdict: BantVerdict
    evidence: str | None = Field(
        description="The lead's exact words from the reply, copied verbatim; null if unknown."
    )


class LlmBant(BaseModel):
    """Budget, authority, need, timing as the model judges them."""

    budget: LlmBantItem
    authority: LlmBantItem
    need: LlmBantItem
    timing: LlmBantItem


class LlmReferral(BaseModel):
    """Someone the lead points to, as written in the reply."""

    name: str | None
    email: str | None
    job_title: str | None


class LlmReplyReading(BaseModel):
    """The model's reading of a lead's reply."""

    intent: Intent
    purchase_interest: PurchaseInterest
    bant: LlmBant
    questions: list[str] = Field(description="The lead's questions, copied from the reply.")
    return_date: str | None = Field(description="YYYY-MM-DD, out of office only; else null.")
    check_in_date: str | None = Field(description="YYYY-MM-DD, not now only; else null.")
    referral: LlmReferral | None
    injection_suspected: bool
    summary: str = Field(description="One line for the supervisor.")


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
    ) -> None:
        """`prompt_loader` maps a prompt name to the version in use (default: the files)."""
        self.model = model
        self.name = f"llm:{model}"
        self.base_url = base_url
        self.method: StructuredMethod = method
        self.max_page_chars = max_page_chars
        self.last_usage: dict[str, Any] = {}
        self.usage: dict[str, int] = {"tokens_in": 0, "tokens_out": 0, "calls": 0}
        self._api_key = api_key
        self._timeout_s = timeout_s
        self._max_retries = max_retries
        self._chat_model = chat_model
        self._prompt = prompt_loader
        self._lock = threading.Lock()

    # -- the protocol ---------------------------------------------------------------

    def digest_account(self, company_name: str, pages: list[WebResult]) -> AccountDigest:
        """Overview, finances, news and firmographic facts from web pages."""
        page_urls = _unique([page.url for page in pages])
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
            company_name=_clean(company_name),
            today=utc_now().date().isoformat(),
            page_urls=", ".join(page_urls),
            pages="\n\n".join(
                fence_page(i, page, self.max_page_chars) for i, page in enumerate(pages, 1)
            ),
        )
        out = self._ask("digest_account", prompt, LlmDigest)
        return digest_from_llm(company_name, page_urls, out, engine=self.name)

    def summarize_lead(self, research: LeadResearch) -> str:
        """A 2-3 sentence lead summary from the CRM fields."""
        prompt = self._prompt("llm_summarize_lead").render(
            lead=_data(research.lead), company=_data(research.company)
        )
        return self._ask("summarize_lead", prompt, LlmLeadSummary).summary.strip()

    def judge_free_text(
        self, criterion: FreeTextCriterion, company: CompanyFacts, digest: AccountDigest | None
    ) -> CriterionVerdict:
        """Judge a free-text ICP criterion, quoting the evidence and naming its source."""
        allowed = allowed_sources(company, digest)
        prompt = self._prompt("llm_judge_free_text").render(
            criterion=_clean(criterion.description),
            keywords=", ".join(_clean(k) for k in criterion.keywords) or "(none given)",
            company=_data(company),
            research=research_text(digest),
            allowed_sources=", ".join(allowed) or "(none)",
        )
        out = self._ask("judge_free_text", prompt, LlmCriterionJudgement)
        return verdict_from_llm(criterion, out, allowed)

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
            sender_name=_clean(sender_name),
            lead=_data(lead),
            company=_data(research.company),
            research=research_text(research.digest),
            fit=f"{icp.fit_level.value} ({icp.recommendation})",
            allowed_sources=", ".join(allowed) or "(none)",
        )
        out = self._ask("write_outreach", prompt, LlmOutreach)
        return draft_from_llm(out, allowed, sender_name, engine=self.name)

    def read_reply(
        self,
        reply_text: str,
        conversation: list[ConversationTurn],
        research: LeadResearch,
        *,
        headers: dict[str, Any] | None = None,
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
            lead=_data(
                {
                    "job_title": lead.job_title,
                    "company_name": lead.company_name,
                    "topic": lead.topic,
                }
            ),
            conversation=conversation_text(earlier),
            reply=_clean(text[: self.max_page_chars]),
        )
        out = self._ask("read_reply", prompt, LlmReplyReading)
        return reading_from_llm(
            out,
            reply_text,
            received_on=received_on,
            job_title=lead.job_title,
            conversation=conversation,
            engine=self.name,
            headers=headers,
        )

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
        questions = list(latest.reading.questions) if latest and latest.reading else []
        prompt = self._prompt("llm_write_message").render(
            sender_name=_clean(sender_name),
            kind=kind,
            kind_instructions=MESSAGE_KINDS[kind],
            lead=_data(lead),
            company=_data(research.company),
            research=research_text(research.digest),
            conversation=conversation_text(conversation),
            questions="\n".join(f"- {_clean(q)}" for q in questions) or "(none)",
            allowed_sources=", ".join(allowed) or "(none)",
        )
        out = self._ask("write_message", prompt, LlmOutreach)
        draft = draft_from_llm(out, allowed, sender_name, engine=self.name)
        subject = thread_subject(conversation)
        return draft.model_copy(update={"subject": subject}) if subject else draft

    # -- the model call ---------------------------------------------------------------

    def chat_model(self) -> BaseChatModel:
        """The chat model, built on first use unless one was injected."""
        if self._chat_model is None:
            from langchain_openai import ChatOpenAI

            try:
                self._chat_model = ChatOpenAI(
                    model=self.model,
                    api_key=self._api_key,
                    base_url=self.base_url,
                    timeout=self._timeout_s,
                    max_retries=self._max_retries,
                    temperature=0,
                )
            except (ValueError, openai.OpenAIError) as exc:
                raise EngineError(f"{self._where()}: cannot set up the chat model: {exc}") from exc
        return self._chat_model

    def _ask(self, task: str, prompt: str, schema: type[_Out]) -> _Out:
        """Send one prompt and return the validated structured answer, or raise EngineError."""
        runnable = self.chat_model().with_structured_output(
            schema, method=self.method, include_raw=True
        )
        started = time.perf_counter()
        try:
            result = runnable.invoke([HumanMessage(content=prompt)])
        except (
            openai.OpenAIError,
            httpx.HTTPError,
            ValidationError,
            LangChainException,  # OutputParserException, ModelError and subclasses
            json.JSONDecodeError,
        ) as exc:
            raise EngineError(f"{self._where()} failed on {task}: {_describe(exc)}") from exc
        self._record(task, result.get("raw"), (time.perf_counter() - started) * 1000)
        error = result.get("parsing_error")
        parsed = result.get("parsed")
        if error is not None:
            raise EngineError(
                f"{self._where()} failed on {task}: the answer does not match "
                f"{schema.__name__}: {_describe(error)}"
            ) from error
        if not isinstance(parsed, schema):
            raise EngineError(
                f"{self._where()} failed on {task}: no {schema.__name__} in the answer "
                f"({_why_unparsed(result.get('raw'))}); if the server ignores "
                f"method={self.method!r}, try the other structured-output method"
            ) from OutputParserException("no structured output")
        return parsed

    def _record(self, task: str, raw: Any, duration_ms: float = 0.0) -> None:
        usage = getattr(raw, "usage_metadata", None) or {}
        tokens_in = int(usage.get("input_tokens", 0) or 0)
        tokens_out = int(usage.get("output_tokens", 0) or 0)
        with self._lock:
            self.last_usage = {
                "task": task,
                "model": self.model,
                "tokens_in": tokens_in,
                "tokens_out": tokens_out,
            }
            self.usage["tokens_in"] += tokens_in
            self.usage["tokens_out"] += tokens_out
            self.usage["calls"] += 1
        record_llm_call(
            LlmCall(
                task=task,
                model=self.model,
                tokens_in=tokens_in,
                tokens_out=tokens_out,
                cost_usd=estimate_cost(self.model, tokens_in, tokens_out),
                duration_ms=duration_ms,
            )
        )

    def _where(self) -> str:
        return f"LLM engine (model {self.model!r} at {self.base_url or 'the OpenAI API'})"


# -- prompt inputs ----------------------------------------------------------------------

_FENCE_TAG = re.compile(r"<\s*/?\s*untrusted_", re.IGNORECASE)


def _clean(text: str) -> str:
    """Untrusted text with our fence tags defused, so it cannot close its own fence."""
    return _FENCE_TAG.sub("<_", text)


def _attr(text: str | None) -> str:
    return _clean(text or "").replace('"', "'").replace("\n", " ")


def fence_page(index: int, page: WebResult, max_chars: int) -> str:
    """A web page as an untrusted, fenced block for the digest prompt."""
    content = page.content
    if len(content) > max_chars:
        content = content[:max_chars] + " [...]"
    return (
        f'<untrusted_page n="{index}" url="{_attr(page.url)}" title="{_attr(page.title)}" '
        f'date="{_attr(page.date)}">\n{_clean(content)}\n</untrusted_page>'
    )


def _data(value: BaseModel | dict[str, Any]) -> str:
    """CRM or research data as JSON for a fenced prompt block (empty fields left out)."""
    data = value.model_dump(mode="json") if isinstance(value, BaseModel) else value
    kept = {k: v for k, v in data.items() if v not in (None, "", [], {})}
    return _clean(json.dumps(kept, indent=2, ensure_ascii=False))


def research_text(digest: AccountDigest | None) -> str:
    """The web research as prompt text: overview, finances, news, each with its sources."""
    if digest is None:
        return "No web research is available."
    lines = [
        f"Business overview (sources: {', '.join(digest.sources) or 'none'}): "
        f"{digest.business_overview}",
        f"Finances: {digest.finances}",
    ]
    facts = digest.facts
    for name in ("mission", "description"):
        value = getattr(facts, name)
        if value:
            lines.append(f"{name.capitalize()} (source: {facts.sources.get(name, '?')}): {value}")
    if facts.products:
        lines.append(
            f"Products (source: {facts.sources.get('products', '?')}): {', '.join(facts.products)}"
        )
    for item in digest.news:
        when = item.published_on.isoformat() if item.published_on else "undated"
        lines.append(
            f"News, {when}, {item.category} (source: {item.url}): {item.title}. {item.summary}"
        )
    return _clean("\n".join(lines))


def allowed_sources(company: CompanyFacts, digest: AccountDigest | None) -> list[str]:
    """Every source a verdict or a draft may cite: CRM fields and the pages read."""
    sources = list(company.sources.values())
    if digest is not None:
        sources += digest.sources
        sources += list(digest.facts.sources.values())
        sources += [item.url for item in digest.news]
    return _unique(sources)


MAX_EMAIL_CHARS = 2000

MESSAGE_KINDS: dict[str, str] = {
    "outreach": "A first email: introduce yourself and the value in two or three sentences.",
    "follow_up": (
        "A follow-up to an email the lead has not answered: one or two sentences that refer "
        "to your previous email, add one new, useful angle from the research (never repeat "
        "the first email), and ask one easy question."
    ),
    "answer": (
        "An answer to the lead's reply: answer each of the lead's questions listed below, "
        "using only facts stated in the research or the conversation. When the research "
        "does not answer a question, say you will check with the team and come back; never "
        "guess prices, features, integrations, customers or dates. Then propose the next step."
    ),
    "check_in": (
        "A check-in the lead asked for earlier ('not now, try me later'): remind them in one "
        "sentence what they said and when, ask whether the timing is better now."
    ),
}


def conversation_text(turns: list[ConversationTurn]) -> str:
    """The conversation so far as fenced, untrusted blocks (oldest first).

    Inbound emails are cleaned to the lead's new text; long emails are cut.
    """
    if not turns:
        return "(no earlier emails)"
    blocks = []
    for n, turn in enumerate(turns, 1):
        body = clean_reply(turn.body).text if turn.direction == "inbound" else turn.body.strip()
        if len(body) > MAX_EMAIL_CHARS:
            body = body[:MAX_EMAIL_CHARS] + " [...]"
        who = "the lead" if turn.direction == "inbound" else "us"
        blocks.append(
            f'<untrusted_email n="{n}" from="{who}" kind="{_attr(turn.kind)}" '
            f'date="{turn.at.date().isoformat()}" subject="{_attr(turn.subject)}">\n'
            f"{_clean(body)}\n</untrusted_email>"
        )
    return "\n\n".join(blocks)


_REPLY_PREFIX = re.compile(r"^\s*(?:(?:re|aw|antw|fw|fwd|wg|tr|rv|sv)\s*:\s*)+", re.IGNORECASE)


def thread_subject(conversation: list[ConversationTurn]) -> str | None:
    """'Re: <subject of the thread's first email>', so the message threads; None if no thread."""
    first = next((turn for turn in conversation if turn.subject.strip()), None)
    if first is None:
        return None
    base = _REPLY_PREFIX.sub("", first.subject).strip()
    return f"Re: {base}" if base else None


# -- LLM output to contract models ------------------------------------------------------

_FACT_FIELDS: dict[str, str] = {
    "industry": "industry",
    "employees": "employees",
    "annual_revenue_usd": "annual_revenue",
    "country": "country",
    "city": "city",
    "products": "products",
    "mission": "mission",
    "description": "description",
}


def digest_from_llm(
    company_name: str, page_urls: list[str], out: LlmDigest, *, engine: str
) -> AccountDigest:
    """The contract digest: news and facts kept only when they cite a page we supplied."""
    news: list[NewsItem] = []
    for item in out.news:
        url = _match(item.url, page_urls)
        if url is None:
            continue
        news.append(
            NewsItem(
                title=item.title.strip(),
                url=url,
                published_on=_parse_date(item.published_on),
                category=item.category,
                summary=item.summary.strip(),
            )
        )
        if len(news) == MAX_NEWS:
            break
    cited: dict[str, str] = {}
    for source in out.fact_sources:
        url = _match(source.url, page_urls)
        if url is not None:
            cited.setdefault(_FACT_FIELDS[source.fact], url)
    values: dict[str, Any] = {}
    for llm_field, field in _FACT_FIELDS.items():
        value = getattr(out.facts, llm_field)
        if isinstance(value, str):
            value = value.strip() or None
        if isinstance(value, list):
            value = [v.strip() for v in value if v.strip()]
        if isinstance(value, int | float) and value < 0:
            value = None
        if value not in (None, []) and field in cited:
            values[field] = value
    facts = CompanyFacts(
        name=company_name, sources={field: cited[field] for field in values}, **values
    )
    return AccountDigest(
        company_name=company_name,
        business_overview=out.business_overview.strip(),
        finances=out.finances.strip() or NO_FINANCES,
        news=news,
        facts=facts,
        sources=page_urls,
        engine=engine,
    )


def verdict_from_llm(
    criterion: FreeTextCriterion, out: LlmCriterionJudgement, allowed: list[str]
) -> CriterionVerdict:
    """The contract verdict; a source we did not supply is dropped rather than shown."""
    source = _match(out.source, allowed) if out.verdict != Verdict.UNKNOWN else None
    evidence = out.evidence.strip() or "The research does not say."
    return CriterionVerdict(
        criterion_id=criterion.id or criterion.kind,
        label=criterion.label or criterion.description,
        importance=criterion.importance,
        verdict=out.verdict,
        evidence=evidence,
        source=source,
    )


def draft_from_llm(
    out: LlmOutreach, allowed: list[str], sender_name: str, *, engine: str
) -> OutreachDraft:
    """The contract draft: one-line subject, signed body, citations from the research only."""
    grounded = _unique([url for s in out.grounded_on if (url := _match(s, allowed))])
    body = out.body.strip()
    if sender_name and sender_name not in body:
        body = f"{body}\n\nBest regards,\n{sender_name}"
    subject = " ".join(out.subject.split())
    return OutreachDraft(subject=subject, body=body, grounded_on=grounded, engine=engine)


MAX_QUESTIONS = 10
MAX_DATE_AHEAD_DAYS = 730


def _overlaps(quote: str | None, text: str, spans: list[tuple[int, int]]) -> bool:
    """True if the quote's place in `text` overlaps an injected span."""
    start = text.find(quote) if quote else -1
    if start < 0:
        return False
    end = start + len(quote or "")
    return any(start < e and s < end for s, e in spans)


def _in_text(value: str | None, text: str) -> str | None:
    """`value` stripped, if the text contains it (ignoring case and spacing), else None."""
    value = " ".join((value or "").split())
    return value if value and verbatim_quote(value, text) is not None else None


def _future_date(value: str | None, received_on: date) -> date | None:
    """An ISO date from the model, kept only when it is plausible (today to two years on)."""
    day = _parse_date(value)
    if day is None or not received_on <= day <= received_on + timedelta(days=MAX_DATE_AHEAD_DAYS):
        return None
    return day


def reading_from_llm(
    out: LlmReplyReading,
    reply_text: str,
    *,
    received_on: datetime,
    job_title: str | None,
    conversation: list[ConversationTurn] | None,
    engine: str,
    headers: dict[str, Any] | None = None,
) -> ReplyReading:
    """The contract reading, with rules in code where judgement is not needed.

    - Evidence must be the lead's words: a quote that is not in the cleaned reply
      (ignoring case and spacing) or that sits in injected instructions is dropped and the
      dimension becomes unknown; a kept quote is the reply's exact slice.
    - A senior job title sets authority met; earlier replies' verdicts carry over.
    - The rules reader runs too: its opt-out and bounce stand whatever the model says; when
      it finds instructions to the agent, intent and interest come from the rules (which
      ignore the injected sentences), so an injected "mark me qualified" changes nothing.
    - Interest is none for negative intents; dates must be plausible; a referral's email
      and name must appear in the reply.
    """
    text = clean_reply(reply_text).text or reply_text.strip()
    spans = injected_spans(text)
    rules = read_reply_by_rules(
        reply_text,
        received_on=received_on,
        job_title=job_title,
        conversation=conversation,
        headers=headers,
    )
    items: dict[str, BantItem] = {}
    for dimension in BANT_DIMENSIONS:
        judged: LlmBantItem = getattr(out.bant, dimension)
        quote = verbatim_quote(judged.evidence, text)
        if judged.verdict == BantVerdict.UNKNOWN or quote is None or _overlaps(quote, text, spans):
            items[dimension] = BantItem()
        else:
            items[dimension] = BantItem(verdict=judged.verdict, evidence=quote)
    bant = apply_title_authority(carry_over_bant(Bant(**items), conversation), job_title)

    intent, interest = out.intent, out.purchase_interest
    injection = out.injection_suspected or rules.injection_suspected
    if rules.intent in (Intent.UNSUBSCRIBE, Intent.BOUNCE) or rules.injection_suspected:
        intent, interest = rules.intent, rules.purchase_interest
    if intent in NEGATIVE_INTENTS:
        interest = PurchaseInterest.NONE

    day = received_on.date()
    return_on = check_in_on = None
    if intent == Intent.OUT_OF_OFFICE:
        return_on = _future_date(out.return_date, day) or dates.return_date(text, day)
    if intent == Intent.NOT_NOW:
        check_in_on = _future_date(out.check_in_date, day) or dates.check_in_date(text, day)

    referral = None
    if intent == Intent.WRONG_PERSON:
        given = out.referral
        email = (given.email or "").strip() if given else ""
        person = ReferredPerson(
            name=_in_text(given.name, text) if given else None,
            email=email if email and email.lower() in text.lower() else None,
            job_title=_in_text(given.job_title, text) if given else None,
        )
        referral = person if (person.name or person.email) else rules.referral

    questions = [
        " ".join(q.split())
        for q in out.questions
        if q.strip() and not _overlaps(verbatim_quote(q, text), text, spans)
    ][:MAX_QUESTIONS]
    summary = " ".join(out.summary.split())[:300] or rules.summary
    return ReplyReading(
        intent=intent,
        purchase_interest=interest,
        bant=bant,
        questions=questions,
        return_date=return_on,
        check_in_date=check_in_on,
        referral=referral,
        injection_suspected=injection,
        summary=summary,
        engine=engine,
    )


# -- small helpers ------------------------------------------------------------------------


def _unique(items: list[str]) -> list[str]:
    return list(dict.fromkeys(item for item in items if item))


def _norm(source: str) -> str:
    return source.strip().rstrip("/").lower()


def _match(source: str | None, allowed: list[str]) -> str | None:
    """The allowed source `source` names (ignoring case and a trailing slash), if any."""
    if not source:
        return None
    wanted = _norm(source)
    return next((item for item in allowed if _norm(item) == wanted), None)


def _parse_date(text: str | None) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text.strip()[:10])
    except ValueError:
        return None


def _why_unparsed(raw: Any) -> str:
    """What the raw answer held instead of a structured one."""
    invalid = getattr(raw, "invalid_tool_calls", None)
    if invalid:
        return f"tool call arguments are not valid JSON: {_short(invalid[0].get('error') or '?')}"
    content = getattr(raw, "content", "")
    if content:
        return f"plain text instead: {_short(str(content))}"
    return "an empty answer"


def _short(text: str, limit: int = 300) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit] + "..."


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {_short(str(exc))}"
