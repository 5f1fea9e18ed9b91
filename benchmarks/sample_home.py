"""What the benchmarks share: a home holding the generated sample CRM, a run context over
it, and a local model endpoint that counts every call."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlmodel import Session

from core.settings import get_settings
from graphs.context import Context
from sample_crm.generator import generate_sample_crm
from store.db import get_db_engine
from tests.openai_compatible_server import OpenAICompatibleServer, running_openai_server


def sample_home(prefix: str) -> tuple[Path, str]:
    """A new folder with the sample CRM and its web pages; the folder and the CRM's URL."""
    root = Path(tempfile.mkdtemp(prefix=prefix))
    database_url = f"sqlite:///{root / 'crm.db'}"
    with Session(get_db_engine(database_url)) as session:
        generate_sample_crm(session, root / "web")
        session.commit()
    return root, database_url


def home_context(root: Path, database_url: str, **overrides: object) -> Context:
    """A run context over the home made by `sample_home`."""
    values: dict[str, object] = {
        "database_url": database_url,
        "corpus_dir": str(root / "web"),
        "chroma_dir": str(root / "chroma"),
    } | overrides
    return Context(**values)  # type: ignore[arg-type]


@contextmanager
def counting_model_endpoint(latency_s: float = 0.0) -> Iterator[OpenAICompatibleServer]:
    """A local OpenAI-compatible endpoint, and the settings that point the LLM engine at it.

    It takes `latency_s` over each request, counts them all and answers each with an
    error, so the engine falls back to the offline one and nothing needs scripting. No
    retries and no circuit breaker: every call the code makes reaches it.
    """
    os.environ.update(
        OPENAI_API_KEY="benchmark",
        QUALIFY_LLM_MAX_RETRIES="0",
        QUALIFY_LLM_BREAKER_FAILURES="1000000",
        NO_PROXY="127.0.0.1",
    )
    with running_openai_server() as server:
        server.latency_s = latency_s
        os.environ["OPENAI_BASE_URL"] = server.base_url
        get_settings.cache_clear()
        yield server
