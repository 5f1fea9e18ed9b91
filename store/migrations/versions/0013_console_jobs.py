"""The console's background jobs (research batches, eval runs) with their progress."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from store.migrations.checks import has_table

revision: str = "0013_console_jobs"
down_revision: str | None = "0012_console_accounts"
branch_labels: str | None = None
depends_on: str | None = None

_STATE = sa.Enum("QUEUED", "RUNNING", "DONE", "FAILED", name="jobstate")


def upgrade() -> None:
    if has_table("consolejob"):
        return
    op.create_table(
        "consolejob",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("started_by", sa.Integer(), sa.ForeignKey("consoleaccount.id"), nullable=False),
        sa.Column("state", _STATE, nullable=False),
        sa.Column("done", sa.Integer(), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("message", sa.String(), nullable=False),
        sa.Column("result_url", sa.String(), nullable=True),
        sa.Column("error", sa.String(), nullable=True),
        sa.Column("created_on", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_on", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_on", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_consolejob_started_by", "consolejob", ["started_by"])
    op.create_index("ix_consolejob_state", "consolejob", ["state"])


def downgrade() -> None:
    op.drop_index("ix_consolejob_state", table_name="consolejob")
    op.drop_index("ix_consolejob_started_by", table_name="consolejob")
    op.drop_table("consolejob")
    _STATE.drop(op.get_bind(), checkfirst=True)
