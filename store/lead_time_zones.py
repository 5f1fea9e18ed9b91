"""A lead's time zone: kept when the CRM or a person set it, else inferred from where the
lead and its account are (`core.time_zones`), and inferred again when asked later, since
the address may have changed."""

from __future__ import annotations

from sqlalchemy import or_, update
from sqlmodel import Session, col

from core.time_zones import TimeZoneSource, ZoneGuess, infer_lead_time_zone
from store.crm import Account, Lead

INFERRED = frozenset({TimeZoneSource.CITY, TimeZoneSource.COUNTRY, TimeZoneSource.ACCOUNT})
"""Sources the agent found itself: the only zones it replaces."""


def may_infer(lead: Lead) -> bool:
    """Whether the lead's zone is the agent's to find: none yet, or inferred before (a zone
    from the CRM, or one a person set, which has no source, is kept)."""
    return lead.time_zone is None or lead.time_zone_source in INFERRED


def settle_time_zone(lead: Lead, account: Account | None) -> ZoneGuess | None:
    """Infer the lead's zone where it may be inferred and write it on `lead` (not stored);
    the guess applied, or None when the lead keeps its zone."""
    if not may_infer(lead):
        return None
    guess = infer_lead_time_zone(
        lead.city,
        lead.country,
        account.city if account is not None else None,
        account.country if account is not None else None,
    )
    if guess is None:
        return None
    lead.time_zone, lead.time_zone_source = guess.zone, guess.source
    lead.time_zone_certain = guess.certain
    return guess


def record_time_zone(session: Session, lead_id: str, guess: ZoneGuess) -> bool:
    """Store an inferred zone, unless the CRM or a person has set one meanwhile (checked in
    the same statement); whether it was stored. Commits."""
    done = session.exec(  # type: ignore[call-overload]
        update(Lead)
        .where(
            col(Lead.id) == lead_id,
            or_(
                col(Lead.time_zone).is_(None),
                col(Lead.time_zone_source).in_(sorted(INFERRED)),
            ),
        )
        .values(
            time_zone=guess.zone, time_zone_source=guess.source, time_zone_certain=guess.certain
        )
    )
    session.commit()
    return bool(done.rowcount)
