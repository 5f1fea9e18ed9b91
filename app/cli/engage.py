"""`qualify engage ...`: run the Engage agent, and read its conversations."""

from __future__ import annotations

import time
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.text import Text
from sqlmodel import Session

from app.cli.engage_simulation import simulate_command
from app.cli.mailboxes import mailboxes_app
from app.cli.run_context import console, database_url, fail, user_id_named
from app.engage_runs import engage_runner
from core.clock import as_utc, utc_now
from core.reply_reading import ReplyReading
from core.settings import get_settings
from graphs.checkpointing import open_checkpointer
from graphs.engage.conversation_timeline import lead_timeline
from graphs.engage.engage_settings import EngageFileError, dump_engage, load_engage_file
from graphs.engage.handoff_routing import RoutingSettingsError
from graphs.engage.reply_readings import conversation_turns, readings_by_message
from graphs.engage.runner import TickReport
from graphs.engage.stored_settings import (
    check_routing_users,
    load_engage_settings,
    save_engage_settings,
)
from store.crm import Lead
from store.db import get_db_engine, session_scope
from store.engagement import (
    Conversation,
    Direction,
    Handoff,
)
from tools.mail.inbound import import_inbound
from tools.mail.outbox import undelivered

engage_app = typer.Typer(help="Run the Engage agent: outreach, follow-ups, replies, hand-offs.")
engage_app.add_typer(mailboxes_app, name="mailboxes")
engage_app.command("simulate")(simulate_command)


def _print_tick(report: TickReport) -> None:
    delivery = report.delivery
    console.print(
        f"{report.now:%Y-%m-%d %H:%M} UTC: started {report.started}, replies read "
        f"{report.replies_read}, timers {report.timers_fired}, recovered {report.recovered}; "
        f"mail imported {report.imported} (unmatched {report.unmatched}); sent {delivery.sent}, "
        f"failed {delivery.failed}, retry later {delivery.retried_later}, capped "
        f"{delivery.capped}, unconfirmed {delivery.unconfirmed}",
        highlight=False,
    )
    for rule, count in sorted(report.handoffs.items()):
        console.print(f"  hand-off by rule {rule}: {count}", highlight=False)
    for problem in report.errors[:20]:
        console.print(f"  [yellow]{problem}[/yellow]", highlight=False)
    if report.busy:
        console.print(
            f"  {len(report.busy)} leads were being run by another process: left to it",
            highlight=False,
        )
    if report.handoffs_escalated:
        console.print(
            f"  [yellow]{report.handoffs_escalated} hand-offs waited past the limit and were "
            "escalated; both people were told: `qualify handoffs list`[/yellow]",
            highlight=False,
        )
    if report.reviews_overdue:
        console.print(
            f"  [yellow]{report.reviews_overdue} emails held for review are past the time "
            "limit; their owners were told: `qualify review list`[/yellow]",
            highlight=False,
        )
    waiting = undelivered(database_url())
    if waiting:
        # The supervisor decides: the agent holds these leads' next steps until then.
        console.print(
            f"  [yellow]{len(waiting)} emails are not known to have been sent; their leads "
            "wait for a decision: `qualify outbox list`[/yellow]",
            highlight=False,
        )


@engage_app.command("settings")
def settings_command(
    set_file: Annotated[
        Path | None, typer.Option("--set", help="Replace the engage settings from YAML.")
    ] = None,
    by: Annotated[str | None, typer.Option(help="Who made the change.")] = None,
) -> None:
    """Show the engage settings (assignment, follow-ups, hand-off rules, guardrails) as YAML."""
    if set_file is not None:
        try:
            settings = load_engage_file(set_file)
        except EngageFileError as exc:
            raise fail(str(exc)) from exc
        try:
            check_routing_users(database_url(), settings)
        except RoutingSettingsError as exc:
            raise fail(f"{set_file}: {exc}; nothing was saved") from exc
        save_engage_settings(database_url(), settings, updated_by=by)
        console.print(f"Engage settings saved from {set_file}.")
        return
    console.print(dump_engage(load_engage_settings(database_url())), highlight=False)


@engage_app.command()
def tick(
    at: Annotated[
        datetime | None, typer.Option(help="Run as if it were this UTC time (simulation).")
    ] = None,
) -> None:
    """One pass: import replies, resume threads with replies or due timers, start new
    leads, deliver the outbox."""
    with engage_runner(as_utc(at) if at else None) as runner:
        _print_tick(runner.tick())


@engage_app.command()
def start(lead_ids: list[str]) -> None:
    """Engage these leads now, whatever the assignment criteria (or restart a finished one)."""
    with Session(get_db_engine(database_url())) as session:
        unknown = [lead_id for lead_id in lead_ids if session.get(Lead, lead_id) is None]
    if unknown:
        # Refused before anything is written: no thread is started for a lead that is not there.
        raise fail(f"no lead {', '.join(unknown)}; `qualify leads` lists the leads")
    with engage_runner() as runner:
        report = runner.start(lead_ids)
    _print_tick(report)
    if report.errors:
        raise typer.Exit(code=1)


@engage_app.command()
def run(
    interval: Annotated[float, typer.Option(help="Seconds between passes.")] = 60.0,
    ticks: Annotated[int | None, typer.Option(help="Stop after this many passes.")] = None,
) -> None:
    """Pass after pass until stopped (Ctrl-C) or `--ticks` passes are done."""
    done = 0
    totals: dict[str, int] = {"started": 0, "sent": 0, "handoffs": 0, "errors": 0}
    try:
        with engage_runner() as runner:
            while ticks is None or done < ticks:
                report = runner.tick()
                _print_tick(report)
                done += 1
                totals["started"] += report.started
                totals["sent"] += report.delivery.sent
                totals["handoffs"] += sum(report.handoffs.values())
                totals["errors"] += len(report.errors)
                if ticks is None or done < ticks:
                    time.sleep(interval)
    except KeyboardInterrupt:
        console.print("Stopped.")
    console.print(f"{done} passes: " + ", ".join(f"{k} {v}" for k, v in totals.items()))


@engage_app.command("import")
def import_command(paths: list[Path]) -> None:
    """Import reply .eml files or maildir folders now (matched to their leads)."""
    stops = load_engage_settings(database_url()).sender_reputation.company_wide_stop
    report = import_inbound(database_url(), paths, now=utc_now(), company_wide_stop=stops)
    console.print(report.summary(), highlight=False)
    for problem in report.problems():
        console.print(f"  {problem}", highlight=False, markup=False, soft_wrap=True)
    if report.unreadable:
        raise typer.Exit(code=1)  # a file that could not be read is a reply maybe lost


@engage_app.command()
def conversation(lead_id: str) -> None:
    """Show the agent's conversation with a lead, with each reply's reading."""
    with Session(get_db_engine(database_url())) as session:
        convo = session.get(Conversation, lead_id)
        if convo is None:
            raise fail(f"the agent has no conversation with {lead_id}")
        timeline = lead_timeline(session, lead_id)
    with open_checkpointer(get_settings().resolved_checkpoint_url) as saver:
        readings = readings_by_message(conversation_turns(saver, lead_id))
    console.print(
        f"{lead_id}: {convo.state}, {convo.messages_sent} sent, {convo.followups_sent} follow-ups,"
        f" next {convo.next_action or '—'} at {convo.next_action_on or '—'}",
        highlight=False,
        markup=False,
    )
    for entry in timeline:
        if entry.message is None:
            assert entry.handoff is not None
            _handoff_line(entry.at, entry.handoff, decided=entry.kind == "decision")
            continue
        message = entry.message
        arrow = "→" if message.direction == Direction.OUTBOUND else "←"
        console.rule()
        # Text, not markup: a subject or a status in brackets ("[unconfirmed]") is shown.
        header = f"{arrow} {entry.at:%Y-%m-%d %H:%M}  [{message.status}]  {message.subject}"
        console.print(Text(header, style="bold"), highlight=False)
        console.print(message.body.strip(), highlight=False, markup=False)
        reading = readings.get(message.message_id)
        if reading is not None:
            console.print(reading_line(reading), highlight=False)


def _handoff_line(at: datetime, handoff: Handoff, *, decided: bool) -> None:
    """A hand-off, or the decision on it, where it happened in the conversation."""
    console.rule()
    if decided:
        who = handoff.decided_by or "someone"
        text = f"⇠ {at:%Y-%m-%d %H:%M}  hand-off {handoff.id}: {handoff.action} by {who}"
        if handoff.decision_note:
            text += f" — {handoff.decision_note}"
    else:
        text = (
            f"⇢ {at:%Y-%m-%d %H:%M}  handed to {handoff.target} {handoff.assignee_id or ''} "
            f"by rule {handoff.rule_id} (hand-off {handoff.id})"
        )
    console.print(Text(text, style="bold magenta"), highlight=False)


def reading_line(reading: ReplyReading) -> Text:
    """The agent's reading of one reply, in one line under it."""
    met = reading.bant.met_count()
    parts = [
        f"intent {reading.intent.value} ({reading.confidence:.0%} sure)",
        f"purchase interest {reading.purchase_interest.value}",
        f"BANT {met} of 4 met",
    ]
    if reading.questions:
        parts.append(f"{len(reading.questions)} question(s)")
    if reading.referral is not None:
        parts.append(f"referred to {reading.referral.name or reading.referral.email}")
    line = Text.assemble(("Agent's reading: ", "bold cyan"), "; ".join(parts))
    if reading.injection_suspected:
        line.append("; tried to instruct the agent (ignored)", style="bold red")
    if reading.summary:
        line.append(f"\n  {reading.summary}", style="dim")
    return line


@engage_app.command()
def takeover(
    lead_id: str, by: Annotated[str, typer.Option(help="The seller: user id, email or name.")]
) -> None:
    """A seller takes the conversation over: the agent stops emailing this lead, and the
    lead's replies go to the seller's `qualify inbox`."""
    by = user_id_named(by)
    with session_scope(database_url()) as session:
        convo = session.get(Conversation, lead_id)
        if convo is None:
            raise fail(f"the agent has no conversation with {lead_id}")
        convo.taken_over_by = by
        session.add(convo)
    console.print(f"{lead_id}: taken over by {by}; the agent will not email this lead again.")
