"""The clients a run needs (CRM, web search, reasoning engine, knowledge sources), built once
per context."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from core.settings import get_settings
from graphs.context import Context
from graphs.reasoning.base import ReasoningEngine
from graphs.reasoning.offline import OfflineEngine
from tools.crm import CrmReader
from tools.web_search.provider import make_web_search
from tools.web_search.results import WebSearch

if TYPE_CHECKING:
    from tools.knowledge_base.index import KnowledgeBase


@dataclass
class Services:
    """What the nodes call; built lazily, never at import time."""

    crm: CrmReader
    web: WebSearch
    reasoning: ReasoningEngine
    check_deliverability: bool
    dns_timeout_s: float
    knowledge: KnowledgeBase

    def take_engine_notes(self) -> list[str]:
        """Fallback notes the engine gathered since the last call (the offline engine has none)."""
        take = getattr(self.reasoning, "take_notes", None)
        return take() if take is not None else []


def build_reasoning_engine(context: Context) -> ReasoningEngine:
    """The offline engine, or the LLM engine falling back to it."""
    offline = OfflineEngine(context.product)
    if context.engine == "offline":
        return offline
    from core.request_pacers import rate_limiter_for
    from graphs.reasoning.circuit_breaker import breaker_for
    from graphs.reasoning.fallback import FallbackEngine
    from graphs.reasoning.llm.engine import LlmEngine

    settings = get_settings()
    if settings.openai_api_key is None:
        raise ValueError(
            "engine 'llm' needs OPENAI_API_KEY (and OPENAI_BASE_URL for a local server); "
            "set it, or use QUALIFY_ENGINE=offline"
        )
    endpoint = settings.openai_base_url or "https://api.openai.com/v1"
    llm = LlmEngine(
        context.model,
        api_key=settings.openai_api_key.get_secret_value(),
        base_url=settings.openai_base_url,
        timeout_s=settings.llm_timeout_s,
        max_retries=settings.llm_max_retries,
        product=context.product,
        rate_limiter=rate_limiter_for(endpoint, settings.llm_requests_per_minute),
    )
    breaker = breaker_for(
        endpoint, llm.name, settings.llm_breaker_failures, settings.llm_breaker_cool_down_s
    )
    return FallbackEngine(primary=llm, fallback=offline, breaker=breaker)


def _knowledge_base(chroma_dir: Path) -> KnowledgeBase:
    # Imported here: Chroma takes most of a second to load; a run that asks no question
    # (and every `qualify` command's start-up) never pays for it.
    from tools.knowledge_base.index import KnowledgeBase

    return KnowledgeBase(chroma_dir)


@lru_cache(maxsize=16)
def services_for(context: Context) -> Services:
    """Services for a context (cached: contexts are frozen)."""
    settings = get_settings()
    return Services(
        crm=CrmReader(context.database_url),
        web=make_web_search(
            settings, corpus_dir=Path(context.corpus_dir), chroma_dir=Path(context.chroma_dir)
        ),
        reasoning=build_reasoning_engine(context),
        check_deliverability=settings.check_deliverability,
        dns_timeout_s=settings.dns_timeout_s,
        knowledge=_knowledge_base(Path(context.chroma_dir)),
    )
