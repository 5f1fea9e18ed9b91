"""A lead's time zone says how it was found (`lead.time_zone_source`: crm, city, country
or account) and whether the place was certain (`lead.time_zone_certain`).

Zones stored before have no source: they are taken as set by a person, and never replaced
by an inferred one. A home that a release before migrations made gets the nullable source
column on open (see schema_migrations._adopt_unversioned), so each column is added only
where missing.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from store.migrations.checks import has_column

revision: str = "0004_lead_time_zone_source"
down_revision: str | None = "0003_noderun_llm_calls"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    # Plain ADD COLUMN, not a batch copy of the table: SQLite's copy would lose the
    # lower(email) index, which its reflection cannot see.
    source = sa.Enum(
        "CRM", "CITY", "COUNTRY", "ACCOUNT", name="timezonesource", native_enum=False, length=20
    )
    if not has_column("lead", "time_zone_source"):
        op.add_column("lead", sa.Column("time_zone_source", source, nullable=True))
    if not has_column("lead", "time_zone_certain"):
        op.add_column(
            "lead",
            sa.Column("time_zone_certain", sa.Boolean(), nullable=False, server_default=sa.true()),
        )


def downgrade() -> None:
    # SQLite drops a column in place since 3.35 (Python ships a newer one).
    op.drop_column("lead", "time_zone_certain")
    op.drop_column("lead", "time_zone_source")
