"""BANT (budget, authority, need, timing) of a reply, with the lead's own words as evidence.

- Budget, authority: cues in the reply's language (`bant_cues`, `cues/<lang>.yaml`).
- Need: the product's problems in the lead's words (its profile), or a product-neutral
  statement of pain; a problem she says she does not have, or a tool she built or is happy
  with, is not met.
- Timing: a date she names (`dates`) within six months of the reply is met, a later one
  not met; urgency and deferral wording count too.
- Authority from the text first ("I'll need to run it by our CFO" is not met whatever the
  title); a senior job title counts only when the text is silent.

Evidence is a verbatim substring of the cleaned reply (the sentence that carries the cue),
except authority from a job title (evidence "Job title: ...") and dimensions carried over
from earlier replies: a dimension judged in an earlier reply keeps that verdict (and its
quote) until a later reply says otherwise.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from functools import lru_cache

from core.conversation import ConversationTurn
from core.icp_profile import Seniority
from core.reply_reading import Bant, BantItem, BantVerdict
from graphs.icp.title import classify_title
from graphs.reply_reader.dates import find_dates
from graphs.reply_reader.language_cues import ActCues
from graphs.reply_reader.sentences import Sentence, has_cue, might_match, normalize

BANT_DIMENSIONS = ("budget", "authority", "need", "timing")
SENIOR_LEVELS = frozenset({Seniority.C_LEVEL, Seniority.VP, Seniority.DIRECTOR, Seniority.HEAD})
# "Timing: a date or event within six months of the reply."
TIMING_HORIZON_DAYS = 183


def _by_cues(sentences: list[Sentence], met: re.Pattern[str], not_met: re.Pattern[str]) -> BantItem:
    """A not-met cue wins, else the first met one (a negated met cue does not count)."""
    found = BantItem()
    if not (might_match(not_met, sentences) or might_match(met, sentences)):
        return found
    for sentence in sentences:
        if not_met.search(normalize(sentence.text)):
            return BantItem(verdict=BantVerdict.NOT_MET, evidence=sentence.text)
        if found.verdict == BantVerdict.UNKNOWN and has_cue(met, sentence.text, negatable=True):
            found = BantItem(verdict=BantVerdict.MET, evidence=sentence.text)
    return found


def _need(
    sentences: list[Sentence],
    cues: ActCues,
    problems: re.Pattern[str] | None,
    keywords: re.Pattern[str] | None = None,
) -> BantItem:
    """The lead's stated pain: one of the product's problems in her words, a problem's
    keyword with a word of pain ("fuel is eating our margin"), or product-neutral wording."""
    said = _by_cues(sentences, cues.need_met, cues.need_not_met)
    if said.verdict == BantVerdict.NOT_MET:
        return said
    for sentence in sentences:
        text = normalize(sentence.text)
        named = problems is not None and problems.search(text)
        keyed = keywords is not None and keywords.search(text) and cues.pain.search(text)
        if not (named or keyed):
            continue
        pattern = problems if named else cues.pain
        assert pattern is not None
        if has_cue(pattern, sentence.text, negatable=True):
            return (
                said
                if said.verdict == BantVerdict.MET
                else BantItem(verdict=BantVerdict.MET, evidence=sentence.text)
            )
        # "We don't have no-shows": the problem is named and denied.
        return BantItem(verdict=BantVerdict.NOT_MET, evidence=sentence.text)
    return said


def _timing(
    sentences: list[Sentence], cues: ActCues, received_on: date, day_first: bool
) -> BantItem:
    """A date named within six months is met, a later one not met; else timing wording.
    The date of a meeting the lead proposes is not a purchase timeline."""
    said = _by_cues(sentences, cues.timing_met, cues.timing_not_met)
    if said.verdict == BantVerdict.NOT_MET:
        return said
    horizon = received_on + timedelta(days=TIMING_HORIZON_DAYS)
    for sentence in sentences:
        if has_cue(cues.meeting, sentence.text, negatable=True):
            # "A call on Friday" dates the call, not the purchase.
            continue
        named = [
            m.on
            for m in find_dates(sentence.text, received_on, day_first=day_first)
            if m.on >= received_on
        ]
        if not named:
            continue
        if max(named) > horizon:
            return BantItem(verdict=BantVerdict.NOT_MET, evidence=sentence.text)
        if said.verdict == BantVerdict.UNKNOWN:
            said = BantItem(verdict=BantVerdict.MET, evidence=sentence.text)
    return said


def read_bant(
    sentences: list[Sentence],
    cues: ActCues,
    *,
    received_on: date,
    problems: re.Pattern[str] | None = None,
    keywords: re.Pattern[str] | None = None,
    day_first: bool = True,
) -> Bant:
    """BANT of `sentences` read with the cues of their language; `problems` are the
    product's problems in buyers' words (its profile)."""
    return Bant(
        budget=_by_cues(sentences, cues.budget_met, cues.budget_not_met),
        authority=_by_cues(sentences, cues.authority_met, cues.authority_not_met),
        need=_need(sentences, cues, problems, keywords),
        timing=_timing(sentences, cues, received_on, day_first),
    )


@lru_cache(maxsize=4096)
def _senior(job_title: str) -> bool:
    return classify_title(job_title).seniority in SENIOR_LEVELS


def title_authority(job_title: str | None) -> BantItem | None:
    """Authority met from a senior job title (c-level, VP, director, head), else None."""
    if not job_title or not _senior(job_title):
        return None
    return BantItem(verdict=BantVerdict.MET, evidence=f"Job title: {job_title.strip()}")


def apply_title_authority(bant: Bant, job_title: str | None) -> Bant:
    """The BANT with authority met when the job title is senior and the text is silent.

    The text comes first: a VP who will "run it by our CFO" does not decide this one.
    """
    if bant.authority.verdict != BantVerdict.UNKNOWN:
        return bant
    from_title = title_authority(job_title)
    if from_title is None:
        return bant
    return bant.model_copy(update={"authority": from_title})


def carry_over_bant(bant: Bant, conversation: list[ConversationTurn] | None) -> Bant:
    """Dimensions this reply leaves unknown take the latest earlier verdict (with its quote)."""
    earlier = [
        turn.reading.bant
        for turn in conversation or []
        if turn.direction == "inbound" and turn.reading is not None
    ]
    updates: dict[str, BantItem] = {}
    for dimension in BANT_DIMENSIONS:
        if getattr(bant, dimension).verdict != BantVerdict.UNKNOWN:
            continue
        for previous in reversed(earlier):
            item: BantItem = getattr(previous, dimension)
            if item.verdict != BantVerdict.UNKNOWN:
                updates[dimension] = item
                break
    return bant.model_copy(update=updates) if updates else bant
