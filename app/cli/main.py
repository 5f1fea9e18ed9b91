"""`qualify`: the command line of the lead qualification agents.

The root app: it registers the commands and command groups, one module per group."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import typer
from pydantic import ValidationError

from app.cli.checkpoints import checkpoints_app
from app.cli.corrections import connect, email
from app.cli.database import db_app
from app.cli.engage import engage_app
from app.cli.evals import eval_app
from app.cli.handoffs import handoffs_app
from app.cli.imports import import_app
from app.cli.inbox import inbox
from app.cli.knowledge import knowledge_app
from app.cli.leads import draft, leads, show
from app.cli.monitor import monitor_command
from app.cli.outbox import outbox_app
from app.cli.product import product_app
from app.cli.prompts import prompts_app
from app.cli.replay import replay_command, replays_command
from app.cli.research import research
from app.cli.review import review_app
from app.cli.run_context import errors
from app.cli.seller_send import send
from app.cli.serve import serve
from app.cli.settings import icp_app, settings_app
from app.cli.setup import index, init
from app.cli.trace import trace_command
from app.cli.users import users_app
from app.cli.worker import enqueue_app, worker
from core.settings import get_settings
from store.schema_migrations import SchemaError
from store.sqlite_files import is_read_only_error
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
app.command("inbox")(inbox)
app.command("research")(research)
app.command("show")(show)
app.command("draft")(draft)
app.command("send")(send)
app.command("connect")(connect)
app.command("email")(email)
app.command("worker")(worker)
app.command("serve")(serve)

app.add_typer(icp_app, name="icp")
app.add_typer(product_app, name="product")
app.add_typer(knowledge_app, name="knowledge")
app.add_typer(settings_app, name="settings")
app.add_typer(import_app, name="import")
app.add_typer(engage_app, name="engage")
app.add_typer(users_app, name="users")
app.add_typer(handoffs_app, name="handoffs")
app.add_typer(outbox_app, name="outbox")
app.add_typer(review_app, name="review")
app.add_typer(prompts_app, name="prompts")
app.add_typer(eval_app, name="eval")
app.add_typer(db_app, name="db")
app.add_typer(enqueue_app, name="enqueue")
app.add_typer(checkpoints_app, name="checkpoints")


# Commands that make their own home or need none; every other one needs an existing home.
_NO_HOME_NEEDED = frozenset({"init", "eval"})


def _settings_problem() -> str | None:
    """The environment's settings errors, one line each, naming the variable to fix."""
    try:
        get_settings()
    except ValidationError as exc:
        return "; ".join(
            f"QUALIFY_{str(error['loc'][0]).upper()}={error.get('input')!r}: "
            f"{error['msg'].removeprefix('Value error, ')}"
            for error in exc.errors()
        )
    return None


def _read_only_home() -> str:
    """What this command could not write, and the two ways out."""
    home = get_settings().home
    locked = [path.name for path in sorted(home.iterdir()) if not os.access(path, os.W_OK)]
    if not os.access(home, os.W_OK):
        locked.insert(0, "the folder itself")
    return (
        f"this command writes to the home {home}, which is read-only here "
        f"(cannot write {', '.join(locked) or 'where the file system refused'}); views such as "
        f"`qualify leads`, `show`, `trace` and `monitor` still work. Make the folder "
        f"writable, or set QUALIFY_HOME to a writable copy of it"
    )


def _missing_home(argv: list[str]) -> str | None:
    """A home that is not there: a mistyped QUALIFY_HOME must not become an empty CRM."""
    command = next((arg for arg in argv if not arg.startswith("-")), None)
    if command is None or command in _NO_HOME_NEEDED or "--help" in argv:
        return None
    url = get_settings().resolved_database_url
    if not url.startswith("sqlite:///") or Path(url.removeprefix("sqlite:///")).exists():
        return None
    return (
        f"no CRM database at {url.removeprefix('sqlite:///')}: run `qualify init` to create "
        f"one, or set QUALIFY_HOME to your home (now {get_settings().home})"
    )


def main() -> None:
    """Console-script entry point: a failure is one or two lines on stderr and exit code 1;
    `--debug` (or QUALIFY_DEBUG=1) shows the traceback instead."""
    debug = "--debug" in sys.argv or bool(os.environ.get("QUALIFY_DEBUG"))
    sys.argv = [arg for arg in sys.argv if arg != "--debug"]
    problem = _settings_problem() or _missing_home(sys.argv[1:])
    if problem:
        errors.print(f"[red]Error:[/red] {problem}", highlight=False)
        raise SystemExit(1)
    try:
        app()
    except (LeadNotFoundError, SchemaError) as exc:
        # Says what to do in full, on one line: no --debug hint.
        errors.print(f"[red]Error:[/red] {exc}", highlight=False, soft_wrap=True)
        raise SystemExit(1) from exc
    except Exception as exc:
        if debug:
            raise
        if is_read_only_error(exc):
            errors.print(f"[red]Error:[/red] {_read_only_home()}", highlight=False)
            raise SystemExit(1) from exc
        errors.print(f"[red]Error:[/red] {exc}", highlight=False)
        errors.print("(run again with --debug to see where it happened)", highlight=False)
        raise SystemExit(1) from exc
