"""`qualify init` and `qualify index`: set up the database, the sample CRM and the web corpus."""

from __future__ import annotations

from typing import Annotated

import typer
from sqlmodel import func, select

from app.cli.run_context import console, database_url, fail
from core.settings import get_settings
from graphs.context import Context
from graphs.services import services_for
from sample_crm.generator import generate_sample_crm
from store.crm import Lead
from store.db import session_scope


def init(
    leads: Annotated[int, typer.Option(help="Sample leads to generate.")] = 320,
    accounts: Annotated[int, typer.Option(help="Sample accounts to generate.")] = 60,
    seed: Annotated[int, typer.Option(help="Random seed of the sample CRM.")] = 7,
    replace: Annotated[bool, typer.Option(help="Replace an existing CRM's rows.")] = False,
) -> None:
    """Create the database with a sample CRM and web corpus, and index the corpus."""
    settings = get_settings()
    with session_scope(database_url()) as session:
        existing = session.exec(select(func.count()).select_from(Lead)).one()
        if existing and not replace:
            console.print(
                f"The CRM at {database_url()} already has {existing} leads; keeping them "
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


def index() -> None:
    """Re-index the local web corpus (after editing its files)."""
    web = services_for(Context()).web
    if not hasattr(web, "sync"):
        raise fail("Tavily is in use (TAVILY_API_KEY is set): there is no local corpus to index")
    report = web.sync()
    console.print(
        f"Indexed the web corpus: {report.added} pages added, {report.updated} updated, "
        f"{report.removed} removed, {report.unchanged} unchanged.",
        highlight=False,
    )
    for error in report.errors:
        console.print(f"  [yellow]{error}[/yellow]", highlight=False, soft_wrap=True)
    if report.errors:
        raise typer.Exit(code=1)  # pages left out of the index: a script must see it
