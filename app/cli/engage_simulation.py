"""`qualify engage simulate`: what the agent would send and hand off to chosen leads
against scripted replies, before go-live, with nothing written."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.text import Text
from sqlmodel import Session, col, select

from app.cli.run_context import EngineOption, console, context_for, database_url, fail
from core.clock import ManualClock, as_utc
from core.reply_reading import ReplyReading
from graphs.simulation.database_copy import SimulationRefused
from graphs.simulation.engage_simulation import (
    LeadSimulation,
    SimulatedEmail,
    SimulatedHandoff,
    SimulatedReply,
    SimulationReport,
    simulate,
)
from graphs.simulation.reply_script import ReplyScriptError, load_reply_script
from store.crm import Lead
from store.db import get_db_engine

_FIRST_LINES = 3


def _first_lines(body: str, full: bool) -> str:
    lines = [line for line in body.strip().splitlines() if line.strip()]
    if full or len(lines) <= _FIRST_LINES:
        return body.strip()
    return "\n".join(lines[:_FIRST_LINES]) + "\n…"


def _reading(reading: ReplyReading) -> str:
    bant = ", ".join(
        f"{name} {getattr(reading.bant, name).verdict.value}"
        for name in ("budget", "authority", "need", "timing")
    )
    return (
        f"reading: intent {reading.intent.value}, purchase interest "
        f"{reading.purchase_interest.value}; BANT {bant}"
    )


def _print_lead(lead: LeadSimulation, full: bool) -> None:
    console.rule(Text(f"{lead.lead_id} {lead.name} ({lead.time_zone})", style="bold"))
    for event in lead.events:
        if isinstance(event, SimulatedEmail):
            status = "" if event.status == "sent" else f" [{event.status}]"
            head = f"→ {event.local_time}  {event.kind or 'email'}{status}: {event.subject}"
            console.print(Text(head, style="bold"), highlight=False, soft_wrap=True)
            console.print(Text(_first_lines(event.body, full)), highlight=False, soft_wrap=True)
        elif isinstance(event, SimulatedReply):
            console.print(
                Text(f"← {event.local_time}  reply: {event.subject}", style="bold cyan"),
                highlight=False,
                soft_wrap=True,
            )
            console.print(Text(_first_lines(event.body, full)), highlight=False, soft_wrap=True)
            if event.reading is not None:
                console.print(
                    Text(_reading(event.reading), style="cyan"), highlight=False, soft_wrap=True
                )
        elif isinstance(event, SimulatedHandoff):
            who = event.assignee_name or event.assignee_id or "nobody"
            text = (
                f"⇢ {event.local_time}  would hand off to {event.target} ({who}) by rule "
                f"{event.rule_id}: {event.next_step}"
            )
            console.print(Text(text, style="bold magenta"), highlight=False, soft_wrap=True)
    final = f"final state: {lead.final_state}"
    if lead.stop_reason:
        final += f" ({lead.stop_reason})"
    if lead.next_action:
        final += f"; next: {lead.next_action}"
    if lead.replies_not_sent:
        final += f"; {lead.replies_not_sent} scripted replies never due"
    console.print(Text(final, style="dim"), highlight=False, soft_wrap=True)
    for problem in lead.errors:
        console.print(Text(f"  {problem}", style="yellow"), highlight=False, soft_wrap=True)


def _print_report(report: SimulationReport, full: bool) -> None:
    console.print(
        f"Simulation from {report.start:%Y-%m-%d %H:%M} to {report.end:%Y-%m-%d %H:%M} UTC; "
        "nothing was written or sent.",
        highlight=False,
        soft_wrap=True,
    )
    for lead in report.leads:
        _print_lead(lead, full)
    for note in report.notes:
        console.print(Text(f"Note: {note}", style="yellow"), highlight=False, soft_wrap=True)
    summary = report.summary
    rules = ", ".join(f"{rule} {count}" for rule, count in summary.handoffs_by_rule.items())
    console.rule()
    console.print(
        f"{summary.leads} leads, {summary.emails} emails ({summary.follow_ups} follow-ups), "
        f"{summary.replies} replies, hand-offs: {rules or 'none'}",
        highlight=False,
        soft_wrap=True,
    )


def simulate_command(
    replies: Annotated[
        Path, typer.Option(help="YAML or JSON: lead id (or *) → replies with after_days, body.")
    ],
    leads: Annotated[
        str | None, typer.Option(help="Comma-separated lead ids, e.g. LEAD-1,LEAD-2.")
    ] = None,
    limit: Annotated[
        int | None,
        typer.Option(min=1, help="Instead of --leads: the first N leads assignment would pick."),
    ] = None,
    days: Annotated[float, typer.Option(min=0.1, help="Simulated days.")] = 30.0,
    at: Annotated[
        datetime | None, typer.Option(help="Start at this UTC time (default: now).")
    ] = None,
    full: Annotated[bool, typer.Option("--full", help="Show whole email bodies.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
    engine: EngineOption = None,
) -> None:
    """Run the agent on leads against scripted replies and show what it would send and hand
    off, with nothing written (a copy of the database, no mail sent, no checkpoint kept)."""
    if (leads is None) == (limit is None):
        raise fail("give --leads LEAD-1,LEAD-2 or --limit N (the leads assignment would pick)")
    try:
        script = load_reply_script(replies)
    except ReplyScriptError as exc:
        raise fail(str(exc)) from exc
    lead_ids = [part.strip() for part in leads.split(",") if part.strip()] if leads else None
    if lead_ids is not None:
        with Session(get_db_engine(database_url())) as session:
            known = set(session.exec(select(Lead.id).where(col(Lead.id).in_(lead_ids))).all())
        unknown = [lead_id for lead_id in lead_ids if lead_id not in known]
        if unknown or not lead_ids:
            raise fail(
                f"no lead {', '.join(unknown) or '(none given)'}; `qualify leads` lists them"
            )
    context = context_for(engine)
    if at is not None:
        context = replace(context, clock=ManualClock(as_utc(at)))
    try:
        report = simulate(context, script, lead_ids=lead_ids, limit=limit, days=days)
    except SimulationRefused as exc:
        raise fail(str(exc)) from exc
    if as_json:
        typer.echo(report.model_dump_json(indent=2))
    else:
        _print_report(report, full)
