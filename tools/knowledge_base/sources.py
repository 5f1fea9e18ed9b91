"""What the knowledge sources hold and find, as models: light to import (no Chroma), so the
graphs that answer from them load without the vector store until a question is asked."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

SourceKind = Literal["document", "faq", "case_study", "pricing"]


class KnowledgeSource(BaseModel):
    """One indexed source: a document file or a product's FAQ."""

    id: str
    product: str
    title: str
    kind: SourceKind
    path: str = ""
    passages: int
    added_on: datetime


class KnowledgeHit(BaseModel):
    """A passage found for a question, with its similarity (0–1, higher is closer)."""

    source_id: str
    kind: SourceKind
    title: str
    headings: list[str] = Field(default_factory=list)
    text: str
    score: float

    @property
    def citation(self) -> str:
        """'Title › Section', as an email cites it."""
        return " › ".join([self.title, *self.headings])
