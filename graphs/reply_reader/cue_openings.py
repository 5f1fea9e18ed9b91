"""The words a cue can open with, so a reply is searched only for cues it might hold.

Python's regex engine tries every alternative of a large cue at every word, so reading
one reply against every cue costs far more than the reply's length suggests. A cue that
starts at a word (they all do; see `language_cues`) can only match a reply that has a word
opening with one of the cue's first letters, and a set lookup settles that before the
search. The openings are read from the compiled pattern itself, never written by hand, and
are a superset of what can match: a cue whose start cannot be read is always searched.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TypeVar

try:  # Python 3.11+ keeps the parser here; `sre_parse` is its deprecated alias.
    from re import _constants as _c
    from re import _parser as _sre_parse
except ImportError:  # pragma: no cover
    import sre_constants as _c  # type: ignore[no-redef]
    import sre_parse as _sre_parse  # type: ignore[no-redef]

_WORD = re.compile(r"\w+")
_REPEATS = (_c.MAX_REPEAT, _c.MIN_REPEAT, getattr(_c, "POSSESSIVE_REPEAT", _c.MAX_REPEAT))
_WORD_STARTS = (_c.AT_BOUNDARY, _c.AT_BEGINNING, _c.AT_BEGINNING_STRING)

Items = list[tuple[object, object]]
Keys = frozenset[str]


F = TypeVar("F")


def per_pattern(build: Callable[[re.Pattern[str]], F]) -> Callable[[re.Pattern[str]], F]:
    """Memoise `build` per compiled pattern, by identity: hashing a compiled pattern hashes
    its whole program (microseconds for a large cue), and cues live as long as the process.
    The pattern is kept with its value, so its identity cannot be reused."""
    memo: dict[int, tuple[re.Pattern[str], F]] = {}

    def built(pattern: re.Pattern[str]) -> F:
        found = memo.get(id(pattern))
        if found is None:
            found = memo[id(pattern)] = (pattern, build(pattern))
        return found[1]

    return built


def _is_word_char(code: int) -> bool:
    return bool(_WORD.fullmatch(chr(code)))


def _never_word(item: Items) -> bool:
    """True if `item` matches only characters that cannot be part of a word."""
    if len(item) != 1:
        return False
    op, av = item[0]
    if op is _c.LITERAL:
        return not _is_word_char(av)  # type: ignore[arg-type]
    if op is _c.IN:
        return all(
            (kind is _c.LITERAL and not _is_word_char(value))  # type: ignore[arg-type]
            or (kind is _c.CATEGORY and value in (_c.CATEGORY_NOT_WORD, _c.CATEGORY_SPACE))
            for kind, value in av  # type: ignore[union-attr]
        )
    return False


def _literal_run(items: Items) -> tuple[str, int]:
    """The word letters the leading items spell, and how many items spell them."""
    letters = ""
    for op, av in items:
        if op is not _c.LITERAL or not _is_word_char(av):  # type: ignore[arg-type]
            break
        letters += chr(av).lower()  # type: ignore[arg-type]
    return letters, len(letters)


def _ends_word(items: Items, after_ends_word: bool) -> bool:
    """True if whatever the items match starts with a character no word can hold."""
    for op, av in items:
        if op is _c.AT:
            if av is _c.AT_BOUNDARY:
                return True
            continue
        if _never_word([(op, av)]):
            return True
        if op in _REPEATS and _never_word(list(av[2])):  # type: ignore[index]
            if av[0] > 0:  # type: ignore[index]
                return True
            continue
        return False
    return after_ends_word


def _ends_at_word_start(items: Items) -> bool:
    """True if what follows a match of the items starts a word whenever it is a letter."""
    if not items:
        return False
    op, av = items[-1]
    if op is _c.AT:
        return av in _WORD_STARTS
    if op in _REPEATS:
        return av[0] > 0 and _never_word(list(av[2]))  # type: ignore[index]
    return _never_word([(op, av)])


def _requirements(items: Items, word_start: bool, after_ends_word: bool) -> list[Keys]:
    """The key sets a match of the sequence must meet, each by holding one of its keys."""
    found: list[Keys] = []
    items = list(items)
    while items:
        (op, av), rest = items[0], items[1:]
        if op is _c.SUBPATTERN:
            items = list(av[-1]) + rest  # type: ignore[index]
            continue
        if op is _c.AT:
            word_start = word_start or av in _WORD_STARTS
        elif op in (_c.ASSERT, _c.ASSERT_NOT):
            pass  # zero width: the next character is still what follows
        elif _never_word([(op, av)]):
            word_start = True
        elif op is _c.IN and word_start and all(kind is _c.LITERAL for kind, _ in av):  # type: ignore[union-attr]
            run, length = _literal_run(rest)
            whole = _ends_word(rest[length:], after_ends_word)
            found.append(frozenset(("w:" if whole else "p:") + chr(c).lower() + run for _, c in av))  # type: ignore[union-attr]
            items, word_start = rest[length:], False
            continue
        elif op is _c.LITERAL:
            run, length = _literal_run(items)
            if word_start:
                whole = _ends_word(items[length:], after_ends_word)
                found.append(frozenset({("w:" if whole else "p:") + run}))
            items, word_start = items[length:], False
            continue
        elif op is _c.BRANCH:
            closes = _ends_word(rest, after_ends_word)
            alternatives = [
                _best(_requirements(list(branch), word_start, closes))
                for branch in av[1]  # type: ignore[index]
            ]
            if all(alternatives):
                found.append(frozenset().union(*alternatives))  # type: ignore[arg-type]
            word_start = all(_ends_at_word_start(list(branch)) for branch in av[1])  # type: ignore[index]
        elif op in _REPEATS:
            low, _, item = av  # type: ignore[misc]
            if _never_word(list(item)):
                word_start = word_start if low == 0 else True
            else:
                if low > 0:
                    once = _best(_requirements(list(item), word_start, False))
                    if once:
                        found.append(once)
                word_start = False
        else:
            word_start = False
        items = rest
    return found


def _strength(keys: Keys) -> tuple[int, int]:
    # A set is as selective as its shortest key; fewer keys break ties.
    return min(len(key) for key in keys), -len(keys)


def _best(requirements: list[Keys]) -> Keys | None:
    return max(requirements, key=_strength) if requirements else None


def _keys_of(source: str, flags: int) -> Keys | None:
    try:
        parsed = list(_sre_parse.parse(source, flags).data)
        return _best(_requirements(parsed, False, False))
    except Exception:
        return None


@per_pattern
def cue_openings(pattern: re.Pattern[str]) -> Keys | None:
    """Keys of which every match of `pattern` holds one ("w:word" for a whole word,
    "p:let" for a word's opening letters), or None when no such set can be read."""
    return _keys_of(pattern.pattern, pattern.flags)


@lru_cache(maxsize=16384)
def text_openings(text: str) -> frozenset[str]:
    """The keys `text` holds: each of its words whole, and each opening of each word."""
    return frozenset().union(*map(_word_keys, set(_WORD.findall(text.lower()))))


@lru_cache(maxsize=65536)
def _word_keys(word: str) -> frozenset[str]:
    return frozenset(("w:" + word, *("p:" + word[:size] for size in range(1, len(word) + 1))))


def may_hold(pattern: re.Pattern[str], text: str) -> bool:
    """False only when `pattern` cannot match `text`: it holds none of the cue's keys."""
    keys = cue_openings(pattern)
    return keys is None or not keys.isdisjoint(text_openings(text))


def top_level_alternatives(source: str) -> list[str]:
    """The alternatives of a pattern's source at its top level (`|` outside any group or
    character class), in order."""
    parts: list[str] = []
    depth, start, i, in_class = 0, 0, 0, False
    while i < len(source):
        ch = source[i]
        if ch == "\\":
            i += 2
            continue
        if in_class:
            in_class = ch != "]"
        elif ch == "[":
            in_class = True
            if source[i + 1 : i + 2] == "]" or source[i + 1 : i + 3] == "^]":
                i += 2 if source[i + 1] == "]" else 3
                continue
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == "|" and depth == 0:
            parts.append(source[start:i])
            start = i + 1
        i += 1
    parts.append(source[start:])
    return parts


def _split_top(source: str) -> list[str]:
    """The top-level alternatives of a pattern's source; an alternative that is one whole
    non-capturing group is opened and split in turn (cues nest `any_of` inside `any_of`)."""
    parts = top_level_alternatives(source)
    out: list[str] = []
    for part in parts:
        inner = part[3:-1] if part.startswith("(?:") and part.endswith(")") else None
        if inner is not None and _balanced(inner):
            out.extend(_split_top(inner))
        else:
            out.append(part)
    return out


def _balanced(source: str) -> bool:
    try:
        re.compile(source)
    except re.error:
        return False
    return True


@dataclass(frozen=True)
class _Alternatives:
    """A cue split into its alternatives, each compiled; a key maps to the bit set of the
    alternatives that need it, so choosing them is a few integer ORs."""

    patterns: tuple[re.Pattern[str], ...]
    always: int  # alternatives with no readable keys: always searched
    by_key: dict[str, int]
    keys: frozenset[str]
    chosen: dict[int, tuple[re.Pattern[str], ...]] = field(default_factory=dict)

    def parts(self, bits: int) -> tuple[re.Pattern[str], ...]:
        """The alternatives whose bits are set, in the cue's order."""
        found = self.chosen.get(bits)
        if found is None:
            found = tuple(p for n, p in enumerate(self.patterns) if bits >> n & 1)
            if len(self.chosen) < 4096:
                self.chosen[bits] = found
        return found


@per_pattern
def _alternatives(pattern: re.Pattern[str]) -> _Alternatives | None:
    sources = _split_top(pattern.pattern)
    if len(sources) < 2 or not all(_balanced(source) for source in sources):
        return None
    by_key: dict[str, int] = {}
    always = 0
    for number, source in enumerate(sources):
        keys = _keys_of(source, pattern.flags)
        if keys is None:
            always |= 1 << number
        for key in keys or ():
            by_key[key] = by_key.get(key, 0) | 1 << number
    return _Alternatives(
        tuple(re.compile(source, pattern.flags) for source in sources),
        always,
        by_key,
        frozenset(by_key),
    )


def candidates(pattern: re.Pattern[str], text: str) -> tuple[re.Pattern[str], ...]:
    """The parts of `pattern` worth searching `text` for: its alternatives that may match
    it, in their order (the whole pattern when it cannot be split). A match of `pattern`
    is a match of one of them; an alternative left out cannot match anywhere in `text`."""
    cue = _alternatives(pattern)
    if cue is None:
        return (pattern,) if may_hold(pattern, text) else ()
    bits = cue.always
    for key in cue.keys.intersection(text_openings(text)):
        bits |= cue.by_key[key]
    return cue.parts(bits) if bits else ()


def cue_found(pattern: re.Pattern[str], text: str) -> bool:
    """`pattern.search(text) is not None`, searching only the alternatives `text` may hold."""
    return any(part.search(text) for part in candidates(pattern, text))
