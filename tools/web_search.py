"""Web search: Tavily when a key is set, else the local corpus in Chroma. One result shape."""

from __future__ import annotations

from pydantic import BaseModel, Field


class WebResult(BaseModel):
    """One search hit, the same from Tavily and from the local corpus."""

    title: str
    url: str
    content: str
    date: str | None = Field(default=None, description="Published date, ISO, when known.")
    score: float = 0.0
