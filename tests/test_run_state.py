"""A run that stopped mid-way is found, whatever step it stopped at: including a step that
finished, its writes saved, when the process died before the next checkpoint."""

from __future__ import annotations

from operator import add
from typing import Annotated, TypedDict

from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph import END, START, StateGraph
from langgraph.graph.state import CompiledStateGraph
from langgraph.types import interrupt

from memory.run_state import stopped_mid_run


class _State(TypedDict, total=False):
    steps: Annotated[list[str], add]
    answer: str


def _graph(saver: InMemorySaver, runs: list[str], *, waits: bool = False) -> CompiledStateGraph:
    def step_a(state: _State) -> dict:
        runs.append("a")
        return {"steps": ["a"]}

    def step_b(state: _State) -> dict:
        runs.append("b")
        if waits:
            return {"answer": interrupt("reply?")}
        return {"steps": ["b"]}

    graph = StateGraph(_State)
    graph.add_node("a", step_a)
    graph.add_node("b", step_b)
    graph.add_edge(START, "a")
    graph.add_edge("a", "b")
    graph.add_edge("b", END)
    return graph.compile(checkpointer=saver, interrupt_before=None if waits else ["b"])


def test_a_step_done_but_not_checkpointed_is_a_run_to_go_on_with() -> None:
    saver, runs = InMemorySaver(), []
    graph = _graph(saver, runs)
    config = {"configurable": {"thread_id": "engage:LEAD-1"}}
    graph.invoke({"steps": []}, config)  # stops before b, as a crash between steps would
    before_b = graph.get_state(config)
    assert stopped_mid_run(before_b) and before_b.next == ("b",)

    # b ran and its writes were saved; the process died before the checkpoint after it.
    [task] = before_b.tasks
    saver.put_writes(before_b.config, [("steps", ["b"])], task.id)
    died = graph.get_state(config)
    assert died.next == ()  # what a check of `next` alone took for "finished"
    assert stopped_mid_run(died)

    graph.invoke(None, config)
    assert graph.get_state(config).values["steps"] == ["a", "b"]
    assert runs == ["a"]  # b's saved writes were applied, b did not run twice
    assert not stopped_mid_run(graph.get_state(config))  # finished


def test_a_thread_waiting_on_a_reply_is_not_stopped() -> None:
    saver, runs = InMemorySaver(), []
    graph = _graph(saver, runs, waits=True)
    config = {"configurable": {"thread_id": "engage:LEAD-2"}}
    graph.invoke({"steps": []}, config)
    waiting = graph.get_state(config)
    assert waiting.interrupts and not stopped_mid_run(waiting)
