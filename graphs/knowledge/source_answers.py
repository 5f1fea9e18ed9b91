"""Which of a lead's questions the product's knowledge sources answer, and with what passage.

The FAQ answers first (its topics match a question in five languages); a question it does
not answer is searched in the documents the admin added for the product, and is answered
only by a passage that is close enough (`min_score`) and names every product, system or
place the question names. The FAQ is indexed beside the documents (`qualify knowledge
search` shows both), but a question its matcher leaves open is not answered from its
passages: on the dev datasets that answered 5 of 257 such questions, each wrongly.
Anything else goes to the seller (the `unanswered_question` hand-off rule): the agent never
guesses.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Sequence
from contextvars import ContextVar
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict, Field

from core.settings import get_settings
from graphs.knowledge.product_catalog import product_knowledge
from graphs.knowledge.product_faq import FaqEntry, named_things
from graphs.reply_reader.language import detect_language
from tools.knowledge_base.passages import Passage
from tools.knowledge_base.sources import KnowledgeHit

if TYPE_CHECKING:
    from tools.knowledge_base.index import KnowledgeBase

SEARCHED_PASSAGES = 5


class KnowledgeSettings(BaseModel):
    """How sure the agent must be before it answers from a document (engage YAML)."""

    model_config = ConfigDict(extra="forbid")

    min_score: float = Field(
        default=0.22,
        ge=0.0,
        le=1.0,
        description="The similarity (0–1) a passage needs to answer a question; below it "
        "the question goes to the seller.",
    )
    quote_words: int = Field(
        default=45, ge=10, le=150, description="The longest quote of a passage in an email."
    )


class SourcedAnswer(BaseModel):
    """A question and the passage that answers it, with the short quote the email gives."""

    question: str
    hit: KnowledgeHit
    quote: str


class KnowledgeAnswers(BaseModel):
    """A reply's questions split by what answers them."""

    from_faq: list[tuple[str, FaqEntry]] = Field(default_factory=list)
    from_sources: list[SourcedAnswer] = Field(default_factory=list)
    unanswered: list[str] = Field(default_factory=list)


# -- the rules (pure) ----------------------------------------------------------------------

_WORD = re.compile(r"\w+")
_SENTENCE = re.compile(r"(?<=[.!?])\s+")


def passage_answers(
    question: str, hit: KnowledgeHit, *, min_score: float, also_known: str = ""
) -> bool:
    """True when `hit` answers `question` well enough: its score reaches `min_score` and it
    (or `also_known`: the product's own names) mentions every name the question asks about
    ("do you integrate with Xero?" is not answered by a passage on SAP and Oracle)."""
    if hit.score < min_score:
        return False
    known = f"{hit.citation}\n{hit.text}\n{also_known}".lower()
    names = named_things(question, detect_language(question))
    return all(name.lower() in known for name in names)


def best_passage(
    question: str, hits: Sequence[KnowledgeHit], *, min_score: float, also_known: str = ""
) -> KnowledgeHit | None:
    """The highest-scoring passage that answers `question` well enough, if any."""
    ranked = sorted(hits, key=lambda hit: hit.score, reverse=True)
    for hit in ranked:
        if passage_answers(question, hit, min_score=min_score, also_known=also_known):
            return hit
    return None


def quote_for(question: str, text: str, max_words: int) -> str:
    """The sentences of a passage that share most words with the question (the best ones,
    in their order), at most `max_words` words; a longer sentence is cut with an ellipsis."""
    asked = {w for w in _WORD.findall(question.lower()) if len(w) > 2}
    sentences = [s.strip() for s in _SENTENCE.split(" ".join(text.split())) if s.strip()]
    if not sentences:
        return ""
    overlap = [len(asked & set(_WORD.findall(s.lower()))) for s in sentences]
    ranked = sorted(range(len(sentences)), key=lambda i: -overlap[i])
    chosen: list[int] = []
    size = 0
    for index in ranked:
        words = len(sentences[index].split())
        # The sentences that share the question's words; the best one even if none does.
        if chosen and (size + words > max_words or overlap[index] < overlap[ranked[0]]):
            continue
        chosen.append(index)
        size += words
        if size >= max_words:
            break
    quote = " ".join(sentences[i] for i in sorted(chosen))
    words = quote.split()
    return quote if len(words) <= max_words else " ".join(words[:max_words]) + " …"


# -- the FAQ as a source -------------------------------------------------------------------


def faq_source_id(product: str) -> str:
    """The id of a product's FAQ among its sources."""
    return f"faq-{product}"


def faq_passages(product: str) -> tuple[list[Passage], str]:
    """The FAQ in force of `product` as passages (one per entry), and their fingerprint."""
    knowledge = product_knowledge(product)
    title = f"{knowledge.profile.name} FAQ"
    passages = [
        Passage(title=title, headings=[entry.id.replace("_", " ").capitalize()], text=entry.answer)
        for entry in knowledge.faq.entries
    ]
    payload = "\n".join(p.model_dump_json() for p in passages)
    return passages, hashlib.blake2b(payload.encode(), digest_size=12).hexdigest()


def index_faq(base: KnowledgeBase, product: str) -> None:
    """Keep the product's FAQ indexed as one of its sources (re-indexed when it changes)."""
    passages, digest = faq_passages(product)
    base.replace_source(faq_source_id(product), product, passages, kind="faq", digest=digest)


def answer_questions(
    questions: Sequence[str],
    product: str | None,
    base: KnowledgeBase | None,
    settings: KnowledgeSettings,
) -> KnowledgeAnswers:
    """The FAQ's answers, then the sources' passages, then what is left for the seller
    (`product` None: the QUALIFY_PRODUCT setting, as everywhere a product is named)."""
    product = product or get_settings().product
    knowledge = product_knowledge(product)
    answers = KnowledgeAnswers()
    for question in questions:
        entry = knowledge.faq.answer_for(question)
        if entry is not None:
            answers.from_faq.append((question, entry))
            continue
        hit = None
        if base is not None:
            # The FAQ's own matcher has spoken: its passages, matched by words alone, answered
            # 5 of the 257 dev questions it leaves open, all wrongly.
            hits = base.search(question, product, SEARCHED_PASSAGES, documents_only=True)
            hit = best_passage(
                question,
                hits,
                min_score=settings.min_score,
                also_known=f"{knowledge.profile.name} {' '.join(knowledge.profile.competitors)}",
            )
        if hit is None:
            answers.unanswered.append(question)
        else:
            quote = quote_for(question, hit.text, settings.quote_words)
            answers.from_sources.append(SourcedAnswer(question=question, hit=hit, quote=quote))
    return answers


# -- the sources in force in a node --------------------------------------------------------

_in_force: ContextVar[tuple[KnowledgeBase, KnowledgeSettings, list[str]] | None] = ContextVar(
    "qualify_knowledge_sources", default=None
)


def use_knowledge_sources(base: KnowledgeBase, settings: KnowledgeSettings) -> Callable[[], None]:
    """Answer from this index with these settings in the current node; returns a function
    that restores the previous setting."""
    token = _in_force.set((base, settings, []))
    return lambda: _in_force.reset(token)


def answers_for(product: str | None, questions: Sequence[str]) -> KnowledgeAnswers:
    """`answer_questions` with the sources in force (the FAQ alone outside a node that set
    them); the passages used are remembered for the content check (`quoted_passages`)."""
    in_force = _in_force.get()
    base, settings = (in_force[0], in_force[1]) if in_force else (None, KnowledgeSettings())
    answers = answer_questions(questions, product, base, settings)
    if in_force is not None:
        in_force[2].extend(a.hit.text for a in answers.from_sources)
    return answers


def quoted_passages() -> list[str]:
    """The passages answers were written from in the current node: an email may state
    what they say."""
    in_force = _in_force.get()
    return list(in_force[2]) if in_force else []
