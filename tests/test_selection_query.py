"""The selection rules in SQL pick exactly the leads `check_eligibility` picks, and count
the same leaves-out, on generated leads under generated rule sets (issue 14, item 4)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.pool import StaticPool
from sqlmodel import Session, SQLModel, create_engine

from graphs.research.selection import SelectionRules, check_eligibility, left_out_counts
from graphs.research.selection_query import eligible_page, selection_counts
from store.crm import Lead, LeadStatus, SecurityRole, User

NOW = datetime(2026, 12, 6, 12, tzinfo=UTC)
USERS = [
    User(id=f"USR-{n}", full_name=name, email=f"{n}@x.example", security_role=role)
    for n, name, role in [
        (1, "Ana Seller", SecurityRole.SELLER),
        (2, "Bo Manager", SecurityRole.SALES_MANAGER),
        (3, "Cy Admin", SecurityRole.ADMIN),
    ]
]
TEXT = st.sampled_from([None, "", " ", "\t\n", "x@y.example", "Contoso", " Fabrikam "])
SOURCES = st.sampled_from([None, "", "Web", "web ", "Partner", "PARTNER", "Événement", "événement"])

leads = st.lists(
    st.builds(
        dict,
        email=TEXT,
        company_name=TEXT,
        source=SOURCES,
        status=st.sampled_from(list(LeadStatus)),
        owner_id=st.sampled_from([None, "USR-1", "USR-2", "USR-3", "USR-404"]),
        age_hours=st.integers(min_value=0, max_value=24 * 40),
    ),
    max_size=30,
)
rule_sets = st.builds(
    SelectionRules,
    statuses=st.lists(st.sampled_from([s.value for s in LeadStatus]), min_size=1, unique=True),
    max_age_days=st.one_of(st.none(), st.integers(min_value=1, max_value=30)),
    allowed_roles=st.lists(
        st.sampled_from([r.value for r in SecurityRole]), min_size=1, unique=True
    ),
    require_email=st.booleans(),
    require_company=st.booleans(),
    excluded_sources=st.lists(st.sampled_from(["partner", "Événement", "Web", "Fair"]), max_size=2),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(leads=leads, rules=rule_sets)
def test_sql_selection_picks_what_the_rules_pick(leads: list[dict], rules: SelectionRules) -> None:
    engine = create_engine("sqlite://", poolclass=StaticPool)
    SQLModel.metadata.create_all(engine)
    rows = [
        Lead(
            id=f"LEAD-{n:03d}",
            topic="t",
            first_name="Lee",
            created_on=NOW - timedelta(hours=lead.pop("age_hours")),
            **lead,
        )
        for n, lead in enumerate(leads)
    ]
    roles = {user.id: user.security_role for user in USERS}
    with Session(engine) as session:
        session.add_all([User.model_validate(user.model_dump()) for user in USERS])
        session.add_all(rows)
        session.commit()
        expected = {
            lead.id
            for lead in rows
            if check_eligibility(lead, roles.get(lead.owner_id or ""), NOW, rules).eligible
        }
        picked = [row.lead.id for row in eligible_page(session, rules, NOW)]
        total, eligible, left_out = selection_counts(session, rules, NOW)
    assert sorted(picked) == sorted(expected) and len(picked) == len(set(picked))
    assert (total, eligible) == (len(rows), len(expected))
    assert left_out == left_out_counts(rows, roles, NOW, rules)


def test_pages_follow_each_other_newest_first(sample_crm) -> None:  # type: ignore[no-untyped-def]
    from store.db import get_db_engine

    rules = SelectionRules(max_age_days=None)
    with Session(get_db_engine(sample_crm.database_url)) as session:
        everyone = [row.lead.id for row in eligible_page(session, rules, NOW)]
        pages = [
            [row.lead.id for row in eligible_page(session, rules, NOW, limit=7, offset=start)]
            for start in range(0, len(everyone), 7)
        ]
        owner = next(row.lead.owner_id for row in eligible_page(session, rules, NOW, limit=1))
        mine = eligible_page(session, rules, NOW, owner_id=owner)
        _, eligible_of_owner, _ = selection_counts(session, rules, NOW, owner_id=owner)
    assert len(everyone) > 20 and [i for page in pages for i in page] == everyone
    assert mine and all(row.lead.owner_id == owner for row in mine)
    assert eligible_of_owner == len(mine)
