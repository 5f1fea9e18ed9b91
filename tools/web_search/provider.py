"""Which web search answers: Tavily when a key is set, else the local corpus."""

from __future__ import annotations

from pathlib import Path

from core.request_pacers import rate_limiter_for
from core.settings import Settings
from tools.web_search.local_corpus import LocalCorpusSearch
from tools.web_search.results import WebSearch
from tools.web_search.tavily import TavilySearch


def make_web_search(
    settings: Settings, *, corpus_dir: Path | None = None, chroma_dir: Path | None = None
) -> WebSearch:
    """Tavily when a key is set, else the local corpus folder indexed in Chroma.

    `corpus_dir` and `chroma_dir` override the settings' folders (a run's context may).
    """
    if settings.tavily_api_key is not None and settings.tavily_api_key.get_secret_value():
        return TavilySearch(
            settings.tavily_api_key.get_secret_value(),
            timeout_s=settings.tavily_timeout_s,
            rate_limiter=rate_limiter_for("tavily", settings.search_requests_per_minute),
        )
    return LocalCorpusSearch(
        corpus_dir if corpus_dir is not None else settings.resolved_corpus_dir,
        chroma_dir if chroma_dir is not None else settings.resolved_chroma_dir,
    )
