"""Contacts, opportunities, users and activities as CRMs export them (issue 12, item 6)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlmodel import Session, col, func, select

from store.crm import (
    Account,
    Activity,
    ActivityParticipant,
    Contact,
    Lead,
    Opportunity,
    OpportunityState,
    SecurityRole,
    User,
)
from store.db import get_db_engine
from store.imports import ImportReport, import_csv
from tools.crm import CrmReader

NOW = datetime(2026, 3, 16, 9, 0, tzinfo=UTC)


@pytest.fixture
def url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path}/crm.db"


@pytest.fixture
def session(url: str) -> Iterator[Session]:
    with Session(get_db_engine(url), expire_on_commit=False) as s:
        s.add(User(id="USR-01", full_name="Megan Clarke", email="megan@northwind.example",
                   security_role=SecurityRole.SELLER))  # fmt: skip
        s.add(Account(id="ACC-001", name="Brightwater Logistics Ltd", domain="bw.co.uk"))
        s.flush()
        s.add(Lead(id="LEAD-0001", topic="Routing", email="ana.ruiz@bw.co.uk"))
        s.commit()
        yield s


def load(session: Session, tmp_path: Path, kind: str, text: str, **options: object) -> ImportReport:
    path = tmp_path / f"{kind}.csv"
    path.write_text(text, encoding="utf-8")
    return import_csv(kind, session, path, now=NOW, **options)  # type: ignore[arg-type]


def test_contacts_from_salesforce_and_hubspot_link_accounts_by_id_or_name(
    session: Session, tmp_path: Path
) -> None:
    salesforce = load(
        session, tmp_path, "contacts",
        "FirstName,LastName,Email,Title,AccountId\n"
        "Ana,Ruiz,ana.ruiz@bw.co.uk,Head of Logistics,ACC-001\n"
        "Bo,Lind,bo@bw.co.uk,CFO,ACC-999\n",
    )  # fmt: skip
    assert (salesforce.imported, salesforce.skipped) == (1, 1)
    assert "no account with id 'ACC-999'" in salesforce.errors[0].message
    hubspot = load(
        session, tmp_path, "contacts",
        "First Name,Last Name,Email,Associated Company\n"
        "Ana,Ruiz-Vega,ANA.RUIZ@bw.co.uk,Brightwater Logistics\n"
        "Cy,Moss,cy@bw.co.uk,Brightwater Logistics\n"
        "Di,Fox,di@nowhere.example,Unknown Co\n",
    )  # fmt: skip
    # Ana again (her email, any case): updated, not duplicated; the account found by name.
    assert (hubspot.imported, hubspot.updated) == (2, 1)
    assert any("matches no stored account" in w for w in hubspot.warnings)
    contacts = {c.email.lower(): c for c in session.exec(select(Contact)).all() if c.email}
    assert contacts["ana.ruiz@bw.co.uk"].last_name == "Ruiz-Vega"
    assert contacts["ana.ruiz@bw.co.uk"].job_title == "Head of Logistics"  # kept
    assert contacts["cy@bw.co.uk"].account_id == "ACC-001"
    assert contacts["di@nowhere.example"].account_id is None


def test_users_read_each_crms_role_names(session: Session, tmp_path: Path) -> None:
    report = load(
        session, tmp_path, "users",
        "Full Name,Primary Email,Security Role\n"
        "Sam Reed,sam@northwind.example,Salesperson\n"
        "Ira Chen,ira@northwind.example,System Administrator\n"
        "Lou Park,lou@northwind.example,Sales Manager\n"
        "Max Ott,max@northwind.example,Standard User\n"
        "Ned Ray,ned@northwind.example,Janitor\n"
        "Megan Clarke,MEGAN@northwind.example,Sales Manager\n",
    )  # fmt: skip
    assert (report.imported, report.updated, report.skipped) == (4, 1, 1)
    assert "'Janitor' is no role we know" in report.errors[0].message
    roles = {u.email.lower(): u.security_role for u in session.exec(select(User)).all()}
    assert roles["sam@northwind.example"] is SecurityRole.SELLER
    assert roles["ira@northwind.example"] is SecurityRole.ADMIN
    assert roles["lou@northwind.example"] is SecurityRole.SALES_MANAGER
    assert roles["max@northwind.example"] is SecurityRole.SELLER
    assert roles["megan@northwind.example"] is SecurityRole.SALES_MANAGER  # updated by email


def test_opportunities_keep_state_value_and_links(
    session: Session, tmp_path: Path, url: str
) -> None:
    report = load(
        session, tmp_path, "opportunities",
        "Opportunity Name,Account Name,Amount,CurrencyIsoCode,Stage,Close Date,"
        "Opportunity Owner,Converted Lead ID\n"
        "Routing pilot,Brightwater Logistics,25000,EUR,Proposal,3/14/2026,USR-01,LEAD-0001\n"
        "Old deal,Brightwater Logistics,10000,USD,Closed Won,2025-11-02,USR-01,\n"
        "Bad value,Brightwater Logistics,lots,USD,Proposal,,,\n",
    )  # fmt: skip
    assert (report.imported, report.skipped) == (2, 1)
    opportunities = {o.name: o for o in session.exec(select(Opportunity)).all()}
    pilot = opportunities["Routing pilot"]
    assert pilot.account_id == "ACC-001" and pilot.state is OpportunityState.OPEN
    assert pilot.estimated_value > 25000  # euros, converted to US dollars
    assert pilot.estimated_close_date is not None and pilot.estimated_close_date.day == 14
    assert opportunities["Old deal"].state is OpportunityState.WON
    # The researcher sees the open one, on the lead and on the account.
    reader = CrmReader(url)
    assert [o.name for o in reader.open_opportunities(lead_id="LEAD-0001")] == ["Routing pilot"]
    assert [o.name for o in reader.open_opportunities(account_id="ACC-001")] == ["Routing pilot"]


def test_activities_say_who_knows_whom(session: Session, tmp_path: Path, url: str) -> None:
    export = (
        "Activity Type,Subject,Date,Owner,From,To\n"
        "Email,Routing question,2026-03-10T10:00:00Z,USR-01,megan@northwind.example,"
        "ana.ruiz@bw.co.uk\n"
        "Appointment,Intro call,2026-03-12 15:00,USR-01,megan@northwind.example,"
        "ana.ruiz@bw.co.uk; cy@bw.co.uk\n"
        "Phone Call,Voicemail,2026-03-13,USR-01,,\n"
    )
    report = load(session, tmp_path, "activities", export)
    assert (report.imported, report.skipped) == (2, 1)
    assert "'Phone Call' is not one of email, meeting" in report.errors[0].message
    links = CrmReader(url).who_knows_whom(
        lead_id="LEAD-0001", lead_email="ana.ruiz@bw.co.uk", account_id=None
    )
    assert [(link.user_id, link.emails, link.meetings) for link in links] == [("USR-01", 1, 1)]
    # With ids in the file, a re-import replaces the parties instead of adding them twice.
    with_ids = "Activity ID," + export.replace("\nEmail", "\nACT-1,Email").replace(
        "\nAppointment", "\nACT-2,Appointment"
    ).replace("\nPhone Call", "\nACT-3,Phone Call")
    load(session, tmp_path, "activities", with_ids)
    before = session.exec(select(func.count()).select_from(ActivityParticipant)).one()
    again = load(session, tmp_path, "activities", with_ids)
    assert (again.imported, again.updated) == (0, 2)
    assert session.exec(select(func.count()).select_from(ActivityParticipant)).one() == before
    assert session.exec(select(func.count()).select_from(Activity)).one() == 4


def test_revenue_in_millions_is_warned_about_then_read_with_its_unit(
    session: Session, tmp_path: Path
) -> None:
    export = "Account Name,Employees,Annual Revenue\nNordkran AG,1200,240\nSmall Co,,85\n"
    report = load(session, tmp_path, "accounts", export, dry_run=True)
    per_head, too_small = report.warnings
    assert "revenue per employee under $5,000" in per_head and "(1 row: row 2)" in per_head
    assert "revenue under $10,000" in too_small and "--revenue-unit" in too_small
    fixed = load(session, tmp_path, "accounts", export, revenue_unit="million")
    assert fixed.warnings == []
    nordkran = session.exec(select(Account).where(Account.name == "Nordkran AG")).one()
    assert nordkran.annual_revenue == 240_000_000
    assert nordkran.revenue_as_given is None  # a plain US-dollar figure now


def test_one_export_with_two_rows_for_one_new_record_stores_it_once(
    session: Session, tmp_path: Path
) -> None:
    report = load(
        session, tmp_path, "leads",
        "Topic,Email\nFirst,new@bw.co.uk\nSecond,NEW@bw.co.uk\n",
    )  # fmt: skip
    assert (report.imported, report.skipped) == (1, 1)
    assert "row 2 already updates" in report.errors[0].message


def test_imports_into_postgresql_update_by_email_and_never_duplicate(
    postgres_url: str, tmp_path: Path
) -> None:
    # The temporary table of touched records and the lower(email) lookups, on PostgreSQL.
    import uuid

    url = postgres_url.replace("postgresql://", "postgresql+psycopg://")
    tag = uuid.uuid4().hex[:8]
    path = tmp_path / "leads.csv"
    path.write_text(
        "FirstName,LastName,Email,Company,HasOptedOutOfEmail\n"
        f"Ana,Ruiz,ana.{tag}@bw.example,Brightwater,false\n"
        f"Bo,Lind,bo.{tag}@bw.example,Brightwater,true\n",
        encoding="utf-8",
    )
    with Session(get_db_engine(url)) as session:
        first = import_csv("leads", session, path, now=NOW)
    path.write_text(path.read_text().replace(f"ana.{tag}", f"ANA.{tag}").replace("true", "false"))
    with Session(get_db_engine(url)) as session:
        second = import_csv("leads", session, path, now=NOW)
        mine = session.exec(select(Lead).where(col(Lead.email).contains(tag))).all()
    assert (first.imported, second.imported, second.updated) == (2, 0, 2)
    assert len(mine) == 2 and sum(lead.do_not_email for lead in mine) == 1  # opt-out kept


def test_an_unclosed_quote_is_reported_where_it_opens_not_swallowing_rows(
    session: Session, tmp_path: Path
) -> None:
    report = load(
        session, tmp_path, "leads",
        'Topic,Email,Company\nA,a@bw.co.uk,"Oops Inc\nB,b@bw.co.uk,Bee\nC,c@bw.co.uk,Cee\n',
    )  # fmt: skip
    [error] = report.errors
    assert (error.row, error.field) == (2, "Company")
    assert "never closed, so the next 2 rows were read into it" in error.message
    assert report.skipped == 1 and report.imported == 0
    # A quoted value over several lines is fine when its lines are not rows.
    fine = load(session, tmp_path, "leads", 'Topic,Email\n"Line one\nline two",z@bw.co.uk\n')
    assert (fine.imported, fine.errors) == (1, [])
