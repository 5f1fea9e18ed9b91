"""Hand-offs reach a person: teams of sellers, users marked away, each round robin's
cursor, and a hand-off's escalation (from whom, when)."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from store.migrations.checks import has_column, has_table

revision: str = "0010_handoff_routing"
down_revision: str | None = "0009_sender_reputation"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    if not has_table("sellerteam"):
        op.create_table(
            "sellerteam",
            sa.Column("name", sa.String(), primary_key=True),
            sa.Column("created_on", sa.DateTime(timezone=True), nullable=False),
        )
    if not has_table("teammember"):
        op.create_table(
            "teammember",
            sa.Column("team_name", sa.String(), sa.ForeignKey("sellerteam.name"), primary_key=True),
            sa.Column("user_id", sa.String(), sa.ForeignKey("user.id"), primary_key=True),
        )
    if not has_table("useraway"):
        op.create_table(
            "useraway",
            sa.Column("user_id", sa.String(), sa.ForeignKey("user.id"), primary_key=True),
            sa.Column("since", sa.DateTime(timezone=True), nullable=False),
            sa.Column("away_until", sa.DateTime(timezone=True), nullable=True),
        )
    if not has_table("rotationcursor"):
        op.create_table(
            "rotationcursor",
            sa.Column("rotation", sa.String(), primary_key=True),
            sa.Column("last_user_id", sa.String(), nullable=True),
            sa.Column("turns", sa.Integer(), nullable=False),
            sa.Column("updated_on", sa.DateTime(timezone=True), nullable=False),
        )
    # A plain ADD COLUMN (a batch copy on SQLite would rebuild the table and its indexes).
    if not has_column("handoff", "escalated_from"):
        op.add_column("handoff", sa.Column("escalated_from", sa.String(), nullable=True))
    if not has_column("handoff", "escalated_on"):
        op.add_column(
            "handoff", sa.Column("escalated_on", sa.DateTime(timezone=True), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("handoff") as batch:
        batch.drop_column("escalated_on")
        batch.drop_column("escalated_from")
    op.drop_table("rotationcursor")
    op.drop_table("useraway")
    op.drop_table("teammember")
    op.drop_table("sellerteam")
