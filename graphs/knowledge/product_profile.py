"""What the seller sells, as its admin writes it: the product's profile.

The reply reader judges a lead's need against the problems the product solves, in the
buyers' own words and in every language the agent reads; nothing about one product is
wired into the rules. One file per product in `graphs/knowledge/profiles/`.
"""

from __future__ import annotations

import re
from functools import cache, cached_property
from pathlib import Path

from pydantic import BaseModel, Field

PROFILES_DIR = Path(__file__).with_name("profiles")


class ProductProblem(BaseModel):
    """A problem the product solves and the words buyers use for it."""

    id: str
    summary: str
    keywords: list[str] = Field(
        default_factory=list,
        description="Short stems naming what the problem is about (fuel, Telefon, factura): "
        "with a word of pain in the same sentence, the lead states the problem.",
    )
    words: list[str] = Field(min_length=1, description="Stems, matched at a word start.")

    @property
    def short_name(self) -> str:
        """The problem in a few words, for a subject line or a question: the summary's
        own short form ("... (no-shows)", "Stock-outs: ..."), else its id in words."""
        if aside := re.search(r"\(([^()]{2,40})\)\s*$", self.summary):
            return aside.group(1).strip()
        head = self.summary.split(":", 1)[0].strip()
        if len(head.split()) <= _SHORT_NAME_WORDS:
            return head
        return self.id.replace("_", " ").replace("-", " ")


_SHORT_NAME_WORDS = 6


class ProofPoint(BaseModel):
    """A claim the agent may make, and where it comes from."""

    claim: str
    source: str


class ProductProfile(BaseModel):
    """The product: what it is, the problems it solves, competitors, pricing and proof."""

    name: str
    sells: str
    problems: list[ProductProblem] = Field(min_length=1)
    competitors: list[str] = Field(default_factory=list)
    pricing: str = ""
    proof: list[ProofPoint] = Field(default_factory=list)

    @property
    def pitch(self) -> str:
        """What the product is, as one noun phrase: `sells` up to its first colon or stop."""
        phrase = re.split(r"[:.]\s", self.sells.strip() + " ", maxsplit=1)[0].strip(" .:")
        if len(phrase) > 1 and phrase[0].isupper() and not phrase[1].isupper():
            phrase = phrase[0].lower() + phrase[1:]
        return phrase

    # The reader asks for these on every reply: built once per profile.
    @cached_property
    def problem_pattern(self) -> re.Pattern[str]:
        """One pattern matching any problem's words at a word start, any case."""
        return _words_pattern(tuple(w for p in self.problems for w in p.words))

    @cached_property
    def keyword_pattern(self) -> re.Pattern[str] | None:
        """One pattern matching any problem's keywords, or None when none are listed."""
        words = tuple(w for p in self.problems for w in p.keywords)
        return _words_pattern(words) if words else None

    @cached_property
    def competitor_pattern(self) -> re.Pattern[str] | None:
        """One pattern matching any competitor's name, or None when none are listed."""
        # "in-house tools", "inhouse scripts" and "spreadsheets" are no vendor one signs with.
        names = tuple(
            c for c in self.competitors if not re.search(r"house|spreadsheet", c, re.IGNORECASE)
        )
        return _words_pattern(names) if names else None


@cache
def _words_pattern(words: tuple[str, ...]) -> re.Pattern[str]:
    # Longest first, so "dead stock" wins over "stock"; spaces match any spacing.
    ordered = sorted({w.strip().lower() for w in words if w.strip()}, key=len, reverse=True)
    alternatives = "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in ordered)
    return re.compile(rf"\b(?:{alternatives})", re.IGNORECASE)


def product_text(profile: ProductProfile) -> str:
    """The profile as a prompt shows it: what it is, the problems, competitors and pricing."""
    problems = "\n".join(f"- {p.summary}" for p in profile.problems)
    lines = [f"{profile.name}: {profile.sells}", "Problems it solves:", problems]
    if profile.competitors:
        lines.append("Competitors: " + ", ".join(profile.competitors))
    if profile.pricing:
        lines.append("Pricing: " + profile.pricing)
    if profile.proof:
        lines.append("Proof you may cite, with its source:")
        lines += [f"- {p.claim} (source: {p.source})" for p in profile.proof]
    return "\n".join(lines)
