"""Free industry labels to canonical industry families.

CRM accounts and web pages say "Industrial Machinery", "3PL" or "Grocery Retail"; the ICP
says "Manufacturing", "Logistics", "Retail". Labels are reduced to lowercase words and
matched against each family's word patterns ("manufactur*" covers manufacturer and
manufacturing). In compound labels English puts the head noun last ("Consumer Goods
Retail" is retail, "Retail Banking" is banking), so the match ending furthest right wins;
words after "for"/"of"/"serving" describe customers, not the industry, and are ignored
("Software for Retailers" is software).
"""

from __future__ import annotations

import re
import unicodedata

MANUFACTURING = "Manufacturing"
RETAIL = "Retail"
LOGISTICS = "Logistics"
WHOLESALE = "Wholesale"
SOFTWARE = "Software"
FINANCIAL_SERVICES = "Financial Services"
HEALTHCARE = "Healthcare"
EDUCATION = "Education"
ENERGY = "Energy"
HOSPITALITY = "Hospitality"
CONSTRUCTION = "Construction"
TELECOMMUNICATIONS = "Telecommunications"
MEDIA = "Media"
GOVERNMENT = "Government"
PROFESSIONAL_SERVICES = "Professional Services"
REAL_ESTATE = "Real Estate"
AGRICULTURE = "Agriculture"
NONPROFIT = "Nonprofit"

# fmt: off
_SYNONYMS: dict[str, tuple[str, ...]] = {
    MANUFACTURING: (
        "manufactur*", "industrial", "industrial machinery", "machinery", "automotive",
        "automotive parts", "auto parts", "consumer electronics", "electronics", "chemical*",
        "food production", "food processing", "seafood*", "meat processing", "dairy",
        "food and beverage*", "beverage*",
        "consumer goods",
        "cpg", "fmcg", "consumer packaged goods", "aerospace", "defense", "defence", "textile*",
        "apparel", "furniture", "plastics", "metals", "steel", "paper and packaging",
        "packaging", "semiconductor*", "fabrication",
        "maschinenbau", "herstellung", "fertigung", "fabricacion", "manufactura",
    ),
    RETAIL: (
        "retail*", "e commerce", "ecommerce", "online retail", "grocery", "groceries",
        "supermarket*", "consumer goods retail", "department store*", "fashion retail",
        "store", "stores", "shop", "shops", "shopping", "marketplace*", "einzelhandel",
        "commerce de detail", "retail trade", "pharmacy", "pharmacies", "drugstore*",
        "convenience store*",
    ),
    LOGISTICS: (
        "logistic*", "logistik", "logistique", "logistica", "transportation", "transport",
        "third party logistics", "3pl", "4pl", "freight", "freight forwarding", "shipping",
        "trucking", "courier*", "parcel", "warehousing", "cold storage", "cold chain",
        "supply chain",
        "supply chain services", "supply chain management", "maritime", "airline*",
        "aviation", "rail",
    ),
    WHOLESALE: (
        "wholesale*", "wholesaling", "distribution", "distributor*", "wholesale distribution",
        "wholesale trade", "grosshandel", "commerce de gros", "grossiste*", "mayorista*",
    ),
    SOFTWARE: (
        "software", "saas", "information technology", "it", "it services", "it consulting",
        "computer software", "internet", "cloud", "technology", "tech", "cybersecurity",
        "computer and network security", "data analytics",
    ),
    FINANCIAL_SERVICES: (
        "financial services", "finance", "financial", "banking", "bank*", "insurance",
        "insurer*", "reinsurance", "fintech", "investment*", "asset management",
        "capital markets", "wealth management", "payments", "credit",
    ),
    HEALTHCARE: (
        "healthcare", "health care", "health", "hospital*", "pharmaceutical*", "pharma",
        "medical devices", "medical device", "medical", "biotech*", "life sciences",
        "clinic*",
    ),
    EDUCATION: (
        "education", "higher education", "university", "universities", "college*",
        "k 12", "k12", "schools", "school", "e learning", "elearning", "edtech", "training",
    ),
    ENERGY: (
        "energy", "oil and gas", "oil", "gas", "utilities", "utility", "renewable*",
        "renewable energy", "solar", "wind", "power", "electric power", "mining",
    ),
    HOSPITALITY: (
        "hospitality", "hotel*", "restaurant*", "travel", "tourism", "leisure",
        "food service", "food services", "catering",
    ),
    CONSTRUCTION: (
        "construction", "building materials", "civil engineering", "engineering and construction",
        "architecture",
    ),
    TELECOMMUNICATIONS: (
        "telecommunication*", "telecom*", "telco", "wireless", "mobile network*",
    ),
    MEDIA: (
        "media", "entertainment", "publishing", "broadcast*", "advertising", "marketing",
        "news", "gaming", "music", "film",
    ),
    GOVERNMENT: (
        "government", "public sector", "public administration", "federal", "municipal*",
        "local government", "state government", "military",
    ),
    PROFESSIONAL_SERVICES: (
        "professional services", "consulting", "management consulting", "legal services",
        "law firm*", "legal", "accounting", "audit", "staffing", "recruiting",
        "business services", "outsourcing",
    ),
    REAL_ESTATE: ("real estate", "property", "properties", "facilities services"),
    AGRICULTURE: ("agriculture", "agricultural", "farming", "agribusiness", "agritech"),
    NONPROFIT: ("nonprofit", "non profit", "not for profit", "ngo", "charity", "foundation"),
}
# fmt: on

# Families close enough that a listed one "partly meets" the other. Symmetric; kept small
# on purpose: these are the neighbours of a goods-flow (supply-chain) business.
_RELATED_PAIRS: tuple[tuple[str, str], ...] = (
    (WHOLESALE, LOGISTICS),
    (WHOLESALE, RETAIL),
    (LOGISTICS, RETAIL),
    (MANUFACTURING, WHOLESALE),
    (SOFTWARE, TELECOMMUNICATIONS),
    (TELECOMMUNICATIONS, MEDIA),
    (ENERGY, CONSTRUCTION),
)

_CUT_AT = ("for", "of", "serving", "to", "in")


def _words(text: str) -> list[str]:
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    # NFKD leaves ß alone, and [a-z] would then split "großhandel" into two words.
    text = text.replace("ß", "ss").replace("e-commerce", "ecommerce")
    # List separators become "and" so that list items can be told apart.
    text = re.sub(r"\s*(?:&|,|;|/|\||\+)\s*", " and ", text)
    return re.findall(r"[a-z0-9]+", text)


def _match_end(words: list[str], pattern: list[str]) -> tuple[int, int] | None:
    """(end index, length) of the rightmost occurrence of the pattern, or None."""
    for start in range(len(words) - len(pattern), -1, -1):
        if all(
            words[start + i].startswith(p[:-1]) if p.endswith("*") else words[start + i] == p
            for i, p in enumerate(pattern)
        ):
            return start + len(pattern), len(pattern)
    return None


_FAMILY_BY_NAME = {" ".join(_words(family)): family for family in _SYNONYMS}


def _head_family(words: list[str]) -> str | None:
    """The family whose match ends furthest right (longest on ties), or None."""
    exact = _FAMILY_BY_NAME.get(" ".join(words))
    if exact:
        return exact
    best: tuple[int, int, str] | None = None
    for family, patterns in _SYNONYMS.items():
        for pattern in patterns:
            found = _match_end(words, pattern.split())
            if found is not None and (best is None or found > best[:2]):
                best = (*found, family)
    return best[2] if best else None


def industry_families(label: str | None) -> list[str]:
    """Every family a label names: the whole label's head first, then each listed part's
    ("Manufacturing & Distribution" -> Wholesale, Manufacturing)."""
    words = _words(label or "")
    # Only cut after a head word: "for"/"of" introduce the customers served.
    for index, word in enumerate(words):
        if index > 0 and word in _CUT_AT:
            words = words[:index]
            break
    if not words:
        return []
    families: list[str] = []
    parts = [words, *_split_list(words)]
    for part in parts:
        family = _head_family(part)
        if family and family not in families:
            families.append(family)
    return families


def _split_list(words: list[str]) -> list[list[str]]:
    """The items of a list-like label ("oil and gas" -> [oil], [gas]); [] if not a list."""
    parts: list[list[str]] = [[]]
    for word in words:
        if word == "and":
            parts.append([])
        else:
            parts[-1].append(word)
    return [part for part in parts if part] if len(parts) > 1 else []


def industry_family(label: str | None) -> str | None:
    """The canonical family of a free industry label, or None if unrecognised."""
    families = industry_families(label)
    return families[0] if families else None


def related_families(family: str) -> set[str]:
    """Families that count as a partial match for `family`."""
    related = {b for a, b in _RELATED_PAIRS if a == family}
    related.update(a for a, b in _RELATED_PAIRS if b == family)
    return related


def known_families() -> list[str]:
    """Every canonical family name."""
    return list(_SYNONYMS)
