"""A lead's insights page and an outreach draft, rendered in the terminal with rich.

The layout follows the seed's Lead insights page: a header, then Key insights, Email
validation, About lead and About account, then the researcher's notes. Every value
that comes from the CRM or the web is wrapped in `Text`, never parsed as rich markup,
so a web page title like "[/b]" shows as written instead of crashing the page.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from rich import box
from rich.console import Console, Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from app.insights_wording import (
    FIT_LABELS,
    IMPORTANCE_LABELS,
    MAX_NEWS,
    NOT_AVAILABLE,
    company_facts,
    describe_account_match,
    format_amount,
    format_hours_ago,
    is_connected_contact,
    latest_news,
    merged_fact,
)
from core.clock import as_utc, utc_now
from core.findings import (
    AccountDigest,
    ColleagueLink,
    CompanyFacts,
    ContactSuggestion,
    EmailCheck,
    LeadFacts,
    LeadInsights,
    LeadResearch,
    NewsItem,
    OpportunitySummary,
    OutreachDraft,
)
from core.icp_verdicts import RECOMMENDATIONS, FitLevel, IcpAssessment, Verdict
from core.time_zones import describe_time_zone
from graphs.rating.lead_rating import AgentRating

RECOMMENDATION_STYLES: dict[FitLevel, str] = {
    FitLevel.EXACT: "green",
    FitLevel.CLOSE: "yellow",
    FitLevel.NONE: "red",
}
VERDICT_LABELS: dict[Verdict, tuple[str, str]] = {
    Verdict.MET: ("✓ met", "green"),
    Verdict.PARTLY_MET: ("◐ partly met", "yellow"),
    Verdict.NOT_MET: ("✗ not met", "red"),
    Verdict.UNKNOWN: ("? unknown", "bright_black"),
}
EMAIL_TYPE_STYLES: dict[str, str] = {
    "work": "green",
    "personal": "yellow",
    "role": "yellow",
    "disposable": "red",
    "unknown": "bright_black",
}
HINT_STYLE = "cyan"
# Below this console width the criteria table drops its Source column and shows each
# source under its evidence, so evidence keeps a readable width on 80-column terminals.
WIDE_CONSOLE = 110


# --- small building blocks ---------------------------------------------------------------


def _not_available(what: str | None = None) -> Text:
    return Text(f"{what}: {NOT_AVAILABLE}" if what else NOT_AVAILABLE, style="dim italic")


def _heading(title: str) -> Text:
    return Text(title, style="bold")


def _empty(title: str) -> Text:
    """A sub-block with nothing to show, on one line."""
    return Text.assemble((title, "bold"), ("  ", ""), (NOT_AVAILABLE, "dim italic"))


def _short_url(source: str) -> str:
    """A source without its scheme, so narrow table columns fold less."""
    return source.removeprefix("https://").removeprefix("http://").removeprefix("www.")


def _hint(label: str, command: str) -> Text:
    return Text.assemble((f"{label}: ", "dim"), (command, HINT_STYLE))


def _table(*columns: str, expand: bool = False) -> Table:
    table = Table(
        box=box.SIMPLE_HEAD, padding=(0, 1), pad_edge=False, show_edge=False, expand=expand
    )
    for column in columns:
        table.add_column(column, header_style="bold dim")
    return table


def _facts_grid() -> Table:
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="dim", no_wrap=True)
    grid.add_column()
    return grid


def _text(value: object | None) -> Text:
    return Text(str(value)) if value not in (None, "") else Text("—", style="dim")


def _section(title: str, parts: Iterable[RenderableType], border: str = "blue") -> Panel:
    return Panel(
        Group(*parts),
        title=Text(title, style="bold"),
        title_align="left",
        border_style=border,
        padding=(0, 1),
    )


def _spaced(blocks: list[list[RenderableType]]) -> list[RenderableType]:
    """Join sub-blocks with one blank line between them."""
    parts: list[RenderableType] = []
    for block in blocks:
        if parts:
            parts.append(Text(""))
        parts.extend(block)
    return parts


# --- header ------------------------------------------------------------------------------


def _header(insights: LeadInsights, lead_status: str | None, now: datetime) -> Panel:
    lead = insights.research.lead
    title = Text(lead.full_name or "(no name)", style="bold")
    role = " at ".join(p for p in (lead.job_title, lead.company_name) if p)
    if role:
        title.append(f"  {role}", style="")
    status = lead_status or lead.status
    meta = Text.assemble(("Lead ", "dim"), (insights.lead_id, "bold"))
    if status:
        meta.append("  ·  ", style="dim").append(f"Status {status}")
    meta.append("  ·  ", style="dim").append("Engine ", style="dim").append(insights.engine)
    updated = as_utc(insights.researched_on)
    research_line = Text(
        f"Research updated {updated:%Y-%m-%d %H:%M} UTC ({format_hours_ago(updated, now)})",
        style="dim",
    )
    parts: list[RenderableType] = [title, meta, research_line]
    details = [
        ("Topic", lead.topic),
        ("Source", lead.source),
        ("Rating", lead.rating),
        ("Owner", lead.owner_name),
        ("Location", ", ".join(p for p in (lead.city, lead.country) if p)),
    ]
    facts = [(k, v) for k, v in details if v]
    if facts:
        line = Text()
        for i, (key, value) in enumerate(facts):
            if i:
                line.append("  ·  ", style="dim")
            line.append(f"{key} ", style="dim").append(str(value))
        parts.append(line)
    if insights.fallback_notes:
        parts.append(
            Text.assemble(
                ("⚠ The LLM failed; parts of this page come from the offline engine: ", "yellow"),
                ("; ".join(insights.fallback_notes), "yellow"),
            )
        )
    return Panel(
        Group(*parts),
        title=Text("Lead insights", style="bold"),
        title_align="left",
        border_style="bright_black",
        padding=(0, 1),
    )


# --- sections ----------------------------------------------------------------------------


def _criteria_table(icp: IcpAssessment, wide: bool) -> Table:
    columns = ["Criterion", "Importance", "Verdict", "Evidence"] + (["Source"] if wide else [])
    table = _table(*columns, expand=True)
    # Evidence is what a seller reads; the criterion label wraps before it does.
    table.columns[0].max_width = 30 if wide else 20
    table.columns[1].no_wrap = True
    table.columns[2].no_wrap = True
    table.columns[3].ratio = 5
    table.columns[3].overflow = "fold"  # long URLs in evidence: fold, do not cut
    if wide:
        table.columns[4].ratio = 3
        table.columns[4].overflow = "fold"
    for verdict in icp.verdicts:
        label, verdict_style = VERDICT_LABELS.get(verdict.verdict, (verdict.verdict, ""))
        evidence = Text(verdict.evidence)
        source = Text(_short_url(verdict.source or "—"), style="dim")
        if not wide and verdict.source:
            evidence.append("\n").append(source)
        row = [
            Text(verdict.label),
            Text(IMPORTANCE_LABELS.get(verdict.importance, str(verdict.importance))),
            Text(label, style=verdict_style),
            evidence,
        ]
        table.add_row(*row, *([source] if wide else []))
    return table


def _key_insights(icp: IcpAssessment, lead_id: str, width: int, stale_fit: str | None) -> Panel:
    style = RECOMMENDATION_STYLES.get(icp.fit_level, "white")
    recommendation = icp.recommendation or RECOMMENDATIONS[icp.fit_level]
    badge = Text(f" {recommendation} ", style=f"bold reverse {style}")
    fit = Text.assemble(
        ("ICP fit: ", "dim"),
        (FIT_LABELS.get(icp.fit_level, str(icp.fit_level)), style),
        ("  ·  score ", "dim"),
        f"{icp.score:.0%}",
    )
    parts: list[RenderableType] = [badge, fit]
    if stale_fit:
        parts.append(
            Text(
                f"⚠ Fit {stale_fit}; run `qualify research {lead_id}` to re-judge it from "
                "the stored research",
                style="yellow",
            )
        )
    parts.append(Text(icp.reason) if icp.reason else _not_available("Reason"))
    parts.append(Text(""))
    if icp.verdicts:
        parts.append(_criteria_table(icp, wide=width >= WIDE_CONSOLE))
    else:
        parts.append(_empty("ICP criteria"))
    parts.append(_hint("Draft email", f"qualify draft {lead_id}"))
    return _section("Key insights", parts, border=style)


RATING_STYLES = {"hot": "red", "warm": "yellow", "cold": "blue"}


def _agent_rating(rating: AgentRating | None, lead_id: str) -> Panel:
    """The agent's own rating beside the fit (not the CRM's rating): level, points, the
    reasons in the seller's words and the four signals it adds up."""
    if rating is None:
        parts: list[RenderableType] = [
            _not_available("Agent rating"),
            _hint("Rate it", f"qualify research {lead_id}"),
        ]
        return _section("Agent rating", parts, border="dim")
    style = RATING_STYLES.get(rating.level, "white")
    head = Text.assemble(
        (f" {rating.level.upper()} ", f"bold reverse {style}"),
        (f"  {rating.score} points · rated {as_utc(rating.rated_on):%Y-%m-%d %H:%M} UTC", "dim"),
    )
    parts = [head, *(Text(f"• {reason}") for reason in rating.reasons), Text("")]
    table = _table("Signal", "Points", "From")
    for name, component in rating.components.items():
        table.add_row(name, f"{component.points}/{component.max_points}", component.detail)
    parts.append(table)
    return _section("Agent rating", parts, border=style)


def _email_validation(check: EmailCheck, lead_id: str) -> Panel:
    grid = _facts_grid()
    if check.email:
        address = Text(check.email)
        if check.normalized and check.normalized != check.email:
            address.append(f"  (normalized: {check.normalized})", style="dim")
        grid.add_row("Address", address)
    else:
        grid.add_row("Address", _not_available())
    validity = (
        Text("✓ valid", style="green") if check.is_valid else Text("✗ invalid", style="bold red")
    )
    if check.validity_reason:
        validity.append(f" — {check.validity_reason}", style="")
    if check.is_valid and not check.deliverability_checked:
        validity.append("  (deliverability not checked)", style="dim")
    grid.add_row("Validity", validity)
    email_type = Text(check.email_type, style=EMAIL_TYPE_STYLES.get(check.email_type, ""))
    if check.type_reason:
        email_type.append(f" — {check.type_reason}", style="")
    grid.add_row("Type", email_type)
    parts: list[RenderableType] = [grid]
    if check.overridden:
        parts.append(Text("Labels overridden by seller", style="italic cyan"))
    if not check.is_valid:
        parts.append(_hint("Fix it", f"qualify email {lead_id} --set <address>"))
    return _section("Email validation", parts, border="green" if check.is_valid else "red")


def _contact_line(contact: ContactSuggestion | None, lead_id: str) -> list[RenderableType]:
    if contact is None:
        return [_hint("No contact record connected", f"qualify connect {lead_id} --contact <id>")]
    who = Text(contact.full_name, style="bold")
    details = [d for d in (contact.job_title, contact.email) if d]
    if details:
        who.append(f" ({', '.join(details)})", style="")
    who.append(f"  {contact.id}", style="dim")
    if is_connected_contact(contact):
        return [Text.assemble(("Contact record connected: ", "green"), who)]
    why = Text(f"{contact.reason}  ", style="dim") if contact.reason else Text("")
    return [
        Text.assemble(("Suggested contact: ", "yellow"), who),
        Text.assemble(
            why, _hint("Connect it", f"qualify connect {lead_id} --contact {contact.id}")
        ),
    ]


def _who_knows_whom(links: list[ColleagueLink]) -> list[RenderableType]:
    if not links:
        return [_empty("Who knows whom")]
    table = _table("Coworker", "Emails", "Meetings", "Last interaction", "With")
    for column in (1, 2):
        table.columns[column].justify = "right"
    for link in links:
        table.add_row(
            Text(link.user_name),
            Text(str(link.emails)),
            Text(str(link.meetings)),
            Text(f"{as_utc(link.last_interaction):%Y-%m-%d}"),
            Text("lead" if link.with_lead else "account"),
        )
    return [_heading("Who knows whom"), table]


def _opportunities(title: str, opportunities: list[OpportunitySummary]) -> list[RenderableType]:
    if not opportunities:
        return [_empty(title)]
    table = _table("Opportunity", "Stage", "Value", "Owner")
    table.columns[2].justify = "right"
    for opportunity in opportunities:
        table.add_row(
            Text(opportunity.name),
            Text(opportunity.stage),
            Text(format_amount(opportunity.estimated_value)),
            _text(opportunity.owner_name),
        )
    return [_heading(title), table]


def _time_zone_line(lead: LeadFacts) -> list[RenderableType]:
    """The zone business hours use, and how it was found (so a seller can trust or fix it)."""
    described = describe_time_zone(
        lead.time_zone,
        lead.time_zone_source,
        certain=lead.time_zone_certain,
        place=lead.time_zone_place,
    )
    style = "" if lead.time_zone and lead.time_zone_certain else "yellow"
    return [Text.assemble(("Time zone: ", "dim"), (described, style))]


def _about_lead(research: LeadResearch, lead_id: str) -> Panel:
    summary = (
        [_heading("Lead summary"), Text(research.lead_summary)]
        if research.lead_summary
        else [_empty("Lead summary")]
    )
    blocks = [
        _contact_line(research.contact_match, lead_id),
        _time_zone_line(research.lead),
        summary,
        _who_knows_whom(research.who_knows_whom),
        _opportunities("Open opportunities related to the lead", research.lead_opportunities),
    ]
    return _section("About lead", _spaced(blocks))


def _company_facts(company: CompanyFacts, digest: AccountDigest | None) -> list[RenderableType]:
    rows = company_facts(company, digest)
    if all(row.value is None for row in rows):
        return [_empty("Company facts")]
    table = Table.grid(padding=(0, 2))
    table.add_column(style="dim", no_wrap=True)
    table.add_column(ratio=2)
    table.add_column(ratio=2, style="dim", overflow="fold")
    for label, value, source in rows:
        shown = Text(value) if value is not None else _not_available()
        table.add_row(label, shown, Text(source, style="dim") if source else Text(""))
    return [_heading("Company facts"), table]


def _value_or_na(value: object | None) -> Text:
    return Text(str(value)) if value not in (None, "") else _not_available()


def _news(items: list[NewsItem]) -> list[RenderableType]:
    if not items:
        return [_empty("Account news")]
    # Newest first; undated items last.
    latest = latest_news(items)
    parts: list[RenderableType] = [_heading("Account news")]
    for item in latest[:MAX_NEWS]:
        when = f"{item.published_on:%Y-%m-%d}" if item.published_on else "undated"
        parts.append(
            Text.assemble(
                ("• ", "dim"),
                (when, "dim"),
                ("  ", ""),
                (f"[{item.category}]", "magenta"),
                ("  ", ""),
                (item.title, "bold"),
            )
        )
        parts.append(Text(f"  {item.summary}"))
        parts.append(Text(f"  {item.url}", style="dim underline"))
    if len(latest) > MAX_NEWS:
        parts.append(Text(f"  +{len(latest) - MAX_NEWS} more", style="dim"))
    return parts


def _suggested_contacts(contacts: list[ContactSuggestion]) -> list[RenderableType]:
    if not contacts:
        return [_empty("Suggested contacts")]
    table = _table("Name", "Title", "Email")
    for contact in contacts:
        table.add_row(Text(contact.full_name), _text(contact.job_title), _text(contact.email))
    return [_heading("Suggested contacts"), table]


def _about_account(research: LeadResearch, lead_id: str) -> Panel:
    digest = research.digest
    name = research.company.name or (digest.company_name if digest else None)
    name = name or research.lead.company_name
    if research.account_id:
        account = Text.assemble(
            ("Account connected: ", "green"),
            (name or "", "bold"),
            (f"  {research.account_id}", "dim"),
            (f" — {describe_account_match(research.account_match)}", ""),
        )
        account_block: list[RenderableType] = [account]
    else:
        account_block = [
            Text.assemble(
                ("No account connected: ", "yellow"),
                (f"qualify connect {lead_id} --account <id>", HINT_STYLE),
            )
        ]

    overview: list[RenderableType] = (
        [_heading("Business overview"), Text(digest.business_overview)]
        if digest and digest.business_overview
        else [_empty("Business overview")]
    )
    mission, _ = merged_fact("mission", research.company, digest.facts if digest else None)
    if mission:
        overview.append(Text.assemble(("Mission: ", "dim"), str(mission)))

    finances: list[RenderableType] = (
        [_heading("Finances"), Text(digest.finances)]
        if digest and digest.finances
        else [_empty("Finances")]
    )

    blocks = [
        account_block,
        _company_facts(research.company, digest),
        overview,
        finances,
        _news(digest.news if digest else []),
    ]
    if research.account_id:
        blocks.append(_suggested_contacts(research.suggested_contacts))
        blocks.append(
            _opportunities(
                "Open opportunities related to the account", research.account_opportunities
            )
        )
    else:
        blocks.append(
            [Text("Connect an account to see its suggested contacts and opportunities.", "dim")]
        )
    if digest and digest.sources:
        shown = ", ".join(digest.sources[:3])
        more = f" (+{len(digest.sources) - 3} more)" if len(digest.sources) > 3 else ""
        blocks.append([Text(f"Web sources: {shown}{more}", style="dim")])
    return _section("About account", _spaced(blocks))


def _notes(notes: list[str]) -> list[RenderableType]:
    if not notes:
        return []
    parts: list[RenderableType] = [Text("Notes", style="dim bold")]
    parts.extend(Text(f"• {note}", style="dim") for note in notes)
    return parts


# --- public API --------------------------------------------------------------------------


def render_insights(
    insights: LeadInsights,
    console: Console,
    *,
    lead_status: str | None = None,
    now: datetime | None = None,
    stale_fit: str | None = None,
    agent_rating: AgentRating | None = None,
) -> None:
    """Print a lead's insights page: header, Key insights, the agent's rating, Email
    validation, About lead, About account and the research notes. `lead_status` (the CRM's
    current status) wins over the status captured at research time; `stale_fit` says why
    the fit no longer answers the ICP in force (`core.icp_fingerprint.fit_staleness`);
    `now` is for tests."""
    research = insights.research
    console.print(_header(insights, lead_status, now or utc_now()))
    console.print(_key_insights(insights.icp, insights.lead_id, console.width, stale_fit))
    console.print(_agent_rating(agent_rating, insights.lead_id))
    console.print(_email_validation(research.email_check, insights.lead_id))
    console.print(_about_lead(research, insights.lead_id))
    console.print(_about_account(research, insights.lead_id))
    flagged = research.digest.flagged if research.digest else []
    warnings = [
        f"⚠ {p.url} addresses an AI ({p.text!r}); it was not used as research or evidence"
        for p in flagged
    ]
    for part in _notes([*warnings, *research.notes]):
        console.print(part)


def render_draft(draft: OutreachDraft, console: Console, *, to: str | None) -> None:
    """Print an outreach draft: To, Subject, body, the sources it is grounded on, engine."""
    grid = _facts_grid()
    grid.add_row("To", Text(to) if to else _not_available())
    grid.add_row("Subject", Text(draft.subject, style="bold"))
    parts: list[RenderableType] = [grid, Text(""), Text(draft.body), Text("")]
    parts.append(Text("Grounded on:", style="dim bold"))
    if draft.grounded_on:
        parts.extend(Text(f"• {source}", style="dim") for source in draft.grounded_on)
    else:
        parts.append(_not_available())
    parts.append(Text.assemble(("Engine ", "dim"), draft.engine))
    console.print(_section("Outreach draft", parts, border="cyan"))
