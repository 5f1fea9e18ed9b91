"""A seller's corrections, applied to the lead's stored insights at once: the page shows
them on the next `show`, without waiting for a research run."""

from __future__ import annotations

from sqlmodel import Session

from core.findings import LeadInsights
from graphs.context import Context
from graphs.research.nodes.researcher import email_check_for
from graphs.services import services_for
from store.agent_records import LeadInsight
from store.crm import Account, Contact, Lead
from store.db import session_scope


class CorrectionError(ValueError):
    """A correction that would make the lead wrong; the message says why and what to do."""


def refresh_email_check(context: Context, lead_id: str) -> LeadInsights | None:
    """Re-check the lead's current address (with the seller's override) into its stored
    insights; None when the lead has no insights yet."""
    with session_scope(context.database_url) as session:
        lead, row = session.get(Lead, lead_id), session.get(LeadInsight, lead_id)
        if lead is None or row is None:
            return None
        check = email_check_for(services_for(context), context.database_url, lead)
        insights = LeadInsights.model_validate(row.payload)
        insights.research.email_check = check
        insights.research.lead.email = lead.email
        row.payload = insights.model_dump(mode="json")
        session.add(row)
    return insights


def check_connection(
    session: Session, lead: Lead, account_id: str | None, contact_id: str | None
) -> tuple[Account | None, Contact | None]:
    """The account and contact to connect, refused when they do not belong together: a
    contact of another company than the account given, or than the lead's account."""
    account = session.get(Account, account_id) if account_id else None
    if account_id and account is None:
        raise CorrectionError(f"no account with id {account_id!r}")
    contact = session.get(Contact, contact_id) if contact_id else None
    if contact_id and contact is None:
        raise CorrectionError(f"no contact with id {contact_id!r}")
    if contact is None or contact.account_id is None:
        return account, contact
    target = account.id if account else lead.parent_account_id
    if target and contact.account_id != target:
        works_at = session.get(Account, contact.account_id)
        at = f"{works_at.name} ({works_at.id})" if works_at else contact.account_id
        raise CorrectionError(
            f"contact {contact.id} works at {at}, not at the lead's account {target}; "
            f"connect --account {contact.account_id} with it, or pick a contact of {target}"
        )
    return account, contact
