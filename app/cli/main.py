"""`qualify`: the command line of the lead qualification agents.

The root app: it registers the commands and command groups, one module per group."""

from __future__ import annotations

import typer

from app.cli.corrections import connect, email
from app.cli.engage import engage_app, handoffs_app
from app.cli.evals import eval_app
from app.cli.imports import import_app
from app.cli.leads import draft, leads, show, users
from app.cli.monitor import monitor_command
from app.cli.outbox import outbox_app
from app.cli.product import product_app
from app.cli.prompts import prompts_app
from app.cli.replay import replay_command, replays_command
from app.cli.research import research
from app.cli.run_context import errors
from app.cli.seller_send import send
from app.cli.settings import icp_app, settings_app
from app.cli.setup import index, init
from app.cli.trace import trace_command
from tools.crm import LeadNotFoundError

app = typer.Typer(help="Lead qualification agents: research, ICP fit and outreach drafts.")

# `qualify --help` lists the commands in this order, then the groups in theirs.
app.command("trace")(trace_command)
app.command("monitor")(monitor_command)
app.command("replay")(replay_command)
app.command("replays")(replays_command)
app.command("init")(init)
app.command("index")(index)
app.command("leads")(leads)
app.command("users")(users)
app.command("research")(research)
app.command("show")(show)
app.command("draft")(draft)
app.command("send")(send)
app.command("connect")(connect)
app.command("email")(email)

app.add_typer(icp_app, name="icp")
app.add_typer(product_app, name="product")
app.add_typer(settings_app, name="settings")
app.add_typer(import_app, name="import")
app.add_typer(engage_app, name="engage")
app.add_typer(handoffs_app, name="handoffs")
app.add_typer(outbox_app, name="outbox")
app.add_typer(prompts_app, name="prompts")
app.add_typer(eval_app, name="eval")


def main() -> None:
    """Console-script entry point."""
    try:
        app()
    except LeadNotFoundError as exc:
        errors.print(f"[red]Error:[/red] {exc}")
        raise SystemExit(1) from exc
