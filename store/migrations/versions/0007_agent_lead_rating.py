"""The agent's rating of each lead (hot, warm, cold) with its reasons, beside the ICP fit."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from store.migrations.checks import has_table

revision: str = "0007_agent_lead_rating"
down_revision: str | None = "0006_seller_notice"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    if has_table("agentleadrating"):
        return
    op.create_table(
        "agentleadrating",
        sa.Column("lead_id", sa.String(), sa.ForeignKey("lead.id"), primary_key=True),
        sa.Column("level", sa.String(), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("rated_on", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.Column("components", sa.JSON(), nullable=False),
        sa.Column("signals", sa.JSON(), nullable=False),
        sa.Column("latest_interest", sa.String(), nullable=True),
        sa.Column("latest_intent", sa.String(), nullable=True),
    )
    op.create_index("ix_agentleadrating_level", "agentleadrating", ["level"])


def downgrade() -> None:
    op.drop_index("ix_agentleadrating_level", table_name="agentleadrating")
    op.drop_table("agentleadrating")
