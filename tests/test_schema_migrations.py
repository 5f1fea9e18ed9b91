"""Schema changes ship as Alembic migrations, tested from the previous release's schema
(revision 0001_baseline, git f09fa4d) on SQLite and PostgreSQL."""

from __future__ import annotations

import subprocess
import sys
import threading
import uuid
import warnings
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import JSON, DateTime, bindparam, create_engine, inspect, text
from sqlalchemy.engine import Engine
from sqlalchemy.pool import NullPool
from sqlalchemy.sql.elements import BindParameter
from sqlmodel import Session, select
from typer.testing import CliRunner

import store.db
from app.cli.main import app, main
from core.settings import get_settings
from core.time_zones import TimeZoneSource
from store.agent_records import AgentSetting
from store.crm import Lead, LeadStatus
from store.db import _engine_for, get_db_engine
from store.engagement import DeliveryStatus, Direction, EmailMessage
from store.node_runs import NodeRun
from store.schema_migrations import (
    BASELINE,
    SchemaError,
    alembic_config,
    head_revision,
    known_revisions,
    prepare_schema,
    stored_revision,
    target_metadata,
    upgrade_database,
)

NOW = datetime(2025, 3, 4, 5, 6, 7, tzinfo=UTC)


_opened: list[Engine] = []


@pytest.fixture(autouse=True)
def _fresh_engines() -> Iterator[None]:
    """Each test opens its databases anew: engines are cached per URL."""
    _engine_for.cache_clear()
    yield
    while _opened:
        _opened.pop().dispose()
    _engine_for.cache_clear()


def _open(url: str) -> Engine:
    """`get_db_engine`, its engine disposed after the test."""
    engine = get_db_engine(url)
    _opened.append(engine)
    return engine


@pytest.fixture
def pg_url(postgres_url: str) -> Iterator[str]:
    """A fresh schema of the session's PostgreSQL database, first on the search path."""
    schema = f"s_{uuid.uuid4().hex[:10]}"
    admin = create_engine(postgres_url.replace("postgresql://", "postgresql+psycopg://"))
    with admin.begin() as connection:
        connection.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    base = postgres_url.replace("postgresql://", "postgresql+psycopg://")
    yield f"{base}?options=-csearch_path%3D{schema}"
    with admin.begin() as connection:
        connection.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
    admin.dispose()


@pytest.fixture(params=["sqlite", "postgres"])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database on each backend."""
    if request.param == "postgres":
        return request.getfixturevalue("pg_url")
    return f"sqlite:///{tmp_path / 'crm.db'}"


def _migrate(url: str, revision: str, *, down: bool = False) -> None:
    """Upgrade (or downgrade) the database at `url` to `revision` by migrations alone."""
    engine = create_engine(url, poolclass=NullPool)
    with engine.begin() as connection:
        config = alembic_config(connection=connection)
        (command.downgrade if down else command.upgrade)(config, revision)
    engine.dispose()


def _differences(url: str) -> list[Any]:
    """What autogenerate would change to make the database match the models."""
    engine = create_engine(url, poolclass=NullPool)
    with engine.connect() as connection, warnings.catch_warnings():
        # SQLite cannot reflect the lower(email) indexes; _index_names checks those.
        warnings.filterwarnings("ignore", "autogenerate skipping metadata-specified expression")
        warnings.filterwarnings("ignore", "Skipped unsupported reflection of expression-based")
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        found = compare_metadata(context, target_metadata)
    engine.dispose()
    return found


def _index_names(url: str) -> set[str]:
    engine = create_engine(url, poolclass=NullPool)
    with engine.connect() as connection:
        if engine.dialect.name == "sqlite":  # its reflection skips expression indexes
            query = "SELECT name FROM sqlite_master WHERE type = 'index'"
            names = set(connection.exec_driver_sql(query).scalars().all())
        else:
            found = inspect(connection)
            names = {i["name"] for t in found.get_table_names() for i in found.get_indexes(t)}
    engine.dispose()
    return {name for name in names if name}


def _revision(url: str) -> str | None:
    engine = create_engine(url, poolclass=NullPool)
    with engine.connect() as connection:
        revision = stored_revision(connection)
    engine.dispose()
    return revision


def _now() -> BindParameter[datetime]:
    # Typed as the column is, so each backend stores it as its own create_all would.
    return bindparam("now", NOW, type_=DateTime(timezone=True))


def _insert_previous_release_rows(url: str) -> None:
    """Rows as the previous release wrote them: its columns only (no noderun.step)."""
    engine = create_engine(url, poolclass=NullPool)
    with engine.begin() as connection:
        connection.execute(
            text(
                'INSERT INTO "user" (id, full_name, email, security_role) '
                "VALUES ('USR-01', 'Sam Seller', 'sam@northwind.example', 'SELLER')"
            )
        )
        connection.execute(
            text(
                "INSERT INTO lead (id, topic, email, rating, status, created_on, owner_id, "
                "do_not_email, do_not_contact) VALUES ('LEAD-1', 'Pilot', 'Dana@Contoso.example', "
                "'WARM', 'OPEN', :now, 'USR-01', false, false)"
            ).bindparams(_now()),
        )
        connection.execute(
            text(
                "INSERT INTO noderun (thread_id, lead_id, node, started_at, duration_ms, "
                "tokens_in, tokens_out, outcome, replay) "
                "VALUES ('t-1', 'LEAD-1', 'research', :now, 12.5, 3, 4, 'ok', false)"
            ).bindparams(_now()),
        )
    engine.dispose()


def _check_rows_intact(url: str) -> None:
    with Session(_open(url)) as session:
        lead = session.get(Lead, "LEAD-1")
        assert lead is not None and lead.status == LeadStatus.OPEN and lead.owner_id == "USR-01"
        assert lead.created_on == NOW
        run = session.exec(select(NodeRun).where(NodeRun.thread_id == "t-1")).one()
        assert (run.node, run.duration_ms, run.tokens_out, run.step) == ("research", 12.5, 4, None)
        run.step = {"node": "research", "calls": [1, 2]}  # the new column takes a trace
        session.add(run)
        session.commit()
        session.refresh(run)
        assert run.step == {"node": "research", "calls": [1, 2]}


def test_previous_release_rows_survive_the_upgrade(url: str) -> None:
    _migrate(url, BASELINE)
    _insert_previous_release_rows(url)

    assert upgrade_database(url) == (BASELINE, head_revision())
    assert upgrade_database(url) == (head_revision(), head_revision())  # a second run: no-op

    _check_rows_intact(url)
    assert _differences(url) == []


def test_model_calls_are_counted_from_the_traces_already_stored(url: str) -> None:
    """0003 adds noderun.llm_calls and fills it from each stored step's trace."""
    _migrate(url, "0002_noderun_step")
    _insert_previous_release_rows(url)
    engine = create_engine(url, poolclass=NullPool)
    with engine.begin() as connection:
        trace = {"node": "researcher", "llm_calls": [{"model": "m"}, {"model": "m"}]}
        step = bindparam("step", value=trace, type_=JSON)
        connection.execute(
            text("UPDATE noderun SET step = :step WHERE thread_id = 't-1'").bindparams(step)
        )
    engine.dispose()
    assert upgrade_database(url) == ("0002_noderun_step", head_revision())
    with Session(_open(url)) as session:
        run = session.exec(select(NodeRun).where(NodeRun.thread_id == "t-1")).one()
        assert run.llm_calls == 2
    assert _differences(url) == []


def test_lead_time_zones_gain_a_source_and_keep_their_zone(url: str) -> None:
    """0004 adds lead.time_zone_source and lead.time_zone_certain; a zone stored before
    stays, with no source (set by a person: never replaced by an inferred one)."""
    _migrate(url, "0003_noderun_llm_calls")
    _insert_previous_release_rows(url)
    engine = create_engine(url, poolclass=NullPool)
    with engine.begin() as connection:
        connection.execute(text("UPDATE lead SET time_zone = 'Europe/Paris' WHERE id = 'LEAD-1'"))
    engine.dispose()

    assert upgrade_database(url) == ("0003_noderun_llm_calls", head_revision())

    with Session(_open(url)) as session:
        lead = session.get(Lead, "LEAD-1")
        assert lead is not None
        assert (lead.time_zone, lead.time_zone_source, lead.time_zone_certain) == (
            "Europe/Paris",
            None,
            True,
        )
        lead.time_zone, lead.time_zone_source = "America/Chicago", TimeZoneSource.CITY
        lead.time_zone_certain = False
        session.add(lead)
        session.commit()
    with _open(url).connect() as connection:
        stored = connection.exec_driver_sql(
            "SELECT time_zone_source, time_zone_certain FROM lead WHERE id = 'LEAD-1'"
        ).one()
    assert (stored[0], bool(stored[1])) == ("CITY", False)  # the enum's name, as elsewhere
    assert _differences(url) == []


def test_emails_may_be_held_and_cancelled_in_review(url: str) -> None:
    """0008 adds the statuses `held` and `cancelled` (PostgreSQL keeps enum names in its own
    type) and the review columns; an email stored before has none of them set."""
    _migrate(url, "0006_seller_notice")
    _insert_previous_release_rows(url)
    assert upgrade_database(url) == ("0006_seller_notice", head_revision())
    with Session(_open(url)) as session:
        for number, status in enumerate((DeliveryStatus.HELD, DeliveryStatus.CANCELLED)):
            session.add(
                EmailMessage(
                    message_id=f"<m{number}@northwind.example>",
                    idempotency_key=f"t:{number}",
                    lead_id="LEAD-1",
                    direction=Direction.OUTBOUND,
                    status=status,
                    from_address="alex@northwind.example",
                    to_address="lead@contoso.example",
                    subject="Hello",
                    body="Hi",
                    approved_by="USR-1",
                    approved_on=NOW,
                    review_history=[{"action": "held", "by": None, "on": NOW.isoformat()}],
                )
            )
        session.commit()
    with Session(_open(url)) as session:
        rows = session.exec(select(EmailMessage).order_by(EmailMessage.id)).all()  # type: ignore[arg-type]
        assert [row.status for row in rows] == [DeliveryStatus.HELD, DeliveryStatus.CANCELLED]
        assert rows[0].review_history == [{"action": "held", "by": None, "on": NOW.isoformat()}]
    assert _differences(url) == []


def test_an_admins_stored_assignment_keeps_sending_on_its_own(url: str) -> None:
    """0008: a rule without `sending` now holds its emails; the admin's rule stored before
    review existed sent automatically, and keeps doing so."""
    _migrate(url, "0007_agent_lead_rating")
    engine = create_engine(url, poolclass=NullPool)
    stored = {"assignment": {"min_fit": "exact"}, "mailboxes": ["sam@fleetline.example"]}
    with engine.begin() as connection:
        value = bindparam("value", value=stored, type_=JSON)
        connection.execute(
            text(
                "INSERT INTO agentsetting (name, updated_on, value) VALUES ('engage', :now, :value)"
            ).bindparams(value, _now())
        )
    engine.dispose()
    assert upgrade_database(url) == ("0007_agent_lead_rating", head_revision())
    with Session(_open(url)) as session:
        row = session.get(AgentSetting, "engage")
        assert row is not None
        assert row.value["assignment"] == {"min_fit": "exact", "sending": "auto"}
        assert row.value["mailboxes"] == ["sam@fleetline.example"]


def test_migrations_alone_build_the_models_schema(url: str) -> None:
    """Fails when a model changes without a migration: head, reached by migrations only
    (not create_all), matches the models."""
    _migrate(url, "head")
    assert _differences(url) == []
    assert {"ix_lead_email_lower", "ix_contact_email_lower", "ix_user_email_lower"} <= (
        _index_names(url)
    )
    _migrate(url, "base", down=True)  # and every revision's downgrade runs
    engine = create_engine(url, poolclass=NullPool)
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    engine.dispose()


def test_an_empty_database_is_created_at_head_on_open(url: str) -> None:
    _open(url)
    assert _revision(url) == head_revision()
    assert _differences(url) == []


@pytest.mark.parametrize("patched", [False, True], ids=["as-created", "patched-on-open"])
def test_an_unversioned_database_is_stamped_and_upgraded_on_open(url: str, patched: bool) -> None:
    """A database made by a release before migrations: its create_all, and (patched) the
    columns that release's `_add_new_columns` added on open."""
    _migrate(url, BASELINE)
    _insert_previous_release_rows(url)
    engine = create_engine(url, poolclass=NullPool)
    with engine.begin() as connection:
        connection.exec_driver_sql("DROP TABLE alembic_version")
        if patched:
            connection.exec_driver_sql("ALTER TABLE noderun ADD COLUMN step JSON")
    engine.dispose()

    _open(url)

    assert _revision(url) == head_revision()
    _check_rows_intact(url)
    assert _differences(url) == []


def test_sqlite_behind_head_is_upgraded_on_open(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'crm.db'}"
    _migrate(url, BASELINE)
    _insert_previous_release_rows(url)
    _open(url)
    assert _revision(url) == head_revision()
    _check_rows_intact(url)


def test_a_read_only_older_home_opens_without_writing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite:///{tmp_path / 'crm.db'}"
    _migrate(url, BASELINE)
    _insert_previous_release_rows(url)
    before = (tmp_path / "crm.db").read_bytes()
    # The tests run as root, whom file modes do not stop; the read-only path is what counts.
    monkeypatch.setattr(store.db, "is_read_only", lambda _path: True)

    with _open(url).connect() as connection:
        assert connection.exec_driver_sql("SELECT status FROM lead").scalar() == "OPEN"

    assert (tmp_path / "crm.db").read_bytes() == before
    assert _revision(url) == BASELINE


def test_postgres_behind_head_names_the_fix(
    pg_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    url = pg_url.replace("postgres@", "postgres:s3cret@")  # trust auth: any password
    _migrate(url, BASELINE)
    _insert_previous_release_rows(url)

    with pytest.raises(SchemaError) as raised:
        _open(url)
    message = str(raised.value)
    assert message.startswith("the database at postgresql://postgres:***@127.0.0.1:5432/")
    assert "s3cret" not in message
    assert message.endswith(
        f"is at schema revision {BASELINE}; this release needs {head_revision()}: "
        "run qualify db upgrade"
    )
    assert _revision(url) == BASELINE  # nothing changed

    monkeypatch.setenv("QUALIFY_DATABASE_URL", url)
    get_settings.cache_clear()
    monkeypatch.setattr(sys, "argv", ["qualify", "users"])
    with pytest.raises(SystemExit) as exited:
        main()
    assert exited.value.code == 1
    stderr = capsys.readouterr().err
    assert stderr.count("\n") == 1 and "run qualify db upgrade" in stderr and "s3cret" not in stderr

    runner = CliRunner()
    assert "this release needs" in runner.invoke(app, ["db", "current"]).output
    first = runner.invoke(app, ["db", "upgrade"])
    assert first.exit_code == 0, first.output
    assert f"from {BASELINE} to {head_revision()}" in first.output
    second = runner.invoke(app, ["db", "upgrade"])
    assert second.exit_code == 0, second.output
    assert f"already at {head_revision()}" in second.output
    assert runner.invoke(app, ["db", "current"]).output.strip() == f"{head_revision()} (head)"
    _check_rows_intact(url)


def test_db_upgrade_fails_in_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QUALIFY_DATABASE_URL", "postgresql://nobody:pw@127.0.0.1:9/none")
    get_settings.cache_clear()
    result = CliRunner().invoke(app, ["db", "upgrade"])
    assert result.exit_code == 1
    assert result.output.startswith("Error: could not upgrade the database at postgresql://")
    assert result.output.count("\n") == 1 and "pw" not in result.output


def test_processes_opening_an_empty_database_together_do_not_race(url: str) -> None:
    """Separate engines, as separate processes have: one creates and stamps, the others
    find it done (PostgreSQL: the advisory lock; SQLite: the write lock)."""
    engines = [create_engine(url, poolclass=NullPool) for _ in range(4)]
    errors: list[BaseException] = []

    def open_one(engine: Engine) -> None:
        try:
            prepare_schema(engine)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=open_one, args=(engine,)) for engine in engines]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for engine in engines:
        engine.dispose()
    assert errors == []
    engine = create_engine(url, poolclass=NullPool)
    with engine.connect() as connection:
        stamped = connection.exec_driver_sql("SELECT version_num FROM alembic_version").all()
    engine.dispose()
    assert stamped == [(head_revision(),)]


def test_revision_files_are_one_line_named_by_revision() -> None:
    """head_revision() reads file names (no Alembic import on the hot path); they must be
    Alembic's own graph, in order, one line of history."""
    scripts = ScriptDirectory.from_config(alembic_config())
    walked = [script.revision for script in scripts.walk_revisions()]
    assert tuple(reversed(walked)) == known_revisions()
    assert scripts.get_heads() == [head_revision()]
    assert known_revisions()[0] == BASELINE
    for script in scripts.walk_revisions():
        assert Path(script.path).stem == script.revision


def test_opening_a_database_at_head_skips_alembic(tmp_path: Path) -> None:
    """Every command opens the database: at head, that is one query, not Alembic."""
    url = f"sqlite:///{tmp_path / 'crm.db'}"
    _open(url)
    probe = (
        "import sys; from store.db import get_db_engine; "
        f"get_db_engine({url!r}); print('alembic' in sys.modules)"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).parent.parent,
    )
    assert done.stdout.strip() == "False"
