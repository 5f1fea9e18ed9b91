"""Who can take a hand-off: sellers marked away, teams of sellers, and each rotation's
cursor (the seller a round robin gave its last hand-off to).

Kept beside the CRM's users, not on them: a re-import of the CRM's users never loses an
away mark or a team.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Field, Session, SQLModel, col, select

from core.clock import as_utc, utc_now
from store.crm import User


class SellerTeam(SQLModel, table=True):
    """A named team of sellers a round robin can rotate over."""

    name: str = Field(primary_key=True)
    created_on: datetime = Field(default_factory=utc_now)


class TeamMember(SQLModel, table=True):
    """One user in one team."""

    team_name: str = Field(primary_key=True, foreign_key="sellerteam.name")
    user_id: str = Field(primary_key=True, foreign_key="user.id")


class UserAway(SQLModel, table=True):
    """A user marked away: hand-offs skip them until `away_until` (None: until back)."""

    user_id: str = Field(primary_key=True, foreign_key="user.id")
    since: datetime = Field(default_factory=utc_now)
    away_until: datetime | None = None


class RotationCursor(SQLModel, table=True):
    """Where a round robin stands: the user it gave its last hand-off to."""

    rotation: str = Field(primary_key=True, description="'sellers' or 'team:<name>'.")
    last_user_id: str | None = None
    turns: int = 0
    updated_on: datetime = Field(default_factory=utc_now)


# -- users by name ---------------------------------------------------------------------------


def user_named(session: Session, name: str) -> User | None:
    """The user `name` names: an id, an email or a full name (any case)."""
    wanted = name.strip().casefold()
    for user in session.exec(select(User).order_by(User.id)):
        if wanted in (user.id.casefold(), user.email.casefold(), user.full_name.casefold()):
            return user
    return None


# -- away ------------------------------------------------------------------------------------


def away_user_ids(session: Session, now: datetime) -> set[str]:
    """Users away at `now` (an `away_until` in the past means they are back)."""
    now = as_utc(now)
    return {
        row.user_id
        for row in session.exec(select(UserAway))
        if row.away_until is None or now < as_utc(row.away_until)
    }


def mark_away(session: Session, user_id: str, *, until: datetime | None, now: datetime) -> None:
    """Mark a user away (again: the new `until` replaces the old); the caller commits."""
    row = session.get(UserAway, user_id) or UserAway(user_id=user_id)
    row.since = as_utc(now)
    row.away_until = as_utc(until) if until else None
    session.add(row)


def mark_back(session: Session, user_id: str) -> bool:
    """The user is back; False when they were not marked away."""
    row = session.get(UserAway, user_id)
    if row is None:
        return False
    session.delete(row)
    return True


# -- teams -----------------------------------------------------------------------------------


def team_member_ids(session: Session, team: str) -> list[str]:
    """A team's members by user id (the rotation's order)."""
    return list(
        session.exec(
            select(TeamMember.user_id)
            .where(TeamMember.team_name == team)
            .order_by(col(TeamMember.user_id))
        )
    )


def teams(session: Session) -> dict[str, list[str]]:
    """Every team with its member ids, by name."""
    found = {row.name: [] for row in session.exec(select(SellerTeam).order_by(SellerTeam.name))}
    for member in session.exec(select(TeamMember).order_by(col(TeamMember.user_id))):
        found.setdefault(member.team_name, []).append(member.user_id)
    return found


# -- rotation cursors ------------------------------------------------------------------------


def lock_rotation(session: Session, rotation: str, now: datetime) -> RotationCursor:
    """The rotation's cursor, locked for this transaction: another process choosing from
    the same rotation waits here until this one commits or rolls back.

    The first statement is a write, so SQLite takes its write lock before reading the
    cursor and PostgreSQL locks the row: the next seller is read after the last one
    committed.
    """
    bump = (
        update(RotationCursor)
        .where(col(RotationCursor.rotation) == rotation)
        .values(turns=RotationCursor.turns + 1, updated_on=as_utc(now))
    )
    if session.exec(bump).rowcount == 0:  # type: ignore[call-overload]
        try:
            with session.begin_nested():
                session.add(RotationCursor(rotation=rotation, turns=1, updated_on=as_utc(now)))
        except IntegrityError:
            # Another process made it first: lock theirs.
            session.exec(bump)  # type: ignore[call-overload]
    cursor = session.exec(select(RotationCursor).where(RotationCursor.rotation == rotation)).one()
    session.refresh(cursor)
    return cursor
