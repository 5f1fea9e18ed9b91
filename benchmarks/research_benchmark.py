"""Benchmark: research N generated leads offline, with SQLite checkpointing on.

Prints leads per second, milliseconds per lead (mean, p50, p95), peak memory, and how
much company research was shared. Run: `python benchmarks/research_benchmark.py`.
"""

from __future__ import annotations

import argparse
import resource
import sqlite3
import statistics
import tempfile
import time
from collections import Counter
from contextlib import closing
from operator import add
from pathlib import Path
from typing import Annotated, TypedDict

from langgraph.graph import END, START, StateGraph
from sqlmodel import Session, func, select

from graphs.checkpointing import open_checkpointer
from graphs.context import Context
from graphs.research.runner import ResearchRunner
from graphs.services import services_for
from memory.thread_ids import thread_id_for
from sample_crm.generator import generate_sample_crm
from store.agent_records import AccountResearch
from store.crm import Lead
from store.db import get_db_engine


class _BareState(TypedDict, total=False):
    lead_id: str
    steps: Annotated[list[str], add]


def bare_graph_runs_per_second(root: Path, runs: int = 300) -> float:
    """The machine's limit for a research run: a graph of the research graph's shape whose
    nodes do nothing, on the same SQLite checkpointer, one thread per run as research has."""
    graph = StateGraph(_BareState)
    names = ["researcher", "icp_judge", "lead_summarizer", "outreach_writer", "insights_recorder"]
    for name in names:
        graph.add_node(name, lambda state, name=name: {"steps": [name]})
    edges = [
        (START, "researcher"),
        ("researcher", "icp_judge"),
        ("researcher", "lead_summarizer"),
        ("icp_judge", "outreach_writer"),
        ("lead_summarizer", END),
        ("outreach_writer", "insights_recorder"),
        ("insights_recorder", END),
    ]
    for first, second in edges:
        graph.add_edge(first, second)
    with open_checkpointer(str(root / "bare-checkpoints.db")) as saver:
        compiled = graph.compile(checkpointer=saver)
        started = time.perf_counter()
        for n in range(runs):
            compiled.invoke({"lead_id": f"L{n}"}, {"configurable": {"thread_id": f"bare:{n}"}})
        return runs / (time.perf_counter() - started)


def main() -> None:
    """Generate a CRM, index its corpus, research every lead, print figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--leads", type=int, default=1000)
    parser.add_argument("--accounts", type=int, default=200)
    parser.add_argument("--dir", type=Path, default=None, help="Work folder (default: a temp one).")
    args = parser.parse_args()
    root = args.dir or Path(tempfile.mkdtemp(prefix="qualify-bench-"))
    database_url = f"sqlite:///{root / 'crm.db'}"
    context = Context(
        database_url=database_url,
        corpus_dir=str(root / "web"),
        chroma_dir=str(root / "chroma"),
        engine="offline",
    )

    started = time.perf_counter()
    with Session(get_db_engine(database_url)) as session:
        summary = generate_sample_crm(
            session, root / "web", n_accounts=args.accounts, n_leads=args.leads
        )
        session.commit()
    generated = time.perf_counter()
    services_for(context).web.sync()  # type: ignore[attr-defined]
    indexed = time.perf_counter()
    print(f"sample CRM: {summary.model_dump()}")
    print(f"generate: {generated - started:.1f} s   index web corpus: {indexed - generated:.1f} s")

    with Session(get_db_engine(database_url)) as session:
        lead_ids = list(session.exec(select(Lead.id).order_by(Lead.id)))
    per_lead: list[float] = []
    statuses: Counter[str] = Counter()
    with open_checkpointer(str(root / "checkpoints.db")) as saver:
        runner = ResearchRunner(context, saver)
        run_started = time.perf_counter()
        for outcome in runner.research(lead_ids, force=True):
            per_lead.append(outcome.seconds * 1000)
            statuses[outcome.fit_level or outcome.status] += 1
        elapsed = time.perf_counter() - run_started

    with Session(get_db_engine(database_url)) as session:
        companies = session.exec(select(func.count()).select_from(AccountResearch)).one()
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    quantiles = statistics.quantiles(per_lead, n=20)
    print(f"leads researched: {len(per_lead)}  outcomes: {dict(statuses)}")
    print(
        f"throughput: {len(per_lead) / elapsed:.1f} leads/s  ({elapsed:.1f} s in all); the "
        f"bare limit (the graph's shape, empty nodes, same checkpointer): "
        f"{bare_graph_runs_per_second(root):.0f}"
        " runs/s"
    )
    print(
        f"per lead: mean {statistics.fmean(per_lead):.1f} ms, p50 {statistics.median(per_lead):.1f}"
        f" ms, p95 {quantiles[18]:.1f} ms, max {max(per_lead):.1f} ms"
    )
    print(
        f"company research: {companies} companies researched for {len(per_lead)} leads "
        f"(each shared by {len(per_lead) / max(companies, 1):.1f} leads on average)"
    )
    checkpoint_mb = (root / "checkpoints.db").stat().st_size / 1e6
    per_lead_kb = checkpoint_mb * 1000 / len(per_lead)
    print(f"checkpoint database: {checkpoint_mb:.1f} MB ({per_lead_kb:.1f} kB per lead)")
    with open_checkpointer(str(root / "checkpoints.db")) as saver:
        saver.prune([thread_id_for(lead_id) for lead_id in lead_ids])
    compacted = root / "checkpoints-compacted.db"
    with closing(sqlite3.connect(root / "checkpoints.db")) as db:
        db.execute("VACUUM INTO ?", (str(compacted),))
    pruned_kb = compacted.stat().st_size / 1e3 / len(per_lead)
    print(f"after retention (latest checkpoint per finished thread): {pruned_kb:.1f} kB per lead")
    print(f"peak memory (max RSS): {peak_mb:.0f} MB")


if __name__ == "__main__":
    main()
