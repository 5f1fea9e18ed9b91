"""`qualify inbox`: a user's queue of hand-offs made to them and replies from leads whose
conversation they took over."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text
from sqlmodel import Session

from app.cli.run_context import console, database_url, fail, user_id_named
from core.clock import utc_now
from store.db import get_db_engine, session_scope
from store.seller_inbox import SellerNotice, notices_for


def inbox(
    user: Annotated[
        str | None, typer.Option(help="Whose queue: a user id, email or name (default: all).")
    ] = None,
    show_all: Annotated[bool, typer.Option("--all", help="Read notices too.")] = False,
    read: Annotated[
        list[int] | None, typer.Option("--read", help="Mark this notice read; repeatable.")
    ] = None,
) -> None:
    """What waits for a user: hand-offs made to them, replies on leads they took over."""
    user_id = user_id_named(user) if user else None
    if read:
        with session_scope(database_url()) as session:
            for notice_id in read:
                notice = session.get(SellerNotice, notice_id)
                if notice is None or (user_id and notice.user_id != user_id):
                    raise fail(f"no notice {notice_id} in this queue; `qualify inbox` lists them")
                notice.read_on = notice.read_on or utc_now()
                session.add(notice)
        console.print(f"Marked read: {', '.join(map(str, read))}.")
        return
    with Session(get_db_engine(database_url())) as session:
        rows = notices_for(session, user_id, unread_only=not show_all)
    whose = f" for {user_id}" if user_id else ""
    table = Table(title=f"{len(rows)} {'' if show_all else 'unread '}notices{whose}")
    for column in ("Id", "When", "User", "Kind", "Lead"):
        table.add_column(column, no_wrap=True)
    table.add_column("What")
    for row in rows:
        table.add_row(
            str(row.id),
            f"{row.created_on:%Y-%m-%d %H:%M}",
            row.user_id,
            row.kind,
            row.lead_id or "—",
            Text(row.text),  # a lead's subject is data, never markup
        )
    console.print(table)
    if rows and not show_all:
        console.print("Mark one read with `qualify inbox --read ID`.")
