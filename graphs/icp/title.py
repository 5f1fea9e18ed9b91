"""Job titles to seniority and departments, by keyword rules (no model, no network).

Titles are messy ("Sr. VP, Ops & Supply Chain", "IT-Leiter", "Founder/CEO"), so a title
is reduced to lowercase, accent-free words and matched against word patterns; a pattern
word ending in "*" matches any word starting with it ("logist*" covers logistics,
Logistik, logistique). When several seniorities match, the highest wins.
"""

from __future__ import annotations

import re
import unicodedata

from pydantic import BaseModel, Field

from core.icp_profile import Seniority

DEPARTMENTS: tuple[str, ...] = (
    "executive",
    "operations",
    "supply_chain",
    "it",
    "engineering",
    "finance",
    "sales",
    "marketing",
    "hr",
    "legal",
    "customer_service",
    "product",
)
"""Department ids a job-title criterion may list."""


class TitleProfile(BaseModel):
    """What a job title says about the lead's level and function."""

    seniority: Seniority | None = Field(default=None, description="None when there is no title.")
    departments: list[str] = Field(default_factory=list)


# Phrases rewritten before matching, so that e.g. "vice president" is not read as
# "president" and a "product owner" is not read as a company owner.
_REWRITES: tuple[tuple[str, str], ...] = (
    ("vice president", "vp"),
    ("vice presidente", "vp"),
    ("vice presidenta", "vp"),
    ("product owner", "product po"),
    ("process owner", "process po"),
    ("service owner", "service po"),
    ("data owner", "data po"),
    ("system owner", "system po"),
    ("lead generation", "leadgen"),
    ("general counsel", "counsel"),
    ("chief technology officer", "cto"),
    ("chief technical officer", "cto"),
)

# Someone who assists or advises an executive is not that executive.
_ASSISTANT_TO = re.compile(
    r"\b(assistant|assistent|assistente|advisor|adviser|secretary)\s+(to|of)\b.*"
)
# A chief of staff runs an executive's office; the title names no C-level function.
_CHIEF_OF_STAFF = re.compile(r"\bchief\s+of\s+staff\b.*")

# fmt: off
_SENIORITY_PATTERNS: dict[Seniority, tuple[str, ...]] = {
    Seniority.C_LEVEL: (
        "ceo", "coo", "cfo", "cio", "cto", "cmo", "cro", "chro", "cso", "ciso", "cdo", "cpo", "cco",
        "clo", "csco", "chief", "president", "founder", "cofounder", "owner", "chairman",
        "chairwoman", "managing director", "managing partner", "general manager",
        "geschaftsfuhrer*", "geschaeftsfuehrer*", "vorstand*", "inhaber*", "pdg",
        "directeur general", "directrice generale", "director general", "directora general",
        "gerente general", "presidente", "presidenta", "prasident*",
        # Owners and founders as French, Spanish and Portuguese titles write them.
        "gerant", "gerante", "proprietaire", "fondateur", "fondatrice", "dueno", "duena",
        "propietario", "propietaria", "proprietario", "proprietaria", "fundador", "fundadora",
        "socio gerente", "socia gerente", "associe gerant", "associee gerante",
    ),
    Seniority.VP: (
        "vp", "svp", "evp", "avp", "vizeprasident*", "vicepresident*",
    ),
    Seniority.DIRECTOR: (
        "director", "directors", "directeur", "directrice", "directora", "direktor*", "diretor",
        "diretora",
    ),
    Seniority.HEAD: (
        "head", "jefe", "jefa", "responsable",
    ),
    Seniority.MANAGER: (
        "manager", "managers", "mgr", "lead", "leader", "supervisor", "superintendent", "foreman",
        "gerente", "gestionnaire", "teamleiter*", "gruppenleiter*", "projektleiter*", "coordinador",
        "encargado", "encargada",
    ),
}
# fmt: on

# German compounds end in -leiter ("Einkaufsleiter", "IT-Leiter"): head of a function,
# except team, group and project leads, which the manager patterns catch first.
_LEITER = re.compile(r"leiter(in)?$")
# Owners and managing directors of a practice, a firm or a shop, as German compounds end:
# "Praxisinhaberin", "Firmeninhaber", "Mitgeschäftsführer".
_OWNER_COMPOUND = re.compile(r"(?:inhaber|geschaftsfuhrer|geschaeftsfuehrer)(?:in)?$")
_LEITER_MANAGER_PREFIXES = ("team", "gruppen", "projekt")

# fmt: off
_DEPARTMENT_PATTERNS: dict[str, tuple[str, ...]] = {
    "executive": (
        "ceo", "chief executive", "president", "presidente", "presidenta", "prasident*", "founder",
        "cofounder", "owner", "chairman", "chairwoman", "managing director", "managing partner",
        "general manager", "general management", "geschaftsfuhrer*", "geschaeftsfuehrer*",
        "vorstand*", "inhaber*", "pdg", "directeur general", "directrice generale",
        "director general", "directora general", "gerente general", "gerant", "gerante",
        "proprietaire", "fondateur", "fondatrice", "dueno", "duena", "propietario", "propietaria",
        "proprietario", "proprietaria", "fundador", "fundadora", "socio gerente", "socia gerente",
        "associe gerant", "associee gerante",
    ),
    "operations": (
        "coo", "operations", "operation", "operating", "operational", "ops", "plant", "production",
        "manufacturing", "facilities", "facility", "betrieb*", "produktion*", "operaciones",
        "operacoes", "exploitation",
    ),
    "supply_chain": (
        "csco", "supply chain", "supply", "logist*", "procure*", "purchas*", "warehous*", "fulfil*",
        "distribution", "sourcing", "inventory", "materials", "buyer", "buying", "demand planning",
        "scm", "einkauf*", "lager*", "achat*", "approvisionnement", "compras", "abastecimiento",
        "almacen*", "transport*", "shipping",
    ),
    "it": (
        "it", "cio", "cto", "ciso", "cdo", "information", "informatik*", "informatique",
        "informatica", "edv", "technology", "systems", "infrastructure", "erp", "network",
        "helpdesk", "help desk", "service desk", "digital", "data",
    ),
    "engineering": (
        "cto", "engineering", "engineer", "engineers", "developer", "software",
        "software development", "rnd", "research and development", "devops", "architect",
        "entwicklung*", "ingenieur*", "ingeniero", "ingenieria",
    ),
    "finance": (
        "cfo", "finan*", "controller", "controlling", "comptroller", "accounting", "accountant",
        "accounts payable", "accounts receivable", "treasury", "treasurer", "fpa", "tax",
        "buchhaltung*", "comptab*", "contabilidad", "contador",
    ),
    "sales": (
        "cro", "sales", "business development", "account executive", "account manager",
        "key account", "commercial", "revenue", "vertrieb*", "verkauf*", "ventas", "ventes",
        "vendas", "comercial",
    ),
    "marketing": (
        "cmo", "marketing", "brand", "growth", "communications", "demand generation", "leadgen",
        "mercadotecnia",
    ),
    "hr": (
        "chro", "hr", "human resources", "people", "talent", "recruiting", "recruiter",
        "recruitment", "personnel", "personalwesen", "personalleiter*", "payroll",
        "ressources humaines", "recursos humanos",
    ),
    "legal": (
        "clo", "legal", "counsel", "lawyer", "attorney", "compliance", "juridique", "juridico",
        "recht*",
    ),
    "customer_service": (
        "customer service", "customer services", "customer support", "customer success",
        "customer care", "customer experience", "client service", "client services",
        "kundenservice", "kundendienst", "service client", "atencion al cliente",
    ),
    "product": (
        "cpo", "product", "products", "produkt*", "producto", "produit",
    ),
}
# fmt: on


def _words(text: str) -> list[str]:
    """Lowercase, accent-free words; dotted abbreviations joined ("V.P." -> "vp")."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    text = text.replace("ß", "ss").replace("r&d", " rnd ").replace("fp&a", " fpa ")
    text = re.sub(r"\b(?:[a-z]\.){2,}", lambda m: m.group(0).replace(".", ""), text)
    text = text.replace("&", " and ")
    return re.findall(r"[a-z0-9]+", text)


def _pattern_at(words: list[str], pattern: list[str], start: int) -> bool:
    for offset, part in enumerate(pattern):
        word = words[start + offset]
        if part.endswith("*"):
            if not word.startswith(part[:-1]):
                return False
        elif word != part:
            return False
    return True


def _has(words: list[str], pattern: str) -> bool:
    """True if the word pattern occurs in the words."""
    parts = pattern.split()
    return any(_pattern_at(words, parts, start) for start in range(len(words) - len(parts) + 1))


def _prepare(job_title: str) -> list[str]:
    text = " ".join(_words(job_title))
    text = _ASSISTANT_TO.sub(r"\1", text)
    text = _CHIEF_OF_STAFF.sub("staff", text)
    for phrase, replacement in _REWRITES:
        text = re.sub(rf"\b{phrase}\b", replacement, text)
    return text.split()


def _seniority(words: list[str]) -> Seniority:
    if any(_OWNER_COMPOUND.search(w) for w in words):
        return Seniority.C_LEVEL
    for level, patterns in _SENIORITY_PATTERNS.items():  # highest level first
        if level is Seniority.HEAD and any(
            _LEITER.search(w) and not w.startswith(_LEITER_MANAGER_PREFIXES) for w in words
        ):
            return level
        if any(_has(words, pattern) for pattern in patterns):
            return level
    return Seniority.INDIVIDUAL


def classify_title(job_title: str | None) -> TitleProfile:
    """Read seniority and departments from a job title; empty title -> no seniority."""
    words = _prepare(job_title or "")
    if not words:
        return TitleProfile()
    departments = [
        department
        for department, patterns in _DEPARTMENT_PATTERNS.items()
        if any(_has(words, pattern) for pattern in patterns)
        or (department == "executive" and any(_OWNER_COMPOUND.search(w) for w in words))
    ]
    return TitleProfile(seniority=_seniority(words), departments=departments)


def department_key(name: str) -> str | None:
    """The department id for an admin's spelling ("Supply Chain" -> "supply_chain")."""
    key = "_".join(_words(name))
    aliases = {"information_technology": "it", "human_resources": "hr", "ops": "operations"}
    key = aliases.get(key, key)
    return key if key in DEPARTMENTS else None
