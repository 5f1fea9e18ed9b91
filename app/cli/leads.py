"""`qualify leads`, `qualify show` and `qualify draft`: the leads picked for research, a lead's
insights page and its outreach draft."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table
from sqlmodel import Session

from app.cli.run_context import (
    EngineOption,
    console,
    context_for,
    database_url,
    fail,
    research_runner,
    user_id_named,
)
from app.cli.seller_send import edit_draft
from app.cli.stored_insights import stored_insights
from app.insights_page import render_draft, render_insights
from core.clock import utc_now
from core.icp_fingerprint import fit_staleness, icp_fingerprint
from graphs.rating.lead_rating import RATING_LEVELS
from graphs.rating.rating_records import stored_rating
from graphs.research.agent_settings import load_agent_settings
from graphs.research.lead_list import FIT_WORDS, SHORT_RECOMMENDATIONS
from graphs.research.runner import RedraftError
from graphs.research.selection import LEFT_OUT_FIXES, SelectionRules
from graphs.research.selection_query import selection_counts
from graphs.services import services_for
from store.crm import Lead
from store.db import get_db_engine


def leads(
    limit: Annotated[int, typer.Option(min=1, help="Leads per page.")] = 50,
    offset: Annotated[int, typer.Option(min=0, help="Leads to skip (the next page).")] = 0,
    owner: Annotated[
        str | None, typer.Option(help="Only this owner's leads: user id, email or full name.")
    ] = None,
    recommendation: Annotated[
        list[str] | None,
        typer.Option(
            help="Only leads with this recommendation: engage-now, engage-later, "
            "do-not-engage or unresearched (or the fit: exact, close, none); repeatable."
        ),
    ] = None,
    agent_rating: Annotated[
        list[str] | None,
        typer.Option(
            "--agent-rating",
            help="Only leads the agent rates hot, warm or cold (its own rating, not the "
            "CRM's); repeatable.",
        ),
    ] = None,
    engine: EngineOption = None,
) -> None:
    """List the leads the selection rules pick for research, newest first, a page at a time,
    with each one's CRM rating, the agent's rating and the recommendation."""
    fits = [_fit_named(word) for word in recommendation] if recommendation else None
    agent_ratings = [_agent_rating_named(word) for word in agent_rating] if agent_rating else None
    with research_runner(context_for(engine)) as runner:
        settings = runner.settings()
        rules = settings.selection
        owner_id = user_id_named(owner) if owner else None
        picked = runner.eligible_leads(
            limit=limit,
            offset=offset,
            owner_id=owner_id,
            fit_levels=fits,
            agent_ratings=agent_ratings,
        )
        with Session(get_db_engine(database_url())) as session:
            total, eligible, left_out = selection_counts(
                session, rules, utc_now(), owner_id=owner_id
            )
    in_force = icp_fingerprint(settings.icp)
    whose = f" owned by {owner_id}" if owner_id else ""
    table = Table(title=f"{eligible} eligible leads{whose} ({_describe_rules(rules)})")
    # The id is what every other command takes: never cut, whatever the terminal's width.
    width = max((len(lead.lead_id) for lead in picked), default=4)
    table.add_column("Lead", no_wrap=True, min_width=width)
    table.add_column("Name")
    table.add_column("Company")
    # The CRM's rating beside the agent's own: one column, so a terminal of 80 keeps the rest.
    table.add_column("Rating\nCRM / agent", no_wrap=True)
    table.add_column("Recommendation", no_wrap=True)
    table.add_column("Owner")
    table.add_column("Researched", no_wrap=True)
    stale_fits = 0
    for lead in picked:
        researched = f"{lead.researched_on:%Y-%m-%d}" if lead.researched_on else "never"
        if lead.researched_on and fit_staleness(lead.fit_judged_against, in_force):
            researched += "\nfit stale"
            stale_fits += 1
        table.add_row(
            lead.lead_id,
            lead.full_name,
            lead.company_name or "—",
            f"{lead.rating or '—'} / {lead.agent_rating or '—'}",
            SHORT_RECOMMENDATIONS.get(lead.fit_level or "", "not researched"),
            lead.owner_name or lead.owner_id or "—",
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


def _fit_named(word: str) -> str:
    """The fit level a --recommendation word names, or exit 1 listing the words."""
    fit = FIT_WORDS.get(word.strip().lower().replace(" ", "-").replace("_", "-"))
    if fit is None:
        raise fail(f"--recommendation {word!r}: use one of {', '.join(FIT_WORDS)}")
    return fit


def _agent_rating_named(word: str) -> str:
    """The agent rating an --agent-rating word names, or exit 1 listing the levels."""
    level = word.strip().lower()
    if level not in RATING_LEVELS:
        raise fail(f"--agent-rating {word!r}: use one of {', '.join(RATING_LEVELS)}")
    return level


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
        rating = stored_rating(session, lead_id)
    in_force = icp_fingerprint(load_agent_settings(database_url()).icp)
    render_insights(
        insights,
        console,
        lead_status=lead.status if lead else None,
        stale_fit=fit_staleness(insights.icp.judged_against, in_force),
        agent_rating=rating,
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
        # Through the graph's outreach writer: the active prompt versions, a trace step.
        try:
            with research_runner(context_for(engine)) as runner:
                runner.redraft(lead_id)
        except RedraftError as exc:
            raise fail(str(exc)) from exc
        insights = stored_insights(lead_id)
    assert insights.draft is not None, "the outreach writer always writes a draft"
    render_draft(insights.draft, console, to=insights.research.lead.email)
