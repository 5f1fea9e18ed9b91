"""CRM tables, with the field names a Dynamics 365 or Salesforce user knows.

Ids are readable strings (`LEAD-0001`, `ACC-001`) so that the CLI, traces and
LangGraph thread ids stay legible. All datetimes are timezone-aware UTC.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Enum, Index, func
from sqlmodel import Field, SQLModel

from core.clock import utc_now
from core.time_zones import TimeZoneSource


class SecurityRole(StrEnum):
    """Security roles of CRM users."""

    SELLER = "seller"
    SALES_MANAGER = "sales_manager"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"
    MARKETING = "marketing"


class LeadStatus(StrEnum):
    """Lead status, as in Dynamics (open, qualified, disqualified)."""

    OPEN = "open"
    QUALIFIED = "qualified"
    DISQUALIFIED = "disqualified"


class LeadRating(StrEnum):
    """Lead rating."""

    HOT = "hot"
    WARM = "warm"
    COLD = "cold"


class OpportunityState(StrEnum):
    """Whether an opportunity is still being worked."""

    OPEN = "open"
    WON = "won"
    LOST = "lost"


class ActivityType(StrEnum):
    """Kinds of activity that tell who knows whom."""

    EMAIL = "email"
    MEETING = "meeting"


class User(SQLModel, table=True):
    """A CRM user: seller, supervisor, admin."""

    id: str = Field(primary_key=True)
    full_name: str
    email: str = Field(index=True)
    security_role: SecurityRole
    title: str | None = None


class Account(SQLModel, table=True):
    """A company the business sells to (or could)."""

    id: str = Field(primary_key=True)
    name: str = Field(index=True)
    domain: str | None = Field(default=None, index=True)
    industry: str | None = None
    number_of_employees: int | None = None
    annual_revenue: float | None = Field(default=None, description="In US dollars.")
    employees_as_given: str | None = Field(
        default=None, description="The headcount as the CRM held it, when not one number."
    )
    revenue_as_given: str | None = Field(
        default=None, description="The revenue as the CRM held it, when not US dollars."
    )
    currency: str | None = Field(default=None, description="The record's currency (ISO 4217).")
    country: str | None = None
    city: str | None = None
    website: str | None = None
    description: str | None = None
    owner_id: str | None = Field(default=None, foreign_key="user.id")
    created_on: datetime = Field(default_factory=utc_now)


class Contact(SQLModel, table=True):
    """A person at an account."""

    id: str = Field(primary_key=True)
    first_name: str
    last_name: str
    job_title: str | None = None
    email: str | None = Field(default=None, index=True)
    phone: str | None = None
    account_id: str | None = Field(default=None, foreign_key="account.id", index=True)
    created_on: datetime = Field(default_factory=utc_now)


class Lead(SQLModel, table=True):
    """A prospect who may become a customer."""

    __table_args__ = (
        Index("ix_lead_eligibility", "status", "owner_id", "created_on"),
        # The console's lead list: a status's newest leads in order, straight from the index.
        Index("ix_lead_list_order", "status", "created_on", "id"),
    )

    id: str = Field(primary_key=True)
    topic: str
    first_name: str | None = None
    last_name: str | None = None
    job_title: str | None = None
    company_name: str | None = None
    email: str | None = Field(default=None, description="Primary email (emailaddress1).")
    phone: str | None = None
    country: str | None = None
    city: str | None = None
    source: str | None = Field(default=None, description="Lead source, e.g. Web, Event.")
    rating: LeadRating = LeadRating.WARM
    status: LeadStatus = LeadStatus.OPEN
    status_reason: str | None = None
    created_on: datetime = Field(default_factory=utc_now)
    owner_id: str | None = Field(default=None, foreign_key="user.id")
    parent_account_id: str | None = Field(default=None, foreign_key="account.id")
    parent_contact_id: str | None = Field(default=None, foreign_key="contact.id")
    connected_by: str | None = Field(
        default=None,
        description="Who linked the account/contact: 'seller', 'agent' or 'crm' (imported).",
    )
    modified_on: datetime | None = Field(
        default=None, description="Last edit by a person (email fixed, account connected)."
    )
    do_not_email: bool = Field(default=False, description="Opted out: never email again.")
    do_not_contact: bool = False
    time_zone: str | None = Field(
        default=None, description="IANA name (Europe/Paris) or a fixed offset (UTC+05:30)."
    )
    time_zone_source: TimeZoneSource | None = Field(
        default=None,
        # Names in a plain text column (not a PostgreSQL enum type): a new source needs no
        # ALTER TYPE, and the column can be added like any nullable one.
        sa_type=Enum(TimeZoneSource, native_enum=False, length=20),
        description="How the zone was found: the CRM, the lead's city or country, or its "
        "account's address; none when a person set it.",
    )
    time_zone_certain: bool = Field(
        default=True,
        description="False when the city's name is shared by places on other clocks and the "
        "most populous was taken.",
    )

    @property
    def full_name(self) -> str:
        """First and last name, or what there is of them."""
        return " ".join(p for p in (self.first_name, self.last_name) if p) or "(no name)"


class Opportunity(SQLModel, table=True):
    """A potential sale."""

    id: str = Field(primary_key=True)
    name: str
    account_id: str | None = Field(default=None, foreign_key="account.id", index=True)
    contact_id: str | None = Field(default=None, foreign_key="contact.id")
    originating_lead_id: str | None = Field(default=None, foreign_key="lead.id", index=True)
    stage: str = "Qualify"
    estimated_value: float = 0.0
    state: OpportunityState = OpportunityState.OPEN
    owner_id: str | None = Field(default=None, foreign_key="user.id")
    estimated_close_date: datetime | None = None
    created_on: datetime = Field(default_factory=utc_now)


class Activity(SQLModel, table=True):
    """An email or meeting; its participants say who knows whom."""

    id: str = Field(primary_key=True)
    activity_type: ActivityType
    subject: str
    occurred_on: datetime = Field(index=True)
    owner_id: str | None = Field(default=None, foreign_key="user.id")
    regarding_account_id: str | None = Field(default=None, foreign_key="account.id", index=True)
    regarding_lead_id: str | None = Field(default=None, foreign_key="lead.id", index=True)


class ActivityParticipant(SQLModel, table=True):
    """One party to an activity: an internal user or an external address."""

    id: int | None = Field(default=None, primary_key=True)
    activity_id: str = Field(foreign_key="activity.id", index=True)
    user_id: str | None = Field(default=None, foreign_key="user.id", index=True)
    email: str | None = Field(default=None, index=True, description="External party address.")
    role: str = Field(default="to", description="from, to, cc, organizer, attendee.")
    is_internal: bool = False


# Imports find a stored record by its email in any case: one lookup per batch, by index.
for _table in (Lead, Contact, User):
    Index(f"ix_{_table.__tablename__}_email_lower", func.lower(_table.__table__.c.email))  # type: ignore[attr-defined]
