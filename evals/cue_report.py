"""Which reply-reading cue fires on which eval cases: patterns tuned to one case show up.

Every cue alternative of every act (English in `graphs/reply_reader/intent_cues.py` and
`bant_cues.py`, other languages in `cues/<lang>.yaml`) is matched on the lead's own text of
every `replies` and end-to-end `handoff` case, dev and test. A cue that fires on exactly one
dev case and no test case is listed as a suspect: it may exist for that case alone. Test
cases are counted, never named, so that nobody tuning rules is led to read them.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field, fields
from pathlib import Path

from evals.dataset_loader import load_datasets, split_datasets
from graphs.reply_reader.cue_openings import top_level_alternatives
from graphs.reply_reader.language import detect_language
from graphs.reply_reader.language_cues import ActCues, act_cues, languages_with_cues
from graphs.reply_reader.segmentation import clean_reply
from graphs.reply_reader.sentences import has_cue, split_sentences

SUITES = ("replies", "handoff")


@dataclass
class CueFiring:
    """One cue alternative and the cases it fires on."""

    act: str
    origin: str
    pattern: str
    dev_cases: list[str] = field(default_factory=list)
    test_count: int = 0

    @property
    def suspect(self) -> bool:
        """Fires on one dev case and nothing else."""
        return len(self.dev_cases) == 1 and self.test_count == 0


def alternatives(pattern: re.Pattern[str]) -> list[str]:
    """The top-level alternatives of a pattern built by `any_of` (one per cue)."""
    return top_level_alternatives(pattern.pattern)


def _firings(language: str) -> list[tuple[CueFiring, re.Pattern[str]]]:
    """Every alternative of every act for `language`, with where it comes from. A
    language's pattern is the English one (its first alternative, reported under "en")
    followed by the language's own cues."""
    own = act_cues(language)
    out = []
    for f in fields(ActCues):
        pattern = getattr(own, f.name)
        alts = alternatives(pattern)
        if language == "en":
            named = [(f"en #{i + 1}", alt) for i, alt in enumerate(alts)]
        elif pattern is getattr(act_cues("en"), f.name):
            named = []  # no cues of its own for this act
        else:
            named = [(f"cues/{language}.yaml #{i + 1}", alt) for i, alt in enumerate(alts[1:])]
        for origin, alt in named:
            firing = CueFiring(act=f.name, origin=origin, pattern=alt)
            out.append((firing, re.compile(alt, pattern.flags)))
    return out


def _cases(split: str) -> list[tuple[str, str]]:
    """(case id, reply text) of the replies and end-to-end handoff cases of a split."""
    out = []
    for suite in SUITES:
        paths = split_datasets(suite, split)
        if not paths:
            continue
        for case in load_datasets(paths, suite).cases:
            reply = getattr(case.input, "reply", None)
            text = reply if isinstance(reply, str) else getattr(reply, "reply", None)
            if text:
                out.append((case.id, text))
    return out


def cue_report(splits: tuple[str, ...] = ("dev", "test")) -> list[CueFiring]:
    """Every cue alternative with the dev cases and the number of test cases it fires on."""
    by_language = {lang: _firings(lang) for lang in ("en", *languages_with_cues())}
    for split in splits:
        for case_id, text in _cases(split):
            sentences = split_sentences(clean_reply(text[:50_000]).text)
            language = detect_language(" ".join(s.text for s in sentences)) or "en"
            checked = by_language["en"] + (
                by_language.get(language, []) if language != "en" else []
            )
            for firing, compiled in checked:
                if any(has_cue(compiled, s.text, negatable=False) for s in sentences):
                    if split == "test":
                        firing.test_count += 1
                    else:
                        firing.dev_cases.append(case_id)
    return [firing for firings in by_language.values() for firing, _ in firings]


def markdown_cue_report(report: list[CueFiring]) -> str:
    """The report as Markdown: a summary, the suspects, then every cue with its counts."""
    suspects = [f for f in report if f.suspect]
    silent = [f for f in report if not f.dev_cases and not f.test_count]
    lines = [
        "# Reply-reading cues and the eval cases they fire on",
        "",
        f"{len(report)} cue alternatives; {len(suspects)} fire on exactly one dev case and no "
        f"test case (suspects: maybe written for that case); {len(silent)} fire on no case.",
        "",
        "## Suspects",
        "",
        "| act | cue | dev case |",
        "|---|---|---|",
    ]
    lines += [f"| {f.act} | {f.origin} | {f.dev_cases[0]} |" for f in suspects]
    lines += ["", "## Every cue", "", "| act | cue | dev cases | test cases |", "|---|---|---|---|"]
    grouped: dict[str, list[CueFiring]] = defaultdict(list)
    for f in report:
        grouped[f.act].append(f)
    for act in sorted(grouped):
        for f in grouped[act]:
            lines.append(f"| {act} | {f.origin} | {len(f.dev_cases)} | {f.test_count} |")
    return "\n".join(lines) + "\n"


def write_cue_report(path: Path) -> list[CueFiring]:
    """Compute the report and write it as Markdown to `path`."""
    report = cue_report()
    path.write_text(markdown_cue_report(report), encoding="utf-8")
    return report
