"""The cue report: one row per cue alternative, suspects are single-dev-case cues."""

from __future__ import annotations

from evals.cue_report import CueFiring, alternatives, markdown_cue_report
from graphs.reply_reader.language_cues import act_cues
from graphs.reply_reader.sentences import any_of


def test_alternatives_are_the_cues_given_to_any_of() -> None:
    pattern = any_of(r"not (?:now|yet)", r"[- ]later|soon", r"\(x\|y\)")
    assert len(alternatives(pattern)) == 3


def test_every_language_adds_its_own_cues_after_the_english_ones() -> None:
    english = act_cues("en").unsubscribe
    german = alternatives(act_cues("de").unsubscribe)
    assert german[0] == f"(?:{english.pattern})"
    assert len(german) > 1


def test_a_cue_on_one_dev_case_and_no_test_case_is_a_suspect() -> None:
    one = CueFiring(act="meeting", origin="en #1", pattern="x", dev_cases=["replies-0001"])
    shared = CueFiring(act="meeting", origin="en #2", pattern="y", dev_cases=["a"], test_count=2)
    silent = CueFiring(act="meeting", origin="en #3", pattern="z")
    assert one.suspect and not shared.suspect and not silent.suspect
    text = markdown_cue_report([one, shared, silent])
    assert "3 cue alternatives; 1 fire on exactly one dev case" in text
    assert "| meeting | en #1 | replies-0001 |" in text
    # Test cases are counted, never named.
    assert "| meeting | en #2 | 1 | 2 |" in text
