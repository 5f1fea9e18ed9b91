"""`qualify leads`, `qualify show` and `qualify draft`: the leads picked for research, a lead's
insights page and its outreach draft."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table
from sqlmodel import Session, select

from app.cli.run_context import (
    EngineOption,
    console,
    context_for,
    database_url,
    fail,
    research_runner,
)
from app.cli.seller_send import edit_draft
from app.cli.stored_insights import save_insights, stored_insights
from app.insights_page import render_draft, render_insights
from core.clock import utc_now
from core.icp_fingerprint import fit_staleness, icp_fingerprint
from graphs.research.agent_settings import load_agent_settings
from graphs.research.selection import LEFT_OUT_FIXES, SelectionRules
from graphs.research.selection_query import selection_counts
from graphs.services import services_for
from store.crm import Lead, User
from store.db import get_db_engine


def leads(
    limit: Annotated[int, typer.Option(min=1, help="Leads per page.")] = 50,
    offset: Annotated[int, typer.Option(min=0, help="Leads to skip (the next page).")] = 0,
    owner: Annotated[
        str | None, typer.Option(help="Only this owner's leads: user id, email or full name.")
    ] = None,
    engine: EngineOption = None,
) -> None:
    """List the leads the selection rules pick for research, newest first, a page at a time."""
    with research_runner(context_for(engine)) as runner:
        settings = runner.settings()
        rules = settings.selection
        owner_id = _owner_id(owner) if owner else None
        picked = runner.eligible_leads(limit=limit, offset=offset, owner_id=owner_id)
        with Session(get_db_engine(database_url())) as session:
            total, eligible, left_out = selection_counts(
                session, rules, utc_now(), owner_id=owner_id
            )
    in_force = icp_fingerprint(settings.icp)
    whose = f" owned by {owner_id}" if owner_id else ""
    table = Table(title=f"{eligible} eligible leads{whose} ({_describe_rules(rules)})")
    for column in ("Lead", "Name", "Company", "Created", "Owner", "Researched"):
        table.add_column(column)
    stale_fits = 0
    for lead in picked:
        researched = f"{lead.researched_on:%Y-%m-%d %H:%M}" if lead.researched_on else "never"
        if lead.researched_on and fit_staleness(lead.fit_judged_against, in_force):
            researched += " · fit stale"
            stale_fits += 1
        table.add_row(
            lead.lead_id,
            lead.full_name,
            lead.company_name or "—",
            f"{lead.created_on:%Y-%m-%d}",
            lead.owner_id or "—",
            researched,
        )
    console.print(table)
    if stale_fits:
        console.print(
            f"{stale_fits} of these leads {'has' if stale_fits == 1 else 'have'} a fit judged "
            "against an earlier ICP: `qualify research` re-judges them from their stored "
            "research (no web search).",
            highlight=False,
            markup=False,
        )
    if picked and (offset or offset + len(picked) < eligible):
        more = offset + len(picked) < eligible
        console.print(
            f"Leads {offset + 1}–{offset + len(picked)} of {eligible}"
            + (f"; the next page: qualify leads --offset {offset + len(picked)}" if more else ""),
            highlight=False,
            markup=False,
        )
    if left_out:
        console.print(f"{total - eligible} leads left out (a lead may fail several rules):")
        for rule, count in left_out.items():
            console.print(f"  {count:>6}  {LEFT_OUT_FIXES[rule]}", highlight=False, markup=False)
        console.print("Change the rules with `qualify settings show` and `qualify settings set`.")


def _owner_id(owner: str) -> str:
    """The user id `owner` names (an id, an email or a full name), or exit 1 saying who
    the owners are."""
    wanted = owner.strip().casefold()
    with Session(get_db_engine(database_url())) as session:
        users = session.exec(select(User)).all()
    for user in users:
        if wanted in (user.id.casefold(), user.email.casefold(), user.full_name.casefold()):
            return user.id
    known = ", ".join(f"{user.id} ({user.full_name})" for user in users[:12])
    raise fail(f"no user {owner!r}: give a user id, email or full name, e.g. {known}")


def users() -> None:
    """List the CRM's users: who owns leads, and whether their role may use the agent."""
    with research_runner(context_for(None)) as runner:
        allowed = runner.settings().selection.allowed_roles
        rows = services_for(runner.context).crm.users_with_lead_counts()
    table = Table(title=f"{len(rows)} users (roles that may use the agent: {', '.join(allowed)})")
    for column in ("User", "Name", "Role", "Email", "Leads owned", "Agent"):
        table.add_column(column)
    for user, owned in rows:
        role = str(getattr(user.security_role, "value", user.security_role))
        table.add_row(
            user.id,
            user.full_name,
            role,
            user.email,
            str(owned),
            "yes" if role in allowed else "no",
        )
    console.print(table)


def _describe_rules(rules: SelectionRules) -> str:
    age = f"created in the last {rules.max_age_days} days" if rules.max_age_days else "any age"
    return f"status {'/'.join(rules.statuses)}, {age}, roles {', '.join(rules.allowed_roles)}"


def show(lead_id: str) -> None:
    """Show a lead's insights page."""
    insights = stored_insights(lead_id)
    with Session(get_db_engine(database_url())) as session:
        lead = session.get(Lead, lead_id)
    in_force = icp_fingerprint(load_agent_settings(database_url()).icp)
    render_insights(
        insights,
        console,
        lead_status=lead.status if lead else None,
        stale_fit=fit_staleness(insights.icp.judged_against, in_force),
    )


def draft(
    lead_id: str,
    regenerate: Annotated[bool, typer.Option(help="Write a new draft from the research.")] = False,
    edit: Annotated[
        bool, typer.Option("--edit", help="Edit the draft in $EDITOR before `qualify send`.")
    ] = False,
    engine: EngineOption = None,
) -> None:
    """Show the outreach draft for a lead (drafts are never sent by research)."""
    if edit:
        render_draft(edit_draft(lead_id), console, to=stored_insights(lead_id).research.lead.email)
        return
    insights = stored_insights(lead_id)
    if regenerate or insights.draft is None:
        services = services_for(context_for(engine))
        outreach = load_agent_settings(database_url()).outreach
        insights.draft = services.reasoning.write_outreach(
            insights.research, insights.icp, outreach.signature
        )
        save_insights(lead_id, insights)
    render_draft(insights.draft, console, to=insights.research.lead.email)
