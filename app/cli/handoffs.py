"""`qualify handoffs ...`: read a hand-off in full, and decide it with the actions its
kind allows (accept, fix, follow, return, approve, reject)."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text
from sqlmodel import Session, select

from app.cli.run_context import console, database_url, fail, user_id_named
from app.handoff_desk import decide_handoff, interest_signals, lead_turns
from core.conversation import ConversationTurn
from core.reply_reading import Bant
from graphs.engage.handoff_actions import ALLOWED, WHAT_IT_DOES, HandoffAction
from graphs.engage.handoff_decisions import HandoffDecisionError, kind_of
from graphs.engage.stored_settings import load_engage_settings
from store.crm import Lead, User
from store.db import get_db_engine
from store.engagement import Handoff, HandoffStatus, HandoffTarget
from store.handoff_review import list_handoffs

handoffs_app = typer.Typer(
    help="Read hand-offs and decide them: accept, fix, follow, return, approve, reject."
)

ByOption = Annotated[str | None, typer.Option(help="Who decides: a user id, email or name.")]
NoteOption = Annotated[str | None, typer.Option(help="Why, for the record.")]


@handoffs_app.command("list")
def handoffs_list(
    target: Annotated[str | None, typer.Option(help="seller or supervisor")] = None,
    status: Annotated[str | None, typer.Option(help="pending, approved or rejected")] = "pending",
    assignee: Annotated[
        str | None, typer.Option(help="Only this user's queue (id, email or name).")
    ] = None,
) -> None:
    """Hand-offs waiting for a seller or a supervisor, with the actions each allows (the
    next step and the rest: `qualify handoffs show ID`)."""
    try:
        wanted_target = HandoffTarget(target) if target else None
        wanted_status = HandoffStatus(status) if status else None
    except ValueError as exc:
        raise fail(
            f"{exc}; use --target seller|supervisor, --status pending|approved|rejected"
        ) from exc
    assignee_id = user_id_named(assignee) if assignee else None
    settings = load_engage_settings(database_url())
    with Session(get_db_engine(database_url())) as session:
        rows = list_handoffs(
            session, target=wanted_target, status=wanted_status, assignee_id=assignee_id
        )
        names = {user.id: user.full_name for user in session.exec(select(User))}
    table = Table(title=f"{len(rows)} hand-offs ({status or 'any status'})")
    for column in ("Id", "Lead", "Rule", "Kind"):
        table.add_column(column, no_wrap=True)
    table.add_column("Actions" if status == "pending" else "Decision", no_wrap=True)
    table.add_column("Assignee")
    for row in rows:
        kind = kind_of(row, settings)
        pending = row.status == HandoffStatus.PENDING
        table.add_row(
            str(row.id),
            row.lead_id,
            row.rule_id,
            kind.value,
            ", ".join(a.value for a in ALLOWED[kind])
            if pending
            else row.action or row.status.value,
            f"{row.target.value} {names.get(row.assignee_id or '', row.assignee_id or '—')}"
            + (" (escalated)" if row.escalated_on else ""),
        )
    console.print(table)


@handoffs_app.command("show")
def handoffs_show(handoff_id: int) -> None:
    """One hand-off in full: the lead, the rule and why, the conversation, purchase
    interest, BANT with the lead's own words, the next step and the allowed actions."""
    settings = load_engage_settings(database_url())
    with Session(get_db_engine(database_url())) as session:
        handoff = session.get(Handoff, handoff_id)
        if handoff is None:
            raise fail(f"no hand-off {handoff_id}; list them with `qualify handoffs list`")
        lead = session.get(Lead, handoff.lead_id)
        assignee = session.get(User, handoff.assignee_id) if handoff.assignee_id else None
        before = session.get(User, handoff.escalated_from) if handoff.escalated_from else None
    turns = lead_turns(handoff.lead_id)
    kind = kind_of(handoff, settings)
    who = f"{lead.full_name} ({lead.id})" if lead else handoff.lead_id
    company = f", {lead.company_name}" if lead and lead.company_name else ""
    to = f"{handoff.target.value} {assignee.full_name if assignee else handoff.assignee_id or '—'}"
    head = Text.assemble(
        (f"Hand-off {handoff.id}", "bold"),
        f"  {who}{company} → {to}  ",
        (handoff.status.value + (f" ({handoff.action})" if handoff.action else ""), "bold"),
        f"\nMade {handoff.created_on:%Y-%m-%d %H:%M} UTC by rule ",
        (handoff.rule_id, "bold"),
        f" ({kind.value}): {handoff.rule_description}",
    )
    parts: list = [head]
    if handoff.escalated_on is not None:
        was = before.full_name if before else handoff.escalated_from or "nobody"
        parts.append(
            Text(
                f"Escalated {handoff.escalated_on:%Y-%m-%d %H:%M} UTC from {was}: it waited "
                "past the time limit (routing.escalate_after_business_hours)",
                style="yellow",
            )
        )
    parts += [Text(""), Text("Conversation", style="bold"), Text(handoff.summary)]
    parts += [Text(""), _interest(handoff, turns), Text(""), _bant_table(handoff.bant)]
    parts += [Text(""), Text.assemble(("Suggested next step: ", "bold"), handoff.next_step)]
    if handoff.status == HandoffStatus.PENDING:
        parts += [Text(""), Text("What you can do", style="bold")]
        parts += [
            Text(f"  qualify handoffs {action.value} {handoff.id}  — {WHAT_IT_DOES[action]}")
            for action in ALLOWED[kind]
        ]
    else:
        note = f": {handoff.decision_note}" if handoff.decision_note else ""
        parts.append(
            Text(
                f"\nDecided by {handoff.decided_by or 'someone'} on "
                f"{handoff.decided_on:%Y-%m-%d %H:%M}{note}"
            )
        )
    parts += [
        Text(""),
        Text(f"The emails and each reply's reading: qualify engage conversation {handoff.lead_id}"),
        Text(f"The agent's steps: qualify trace {handoff.lead_id} --mode engage"),
    ]
    console.print(Panel(Group(*parts), border_style="cyan"))


def _interest(handoff: Handoff, turns: list[ConversationTurn]) -> Text:
    """Purchase interest and what showed it: the intents and questions of the replies."""
    shown = "; ".join(interest_signals(turns)) or "no reply read yet"
    return Text.assemble(
        ("Purchase interest: ", "bold"), f"{handoff.purchase_interest or 'none'} — {shown}"
    )


def _bant_table(stored: dict) -> Table:
    bant = Bant.model_validate(stored or {})
    table = Table(title="BANT (the lead's own words)", title_justify="left", expand=True)
    table.add_column("", no_wrap=True)
    table.add_column("Verdict", no_wrap=True)
    table.add_column("Evidence")
    for name in ("budget", "authority", "need", "timing"):
        item = getattr(bant, name)
        evidence = Text(f"“{item.evidence}”" if item.evidence else "—")
        table.add_row(name.capitalize(), item.verdict.value, evidence)
    return table


def _decide(
    handoff_id: int,
    action: HandoffAction,
    by: str | None,
    note: str | None,
    *,
    email: str | None = None,
) -> None:
    decider = user_id_named(by) if by else None
    try:
        decision = decide_handoff(
            database_url(), handoff_id, action, by=decider, note=note, email=email
        )
    except HandoffDecisionError as exc:
        # Nothing was written: the session rolled back.
        raise fail(str(exc), soft_wrap=True) from exc
    message = decision.outcome.message
    console.print(f"Hand-off {handoff_id}: {message}.", highlight=False, markup=False)
    if decision.agent is not None:
        console.print(f"{decision.agent}.", highlight=False, markup=False)


@handoffs_app.command("accept")
def handoffs_accept(handoff_id: int, by: ByOption = None, note: NoteOption = None) -> None:
    """A seller takes the lead on: it is qualified (and an opportunity opened, by setting)."""
    _decide(handoff_id, HandoffAction.ACCEPT, by, note)


@handoffs_app.command("fix")
def handoffs_fix(
    handoff_id: int,
    email: Annotated[str, typer.Option(help="The lead's working email address.")],
    by: ByOption = None,
    note: NoteOption = None,
) -> None:
    """A seller gives the working address; the agent starts again with it."""
    _decide(handoff_id, HandoffAction.FIX, by, note, email=email)


@handoffs_app.command("follow")
def handoffs_follow(handoff_id: int, by: ByOption = None, note: NoteOption = None) -> None:
    """A seller follows a referral: the person the lead named becomes a new lead."""
    _decide(handoff_id, HandoffAction.FOLLOW, by, note)


@handoffs_app.command("approve")
def handoffs_approve(handoff_id: int, by: ByOption = None, note: NoteOption = None) -> None:
    """A supervisor approves a disqualification: the lead is disqualified."""
    _decide(handoff_id, HandoffAction.APPROVE, by, note)


@handoffs_app.command("reject")
def handoffs_reject(handoff_id: int, by: ByOption = None, note: NoteOption = None) -> None:
    """Decline the hand-off: the lead stays open with its seller; the agent does not resume."""
    _decide(handoff_id, HandoffAction.REJECT, by, note)


@handoffs_app.command("return")
def handoffs_return(handoff_id: int, note: NoteOption = None, by: ByOption = None) -> None:
    """Give the lead back to the agent with a note: it is not ready yet. The agent waits for
    its next reply and resumes follow-ups; only replies it has not read yet can hand the lead
    off again."""
    _decide(handoff_id, HandoffAction.RETURN, by, note)
