"""Shared fixtures: a sample CRM built once per session, copied per test that writes."""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlmodel import Session, select

from core.settings import get_settings
from graphs.checkpointing import open_checkpointer
from graphs.context import Context
from graphs.research.runner import ResearchRunner
from graphs.services import services_for
from sample_crm.generator import generate_sample_crm
from store.agent_records import LeadInsight
from store.crm import Lead
from store.db import get_db_engine
from tests.openai_compatible_server import OpenAICompatibleServer, running_openai_server
from tools.email_check import check_email

# A fixed "now" would make the 14-day window drift from the wall clock the runner uses,
# so the sample is generated relative to the real now, once per session.
SAMPLE_NOW = datetime.now(UTC)
POSTGRES_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"


@pytest.fixture(autouse=True)
def _no_keys_no_network(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    """Tests never reach a paid API: keys are removed and settings re-read."""
    for name in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "TAVILY_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    for name in list(__import__("os").environ):
        if name.startswith("QUALIFY_"):
            monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("QUALIFY_HOME", str(tmp_path / "home"))
    get_settings.cache_clear()
    services_for.cache_clear()
    yield
    get_settings.cache_clear()
    services_for.cache_clear()


@pytest.fixture
def openai_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[OpenAICompatibleServer]:
    """A local OpenAI-compatible server for the LLM engine's real HTTP client."""
    # A proxy set in the environment must not catch requests to the local server.
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
    with running_openai_server() as running:
        yield running


@dataclass(frozen=True)
class SampleCrm:
    """A sample CRM folder: database, web corpus and Chroma index."""

    root: Path

    @property
    def database_url(self) -> str:
        return f"sqlite:///{self.root / 'crm.db'}"

    @property
    def corpus_dir(self) -> Path:
        return self.root / "web"

    @property
    def chroma_dir(self) -> Path:
        return self.root / "chroma"

    @property
    def checkpoint_path(self) -> str:
        return str(self.root / "checkpoints.db")

    def context(self, **overrides: object) -> Context:
        values: dict[str, object] = {
            "database_url": self.database_url,
            "corpus_dir": str(self.corpus_dir),
            "chroma_dir": str(self.chroma_dir),
            "engine": "offline",
        } | overrides
        return Context(**values)  # type: ignore[arg-type]


@pytest.fixture(scope="session")
def sample_crm_template(tmp_path_factory: pytest.TempPathFactory) -> SampleCrm:
    """Generated and indexed once per session; tests get copies."""
    crm = SampleCrm(tmp_path_factory.mktemp("sample_crm"))
    with Session(get_db_engine(crm.database_url)) as session:
        generate_sample_crm(session, crm.corpus_dir, seed=7, now=SAMPLE_NOW)
        session.commit()
    web = services_for(crm.context()).web
    web.sync()  # type: ignore[attr-defined]
    services_for.cache_clear()
    get_db_engine(crm.database_url).dispose()
    return crm


@pytest.fixture
def sample_crm(sample_crm_template: SampleCrm, tmp_path: Path) -> SampleCrm:
    """A private copy of the sample CRM that a test may change."""
    root = tmp_path / "crm"
    shutil.copytree(sample_crm_template.root, root)
    return SampleCrm(root)


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A fresh PostgreSQL database for this session, dropped afterwards."""
    psycopg = pytest.importorskip("psycopg")
    name = f"qualify_test_{uuid.uuid4().hex[:8]}"
    try:
        admin = psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as exc:
        pytest.skip(f"PostgreSQL is not reachable at {POSTGRES_ADMIN_URL}: {exc}")
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    yield f"postgresql://postgres@127.0.0.1:5432/{name}"
    with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def researched_world(
    sample_crm_template: SampleCrm, tmp_path_factory: pytest.TempPathFactory
) -> tuple[SampleCrm, list[str]]:
    """The sample CRM with its eligible leads researched, and good leads to engage: a
    template, researched once per session; a test that writes copies it first."""
    root = tmp_path_factory.mktemp("engage_world")
    shutil.copytree(sample_crm_template.root, root, dirs_exist_ok=True)
    world = SampleCrm(root)
    with open_checkpointer(world.checkpoint_path) as saver:
        list(ResearchRunner(world.context(), saver).research())
    with Session(get_db_engine(world.database_url)) as session:
        # In the order research stored them: the journeys take leads by position, and an
        # order the query planner chooses (it changed with an index) would change the leads.
        exact = session.exec(
            select(LeadInsight)
            .where(LeadInsight.fit_level == "exact")
            .order_by(LeadInsight.researched_on, LeadInsight.lead_id)
        ).all()
        leads = [session.get(Lead, row.lead_id) for row in exact]
    good = [
        lead.id
        for lead in leads
        if lead is not None and check_email(lead.email).email_type == "work"
    ]
    assert len(good) >= 10
    return world, good


@pytest.fixture(scope="session")
def console_template(
    sample_crm_template: SampleCrm, tmp_path_factory: pytest.TempPathFactory
) -> SampleCrm:
    """The sample CRM with a console account per role (tests.console_support.LOGINS)."""
    from tests.console_support import add_console_accounts

    root = tmp_path_factory.mktemp("console_crm")
    shutil.copytree(sample_crm_template.root, root, dirs_exist_ok=True)
    crm = SampleCrm(root)
    add_console_accounts(crm.database_url)
    return crm


@pytest.fixture
def console_crm(console_template: SampleCrm, tmp_path: Path) -> SampleCrm:
    """A private copy of the console's sample CRM that a test may change."""
    root = tmp_path / "console_crm"
    shutil.copytree(console_template.root, root)
    return SampleCrm(root)


@pytest.fixture(scope="session")
def researched_console_template(
    researched_world: tuple[SampleCrm, list[str]], tmp_path_factory: pytest.TempPathFactory
) -> tuple[SampleCrm, list[str]]:
    """The researched world (insights, drafts, fit) with a console account per role."""
    from tests.console_support import add_console_accounts

    world, good = researched_world
    root = tmp_path_factory.mktemp("researched_console")
    shutil.copytree(world.root, root, dirs_exist_ok=True)
    crm = SampleCrm(root)
    add_console_accounts(crm.database_url)
    return crm, good
