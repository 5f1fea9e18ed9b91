"""The grounding check: every checkable claim in an email traces to a source (issue 12).

An email may state only what the agent can show: facts about the lead and their company
from the CRM and the verified research, claims about our product from the admin's
product profile and FAQ, and what the lead wrote. Without understanding prose, two kinds
of claim can be checked against those sources:
- **figures**: numbers, percentages, amounts and comparative magnitudes ("4x faster",
  "cut by a fifth"), compared by value so "240M" matches "240,000,000";
- **names**: capitalised words mid-sentence (a customer, a place, a product), in
  languages that capitalise only proper nouns.
What the email proposes rather than claims (a 20-minute call, Tuesday at 10:00, the 14th
of March) is not checked. Pure functions: the callers gather the sources.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterable
from dataclasses import dataclass

from core.crm_figures import SCALE_WORDS
from graphs.reply_reader.language import detect_language

_SCALE = "|".join(re.escape(w) for w in sorted(SCALE_WORDS, key=len, reverse=True))
_NUMBER = re.compile(
    r"(?<![\w.,])(?P<int>\d{1,3}(?:[,.\u202f\u00a0 ]\d{3})+|\d+)(?:[.,](?P<frac>\d+))?"
    rf"(?:\s?(?P<scale>{_SCALE})\.?(?![^\W\d_]))?"
    r"(?:\s?(?:%|percent\b|per\s?cent\b|prozent\b|pour\s?cent\b|por\s?ciento\b))?",
    re.IGNORECASE,
)
# Words that make a magnitude claim without digits: "by a fifth", "halved", "three times".
_FRACTIONS = {
    "half": 50.0, "a third": 100 / 3, "one third": 100 / 3, "a quarter": 25.0,
    "one quarter": 25.0, "a fifth": 20.0, "one fifth": 20.0, "a tenth": 10.0,
    "one tenth": 10.0, "two thirds": 200 / 3, "three quarters": 75.0,
}  # fmt: skip
_WORD_NUMBERS = {
    "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "twenty": 20, "fifty": 50, "hundred": 100,
}  # fmt: skip
_FRACTION_CLAIM = re.compile(
    r"\b(?:by|to|over|nearly|almost|about|roughly|than)\s+(?P<word>"
    + "|".join(sorted(_FRACTIONS, key=len, reverse=True))
    + r")\b",
    re.IGNORECASE,
)
_MULTIPLE_CLAIM = re.compile(
    r"\b(?P<word>" + "|".join(_WORD_NUMBERS) + r")(?:\s+times|-?fold)\b"
    r"|\b(?P<verb>doubled?|doubles|doubling|tripled?|triples|tripling|halved?|halves|halving)\b",
    re.IGNORECASE,
)
_VERB_VALUES = {"doub": 2.0, "trip": 3.0, "halv": 50.0}

# Proposals and pointers, not claims: durations, clock times, days of a month, quarters.
_MONTHS = "|".join(
    name.lower() for name in (*calendar.month_name[1:], *calendar.month_abbr[1:]) if name
)
_NOT_A_CLAIM = re.compile(
    r"\b\d+(?:[.,]\d+)?[\s-]?(?:minutes?|mins?|hours?|hrs?|h)\b"
    r"|\b\d{1,2}(?::\d{2})?\s?(?:am|pm|a\.m\.|p\.m\.|uhr|h\d{2})"
    r"|\b\d{1,2}:\d{2}\b"
    rf"|\b\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?(?:{_MONTHS})\b"
    rf"|\b(?:{_MONTHS})\.?\s+\d{{1,2}}(?:st|nd|rd|th)?\b(?!\s*\d)"
    r"|\bq[1-4]\b|\b\d+(?:st|nd|rd|th)\b",
    re.IGNORECASE,
)
_LINK_OR_ADDRESS = re.compile(
    r"(?:https?://|www\.)\S+|\b[\w.+-]+@[\w.-]+\.\w+|\b(?:[a-z0-9-]+\.)+[a-z]{2,}/\S*",
    re.IGNORECASE,
)
_SENTENCE = re.compile(r"(?<=[.!?])\s+|\n+")
# Languages that capitalise common nouns too: a capital there says nothing about a name.
_NOUN_CAPITALISING = frozenset({"de", "lb"})
_NAME = re.compile(r"(?<![\w'’-])([A-Z][\w&'’-]*(?:\s+[A-Z][\w&'’-]*)*)")
_COMMON_CAPITALS = frozenset(
    {"i", "i'm", "i'd", "i'll", "i've", "i’m", "i’d", "i’ll", "i’ve", "ok", "okay"}
    | {d.lower() for d in (*calendar.day_name, *calendar.day_abbr)}
    | {m.lower() for m in (*calendar.month_name, *calendar.month_abbr) if m}
)


@dataclass(frozen=True)
class UnsupportedClaim:
    """A sentence of the email and the figure or name in it that no source supports."""

    sentence: str
    term: str

    def marked(self) -> str:
        """The sentence with the unsupported term between ⟦ ⟧, for the reviewer."""
        return self.sentence.replace(self.term, f"⟦{self.term}⟧", 1)


def _number_value(match: re.Match[str]) -> float:
    digits = re.sub(r"\D", "", match.group("int"))
    value = float(f"{digits}.{match.group('frac')}" if match.group("frac") else digits)
    scale = (match.group("scale") or "").lower()
    return value * SCALE_WORDS.get(scale, 1.0)


@dataclass(frozen=True)
class _Figure:
    written: str
    value: float
    unit: str | None  # what is counted: "%", "times", "warehouse"; None for a bare number


# After a figure: the rest of a range ("8–12 %"), then what it counts.
_UNIT = re.compile(r"\s*(?:[–-]\s*\d+(?:[.,]\d+)?\s*)?(%|×|x\b|[^\W\d_]+)")
_UNIT_SYNONYMS = {"×": "times", "x": "times", "fold": "times", "percent": "%", "per": "%"}
SMALL_FIGURE = 100
"""Below this a bare value proves nothing (a 3 is in every FAQ): what it counts must match."""


def _unit(text: str, end: int, written: str) -> str | None:
    if written.rstrip().endswith(("%", "cent", "ciento", "prozent")):
        return "%"
    match = _UNIT.match(text, end)
    if match is None:
        return None
    word = match.group(1).lower()
    word = _UNIT_SYNONYMS.get(word, word)
    return word[:-1] if len(word) > 3 and word.endswith("s") else word


def _figures(text: str) -> list[_Figure]:
    """Each figure the text states: as written, its value, and what it counts."""
    text = _LINK_OR_ADDRESS.sub(" ", text)
    text = _NOT_A_CLAIM.sub(" ", text)
    found = [
        _Figure(m.group().strip(), _number_value(m), _unit(text, m.end(), m.group()))
        for m in _NUMBER.finditer(text)
    ]
    for m in _FRACTION_CLAIM.finditer(text):
        found.append(_Figure(m.group("word"), _FRACTIONS[m.group("word").lower()], "%"))
    for m in _MULTIPLE_CLAIM.finditer(text):
        if m.group("word"):
            value = float(_WORD_NUMBERS[m.group("word").lower()])
            found.append(_Figure(m.group(), value, "times"))
        else:
            verb = m.group("verb").lower()
            value = next(v for k, v in _VERB_VALUES.items() if k in verb)
            found.append(_Figure(m.group("verb"), value, "%" if value == 50.0 else "times"))
    return found


def _supported(claim: _Figure, known: Iterable[_Figure]) -> bool:
    """A source states the same value; for a small one, counting the same thing (a bare
    CRM field, such as a headcount of 45, supports any unit)."""
    for fact in known:
        if abs(claim.value - fact.value) > 0.005 * max(abs(fact.value), 1e-9):
            continue
        if claim.value >= SMALL_FIGURE or fact.unit is None or fact.unit == claim.unit:
            return True
    return False


def _names(sentence: str) -> list[str]:
    """Capitalised words past the sentence's first word: a candidate proper name each."""
    words = sentence.lstrip(" -*>•\t\"'“(")
    first = re.match(r"[\w'’-]+", words)
    start = first.end() if first else 0
    names = []
    for match in _NAME.finditer(words, start):
        name = re.sub(r"['’]s?$", "", match.group(1)).strip("-")  # "Contoso's" names Contoso
        tokens = [t for t in name.split() if t.lower() not in _COMMON_CAPITALS]
        # All-capital tokens are acronyms and units (ERP, CFO, SMS), not names.
        if tokens and not all(t.isupper() for t in tokens):
            names.append(" ".join(tokens))
    return names


def unsupported_claims(subject: str, body: str, sources: Iterable[str]) -> list[UnsupportedClaim]:
    """The figures and names in the email that no source states; empty when all are."""
    texts = [t for t in sources if t]
    known = [figure for text in texts for figure in _figures(text)]
    known_words = " ".join(re.sub(r"\s+", " ", t.lower()) for t in texts)
    check_names = detect_language(body) not in _NOUN_CAPITALISING
    claims: list[UnsupportedClaim] = []
    for sentence in (s.strip() for s in _SENTENCE.split(f"{subject}\n{body}")):
        if not sentence:
            continue
        for figure in _figures(sentence):
            if not _supported(figure, known):
                claims.append(UnsupportedClaim(sentence, figure.written))
        if not check_names:
            continue
        for name in _names(sentence):
            if not re.search(rf"(?<!\w){re.escape(name.lower())}(?!\w)", known_words):
                claims.append(UnsupportedClaim(sentence, name))
    return claims
