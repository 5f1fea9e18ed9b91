"""Who a hand-off goes to: the lead's owner, or the next seller of a round robin (sellers
marked away are skipped); disqualifications to the supervisor.

The admin's `routing:` block names users by id, email or full name; `resolve_routing`
checks those names against the users table wherever the settings are used or saved.
The rotation's next seller is read from its stored cursor inside the hand-off's own
transaction (`store.seller_routing.lock_rotation`), so hand-offs made at once by two
processes go to different sellers in turn.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator
from sqlmodel import Session, select

from core.errors import SettingsFileError
from store.crm import Lead, SecurityRole, User
from store.engagement import HandoffTarget
from store.seller_routing import (
    SellerTeam,
    away_user_ids,
    lock_rotation,
    team_member_ids,
    user_named,
)

SellerHandoffs = Literal["owner", "round_robin"]
OwnerAway = Literal["round_robin", "supervisor", "keep"]
EscalateTo = Literal["supervisor", "next_in_rotation"]


class RoundRobin(BaseModel):
    """The sellers a round robin rotates over: listed, or a team's members."""

    model_config = ConfigDict(extra="forbid")

    sellers: list[str] = Field(
        default_factory=list, description="User ids, emails or full names, in turn order."
    )
    team: str | None = Field(default=None, description="A team (`qualify users teams`).")

    @model_validator(mode="after")
    def _one_source(self) -> RoundRobin:
        if self.sellers and self.team:
            raise ValueError(
                "both sellers and a team are given; keep one: the sellers listed, or the team"
            )
        if not self.sellers and not self.team:
            raise ValueError(
                "no sellers and no team; list sellers (e.g. sellers: [USR-01, USR-02]) or "
                "name a team (team: EMEA)"
            )
        return self

    @property
    def rotation(self) -> str:
        """The cursor's name: one per team, one for the listed sellers."""
        return f"team:{self.team}" if self.team else "sellers"


class HandoffRouting(BaseModel):
    """The admin's routing of hand-offs to people."""

    model_config = ConfigDict(extra="forbid")

    seller_handoffs: SellerHandoffs = Field(
        default="owner", description="owner: the lead's owner; round_robin: the rotation."
    )
    round_robin: RoundRobin | None = None
    owner_away: OwnerAway = Field(
        default="supervisor",
        description="The owner is marked away: round_robin, supervisor, or keep (theirs).",
    )
    supervisor: str | None = Field(
        default=None, description="Receives disqualifications; None = the first supervisor."
    )
    escalate_after_business_hours: int | None = Field(
        default=8,
        ge=1,
        description="A pending hand-off older than this is escalated; None = never.",
    )
    escalate_to: EscalateTo = "supervisor"

    @model_validator(mode="after")
    def _rotation_when_needed(self) -> HandoffRouting:
        needs = [
            f"{name}: {value}"
            for name, value in (
                ("seller_handoffs", self.seller_handoffs),
                ("owner_away", self.owner_away),
                ("escalate_to", self.escalate_to),
            )
            if value in ("round_robin", "next_in_rotation")
        ]
        if needs and self.round_robin is None:
            raise ValueError(
                f"{', '.join(needs)} needs a rotation; add round_robin: {{sellers: [..]}} or "
                "round_robin: {team: NAME}"
            )
        return self


class RoutingSettingsError(SettingsFileError):
    """A user or team the routing names is not in the database; says which field and how."""


@dataclass(frozen=True)
class ResolvedRouting:
    """The routing with every name turned into a user id."""

    settings: HandoffRouting
    supervisor_id: str | None
    rotation: str | None = None
    members: list[str] = field(default_factory=list)


def _resolve_user(session: Session, name: str, path: str) -> str:
    user = user_named(session, name)
    if user is None:
        raise RoutingSettingsError(
            f"engage settings {path}: no user {name!r}; give a user id, email or full name "
            "listed by `qualify users`, then save the settings again (`qualify engage "
            "settings --set FILE`)"
        )
    return user.id


def resolve_routing(
    session: Session, routing: HandoffRouting, *, legacy_supervisor_id: str | None = None
) -> ResolvedRouting:
    """Every user and team the routing names, checked against the database."""
    supervisor_id = None
    if routing.supervisor:
        supervisor_id = _resolve_user(session, routing.supervisor, "routing.supervisor")
    elif legacy_supervisor_id:
        supervisor_id = _resolve_user(session, legacy_supervisor_id, "supervisor_id")
    rotation = routing.round_robin
    if rotation is None:
        return ResolvedRouting(routing, supervisor_id)
    if rotation.team:
        if session.get(SellerTeam, rotation.team) is None:
            raise RoutingSettingsError(
                f"engage settings routing.round_robin.team: no team {rotation.team!r}; add it "
                f"with `qualify users teams add {rotation.team!r} --member NAME`, or name a "
                "team listed by `qualify users teams list`"
            )
        members = team_member_ids(session, rotation.team)
    else:
        members = [
            _resolve_user(session, name, f"routing.round_robin.sellers[{i}]")
            for i, name in enumerate(rotation.sellers)
        ]
        members = list(dict.fromkeys(members))
    return ResolvedRouting(routing, supervisor_id, rotation.rotation, members)


# -- the rules (pure) ------------------------------------------------------------------------


def next_in_rotation(members: Sequence[str], last: str | None, away: set[str]) -> str | None:
    """The member after `last` in turn order, skipping those away (None: all away).

    A `last` no longer in the rotation starts it again from the first member.
    """
    if not members:
        return None
    start = members.index(last) + 1 if last in members else 0
    for step in range(len(members)):
        candidate = members[(start + step) % len(members)]
        if candidate not in away:
            return candidate
    return None


# -- choosing, in the hand-off's transaction -------------------------------------------------


def first_supervisor(session: Session, *, besides: str | None = None) -> str | None:
    """The first user with the supervisor role (by id), other than `besides`."""
    query = select(User).where(User.security_role == SecurityRole.SUPERVISOR).order_by(User.id)
    return next((u.id for u in session.exec(query) if u.id != besides), None)


def supervisor_of(session: Session, routing: ResolvedRouting) -> str | None:
    """The named supervisor, else the first supervisor."""
    return routing.supervisor_id or first_supervisor(session)


def take_turn(session: Session, routing: ResolvedRouting, now: datetime) -> str | None:
    """The rotation's next present seller, moving its cursor (None: no rotation, or all
    away, and the cursor stays). The caller's commit releases the rotation's lock."""
    if routing.rotation is None:
        return None
    cursor = lock_rotation(session, routing.rotation, now)
    chosen = next_in_rotation(routing.members, cursor.last_user_id, away_user_ids(session, now))
    if chosen is not None:
        cursor.last_user_id = chosen
        session.add(cursor)
        session.flush()
    return chosen


def assignee_for(
    session: Session,
    lead: Lead,
    target: HandoffTarget,
    routing: ResolvedRouting,
    now: datetime,
) -> str | None:
    """Who receives a new hand-off of `lead` (None: nobody to give it to)."""
    if target is HandoffTarget.SUPERVISOR:
        return supervisor_of(session, routing)
    settings = routing.settings
    if settings.seller_handoffs == "round_robin":
        # Everyone in the rotation away: the owner if present, else the supervisor.
        chosen = take_turn(session, routing, now)
        if chosen is not None:
            return chosen
        if lead.owner_id and lead.owner_id not in away_user_ids(session, now):
            return lead.owner_id
        return supervisor_of(session, routing)
    if not lead.owner_id or lead.owner_id not in away_user_ids(session, now):
        return lead.owner_id
    if settings.owner_away == "keep":
        return lead.owner_id
    if settings.owner_away == "round_robin":
        chosen = take_turn(session, routing, now)
        if chosen is not None:
            return chosen
    return supervisor_of(session, routing)
