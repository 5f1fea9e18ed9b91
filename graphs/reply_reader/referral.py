"""The person a lead points to ("talk to my colleague X"): name, email and job title."""

from __future__ import annotations

import re

from core.icp_profile import Seniority
from core.reply_reading import ReferredPerson
from graphs.icp.title import classify_title
from graphs.reply_reader.mail_headers import EMAIL_ADDRESS

_NAME = (
    r"[A-ZÀ-Ý][a-zà-ÿ'’-]+(?:\s+(?:van|von|de|der|da|di|del|le|la)?\s*[A-ZÀ-Ý][a-zà-ÿ'’-]+){0,2}"
)
_TITLE_WORDS = r"(?:[A-Z][\w&/-]*|of|and|for|&)(?:\s+(?:[A-Z][\w&/-]*|of|and|for|&)){0,6}"
_NAME_BEFORE_EMAIL = re.compile(rf"(?P<name>{_NAME})\s*(?:\(|<|\[|-|–|,|at|:)?\s*$")
_REFERRAL_VERBS = (
    r"(?i:talk|speak|reach out|get in touch|connect|write|e-?mail|contact|ask|try(?: reaching)?|"
    r"cc'?ing|cc-ing|"
    r"copying|looping in|looped in|cc'?d|copied|forwarded (?:this|your (?:e-?mail|message|note))|"
    r"wenden sie sich|contactez|contacte)"
)
_NAME_AFTER_VERB = re.compile(
    rf"{_REFERRAL_VERBS}\s+(?i:(?:to|with|an|à|a)\s+)?(?:(?i:my colleague|our|my|mein\w*|notre|"
    rf"nuestro|nuestra)\s+)?(?:(?P<title>{_TITLE_WORDS}),?\s+)??(?P<name>{_NAME})"
)
_NAME_IS_RIGHT = re.compile(
    rf"(?P<name>{_NAME}),?\s+(?:\((?P<ptitle>[^)@\n]{{2,60}})\)\s+)?(?i:is|who is|who's)\s+"
    r"(?i:the|our|my)\s+(?i:right|best|correct)\s+(?i:person|contact)"
)
_TITLE_AFTER_NAME = re.compile(
    r"^\s*(?:,?\s+who(?:'s| is)\s+|,?\s+is\s+|,\s*|\s+\(|\s+-\s+)(?:(?i:our|the|my)\s+)?"
    r"(?P<title>[^,.;()\n@]{2,60}?)(?=\s*(?:\)|,|\.|;|\n|$|\s+(?i:and|who|at|on|she|he|they)\b))"
)
_BAD_TITLE = re.compile(
    r"\b(?:person|one|contact|guy|right|best|correct|colleague)\b", re.IGNORECASE
)
_NOT_A_NAME = frozenset(
    {
        "I",
        "We",
        "Our",
        "The",
        "This",
        "That",
        "Please",
        "Thanks",
        "Hi",
        "Hello",
        "She",
        "He",
        "They",
        "You",
        "Your",
        "My",
        "Team",
        "Sales",
        "Procurement",
        "Purchasing",
        "IT",
        "Mr",
        "Ms",
    }
)


def _clean_title(title: str | None) -> str | None:
    if not title:
        return None
    title = " ".join(title.split()).strip(" -–,")
    if not title or _BAD_TITLE.search(title) or EMAIL_ADDRESS.search(title):
        return None
    profile = classify_title(title)
    senior = profile.seniority not in (None, Seniority.INDIVIDUAL)
    return title if senior or profile.departments else None


def _name_from_email(address: str) -> str | None:
    local = address.split("@")[0]
    parts = [p for p in re.split(r"[._-]+", local) if p.isalpha() and len(p) > 1]
    return " ".join(p.capitalize() for p in parts) if len(parts) >= 2 else None


def _title_after(text: str, end: int) -> str | None:
    m = _TITLE_AFTER_NAME.match(text[end : end + 90])
    return _clean_title(m["title"]) if m else None


def _usable_name(name: str | None) -> str | None:
    if not name:
        return None
    words = name.split()
    while words and words[0] in _NOT_A_NAME:
        words = words[1:]
    return " ".join(words) or None


def find_referral(text: str, sender_email: str | None = None) -> ReferredPerson | None:
    """The person the lead points to: name, email and job title where the text gives them."""
    sender = (sender_email or "").strip().lower()
    for m in EMAIL_ADDRESS.finditer(text):
        address = m.group(0).rstrip(".")
        if address.lower() == sender or text[max(0, m.start() - 1) : m.start()] in ("/", "="):
            # An address inside a link (a booking page) is nobody to write to.
            continue
        before = _NAME_BEFORE_EMAIL.search(text[max(0, m.start() - 60) : m.start()])
        name = _usable_name(before["name"]) if before else None
        title = None
        if name:
            named = text.rfind(name, 0, m.start())
            title = _title_after(text, named + len(name)) if named >= 0 else None
        title = title or _title_after(
            text, m.end() + (1 if text[m.end() : m.end() + 1] in ")>]" else 0)
        )
        verb = _NAME_AFTER_VERB.search(text)
        if title is None and verb and verb["title"]:
            title = _clean_title(verb["title"])
        return ReferredPerson(
            name=name or _name_from_email(address), email=address, job_title=title
        )
    for pattern in (_NAME_IS_RIGHT, _NAME_AFTER_VERB):
        for m in pattern.finditer(text):
            name = _usable_name(m["name"])
            if not name:
                continue
            groups = m.groupdict()
            title = _clean_title(groups.get("title") or groups.get("ptitle"))
            title = title or _title_after(text, m.end("name"))
            return ReferredPerson(name=name, job_title=title)
    return None
