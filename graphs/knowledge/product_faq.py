"""What the agent knows about the product: an admin-edited FAQ the answers come from.

A question no entry covers is not guessed at: the router hands the lead to its seller.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import yaml
from pydantic import BaseModel, Field

FAQ_DIR = Path(__file__).with_name("faq")
DEFAULT_PRODUCT = "northwind"


class FaqEntry(BaseModel):
    """One thing the agent may say, and the topics that call for it."""

    id: str
    topics: list[str] = Field(min_length=1)
    answer: str


class ProductFaq(BaseModel):
    """The whole FAQ."""

    entries: list[FaqEntry]

    def match(self, question: str) -> FaqEntry | None:
        """The entry whose topics best match a question (most topic hits), if any."""
        lowered = question.lower()
        best, hits = None, 0
        for entry in self.entries:
            count = sum(1 for topic in entry.topics if _topic_pattern(topic).search(lowered))
            if count > hits:
                best, hits = entry, count
        return best

    def leaves_unanswered(self, questions: list[str]) -> bool:
        """True when a question matches no entry: the seller answers it, the agent never
        guesses."""
        return any(self.match(question) is None for question in questions)

    def answers(self, questions: list[str]) -> tuple[list[tuple[str, FaqEntry]], list[str]]:
        """Questions with their entries, and the questions nothing answers."""
        answered, unanswered = [], []
        for question in questions:
            entry = self.match(question)
            if entry is None:
                unanswered.append(question)
            else:
                answered.append((question, entry))
        return answered, unanswered


# Topics this short are whole words (a plural allowed): as stems they would hit other
# languages' words ("term" in "Termin", "demo" in "demora", "cost" in "costuma").
_WHOLE_WORD_LENGTH = 4


@cache
def _topic_pattern(topic: str) -> re.Pattern[str]:
    # Word-start match so "integrat" style stems and plurals work, but "cost" ≠ "costa".
    word = re.escape(topic.lower())
    if len(topic) <= _WHOLE_WORD_LENGTH:
        return re.compile(rf"\b{word}(?:s|es)?\b")
    return re.compile(rf"\b{word}")


def known_products() -> tuple[str, ...]:
    """The products a FAQ ships for (`graphs/knowledge/faq/<product>.yaml`)."""
    return tuple(sorted(path.stem for path in FAQ_DIR.glob("*.yaml")))


@cache
def product_faq(product: str) -> ProductFaq:
    """The FAQ of one product; ValueError naming the known ones for any other."""
    path = FAQ_DIR / f"{product}.yaml"
    if not path.is_file():
        raise ValueError(f"no FAQ for product {product!r}; known: {', '.join(known_products())}")
    return ProductFaq.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))


def default_faq() -> ProductFaq:
    """The FAQ of the sample company, the one the engage agent answers from today."""
    return product_faq(DEFAULT_PRODUCT)
