"""CRM reads: the small interface the research nodes use.

`CrmReader` is the seam where Dataverse, Salesforce or HubSpot would plug in; this
implementation reads the SQLModel tables. It returns the pydantic models of
`core.findings`, never ORM rows, so callers do not depend on the database.
"""

from __future__ import annotations

from sqlalchemy import func, or_
from sqlmodel import Session, col, select

from core.clock import as_utc
from core.company_names import company_key
from core.findings import (
    ColleagueLink,
    CompanyFacts,
    ContactSuggestion,
    LeadFacts,
    OpportunitySummary,
)
from store.crm import (
    Account,
    Activity,
    ActivityParticipant,
    ActivityType,
    Contact,
    Lead,
    Opportunity,
    OpportunityState,
    User,
)
from store.db import get_db_engine
from tools.tool_trace import recorded_tool


class LeadNotFoundError(LookupError):
    """No lead with that id."""

    def __init__(self, lead_id: str) -> None:
        super().__init__(f"no lead with id {lead_id!r}; list leads with `qualify leads`")
        self.lead_id = lead_id


def email_domain(email: str | None) -> str | None:
    """The domain part of an address, lowercased, or None."""
    if not email or email.count("@") != 1:
        return None
    domain = email.rsplit("@", 1)[1].strip().lower().rstrip(".")
    return domain or None


def company_facts_from_account(account: Account) -> CompanyFacts:
    """The account's firmographics as `CompanyFacts`, each field sourced to the CRM."""
    fields = {
        "name": account.name,
        "domain": account.domain,
        "industry": account.industry,
        "employees": account.number_of_employees,
        "annual_revenue": account.annual_revenue,
        "employees_as_given": account.employees_as_given,
        "revenue_as_given": account.revenue_as_given,
        "currency": account.currency,
        "country": account.country,
        "city": account.city,
        "description": account.description,
    }
    crm_column = {
        "employees": "number_of_employees",
        "employees_as_given": "number_of_employees",
        "revenue_as_given": "annual_revenue",
    }
    sources = {
        key: f"CRM account.{crm_column.get(key, key)}"
        for key, value in fields.items()
        if value is not None
    }
    return CompanyFacts(**fields, sources=sources)


class CrmReader:
    """Read-only CRM queries for one database URL."""

    def __init__(self, database_url: str) -> None:
        self.database_url = database_url
        self._engine = get_db_engine(database_url)

    def _session(self) -> Session:
        return Session(self._engine, expire_on_commit=False)

    # -- leads and users -------------------------------------------------------------

    @recorded_tool("crm.lead")
    def lead(self, lead_id: str) -> Lead:
        """The lead row; raises `LeadNotFoundError`."""
        with self._session() as session:
            lead = session.get(Lead, lead_id)
        if lead is None:
            raise LeadNotFoundError(lead_id)
        return lead

    def lead_facts(self, lead: Lead, *, time_zone_place: str | None = None) -> LeadFacts:
        """The lead's fields for reasoning, with the owner's name (and the place its
        inferred time zone comes from, when the caller inferred it)."""
        owner = self.user(lead.owner_id) if lead.owner_id else None
        return LeadFacts(
            lead_id=lead.id,
            full_name=lead.full_name,
            job_title=lead.job_title,
            company_name=lead.company_name,
            email=lead.email,
            phone=lead.phone,
            country=lead.country,
            city=lead.city,
            source=lead.source,
            rating=lead.rating,
            status=lead.status,
            topic=lead.topic,
            created_on=as_utc(lead.created_on),
            owner_name=owner.full_name if owner else None,
            time_zone=lead.time_zone,
            time_zone_source=lead.time_zone_source,
            time_zone_certain=lead.time_zone_certain,
            time_zone_place=time_zone_place,
        )

    def user(self, user_id: str) -> User | None:
        """A CRM user by id."""
        with self._session() as session:
            return session.get(User, user_id)

    def users_with_lead_counts(self) -> list[tuple[User, int]]:
        """Every user, with how many leads they own, by id."""
        with self._session() as session:
            owned = dict(
                session.exec(select(Lead.owner_id, func.count()).group_by(col(Lead.owner_id))).all()
            )
            users = session.exec(select(User).order_by(col(User.id))).all()
            return [(user, owned.get(user.id, 0)) for user in users]

    def user_roles(self) -> dict[str, str]:
        """Every user's security role, by user id."""
        with self._session() as session:
            return {u.id: u.security_role for u in session.exec(select(User))}

    # -- accounts and contacts -------------------------------------------------------

    @recorded_tool("crm.account")
    def account(self, account_id: str) -> Account | None:
        """An account by id."""
        with self._session() as session:
            return session.get(Account, account_id)

    @recorded_tool("crm.find_account")
    def find_account(self, *, domain: str | None = None, name: str | None = None) -> Account | None:
        """The account with this email/web domain, else the one with this company name."""
        with self._session() as session:
            if domain:
                found = session.exec(
                    select(Account).where(func.lower(Account.domain) == domain.lower())
                ).first()
                if found:
                    return found
            if name:
                key = company_key(name)
                if not key:
                    return None
                first_word = key.split()[0]
                candidates = session.exec(
                    select(Account).where(col(Account.name).ilike(f"%{first_word}%"))
                ).all()
                for candidate in candidates:
                    if company_key(candidate.name) == key:
                        return candidate
        return None

    @recorded_tool("crm.contacts_at_account")
    def contacts_at_account(self, account_id: str, limit: int = 5) -> list[ContactSuggestion]:
        """Contacts at the account, senior-looking titles first."""
        with self._session() as session:
            rows = session.exec(
                select(Contact).where(Contact.account_id == account_id).order_by(Contact.id)
            ).all()
        ranked = sorted(rows, key=lambda c: (_title_rank(c.job_title), c.id))
        return [
            ContactSuggestion(
                id=c.id,
                full_name=f"{c.first_name} {c.last_name}",
                job_title=c.job_title,
                email=c.email,
                reason="Works at the account",
            )
            for c in ranked[:limit]
        ]

    @recorded_tool("crm.contact")
    def contact(self, contact_id: str) -> ContactSuggestion | None:
        """The contact connected to a lead, by id."""
        with self._session() as session:
            contact = session.get(Contact, contact_id)
        if contact is None:
            return None
        return ContactSuggestion(
            id=contact.id,
            full_name=f"{contact.first_name} {contact.last_name}",
            job_title=contact.job_title,
            email=contact.email,
            reason="Connected to the lead",
        )

    @recorded_tool("crm.contact_for_email")
    def contact_for_email(self, email: str | None) -> ContactSuggestion | None:
        """A contact whose email is the lead's email (case-insensitive)."""
        if not email:
            return None
        with self._session() as session:
            contact = session.exec(
                select(Contact).where(func.lower(Contact.email) == email.strip().lower())
            ).first()
        if contact is None:
            return None
        return ContactSuggestion(
            id=contact.id,
            full_name=f"{contact.first_name} {contact.last_name}",
            job_title=contact.job_title,
            email=contact.email,
            reason="Same email address as the lead",
        )

    # -- opportunities ---------------------------------------------------------------

    @recorded_tool("crm.open_opportunities")
    def open_opportunities(
        self, *, lead_id: str | None = None, account_id: str | None = None
    ) -> list[OpportunitySummary]:
        """Open opportunities that came from the lead, or that are on the account."""
        if lead_id is None and account_id is None:
            return []
        with self._session() as session:
            query = select(Opportunity, User).join(
                User, col(Opportunity.owner_id) == col(User.id), isouter=True
            )
            query = query.where(Opportunity.state == OpportunityState.OPEN)
            if lead_id is not None:
                query = query.where(Opportunity.originating_lead_id == lead_id)
            if account_id is not None:
                query = query.where(Opportunity.account_id == account_id)
            rows = session.exec(query.order_by(col(Opportunity.estimated_value).desc())).all()
        return [
            OpportunitySummary(
                id=opp.id,
                name=opp.name,
                stage=opp.stage,
                estimated_value=opp.estimated_value,
                account_id=opp.account_id,
                owner_name=owner.full_name if owner else None,
            )
            for opp, owner in rows
        ]

    # -- who knows whom --------------------------------------------------------------

    @recorded_tool("crm.who_knows_whom")
    def who_knows_whom(
        self, *, lead_id: str, lead_email: str | None, account_id: str | None, limit: int = 5
    ) -> list[ColleagueLink]:
        """Coworkers who emailed or met the lead or its account, most recent first."""
        with self._session() as session:
            about_lead = [Activity.regarding_lead_id == lead_id]
            if lead_email:
                lead_activity_ids = select(ActivityParticipant.activity_id).where(
                    func.lower(ActivityParticipant.email) == lead_email.strip().lower()
                )
                about_lead.append(col(Activity.id).in_(lead_activity_ids))
            lead_filter = or_(*about_lead)
            scope = (
                or_(lead_filter, Activity.regarding_account_id == account_id)
                if account_id
                else lead_filter
            )
            internal = (
                select(Activity, ActivityParticipant.user_id)
                .join(ActivityParticipant, col(ActivityParticipant.activity_id) == col(Activity.id))
                .where(col(ActivityParticipant.is_internal), scope)
            )
            rows = session.exec(internal).all()
            lead_ids = {a.id for a in session.exec(select(Activity).where(lead_filter))}
            names = {u.id: u.full_name for u in session.exec(select(User))}
        links: dict[str, ColleagueLink] = {}
        for activity, user_id in rows:
            if user_id is None:
                continue
            when = as_utc(activity.occurred_on)
            link = links.get(user_id) or ColleagueLink(
                user_id=user_id,
                user_name=names.get(user_id, user_id),
                last_interaction=when,
                with_lead=False,
            )
            if activity.activity_type == ActivityType.EMAIL:
                link.emails += 1
            else:
                link.meetings += 1
            link.last_interaction = max(link.last_interaction, when)
            link.with_lead = link.with_lead or activity.id in lead_ids
            links[user_id] = link
        ranked = sorted(
            links.values(), key=lambda x: (not x.with_lead, -x.last_interaction.timestamp())
        )
        return ranked[:limit]

    # -- selection -------------------------------------------------------------------


_SENIOR_WORDS = ("chief", "ceo", "coo", "cfo", "cio", "cto", "president", "vp", "vice")


def _title_rank(title: str | None) -> int:
    lowered = (title or "").lower()
    if any(word in lowered.split() or lowered.startswith(word) for word in _SENIOR_WORDS):
        return 0
    if "director" in lowered or "head" in lowered:
        return 1
    if "manager" in lowered:
        return 2
    return 3
