"""`qualify connect` and `qualify email`: a seller corrects a lead by hand; the next research
run refreshes its insights."""

from __future__ import annotations

from typing import Annotated

import typer

from app.cli.run_context import console, database_url, fail
from core.clock import utc_now
from store.agent_records import EmailOverride
from store.crm import Account, Contact, Lead
from store.db import session_scope


def connect(
    lead_id: str,
    account: Annotated[str | None, typer.Option(help="Account id to connect.")] = None,
    contact: Annotated[str | None, typer.Option(help="Contact id to connect.")] = None,
    disconnect: Annotated[
        bool, typer.Option(help="Disconnect the account and contact instead.")
    ] = False,
) -> None:
    """Connect a lead to an account or contact by hand (or disconnect them)."""
    if not (account or contact or disconnect):
        raise fail("give --account ID, --contact ID or --disconnect")
    with session_scope(database_url()) as session:
        lead = session.get(Lead, lead_id)
        if lead is None:
            raise fail(f"no lead with id {lead_id!r}")
        lead.modified_on = utc_now()
        if disconnect:
            lead.parent_account_id = lead.parent_contact_id = None
            lead.connected_by = None
        if account:
            if session.get(Account, account) is None:
                raise fail(f"no account with id {account!r}")
            lead.parent_account_id, lead.connected_by = account, "seller"
        if contact:
            found = session.get(Contact, contact)
            if found is None:
                raise fail(f"no contact with id {contact!r}")
            lead.parent_contact_id, lead.connected_by = contact, "seller"
            if lead.parent_account_id is None:
                lead.parent_account_id = found.account_id
        session.add(lead)
    console.print(
        f"{lead_id}: account {lead.parent_account_id or '—'}, contact "
        f"{lead.parent_contact_id or '—'}. The next `qualify research` refreshes its insights."
    )


def email(
    lead_id: str,
    set_address: Annotated[
        str | None, typer.Option("--set", help="Correct the lead's primary email.")
    ] = None,
    valid: Annotated[
        bool | None, typer.Option("--valid/--invalid", help="Override the validity.")
    ] = None,
    email_type: Annotated[
        str | None, typer.Option("--type", help="Override the type: work, personal, ...")
    ] = None,
) -> None:
    """Correct a lead's email or override the agent's email labels."""
    if email_type is not None and email_type not in ("work", "personal", "disposable", "role"):
        raise fail("--type must be work, personal, disposable or role")
    with session_scope(database_url()) as session:
        lead = session.get(Lead, lead_id)
        if lead is None:
            raise fail(f"no lead with id {lead_id!r}")
        if set_address is not None:
            lead.email = set_address.strip()
            lead.modified_on = utc_now()
            session.add(lead)
        if valid is not None or email_type is not None:
            if not lead.email:
                raise fail(f"{lead_id} has no email to label; set one with --set")
            override = session.get(EmailOverride, lead_id) or EmailOverride(
                lead_id=lead_id, email=lead.email
            )
            override.email = lead.email
            override.is_valid = valid if valid is not None else override.is_valid
            override.email_type = email_type or override.email_type
            override.set_on = lead.modified_on = utc_now()
            session.add(override)
            session.add(lead)
    console.print(f"{lead_id}: saved. The next `qualify research` refreshes its insights.")
