"""Job titles to seniority and departments, by keyword rules (no model, no network).

Titles are messy ("Sr. VP, Ops & Supply Chain", "IT-Leiter", "Founder/CEO"), so a title
is reduced to lowercase, accent-free words and matched against word patterns; a pattern
word ending in "*" matches any word starting with it ("logist*" covers logistics,
Logistik, logistique). When several seniorities match, the highest wins.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache, lru_cache
from pathlib import Path

import yaml
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
    "maintenance",
    "procurement",
    "risk",
    "data",
    "clinical",
    "underwriting",
    "claims",
    "actuarial",
)
"""Department ids a job-title criterion may list."""


class TitleProfile(BaseModel):
    """What a job title says about the lead's level and function."""

    seniority: Seniority | None = Field(default=None, description="None when there is no title.")
    departments: list[str] = Field(default_factory=list)
    associate: bool = Field(
        default=False,
        description="An associate director: a director by title, just short of one in rank.",
    )
    recognised: bool = Field(
        default=True, description="Some word of the title names a level or a function."
    )
    qualified_up: bool = Field(
        default=False,
        description="Senior or associate: just below the next level up (a near miss for it).",
    )


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
    # Abbreviations CRMs keep, in five languages.
    ("vice pres", "vp"),
    ("dir", "director"),
    ("sr", "senior"),
    ("gf", "geschaftsfuhrer"),
    ("dsi", "cio"),
    ("daf", "cfo"),
    ("drh", "chro"),
    ("dg", "ceo"),
    # Team and shift leads in any language are managers, whatever the head word says.
    ("responsable d equipe", "teamleiter"),
    ("responsable de equipo", "teamleiter"),
    ("responsavel de equipe", "teamleiter"),
    ("chef d equipe", "teamleiter"),
    ("jefe de equipo", "teamleiter"),
    ("jefa de equipo", "teamleiter"),
    # Spanish and Portuguese chief executives.
    ("director ejecutivo", "ceo"),
    ("directora ejecutiva", "ceo"),
    ("diretor executivo", "ceo"),
    ("diretora executiva", "ceo"),
    ("diretor presidente", "ceo"),
    ("diretora presidente", "ceo"),
    # Deputies hold the level they deputise for.
    ("subdirector", "director"),
    ("subdirectora", "director"),
    ("sous directeur", "director"),
    ("sous directrice", "director"),
    ("vice diretor", "director"),
    ("vice diretora", "director"),
)

# A title for someone who no longer holds it names no current level.
_FORMER = re.compile(r"^(?:former|ex|ehemalig\w*|ancien|ancienne|antiguo|antigua|antigo|antiga)\b")
# "Chief" makes a C-level title only with "officer" ("Chief Data Officer"); a chief
# architect, engineer, economist or pilot is a senior specialist.
_CHIEF_SPECIALIST = re.compile(r"\bchief\b(?!.*\bofficer\b)(?!\s+executive\b)")
# "Head nurse", "infirmière en chef", "editor in chief": the lead of a team of peers.
_IN_CHIEF = re.compile(r"\b(?:en|in)\s+chief\b|\bchief\s+(?:nurse|steward)\b")
# Boards and supervisory boards: a seat there is above any executive title.
_BOARD = re.compile(
    r"\b(?:board|verwaltungsrat\w*|aufsichtsrat\w*|beirat|conseil d administration|"
    r"conseil de surveillance|consejo de administracion|conselho de administracao|"
    r"conselho consultivo|consejero|consejera|conselheiro|conselheira|administrateur|"
    r"administratrice)\b"
)
# Roles that carry "manager" in the title but manage accounts, products or cases, not
# people, as title lists grade them; the French "gestionnaire" is a handler or clerk.
_INDIVIDUAL_MANAGER = re.compile(
    r"\b(?:key account|account|product|project|program|programme|customer success|"
    r"relationship|community|social media|case|portfolio|contas|cuentas|comptes|clients)\s+"
    r"(?:manager|managers|gerente|gestor|gestora)\b|\bgestionnaire\b|"
    r"\bgerente de (?:contas|cuentas|produto|producto|proyecto|projeto)\b"
)
_ASSOCIATE = re.compile(r"\bassociate (?:director|directeur|directrice|directora|diretora?)\b")
# Upward qualifiers: a senior manager or an associate director sits just below the next level.
_QUALIFIED_UP = re.compile(r"\b(?:senior|associate|principal|adjunct|adjoint|adjointe)\b")
# Owners in partnerships: the level only when nothing else in the title names one.
_PARTNER = re.compile(
    r"(?<!business )(?<!channel )(?<!alliance )"
    r"\b(?:partner|partnerin|socio|socia|socios|associe|associee|teilhaber\w*|"
    r"gesellschafter\w*|empresario|empresaria|cofondateur|cofondatrice|cofundador|cofundadora|"
    r"co founder|co fondateur|co fondatrice)\b"
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
        "chairwoman", "chair", "managing director", "managing partner",
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
        "diretora", "bereichsleiter*",
    ),
    Seniority.HEAD: (
        "head", "responsable", "responsavel",
    ),
    Seniority.MANAGER: (
        "manager", "managers", "mgr", "lead", "leader", "supervisor", "supervisora",
        "superviseur", "superviseure", "supervisorin", "superintendent", "foreman",
        "contremaitre", "gerente", "teamleiter*", "gruppenleiter*", "projektleiter*",
        "coordinador", "coordinadora", "coordenador", "coordenadora", "encargado", "encargada",
        "jefe", "jefa", "chefe", "chef",
    ),
}
# German compounds name the role last: "Kundenberater", "Schadensachbearbeiter".
_GERMAN_ROLE_ENDINGS = (
    "berater", "beraterin", "bearbeiter", "bearbeiterin", "referent", "referentin",
    "assistent", "assistentin", "analyst", "analystin", "entwickler", "entwicklerin",
    "ingenieur", "ingenieurin", "techniker", "technikerin", "mitarbeiter", "mitarbeiterin",
    "kaufmann", "kauffrau", "planer", "planerin", "pruefer", "prufer", "prueferin", "pruferin",
)  # fmt: skip
# Individual contributors named as such: the level is read, not guessed from silence.
_INDIVIDUAL_WORDS: tuple[str, ...] = (
    "analyst", "analyste", "analista", "engineer", "ingenieur*", "ingeniero", "ingeniera",
    "engenheiro", "engenheira", "specialist", "spezialist*", "specialiste", "especialista",
    "associate", "assistant", "assistent*", "assistente", "asistente", "intern", "stagiaire",
    "praktikant*", "becario", "becaria", "estagiario", "estagiaria", "consultant", "consultor",
    "consultora", "berater*", "coordinator", "clerk", "technician", "technicien*", "tecnico",
    "tecnica", "techniker*", "representative", "rep", "accountant", "developer", "entwickler*",
    "developpeur", "desarrollador", "desenvolvedor", "administrator", "administrateur",
    "administrador", "agent", "agente", "officer", "executive", "buyer", "einkaufer*",
    "acheteur", "comprador", "compradora", "nurse", "infirmier*", "enfermero", "enfermera",
    "enfermeiro", "enfermeira", "scientist", "designer", "architect", "auditor", "controller",
    "sachbearbeiter*", "referent*", "mitarbeiter*", "charge", "chargee", "auxiliar", "operator",
    "operador", "mechanic*", "mechaniker*", "planner", "planer*", "student", "trainee",
    "apprentice", "azubi", "auszubildende*", "retired", "former", "ex", "ehemalig*", "member",
    "staff", "employee", "worker", "advisor", "adviser", "conseiller", "conseillere", "asesor",
    "asesora", "assessor", "gestionnaire", "underwriter", "actuary", "lawyer", "counsel",
)
# fmt: on

# German compounds end in -leiter ("Einkaufsleiter", "IT-Leiter"): head of a function,
# except team, group and project leads, which the manager patterns catch first.
_LEITER = re.compile(r"leiter(in)?$")
# Owners and managing directors of a practice, a firm or a shop, as German compounds end:
# "Praxisinhaberin", "Firmeninhaber", "Mitgeschäftsführer".
_OWNER_COMPOUND = re.compile(r"(?:inhaber|geschaftsfuhrer|geschaeftsfuehrer)(?:in)?$")
# Leads of a team, group, project, shift, department, branch or area are managers; the
# head of a division ("Bereichsleiter") or a function ("Einkaufsleiter") is a head.
_LEITER_MANAGER_PREFIXES = (
    "team", "gruppen", "projekt", "schicht", "abteilungs", "gebiets", "filial", "regional",
)  # fmt: skip

# fmt: off
_DEPARTMENT_PATTERNS: dict[str, tuple[str, ...]] = {
    # Founders, owners, partners and board members name no function (unknown department).
    "executive": (
        "ceo", "chief executive", "president", "presidente", "presidenta", "prasident*",
        "managing director", "managing partner", "general manager", "general management", "gm",
        "country manager", "regional", "regionalleiter*", "geschaftsfuhrer*",
        "geschaeftsfuehrer*", "vorstand*", "pdg", "directeur general", "directrice generale",
        "director general", "directora general", "gerente general", "gerant", "gerante",
        "socio gerente", "socia gerente", "associe gerant", "associee gerante", "chiefofstaff",
        "chef de cabinet", "jefe de gabinete", "jefa de gabinete",
    ),
    "operations": (
        "coo", "operations", "operation", "operating", "operational", "ops", "plant", "production",
        "manufacturing", "facilities", "facility", "betrieb*", "produktion*", "operaciones",
        "operacoes", "exploitation",
        "planta", "werkleiter*", "shift", "schicht*", "contremaitre", "usine", "fabrica",
        "producao", "produccion",
    ),
    # Buying is its own department (procurement); supply chain plans and moves the goods.
    "supply_chain": (
        "csco", "supply chain", "supply", "logist*", "warehous*", "fulfil*", "distribution",
        "inventory", "materials", "demand planning", "scm", "lager*", "abastecimiento",
        "chaine d approvisionnement",
        "almacen*", "transport*", "shipping",
        "cadena de suministro", "cadeia de suprimentos", "suministro*", "suprimentos", "forklift",
        "lieferkette*",
    ),
    "it": (
        "it", "cio", "cto", "ciso", "cdo", "information", "informatik*", "informatique",
        "informatica", "edv", "technology", "systems", "infrastructure", "erp", "network",
        "helpdesk", "help desk", "service desk", "digital", "data",
        "ti", "tecnologia", "sistemas", "systemes", "reseaux", "redes", "architect",
    ),
    "engineering": (
        "cto", "engineering", "engineer", "engineers", "developer", "software",
        "software development", "rnd", "research and development", "devops", "architect",
        "entwicklung*", "ingenieur*", "ingeniero", "ingenieria",
        "engenharia", "ingenierie", "engenheiro", "technik", "technisch*", "desarrollo",
    ),
    "finance": (
        "cfo", "finan*", "controller", "controlling", "comptroller", "accounting", "accountant",
        "accounts payable", "accounts receivable", "treasury", "treasurer", "fpa", "tax",
        "buchhaltung*", "comptab*", "contabilidad", "contador",
        "controle de gestion", "comptes fournisseurs", "contabil*", "tesorer*", "tesouraria",
    ),
    "sales": (
        "cro", "sales", "business development", "account executive", "account manager",
        "key account", "commercial", "revenue", "vertrieb*", "verkauf*", "ventas", "ventes",
        "vendas", "comercial",
        "contas", "cuentas", "developpement des affaires", "desarrollo de negocio*",
        "desenvolvimento de negocio*",
    ),
    "marketing": (
        "cmo", "marketing", "brand", "growth", "communications", "demand generation", "leadgen",
        "mercadotecnia",
        "communication", "comunicacion", "comunicacao", "kommunikation", "digital marketing",
        "marketing digital", "digital media", "digital communications",
    ),
    "hr": (
        "chro", "hr", "human resources", "people", "talent", "recruiting", "recruiter",
        "recruitment", "personnel", "personalwesen", "personalleiter*", "payroll",
        "ressources humaines", "recursos humanos",
        "personal", "seleccion", "rh", "rrhh", "gente", "paie", "nomina", "folha de pagamento",
    ),
    "legal": (
        "clo", "legal", "counsel", "lawyer", "attorney", "compliance", "juridique", "juridico",
        "recht*",
        "juridica", "abogad*", "advogad*", "avocat*", "anwalt*",
    ),
    "customer_service": (
        "customer service", "customer services", "customer support", "customer success",
        "customer care", "customer experience", "client service", "client services",
        "kundenservice", "kundendienst", "service client", "atencion al cliente",
        "servicio al cliente", "atendimento", "relation client", "clientele", "call center",
        "contact center",
    ),
    "product": (
        "cpo", "product", "products", "produkt*", "producto", "produit",
        "produto",
    ),
    "maintenance": (
        "maintenance", "instandhaltung*", "wartung*", "manutencao", "mantenimiento",
        "mantencion", "reliability", "field service", "mechanic*", "mechaniker*", "mecanico",
        "mecanicien",
    ),
    "procurement": (
        "procure*", "purchas*", "sourcing", "buyer", "buying", "category manager", "einkauf*",
        "beschaffung*", "achat*", "acheteur*", "acheteuse", "approvisionnement", "compras",
        "comprador*", "suprimentos", "aprovisionamiento",
    ),
    "risk": (
        "cro", "risk", "risks", "risiko*", "risque*", "risques", "riesgo*", "risco*",
        "compliance", "conformite", "cumplimiento", "conformidade", "credit", "credito", "kredit*",
    ),
    "data": (
        "cdo", "data", "daten*", "donnees", "datos", "dados", "analytics", "analitica",
        "analytique", "bi", "business intelligence",
    ),
    "clinical": (
        "clinical", "clinic*", "clinico", "clinica", "klinisch*", "medical", "medico", "medica",
        "medizin*", "arzt*", "arztlich*", "nurse*", "nursing", "enfermer*", "enfermagem",
        "infirmier*", "pflege*", "pharmacovigilance", "physician", "doctor",
    ),
    "underwriting": (
        "underwrit*", "souscription", "suscripcion", "subscricao",
    ),
    "claims": (
        "claims", "claim", "sinistres", "sinistre", "siniestros", "sinistros", "schaden*",
        "indemnisation", "indemnizacion",
    ),
    "actuarial": (
        "actuar*", "aktuar*", "atuar*",
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
    text = _CHIEF_OF_STAFF.sub("chiefofstaff", text)
    for phrase, replacement in _REWRITES:
        text = re.sub(rf"\b{phrase}\b", replacement, text)
    return text.split()


def _seniority(words: list[str]) -> Seniority:
    text = " ".join(words)
    if _FORMER.search(text):
        return Seniority.INDIVIDUAL
    if any(_OWNER_COMPOUND.search(w) for w in words) or _BOARD.search(text):
        return Seniority.C_LEVEL
    if _IN_CHIEF.search(text):
        return Seniority.MANAGER
    if _CHIEF_SPECIALIST.search(text):
        words = [w for w in words if w != "chief"]
        text = " ".join(words)
    if _INDIVIDUAL_MANAGER.search(text):
        return Seniority.INDIVIDUAL
    for level, patterns in _SENIORITY_PATTERNS.items():  # highest level first
        if level is Seniority.HEAD and any(
            _LEITER.search(w) and not w.startswith(_LEITER_MANAGER_PREFIXES) for w in words
        ):
            return level
        if level is Seniority.HEAD and _has(words, "general manager"):
            return Seniority.DIRECTOR  # a general or country manager runs a unit: director
        if any(_has(words, pattern) for pattern in patterns):
            return level
    if _PARTNER.search(text):
        return Seniority.C_LEVEL
    return Seniority.INDIVIDUAL


# German compounds hide the function inside one word ("Schadensachbearbeiter",
# "Risikocontroller", "Softwareentwickler"): these stems count anywhere in a long word.
_COMPOUND_STEMS: dict[str, tuple[str, ...]] = {
    "claims": ("schaden",),
    "risk": ("risiko",),
    "marketing": ("marketing",),
    "engineering": ("entwickl", "technik", "ingenieur"),
    "sales": ("verkauf", "vertrieb"),
    "legal": ("anwalt", "rechts", "jurist"),
    "it": ("informatik", "netzwerk"),
    "data": ("daten",),
    "maintenance": ("instandhalt", "wartung", "mechanik"),
    "procurement": ("einkauf", "beschaff"),
    "supply_chain": ("logistik", "lager"),
    "finance": ("finanz", "buchhalt", "controlling"),
    "hr": ("personal", "lohn"),
    "clinical": ("pflege", "arzt", "klinik"),
    "actuarial": ("aktuar",),
    "customer_service": ("kundendienst", "kundenservice", "kundenberat", "kundenbetreu"),
}


FUNCTION_WORDS_PATH = Path(__file__).with_name("title_functions.yaml")


@cache
def _department_patterns() -> dict[str, tuple[str, ...]]:
    """The patterns above plus the function words of `title_functions.yaml`.

    The YAML holds, per department and language, the words titles name a function with
    ("Instandhaltung", "sinistres", "suprimentos"): vocabulary as data, one file to extend.
    """
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when available
    extra = yaml.load(FUNCTION_WORDS_PATH.read_text(encoding="utf-8"), Loader=loader)
    patterns = {}
    for department, own in _DEPARTMENT_PATTERNS.items():
        words = {" ".join(_words(w)) for ws in extra.get(department, {}).values() for w in ws}
        patterns[department] = tuple(dict.fromkeys([*own, *sorted(w for w in words if w)]))
    return patterns


def _in_compound(words: list[str], department: str) -> bool:
    stems = _COMPOUND_STEMS.get(department, ())
    return any(stem in word and word != stem for word in words for stem in stems)


@cache
def _patterns_by_first_word() -> tuple[dict[str, list[tuple[list[str], str]]], list]:
    """Department patterns indexed by their first word; patterns opening with a stem ("*")
    are kept apart and tried by prefix. Thousands of patterns, a handful looked at per word."""
    exact: dict[str, list[tuple[list[str], str]]] = {}
    stems: list[tuple[list[str], str]] = []
    for department, patterns in _department_patterns().items():
        for pattern in patterns:
            parts = pattern.split()
            if parts[0].endswith("*"):
                stems.append((parts, department))
            else:
                exact.setdefault(parts[0], []).append((parts, department))
    return exact, stems


def _departments(words: list[str]) -> list[str]:
    """Departments the title names; a longer phrase wins over a word inside it.

    "Head of Digital Marketing" is marketing: its "digital" sits inside "digital
    marketing", so it does not also make the title IT.
    """
    exact, stems = _patterns_by_first_word()
    found = [
        ((start, start + len(parts)), department)
        for start, word in enumerate(words)
        for parts, department in [
            *exact.get(word, ()),
            *(s for s in stems if word.startswith(s[0][0][:-1])),
        ]
        if start + len(parts) <= len(words) and _pattern_at(words, parts, start)
    ]
    kept = {
        department
        for (start, end), department in found
        if not any(
            other != department and s <= start and end <= e and (e - s) > (end - start)
            for (s, e), other in found
        )
    }
    kept |= {d for d in _DEPARTMENT_PATTERNS if _in_compound(words, d)}
    return [d for d in _DEPARTMENT_PATTERNS if d in kept]


@lru_cache(maxsize=8192)
def classify_title(job_title: str | None) -> TitleProfile:
    """Read seniority and departments from a job title; empty title -> no seniority.

    Cached: a title is read once however many leads and replies carry it (the result is
    shared; treat it as read-only)."""
    words = _prepare(job_title or "")
    if not words:
        return TitleProfile()
    departments = _departments(words)
    seniority = _seniority(words)
    qualified_up = bool(_QUALIFIED_UP.search(" ".join(words))) and seniority not in (
        Seniority.C_LEVEL,
        Seniority.VP,
    )
    recognised = (
        bool(departments)
        or seniority is not Seniority.INDIVIDUAL
        or any(_has(words, pattern) for pattern in _INDIVIDUAL_WORDS)
        or any(word.endswith(_GERMAN_ROLE_ENDINGS) for word in words)
    )
    return TitleProfile(
        seniority=seniority,
        departments=departments,
        qualified_up=qualified_up,
        associate=bool(_ASSOCIATE.search(" ".join(words))),
        recognised=recognised,
    )


def department_key(name: str) -> str | None:
    """The department id for an admin's spelling ("Supply Chain" -> "supply_chain")."""
    key = "_".join(_words(name))
    aliases = {"information_technology": "it", "human_resources": "hr", "ops": "operations"}
    key = aliases.get(key, key)
    return key if key in DEPARTMENTS else None
