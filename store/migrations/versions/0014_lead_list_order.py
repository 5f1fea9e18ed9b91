"""The console's lead list: an index on lead (status, created_on, id), so a status's newest
leads come from the index in order and a deep page skips index entries rather than
sorting every lead; and one on leadinsight (fit_level, lead_id), so the fit filter starts
from the leads at that fit (measured by benchmarks/console_pages_benchmark.py)."""

from __future__ import annotations

from alembic import op

from store.migrations.checks import has_index

revision: str = "0014_lead_list_order"
down_revision: str | None = "0013_console_jobs"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    if not has_index("lead", "ix_lead_list_order"):
        op.create_index("ix_lead_list_order", "lead", ["status", "created_on", "id"])
    if not has_index("leadinsight", "ix_leadinsight_fit_level"):
        op.create_index("ix_leadinsight_fit_level", "leadinsight", ["fit_level", "lead_id"])


def downgrade() -> None:
    op.drop_index("ix_leadinsight_fit_level", table_name="leadinsight")
    op.drop_index("ix_lead_list_order", table_name="lead")
