"""The sample's people: the vendor's users, the accounts' contacts and the leads.

About 35 % of leads are meant to be exact matches for the default ICP, 25 % close
(borderline size, unknown size, or a weak company reached through a junior title) and
40 % no match; their email addresses mix work, personal, role, disposable, broken and
missing ones.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Literal

import sample_crm.names as vocab
from core.time_zones import TimeZoneSource
from sample_crm.companies import Company
from sample_crm.draws import Draws, Person, fold, quota, weighted
from store.crm import Account, Contact, Lead, LeadRating, LeadStatus, SecurityRole, User
from store.lead_time_zones import settle_time_zone

LeadFit = Literal["exact", "close", "none"]
EmailKind = Literal["work", "personal", "role", "disposable", "invalid", "missing"]

_LEAD_SHARES: dict[str, float] = {"exact": 0.35, "close": 0.25, "none": 0.40}
_EMAIL_SHARES: dict[str, float] = {
    "work": 0.80,
    "personal": 0.08,
    "role": 0.04,
    "disposable": 0.02,
    "invalid": 0.04,
    "missing": 0.02,
}


@dataclass
class Team:
    """The users who own accounts and leads, by the part they play."""

    sellers: list[str] = field(default_factory=list)
    marketing: list[str] = field(default_factory=list)
    manager: str = ""

    @classmethod
    def of(cls, users: Sequence[User]) -> Team:
        team = cls()
        for user in users:
            if user.security_role is SecurityRole.SELLER:
                team.sellers.append(user.id)
            elif user.security_role is SecurityRole.MARKETING:
                team.marketing.append(user.id)
            elif user.security_role is SecurityRole.SALES_MANAGER:
                team.manager = user.id
        return team


def build_users() -> list[User]:
    """Sellers, a sales manager, a supervisor, an admin and marketing users."""
    return [
        User(
            id=f"USR-{i:02d}",
            full_name=full_name,
            email=f"{local}@{vocab.VENDOR_DOMAIN}",
            security_role=SecurityRole(role),
            title=title,
        )
        for i, (full_name, role, title, local) in enumerate(vocab.USERS, start=1)
    ]


def build_contacts(draws: Draws, companies: Sequence[Company]) -> list[Contact]:
    """Two to six contacts per account; each also joins its company's `contacts`."""
    rows: list[Contact] = []
    titles = vocab.GOOD_TITLES + vocab.PARTIAL_TITLES + vocab.UNRELATED_TITLES
    for c in companies:
        if c.account_id is None:
            continue
        emails: set[str] = set()
        for _ in range(draws.rng.randint(2, 6)):
            p = draws.person(c.country)
            email = f"{fold(p.first)}.{fold(p.last)}@{c.domain}"
            if email in emails:
                continue
            emails.add(email)
            contact = Contact(
                id=f"CON-{len(rows) + 1:04d}",
                first_name=p.first,
                last_name=p.last,
                job_title=draws.rng.choice(titles),
                email=email,
                phone=draws.phone(c.country) if draws.rng.random() < 0.8 else None,
                account_id=c.account_id,
                created_on=draws.now - timedelta(days=draws.rng.uniform(20, 900)),
            )
            rows.append(contact)
            c.contacts.append(contact)
    return rows


def build_leads(draws: Draws, team: Team, companies: Sequence[Company], n_leads: int) -> list[Lead]:
    """`n_leads` leads in the intended mix of fits, email kinds, ages, states and owners."""
    r = draws.rng
    fits = quota(r, n_leads, _LEAD_SHARES)
    emails = quota(r, n_leads, _EMAIL_SHARES)
    ages = quota(r, n_leads, {"recent": 0.6, "old": 0.4})
    states = quota(r, n_leads, {"open": 0.92, "closed": 0.08})
    owners = quota(r, n_leads, {"sales": 0.92, "marketing": 0.08})
    no_company = set(r.sample(range(n_leads), round(n_leads * 0.02)))
    pools = _Pools(r, companies)
    rows: list[Lead] = []
    for i in range(n_leads):
        company, titles = pools.pick(fits[i])  # type: ignore[arg-type]
        lead = _lead(
            draws,
            team,
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


def place_leads_in_time_zones(leads: Sequence[Lead], accounts: Sequence[Account]) -> None:
    """Each lead's zone found from its city and country, else its account's, as an import
    finds it; every eighth one the CRM holds already (a web form asked for it). Draws
    nothing from the random sequence, so the rest of the sample stays as it was."""
    by_id = {account.id: account for account in accounts}
    for number, lead in enumerate(leads, start=1):
        account = by_id.get(lead.parent_account_id or "")
        guess = settle_time_zone(lead, account)
        if guess is not None and guess.certain and number % 8 == 0:
            lead.time_zone_source = TimeZoneSource.CRM


def _lead(
    draws: Draws,
    team: Team,
    lead_id: str,
    c: Company,
    titles: Sequence[str],
    *,
    email_kind: EmailKind,
    recent: bool,
    closed: bool,
    marketing: bool,
    with_company_name: bool,
) -> Lead:
    r = draws.rng
    person, title, email = draws.person(c.country), r.choice(titles), None
    contact: Contact | None = None
    matching = [k for k in c.contacts if k.job_title in titles]
    if email_kind == "work" and matching and r.random() < 0.12:
        # The lead is someone already in the CRM as a contact.
        contact = r.choice(matching)
        person = Person(contact.first_name, contact.last_name, "")
        title, email = contact.job_title or title, contact.email
    else:
        email = _lead_email(r, person, c, email_kind)

    created = draws.now - (
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
        owner = r.choice(team.marketing)
    elif c.owner_id and r.random() < 0.5:
        owner = c.owner_id
    else:
        owner = team.manager if r.random() < 0.07 else r.choice(team.sellers)

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
        phone=draws.phone(c.country) if r.random() < 0.85 else None,
        country=None if roll < 0.05 else draws.country_label(c.country, 0.2),
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


def _lead_email(r: random.Random, p: Person, c: Company, kind: EmailKind) -> str | None:
    first, last = fold(p.first), fold(p.last)
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


class _Pools:
    """Picks the company and title list for a lead of a given intended fit.

    Every company gets a lead before any gets a second one, then popular companies
    get more, so several leads share one company's research.
    """

    def __init__(self, rng: random.Random, companies: Sequence[Company]) -> None:
        self.rng = rng
        self.by_fit: dict[str, list[Company]] = {}
        for c in companies:
            self.by_fit.setdefault(c.fit, []).append(c)
        self.unvisited = {k: rng.sample(v, len(v)) for k, v in self.by_fit.items()}
        self.weight = {id(c): rng.uniform(0.5, 3.0) for c in companies}

    def pick(self, lead_fit: LeadFit) -> tuple[Company, Sequence[str]]:
        r = self.rng
        good, partial = vocab.GOOD_TITLES, vocab.PARTIAL_TITLES
        unrelated = vocab.UNRELATED_TITLES
        if lead_fit == "exact":
            # A weak company still comes out exact when a senior title adds a nice-to-have.
            fit = "exact" if r.random() < 0.8 else "weak"
            titles = partial if fit == "exact" and r.random() < 0.15 else good
        elif lead_fit == "close":
            fit = weighted(r, {"borderline": 0.35, "unknown": 0.30, "weak": 0.35})
            titles = unrelated if fit == "weak" else (good if r.random() < 0.7 else partial)
        else:
            fit, titles = "none", good + partial + unrelated
        return self.company(fit), titles

    def company(self, fit: str) -> Company:
        order = [fit, "exact", "none", "weak", "borderline", "unknown"]
        fit = next(f for f in order if self.by_fit.get(f))  # tiny samples may lack a class
        if self.unvisited[fit]:
            return self.unvisited[fit].pop()
        pool = self.by_fit[fit]
        return self.rng.choices(pool, weights=[self.weight[id(c)] for c in pool])[0]
