"""What a revision asks of the database before changing it: a home that an older release
patched on open (nullable columns, declared indexes) may have the change already."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


def has_column(table: str, column: str) -> bool:
    """True when `table` already has `column`."""
    return column in {c["name"] for c in sa.inspect(op.get_bind()).get_columns(table)}


def has_table(table: str) -> bool:
    """True when the database already has `table`."""
    return sa.inspect(op.get_bind()).has_table(table)
