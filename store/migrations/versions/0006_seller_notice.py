"""Each user's queue of notices (`qualify inbox`): hand-offs made to them and replies from
leads whose conversation they took over."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from store.migrations.checks import has_table

revision: str = "0006_seller_notice"
down_revision: str | None = "0005_handoff_kind_action"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    if has_table("sellernotice"):
        return
    op.create_table(
        "sellernotice",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("key", sa.String(), nullable=False, unique=True),
        sa.Column("user_id", sa.String(), sa.ForeignKey("user.id"), nullable=False),
        sa.Column("lead_id", sa.String(), sa.ForeignKey("lead.id"), nullable=True),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("text", sa.String(), nullable=False),
        sa.Column("handoff_id", sa.Integer(), nullable=True),
        sa.Column("created_on", sa.DateTime(timezone=True), nullable=False),
        sa.Column("read_on", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_sellernotice_user_id", "sellernotice", ["user_id"])


def downgrade() -> None:
    op.drop_index("ix_sellernotice_user_id", table_name="sellernotice")
    op.drop_table("sellernotice")
