"""`qualify`: the command line of the lead qualification agents."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
import yaml
from pydantic import ValidationError
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from sqlmodel import Session, func, select

from app.cli.engage import engage_app, handoffs_app
from app.cli.evals import eval_app
from app.cli.monitor import monitor_command
from app.cli.prompts import prompts_app
from app.cli.replay import replay_command, replays_command
from app.cli.trace import trace_command
from app.insights_page import render_draft, render_insights
from core.clock import utc_now
from core.findings import LeadInsights
from core.settings import get_settings
from graphs.checkpointing import open_checkpointer
from graphs.context import Context
from graphs.icp.profile_file import IcpFileError, dump_icp, load_icp_file
from graphs.research.agent_settings import (
    OutreachSettings,
    load_agent_settings,
    save_setting_block,
)
from graphs.research.runner import ResearchRunner
from graphs.research.selection import RefreshSchedule, SelectionRules
from graphs.services import services_for
from sample_crm.generator import generate_sample_crm
from store.agent_records import EmailOverride, LeadInsight
from store.crm import Account, Contact, Lead
from store.csv_import import CsvImportError, import_accounts_csv, import_leads_csv
from store.db import get_db_engine, session_scope
from tools.crm import LeadNotFoundError

app = typer.Typer(help="Lead qualification agents: research, ICP fit and outreach drafts.")
icp_app = typer.Typer(help="Show or set the ideal customer profile (ICP).")
settings_app = typer.Typer(help="Show or set selection, refresh and outreach settings.")
import_app = typer.Typer(help="Import leads or accounts from CSV.")
app.add_typer(icp_app, name="icp")
app.add_typer(settings_app, name="settings")
app.add_typer(import_app, name="import")
app.add_typer(engage_app, name="engage")
app.add_typer(handoffs_app, name="handoffs")
app.command("trace")(trace_command)
app.command("monitor")(monitor_command)
app.command("replay")(replay_command)
app.command("replays")(replays_command)
app.add_typer(prompts_app, name="prompts")
app.add_typer(eval_app, name="eval")

console = Console()
errors = Console(stderr=True)

EngineOption = Annotated[
    str | None, typer.Option("--engine", help="offline or llm (default: QUALIFY_ENGINE).")
]


def _context(engine: str | None = None) -> Context:
    if engine is not None and engine not in ("offline", "llm"):
        raise typer.BadParameter("use 'offline' or 'llm'", param_hint="--engine")
    return Context(engine=engine) if engine else Context()  # type: ignore[arg-type]


def _fail(message: str) -> typer.Exit:
    errors.print(f"[red]Error:[/red] {message}", highlight=False)
    return typer.Exit(code=1)


@contextmanager
def _runner(context: Context) -> Iterator[ResearchRunner]:
    with open_checkpointer(get_settings().resolved_checkpoint_url) as saver:
        yield ResearchRunner(context, saver)


def _db() -> str:
    return get_settings().resolved_database_url


# -- set-up ----------------------------------------------------------------------------


@app.command()
def init(
    leads: Annotated[int, typer.Option(help="Sample leads to generate.")] = 320,
    accounts: Annotated[int, typer.Option(help="Sample accounts to generate.")] = 60,
    seed: Annotated[int, typer.Option(help="Random seed of the sample CRM.")] = 7,
    replace: Annotated[bool, typer.Option(help="Replace an existing CRM's rows.")] = False,
) -> None:
    """Create the database with a sample CRM and web corpus, and index the corpus."""
    settings = get_settings()
    with session_scope(_db()) as session:
        existing = session.exec(select(func.count()).select_from(Lead)).one()
        if existing and not replace:
            console.print(
                f"The CRM at {_db()} already has {existing} leads; keeping them "
                "(use --replace to start over)."
            )
        else:
            summary = generate_sample_crm(
                session,
                settings.resolved_corpus_dir,
                seed=seed,
                n_accounts=accounts,
                n_leads=leads,
                replace=replace,
            )
            console.print(f"Sample CRM created: {summary.model_dump()}")
    web = services_for(Context()).web
    sync = getattr(web, "sync", None)
    if sync is not None:
        report = sync()
        console.print(f"Web corpus indexed in {settings.resolved_chroma_dir}: {report}")


@app.command()
def index() -> None:
    """Re-index the local web corpus (after editing its files)."""
    web = services_for(Context()).web
    if not hasattr(web, "sync"):
        raise _fail("Tavily is in use (TAVILY_API_KEY is set): there is no local corpus to index")
    console.print(web.sync())


# -- research --------------------------------------------------------------------------


@app.command()
def leads(
    engine: EngineOption = None,
) -> None:
    """List the leads the selection rules pick for research."""
    with _runner(_context(engine)) as runner:
        picked = runner.eligible_leads()
        rules = runner.settings().selection
    table = Table(title=f"{len(picked)} eligible leads ({_describe_rules(rules)})")
    for column in ("Lead", "Name", "Company", "Created", "Owner", "Researched"):
        table.add_column(column)
    for lead in picked:
        table.add_row(
            lead.lead_id,
            lead.full_name,
            lead.company_name or "—",
            f"{lead.created_on:%Y-%m-%d}",
            lead.owner_id or "—",
            f"{lead.researched_on:%Y-%m-%d %H:%M}" if lead.researched_on else "never",
        )
    console.print(table)


def _describe_rules(rules: SelectionRules) -> str:
    age = f"created in the last {rules.max_age_days} days" if rules.max_age_days else "any age"
    return f"status {'/'.join(rules.statuses)}, {age}, roles {', '.join(rules.allowed_roles)}"


@app.command()
def research(
    lead_ids: Annotated[
        list[str] | None, typer.Argument(help="Lead ids; default all eligible.")
    ] = None,
    force: Annotated[
        bool, typer.Option(help="Research even if fresh or outside the selection rules.")
    ] = False,
    engine: EngineOption = None,
) -> None:
    """Research leads: insights, email check, ICP fit and an outreach draft."""
    counts: Counter[str] = Counter()
    examples: dict[str, str] = {}
    problems: list[tuple[str, str]] = []
    with _runner(_context(engine)) as runner:
        ids = lead_ids or [lead.lead_id for lead in runner.eligible_leads()]
        progress = Progress(
            TextColumn("[bold]Researching"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TextColumn("{task.description}"),
            console=console,
            disable=not console.is_terminal,
        )
        with progress:
            task = progress.add_task("", total=len(ids))
            for outcome in runner.research(ids, force=force):
                key = (
                    outcome.recommendation if outcome.status in ("researched", "resumed") else None
                )
                counts[key or outcome.status] += 1
                examples.setdefault(key or outcome.status, outcome.lead_id)
                if outcome.status in ("error", "not_eligible"):
                    problems.append((outcome.lead_id, f"{outcome.status}: {outcome.message}"))
                elif outcome.message:
                    problems.append((outcome.lead_id, f"note: {outcome.message}"))
                progress.update(task, advance=1, description=outcome.lead_id)
    table = Table(title=f"Research of {len(ids)} leads")
    table.add_column("Outcome")
    table.add_column("Leads", justify="right")
    table.add_column("For example")
    for outcome_name, count in counts.most_common():
        table.add_row(outcome_name, str(count), examples[outcome_name])
    console.print(table)
    for lead_id, message in problems[:50]:
        console.print(f"  {lead_id}: {message}", highlight=False)
    if len(problems) > 50:
        console.print(f"  … and {len(problems) - 50} more")
    if examples:
        console.print(f"Read a lead's insights with: qualify show {next(iter(examples.values()))}")
    if counts.get("error"):
        raise typer.Exit(code=1)


def _insights(lead_id: str) -> LeadInsights:
    with Session(get_db_engine(_db())) as session:
        row = session.get(LeadInsight, lead_id)
        lead = session.get(Lead, lead_id)
    if lead is None:
        raise _fail(f"no lead with id {lead_id!r}; list leads with `qualify leads`")
    if row is None:
        raise _fail(f"{lead_id} has not been researched yet: run `qualify research {lead_id}`")
    return LeadInsights.model_validate(row.payload)


@app.command()
def show(lead_id: str) -> None:
    """Show a lead's insights page."""
    insights = _insights(lead_id)
    with Session(get_db_engine(_db())) as session:
        lead = session.get(Lead, lead_id)
    render_insights(insights, console, lead_status=lead.status if lead else None)


@app.command()
def draft(
    lead_id: str,
    regenerate: Annotated[bool, typer.Option(help="Write a new draft from the research.")] = False,
    engine: EngineOption = None,
) -> None:
    """Show the outreach draft for a lead (drafts are never sent by research)."""
    insights = _insights(lead_id)
    if regenerate or insights.draft is None:
        services = services_for(_context(engine))
        outreach = load_agent_settings(_db()).outreach
        insights.draft = services.reasoning.write_outreach(
            insights.research, insights.icp, outreach.signature
        )
        with session_scope(_db()) as session:
            row = session.get(LeadInsight, lead_id)
            if row is not None:
                row.payload = insights.model_dump(mode="json")
                session.add(row)
    render_draft(insights.draft, console, to=insights.research.lead.email)


# -- seller corrections ----------------------------------------------------------------


@app.command()
def connect(
    lead_id: str,
    account: Annotated[str | None, typer.Option(help="Account id to connect.")] = None,
    contact: Annotated[str | None, typer.Option(help="Contact id to connect.")] = None,
    disconnect: Annotated[
        bool, typer.Option(help="Disconnect the account and contact instead.")
    ] = False,
) -> None:
    """Connect a lead to an account or contact by hand (or disconnect them)."""
    if not (account or contact or disconnect):
        raise _fail("give --account ID, --contact ID or --disconnect")
    with session_scope(_db()) as session:
        lead = session.get(Lead, lead_id)
        if lead is None:
            raise _fail(f"no lead with id {lead_id!r}")
        lead.modified_on = utc_now()
        if disconnect:
            lead.parent_account_id = lead.parent_contact_id = None
            lead.connected_by = None
        if account:
            if session.get(Account, account) is None:
                raise _fail(f"no account with id {account!r}")
            lead.parent_account_id, lead.connected_by = account, "seller"
        if contact:
            found = session.get(Contact, contact)
            if found is None:
                raise _fail(f"no contact with id {contact!r}")
            lead.parent_contact_id, lead.connected_by = contact, "seller"
            if lead.parent_account_id is None:
                lead.parent_account_id = found.account_id
        session.add(lead)
    console.print(
        f"{lead_id}: account {lead.parent_account_id or '—'}, contact "
        f"{lead.parent_contact_id or '—'}. The next `qualify research` refreshes its insights."
    )


@app.command()
def email(
    lead_id: str,
    set_address: Annotated[
        str | None, typer.Option("--set", help="Correct the lead's primary email.")
    ] = None,
    valid: Annotated[
        bool | None, typer.Option("--valid/--invalid", help="Override the validity.")
    ] = None,
    email_type: Annotated[
        str | None, typer.Option("--type", help="Override the type: work, personal, ...")
    ] = None,
) -> None:
    """Correct a lead's email or override the agent's email labels."""
    if email_type is not None and email_type not in ("work", "personal", "disposable", "role"):
        raise _fail("--type must be work, personal, disposable or role")
    with session_scope(_db()) as session:
        lead = session.get(Lead, lead_id)
        if lead is None:
            raise _fail(f"no lead with id {lead_id!r}")
        if set_address is not None:
            lead.email = set_address.strip()
            lead.modified_on = utc_now()
            session.add(lead)
        if valid is not None or email_type is not None:
            if not lead.email:
                raise _fail(f"{lead_id} has no email to label; set one with --set")
            override = session.get(EmailOverride, lead_id) or EmailOverride(
                lead_id=lead_id, email=lead.email
            )
            override.email = lead.email
            override.is_valid = valid if valid is not None else override.is_valid
            override.email_type = email_type or override.email_type
            override.set_on = lead.modified_on = utc_now()
            session.add(override)
            session.add(lead)
    console.print(f"{lead_id}: saved. The next `qualify research` refreshes its insights.")


# -- admin settings --------------------------------------------------------------------


@icp_app.command("show")
def icp_show() -> None:
    """Print the ICP in force, as YAML an admin can edit."""
    console.print(dump_icp(load_agent_settings(_db()).icp), highlight=False)


@icp_app.command("set")
def icp_set(
    path: Path,
    by: Annotated[str | None, typer.Option(help="Who made the change.")] = None,
) -> None:
    """Replace the ICP from a YAML file; a bad file changes nothing."""
    try:
        profile = load_icp_file(path)
    except IcpFileError as exc:
        raise _fail(str(exc)) from exc
    save_setting_block(_db(), "icp", profile, updated_by=by)
    console.print(f"ICP {profile.name!r} saved with {len(profile.criteria)} criteria.")


_SETTING_MODELS = {
    "selection": SelectionRules,
    "refresh": RefreshSchedule,
    "outreach": OutreachSettings,
}


@settings_app.command("show")
def settings_show() -> None:
    """Print selection, refresh and outreach settings as YAML."""
    current = load_agent_settings(_db()).model_dump(mode="json", exclude={"icp"})
    console.print(yaml.safe_dump(current, sort_keys=False), highlight=False)


@settings_app.command("set")
def settings_set(
    path: Path,
    by: Annotated[str | None, typer.Option(help="Who made the change.")] = None,
) -> None:
    """Replace settings blocks (selection, refresh, outreach) from a YAML file."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise _fail(f"{path}: {exc}") from exc
    if not isinstance(raw, dict) or not set(raw) <= set(_SETTING_MODELS):
        raise _fail(f"{path}: top-level keys must be among {', '.join(_SETTING_MODELS)}")
    try:
        blocks = {name: _SETTING_MODELS[name].model_validate(raw[name]) for name in raw}
    except ValidationError as exc:
        raise _fail(f"{path}: {exc}") from exc
    for name, value in blocks.items():
        save_setting_block(_db(), name, value, updated_by=by)
    console.print(f"Saved: {', '.join(blocks) or 'nothing'}.")


# -- import ----------------------------------------------------------------------------


def _print_import(report: object) -> None:
    console.print(
        f"Imported {report.imported} rows, skipped {report.skipped}."  # type: ignore[attr-defined]
    )
    for warning in getattr(report, "warnings", []):
        console.print(f"[yellow]warning:[/yellow] {warning}", highlight=False)
    for error in report.errors:  # type: ignore[attr-defined]
        console.print(f"  row {error.row}, {error.field}: {error.message}", highlight=False)


@import_app.command("leads")
def import_leads(path: Path) -> None:
    """Import leads from CSV; bad rows are reported and skipped."""
    try:
        with session_scope(_db()) as session:
            report = import_leads_csv(session, path)
    except CsvImportError as exc:
        raise _fail(str(exc)) from exc
    _print_import(report)


@import_app.command("accounts")
def import_accounts(path: Path) -> None:
    """Import accounts from CSV; bad rows are reported and skipped."""
    try:
        with session_scope(_db()) as session:
            report = import_accounts_csv(session, path)
    except CsvImportError as exc:
        raise _fail(str(exc)) from exc
    _print_import(report)


def main() -> None:
    """Console-script entry point."""
    try:
        app()
    except LeadNotFoundError as exc:
        errors.print(f"[red]Error:[/red] {exc}")
        raise SystemExit(1) from exc
