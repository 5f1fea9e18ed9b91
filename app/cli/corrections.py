"""`qualify connect` and `qualify email`: a seller corrects a lead by hand, and its insights
page shows the correction at once."""

from __future__ import annotations

from typing import Annotated

import typer

from app.cli.run_context import console, context_for, database_url, fail, research_runner
from core.clock import utc_now
from graphs.research.lead_corrections import (
    EMAIL_TYPES,
    CorrectionError,
    connect_lead,
    correct_email,
    refresh_email_check,
)
from graphs.research.requested_research import research_requested
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
    try:
        with session_scope(database_url()) as session:
            linked = connect_lead(
                session,
                lead_id,
                utc_now(),
                account_id=account,
                contact_id=contact,
                disconnect=disconnect,
            )
    except CorrectionError as exc:
        raise fail(str(exc)) from exc  # nothing was changed
    console.print(
        f"{lead_id}: account {linked.account_id or '—'}, contact {linked.contact_id or '—'}.",
        highlight=False,
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
    if email_type is not None and email_type not in EMAIL_TYPES:
        raise fail("--type must be work, personal, disposable or role")
    try:
        with session_scope(database_url()) as session:
            requeued = correct_email(
                session, lead_id, utc_now(), address=set_address, valid=valid, email_type=email_type
            )
    except CorrectionError as exc:
        option = {"address": "--set "}.get(exc.field, "")
        if exc.field in ("valid", "email_type"):
            raise fail(f"{lead_id} has no email to label; set one with --set") from exc
        raise fail(f"{option}{exc}") from exc  # nothing was changed
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
    if requeued:
        console.print(
            f"{lead_id}: queued for research again (the next `qualify research`, engage "
            "pass or worker does it).",
            highlight=False,
        )
