"""`qualify review list|show|approve|edit|cancel`: the emails the agent holds for their
lead owner's approval (assignment rules with `sending: review`), and the owner's decision.

Approving queues the email for the next delivery, which still applies quiet hours, the
daily cap and opt-outs; an edit passes the content checks the agent's drafts pass; a
cancel stops the lead's conversation until a person starts it again.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from app.cli.run_context import console, database_url, fail, user_id_named
from core.clock import utc_now
from core.settings import get_settings
from graphs.engage.email_review import (
    HeldEmail,
    ReviewError,
    approve_email,
    cancel_email,
    edit_email,
    held_emails,
    reviewed_email,
)

review_app = typer.Typer(
    help="Emails held for the lead owner's approval: list, show, approve, edit or cancel."
)

ByOption = Annotated[
    str, typer.Option("--by", help="Who reviews: the lead's owner (a user id, email or name).")
]


@review_app.command("list")
def list_command(
    owner: Annotated[
        str | None, typer.Option(help="Only this owner's emails (id, email or name).")
    ] = None,
) -> None:
    """The held emails, oldest first; those past the time limit are marked overdue."""
    owner_id = user_id_named(owner) if owner else None
    rows = held_emails(database_url(), now=utc_now(), owner_id=owner_id)
    if not rows:
        console.print("No email is waiting for review.")
        return
    overdue = sum(1 for row in rows if row.overdue)
    title = f"{len(rows)} emails held for review" + (f", {overdue} overdue" if overdue else "")
    table = Table(title=title)
    for column in ("Id", "Lead", "Owner", "To", "Subject", "Kind", "Held", "Overdue"):
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(
            str(row.id),
            row.lead_id or "",
            row.owner_id or "(no owner)",
            row.to_address,
            Text(row.subject),  # the agent's text is data, never markup
            row.kind or "",
            f"{row.held_on:%Y-%m-%d %H:%M}",
            "[yellow]overdue[/yellow]" if row.overdue else "",
        )
    console.print(table)
    console.print(
        "Read one with `qualify review show ID`, then `approve ID`, `edit ID` or "
        "`cancel ID --note WHY` (each with `--by OWNER`).",
        soft_wrap=True,
    )


def _history_lines(email: HeldEmail) -> list[str]:
    lines = []
    for step in email.history:
        who = f" by {step['by']}" if step.get("by") else ""
        note = f": {step['note']}" if step.get("note") else ""
        lines.append(f"{step['on'][:16].replace('T', ' ')} {step['action']}{who}{note}")
    return lines


@review_app.command("show")
def show_command(email_id: str) -> None:
    """One email under review in full, with its review history."""
    try:
        email = reviewed_email(database_url(), email_id, now=utc_now())
    except ReviewError as exc:
        raise fail(str(exc)) from exc
    status = email.status + (" (overdue)" if email.overdue else "")
    header = Text(
        f"To: {email.to_address}\nSubject: {email.subject}\nLead: {email.lead_id}   "
        f"Owner: {email.owner_id or '(no owner)'}   Status: {status}\n"
        f"Message-ID: {email.message_id}"
    )
    history = Text("\n".join(_history_lines(email)))
    console.print(
        Panel(
            Group(header, Text(""), Text(email.body), Text(""), history), title=f"Email {email.id}"
        )
    )


def _done(email: HeldEmail, said: str) -> None:
    console.print(f"Email {email.id} to {email.to_address}: {said}.", highlight=False)


@review_app.command("approve")
def approve_command(email_id: str, by: ByOption) -> None:
    """Send it: the next delivery sends it once, when quiet hours and caps allow."""
    user_id = user_id_named(by)
    try:
        email = approve_email(database_url(), email_id, by=user_id, now=utc_now())
    except ReviewError as exc:
        raise fail(str(exc)) from exc
    _done(email, f"approved by {user_id}; the next delivery sends it")


@review_app.command("edit")
def edit_command(
    email_id: str,
    by: ByOption,
    subject: Annotated[str | None, typer.Option(help="The new subject.")] = None,
    body: Annotated[str | None, typer.Option(help="The new body.")] = None,
    file: Annotated[
        Path | None, typer.Option(help="A text file holding the new body.", exists=True)
    ] = None,
) -> None:
    """Change its subject or body (it passes the agent's content checks); it stays held."""
    if body is not None and file is not None:
        raise fail("give the new body with --body or --file, not both")
    user_id = user_id_named(by)
    new_body = file.read_text(encoding="utf-8") if file is not None else body
    try:
        email = edit_email(
            database_url(),
            email_id,
            by=user_id,
            now=utc_now(),
            subject=subject,
            body=new_body,
            product=get_settings().product,
        )
    except ReviewError as exc:
        raise fail(str(exc)) from exc
    _done(email, f"edited; approve it to send: `qualify review approve {email.id} --by {by}`")


@review_app.command("cancel")
def cancel_command(
    email_id: str,
    by: ByOption,
    note: Annotated[str, typer.Option(help="Why it must not go (kept with the lead).")],
) -> None:
    """Never send it; the agent stops this lead's conversation until a person goes on."""
    user_id = user_id_named(by)
    try:
        email = cancel_email(database_url(), email_id, by=user_id, now=utc_now(), note=note)
    except ReviewError as exc:
        raise fail(str(exc)) from exc
    _done(email, "cancelled; the agent waits for a person before its next step with this lead")
