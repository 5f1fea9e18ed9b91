"""Each step is announced as a LangChain custom event, so the callback handlers of a run
(LangSmith, OpenTelemetry exporters, `astream_events`) receive the trace the NodeRun table
keeps."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from langchain_core.callbacks import BaseCallbackHandler
from sqlmodel import Session

from graphs.checkpointing import open_checkpointer
from graphs.research.graph import build_research_graph
from graphs.research.runner import ResearchRunner
from graphs.traced_node import STEP_EVENT
from store.db import get_db_engine
from store.node_runs import NodeRun
from tests.conftest import SampleCrm


class _Steps(BaseCallbackHandler):
    def __init__(self) -> None:
        self.events: list[dict[str, Any]] = []

    def on_custom_event(self, name: str, data: Any, *, run_id: UUID, **kwargs: Any) -> None:
        if name == STEP_EVENT:
            self.events.append(data)


def test_every_step_reaches_the_runs_callback_handlers(sample_crm: SampleCrm) -> None:
    handler = _Steps()
    with open_checkpointer(sample_crm.checkpoint_path) as saver:
        lead_id = ResearchRunner(sample_crm.context(), saver).eligible_leads()[0].lead_id
        graph = build_research_graph(saver)
        config = {"configurable": {"thread_id": f"research:{lead_id}"}, "callbacks": [handler]}
        graph.invoke({"lead_id": lead_id}, config, context=sample_crm.context())

    nodes = [event["node"] for event in handler.events]
    # The judge and the summarizer run side by side: either may finish first.
    assert nodes[:1] + sorted(nodes[1:3]) + nodes[3:] == [
        "researcher",
        "icp_judge",
        "lead_summarizer",
        "outreach_writer",
        "insights_recorder",
    ]
    with Session(get_db_engine(sample_crm.database_url)) as session:
        for event in handler.events:
            row = session.get(NodeRun, event["node_run_id"])
            assert row is not None and row.node == event["node"]
            assert event["engine"] == "offline" and event["outcome"] == row.outcome
