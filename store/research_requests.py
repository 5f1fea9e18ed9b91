"""Research requests: a lead to research again because something it depends on changed (a
new lead, an email corrected to valid, an account connected or filled in).

A request is written in the same transaction as the change that causes it, so neither is
kept without the other, and is one row per lead while it waits: a second change merges
into it. It is marked done only once the lead's research is stored; until then a crash
leaves it pending for the next run.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Literal

from pydantic import BaseModel
from sqlmodel import Field, Session, SQLModel, col, select

from core.clock import as_utc, utc_now

RequestReason = Literal["new_lead", "email_valid", "connected", "account_filled"]

REASON_WORDS: dict[str, str] = {
    "new_lead": "new lead",
    "email_valid": "email corrected to valid",
    "connected": "account or contact connected",
    "account_filled": "account filled in",
}


class ResearchRequest(SQLModel, table=True):
    """One lead waiting to be researched again, and why."""

    id: int | None = Field(default=None, primary_key=True)
    lead_id: str = Field(foreign_key="lead.id", index=True)
    reasons: str = Field(description="Comma-separated reasons (see REASON_WORDS).")
    account_changed: bool = Field(
        default=False, description="The account itself changed: its company research is redone."
    )
    created_on: datetime = Field(default_factory=utc_now)
    requested_on: datetime = Field(
        default_factory=utc_now, description="The latest change merged into it."
    )
    done_on: datetime | None = Field(default=None, index=True)
    outcome: str | None = Field(default=None, description="What the research did, once done.")
    attempts: int = Field(default=0, description="Runs that failed on it so far.")
    last_error: str | None = None


def _pending_rows(session: Session, lead_ids: list[str]) -> dict[str, ResearchRequest]:
    found: dict[str, ResearchRequest] = {}
    for start in range(0, len(lead_ids), 500):  # stay under SQL parameter limits
        chunk = lead_ids[start : start + 500]
        rows = session.exec(
            select(ResearchRequest).where(
                col(ResearchRequest.lead_id).in_(chunk), col(ResearchRequest.done_on).is_(None)
            )
        )
        for row in rows:
            found.setdefault(row.lead_id, row)
    return found


def request_for_new_lead(session: Session, lead_id: str, now: datetime) -> None:
    """A lead just created waits for its first research (no request can wait for it yet)."""
    session.add(
        ResearchRequest(lead_id=lead_id, reasons="new_lead", created_on=now, requested_on=now)
    )


def request_research(
    session: Session,
    lead_ids: Iterable[str],
    reason: RequestReason,
    now: datetime,
    *,
    account_changed: bool = False,
) -> int:
    """Ask for these leads to be researched again; a lead already waiting keeps its one
    request, with the reason added. The caller commits (with the change). How many leads."""
    wanted = list(dict.fromkeys(lead_ids))
    pending = _pending_rows(session, wanted)
    for lead_id in wanted:
        row = pending.get(lead_id)
        if row is None:
            session.add(
                ResearchRequest(
                    lead_id=lead_id,
                    reasons=reason,
                    account_changed=account_changed,
                    created_on=now,
                    requested_on=now,
                )
            )
            continue
        reasons = row.reasons.split(",")
        if reason not in reasons:
            row.reasons = ",".join([*reasons, reason])
        row.account_changed = row.account_changed or account_changed
        row.requested_on = max(as_utc(row.requested_on), as_utc(now))
        session.add(row)
    return len(wanted)


class PendingResearch(BaseModel):
    """A lead waiting for research, read from its request (or requests: two processes
    that asked at once leave two rows, handled as one)."""

    lead_id: str
    reasons: list[str]
    account_changed: bool
    created_on: datetime
    requested_on: datetime
    attempts: int = 0
    last_error: str | None = None
    request_ids: list[int]


def pending_requests(
    session: Session, *, limit: int | None = None, lead_ids: Iterable[str] | None = None
) -> list[PendingResearch]:
    """Leads waiting for research, oldest request first: `limit` leads, or only these."""
    query = (
        select(ResearchRequest)
        .where(col(ResearchRequest.done_on).is_(None))
        .order_by(col(ResearchRequest.created_on), col(ResearchRequest.id))
    )
    if lead_ids is not None:
        query = query.where(col(ResearchRequest.lead_id).in_(list(lead_ids)))
    merged: dict[str, PendingResearch] = {}
    for row in session.exec(query):
        first = merged.get(row.lead_id)
        if first is None:
            if limit is not None and len(merged) >= limit:
                continue
            merged[row.lead_id] = PendingResearch(
                lead_id=row.lead_id,
                reasons=row.reasons.split(","),
                account_changed=row.account_changed,
                created_on=as_utc(row.created_on),
                requested_on=as_utc(row.requested_on),
                attempts=row.attempts,
                last_error=row.last_error,
                request_ids=[row.id or 0],
            )
            continue
        first.request_ids.append(row.id or 0)
        first.reasons += [r for r in row.reasons.split(",") if r not in first.reasons]
        first.account_changed = first.account_changed or row.account_changed
        first.requested_on = max(first.requested_on, as_utc(row.requested_on))
    return list(merged.values())


def _rows(session: Session, request: PendingResearch) -> list[ResearchRequest]:
    return list(
        session.exec(
            select(ResearchRequest).where(col(ResearchRequest.id).in_(request.request_ids))
        )
    )


def mark_done(
    session: Session, request: PendingResearch, outcome: str, now: datetime, started: datetime
) -> bool:
    """The lead's research is stored: its request is done, unless a change merged into
    it after the research `started` (that change still waits). True when marked done."""
    rows = _rows(session, request)
    if any(as_utc(row.requested_on) > as_utc(started) for row in rows):
        return False
    for row in rows:
        if row.done_on is None:
            row.done_on, row.outcome = now, outcome
            session.add(row)
    return True


def mark_failed(
    session: Session, request: PendingResearch, message: str, now: datetime, *, give_up_after: int
) -> bool:
    """A run failed on the lead: the request waits for the next run, or after
    `give_up_after` failed runs is closed with the error. True when closed."""
    rows = _rows(session, request)
    closed = False
    for row in rows:
        row.attempts += 1
        row.last_error = message
        if row.attempts >= give_up_after and row.done_on is None:
            row.done_on, row.outcome, closed = now, f"failed: {message}", True
        session.add(row)
    return closed


def reason_words(reasons: list[str]) -> str:
    """The reasons of a request in words."""
    return ", ".join(REASON_WORDS.get(reason, reason) for reason in reasons)
