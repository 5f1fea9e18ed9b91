"""The sample companies: firmographics, names and domains, what the CRM and the web know.

Each company is drawn for an intended fit against the default ICP ("exact", "weak",
"borderline", "unknown", "none"); the first `n_accounts` become CRM accounts, the rest
exist only on the web.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Literal

import sample_crm.names as vocab
from sample_crm.draws import Draws, fold, quota, weighted
from store.crm import Account, Contact

Fit = Literal["exact", "weak", "borderline", "unknown", "none"]

# Shares of companies per intended fit; tuned so the lead mix lands near 35/25/40.
_COMPANY_SHARES: dict[str, float] = {
    "exact": 0.36,
    "weak": 0.10,
    "borderline": 0.09,
    "unknown": 0.07,
    "none": 0.38,
}
_IN_REGION_WEIGHTS: dict[str, float] = {
    "United States": 6, "United Kingdom": 3, "Germany": 3, "France": 2, "Netherlands": 2,
    "Canada": 2, "Sweden": 1, "Spain": 1, "Italy": 1, "Poland": 1, "Ireland": 1,
}  # fmt: skip
# Mexico is left out: region matchers count it as North America as well as LATAM.
_OUT_REGION_WEIGHTS: dict[str, float] = {
    "India": 2, "Japan": 1.5, "Singapore": 1, "Australia": 2, "South Africa": 1,
    "United Arab Emirates": 1, "Brazil": 1.5,
}  # fmt: skip
# Which seller usually owns accounts in a country (the rest are spread at random).
_TERRITORY: dict[str, str] = {
    "Germany": "USR-02", "Poland": "USR-02", "Sweden": "USR-03", "Netherlands": "USR-04",
    "France": "USR-04", "United States": "USR-06", "Canada": "USR-06", "Mexico": "USR-06",
    "Brazil": "USR-06", "India": "USR-05", "Singapore": "USR-05",
}  # fmt: skip
_PREFIX_STYLE: dict[str, str] = {
    "hispanic": "spanish",
    "irish": "english",
    "african": "afrikaans",
    "turkish": "german",
}


@dataclass
class Company:
    """A fictional company, before it becomes an account and web pages."""

    name: str
    short_name: str
    domain: str
    sector: str
    crm_label: str
    web_label: str
    employees: int
    band: tuple[int, int]
    revenue: float
    country: str
    city: str
    founded: int
    fit: Fit
    runs_erp: bool
    origin: str
    specialty: vocab.Specialty
    crm_employees: int | None = None
    web_employees: int | None = None
    missing: set[str] = field(default_factory=set)
    account_id: str | None = None
    has_web: bool = True
    owner_id: str | None = None
    contacts: list[Contact] = field(default_factory=list)


def build_companies(draws: Draws, n_accounts: int, sellers: Sequence[str]) -> list[Company]:
    """Accounts first (ACC-001...), owned by `sellers`, then web-only companies."""
    return _CompanyMaker(draws.rng).companies(n_accounts, sellers)


def build_accounts(draws: Draws, companies: Sequence[Company]) -> list[Account]:
    """The CRM account of each company that has an account id."""
    rows = []
    for c in companies:
        if c.account_id is None:
            continue
        rows.append(
            Account(
                id=c.account_id,
                name=c.name,
                domain=c.domain,
                industry=None if "industry" in c.missing else c.crm_label,
                number_of_employees=c.crm_employees,
                annual_revenue=None if "revenue" in c.missing else c.revenue,
                country=None if "country" in c.missing else draws.country_label(c.country),
                city=c.city,
                website=f"https://www.{c.domain}",
                description=(
                    f"{c.specialty.what_it_is.capitalize()} in {c.city}."
                    if draws.rng.random() < 0.7
                    else None
                ),
                owner_id=c.owner_id,
                created_on=draws.now - timedelta(days=draws.rng.uniform(100, 1500)),
            )
        )
    return rows


def _log_uniform(rng: random.Random, low: float, high: float) -> int:
    return round(math.exp(rng.uniform(math.log(low), math.log(high))))


def _sig3(value: float) -> float:
    return float(f"{value:.3g}")


class _CompanyMaker:
    """Draws the companies of one run, keeping their names and domains apart."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self._used_names: set[str] = set()
        self._used_domains: set[str] = set()
        self._prefix_uses: dict[str, int] = {}

    def companies(self, n_accounts: int, sellers: Sequence[str]) -> list[Company]:
        n_web_only = max(1, round(n_accounts * 0.17))
        fits = quota(self.rng, n_accounts + n_web_only, _COMPANY_SHARES)
        companies = [self.company(fit) for fit in fits]  # type: ignore[arg-type]
        for i, company in enumerate(companies[:n_accounts], start=1):
            company.account_id = f"ACC-{i:03d}"
            company.owner_id = _TERRITORY.get(company.country)
            if company.owner_id is None or self.rng.random() < 0.2:
                company.owner_id = self.rng.choice(sellers)
        accounts = companies[:n_accounts]
        # Accounts with no web page at all: research must make do with the CRM.
        for company in self.rng.sample(accounts, max(1, round(n_accounts * 0.05))):
            company.has_web = False
        self.assign_known_facts(companies)
        return companies

    def company(self, fit: Fit) -> Company:
        r = self.rng
        none_kind = weighted(r, {"industry": 0.5, "tiny": 0.2, "region": 0.3})
        if fit == "none" and none_kind == "industry":
            sector = r.choice(vocab.OTHER_SECTORS)
            country = weighted(r, {**_IN_REGION_WEIGHTS, **_OUT_REGION_WEIGHTS, "Mexico": 1.5})
        elif fit == "none" and none_kind == "region":
            sector = r.choice(vocab.TARGET_SECTORS)
            country = weighted(r, _OUT_REGION_WEIGHTS)
        else:
            sector = r.choice(vocab.TARGET_SECTORS)
            country = weighted(r, _IN_REGION_WEIGHTS)
        sv = vocab.SECTORS[sector]

        employees, band = self.size(fit, none_kind)
        revenue = _sig3(employees * sv.revenue_per_employee * r.uniform(0.75, 1.3))
        if fit == "exact":
            revenue = min(max(revenue, 22e6), 1.9e9)
        elif fit == "weak":  # must-haves met, revenue more than 20 % outside $20M–$2B
            revenue = _sig3(r.uniform(6e6, 15e6) if employees < 2000 else r.uniform(2.6e9, 4.5e9))
        revenue = max(revenue, 400_000.0)

        runs_erp = {
            "exact": r.random() < 0.9,
            "weak": False,
            "borderline": r.random() < 0.6,
            "unknown": r.random() < 0.6,
            "none": r.random() < 0.3 and sector in vocab.TARGET_SECTORS,
        }[fit]
        origin, short_name, name = self.company_name(country, sv)
        specialty = r.choice(sv.specialties)
        # Canonical names and synonyms both occur, so the ICP judge's synonym matching matters.
        labels = (sector, specialty.label)
        crm_label = r.choice(labels)
        web_label = crm_label if r.random() < 0.5 else r.choice(labels)
        founded = (
            r.randint(2006, 2021) if employees < 100 else round(r.triangular(1885, 2015, 1995))
        )
        return Company(
            name=name,
            short_name=short_name,
            domain=self.domain(short_name, country, sector),
            sector=sector,
            crm_label=crm_label,
            web_label=web_label,
            employees=employees,
            band=band,
            revenue=revenue,
            country=country,
            city=r.choice(vocab.COUNTRIES[country].cities),
            founded=founded,
            fit=fit,
            runs_erp=runs_erp,
            origin=origin,
            specialty=specialty,
        )

    def size(self, fit: Fit, none_kind: str) -> tuple[int, tuple[int, int]]:
        """Employees and the band a more recent web figure must stay within."""
        r = self.rng
        if fit in ("exact", "unknown"):
            return _log_uniform(r, 220, 9500), (200, 10_000)
        if fit == "weak":
            small = r.random() < 0.5
            return (r.randint(210, 600) if small else r.randint(5000, 9500)), (200, 10_000)
        if fit == "borderline":  # outside 200–10,000 but within 20 %: "partly met"
            if r.random() < 0.5:
                return r.randint(165, 195), (162, 198)
            return r.randint(10_300, 11_800), (10_200, 11_950)
        if none_kind == "tiny":
            return r.randint(8, 90), (5, 120)
        if none_kind == "region":
            return _log_uniform(r, 250, 20_000), (200, 25_000)
        return _log_uniform(r, 30, 60_000), (20, 60_000)

    def company_name(self, country: str, sv: vocab.SectorVocab) -> tuple[str, str, str]:
        """(name origin, short name, full name with legal suffix)."""
        cv = vocab.COUNTRIES[country]
        for attempt in range(40):
            style = _PREFIX_STYLE.get(cv.origins[0], cv.origins[0])
            if style not in vocab.NAME_PREFIXES or self.rng.random() < 0.3 or attempt > 20:
                style = "english"
            # The least-used prefix first, so few unrelated companies share a first word.
            pool = vocab.NAME_PREFIXES[style]
            fewest = min(self._prefix_uses.get(p, 0) for p in pool)
            prefix = self.rng.choice([p for p in pool if self._prefix_uses.get(p, 0) == fewest])
            word = self.rng.choice(sv.name_words)
            if sv.canonical == "Education" and word == "University":
                short = f"University of {prefix}"
            else:
                short = f"{prefix} {word}"
            if short not in self._used_names:
                break
        else:
            short = f"{short} {len(self._used_names) + 1}"
        self._used_names.add(short)
        self._prefix_uses[prefix] = self._prefix_uses.get(prefix, 0) + 1
        if sv.canonical in ("Government", "Education") or self.rng.random() < 0.35:
            return style, short, short
        return style, short, f"{short} {self.rng.choice(cv.legal_suffixes)}"

    def domain(self, short_name: str, country: str, sector: str) -> str:
        tlds = list(vocab.COUNTRIES[country].tlds)
        if sector == "Software":
            tlds += [".io", ".io"]
        words = [fold(w) for w in short_name.split() if fold(w) not in ("of", "and")]
        hyphenated, joined = "-".join(words), "".join(words)
        stems = [hyphenated, joined] if self.rng.random() < 0.5 else [joined, hyphenated]
        for stem in [*stems, words[0], f"{hyphenated}-group"]:
            domain = f"{stem}{self.rng.choice(tlds)}"
            if stem and domain not in self._used_domains:
                self._used_domains.add(domain)
                return domain
        domain = f"{'-'.join(words)}-{len(self._used_domains)}{tlds[0]}"
        self._used_domains.add(domain)
        return domain

    def assign_known_facts(self, companies: Sequence[Company]) -> None:
        """Decide which facts the CRM and the web know, and where they disagree."""
        r = self.rng
        for c in companies:
            is_account = c.account_id is not None
            c.crm_employees = c.employees if is_account else None
            c.web_employees = c.employees
            if c.fit == "unknown":
                c.crm_employees = None
                c.web_employees = None
                continue
            roll = r.random()
            if roll < 0.15:  # the web has a more recent headcount
                low, high = c.band
                c.web_employees = min(max(round(c.employees * r.uniform(0.88, 1.15)), low), high)
            elif roll < 0.25 and is_account and c.has_web:
                c.web_employees = None  # the web does not say; the CRM does
        candidates = [c for c in companies if c.account_id and c.has_web and c.fit != "unknown"]
        for c in r.sample(candidates, round(len(candidates) * 0.15)):
            c.missing = set(
                r.sample(["industry", "employees", "revenue", "country"], r.randint(1, 2))
            )
            if "employees" in c.missing:
                c.crm_employees = None
                if c.web_employees is None:
                    c.web_employees = c.employees
