"""Alembic's environment: the models' metadata, on the connection the caller passes
(store.schema_migrations) or, failing that, on `sqlalchemy.url`."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine
from sqlalchemy.engine import Connection
from sqlalchemy.pool import NullPool

from store.schema_migrations import target_metadata

config = context.config


def _ours(name: str | None, type_: str, _parent: object) -> bool:
    # The same database may hold the checkpoint and task-queue tables: not ours to diff.
    return type_ != "table" or name in target_metadata.tables


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        include_name=_ours,
        # SQLite alters a table by copying it; batch mode does that where ALTER cannot.
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:
    engine = create_engine(config.get_main_option("sqlalchemy.url") or "", poolclass=NullPool)
    with engine.connect() as opened:
        _run(opened)
