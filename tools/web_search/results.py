"""The one shape of a web search hit, the search protocol, and the normalisation both
providers share (domains, result counts, published dates)."""

from __future__ import annotations

from datetime import date, datetime
from email.utils import parsedate_to_datetime
from typing import Literal, Protocol, runtime_checkable

from pydantic import BaseModel, Field

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


def clean_domains(domains: list[str] | None) -> list[str] | None:
    """Domains in the form pages are filed under, deduplicated; None when none is left."""
    cleaned = sorted({normalise_domain(d) for d in domains or [] if d.strip()})
    return cleaned or None


def clamp_results(max_results: int) -> int:
    """A result count within what the providers accept (1 to MAX_RESULTS)."""
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
