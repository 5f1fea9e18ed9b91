"""Web console accounts (role, argon2 password hash, CRM user) and their sessions."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from store.migrations.checks import has_table

revision: str = "0012_console_accounts"
down_revision: str | None = "0011_research_request"
branch_labels: str | None = None
depends_on: str | None = None

_ROLE = sa.Enum("SELLER", "SUPERVISOR", "ADMIN", "EVALUATOR", name="consolerole")


def upgrade() -> None:
    if has_table("consoleaccount"):
        return
    op.create_table(
        "consoleaccount",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("login", sa.String(), nullable=False),
        sa.Column("full_name", sa.String(), nullable=False),
        sa.Column("role", _ROLE, nullable=False),
        sa.Column("user_id", sa.String(), sa.ForeignKey("user.id"), nullable=True),
        sa.Column("password_hash", sa.String(), nullable=False),
        sa.Column("disabled", sa.Boolean(), nullable=False),
        sa.Column("created_on", sa.DateTime(timezone=True), nullable=False),
        sa.Column("password_changed_on", sa.DateTime(timezone=True), nullable=False),
        sa.Column("failed_sign_ins", sa.Integer(), nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_consoleaccount_login", "consoleaccount", ["login"], unique=True)
    op.create_table(
        "consolesession",
        sa.Column("token_hash", sa.String(), primary_key=True),
        sa.Column("account_id", sa.Integer(), sa.ForeignKey("consoleaccount.id"), nullable=False),
        sa.Column("csrf_token", sa.String(), nullable=False),
        sa.Column("created_on", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_on", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_consolesession_account_id", "consolesession", ["account_id"])


def downgrade() -> None:
    op.drop_index("ix_consolesession_account_id", table_name="consolesession")
    op.drop_table("consolesession")
    op.drop_index("ix_consoleaccount_login", table_name="consoleaccount")
    op.drop_table("consoleaccount")
    _ROLE.drop(op.get_bind(), checkfirst=True)
