"""Research requests: leads to research again because something they depend on changed
(a new lead, an email corrected to valid, an account connected or filled in)."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from store.migrations.checks import has_table

revision: str = "0011_research_request"
down_revision: str | None = "0010_handoff_routing"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    if has_table("researchrequest"):
        return
    op.create_table(
        "researchrequest",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("lead_id", sa.String(), sa.ForeignKey("lead.id"), nullable=False),
        sa.Column("reasons", sa.String(), nullable=False),
        sa.Column("account_changed", sa.Boolean(), nullable=False),
        sa.Column("created_on", sa.DateTime(timezone=True), nullable=False),
        sa.Column("requested_on", sa.DateTime(timezone=True), nullable=False),
        sa.Column("done_on", sa.DateTime(timezone=True), nullable=True),
        sa.Column("outcome", sa.String(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.String(), nullable=True),
    )
    op.create_index("ix_researchrequest_lead_id", "researchrequest", ["lead_id"])
    op.create_index("ix_researchrequest_done_on", "researchrequest", ["done_on"])


def downgrade() -> None:
    op.drop_index("ix_researchrequest_done_on", table_name="researchrequest")
    op.drop_index("ix_researchrequest_lead_id", table_name="researchrequest")
    op.drop_table("researchrequest")
