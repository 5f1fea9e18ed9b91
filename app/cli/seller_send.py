"""`qualify draft LEAD --edit` and `qualify send LEAD`: the seller reviews, edits and sends.

As in the seeds: the seller reads the agent's draft, edits it, and sends it. The send goes
through the same outbox, opt-out checks and content check as the agent's emails, and the
lead's conversation records that a seller has taken it over, so Engage never emails the
lead again on its own.
"""

from __future__ import annotations

from typing import Annotated

import click
import typer

from app.cli.run_context import console, database_url, fail
from app.cli.stored_insights import save_insights, stored_insights
from app.seller_email import SendRefused, send_seller_email
from core.clock import utc_now
from core.findings import OutreachDraft


def edit_draft(lead_id: str) -> OutreachDraft:
    """Open the lead's draft in $EDITOR ("Subject: ..." on the first line); keep the result."""
    insights = stored_insights(lead_id)
    if insights.draft is None:
        raise fail(f"{lead_id} has no draft yet: run `qualify draft {lead_id}` first")
    draft = insights.draft
    edited = click.edit(f"Subject: {draft.subject}\n\n{draft.body}\n", extension=".txt")
    if edited is None:
        raise fail("the editor was closed without saving; the draft is unchanged")
    first, _, body = edited.partition("\n")
    if not first.lower().startswith("subject:") or not body.strip():
        raise fail("keep 'Subject: ...' on the first line and the email below it")
    insights.draft = draft.model_copy(
        update={
            "subject": first.split(":", 1)[1].strip(),
            "body": body.strip() + "\n",
            "engine": f"{draft.engine.split(',')[0]}, edited by the seller",
        }
    )
    save_insights(lead_id, insights)
    return insights.draft


def send(
    lead_id: str,
    by: Annotated[
        str | None, typer.Option(help="The seller sending (default: the lead's owner).")
    ] = None,
) -> None:
    """Send the lead's draft through the outbox, opt-out and content checks."""
    insights = stored_insights(lead_id)
    draft = insights.draft
    if draft is None:
        raise fail(f"{lead_id} has no draft yet: run `qualify draft {lead_id}` first")
    try:
        sent = send_seller_email(database_url(), lead_id, draft, by=by, now=utc_now())
    except SendRefused as exc:
        if not exc.content:
            raise fail(f"not sent: {'; '.join(exc.reasons)}") from exc
        marked = "\n".join(f"  - {reason}" for reason in exc.reasons)
        raise fail(
            f"not sent: the content check marked\n{marked}\n"
            f"Edit the draft with `qualify draft {lead_id} --edit`, then send again.",
            soft_wrap=True,
        ) from exc
    waiting = f", {sent.paused} waiting on a paused mailbox" if sent.paused else ""
    console.print(
        f"Sent by {sent.seller} to {sent.to_address} ({sent.message_id}); delivery: "
        f"{sent.delivered} sent, {sent.failed} failed{waiting}. Engage will not email this "
        f"lead without {sent.seller}.",
        highlight=False,
        soft_wrap=True,
    )
