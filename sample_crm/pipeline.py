"""The sample's sales pipeline and history: opportunities on accounts, and the emails and
meetings between the vendor's users and contacts or leads (who-knows-whom has answers)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

import sample_crm.names as vocab
from core.clock import as_utc
from sample_crm.companies import Company
from sample_crm.draws import Draws
from store.crm import (
    Activity,
    ActivityParticipant,
    ActivityType,
    Lead,
    LeadStatus,
    Opportunity,
    OpportunityState,
    SecurityRole,
    User,
)


def build_opportunities(
    draws: Draws, companies: Sequence[Company], leads: Sequence[Lead]
) -> list[Opportunity]:
    """One to three opportunities on half the accounts; some open ones come from a lead."""
    r = draws.rng
    open_leads: dict[str, list[Lead]] = {}
    by_name = {n: c for c in companies for n in (c.name, c.short_name)}
    for lead in leads:
        c = by_name.get(lead.company_name or "")
        if c and c.account_id and lead.status is LeadStatus.OPEN:
            open_leads.setdefault(c.account_id, []).append(lead)
    accounts = [c for c in companies if c.account_id]
    rows: list[Opportunity] = []
    for c in r.sample(accounts, len(accounts) // 2):
        for _ in range(r.choices((1, 2, 3), weights=(60, 30, 10))[0]):
            state = r.choices(list(OpportunityState), weights=(65, 20, 15))[0]
            is_open = state is OpportunityState.OPEN
            close_shift = r.uniform(10, 150) if is_open else -r.uniform(5, 200)
            origin = None
            if is_open and open_leads.get(c.account_id or "") and r.random() < 0.25:
                origin = r.choice(open_leads[c.account_id or ""]).id
            rows.append(
                Opportunity(
                    id=f"OPP-{len(rows) + 1:04d}",
                    name=f"{c.short_name} – {r.choice(vocab.OPPORTUNITY_NAMES)}",
                    account_id=c.account_id,
                    contact_id=(
                        r.choice(c.contacts).id if c.contacts and r.random() < 0.7 else None
                    ),
                    originating_lead_id=origin,
                    stage=r.choice(("Qualify", "Develop", "Propose")) if is_open else "Close",
                    estimated_value=float(round(r.uniform(10_000, 900_000), -3)),
                    state=state,
                    owner_id=c.owner_id,
                    estimated_close_date=draws.now + timedelta(days=close_shift),
                    created_on=draws.now - timedelta(days=r.uniform(20, 400)),
                )
            )
    return rows


def build_activities(
    draws: Draws,
    companies: Sequence[Company],
    leads: Sequence[Lead],
    users: Sequence[User],
    sellers: Sequence[str],
) -> tuple[list[Activity], list[ActivityParticipant]]:
    """Emails and meetings with contacts and leads, so that who-knows-whom has answers."""
    r = draws.rng
    acts: list[Activity] = []
    parts: list[ActivityParticipant] = []
    coworkers = [u.id for u in users if u.security_role is not SecurityRole.ADMIN]
    horizon = draws.now - timedelta(days=180)

    def add(
        internal: list[str], external: list[str], when: datetime, subject: str,
        account_id: str | None, lead_id: str | None,
    ) -> None:  # fmt: skip
        kind = ActivityType.EMAIL if r.random() < 0.7 else ActivityType.MEETING
        act = Activity(
            id=f"ACT-{len(acts) + 1:05d}",
            activity_type=kind,
            subject=subject,
            occurred_on=when,
            owner_id=internal[0],
            regarding_account_id=account_id,
            regarding_lead_id=lead_id,
        )
        acts.append(act)
        inbound = kind is ActivityType.EMAIL and r.random() < 0.4
        for j, user_id in enumerate(internal):
            if kind is ActivityType.MEETING:
                role = "organizer" if j == 0 else "attendee"
            else:
                role = ("to" if inbound else "from") if j == 0 else "cc"
            parts.append(
                ActivityParticipant(
                    activity_id=act.id, user_id=user_id, role=role, is_internal=True
                )
            )
        for j, email in enumerate(external):
            if kind is ActivityType.MEETING:
                role = "attendee"
            elif j == 0:
                role = "from" if inbound else "to"
            else:
                role = "cc"
            parts.append(
                ActivityParticipant(activity_id=act.id, email=email, role=role, is_internal=False)
            )

    def subject(topic: str) -> str:
        return r.choice(vocab.ACTIVITY_SUBJECTS).format(topic=topic, event=r.choice(vocab.EVENTS))

    for c in companies:
        with_email = [k for k in c.contacts if k.email]
        if not with_email or r.random() > 0.55:
            continue
        for _ in range(r.randint(1, 5)):
            internal = [c.owner_id or r.choice(sellers)]
            if r.random() < 0.3:
                extra = r.choice(coworkers)
                if extra not in internal:
                    internal.append(extra)
            external = [
                k.email for k in r.sample(with_email, min(len(with_email), r.randint(1, 2)))
            ]
            when = horizon + timedelta(seconds=r.uniform(0, 180 * 86400))
            add(internal, external, when, subject(r.choice(vocab.TOPICS)), c.account_id, None)  # type: ignore[arg-type]

    by_name = {n: c for c in companies for n in (c.name, c.short_name)}
    for lead in leads:
        if not lead.email or "@" not in lead.email or r.random() > 0.45:
            continue
        c = by_name.get(lead.company_name or "")
        account_id = c.account_id if c else None
        start = max(horizon, as_utc(lead.created_on) - timedelta(days=30))
        span = (draws.now - start).total_seconds()
        people = r.sample(coworkers, r.choices((1, 2, 3), weights=(50, 35, 15))[0])
        if lead.owner_id and lead.owner_id not in people and r.random() < 0.5:
            people[0] = lead.owner_id
        for user_id in people:
            for _ in range(r.randint(1, 3)):
                when = start + timedelta(seconds=r.uniform(0, span))
                add([user_id], [lead.email], when, subject(lead.topic), account_id, lead.id)
    return acts, parts
