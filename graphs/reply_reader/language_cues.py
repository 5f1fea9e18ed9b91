"""The reply acts' cues in each language the agent reads, as data (`cues/<lang>.yaml`).

English cues live in `intent_cues`; German, French, Spanish and Portuguese ones in one
YAML file per language, so adding a language is writing a file, not code. A file names
word classes once (`words:` negations, meeting nouns, weekdays, ...) and builds each
act's cues from them: `{neg}` in a cue stands for the class, `{gap}` for up to four
words and `{amount}` for an amount of money in any currency.
A reply is read with the English cues plus those of its own language: people mix English
sales words into their own language, and short replies are sometimes detected wrongly.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields
from functools import cache
from pathlib import Path

import yaml

import graphs.reply_reader.bant_cues as english_bant
import graphs.reply_reader.intent_cues as english
from graphs.reply_reader.injection import INJECTION
from graphs.reply_reader.interest import PRICING
from graphs.reply_reader.sentences import any_of

CUES_DIR = Path(__file__).parent / "cues"
# Up to four words between two parts of a cue ("kein {gap} Interesse").
_GAP = r"(?:[^\s.!?]+\s+){0,4}?"
_CLASS = re.compile(r"\{([a-z_]+)\}")


@dataclass(frozen=True)
class ActCues:
    """One pattern per reply act and per BANT verdict, in English and one other language."""

    unsubscribe: re.Pattern[str]
    departed: re.Pattern[str]
    out_of_office: re.Pattern[str]
    wrong_person: re.Pattern[str]
    copying: re.Pattern[str]
    sarcasm: re.Pattern[str]
    meeting: re.Pattern[str]
    not_now: re.Pattern[str]
    not_interested: re.Pattern[str]
    greeting: re.Pattern[str]
    question: re.Pattern[str]
    sender_question: re.Pattern[str]
    request: re.Pattern[str]
    commit: re.Pattern[str]
    plans: re.Pattern[str]
    pricing: re.Pattern[str]
    interested: re.Pattern[str]
    injection: re.Pattern[str]
    flat_no: re.Pattern[str]
    condition: re.Pattern[str]
    dissatisfied: re.Pattern[str]
    salutation: re.Pattern[str]
    tag_question: re.Pattern[str]
    recontact: re.Pattern[str]
    about_email: re.Pattern[str]
    for_good: re.Pattern[str]
    budget_met: re.Pattern[str]
    budget_not_met: re.Pattern[str]
    authority_met: re.Pattern[str]
    authority_not_met: re.Pattern[str]
    need_met: re.Pattern[str]
    need_not_met: re.Pattern[str]
    timing_met: re.Pattern[str]
    timing_not_met: re.Pattern[str]
    pain: re.Pattern[str]


class CueFileError(ValueError):
    """A language's cue file names an unknown act or word class, or has a bad pattern."""


def _expand(cue: str, words: dict[str, str], where: str) -> str:
    def word_class(m: re.Match[str]) -> str:
        name = m.group(1)
        if name == "gap":
            return _GAP
        if name == "amount":
            return english_bant.AMOUNT
        if name not in words:
            raise CueFileError(f"{where}: unknown word class {{{name}}}; define it under words:")
        return f"(?:{words[name]})"

    return _CLASS.sub(word_class, cue)


def _at_word_start(cue: str) -> str:
    """The cue anchored where a word starts (unless it anchors itself): cues name words, and
    the anchor spares the regex engine a try at every letter (the reader's speed)."""
    return cue if cue.startswith(("^", "\\b", "(?<")) else f"(?<!\\w)(?:{cue})"


def _language_patterns(language: str) -> dict[str, list[str]]:
    path = CUES_DIR / f"{language}.yaml"
    if not path.exists():
        return {}
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    words = {name: str(p) for name, p in (data.get("words") or {}).items()}
    acts = data.get("acts") or {}
    known = {f.name for f in fields(ActCues)}
    out: dict[str, list[str]] = {}
    for act, cues in acts.items():
        if act not in known:
            raise CueFileError(f"{path.name}: unknown act {act!r}; use one of {sorted(known)}")
        out[act] = [_at_word_start(_expand(str(c), words, f"{path.name}: {act}")) for c in cues]
    return out


_ENGLISH = {
    "unsubscribe": english.UNSUBSCRIBE,
    "departed": english.DEPARTED,
    "out_of_office": english.OUT_OF_OFFICE,
    "wrong_person": english.WRONG_PERSON,
    "copying": english.COPYING,
    "sarcasm": english.SARCASM,
    "meeting": english.MEETING,
    "not_now": english.NOT_NOW,
    "not_interested": english.NOT_INTERESTED,
    "greeting": english.GREETING,
    "question": english.QUESTION,
    "sender_question": english.SENDER_QUESTION,
    "request": english.REQUEST,
    "commit": english.COMMIT,
    "plans": english.PLANS,
    "pricing": PRICING,
    "interested": english.INTERESTED,
    "injection": INJECTION,
    "flat_no": english.FLAT_NO,
    "condition": english.CONDITION,
    "dissatisfied": english.DISSATISFIED,
    "salutation": english.SALUTATION,
    "tag_question": english.TAG_QUESTION,
    "recontact": english.RECONTACT,
    "about_email": english.ABOUT_EMAIL,
    "for_good": english.FOR_GOOD,
    "budget_met": english_bant.BUDGET_MET,
    "budget_not_met": english_bant.BUDGET_NOT_MET,
    "authority_met": english_bant.AUTHORITY_MET,
    "authority_not_met": english_bant.AUTHORITY_NOT_MET,
    "need_met": english_bant.NEED_MET,
    "need_not_met": english_bant.NEED_NOT_MET,
    "timing_met": english_bant.TIMING_MET,
    "timing_not_met": english_bant.TIMING_NOT_MET,
    "pain": english_bant.PAIN,
}


@cache
def act_cues(language: str | None) -> ActCues:
    """The cues to read a reply in `language` (ISO 639-1) with: English plus that language's."""
    own = _language_patterns(language) if language and language != "en" else {}
    compiled = {}
    for act, pattern in _ENGLISH.items():
        extra = own.get(act, [])
        multiline = pattern.flags & re.MULTILINE
        compiled[act] = any_of(pattern.pattern, *extra, flags=multiline) if extra else pattern
    return ActCues(**compiled)


def languages_with_cues() -> list[str]:
    """The languages that have a cue file, besides English."""
    return sorted(p.stem for p in CUES_DIR.glob("*.yaml"))
