"""Alembic migrations of the CRM and agent-record tables (`qualify db upgrade`).

A schema change is a model change plus a revision here, named `NNNN_what.py` with that
same revision id, written as explicit `op.*` calls that check the inspector before adding
(a home an older release patched may have the column or index already). Draft one with
autogenerate against a database at head, then edit it:

    python -c "from alembic import command; from store.schema_migrations import alembic_config;
    command.revision(alembic_config(url='sqlite:////tmp/head.db'), 'what', autogenerate=True,
    rev_id='0003_what')"
"""
