"""Hand-offs keep their kind (what the rule asks of the person) and the action taken on
them (accept, fix, follow, approve, reject), so the CLI offers only the actions that fit.

Hand-offs made before have no kind: it is worked out from their rule when they are read.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from store.migrations.checks import has_column

revision: str = "0005_handoff_kind_action"
down_revision: str | None = "0004_lead_time_zone_source"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    # A plain ADD COLUMN (a batch copy on SQLite would rebuild the table and its indexes).
    for name in ("kind", "action"):
        if not has_column("handoff", name):
            op.add_column("handoff", sa.Column(name, sa.String(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("handoff") as batch:
        batch.drop_column("action")
        batch.drop_column("kind")
