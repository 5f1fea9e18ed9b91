"""Company names normalised for matching: one company, however a CRM or a page writes it."""

from __future__ import annotations

import re

_LEGAL_SUFFIXES = frozenset(
    [
        "inc",
        "incorporated",
        "corp",
        "corporation",
        "co",
        "company",
        "ltd",
        "limited",
        "llc",
        "plc",
        "gmbh",
        "ag",
        "sa",
        "sas",
        "bv",
        "nv",
        "ab",
        "as",
        "oy",
        "spa",
        "srl",
        "sl",
        "pty",
        "kk",
        "cv",
        "de",
        "group",
        "holding",
        "holdings",
    ]
)


def company_key(name: str) -> str:
    """A name normalised for matching: case, punctuation and trailing legal forms dropped."""
    tokens = re.sub(r"[^\w\s]", " ", name.lower().replace(".", "")).split()
    # Only trailing legal forms go ("Group" in "Group Nine Media" is part of the name).
    while len(tokens) > 1 and tokens[-1] in _LEGAL_SUFFIXES:
        tokens.pop()
    return " ".join(tokens)
