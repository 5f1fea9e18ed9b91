"""The cue index narrows a search; it must never change what a cue finds."""

from __future__ import annotations

import json
import re

import pytest

from evals.dataset_loader import default_dataset
from graphs.reply_reader import intent_cues
from graphs.reply_reader.cue_openings import candidates, cue_found, cue_openings, may_hold
from graphs.reply_reader.dates import _PATTERNS as DATE_PATTERNS
from graphs.reply_reader.language import READ_LANGUAGES
from graphs.reply_reader.language_cues import act_cues
from graphs.reply_reader.mail_headers import _BOUNCE
from graphs.reply_reader.sentences import any_of, split_sentences


@pytest.mark.parametrize(
    ("pattern", "keys"),
    [
        (r"\bunsub\w*", {"p:unsub"}),
        (r"\bdrop me a line\b", {"w:drop"}),
        (r"(?:^|\s)remove\s+me", {"w:remove"}),
        (r"^\W*oh,? great\b", {"w:great"}),
        (r"\b(?:we|i) would be keen\b", {"w:would"}),
        (r"\b[dD]rop", {"p:drop"}),
        # The parser folds the shared "q" out of the group; the key is as wide as that.
        (r"\b(?:q[1-4]|quarter)\b", {"p:q"}),
    ],
)
def test_keys_are_read_from_the_pattern(pattern: str, keys: set[str]) -> None:
    assert cue_openings(re.compile(pattern, re.IGNORECASE)) == keys


@pytest.mark.parametrize(
    "pattern",
    [r"\d+ ?(?:k|m)\b", r"[a-z]+ing\b", r"(?:we)?", r"x|\bfoo", r"(?<=@)\w+"],
)
def test_a_start_that_cannot_be_read_is_always_searched(pattern: str) -> None:
    compiled = re.compile(pattern, re.IGNORECASE)
    assert cue_openings(compiled) is None
    assert may_hold(compiled, "nothing of the kind")


def test_a_cue_not_anchored_at_a_word_is_always_searched() -> None:
    loose = re.compile("sub", re.IGNORECASE)
    assert cue_openings(loose) is None
    assert cue_found(loose, "resubmit")


def test_case_and_curly_apostrophes_are_read_as_the_cue_reads_them() -> None:
    cue = any_of(r"don't call", r"no thanks")
    assert cue_found(cue, "DON'T CALL again")
    assert not cue_found(cue, "call me tomorrow")


def _all_cues() -> list[re.Pattern[str]]:
    cues = [v for v in vars(intent_cues).values() if isinstance(v, re.Pattern)]
    for language in READ_LANGUAGES:
        cues.extend(v for v in vars(act_cues(language)).values() if isinstance(v, re.Pattern))
    cues.extend(pattern for _, pattern in DATE_PATTERNS)
    cues.append(_BOUNCE)
    return cues


def test_narrowed_search_finds_exactly_what_the_whole_cue_finds_on_every_dev_reply() -> None:
    lines = default_dataset("replies").read_text(encoding="utf-8").splitlines()
    texts = [json.loads(line)["input"]["reply"] for line in lines if line.strip()]
    sentences = [s.text for text in texts[::5] for s in split_sentences(text)]
    cues = _all_cues()
    assert len(cues) > 60
    checked = 0
    for cue in cues:
        for text in [*texts[::23], *sentences[::17]]:
            found = cue.search(text) is not None
            assert cue_found(cue, text) == found, (cue.pattern[:80], text[:80])
            # A part matches only where the whole cue matches.
            for part in candidates(cue, text):
                assert all(cue.match(text, m.start()) for m in part.finditer(text))
            checked += 1
    assert checked > 3_000
