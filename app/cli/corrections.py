"""`qualify connect` and `qualify email`: a seller corrects a lead by hand, and its insights
page shows the correction at once."""

from __future__ import annotations

from typing import Annotated

import typer

from app.cli.run_context import console, context_for, database_url, fail, research_runner
from core.clock import utc_now
from graphs.research.lead_corrections import (
    CorrectionError,
    check_connection,
    refresh_email_check,
)
from graphs.research.requested_research import research_requested
from store.agent_records import EmailOverride
from store.crm import Lead
from store.db import session_scope
from store.research_requests import request_research
from tools.email_check import check_email


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
    try:
        with session_scope(database_url()) as session:
            lead = session.get(Lead, lead_id)
            if lead is None:
                raise CorrectionError(f"no lead with id {lead_id!r}")
            found_account, found_contact = check_connection(session, lead, account, contact)
            lead.modified_on = utc_now()
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
            # Asked with the change: were the research below to fail, the request waits.
            request_research(session, [lead_id], "connected", utc_now())
            linked = (lead.parent_account_id, lead.parent_contact_id)
    except CorrectionError as exc:
        raise fail(str(exc)) from exc  # nothing was changed
    console.print(
        f"{lead_id}: account {linked[0] or '—'}, contact {linked[1] or '—'}.", highlight=False
    )
    _research_again(lead_id)


def _research_again(lead_id: str) -> None:
    """Research the changed lead now: the account feeds the company facts and the ICP
    criteria on them; the company's shared research is reused while it is fresh."""
    with research_runner(context_for(None)) as runner:
        outcomes = list(research_requested(runner, lead_ids=[lead_id]))
    if not outcomes:
        console.print(f"{lead_id}: another process researched it again meanwhile.")
        return
    [outcome] = outcomes
    if outcome.status == "researched":
        console.print(
            f"{lead_id}: researched again: {outcome.recommendation} ({outcome.fit_level} fit).",
            highlight=False,
            markup=False,
        )
    else:
        console.print(
            f"{lead_id}: not researched again ({outcome.status}: {outcome.message}); "
            f"`qualify research {lead_id} --force` does it.",
            highlight=False,
            markup=False,
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
    if set_address is not None:
        checked = check_email(set_address.strip())
        if not checked.is_valid:
            raise fail(f"--set {set_address.strip()!r}: {checked.validity_reason}; nothing changed")
    with session_scope(database_url()) as session:
        lead = session.get(Lead, lead_id)
        if lead is None:
            raise fail(f"no lead with id {lead_id!r}")
        if set_address is not None:
            lead.email = checked.normalized or set_address.strip()
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
        if valid is not False and (set_address is not None or valid):
            # The address is valid now: the lead is researched again without waiting for
            # the schedule (asked in the same transaction as the correction).
            request_research(session, [lead_id], "email_valid", utc_now())
    insights = refresh_email_check(context_for(None), lead_id)
    if insights is None:
        console.print(f"{lead_id}: saved; `qualify research {lead_id}` researches it.")
        return
    check = insights.research.email_check
    console.print(
        f"{lead_id}: saved; its page shows {check.email}: "
        f"{'valid' if check.is_valid else 'invalid'}, {check.email_type} ({check.validity_reason})."
        + (" The next `qualify research` re-matches its account." if set_address else ""),
        highlight=False,
        markup=False,
    )
    if valid is not False and (set_address is not None or valid):
        console.print(
            f"{lead_id}: queued for research again (the next `qualify research`, engage "
            "pass or worker does it).",
            highlight=False,
        )
