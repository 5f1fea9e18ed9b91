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

The parts, by job: `companies` (firmographics and accounts), `people` (users, contacts,
leads), `pipeline` (opportunities, activities) and `web_pages` (the corpus pages); each
draws from the run's one `draws.Draws`, in the order `generate_sample_crm` calls them.
"""

from __future__ import annotations

import random
from datetime import datetime
from pathlib import Path

from pydantic import BaseModel
from sqlalchemy import delete, func, inspect
from sqlmodel import Session, SQLModel, select

from core.clock import as_utc, utc_now
from sample_crm.companies import build_accounts, build_companies
from sample_crm.draws import Draws
from sample_crm.people import (
    Team,
    build_contacts,
    build_leads,
    build_users,
    place_leads_in_time_zones,
)
from sample_crm.pipeline import build_activities, build_opportunities
from sample_crm.web_pages import build_company_pages, write_corpus
from store.agent_records import AccountResearch
from store.crm import Account, Activity, ActivityParticipant, Contact, Lead, Opportunity, User


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

    # One random sequence for the whole run: the builders draw from it in this order.
    draws = Draws(random.Random(seed), as_utc(now) if now is not None else utc_now())
    users = build_users()
    team = Team.of(users)
    companies = build_companies(draws, n_accounts, team.sellers)
    accounts = build_accounts(draws, companies)
    contacts = build_contacts(draws, companies)
    leads = build_leads(draws, team, companies, n_leads)
    place_leads_in_time_zones(leads, accounts)
    opportunities = build_opportunities(draws, companies, leads)
    activities, participants = build_activities(draws, companies, leads, users, team.sellers)

    pages = [page for c in companies if c.has_web for page in build_company_pages(draws, c)]

    for rows in (users, accounts, contacts, leads, opportunities, activities, participants):
        # One flush per table keeps foreign keys satisfied without per-row commits.
        session.add_all(rows)
        session.flush()
    write_corpus(corpus_dir, pages)
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
