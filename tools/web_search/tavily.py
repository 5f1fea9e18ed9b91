"""Web search through Tavily, when a key is set."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tools.tool_trace import recorded_tool
from tools.web_search.results import (
    Topic,
    WebResult,
    WebSearchError,
    clamp_results,
    clean_domains,
    iso_date,
)

if TYPE_CHECKING:
    from langchain_core.rate_limiters import BaseRateLimiter
    from tavily import TavilyClient


class TavilySearch:
    """Search the web through Tavily; every client failure becomes a `WebSearchError`."""

    name = "Tavily"

    def __init__(
        self,
        api_key: str,
        *,
        timeout_s: float = 15,
        api_base_url: str | None = None,
        rate_limiter: BaseRateLimiter | None = None,
    ) -> None:
        if not api_key or not api_key.strip():
            # An empty key makes TavilyClient go "keyless" instead of failing.
            raise ValueError(
                "TavilySearch: api_key is empty; set TAVILY_API_KEY, or leave it unset "
                "to search the local corpus"
            )
        self._api_key = api_key
        self.timeout_s = timeout_s
        self.api_base_url = api_base_url
        self.rate_limiter = rate_limiter
        self._client: TavilyClient | None = None

    @property
    def client(self) -> TavilyClient:
        """The Tavily client, built on first use."""
        if self._client is None:
            from tavily import TavilyClient

            self._client = TavilyClient(api_key=self._api_key, api_base_url=self.api_base_url)
        return self._client

    @recorded_tool("web.tavily")
    def search(
        self,
        query: str,
        *,
        include_domains: list[str] | None = None,
        max_results: int = 5,
        topic: Topic | None = None,
    ) -> list[WebResult]:
        """Tavily's best hits for `query`, mapped to `WebResult`s."""
        kwargs: dict[str, Any] = {
            "max_results": clamp_results(max_results),
            "timeout": self.timeout_s,
        }
        if domains := clean_domains(include_domains):
            kwargs["include_domains"] = domains
        if topic is not None:
            kwargs["topic"] = topic
        if self.rate_limiter is not None:
            self.rate_limiter.acquire(blocking=True)
        try:
            response = self.client.search(query, **kwargs)
            return [_tavily_result(hit) for hit in response.get("results") or [] if hit.get("url")]
        except Exception as exc:  # tavily errors, raw requests errors (trap 4), bad JSON
            raise WebSearchError(
                self.name, query, f"{type(exc).__name__}: {exc}", _tavily_fix(exc)
            ) from exc


def _tavily_result(hit: dict[str, Any]) -> WebResult:
    return WebResult(
        title=str(hit.get("title") or hit["url"]),
        url=str(hit["url"]),
        content=str(hit.get("content") or ""),
        date=iso_date(hit.get("published_date")),
        score=float(hit.get("score") or 0.0),
    )


def _tavily_fix(exc: Exception) -> str:
    kind = type(exc).__name__
    if kind in {"InvalidAPIKeyError", "ForbiddenError"}:
        return "check TAVILY_API_KEY, or unset it to search the local corpus"
    if kind in {"UsageLimitExceededError", "TavilyKeylessLimitError"}:
        return "wait for the Tavily quota to reset, or unset TAVILY_API_KEY to use the local corpus"
    if kind == "BadRequestError":
        return "shorten the query or drop unsupported domains"
    return (
        "check the network or Tavily's status and retry, or unset TAVILY_API_KEY "
        "to search the local corpus"
    )
