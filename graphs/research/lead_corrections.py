"""A seller's corrections, applied to the lead's stored insights at once: the page shows
them on the next `show`, without waiting for a research run. The CLI (`qualify email`,
`qualify connect`) and the console apply the same functions."""

from __future__ import annotations

from datetime import datetime
from typing import Literal, NamedTuple

from sqlmodel import Session

from core.findings import LeadInsights
from graphs.context import Context
from graphs.research.nodes.researcher import email_check_for
from graphs.services import services_for
from store.agent_records import EmailOverride, LeadInsight
from store.crm import Account, Contact, Lead
from store.db import session_scope
from store.research_requests import request_research
from tools.email_check import check_email

EMAIL_TYPES = ("work", "personal", "disposable", "role")
CorrectionField = Literal["address", "valid", "email_type", "account", "contact", "lead"]


class CorrectionError(ValueError):
    """A correction that would make the lead wrong; the message says why and what to do,
    `field` which input it is about (so a form shows it there)."""

    def __init__(self, message: str, field: CorrectionField = "lead") -> None:
        super().__init__(message)
        self.field: CorrectionField = field


def correct_email(
    session: Session,
    lead_id: str,
    now: datetime,
    *,
    address: str | None = None,
    valid: bool | None = None,
    email_type: str | None = None,
    set_by: str | None = None,
) -> bool:
    """Set the lead's primary email and/or override the agent's labels of it, in the
    caller's transaction; raises CorrectionError (before changing anything) when the
    address is not a valid one, the type unknown or there is no address to label. True
    when the lead was queued for research again (its address is valid now)."""
    if email_type is not None and email_type not in EMAIL_TYPES:
        raise CorrectionError(f"the type must be one of {', '.join(EMAIL_TYPES)}", "email_type")
    corrected: str | None = None
    if address is not None:
        checked = check_email(address.strip())
        if not checked.is_valid:
            raise CorrectionError(
                f"{address.strip()!r}: {checked.validity_reason}; nothing changed", "address"
            )
        corrected = checked.normalized or address.strip()
    lead = session.get(Lead, lead_id)
    if lead is None:
        raise CorrectionError(f"no lead with id {lead_id!r}")
    labelled = valid is not None or email_type is not None
    if labelled and not (corrected or lead.email):
        raise CorrectionError(
            f"{lead_id} has no email to label; set one first", "valid" if valid else "email_type"
        )
    if corrected is not None:
        lead.email = corrected
        lead.modified_on = now
    if labelled:
        assert lead.email is not None
        override = session.get(EmailOverride, lead_id) or EmailOverride(
            lead_id=lead_id, email=lead.email
        )
        override.email = lead.email
        override.is_valid = valid if valid is not None else override.is_valid
        override.email_type = email_type or override.email_type
        override.set_on = lead.modified_on = now
        if set_by is not None:
            override.set_by = set_by
        session.add(override)
    session.add(lead)
    if valid is not False and (address is not None or valid):
        # The address is valid now: the lead is researched again without waiting for the
        # schedule (asked in the same transaction as the correction).
        request_research(session, [lead_id], "email_valid", now)
        return True
    return False


class Connection(NamedTuple):
    """The account and contact a lead is linked to after a correction."""

    account_id: str | None
    contact_id: str | None


def connect_lead(
    session: Session,
    lead_id: str,
    now: datetime,
    *,
    account_id: str | None = None,
    contact_id: str | None = None,
    disconnect: bool = False,
) -> Connection:
    """Connect the lead to an account and/or contact by hand (or disconnect both), in the
    caller's transaction, and queue it for research again; raises CorrectionError
    (nothing changed) for an unknown lead, account or contact, or a contact of another
    company."""
    lead = session.get(Lead, lead_id)
    if lead is None:
        raise CorrectionError(f"no lead with id {lead_id!r}")
    found_account, found_contact = check_connection(session, lead, account_id, contact_id)
    lead.modified_on = now
    if disconnect:
        lead.parent_account_id = lead.parent_contact_id = None
        lead.connected_by = None
    if found_account is not None:
        lead.parent_account_id, lead.connected_by = found_account.id, "seller"
    if found_contact is not None:
        lead.parent_contact_id, lead.connected_by = found_contact.id, "seller"
        if lead.parent_account_id is None:
            lead.parent_account_id = found_contact.account_id
    session.add(lead)
    # Asked with the change: were the research after it to fail, the request waits.
    request_research(session, [lead_id], "connected", now)
    return Connection(lead.parent_account_id, lead.parent_contact_id)


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
        raise CorrectionError(f"no account with id {account_id!r}", "account")
    contact = session.get(Contact, contact_id) if contact_id else None
    if contact_id and contact is None:
        raise CorrectionError(f"no contact with id {contact_id!r}", "contact")
    if contact is None or contact.account_id is None:
        return account, contact
    target = account.id if account else lead.parent_account_id
    if target and contact.account_id != target:
        works_at = session.get(Account, contact.account_id)
        at = f"{works_at.name} ({works_at.id})" if works_at else contact.account_id
        raise CorrectionError(
            f"contact {contact.id} works at {at}, not at the lead's account {target}; "
            f"connect --account {contact.account_id} with it, or pick a contact of {target}",
            "contact",
        )
    return account, contact
