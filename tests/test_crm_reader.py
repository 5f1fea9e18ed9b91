"""CRM reads on a hand-built CRM: account lookup, contacts, opportunities, who knows whom."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import Session

from store.crm import (
    Account,
    Activity,
    ActivityParticipant,
    ActivityType,
    Contact,
    Lead,
    Opportunity,
    OpportunityState,
    SecurityRole,
    User,
)
from store.db import get_db_engine
from tools.crm import CrmReader, company_key, email_domain

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


@pytest.fixture
def crm(tmp_path: Path) -> CrmReader:
    url = f"sqlite:///{tmp_path / 'crm.db'}"
    rows: list[list[object]] = [
        [
            User(
                id="U1",
                full_name="Ada Seller",
                email="ada@us.com",
                security_role=SecurityRole.SELLER,
            ),
            User(
                id="U2",
                full_name="Bo Manager",
                email="bo@us.com",
                security_role=SecurityRole.SALES_MANAGER,
            ),
            User(
                id="U3", full_name="Cy Quiet", email="cy@us.com", security_role=SecurityRole.SELLER
            ),
        ],
        [Account(id="A1", name="Brightwater Logistics B.V.", domain="brightwater.nl")],
        [
            Contact(
                id="C1",
                first_name="Ines",
                last_name="Vos",
                job_title="Warehouse Clerk",
                email="ines.vos@brightwater.nl",
                account_id="A1",
            ),
            Contact(
                id="C2",
                first_name="Jan",
                last_name="Bakker",
                job_title="Chief Operating Officer",
                email="jan.bakker@brightwater.nl",
                account_id="A1",
            ),
        ],
        [
            Lead(
                id="L1",
                topic="Forecasting",
                first_name="Ines",
                last_name="Vos",
                email="Ines.Vos@brightwater.nl",
                company_name="Brightwater Logistics",
                owner_id="U1",
                created_on=NOW,
            ),
        ],
        [
            Opportunity(
                id="O1", name="Pilot", account_id="A1", estimated_value=50_000, owner_id="U2"
            ),
            Opportunity(id="O2", name="Old deal", account_id="A1", state=OpportunityState.WON),
            Opportunity(id="O3", name="From lead", originating_lead_id="L1", estimated_value=9_000),
        ],
        [
            Activity(
                id="E1",
                activity_type=ActivityType.EMAIL,
                subject="Hello",
                occurred_on=NOW - timedelta(days=3),
            ),
            Activity(
                id="E2",
                activity_type=ActivityType.EMAIL,
                subject="Follow-up",
                occurred_on=NOW - timedelta(days=1),
            ),
            Activity(
                id="M1",
                activity_type=ActivityType.MEETING,
                subject="QBR",
                occurred_on=NOW - timedelta(days=30),
                regarding_account_id="A1",
            ),
            Activity(
                id="M2",
                activity_type=ActivityType.MEETING,
                subject="Other company",
                occurred_on=NOW - timedelta(days=2),
            ),
        ],
        [
            ActivityParticipant(activity_id="E1", user_id="U1", is_internal=True, role="from"),
            ActivityParticipant(activity_id="E1", email="ines.vos@brightwater.nl", role="to"),
            ActivityParticipant(activity_id="E2", user_id="U1", is_internal=True, role="from"),
            ActivityParticipant(activity_id="E2", email="INES.VOS@brightwater.nl", role="to"),
            ActivityParticipant(activity_id="M1", user_id="U2", is_internal=True, role="organizer"),
            ActivityParticipant(activity_id="M1", email="jan.bakker@brightwater.nl"),
            ActivityParticipant(activity_id="M2", user_id="U3", is_internal=True),
            ActivityParticipant(activity_id="M2", email="someone@else.com"),
        ],
    ]
    with Session(get_db_engine(url)) as session:
        for table_rows in rows:  # parents first: SQLite checks foreign keys per flush
            session.add_all(table_rows)
            session.flush()
        session.commit()
    return CrmReader(url)


def test_company_key_and_email_domain() -> None:
    assert company_key("Brightwater Logistics B.V.") == company_key("brightwater logistics")
    assert company_key("ACME, Inc.") == "acme"
    assert email_domain("Ines.Vos@BrightWater.NL") == "brightwater.nl"
    assert email_domain("not an email") is None
    assert email_domain("a@@b.com") is None


def test_account_lookup_by_domain_then_name(crm: CrmReader) -> None:
    assert crm.find_account(domain="BRIGHTWATER.nl").id == "A1"  # type: ignore[union-attr]
    assert crm.find_account(name="Brightwater Logistics").id == "A1"  # type: ignore[union-attr]
    assert crm.find_account(domain="other.com", name="Nobody Ltd") is None


def test_contacts_and_contact_suggestion(crm: CrmReader) -> None:
    contacts = crm.contacts_at_account("A1")
    assert [c.id for c in contacts] == ["C2", "C1"]  # the COO before the clerk
    match = crm.contact_for_email(" ines.vos@BRIGHTWATER.nl ")
    assert match is not None and match.id == "C1"


def test_open_opportunities_for_lead_and_account(crm: CrmReader) -> None:
    assert [o.id for o in crm.open_opportunities(account_id="A1")] == ["O1"]
    assert crm.open_opportunities(account_id="A1")[0].owner_name == "Bo Manager"
    assert [o.id for o in crm.open_opportunities(lead_id="L1")] == ["O3"]
    assert crm.open_opportunities() == []


def test_who_knows_whom_counts_lead_and_account_interactions(crm: CrmReader) -> None:
    links = crm.who_knows_whom(lead_id="L1", lead_email="ines.vos@brightwater.nl", account_id="A1")
    by_user = {link.user_id: link for link in links}
    assert set(by_user) == {"U1", "U2"}  # U3 met someone at another company
    assert by_user["U1"].emails == 2 and by_user["U1"].meetings == 0
    assert by_user["U1"].with_lead
    assert by_user["U1"].last_interaction == NOW - timedelta(days=1)
    assert by_user["U2"].meetings == 1 and not by_user["U2"].with_lead
    assert [link.user_id for link in links] == ["U1", "U2"]  # lead contacts first
    without_account = crm.who_knows_whom(
        lead_id="L1", lead_email="ines.vos@brightwater.nl", account_id=None
    )
    assert [link.user_id for link in without_account] == ["U1"]
