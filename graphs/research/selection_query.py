"""The selection rules as SQL: the eligible leads a page at a time, their count, and how
many leads each rule leaves out, without loading every lead into memory.

`selection.check_eligibility` stays the rules' definition (it explains one lead in
words); these queries must pick exactly the leads it picks, which the tests check on
generated leads under several rule sets.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any, NamedTuple

from sqlalchemy import ColumnElement, and_, case, false, func, not_, or_
from sqlmodel import Session, col, select

from core.clock import as_utc
from graphs.research.selection import LEFT_OUT_FIXES, LeftOutRule, SelectionRules
from store.agent_ratings import AgentLeadRating
from store.agent_records import LeadInsight
from store.crm import Lead, LeadStatus, SecurityRole, User


def _blank(column: Any) -> ColumnElement[bool]:
    """NULL, or nothing but spaces, tabs and line breaks (as `str.strip()` sees it)."""
    text = func.replace(func.replace(func.replace(column, "\t", ""), "\n", ""), "\r", "")
    return or_(column.is_(None), func.length(func.trim(text)) == 0)


def _excluded_sources(session: Session, rules: SelectionRules) -> list[str]:
    """The stored source values the rules exclude: few distinct values, matched in Python
    so case folding is Python's (SQLite's lower() folds ASCII only)."""
    if not rules.excluded_sources:
        return []
    excluded = {source.casefold() for source in rules.excluded_sources}
    stored = session.exec(select(Lead.source).distinct().where(col(Lead.source).is_not(None)))
    return [value for value in stored if value and value.strip().casefold() in excluded]


def rule_failures(
    session: Session, rules: SelectionRules, now: datetime
) -> dict[LeftOutRule, ColumnElement[bool]]:
    """Per rule, the condition under which a lead fails it (never NULL), over `Lead`
    outer-joined with its owner `User`."""
    failures: dict[LeftOutRule, ColumnElement[bool]] = {}
    if rules.max_age_days is not None:
        cutoff = as_utc(now) - timedelta(days=rules.max_age_days)
        failures["too_old"] = col(Lead.created_on) < cutoff
    failures["status"] = not_(col(Lead.status).in_([LeadStatus(s) for s in rules.statuses]))
    roles = [SecurityRole(role) for role in rules.allowed_roles]
    failures["owner_role"] = or_(
        col(Lead.owner_id).is_(None),
        col(User.security_role).is_(None),
        not_(col(User.security_role).in_(roles)),
    )
    if rules.require_email:
        failures["no_email"] = _blank(col(Lead.email))
    if rules.require_company:
        failures["no_company"] = _blank(col(Lead.company_name))
    excluded = _excluded_sources(session, rules)
    failures["source"] = func.coalesce(Lead.source, "").in_(excluded) if excluded else false()
    return failures


def _eligible(failures: dict[LeftOutRule, ColumnElement[bool]]) -> ColumnElement[bool]:
    return and_(*(not_(failure) for failure in failures.values()))


UNRESEARCHED = "unresearched"
"""The fit filter's word for leads never researched."""


class EligibleRow(NamedTuple):
    """One eligible lead with what the lists show beside it."""

    lead: Lead
    researched_on: datetime | None
    fit_level: str | None
    owner_name: str | None
    fit_judged_against: str | None
    agent_rating: str | None


def eligible_page(
    session: Session,
    rules: SelectionRules,
    now: datetime,
    *,
    limit: int | None = None,
    offset: int = 0,
    owner_id: str | None = None,
    fit_levels: Sequence[str] | None = None,
    agent_ratings: Sequence[str] | None = None,
) -> list[EligibleRow]:
    """Eligible leads, newest first, with their last research time, fit, owner's name and
    the agent's rating: `limit` of them from `offset` (all by default), only `owner_id`'s
    when given, only those last judged at one of `fit_levels` when given ("unresearched"
    for never), only those the agent rates at one of `agent_ratings` when given."""
    query = (
        select(
            Lead,
            LeadInsight.researched_on,
            LeadInsight.fit_level,
            User.full_name,
            judged_against_column(),
            AgentLeadRating.level,
        )
        .outerjoin(User, col(User.id) == col(Lead.owner_id))
        .outerjoin(LeadInsight, col(LeadInsight.lead_id) == col(Lead.id))
        .outerjoin(AgentLeadRating, col(AgentLeadRating.lead_id) == col(Lead.id))
        .where(_eligible(rule_failures(session, rules, now)))
        .order_by(col(Lead.created_on).desc(), col(Lead.id))
        .offset(offset)
    )
    if owner_id is not None:
        query = query.where(Lead.owner_id == owner_id)
    if fit_levels is not None:
        judged = [level for level in fit_levels if level != UNRESEARCHED]
        wanted = col(LeadInsight.fit_level).in_(judged)
        if UNRESEARCHED in fit_levels:
            wanted = or_(wanted, col(LeadInsight.lead_id).is_(None))
        query = query.where(wanted)
    if agent_ratings is not None:
        query = query.where(col(AgentLeadRating.level).in_(list(agent_ratings)))
    if limit is not None:
        query = query.limit(limit)
    return [EligibleRow(*row) for row in session.exec(query).all()]


def judged_against_column() -> ColumnElement[str | None]:
    """The fingerprint of the ICP a stored fit answers, read inside the insights' JSON (no
    column of its own: the payload holds it, and a migration would copy it for nothing)."""
    return LeadInsight.payload[("icp", "judged_against")].as_string()  # type: ignore[index]


def selection_counts(
    session: Session, rules: SelectionRules, now: datetime, *, owner_id: str | None = None
) -> tuple[int, int, dict[str, int]]:
    """All leads, the eligible ones, and how many each rule leaves out (a lead may fail
    several), in LEFT_OUT_FIXES order, in one pass over the table."""
    failures = rule_failures(session, rules, now)
    query = (
        select(
            func.count(),
            func.sum(case((_eligible(failures), 1), else_=0)),
            *(func.sum(case((failure, 1), else_=0)) for failure in failures.values()),
        )
        .select_from(Lead)
        .outerjoin(User, col(User.id) == col(Lead.owner_id))
    )
    if owner_id is not None:
        query = query.where(Lead.owner_id == owner_id)
    total, eligible, *per_rule = session.exec(query).one()  # type: ignore[call-overload]
    counts = dict(zip(failures, (int(n or 0) for n in per_rule), strict=True))
    left_out = {rule: counts[rule] for rule in LEFT_OUT_FIXES if counts.get(rule)}
    return int(total or 0), int(eligible or 0), left_out
