"""The node-run table keeps each step's full trace (`noderun.step`, JSON): a thread's
state keeps only the ids of its rows.

Everything that changed in the tables from the baseline (git f09fa4d) to this release;
no index changed. Homes opened by a release in between already have the column (it added
nullable columns on open), so it is added only where missing.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from store.migrations.checks import has_column

revision: str = "0002_noderun_step"
down_revision: str | None = "0001_baseline"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    if not has_column("noderun", "step"):
        with op.batch_alter_table("noderun") as batch:
            batch.add_column(sa.Column("step", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("noderun") as batch:
        batch.drop_column("step")
