"""Lead rows: Dynamics 365, Salesforce and HubSpot lead (and HubSpot contact) exports."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import Field, field_validator, model_validator
from sqlmodel import func, select

from core.time_zones import TimeZoneSource, parse_time_zone
from store.crm import Account, Lead, LeadRating, LeadStatus, User
from store.imports.batches import ImportContext, ImportKind
from store.imports.cells import ImportRow, read_choice, read_datetime, read_flag
from store.imports.opt_outs import DO_NOT_CONTACT_ALIASES, OPT_OUT_ALIASES
from store.lead_time_zones import settle_time_zone
from store.research_requests import request_for_new_lead, request_research

# Field name -> other headers meaning the same (Dynamics 365 display and logical names,
# Salesforce API names and labels, HubSpot property names and labels). The field name
# itself always matches.
LEAD_HEADERS: dict[str, tuple[str, ...]] = {
    "id": ("leadid", "lead id", "record id", "hs_object_id", "contact id"),
    "topic": ("subject",),
    "first_name": ("firstname", "given name"),
    "last_name": ("lastname", "surname", "family name"),
    "job_title": ("title", "jobtitle"),
    "company_name": ("company", "companyname", "company name", "account name"),
    "email": ("emailaddress1", "email address", "e-mail", "email 1"),
    "phone": (
        "telephone1", "business phone", "mobilephone", "mobile phone", "phone number",
        "mobile phone number",
    ),
    "country": (
        "country/region", "address1_country", "address 1: country/region", "country region",
    ),
    "city": ("address1_city", "address 1: city"),
    "source": (
        "lead source", "leadsource", "leadsourcecode", "original source", "hs_analytics_source",
    ),
    "rating": ("leadqualitycode",),
    "status": ("statecode", "lead status", "hs_lead_status"),
    "status_reason": ("statuscode", "status reason"),
    "created_on": ("createdon", "created on", "createddate", "created date", "create date"),
    "owner_id": ("ownerid", "owner", "owner id", "lead owner", "contact owner", "hubspot_owner_id"),
    "parent_account_id": ("parentaccountid", "parent account for lead", "parent account id"),
    "do_not_email": OPT_OUT_ALIASES,
    "do_not_contact": DO_NOT_CONTACT_ALIASES,
    # "Time Zone" is Salesforce's and HubSpot's label; Dynamics keeps an address's zone in
    # address1_utcoffset and exports its display name ("(GMT-06:00) Central Time ...").
    "time_zone": (
        "time zone", "hs_timezone", "address1_utcoffset", "address 1: utc offset",
        "utc offset", "time_zone__c", "timezonesidkey", "time zone name",
    ),
}  # fmt: skip


class LeadRow(ImportRow):
    """One lead row as read from a CSV file."""

    id: str | None = None
    topic: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    job_title: str | None = None
    company_name: str | None = None
    email: str | None = None
    phone: str | None = None
    country: str | None = None
    city: str | None = None
    source: str | None = None
    rating: LeadRating | None = None
    status: LeadStatus | None = None
    status_reason: str | None = None
    created_on: datetime | None = None
    owner_id: str | None = None
    parent_account_id: str | None = None
    do_not_email: bool = False
    do_not_contact: bool = False
    time_zone: str | None = None
    unreadable_time_zone: str | None = Field(
        default=None, description="The time zone cell when it names no zone (not a column)."
    )

    @model_validator(mode="after")
    def _time_zone(self) -> LeadRow:
        # A zone the row cannot give is reported, not a reason to drop the lead: it is
        # inferred from the address instead, and a stored zone is left as it is.
        if self.time_zone is not None:
            zone = parse_time_zone(self.time_zone)
            if zone is None:
                self.unreadable_time_zone = self.time_zone
            self.time_zone = zone
        return self

    @field_validator("do_not_email", "do_not_contact", mode="before")
    @classmethod
    def _opt_out(cls, value: Any) -> bool:
        return read_flag(value, what="an opt-out")

    @field_validator("rating", mode="before")
    @classmethod
    def _rating(cls, value: Any) -> Any:
        return read_choice(value, (r.value for r in LeadRating))

    @field_validator("status", mode="before")
    @classmethod
    def _status(cls, value: Any) -> Any:
        # Dynamics exports status reasons ("New", "Contacted") where we keep the state.
        reasons = {"new": "open", "contacted": "open"}
        return read_choice(value, (s.value for s in LeadStatus), reasons)

    @field_validator("created_on", mode="before")
    @classmethod
    def _created_on(cls, value: Any) -> Any:
        return read_datetime(value)


def _build(row: LeadRow, lead_id: str, ctx: ImportContext) -> Lead:
    status = row.status or LeadStatus.OPEN
    reason = row.status_reason
    if reason is None and status is LeadStatus.OPEN:
        reason = "New"
    if row.unreadable_time_zone:
        ctx.notice(
            f"{ctx.column('time_zone')} {row.unreadable_time_zone!r} names no time zone, so the "
            "lead's zone is found from its city and country; write an IANA name "
            "(Europe/Berlin), a Windows name (W. Europe Standard Time) or an offset (UTC+01:00)"
        )
    lead = Lead(
        id=lead_id,
        # Salesforce and HubSpot exports have no topic: say where the lead came from.
        topic=row.topic or f"Imported lead{f' ({row.source})' if row.source else ''}",
        first_name=row.first_name,
        last_name=row.last_name,
        job_title=row.job_title,
        company_name=row.company_name,
        email=row.email,  # stored as given; the email check judges it later
        phone=row.phone,
        country=row.country,
        city=row.city,
        source=row.source,
        rating=row.rating or LeadRating.WARM,
        status=status,
        status_reason=reason,
        created_on=row.created_on or ctx.now,
        owner_id=row.owner_id,
        parent_account_id=row.parent_account_id,
        connected_by="crm" if row.parent_account_id else None,
        do_not_email=row.do_not_email or row.do_not_contact,
        do_not_contact=row.do_not_contact,
        time_zone=row.time_zone,
        time_zone_source=TimeZoneSource.CRM if row.time_zone else None,
    )
    # Without a zone from the CRM, the lead's (or its account's) address gives one. On a
    # re-import only the CRM's zone replaces the stored one (see filled_by below).
    settle_time_zone(lead, ctx.account(row.parent_account_id))
    return lead


def _request_research(lead_id: str, changed: frozenset[str] | None, ctx: ImportContext) -> None:
    """A new lead, or one the CRM connected to an account, is researched without waiting
    for the schedule (the request is committed with the import, or rolled back with it)."""
    if changed is None:
        request_for_new_lead(ctx.session, lead_id, ctx.now)
    elif "parent_account_id" in changed:
        request_research(ctx.session, [lead_id], "connected", ctx.now)


class EmailFinder:
    """The stored record with the row's email, any case: a re-import, not a new record."""

    def __init__(self, ctx: ImportContext, table: Any = Lead) -> None:
        self.session, self.table = ctx.session, table
        self.by_email: dict[str, str] = {}

    @staticmethod
    def _email(row: Any) -> str | None:
        email = (row.email or "").strip().lower()
        return email or None

    def prefetch(self, rows: list[Any]) -> None:
        emails = sorted({e for row in rows if (e := self._email(row))})
        self.by_email = {}
        for start in range(0, len(emails), 500):
            chunk = emails[start : start + 500]
            lowered = func.lower(self.table.email)
            found = self.session.exec(select(lowered, self.table.id).where(lowered.in_(chunk)))
            self.by_email.update(dict(found.all()))

    def find(self, row: Any) -> str | None:
        email = self._email(row)
        return self.by_email.get(email) if email else None

    def remember(self, row: Any, record_id: str) -> None:
        if email := self._email(row):
            self.by_email[email] = record_id


LEADS = ImportKind(
    name="leads",
    what="lead",
    aliases=LEAD_HEADERS,
    row_model=LeadRow,
    table=Lead,
    id_prefix="LEAD",
    id_width=4,
    build=_build,
    finder=EmailFinder,
    references={"owner_id": (User, "user"), "parent_account_id": (Account, "account")},
    sticky=frozenset({"do_not_email", "do_not_contact"}),
    on_stored=_request_research,
    filled_by={
        "connected_by": "parent_account_id",
        "time_zone_source": "time_zone",
        "time_zone_certain": "time_zone",
    },
)
