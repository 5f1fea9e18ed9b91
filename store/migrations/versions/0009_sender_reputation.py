"""Sender reputation: mailbox pauses (the bounce breaker) and company-wide stops."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from store.migrations.checks import has_table

revision: str = "0009_sender_reputation"
down_revision: str | None = "0008_email_review"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    if not has_table("mailboxpause"):
        op.create_table(
            "mailboxpause",
            sa.Column("id", sa.Integer(), primary_key=True),
            sa.Column("mailbox", sa.String(), nullable=False),
            sa.Column("reason", sa.String(), nullable=False),
            sa.Column("paused_on", sa.DateTime(timezone=True), nullable=False),
            sa.Column("resumed_on", sa.DateTime(timezone=True), nullable=True),
            sa.Column("resumed_by", sa.String(), nullable=True),
        )
        op.create_index("ix_mailboxpause_mailbox", "mailboxpause", ["mailbox"])
    if not has_table("companystop"):
        op.create_table(
            "companystop",
            sa.Column("id", sa.Integer(), primary_key=True),
            sa.Column("account_id", sa.String(), nullable=True),
            sa.Column("domain", sa.String(), nullable=True),
            sa.Column("lead_id", sa.String(), nullable=False),
            sa.Column("reason", sa.String(), nullable=False),
            sa.Column("created_on", sa.DateTime(timezone=True), nullable=False),
        )
        op.create_index("ix_companystop_account_id", "companystop", ["account_id"])
        op.create_index("ix_companystop_domain", "companystop", ["domain"])


def downgrade() -> None:
    op.drop_index("ix_companystop_domain", table_name="companystop")
    op.drop_index("ix_companystop_account_id", table_name="companystop")
    op.drop_table("companystop")
    op.drop_index("ix_mailboxpause_mailbox", table_name="mailboxpause")
    op.drop_table("mailboxpause")
