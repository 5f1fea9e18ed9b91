"""Benchmark: research against a slow model endpoint, leads side by side.

A local OpenAI-compatible server (the tests' one) takes `--latency` seconds over every
request and counts them; it answers each with an error, so the engine falls back to the
offline engine and no answer needs scripting: what is measured is how the calls overlap.
For each `--concurrency` value, the sample CRM's eligible leads are researched (forced)
and the wall time is printed beside the ideal (calls × latency ÷ concurrency), with the
most requests the server saw in flight at once.
Run: `python -m benchmarks.llm_concurrency_benchmark [--latency 1 --concurrency 4,16]`.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

from sqlmodel import Session

from core.settings import get_settings
from graphs.checkpointing import open_checkpointer
from graphs.context import Context
from graphs.research.runner import ResearchRunner
from graphs.services import services_for
from sample_crm.generator import generate_sample_crm
from store.db import get_db_engine
from tests.openai_compatible_server import running_openai_server


def main() -> None:
    """Research the sample leads at each concurrency against the slow server."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--latency", type=float, default=1.0, help="Seconds per request.")
    parser.add_argument("--concurrency", default="4,16", help="Comma-separated values.")
    parser.add_argument("--leads", type=int, default=160, help="Leads researched per run.")
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="qualify-llm-bench-"))
    database_url = f"sqlite:///{root / 'crm.db'}"
    with Session(get_db_engine(database_url)) as session:
        generate_sample_crm(session, root / "web")
        session.commit()
    os.environ.update(
        OPENAI_API_KEY="benchmark",
        QUALIFY_LLM_MAX_RETRIES="0",
        QUALIFY_LLM_BREAKER_FAILURES="1000000",  # every call reaches the server
        NO_PROXY="127.0.0.1",
    )
    with running_openai_server() as server:
        server.latency_s = args.latency
        os.environ["OPENAI_BASE_URL"] = server.base_url
        get_settings.cache_clear()
        context = Context(
            database_url=database_url,
            corpus_dir=str(root / "web"),
            chroma_dir=str(root / "chroma"),
            engine="llm",
        )
        services_for(context).web.sync()  # type: ignore[attr-defined]
        print(f"latency {args.latency:g} s per request; work folder {root}")
        for concurrency in (int(n) for n in args.concurrency.split(",")):
            checkpoints = root / f"checkpoints-{concurrency}.db"
            with open_checkpointer(str(checkpoints)) as saver:
                runner = ResearchRunner(context, saver)
                leads = [lead.lead_id for lead in runner.eligible_leads()][: args.leads]
                before, server.max_in_flight = len(server.requests), 0
                started = time.perf_counter()
                outcomes = list(runner.research(leads, force=True, concurrency=concurrency))
                wall = time.perf_counter() - started
            calls = len(server.requests) - before
            ideal = calls * args.latency / concurrency
            done = sum(o.status == "researched" for o in outcomes)
            print(
                f"concurrency {concurrency:>3}: {done} of {len(leads)} leads in {wall:6.1f} s; "
                f"{calls} calls ({calls / max(len(leads), 1):.2f} per lead); ideal "
                f"{ideal:6.1f} s; wall / ideal {wall / ideal:.2f}; "
                f"at most {server.max_in_flight} requests in flight"
            )


if __name__ == "__main__":
    main()
