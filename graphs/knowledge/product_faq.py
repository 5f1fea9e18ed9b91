"""What the agent knows about the product: an admin-edited FAQ the answers come from.

A question no entry covers is not guessed at: the router hands the lead to its seller.
"""

from __future__ import annotations

import re
from functools import cache, cached_property, lru_cache
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, Field, model_validator

from core.geography import country_key, region_key, region_of
from graphs.reply_reader.language import detect_language

FAQ_DIR = Path(__file__).with_name("faq")
KINDS_FILE = Path(__file__).with_name("faq_kinds.yaml")


FaqKind = Literal[
    "pricing", "contract", "trial", "implementation", "support", "security", "integrations"
]


class FaqEntry(BaseModel):
    """One thing the agent may say, and the topics that call for it."""

    id: str
    kind: FaqKind | None = Field(
        default=None,
        description="A kind of question every product gets (pricing, trial, ...): the "
        "entry also matches that kind's common words in five languages (faq_kinds.yaml).",
    )
    topics: list[str] = Field(default_factory=list)
    answer: str

    @model_validator(mode="after")
    def _topics_or_kind(self) -> FaqEntry:
        if not self.topics and self.kind is None:
            raise ValueError("give 'topics' (words a question uses) or a 'kind', or both")
        return self

    @cached_property
    def all_topics(self) -> tuple[str, ...]:
        """The entry's own topics, then its kind's common words."""
        return (*self.topics, *(kind_topics(self.kind) if self.kind else ()))


class ProductFaq(BaseModel):
    """The whole FAQ."""

    product: str = Field(default="", description="The product's name (its file name).")
    entries: list[FaqEntry]
    context_names: list[str] = Field(
        default_factory=list,
        description="Names a question may mention as context without asking about them "
        "(the product profile's competitors: 'we looked at Relex, how long is a rollout?').",
    )

    def match(self, question: str) -> FaqEntry | None:
        """The entry whose topics best match a question (most topic hits), if any. A
        question naming a country also hits the entries whose answers name places."""
        lowered = question.lower()
        asks_about_a_country = bool(places_named(question)[0])
        best, hits = None, 0
        for entry in self.entries:
            count = sum(1 for topic in entry.all_topics if _topic_pattern(topic).search(lowered))
            if asks_about_a_country and any(places_named(entry.answer)):
                count += 1
            if count > hits:
                best, hits = entry, count
        return best

    @cached_property
    def known_text(self) -> str:
        """Everything the FAQ names (product, answers, topics), lowercased, built once."""
        parts = [self.product, *self.context_names, *(e.answer for e in self.entries)]
        parts += [t for e in self.entries for t in e.all_topics]
        return " ".join(parts).lower()

    def answer_for(self, question: str) -> FaqEntry | None:
        """The entry that answers `question`, or None: no entry's topic is asked about, or
        the question names a product, system or place no answer mentions ("do you integrate
        with Xero?" is about integrations, but the answer names SAP, Oracle and NetSuite)."""
        entry = self.match(question)
        if entry is None:
            return None
        language = detect_language(question)
        unknown = [n for n in named_things(question, language) if not self._knows(n)]
        # "Dynamics 365 Business Central": a known name's own words are part of it.
        known_runs = [
            run
            for run in _CAPITALISED_RUN.findall(question)
            if any(self._knows(word) for word in run.split())
        ]
        if any(not any(name in run.split() for run in known_runs) for name in unknown):
            return None
        return entry

    @cached_property
    def places(self) -> tuple[frozenset[str], frozenset[str]]:
        """The countries and the regions the answers name ("the EU, the UK, Mexico")."""
        return places_named(" ".join(e.answer for e in self.entries))

    def _knows(self, name: str) -> bool:
        """True if the FAQ speaks of `name`: it appears in an answer or a topic, or it is a
        country the answers name in any language or cover by a region ("Irlanda": the EU)."""
        if name.lower() in self.known_text:
            return True
        named, named_regions = places_named(name)
        if not named and not named_regions:
            return False
        countries, regions = self.places
        covered = {region for country in countries for region in region_of(country)}
        return all(c in countries or bool(region_of(c) & regions) for c in named) and all(
            r in regions or r in covered for r in named_regions
        )

    def leaves_unanswered(self, questions: list[str]) -> bool:
        """True when a question has no answer here: the seller answers it, the agent never
        guesses."""
        return any(self.answer_for(question) is None for question in questions)

    def answers(self, questions: list[str]) -> tuple[list[tuple[str, FaqEntry]], list[str]]:
        """Questions with their entries, and the questions nothing answers."""
        answered, unanswered = [], []
        for question in questions:
            entry = self.answer_for(question)
            if entry is None:
                unanswered.append(question)
            else:
                answered.append((question, entry))
        return answered, unanswered


# Capitalised words and numbers in a row: one name ("Dynamics 365 Business Central").
_CAPITALISED_RUN = re.compile(r"\b[A-Z][\w-]*(?:\s+(?:[A-Z][\w-]*|\d+))+")


@lru_cache(maxsize=4096)  # called on every question: bounded, questions are endless
def places_named(text: str) -> tuple[frozenset[str], frozenset[str]]:
    """The countries and regions `text` names, in any of the languages leads write in: its
    capitalised words, alone and in pairs ("United Kingdom", "Irland", "EU")."""
    pairs = re.findall(r"\b(?=([A-Z][^\W\d_]*(?:[ -][A-Z][^\W\d_]+)?))", text)
    # Short capitalised words are too often something else: country codes spell "Can",
    # "Est", "IT" or "PM". Names of four letters or more count, and "UK", "EU", "USA".
    names = {n for n in {*pairs, *(w for pair in pairs for w in pair.split())} if len(n) > 3}
    names |= set(re.findall(r"\b(?:UK|EU|USA|UAE)\b", text))
    countries = {country_key(n) for n in names} - {None}
    regions = {region_key(n) for n in names} - {None}
    return frozenset(countries), frozenset(regions)  # type: ignore[arg-type]


# Topics this short are whole words (a plural allowed): as stems they would hit other
# languages' words ("term" in "Termin", "demo" in "demora", "cost" in "costuma").
_WHOLE_WORD_LENGTH = 4


# Names of products and systems as people write them: all capitals (TOTVS, SAP), a capital
# inside the word (NetSuite, XRechnung) or letters with digits (S4HANA).
_NAMED = re.compile(
    r"\b(?:[A-Z]{2,}[A-Za-z0-9]*|[A-Za-z]+[a-z][A-Z][A-Za-z0-9]*|[A-Za-z]+\d[A-Za-z0-9]*)\b"
)
# Acronyms every business email uses that name no product.
_COMMON_WORDS = """
AI API APIs AP AR B2B CEO CFO COO CTO CIO CRM CSV EDI ERP EU FAQ GDPR HR IT KPI MD OK PDF PO
POs ROI SaaS SLA SLAs SMS SSO UK US USA VAT WMS XML IBAN CET CEST GMT UTC PM AM FYI ASAP TBD
NB PS HQ IoT GPS OCR NDA MSA RFP RFQ DSGVO RGPD LGPD TVA IVA MwSt USt HT TTC CHF EUR USD GBP
BRL MXN Q1 Q2 Q3 Q4 CD CDs DC DCs
"""
_COMMON = frozenset(_COMMON_WORDS.split())
# Outside German (which capitalises every noun), a capitalised word inside a sentence is a
# name: "Do you integrate with Xero?", "vocês integram com o Bling?".
_VOCATIVE = re.compile(r"^\W*(?:\w+\s+)?[A-ZÀ-Ý][\w'-]+\s*,\s*")
_CAPITALISED = re.compile(r"(?<=[a-zà-ÿ,] )[A-Z][a-zà-ÿ]{2,}\b")


def named_things(question: str, language: str | None = None) -> list[str]:
    """The product, system and place names a question mentions."""
    # "Oi Marta, vocês atendem no Brasil?": the name in a greeting is the seller's.
    question = _VOCATIVE.sub("", question)
    found = [m.group(0) for m in _NAMED.finditer(question)]
    if language != "de":
        found += [m.group(0) for m in _CAPITALISED.finditer(question)]
    return [name for name in found if name not in _COMMON]


@cache
def _topic_pattern(topic: str) -> re.Pattern[str]:
    # Word-start match so "integrat" style stems and plurals work, but "cost" ≠ "costa".
    word = re.escape(topic.lower())
    if len(topic) <= _WHOLE_WORD_LENGTH:
        return re.compile(rf"\b{word}(?:s|es)?\b")
    return re.compile(rf"\b{word}")


@cache
def kind_topics(kind: str) -> tuple[str, ...]:
    """The common question words of a kind of FAQ entry (`faq_kinds.yaml`)."""
    kinds = yaml.safe_load(KINDS_FILE.read_text(encoding="utf-8"))
    return tuple(kinds.get(kind) or ())
