"""`qualify users ...`: the CRM's users, who is away (hand-offs skip them), and the teams a
round robin can rotate over."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

import typer
from rich.table import Table
from sqlmodel import Session, select

from app.cli.leads import users as list_users
from app.cli.run_context import console, database_url, fail, user_id_named
from app.web.accounts import (
    MIN_PASSWORD_LENGTH,
    AccountError,
    accounts,
    add_account,
    change_password,
)
from core.clock import utc_now
from store.console_accounts import ConsoleRole
from store.crm import User
from store.db import get_db_engine, session_scope
from store.seller_routing import (
    SellerTeam,
    TeamMember,
    UserAway,
    away_user_ids,
    mark_away,
    mark_back,
    teams,
)

users_app = typer.Typer(
    help="The CRM's users; mark one away or back; teams for round-robin hand-offs; "
    "console accounts (add, list, passwd).",
    invoke_without_command=True,
)
teams_app = typer.Typer(help="Teams of sellers a round robin rotates over (routing.round_robin).")
users_app.add_typer(teams_app, name="teams")


@users_app.callback()
def users(ctx: typer.Context) -> None:
    """List the CRM's users: who owns leads, whether their role may use the agent, who is
    away."""
    if ctx.invoked_subcommand is not None:
        return
    list_users()
    with Session(get_db_engine(database_url())) as session:
        away = away_user_ids(session, utc_now())
        rows = [(session.get(User, uid), session.get(UserAway, uid)) for uid in sorted(away)]
    for user, mark in rows:
        until = f" until {mark.away_until:%Y-%m-%d}" if mark and mark.away_until else ""
        name = user.full_name if user else "?"
        console.print(f"Away: {name} ({mark.user_id if mark else ''}){until}", highlight=False)


@users_app.command("away")
def away(
    name: Annotated[str, typer.Argument(help="A user id, email or full name.")],
    until: Annotated[
        datetime | None,
        typer.Option(formats=["%Y-%m-%d"], help="The day they are back (YYYY-MM-DD, UTC)."),
    ] = None,
) -> None:
    """Mark a user away: hand-offs skip them (the owner-away setting says where theirs go)."""
    user_id = user_id_named(name)
    now = utc_now()
    back_on = until.replace(tzinfo=UTC) if until else None
    if back_on is not None and back_on <= now:
        raise fail(f"--until {back_on:%Y-%m-%d} is not in the future; give the day they are back")
    with session_scope(database_url()) as session:
        mark_away(session, user_id, until=back_on, now=now)
    when = f" until {back_on:%Y-%m-%d}" if back_on else " until `qualify users back`"
    console.print(f"{user_id} is away{when}.", highlight=False)


@users_app.command("back")
def back(name: Annotated[str, typer.Argument(help="A user id, email or full name.")]) -> None:
    """A user is back: hand-offs reach them again."""
    user_id = user_id_named(name)
    with session_scope(database_url()) as session:
        was_away = mark_back(session, user_id)
    console.print(f"{user_id} is back." if was_away else f"{user_id} was not marked away.")


@teams_app.command("list")
def teams_list() -> None:
    """Each team and its members."""
    with Session(get_db_engine(database_url())) as session:
        found = teams(session)
        names = {user.id: user.full_name for user in session.exec(select(User))}
        away = away_user_ids(session, utc_now())
    table = Table(title=f"{len(found)} teams")
    table.add_column("Team", no_wrap=True)
    table.add_column("Members")
    for team, members in found.items():
        shown = [f"{names.get(m, m)} ({m}){' away' if m in away else ''}" for m in members]
        table.add_row(team, ", ".join(shown) or "—")
    console.print(table)


MemberOption = Annotated[
    list[str] | None, typer.Option("--member", help="A user id, email or name; repeatable.")
]


@teams_app.command("add")
def teams_add(name: str, member: MemberOption = None) -> None:
    """Add a team (and members): a round robin names it as round_robin: {team: NAME}."""
    wanted = name.strip()
    if not wanted:
        raise fail("give the team a name, e.g. `qualify users teams add EMEA`")
    ids = [user_id_named(m) for m in member or []]
    with session_scope(database_url()) as session:
        if session.get(SellerTeam, wanted) is None:
            session.add(SellerTeam(name=wanted, created_on=utc_now()))
            session.flush()
        for user_id in ids:
            if session.get(TeamMember, (wanted, user_id)) is None:
                session.add(TeamMember(team_name=wanted, user_id=user_id))
    console.print(f"Team {wanted}: added {', '.join(ids) or 'no members yet'}.", highlight=False)


def _team(session: Session, name: str) -> SellerTeam:
    team = session.get(SellerTeam, name)
    if team is None:
        known = ", ".join(teams(session)) or "none yet"
        raise fail(f"no team {name!r} (teams: {known}); add it with `qualify users teams add`")
    return team


@teams_app.command("add-member")
def teams_add_member(team: str, name: str) -> None:
    """Add a user to a team."""
    user_id = user_id_named(name)
    with session_scope(database_url()) as session:
        _team(session, team)
        if session.get(TeamMember, (team, user_id)) is None:
            session.add(TeamMember(team_name=team, user_id=user_id))
    console.print(f"{user_id} is in team {team}.", highlight=False)


@teams_app.command("remove-member")
def teams_remove_member(team: str, name: str) -> None:
    """Take a user out of a team."""
    user_id = user_id_named(name)
    with session_scope(database_url()) as session:
        _team(session, team)
        row = session.get(TeamMember, (team, user_id))
        if row is None:
            raise fail(f"{user_id} is not in team {team}; `qualify users teams list` shows who is")
        session.delete(row)
    console.print(f"{user_id} left team {team}.", highlight=False)


RoleOption = Annotated[
    ConsoleRole, typer.Option(help="seller, supervisor, admin or evaluator.", case_sensitive=False)
]
PasswordOption = Annotated[
    str,
    typer.Option(
        prompt=True,
        hide_input=True,
        confirmation_prompt=True,
        help=f"At least {MIN_PASSWORD_LENGTH} characters; asked for when not given.",
    ),
]


@users_app.command("add")
def add(
    login: Annotated[str, typer.Argument(help="Their email address: what they sign in with.")],
    role: RoleOption,
    password: PasswordOption,
    name: Annotated[str | None, typer.Option(help="Full name (default: the CRM user's).")] = None,
    user: Annotated[
        str | None,
        typer.Option(help="The CRM user they are (default: the one with this email)."),
    ] = None,
) -> None:
    """Add a console account. A seller sees the leads of their CRM user and their teams."""
    user_id = user_id_named(user) if user else None
    try:
        with session_scope(database_url()) as session:
            account = add_account(session, login, password, role, full_name=name, user_id=user_id)
            summary = f"{account.login} ({account.role.value}"
            summary += f", CRM user {account.user_id})" if account.user_id else ")"
    except AccountError as exc:
        raise fail(str(exc)) from None
    console.print(f"Added {summary}; sign in at `qualify serve`.", highlight=False)


@users_app.command("list")
def list_accounts() -> None:
    """The console accounts: login, name, role, CRM user."""
    with Session(get_db_engine(database_url())) as session:
        rows = accounts(session)
    if not rows:
        console.print("No console accounts; add one with `qualify users add EMAIL --role admin`.")
        return
    table = Table()
    table.add_column("Login", no_wrap=True, min_width=max(len(row.login) for row in rows))
    for header in ("Name", "Role", "CRM user", "State"):
        table.add_column(header)
    for row in rows:
        state = "disabled" if row.disabled else "active"
        table.add_row(row.login, row.full_name, row.role.value, row.user_id or "", state)
    console.print(table)


@users_app.command("passwd")
def passwd(
    login: Annotated[str, typer.Argument(help="The account's email address.")],
    password: PasswordOption,
) -> None:
    """Set a new password; the account's open sessions end."""
    try:
        with session_scope(database_url()) as session:
            change_password(session, login, password)
    except AccountError as exc:
        raise fail(str(exc)) from None
    console.print(f"Password changed for {login}; its sessions were ended.", highlight=False)
