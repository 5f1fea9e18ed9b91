"""What a revision asks of the database before changing it: a home that an older release
patched on open (nullable columns, declared indexes) may have the change already."""

from __future__ import annotations

import warnings

import sqlalchemy as sa
from alembic import op


def has_column(table: str, column: str) -> bool:
    """True when `table` already has `column`."""
    return column in {c["name"] for c in sa.inspect(op.get_bind()).get_columns(table)}


def has_table(table: str) -> bool:
    """True when the database already has `table`."""
    return sa.inspect(op.get_bind()).has_table(table)


def has_index(table: str, index: str) -> bool:
    """True when `table` already has an index named `index`."""
    with warnings.catch_warnings():
        # SQLite's expression indexes (lower(email)) are not reflected, and say so.
        warnings.filterwarnings("ignore", "Skipped unsupported reflection", sa.exc.SAWarning)
        indexes = sa.inspect(op.get_bind()).get_indexes(table)
    return index in {i["name"] for i in indexes}
