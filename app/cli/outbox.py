"""`qualify outbox list|sent|resend|drop`: emails not known to have been sent, and a
person's decision on each.

An email is unconfirmed when the process sending it died, or the connection broke, after
the server may have accepted it: resending blindly could send it twice, so the agent
never does. Look in the sending mailbox's Sent folder (or the server's log) for its
Message-ID, then say what happened. The lead's next step waits until then.
"""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from app.cli.run_context import console, database_url, fail
from core.clock import utc_now
from tools.mail.outbox import OutboxDecision, decide_undelivered, undelivered

outbox_app = typer.Typer(
    help="Emails not known to have been sent (unconfirmed or failed for good): list them, "
    "then mark each sent, resend it or drop it."
)

ByOption = Annotated[str | None, typer.Option(help="Who decided (a user id or name).")]


@outbox_app.command("list")
def list_command() -> None:
    """The emails waiting for a decision, oldest first."""
    rows = undelivered(database_url())
    if not rows:
        console.print("No email is waiting for a decision.")
        return
    table = Table(title=f"{len(rows)} emails not known to have been sent")
    for column in ("Message-ID", "Lead", "To", "Subject", "Status", "Queued", "Why"):
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(
            row.message_id,
            row.lead_id or "",
            row.to_address,
            row.subject,
            row.status.value,
            f"{row.created_on:%Y-%m-%d %H:%M}",
            row.last_error or "",
        )
    console.print(table)
    console.print(
        "Check the mailbox's Sent folder for each Message-ID, then `qualify outbox sent ID`, "
        "`qualify outbox resend ID` or `qualify outbox drop ID`.",
        soft_wrap=True,
    )


def _decide(message_id: str, decision: OutboxDecision, by: str | None) -> None:
    try:
        row = decide_undelivered(database_url(), message_id, decision, now=utc_now(), by=by)
    except ValueError as exc:
        raise fail(str(exc)) from exc
    said = {
        "sent": "recorded as sent; the lead's next step goes on",
        "resend": "queued again; the next tick sends it",
        "drop": "dropped; the agent stopped this lead's conversation",
    }[decision]
    console.print(f"{row.message_id} to {row.to_address}: {said}.", highlight=False)


@outbox_app.command("sent")
def sent_command(message_id: str, by: ByOption = None) -> None:
    """It is in the Sent folder: record it as sent."""
    _decide(message_id, "sent", by)


@outbox_app.command("resend")
def resend_command(message_id: str, by: ByOption = None) -> None:
    """It is not in the Sent folder: queue it again (same Message-ID)."""
    _decide(message_id, "resend", by)


@outbox_app.command("drop")
def drop_command(message_id: str, by: ByOption = None) -> None:
    """Never send it; the agent stops this lead's conversation."""
    _decide(message_id, "drop", by)
