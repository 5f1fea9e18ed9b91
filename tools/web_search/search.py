"""Web search: Tavily when a key is set, else the local corpus in Chroma. One result shape."""

from __future__ import annotations

import logging
import threading
from datetime import date, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Protocol, runtime_checkable

from pydantic import BaseModel, Field

from tools.tool_trace import recorded_tool

if TYPE_CHECKING:
    from tavily import TavilyClient

    from core.settings import Settings
    from tools.web_search.local_index import LocalWebIndex, SyncReport

logger = logging.getLogger(__name__)

Topic = Literal["general", "news", "finance"]

# Tavily accepts 0..20 results per call; the local corpus follows the same bound.
MAX_RESULTS = 20


class WebResult(BaseModel):
    """One search hit, the same from Tavily and from the local corpus."""

    title: str
    url: str
    content: str
    date: str | None = Field(default=None, description="Published date, ISO, when known.")
    score: float = 0.0


class WebSearchError(RuntimeError):
    """A search that failed; the message names the provider, the query and the fix."""

    def __init__(self, provider: str, query: str, cause: str, fix: str) -> None:
        super().__init__(f"{provider} search failed for query {query!r}: {cause}. Fix: {fix}")
        self.provider = provider
        self.query = query


@runtime_checkable
class WebSearch(Protocol):
    """Anything that answers web searches with `WebResult`s."""

    name: str

    def search(
        self,
        query: str,
        *,
        include_domains: list[str] | None = None,
        max_results: int = 5,
        topic: Topic | None = None,
    ) -> list[WebResult]:
        """The best `max_results` hits for `query`, optionally only these domains or topic."""
        ...


def normalise_domain(domain: str) -> str:
    """`https://www.Acme.com/about` → `acme.com`: the form corpus pages are filed under."""
    host = domain.strip().lower()
    if "://" in host:
        host = host.split("://", 1)[1]
    host = host.split("/", 1)[0].split(":", 1)[0]
    return host.removeprefix("www.")


def _clean_domains(domains: list[str] | None) -> list[str] | None:
    cleaned = sorted({normalise_domain(d) for d in domains or [] if d.strip()})
    return cleaned or None


def _clamp_results(max_results: int) -> int:
    return max(1, min(MAX_RESULTS, int(max_results)))


def iso_date(value: object) -> str | None:
    """A published date as ISO `YYYY-MM-DD`, from ISO or RFC 2822 text; None if unreadable."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime | date):
        return (value.date() if isinstance(value, datetime) else value).isoformat()
    text = str(value).strip()
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).date().isoformat()
    except ValueError:
        pass
    try:
        return parsedate_to_datetime(text).date().isoformat()
    except (TypeError, ValueError, IndexError):
        return None


_TOPIC_KINDS: dict[str, list[str] | None] = {
    "general": None,
    "news": ["news"],
    "finance": ["finance"],
}


class LocalCorpusSearch:
    """Search over the local web corpus indexed in Chroma; works offline."""

    name = "local corpus"

    def __init__(self, corpus_dir: Path, chroma_dir: Path) -> None:
        self.corpus_dir = Path(corpus_dir)
        self.chroma_dir = Path(chroma_dir)
        self._index: LocalWebIndex | None = None
        self._checked_empty = False
        # Re-entrant: the first search holds it while it builds the index and syncs.
        self._lock = threading.RLock()

    @property
    def index(self) -> LocalWebIndex:
        """The Chroma-backed index, built on first use (importing chromadb is slow)."""
        if self._index is None:
            with self._lock:
                if self._index is None:
                    from tools.web_search.local_index import LocalWebIndex

                    self._index = LocalWebIndex(self.corpus_dir, self.chroma_dir)
        return self._index

    def sync(self) -> SyncReport:
        """Index new and changed pages of the corpus folder, drop deleted ones."""
        report = self.index.sync()
        for error in report.errors:
            logger.warning("web corpus: %s", error)
        return report

    def _sync_if_empty(self) -> None:
        if self._checked_empty:
            return
        with self._lock:
            if not self._checked_empty:
                if self.index.count() == 0:
                    self.sync()
                self._checked_empty = True

    @recorded_tool("web.local_corpus")
    def search(
        self,
        query: str,
        *,
        include_domains: list[str] | None = None,
        max_results: int = 5,
        topic: Topic | None = None,
    ) -> list[WebResult]:
        """The corpus pages closest to `query`; `topic` narrows to news or finance pages."""
        if topic is not None and topic not in _TOPIC_KINDS:
            raise WebSearchError(
                self.name, query, f"unknown topic {topic!r}", "use general, news or finance"
            )
        try:
            self._sync_if_empty()
            return self.index.query(
                query,
                domains=_clean_domains(include_domains),
                kinds=_TOPIC_KINDS[topic or "general"],
                k=_clamp_results(max_results),
            )
        except WebSearchError:
            raise
        except Exception as exc:  # Chroma raises many types; keep the cause, name the fix
            raise WebSearchError(
                self.name,
                query,
                f"{type(exc).__name__}: {exc}",
                f"check the Chroma folder {self.chroma_dir} (delete it to rebuild the index "
                f"from {self.corpus_dir})",
            ) from exc


class TavilySearch:
    """Search the web through Tavily; every client failure becomes a `WebSearchError`."""

    name = "Tavily"

    def __init__(
        self, api_key: str, *, timeout_s: float = 15, api_base_url: str | None = None
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
            "max_results": _clamp_results(max_results),
            "timeout": self.timeout_s,
        }
        if domains := _clean_domains(include_domains):
            kwargs["include_domains"] = domains
        if topic is not None:
            kwargs["topic"] = topic
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


def make_web_search(settings: Settings) -> WebSearch:
    """Tavily when a key is set, else the local corpus folder indexed in Chroma."""
    if settings.tavily_api_key is not None and settings.tavily_api_key.get_secret_value():
        return TavilySearch(
            settings.tavily_api_key.get_secret_value(), timeout_s=settings.tavily_timeout_s
        )
    return LocalCorpusSearch(settings.resolved_corpus_dir, settings.resolved_chroma_dir)
