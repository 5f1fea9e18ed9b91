"""The lean SQLite checkpointer: the same states, histories and resumes as LangGraph's
`SqliteSaver`, with each channel value stored once per version (issue 14, item 3)."""

from __future__ import annotations

import operator
import sqlite3
from pathlib import Path
from typing import Annotated, TypedDict

import pytest
from langgraph.checkpoint.sqlite import SqliteSaver
from langgraph.graph import END, START, StateGraph
from langgraph.types import Command, interrupt

from memory.lean_sqlite_saver import LeanSqliteSaver

PAGE = "A long page of research about the account. " * 500  # about 22 kB


class State(TypedDict, total=False):
    research: str
    steps: Annotated[list[str], operator.add]
    reply: str


def _graph(saver: SqliteSaver, *, fail_at: str | None = None):  # type: ignore[no-untyped-def]
    def research(state: State) -> State:
        return {"research": PAGE, "steps": ["research"]}

    def judge(state: State) -> State:
        if fail_at == "judge":
            raise RuntimeError("judge crashed")
        return {"steps": [f"judge of {len(state['research'])} chars"]}

    def wait(state: State) -> State:
        return {"reply": interrupt("waiting for a reply"), "steps": ["wait"]}

    def close(state: State) -> State:
        return {"steps": [f"closed on {state['reply']}"]}

    builder = StateGraph(State)
    for name, node in [("research", research), ("judge", judge), ("wait", wait), ("close", close)]:
        builder.add_node(name, node)
    builder.add_edge(START, "research")
    builder.add_edge("research", "judge")
    builder.add_edge("judge", "wait")
    builder.add_edge("wait", "close")
    builder.add_edge("close", END)
    return builder.compile(checkpointer=saver)


def _run_to_end(saver: SqliteSaver, thread: str) -> None:
    graph = _graph(saver)
    config = {"configurable": {"thread_id": thread}}
    graph.invoke({"steps": []}, config)
    graph.invoke(Command(resume="yes, call me"), config)


def _saver(path: Path, kind: type[SqliteSaver]) -> SqliteSaver:
    saver = kind(sqlite3.connect(path, check_same_thread=False))
    saver.setup()
    return saver


def _bytes(path: Path) -> int:
    with sqlite3.connect(path) as db:
        tables = [row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        column = {"checkpoints": "checkpoint", "writes": "value", "channel_values": "value"}
        return sum(
            db.execute(f"SELECT COALESCE(SUM(LENGTH({column[t]})), 0) FROM {t}").fetchone()[0]
            for t in tables
            if t in column
        )


def _history(saver: SqliteSaver, thread: str) -> list[tuple[dict, tuple[str, ...]]]:
    config = {"configurable": {"thread_id": thread}}
    return [(s.values, s.next) for s in _graph(saver).get_state_history(config)]


def test_the_same_states_and_history_as_the_plain_saver(tmp_path: Path) -> None:
    plain = _saver(tmp_path / "plain.db", SqliteSaver)
    lean = _saver(tmp_path / "lean.db", LeanSqliteSaver)
    _run_to_end(plain, "lead-1")
    _run_to_end(lean, "lead-1")
    config = {"configurable": {"thread_id": "lead-1"}}
    assert _graph(lean).get_state(config).values == _graph(plain).get_state(config).values
    assert _history(lean, "lead-1") == _history(plain, "lead-1")
    assert _graph(lean).get_state(config).values["steps"][-1] == "closed on yes, call me"


def test_an_unchanged_value_is_stored_once(tmp_path: Path) -> None:
    plain, lean = tmp_path / "plain.db", tmp_path / "lean.db"
    _run_to_end(_saver(plain, SqliteSaver), "lead-1")
    _run_to_end(_saver(lean, LeanSqliteSaver), "lead-1")
    # The page is in five checkpoints and a write with the plain saver; once here.
    assert _bytes(plain) > 5 * len(PAGE)
    assert len(PAGE) < _bytes(lean) < 1.5 * len(PAGE)


def test_writes_that_arrive_after_the_next_checkpoint_are_not_kept(tmp_path: Path) -> None:
    # With durability="async" a step's writes can reach the saver after the checkpoint
    # that took them in; the order is forced here so the case is not left to timing.
    saver = _saver(tmp_path / "lean.db", LeanSqliteSaver)
    config = {"configurable": {"thread_id": "lead-1"}}
    _graph(saver).invoke({"steps": []}, config)  # waits for a reply
    history = list(saver.list(config))
    parent, child = history[1].config, history[0].config
    before = _bytes(tmp_path / "lean.db")
    saver.put_writes(parent, [("research", PAGE)], "late-task")
    assert _bytes(tmp_path / "lean.db") == before
    saver.put_writes(child, [("research", PAGE)], "a-task")  # the head has no child
    assert _bytes(tmp_path / "lean.db") > before + len(PAGE)
    saver.put_writes(parent, [("__interrupt__", "kept")], "late-task")
    with sqlite3.connect(tmp_path / "lean.db") as db:
        kept = db.execute(
            "SELECT channel FROM writes WHERE checkpoint_id = ?",
            (parent["configurable"]["checkpoint_id"],),
        ).fetchall()
    assert kept == [("__interrupt__",)]


def test_an_async_run_stores_each_value_once(tmp_path: Path) -> None:
    lean = tmp_path / "lean.db"
    saver = _saver(lean, LeanSqliteSaver)
    for thread in ("lead-1", "lead-2", "lead-3"):
        config = {"configurable": {"thread_id": thread}}
        _graph(saver).invoke({"steps": []}, config, durability="async")
        _graph(saver).invoke(Command(resume="yes"), config, durability="async")
    assert 3 * len(PAGE) < _bytes(lean) < 3 * 1.5 * len(PAGE)


def test_a_crash_resumes_from_the_writes_of_the_last_checkpoint(tmp_path: Path) -> None:
    saver = _saver(tmp_path / "lean.db", LeanSqliteSaver)
    config = {"configurable": {"thread_id": "lead-1"}}
    with pytest.raises(RuntimeError, match="judge crashed"):
        _graph(saver, fail_at="judge").invoke({"steps": []}, config)
    assert _graph(saver).get_state(config).next == ("judge",)
    _graph(saver).invoke(None, config)  # resumes at the judge, the research is not redone
    _graph(saver).invoke(Command(resume="later"), config)
    assert _graph(saver).get_state(config).values["steps"] == [
        "research", f"judge of {len(PAGE)} chars", "wait", "closed on later"
    ]  # fmt: skip


def test_threads_written_by_the_plain_saver_still_read(tmp_path: Path) -> None:
    path = tmp_path / "home.db"
    _run_to_end(_saver(path, SqliteSaver), "old-lead")
    lean = _saver(path, LeanSqliteSaver)
    _run_to_end(lean, "new-lead")
    assert _history(lean, "old-lead") == _history(_saver(path, SqliteSaver), "old-lead")
    assert _graph(lean).get_state({"configurable": {"thread_id": "new-lead"}}).values["research"]


def test_deleting_a_thread_deletes_its_values(tmp_path: Path) -> None:
    path = tmp_path / "lean.db"
    saver = _saver(path, LeanSqliteSaver)
    _run_to_end(saver, "lead-1")
    _run_to_end(saver, "lead-2")
    saver.delete_thread("lead-1")
    with sqlite3.connect(path) as db:
        threads = {row[0] for row in db.execute("SELECT DISTINCT thread_id FROM channel_values")}
    assert threads == {"lead-2"}
    assert _graph(saver).get_state({"configurable": {"thread_id": "lead-1"}}).values == {}
