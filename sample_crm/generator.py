"""A deterministic sample CRM and web corpus for a vendor of supply-chain analytics software.

`generate_sample_crm` fills the CRM tables (users, accounts, contacts, leads,
opportunities, activities) and writes the local web corpus (company, finance and
news pages). The same seed and `now` give the same data.

The companies are built with an intended fit against the default ICP (industry in
manufacturing, retail, logistics or wholesale; 200–10,000 employees; North America
or Europe; nice-to-haves: revenue $20M–$2B, a senior operations/supply chain/IT/
finance title, an ERP or WMS on the web pages). About 35 % of leads are meant to be
exact matches, 25 % close (borderline size, unknown size, or a weak company reached
through a junior title) and 40 % no match.
"""

from __future__ import annotations

import math
import random
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Literal

from pydantic import BaseModel
from sqlalchemy import delete, func, inspect
from sqlmodel import Session, SQLModel, select

import sample_crm.names as vocab
from core.clock import as_utc, utc_now
from store.agent_records import AccountResearch
from store.crm import (
    Account,
    Activity,
    ActivityParticipant,
    ActivityType,
    Contact,
    Lead,
    LeadRating,
    LeadStatus,
    Opportunity,
    OpportunityState,
    SecurityRole,
    User,
)
from store.web_corpus import WebPage, write_page

Fit = Literal["exact", "weak", "borderline", "unknown", "none"]
LeadFit = Literal["exact", "close", "none"]
EmailKind = Literal["work", "personal", "role", "disposable", "invalid", "missing"]

# Shares of companies per intended fit; tuned so the lead mix lands near 35/25/40.
_COMPANY_SHARES: dict[str, float] = {
    "exact": 0.36,
    "weak": 0.10,
    "borderline": 0.09,
    "unknown": 0.07,
    "none": 0.38,
}
_LEAD_SHARES: dict[str, float] = {"exact": 0.35, "close": 0.25, "none": 0.40}
_EMAIL_SHARES: dict[str, float] = {
    "work": 0.80,
    "personal": 0.08,
    "role": 0.04,
    "disposable": 0.02,
    "invalid": 0.04,
    "missing": 0.02,
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
_MONTHS = (
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
)  # fmt: skip
_THE_COUNTRIES = {"United States", "United Kingdom", "Netherlands", "United Arab Emirates"}
_REGION_MARKET = {
    "North America": "North America",
    "Europe": "Europe",
    "APAC": "Asia-Pacific",
    "LATAM": "Latin America",
    "Africa": "southern Africa",
    "Middle East": "the Gulf region",
}


class SampleSummary(BaseModel):
    """How many rows and pages the generator wrote."""

    users: int
    accounts: int
    web_only_companies: int
    contacts: int
    leads: int
    opportunities: int
    activities: int
    pages: int


@dataclass
class _Company:
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


@dataclass
class _Person:
    first: str
    last: str
    origin: str


def generate_sample_crm(
    session: Session,
    corpus_dir: Path,
    *,
    seed: int = 7,
    now: datetime | None = None,
    n_accounts: int = 60,
    n_leads: int = 320,
    replace: bool = False,
) -> SampleSummary:
    """Fill the CRM and the web corpus with a believable, deterministic sample.

    Refuses (ValueError) when the CRM already has leads, unless `replace` is true:
    then the CRM rows, and the agent's records that point at them, are deleted first.
    Commits once at the end.
    """
    if n_accounts < 1 or n_leads < 0:
        raise ValueError(
            f"n_accounts must be at least 1 and n_leads at least 0 "
            f"(got n_accounts={n_accounts}, n_leads={n_leads})"
        )
    existing = session.exec(select(func.count()).select_from(Lead)).one()
    if existing and not replace:
        raise ValueError(
            f"The CRM already has {existing} leads; sample data goes into an empty CRM. "
            "Pass replace=True (CLI: --replace) to delete the CRM rows and generate anew."
        )
    if replace:
        _clear_crm(session)

    rng = random.Random(seed)
    now = as_utc(now) if now is not None else utc_now()
    gen = _Generator(rng, now)
    users = gen.users()
    companies = gen.companies(n_accounts)
    accounts = gen.accounts(companies)
    contacts = gen.contacts(companies)
    leads = gen.leads(companies, n_leads)
    opportunities = gen.opportunities(companies, leads)
    activities, participants = gen.activities(companies, leads, users)

    pages = [page for c in companies if c.has_web for page in gen.company_pages(c)]

    for rows in (users, accounts, contacts, leads, opportunities, activities, participants):
        # One flush per table keeps foreign keys satisfied without per-row commits.
        session.add_all(rows)
        session.flush()
    _write_corpus(corpus_dir, pages)
    session.commit()
    return SampleSummary(
        users=len(users),
        accounts=len(accounts),
        web_only_companies=sum(1 for c in companies if c.account_id is None),
        contacts=len(contacts),
        leads=len(leads),
        opportunities=len(opportunities),
        activities=len(activities),
        pages=len(pages),
    )


def _clear_crm(session: Session) -> None:
    """Delete CRM rows and every record that refers to them (child tables first)."""
    crm_models = (User, Account, Contact, Lead, Opportunity, Activity, ActivityParticipant)
    doomed = {m.__table__ for m in crm_models}  # type: ignore[attr-defined]
    grew = True
    while grew:  # agent records with foreign keys to CRM rows would block the delete
        grew = False
        for table in SQLModel.metadata.sorted_tables:
            if table not in doomed and any(fk.column.table in doomed for fk in table.foreign_keys):
                doomed.add(table)
                grew = True
    # Research is keyed by account id or domain; with new accounts it would be wrong.
    doomed.add(AccountResearch.__table__)  # type: ignore[attr-defined]
    inspector = inspect(session.connection())
    for table in reversed(SQLModel.metadata.sorted_tables):
        if table in doomed and inspector.has_table(table.name):
            session.execute(delete(table))
    session.flush()


def _write_corpus(corpus_dir: Path, pages: Sequence[WebPage]) -> None:
    """Write the pages, first removing earlier pages of the same domains."""
    for domain in dict.fromkeys(p.domain for p in pages):
        # Pages of an earlier run for this domain would contradict the new CRM.
        for old in sorted((corpus_dir / domain).glob("*.md")):
            old.unlink()
    for page in pages:
        write_page(corpus_dir, page)


def _quota(rng: random.Random, n: int, shares: dict[str, float]) -> list[str]:
    """`n` labels in the given shares (largest remainder), shuffled."""
    raw = {k: n * v / sum(shares.values()) for k, v in shares.items()}
    counts = {k: math.floor(v) for k, v in raw.items()}
    by_remainder = sorted(raw, key=lambda k: raw[k] - counts[k], reverse=True)
    for k in by_remainder[: n - sum(counts.values())]:
        counts[k] += 1
    labels = [k for k, c in counts.items() for _ in range(c)]
    rng.shuffle(labels)
    return labels


def _weighted(rng: random.Random, weights: dict[str, float]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _fold(text: str) -> str:
    """ASCII lower-case letters and digits only: for domains and email local parts."""
    text = text.replace("ß", "ss").replace("ł", "l").replace("Ł", "L").replace("ı", "i")
    text = text.replace("&", "and")
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(ch for ch in ascii_text.lower() if ch.isalnum())


def _slug(text: str, limit: int = 60) -> str:
    slug = ""
    for word in filter(None, (_fold(w) for w in text.split())):
        if slug and len(slug) + 1 + len(word) > limit:
            break
        slug = f"{slug}-{word}" if slug else word
    return slug[:limit]


def _log_uniform(rng: random.Random, low: float, high: float) -> int:
    return round(math.exp(rng.uniform(math.log(low), math.log(high))))


def _sig3(value: float) -> float:
    return float(f"{value:.3g}")


def _money(value: float) -> str:
    """'$240 million', '$1.25 billion': the three significant figures the CRM holds."""
    if value >= 1e9:
        return f"${value / 1e9:.3g} billion"
    return f"${value / 1e6:.3g} million"


def _long_date(day: date) -> str:
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"


def _the(country: str) -> str:
    return f"the {country}" if country in _THE_COUNTRIES else country


class _Generator:
    """Builds the rows; every random choice goes through one `random.Random`."""

    def __init__(self, rng: random.Random, now: datetime) -> None:
        self.rng = rng
        self.now = now
        self.sellers: list[str] = []
        self.marketing: list[str] = []
        self.manager: str = ""
        self._used_names: set[str] = set()
        self._used_domains: set[str] = set()
        self._prefix_uses: dict[str, int] = {}

    # -- people -----------------------------------------------------------------

    def users(self) -> list[User]:
        """Sellers, a sales manager, a supervisor, an admin and marketing users."""
        rows: list[User] = []
        for i, (full_name, role, title, local) in enumerate(vocab.USERS, start=1):
            user = User(
                id=f"USR-{i:02d}",
                full_name=full_name,
                email=f"{local}@{vocab.VENDOR_DOMAIN}",
                security_role=SecurityRole(role),
                title=title,
            )
            rows.append(user)
            if user.security_role is SecurityRole.SELLER:
                self.sellers.append(user.id)
            elif user.security_role is SecurityRole.MARKETING:
                self.marketing.append(user.id)
            elif user.security_role is SecurityRole.SALES_MANAGER:
                self.manager = user.id
        return rows

    def person(self, country: str) -> _Person:
        origins = vocab.COUNTRIES[country].origins
        origin = (
            self.rng.choice(origins)
            if self.rng.random() < 0.75
            else self.rng.choice(list(vocab.FIRST_NAMES))
        )
        return _Person(
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

    # -- companies --------------------------------------------------------------

    def companies(self, n_accounts: int) -> list[_Company]:
        """Accounts first (ACC-001...), then web-only companies."""
        n_web_only = max(1, round(n_accounts * 0.17))
        fits = _quota(self.rng, n_accounts + n_web_only, _COMPANY_SHARES)
        companies = [self.company(fit) for fit in fits]  # type: ignore[arg-type]
        for i, company in enumerate(companies[:n_accounts], start=1):
            company.account_id = f"ACC-{i:03d}"
            company.owner_id = _TERRITORY.get(company.country)
            if company.owner_id is None or self.rng.random() < 0.2:
                company.owner_id = self.rng.choice(self.sellers)
        accounts = companies[:n_accounts]
        # Accounts with no web page at all: research must make do with the CRM.
        for company in self.rng.sample(accounts, max(1, round(n_accounts * 0.05))):
            company.has_web = False
        self.assign_known_facts(companies)
        return companies

    def company(self, fit: Fit) -> _Company:
        r = self.rng
        none_kind = _weighted(r, {"industry": 0.5, "tiny": 0.2, "region": 0.3})
        if fit == "none" and none_kind == "industry":
            sector = r.choice(vocab.OTHER_SECTORS)
            country = _weighted(r, {**_IN_REGION_WEIGHTS, **_OUT_REGION_WEIGHTS, "Mexico": 1.5})
        elif fit == "none" and none_kind == "region":
            sector = r.choice(vocab.TARGET_SECTORS)
            country = _weighted(r, _OUT_REGION_WEIGHTS)
        else:
            sector = r.choice(vocab.TARGET_SECTORS)
            country = _weighted(r, _IN_REGION_WEIGHTS)
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
        return _Company(
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
        words = [_fold(w) for w in short_name.split() if _fold(w) not in ("of", "and")]
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

    def assign_known_facts(self, companies: Sequence[_Company]) -> None:
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

    # -- CRM rows ---------------------------------------------------------------

    def accounts(self, companies: Sequence[_Company]) -> list[Account]:
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
                    country=None if "country" in c.missing else self.country_label(c.country),
                    city=c.city,
                    website=f"https://www.{c.domain}",
                    description=(
                        f"{c.specialty.what_it_is.capitalize()} in {c.city}."
                        if self.rng.random() < 0.7
                        else None
                    ),
                    owner_id=c.owner_id,
                    created_on=self.now - timedelta(days=self.rng.uniform(100, 1500)),
                )
            )
        return rows

    def contacts(self, companies: Sequence[_Company]) -> list[Contact]:
        rows: list[Contact] = []
        titles = vocab.GOOD_TITLES + vocab.PARTIAL_TITLES + vocab.UNRELATED_TITLES
        for c in companies:
            if c.account_id is None:
                continue
            emails: set[str] = set()
            for _ in range(self.rng.randint(2, 6)):
                p = self.person(c.country)
                email = f"{_fold(p.first)}.{_fold(p.last)}@{c.domain}"
                if email in emails:
                    continue
                emails.add(email)
                contact = Contact(
                    id=f"CON-{len(rows) + 1:04d}",
                    first_name=p.first,
                    last_name=p.last,
                    job_title=self.rng.choice(titles),
                    email=email,
                    phone=self.phone(c.country) if self.rng.random() < 0.8 else None,
                    account_id=c.account_id,
                    created_on=self.now - timedelta(days=self.rng.uniform(20, 900)),
                )
                rows.append(contact)
                c.contacts.append(contact)
        return rows

    def leads(self, companies: Sequence[_Company], n_leads: int) -> list[Lead]:
        r = self.rng
        fits = _quota(r, n_leads, _LEAD_SHARES)
        emails = _quota(r, n_leads, _EMAIL_SHARES)
        ages = _quota(r, n_leads, {"recent": 0.6, "old": 0.4})
        states = _quota(r, n_leads, {"open": 0.92, "closed": 0.08})
        owners = _quota(r, n_leads, {"sales": 0.92, "marketing": 0.08})
        no_company = set(r.sample(range(n_leads), round(n_leads * 0.02)))
        pools = _Pools(r, companies)
        rows: list[Lead] = []
        for i in range(n_leads):
            company, titles = pools.pick(fits[i])  # type: ignore[arg-type]
            lead = self.lead(
                f"LEAD-{i + 1:04d}",
                company,
                titles,
                email_kind=emails[i],  # type: ignore[arg-type]
                recent=ages[i] == "recent",
                closed=states[i] == "closed",
                marketing=owners[i] == "marketing",
                with_company_name=i not in no_company,
            )
            rows.append(lead)
        return rows

    def lead(
        self,
        lead_id: str,
        c: _Company,
        titles: Sequence[str],
        *,
        email_kind: EmailKind,
        recent: bool,
        closed: bool,
        marketing: bool,
        with_company_name: bool,
    ) -> Lead:
        r = self.rng
        person, title, email = self.person(c.country), r.choice(titles), None
        contact: Contact | None = None
        matching = [k for k in c.contacts if k.job_title in titles]
        if email_kind == "work" and matching and r.random() < 0.12:
            # The lead is someone already in the CRM as a contact.
            contact = r.choice(matching)
            person = _Person(contact.first_name, contact.last_name, "")
            title, email = contact.job_title or title, contact.email
        else:
            email = self.lead_email(person, c, email_kind)

        created = self.now - (
            timedelta(minutes=r.randint(5, 13 * 24 * 60 + 20 * 60))
            if recent
            else timedelta(days=r.uniform(15.2, 90))
        )
        status, reason = LeadStatus.OPEN, "New" if r.random() < 0.7 else "Contacted"
        if closed:
            if r.random() < 0.4:
                status, reason = LeadStatus.QUALIFIED, "Qualified"
            else:
                status, reason = LeadStatus.DISQUALIFIED, r.choice(vocab.DISQUALIFY_REASONS)

        if marketing:
            owner = r.choice(self.marketing)
        elif c.owner_id and r.random() < 0.5:
            owner = c.owner_id
        else:
            owner = self.manager if r.random() < 0.07 else r.choice(self.sellers)

        company_name = None
        if with_company_name:
            company_name = c.name if r.random() < 0.6 else c.short_name
        parent_account = parent_contact = None
        if c.account_id and company_name and r.random() < 0.4:
            parent_account = c.account_id
        if contact is not None and r.random() < 0.3:
            parent_account, parent_contact = c.account_id, contact.id

        roll = r.random()
        return Lead(
            id=lead_id,
            topic=r.choice(vocab.TOPICS),
            first_name=person.first,
            last_name=person.last,
            job_title=title,
            company_name=company_name,
            email=email,
            phone=self.phone(c.country) if r.random() < 0.85 else None,
            country=None if roll < 0.05 else self.country_label(c.country, 0.2),
            city=None if roll < 0.1 else c.city,
            source=r.choices(vocab.SOURCES, weights=(30, 12, 14, 6, 6, 8, 12, 12))[0],
            rating=r.choices(list(LeadRating), weights=(20, 35, 45))[0],
            status=status,
            status_reason=reason,
            created_on=created,
            owner_id=owner,
            parent_account_id=parent_account,
            parent_contact_id=parent_contact,
            connected_by="seller" if parent_account else None,
        )

    def lead_email(self, p: _Person, c: _Company, kind: EmailKind) -> str | None:
        r = self.rng
        first, last = _fold(p.first), _fold(p.last)
        if kind == "missing":
            return None
        if kind == "work":
            return f"{first}.{last}@{c.domain}"
        if kind == "role":
            return f"{r.choice(vocab.ROLE_MAILBOXES)}@{c.domain}"
        if kind == "disposable":
            return f"{first[0]}{last}{r.randint(10, 999)}@{r.choice(vocab.DISPOSABLE_DOMAINS)}"
        if kind == "personal":
            local = r.choice(
                [f"{first}.{last}{r.randint(1, 99)}", f"{first}{last}", f"{first[0]}{last}"]
            )
            domains = vocab.COUNTRIES[c.country].personal_domains
            if r.random() < 0.5:
                domains = vocab.PERSONAL_DOMAINS_ANY
            return f"{local}@{r.choice(domains)}"
        stem = c.domain.split(".")[0]
        broken: list[Callable[[], str]] = [
            lambda: f"{first}.{last}@@{c.domain}",
            lambda: f"{first}.{last}@{stem}",
            lambda: f"{first} at {c.domain}",
            lambda: f"{first}.{last}@{c.domain}.",
            lambda: f"{first}.{last} @{c.domain}",
            lambda: f"{first}..{last}@{c.domain}",
            lambda: f"{first}.{last}@{c.domain.replace('.', ',')}",
        ]
        return r.choice(broken)()

    def opportunities(
        self, companies: Sequence[_Company], leads: Sequence[Lead]
    ) -> list[Opportunity]:
        r = self.rng
        open_leads: dict[str, list[Lead]] = {}
        by_name = {n: c for c in companies for n in (c.name, c.short_name)}
        for lead in leads:
            c = by_name.get(lead.company_name or "")
            if c and c.account_id and lead.status is LeadStatus.OPEN:
                open_leads.setdefault(c.account_id, []).append(lead)
        accounts = [c for c in companies if c.account_id]
        rows: list[Opportunity] = []
        for c in r.sample(accounts, len(accounts) // 2):
            for _ in range(r.choices((1, 2, 3), weights=(60, 30, 10))[0]):
                state = r.choices(list(OpportunityState), weights=(65, 20, 15))[0]
                is_open = state is OpportunityState.OPEN
                close_shift = r.uniform(10, 150) if is_open else -r.uniform(5, 200)
                origin = None
                if is_open and open_leads.get(c.account_id or "") and r.random() < 0.25:
                    origin = r.choice(open_leads[c.account_id or ""]).id
                rows.append(
                    Opportunity(
                        id=f"OPP-{len(rows) + 1:04d}",
                        name=f"{c.short_name} – {r.choice(vocab.OPPORTUNITY_NAMES)}",
                        account_id=c.account_id,
                        contact_id=(
                            r.choice(c.contacts).id if c.contacts and r.random() < 0.7 else None
                        ),
                        originating_lead_id=origin,
                        stage=r.choice(("Qualify", "Develop", "Propose")) if is_open else "Close",
                        estimated_value=float(round(r.uniform(10_000, 900_000), -3)),
                        state=state,
                        owner_id=c.owner_id,
                        estimated_close_date=self.now + timedelta(days=close_shift),
                        created_on=self.now - timedelta(days=r.uniform(20, 400)),
                    )
                )
        return rows

    def activities(
        self, companies: Sequence[_Company], leads: Sequence[Lead], users: Sequence[User]
    ) -> tuple[list[Activity], list[ActivityParticipant]]:
        """Emails and meetings with contacts and leads, so that who-knows-whom has answers."""
        r = self.rng
        acts: list[Activity] = []
        parts: list[ActivityParticipant] = []
        coworkers = [u.id for u in users if u.security_role is not SecurityRole.ADMIN]
        horizon = self.now - timedelta(days=180)

        def add(
            internal: list[str], external: list[str], when: datetime, subject: str,
            account_id: str | None, lead_id: str | None,
        ) -> None:  # fmt: skip
            kind = ActivityType.EMAIL if r.random() < 0.7 else ActivityType.MEETING
            act = Activity(
                id=f"ACT-{len(acts) + 1:05d}",
                activity_type=kind,
                subject=subject,
                occurred_on=when,
                owner_id=internal[0],
                regarding_account_id=account_id,
                regarding_lead_id=lead_id,
            )
            acts.append(act)
            inbound = kind is ActivityType.EMAIL and r.random() < 0.4
            for j, user_id in enumerate(internal):
                if kind is ActivityType.MEETING:
                    role = "organizer" if j == 0 else "attendee"
                else:
                    role = ("to" if inbound else "from") if j == 0 else "cc"
                parts.append(
                    ActivityParticipant(
                        activity_id=act.id, user_id=user_id, role=role, is_internal=True
                    )
                )
            for j, email in enumerate(external):
                if kind is ActivityType.MEETING:
                    role = "attendee"
                elif j == 0:
                    role = "from" if inbound else "to"
                else:
                    role = "cc"
                parts.append(
                    ActivityParticipant(
                        activity_id=act.id, email=email, role=role, is_internal=False
                    )
                )

        def subject(topic: str) -> str:
            return r.choice(vocab.ACTIVITY_SUBJECTS).format(
                topic=topic, event=r.choice(vocab.EVENTS)
            )

        for c in companies:
            with_email = [k for k in c.contacts if k.email]
            if not with_email or r.random() > 0.55:
                continue
            for _ in range(r.randint(1, 5)):
                internal = [c.owner_id or r.choice(self.sellers)]
                if r.random() < 0.3:
                    extra = r.choice(coworkers)
                    if extra not in internal:
                        internal.append(extra)
                external = [
                    k.email for k in r.sample(with_email, min(len(with_email), r.randint(1, 2)))
                ]
                when = horizon + timedelta(seconds=r.uniform(0, 180 * 86400))
                add(internal, external, when, subject(r.choice(vocab.TOPICS)), c.account_id, None)  # type: ignore[arg-type]

        by_name = {n: c for c in companies for n in (c.name, c.short_name)}
        for lead in leads:
            if not lead.email or "@" not in lead.email or r.random() > 0.45:
                continue
            c = by_name.get(lead.company_name or "")
            account_id = c.account_id if c else None
            start = max(horizon, as_utc(lead.created_on) - timedelta(days=30))
            span = (self.now - start).total_seconds()
            people = r.sample(coworkers, r.choices((1, 2, 3), weights=(50, 35, 15))[0])
            if lead.owner_id and lead.owner_id not in people and r.random() < 0.5:
                people[0] = lead.owner_id
            for user_id in people:
                for _ in range(r.randint(1, 3)):
                    when = start + timedelta(seconds=r.uniform(0, span))
                    add([user_id], [lead.email], when, subject(lead.topic), account_id, lead.id)
        return acts, parts

    # -- web corpus -------------------------------------------------------------

    def company_pages(self, c: _Company) -> list[WebPage]:
        r = self.rng
        sp = c.specialty
        cv = vocab.COUNTRIES[c.country]
        market = r.choice(
            [_the(c.country), f"{_the(c.country)} and neighbouring countries",
             _REGION_MARKET[cv.region]]
        )  # fmt: skip
        customers_a, customers_b = r.sample(sp.customers, 2)
        article = "an" if sp.what_it_is[0] in "aeiou" else "a"
        fill: dict[str, object] = {
            "name": c.name,
            "full_name": c.name,
            "city": c.city,
            "country": c.country,
            "founded": c.founded,
            "a_what_it_is": f"{article} {sp.what_it_is}",
            "what_it_does": sp.what_it_does,
            "customers_a": customers_a,
            "customers_b": customers_b,
            "market": market,
            "sites": r.randint(2, 9) if c.employees < 2000 else r.randint(8, 60),
            "employees": f"{c.web_employees:,}" if c.web_employees else "",
        }
        pages = [self.about_page(c, fill)]
        if c.employees >= 40 or r.random() < 0.5:
            pages.append(self.finance_page(c, fill))
        n_news = r.choices((0, 1, 2, 3), weights=(25, 35, 25, 15))[0]
        slugs: set[str] = set()
        for kind in r.sample(vocab.NEWS_KINDS, n_news):
            page = self.news_page(c, kind, fill)
            if page.url not in slugs:
                slugs.add(page.url)
                pages.append(page)
        return pages

    def about_page(self, c: _Company, fill: dict[str, object]) -> WebPage:
        r = self.rng
        opener = r.choice(vocab.OVERVIEW_OPENERS)
        scale = vocab.OVERVIEW_SCALE if c.web_employees else vocab.OVERVIEW_SCALE_NO_COUNT
        sentences = [opener, r.choice(scale), r.choice(vocab.OVERVIEW_CUSTOMERS)]
        if c.runs_erp:
            sentences.append(r.choice(vocab.ERP_SENTENCES))
        elif "{what_it_does}" not in opener and r.random() < 0.5:
            sentences.insert(1, r.choice(vocab.OVERVIEW_DOES))
        erp = r.choice(vocab.ERP_SYSTEMS)
        overview = " ".join(
            s.format(**fill, erp=erp, year=r.randint(2016, self.now.year - 1)) for s in sentences
        )
        products = r.sample(c.specialty.products, min(len(c.specialty.products), r.randint(3, 5)))
        if c.runs_erp and c.sector in ("Logistics", "Wholesale") and r.random() < 0.4:
            products.append(r.choice(vocab.ERP_PRODUCTS))
        facts = [f"- Industry: {c.web_label}"]
        if c.web_employees:
            facts.append(f"- Employees: {c.web_employees:,}")
        country = self.country_label(c.country, 0.1)
        facts += [f"- Headquarters: {c.city}, {country}", f"- Founded: {c.founded}"]
        body = "\n".join(
            [
                f"# {c.name}",
                "",
                "## Overview",
                overview,
                "",
                "## Products and services",
                *(f"- {p}" for p in products),
                "",
                "## Key facts",
                *facts,
                "",
                "## Mission",
                r.choice(vocab.MISSIONS).format(**fill),
            ]
        )
        title = r.choice([f"About {c.name}", f"{c.name} – who we are", f"{c.short_name}: about us"])
        return WebPage(
            url=f"https://{c.domain}/about",
            title=title,
            kind="company",
            company=c.name,
            domain=c.domain,
            content=body,
        )

    def finance_page(self, c: _Company, fill: dict[str, object]) -> WebPage:
        r = self.rng
        fiscal_year = self.now.year - 1 if self.now.month <= 6 else self.now.year
        growth = r.choice((-7, -4, -2, 0, 1, 3, 4, 6, 8, 9, 12, 15, 18))
        if c.employees > 3000 and r.random() < 0.5:
            exchange = vocab.COUNTRIES[c.country].exchange
            ownership = f"Listed on the {exchange} (ticker {_fold(c.short_name)[:4].upper()})"
        else:
            ownership = r.choice(vocab.OWNERSHIP_PRIVATE)
            if ownership == "Private equity backed":
                ownership += f" ({r.choice(vocab.PE_FUNDS)})"
        lines = [
            f"- Annual revenue: {_money(c.revenue)} (FY{fiscal_year})",
            f"- Revenue growth: {growth}% year over year",
            f"- Ownership: {ownership}",
        ]
        if c.web_employees and r.random() < 0.5:
            lines.append(f"- Employees: {c.web_employees:,}")
        if growth > 1:
            health = vocab.FINANCE_HEALTH_UP
        elif growth >= 0:
            health = vocab.FINANCE_HEALTH_FLAT
        else:
            health = vocab.FINANCE_HEALTH_DOWN
        prose = " ".join(
            s.format(growth=growth, decline=-growth, year=fiscal_year)
            for s in r.sample(health, min(len(health), r.randint(1, 2)))
        )
        title = r.choice(
            [f"{c.name}: financial highlights", f"{c.short_name} investor relations",
             f"{c.short_name} annual results FY{fiscal_year}"]
        )  # fmt: skip
        return WebPage(
            url=f"https://{c.domain}/investors",
            title=title,
            kind="finance",
            company=c.name,
            domain=c.domain,
            content="\n".join([f"# {title}", "", *lines, "", prose]),
        )

    def news_page(self, c: _Company, kind: str, fill: dict[str, object]) -> WebPage:
        r = self.rng
        published = (self.now - timedelta(days=r.randint(1, 120))).date()
        boss = self.person(c.country)
        words = {
            **fill,
            "name": c.short_name,  # headlines use the short name, first sentences the full one
            "item": r.choice(c.specialty.launch_items),
            "role": r.choice(vocab.LEADERSHIP_ROLES),
            "person": f"{boss.first} {boss.last}",
            "person_first": boss.first,
            "pronoun": "they",
            "start": _long_date(published + timedelta(days=r.randint(14, 60))),
            "partner": r.choice(vocab.PARTNER_NAMES),
            "years": r.randint(3, 7),
            "value": r.randint(5, 80),
            "award": r.choice(vocab.AWARDS),
            "ordinal": r.choice(("second", "third", "fourth")),
            "hours": f"{r.randint(5, 40) * 100:,}",
        }
        title = r.choice(vocab.NEWS_TITLES[kind]).format(**words)
        first, *rest = vocab.NEWS_BODIES[kind]
        sentences = [first, *r.sample(rest, r.randint(1, 3))]
        body = " ".join(s.format(**words) for s in sentences)
        return WebPage(
            url=f"https://{c.domain}/news/{_slug(title)}",
            title=title,
            kind="news",
            company=c.name,
            domain=c.domain,
            published_on=published,
            content=f"# {title}\n\n{c.city}, {_long_date(published)} – {body}",
        )


class _Pools:
    """Picks the company and title list for a lead of a given intended fit.

    Every company gets a lead before any gets a second one, then popular companies
    get more, so several leads share one company's research.
    """

    def __init__(self, rng: random.Random, companies: Sequence[_Company]) -> None:
        self.rng = rng
        self.by_fit: dict[str, list[_Company]] = {}
        for c in companies:
            self.by_fit.setdefault(c.fit, []).append(c)
        self.unvisited = {k: rng.sample(v, len(v)) for k, v in self.by_fit.items()}
        self.weight = {id(c): rng.uniform(0.5, 3.0) for c in companies}

    def pick(self, lead_fit: LeadFit) -> tuple[_Company, Sequence[str]]:
        r = self.rng
        good, partial = vocab.GOOD_TITLES, vocab.PARTIAL_TITLES
        unrelated = vocab.UNRELATED_TITLES
        if lead_fit == "exact":
            # A weak company still comes out exact when a senior title adds a nice-to-have.
            fit = "exact" if r.random() < 0.8 else "weak"
            titles = partial if fit == "exact" and r.random() < 0.15 else good
        elif lead_fit == "close":
            fit = _weighted(r, {"borderline": 0.35, "unknown": 0.30, "weak": 0.35})
            titles = unrelated if fit == "weak" else (good if r.random() < 0.7 else partial)
        else:
            fit, titles = "none", good + partial + unrelated
        return self.company(fit), titles

    def company(self, fit: str) -> _Company:
        order = [fit, "exact", "none", "weak", "borderline", "unknown"]
        fit = next(f for f in order if self.by_fit.get(f))  # tiny samples may lack a class
        if self.unvisited[fit]:
            return self.unvisited[fit].pop()
        pool = self.by_fit[fit]
        return self.rng.choices(pool, weights=[self.weight[id(c)] for c in pool])[0]
