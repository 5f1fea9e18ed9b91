"""The node-run table counts each step's model calls (`noderun.llm_calls`), so the monitor
reports calls per lead per graph without reading every step's trace.

Rows written before keep their count in the step's trace: it is filled from there.
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import op

from store.migrations.checks import has_column

revision: str = "0003_noderun_llm_calls"
down_revision: str | None = "0002_noderun_step"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    if has_column("noderun", "llm_calls"):
        return
    with op.batch_alter_table("noderun") as batch:
        batch.add_column(sa.Column("llm_calls", sa.Integer(), nullable=False, server_default="0"))
    connection = op.get_bind()
    rows = connection.execute(sa.text("SELECT id, step FROM noderun WHERE step IS NOT NULL")).all()
    for run_id, step in rows:
        trace = json.loads(step) if isinstance(step, str) else step
        calls = len((trace or {}).get("llm_calls") or [])
        if calls:
            connection.execute(
                sa.text("UPDATE noderun SET llm_calls = :calls WHERE id = :id"),
                {"calls": calls, "id": run_id},
            )


def downgrade() -> None:
    with op.batch_alter_table("noderun") as batch:
        batch.drop_column("llm_calls")
