"""Sentences of a reply and cue matching: the pieces every rule of the reply reader uses.

The text is split into sentences, each an exact slice; each rule is a set of cue phrases
(English in `intent_cues`, the other languages in `cues/<lang>.yaml`), matched case-insensitively
per sentence. Positive cues ("let's set up a call", "interested") do not count when a
negation shortly precedes them in the same clause ("no need to set up a call", "not
interested").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from graphs.reply_reader.cue_openings import candidates, per_pattern
from graphs.reply_reader.dates import MONTH_PATTERN

_I = re.IGNORECASE


def any_of(*patterns: str, flags: int = 0) -> re.Pattern[str]:
    """One case-insensitive pattern matching any of `patterns`; a space matches any spacing
    (hard-wrapped lines put a line break inside a phrase, a comma a pause: "Tuesday, 3 pm")
    and " ?" optional spacing."""
    joined = _spaces("|".join(f"(?:{p})" for p in patterns))
    return re.compile(joined, _I | flags)


def _spaces(pattern: str) -> str:
    """Spaces outside character classes made flexible: " ?" any spacing or none, " " a
    comma, semicolon or colon and spacing, or spacing alone."""
    out: list[str] = []
    in_class = escaped = False
    i = 0
    while i < len(pattern):
        ch = pattern[i]
        if escaped:
            out.append(ch)
            escaped = False
        elif ch == "\\":
            out.append(ch)
            escaped = True
        elif in_class:
            out.append(ch)
            in_class = ch != "]"
        elif ch == "[":
            out.append(ch)
            in_class = True
            if pattern[i + 1 : i + 2] == "^":
                out.append("^")
                i += 1
            if pattern[i + 1 : i + 2] == "]":  # a literal "]" first in the class
                out.append("]")
                i += 1
        elif ch == " " and pattern[i + 1 : i + 2] == "?":
            out.append(r"\s*")
            i += 1
        elif ch == " ":
            out.append(r"[,;:]?\s+")
        else:
            out.append(ch)
        i += 1
    return "".join(out)


@dataclass(frozen=True)
class Sentence:
    """A sentence of the cleaned reply: its exact text and where it sits."""

    text: str
    start: int
    end: int
    paragraph: int


_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"')\]]*\s+|(?<=[.!?])[\"')\]]*$")
_HARD_WRAP_MIN = 60


def split_sentences(text: str) -> list[Sentence]:
    """Sentences of `text`, each an exact slice; a line break ends a sentence unless the
    line looks hard-wrapped (long and followed by a lowercase continuation)."""
    out: list[Sentence] = []
    paragraph = 0
    for para in _spans(text, _PARAGRAPH_BREAK):
        lines = _spans(text, re.compile(r"\n"), *para)
        chunks: list[list[int]] = []
        for start, end in lines:
            line = text[start:end]
            if not line.strip():
                continue
            prev = chunks[-1] if chunks else None
            wrapped = (
                prev is not None
                and prev[1] - prev[0] >= _HARD_WRAP_MIN
                and not re.search(r"[.!?:;]\s*$", text[prev[0] : prev[1]])
                and re.match(r"\s*[a-z(]", line)
            )
            if wrapped and prev is not None:
                prev[1] = end
            else:
                chunks.append([start, end])
        for start, end in chunks:
            for s, e in _joined_abbreviations(text, _spans(text, _SENTENCE_END, start, end)):
                piece = text[s:e]
                stripped = piece.strip()
                if not stripped:
                    continue
                lead = len(piece) - len(piece.lstrip())
                out.append(Sentence(stripped, s + lead, s + lead + len(stripped), paragraph))
        paragraph += 1
    return out


# Titles and abbreviations end with a dot but not a sentence ("Dr. Patel", "z. B.").
_ABBREVIATION = re.compile(
    r"(?:^|\s)(?:dr|mr|mrs|ms|prof|st|hr|fr|sr|sra|dra|mme|mlle|me|herr|frau|nr|no|vs|etc|"
    r"e\.g|i\.e|z\.b|bzw|ca|approx|inc|ltd|co|corp|av|tel)\.\s*$",
    _I,
)


# "zum 1." then "April ...": a German-style date, not two sentences.
_DAY_WITH_PERIOD = re.compile(r"\b[0-3]?\d\.\s*$")
_MONTH_START = re.compile(rf"\s*(?:{MONTH_PATTERN}|[01]?\d\.)(?!\w)", _I)

# "1." alone is a list number: its item follows.
_LIST_NUMBER = re.compile(r"^\s*\d{1,2}\.\s*$")


def _joined_abbreviations(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Spans with a piece that ends in an abbreviation joined to the next one, and a day
    written with a period joined to its month ("zum 1. April", "am 15. 3.")."""
    out: list[tuple[int, int]] = []
    for start, end in spans:
        previous = text[out[-1][0] : out[-1][1]] if out else ""
        if out and (
            _ABBREVIATION.search(previous)
            or _LIST_NUMBER.match(previous)
            or (_DAY_WITH_PERIOD.search(previous) and _MONTH_START.match(text, start, end))
        ):
            out[-1] = (out[-1][0], end)
        else:
            out.append((start, end))
    return out


def _spans(
    text: str, separator: re.Pattern[str], start: int = 0, end: int | None = None
) -> list[tuple[int, int]]:
    """The (start, end) spans between `separator` matches in text[start:end]."""
    end = len(text) if end is None else end
    spans, cursor = [], start
    for m in separator.finditer(text, start, end):
        spans.append((cursor, m.start() if m.group(0).strip() == "" else m.end()))
        cursor = m.end()
    spans.append((cursor, end))
    return [(s, e) for s, e in spans if e > s]


def normalize(text: str) -> str:
    """Curly apostrophes straightened; same length, so match offsets stay valid."""
    return text.replace("\u2019", "'").replace("\u2018", "'")


# -- finding cues -------------------------------------------------------------------------

_NEGATION = re.compile(
    r"\b(?:not|no|never|don't|dont|do not|doesn't|does not|didn't|won't|will not|wouldn't|"
    r"isn't|aren't|can't|cannot|nor|without|hardly|rather not|no need to|kein\w*|nicht|nie|"
    r"pas|jamais|aucun\w*|nunca|jamás|ningún|ninguna|não|nao|nem|nenhum\w*)\b",
    _I,
)
_CLAUSE_BREAK = re.compile(r"[,;:]|\bbut\b|\bhowever\b|\baber\b|\bmais\b|\bpero\b", _I)


def _negated(sentence: str, at: int) -> bool:
    """True if a negation precedes position `at` in the same clause (within 40 chars)."""
    window = sentence[max(0, at - 40) : at]
    breaks = list(_CLAUSE_BREAK.finditer(window))
    if breaks:
        window = window[breaks[-1].end() :]
    return bool(_NEGATION.search(window))


# A pronoun hyphenated to its verb ("Envoyez-moi", "recontactez-nous", "enviem-me") is read
# as a word of its own, so a cue names the verb once for every person.
_CLITIC_HYPHEN = re.compile(
    r"(?<=\w)-(?=(?:moi|toi|nous|vous|le|la|les|lui|leur|y|en|me|te|se|nos|lhe|lhes)\b)", _I
)


@lru_cache(maxsize=8192)
def _for_cues(sentence: str) -> str:
    """The sentence as cues read it (apostrophes straightened, clitics apart); same length."""
    return _CLITIC_HYPHEN.sub(" ", normalize(sentence))


def forget_read_texts() -> None:
    """Drop the sentence forms kept for texts already read."""
    _for_cues.cache_clear()


def has_cue(pattern: re.Pattern[str], sentence: str, *, negatable: bool) -> bool:
    """True if `pattern` matches `sentence` somewhere a negation does not cancel
    (negations count only when `negatable`)."""
    text = _for_cues(sentence)
    return any(
        not (negatable and _negated(text, m.start()))
        for part in candidates(pattern, text)
        for m in part.finditer(text)
    )


# Sentences joined for one quick look: "." between them stops a cue's spacing and its
# word gaps from running into the next sentence (lookaheads included), and a line break
# keeps "^" and "$" at every sentence's edges.
_SEPARATOR = "\n.\n"


@per_pattern
def _over_lines(pattern: re.Pattern[str]) -> re.Pattern[str]:
    return re.compile(pattern.pattern, pattern.flags | re.MULTILINE)


def might_match(pattern: re.Pattern[str], sentences: list[Sentence]) -> bool:
    """False when `pattern` matches none of `sentences` (one search over all of them); True
    when it may, and `has_cue` decides per sentence. Most cues match no sentence at all."""
    joined = _SEPARATOR.join(_for_cues(s.text) for s in sentences)
    return any(part.search(joined) for part in candidates(_over_lines(pattern), joined))


def in_any_sentence(
    pattern: re.Pattern[str], sentences: list[Sentence], *, negatable: bool
) -> bool:
    """True if `pattern` is found in any of `sentences` (see `has_cue`)."""
    if not sentences or not might_match(pattern, sentences):
        return False
    return any(has_cue(pattern, s.text, negatable=negatable) for s in sentences)


def verbatim_quote(quote: str | None, text: str) -> str | None:
    """The exact slice of `text` that `quote` copies (ignoring case and spacing), or None."""
    if not quote:
        return None
    words = normalize(quote).strip().strip("\"'“”").split()
    if not words:
        return None
    pattern = r"\s+".join(re.escape(word) for word in words)
    m = re.search(pattern, normalize(text), _I)
    return text[m.start() : m.end()] if m else None
