"""The graphs serve from langgraph.json under the LangGraph dev server, driven by its SDK."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlmodel import Session

from graphs.tracing.trace_steps import steps_of
from store.agent_records import LeadInsight
from store.db import get_db_engine
from tests.conftest import SampleCrm

REPO = Path(__file__).parents[1]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def langgraph_server(sample_crm: SampleCrm, tmp_path: Path) -> Iterator[str]:
    cli = shutil.which("langgraph", path=str(Path(sys.executable).parent))
    if cli is None:
        pytest.skip("langgraph-cli is not installed: pip install -e '.[test]'")
    port = _free_port()
    env = os.environ | {
        "QUALIFY_DATABASE_URL": sample_crm.database_url,
        "QUALIFY_CORPUS_DIR": str(sample_crm.corpus_dir),
        "QUALIFY_CHROMA_DIR": str(sample_crm.chroma_dir),
        "QUALIFY_ENGINE": "offline",
        "LANGGRAPH_CLI_NO_ANALYTICS": "1",
        "LANGGRAPH_NO_VERSION_CHECK": "1",
    }
    log = (tmp_path / "server.log").open("w")
    server = subprocess.Popen(
        [cli, "dev", "--port", str(port), "--no-browser", "--no-reload"],
        cwd=REPO,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if server.poll() is not None:
                pytest.fail(f"langgraph dev exited:\n{(tmp_path / 'server.log').read_text()}")
            try:
                if httpx.get(f"{url}/ok", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.3)
        else:
            pytest.fail(f"langgraph dev did not start:\n{(tmp_path / 'server.log').read_text()}")
        yield url
    finally:
        server.terminate()
        server.wait(timeout=20)
        log.close()


def test_research_graph_runs_under_the_langgraph_server(
    langgraph_server: str, sample_crm: SampleCrm
) -> None:
    from langgraph_sdk import get_sync_client

    from graphs.checkpointing import open_checkpointer
    from graphs.research.runner import ResearchRunner

    with open_checkpointer(sample_crm.checkpoint_path) as saver:
        lead_id = ResearchRunner(sample_crm.context(), saver).eligible_leads()[0].lead_id
    client = get_sync_client(url=langgraph_server)
    assistants = {a["graph_id"] for a in client.assistants.search()}
    assert {"research", "engage"} <= assistants
    thread = client.threads.create()
    result = client.runs.wait(thread["thread_id"], "research", input={"lead_id": lead_id})
    assert result["research"]["lead"]["lead_id"] == lead_id
    assert result["icp"]["fit_level"] in ("exact", "close", "none") and result["researched_on"]
    history = client.threads.get_history(thread["thread_id"], limit=10)
    run_ids = history[0]["values"]["trace"]  # the state keeps the ids of the steps' rows
    steps = steps_of(run_ids, sample_crm.database_url)
    assert {"researcher", "icp_judge"} <= {step.node for step in steps}
    with Session(get_db_engine(sample_crm.database_url)) as session:
        assert session.get(LeadInsight, lead_id) is not None
