"""The random draws and text folding that every part of the sample generator shares.

One `Draws` goes to every builder, so that every random choice of a run comes from one
`random.Random`, in the order the builders are called: the same seed gives the same data.
"""

from __future__ import annotations

import math
import random
import unicodedata
from dataclasses import dataclass
from datetime import datetime

import sample_crm.names as vocab


@dataclass
class Person:
    """A name drawn for a contact, a lead or a person in the news."""

    first: str
    last: str
    origin: str


class Draws:
    """The run's one `random.Random`, its `now`, and the draws several kinds of rows need."""

    def __init__(self, rng: random.Random, now: datetime) -> None:
        self.rng = rng
        self.now = now

    def person(self, country: str) -> Person:
        origins = vocab.COUNTRIES[country].origins
        origin = (
            self.rng.choice(origins)
            if self.rng.random() < 0.75
            else self.rng.choice(list(vocab.FIRST_NAMES))
        )
        return Person(
            self.rng.choice(vocab.FIRST_NAMES[origin]),
            self.rng.choice(vocab.LAST_NAMES[origin]),
            origin,
        )

    def phone(self, country: str) -> str:
        dial = vocab.COUNTRIES[country].dial_code
        r = self.rng
        return f"{dial} {r.randint(20, 99)} {r.randint(100, 999)} {r.randint(1000, 9999)}"

    def country_label(self, country: str, variant_share: float = 0.15) -> str:
        variants = vocab.COUNTRIES[country].variants
        return self.rng.choice(variants) if self.rng.random() < variant_share else country


def quota(rng: random.Random, n: int, shares: dict[str, float]) -> list[str]:
    """`n` labels in the given shares (largest remainder), shuffled."""
    raw = {k: n * v / sum(shares.values()) for k, v in shares.items()}
    counts = {k: math.floor(v) for k, v in raw.items()}
    by_remainder = sorted(raw, key=lambda k: raw[k] - counts[k], reverse=True)
    for k in by_remainder[: n - sum(counts.values())]:
        counts[k] += 1
    labels = [k for k, c in counts.items() for _ in range(c)]
    rng.shuffle(labels)
    return labels


def weighted(rng: random.Random, weights: dict[str, float]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def fold(text: str) -> str:
    """ASCII lower-case letters and digits only: for domains and email local parts."""
    text = text.replace("ß", "ss").replace("ł", "l").replace("Ł", "L").replace("ı", "i")
    text = text.replace("&", "and")
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(ch for ch in ascii_text.lower() if ch.isalnum())
