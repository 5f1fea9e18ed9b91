"""`qualify engage mailboxes`: each sending mailbox's cap today, sent today, bounce rate
and state; `... resume ADDRESS` lifts a pause of the bounce breaker."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text
from sqlmodel import Session

from app.cli.run_context import console, database_url, fail, user_id_named
from core.clock import utc_now
from graphs.engage.sending_mailboxes import mailbox_statuses
from graphs.engage.stored_settings import load_engage_settings
from store.db import get_db_engine, session_scope
from tools.mail.mailbox_health import resume_mailbox

mailboxes_app = typer.Typer(
    help="The sending mailboxes: caps (warm-up), bounces, pauses.", invoke_without_command=True
)


@mailboxes_app.callback()
def mailboxes(ctx: typer.Context) -> None:
    """Each sending mailbox's cap today, sent today, bounce rate and state."""
    if ctx.invoked_subcommand is not None:
        return
    settings = load_engage_settings(database_url())
    with Session(get_db_engine(database_url())) as session:
        statuses = mailbox_statuses(session, settings, utc_now())
        session.commit()  # a breaker tripped now is recorded, and the admins told
    breaker = settings.sender_reputation.bounce_breaker
    table = Table(title=f"{len(statuses)} sending mailboxes")
    for column in ("Mailbox", "Cap today", "Sent today", "Bounce rate", "State"):
        table.add_column(column, no_wrap=True)
    table.add_column("Why")
    for status in statuses:
        table.add_row(
            status.address,
            str(status.cap_today),
            str(status.sent_today),
            f"{status.bounce_rate:.1%} ({status.hard_bounces}/{status.recent_sends})",
            status.state,
            Text(status.note or ""),
        )
    console.print(table)
    console.print(
        f"Bounce rate: hard bounces over the last {breaker.window_sends} sends; a mailbox "
        f"over {breaker.max_hard_bounce_rate:.1%} is paused.",
        highlight=False,
    )
    for status in statuses:
        if status.state == "paused":
            console.print(
                f"PAUSED {status.address}: {status.note}. Its queued mail waits; resume with "
                f"`qualify engage mailboxes resume {status.address}`.",
                highlight=False,
                markup=False,
            )


@mailboxes_app.command()
def resume(
    address: str,
    by: Annotated[
        str | None, typer.Option(help="Who resumes it: a user id, email or name.")
    ] = None,
) -> None:
    """Let a paused mailbox send again (its queued mail goes at the next delivery)."""
    user_id = user_id_named(by) if by else None
    with session_scope(database_url()) as session:
        if not resume_mailbox(session, address, user_id, utc_now()):
            raise fail(f"{address} is not paused; `qualify engage mailboxes` shows each state")
    console.print(f"Resumed {address.strip().lower()}: it sends again.", highlight=False)
