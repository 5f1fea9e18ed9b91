"""Industries through a standard taxonomy: ISIC Rev. 4, the UN's, in five languages.

CRM accounts say "Industrial Machinery", "Versicherungen", "Fabricación de autopartes" or
"MSP"; an ICP lists "Manufacturing", "Insurance" or a code ("C", "65"). Both are placed in
ISIC Rev. 4 (`isic_rev4.yaml`: every section, division and group with its official title in
English, German, French, Spanish and Portuguese, and the names CRMs and people use for it),
and the verdict comes from the hierarchy: within a listed industry is met; a sibling of a
listed industry (same parent) is partly met; anything else is not met. No hand-made list
of "neighbour" industries.

Placing a label: its words are matched against every name; the longest name wins, then the
most specific node, then the name furthest right (English puts the head noun last: "Retail
Banking" is banking). Words after "for" or "serving" name customers, not the industry
("Software for Retailers" is software).
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path
from typing import Literal

import yaml

TAXONOMY_PATH = Path(__file__).with_name("isic_rev4.yaml")
LANGUAGES = ("en", "de", "fr", "es", "pt")
Level = Literal["section", "division", "group"]
_DEPTH: dict[str, int] = {"section": 0, "division": 1, "group": 2}

# English customer descriptors: the industry is what comes before them.
_CUSTOMER_WORDS = re.compile(r"\b(?:for|serving|fur|pour|para|per)\b.*$")
_CODE = re.compile(r"^(?:isic\s*(?:rev\.?\s*4)?\s*:?\s*)?([A-U]|\d{2,3})$", flags=re.IGNORECASE)


@dataclass(frozen=True)
class Industry:
    """One node of the taxonomy."""

    code: str
    level: Level
    parent: str | None
    titles: dict[str, str] = field(hash=False, compare=False)

    @property
    def title(self) -> str:
        """The English title."""
        return self.titles["en"]

    def describe(self) -> str:
        """'ISIC 65 Insurance, reinsurance and pension funding'."""
        return f"ISIC {self.code} {self.title}"


@dataclass(frozen=True)
class Taxonomy:
    """The nodes by code and every name (as a word tuple) to its node's code."""

    nodes: dict[str, Industry]
    names: dict[tuple[str, ...], str]
    longest_name: int
    children: dict[str, list[str]]
    # Each name as the taxonomy file writes it, for suggestions to an admin.
    spelled: dict[tuple[str, ...], str] = field(default_factory=dict)

    def only_child(self, code: str) -> str:
        """The code, or its single descendant where the node has exactly one child."""
        while len(children := self.children.get(code, [])) == 1:
            code = children[0]
        return code

    def ancestors(self, code: str) -> list[str]:
        """The code itself, then its parent, up to its section."""
        chain: list[str] = []
        current: str | None = code
        while current is not None:
            chain.append(current)
            current = self.nodes[current].parent
        return chain


def _stem(word: str) -> str:
    # Plurals and their singulars are one name ("insurers" / "insurer", "plastics").
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def words_of(text: str) -> tuple[str, ...]:
    """Lowercase, accent-free, singular words: the form names are compared in."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    text = text.replace("ß", "ss").replace("&", " and ")
    return tuple(_stem(word) for word in re.findall(r"[a-z0-9]+", text))


@cache
def taxonomy() -> Taxonomy:
    """The ISIC Rev. 4 taxonomy, loaded once."""
    # libyaml's loader when the wheel has it: the file holds about 12,000 names.
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    sections = yaml.load(TAXONOMY_PATH.read_text(encoding="utf-8"), Loader=loader)
    nodes: dict[str, Industry] = {}
    names: dict[tuple[str, ...], str] = {}
    spelled: dict[tuple[str, ...], str] = {}

    def add(raw: dict, level: Level, parent: str | None) -> None:
        code = str(raw["code"])
        nodes[code] = Industry(
            code=code, level=level, parent=parent, titles={k: raw[k] for k in LANGUAGES}
        )
        titles = [str(raw[k]) for k in LANGUAGES]
        # An official title's opening clause is how people say it: "Comercio al por menor"
        # for "Comercio al por menor, excepto el de vehículos automotores".
        openings = [_TITLE_CLAUSE.split(title, maxsplit=1)[0] for title in titles]
        for name in [*titles, *openings, *raw.get("also", [])]:
            key = words_of(str(name))
            # A name given to two nodes belongs to neither specifically: keep the broader.
            if key and (key not in names or _DEPTH[level] < _DEPTH[nodes[names[key]].level]):
                names[key] = code
            if key and (key not in spelled or spelled[key].islower() > str(name).islower()):
                spelled[key] = str(name)  # the capitalised spelling, when there is one

    for section in sections:
        add(section, "section", None)
        for division in section.get("divisions", []):
            add(division, "division", str(section["code"]))
            for group in division.get("groups", []):
                add(group, "group", str(division["code"]))
    # The words official titles open with ("Elaboración de ...", "Gewinnung von ...") name
    # their section when nearly all titles opening so are in it: the taxonomy's own usage.
    openers: dict[tuple[str, ...], list[str]] = {}
    for node in nodes.values():
        section = node
        while section.parent is not None:
            section = nodes[section.parent]
        for title in node.titles.values():
            if words := words_of(title):
                openers.setdefault(words[:1], []).append(section.code)
    for opener, sections in openers.items():
        top = max(set(sections), key=sections.count)
        if (
            opener not in names
            and len(sections) >= 5
            and sections.count(top) >= 0.9 * len(sections)
        ):
            names[opener] = top
    children: dict[str, list[str]] = {}
    for node in nodes.values():
        if node.parent is not None:
            children.setdefault(node.parent, []).append(node.code)
    return Taxonomy(
        nodes=nodes,
        names=names,
        longest_name=max(map(len, names)),
        children=children,
        spelled=spelled,
    )


@dataclass(frozen=True)
class Placement:
    """Where a label sits in the taxonomy, and the name in it that placed it there."""

    industry: Industry
    matched: str


# Where an official title's opening clause ends: a comma, a semicolon, or "except".
_TITLE_CLAUSE = re.compile(
    r"\s*[,;(]\s*|\s+(?:except|excepto|exceto|sauf|ausser|außer|ohne|sem|sin)\b",
    flags=re.IGNORECASE,
)
_HEAD_FIRST = re.compile(r"\b(?:of|de|des|du|da|do|das|dos|del|di|von|der|auf|mit)\b")


# German compound heads that mean "a company" or "a group", not an industry: in
# "Versicherungskonzern" or "Baugesellschaft" the industry is the part before them.
_COMPANY_HEADS = frozenset(
    {
        "konzern", "gruppe", "verein", "gesellschaft", "unternehmen", "betrieb", "firma",
        "holding", "werk", "werke", "haus", "verband", "genossenschaft", "anstalt",
    }
)  # fmt: skip


def _decompounded(words: tuple[str, ...], tax: Taxonomy) -> tuple[str, ...]:
    """German compounds to the part that names the industry.

    A word that is no name itself is replaced by its longest ending that is one (German
    puts the head last: 'kompositversicherer' -> 'versicherer'); when the head names no
    industry ('Versicherungskonzern': a group), by its longest beginning that does
    ('versicherung'). Both parts keep four letters or more.
    """
    out = []
    for word in words:
        if (word,) not in tax.names and len(word) >= 8:
            ending = next(
                (word[i:] for i in range(4, len(word) - 4) if (word[i:],) in tax.names),
                None,
            )
            beginning = next(
                (
                    stem
                    for i in range(len(word) - 4, 3, -1)
                    if word[i:] in _COMPANY_HEADS
                    for stem in (word[:i], word[: i - 1] if word[i - 1] == "s" else "")
                    if stem and (stem,) in tax.names
                ),
                None,
            )
            word = ending or beginning or word
        out.append(word)
    return tuple(out)


def _best_name(
    words: tuple[str, ...], tax: Taxonomy, *, head_first: bool = False
) -> tuple[str, str] | None:
    """The node the words name and the matched name, preferring the head word.

    The head is the last word (or the first, before a preposition: `head_first`). Among
    names on the head the longest wins; without one, the longest name anywhere, then the
    most specific node, then the name furthest right. Another name that lies inside the
    chosen node narrows it: "Toys & games manufacturing" is toys, "Retail - Moda" fashion
    retail, "Utilities - Electric" electric power.
    """
    best: tuple[int, int, int, int] | None = None
    found: tuple[str, str] | None = None
    candidates: list[tuple[str, str]] = []
    for start in range(len(words)):
        for length in range(min(tax.longest_name, len(words) - start), 0, -1):
            code = tax.names.get(words[start : start + length])
            if code is None:
                continue
            end = start + length
            candidates.append((code, " ".join(words[start:end])))
            on_head = start == 0 if head_first else end == len(words)
            rank = (on_head, length, _DEPTH[tax.nodes[code].level], end)
            if best is None or rank > best:
                best, found = rank, candidates[-1]
            break  # the longest name from this start
    if found is None:
        return None
    inside = [c for c in candidates if c[0] != found[0] and found[0] in tax.ancestors(c[0])]
    return max(inside, key=lambda c: _DEPTH[tax.nodes[c[0]].level], default=found)


@lru_cache(maxsize=4096)
def place_industry(label: str) -> Placement | None:
    """The taxonomy node a free industry label names, or None if no name is in it."""
    tax = taxonomy()
    code_match = _CODE.match(label.strip())
    if code_match and code_match.group(1).upper() in tax.nodes:
        node = tax.nodes[code_match.group(1).upper()]
        return Placement(industry=node, matched=node.code)
    plain = " ".join(words_of(label))
    text = _CUSTOMER_WORDS.sub("", plain).strip() or plain
    found = _place_words(text, tax)
    if found is None:
        return None
    code, matched = found
    return Placement(industry=tax.nodes[code], matched=matched)


def _place_words(text: str, tax: Taxonomy) -> tuple[str, str] | None:
    as_written = tuple(text.split())
    if as_written in tax.names:
        return tax.names[as_written], text
    words = _decompounded(as_written, tax)
    if words in tax.names:
        return tax.names[words], " ".join(words)
    # Names as written first ("information technology"); compounds split only when the
    # words as written name nothing on the head word.
    written = _best_name(as_written, tax)
    if written is not None and written[1].split()[-1] == as_written[-1]:
        return written
    # "Fabricación de autopartes", "Manufacturer of plastic parts": the head comes first
    # and the complement narrows it. "Vente de pièces": the head (trade) decides.
    split = _HEAD_FIRST.search(text)
    if split is not None:
        head_words = _decompounded(tuple(text[: split.start()].split()), tax)
        head = _best_name(head_words, tax, head_first=True)
        tail = _best_name(_decompounded(tuple(text[split.end() :].split()), tax), tax)
        if head is not None and tail is not None:
            narrows = head[0] in tax.ancestors(tail[0])
            return tail if narrows else head
        if head is not None or tail is not None:
            return head or tail
    return _best_name(words, tax)


def known_industry(label: str) -> Industry | None:
    """The node `label` names exactly (a name in any of the five languages or a synonym,
    case, accents and plurals aside; or an ISIC code), else None. What an ICP may list:
    a near miss such as "Retial" would otherwise match no company and say nothing."""
    tax = taxonomy()
    code_match = _CODE.match(label.strip())
    if code_match and code_match.group(1).upper() in tax.nodes:
        return tax.nodes[code_match.group(1).upper()]
    code = tax.names.get(words_of(label))
    return tax.nodes[code] if code is not None else None


def industry_suggestions(label: str, limit: int = 3) -> list[str]:
    """Known names closest to a misspelt label, best first, each with its ISIC code:
    'Retial' -> ['Retail (ISIC 47)', ...]."""
    tax = taxonomy()
    wanted = " ".join(words_of(label))
    if not wanted:
        return []
    keys = {" ".join(key): key for key in tax.names}
    close = difflib.get_close_matches(wanted, list(keys), n=limit * 3, cutoff=0.75)
    if not close and (placed := place_industry(label)) is not None:
        close = [placed.matched]  # no near spelling, but a name inside it: "Software for …"
    by_code: dict[str, str] = {}  # one name per industry: "Retail", not also "Retalho"
    for text in close:
        key = keys.get(text)
        if key is None or tax.names[key] in by_code:
            continue
        name = tax.spelled.get(key, text)
        by_code[tax.names[key]] = f"{name[:1].upper()}{name[1:]} (ISIC {tax.names[key]})"
    return list(by_code.values())[:limit]


Relation = Literal["within", "broader", "sibling", "apart"]


def relation(company_code: str, listed_code: str) -> Relation:
    """How a company's industry stands to a listed one in the hierarchy.

    A node with a single child is the same industry as that child (ISIC division 62 holds
    only group 620), so the two are compared at the deepest such level.
    """
    tax = taxonomy()
    company_code, listed_code = tax.only_child(company_code), tax.only_child(listed_code)
    company_chain = tax.ancestors(company_code)
    if listed_code in company_chain:
        return "within"
    if company_code in tax.ancestors(listed_code):
        return "broader"  # "Manufacturing" against a listed "Food products": cannot tell
    parent = tax.nodes[listed_code].parent
    if parent is not None and parent in company_chain:
        return "sibling"
    return "apart"


def listed_industry_lines(profile_industries: list[str]) -> list[str]:
    """For the ICP editor: each listed industry and the ISIC node it resolved to."""
    lines = []
    for name in profile_industries:
        placed = place_industry(name)
        if placed is None:
            lines.append(
                f"{name!r}: not in the ISIC taxonomy; only a company whose industry is spelled "
                "exactly so will match (use a standard name or an ISIC code such as C or 65)"
            )
        else:
            lines.append(f"{name!r} -> {placed.industry.describe()}")
    return lines
