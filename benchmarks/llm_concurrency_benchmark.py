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
import time

from benchmarks.sample_home import counting_model_endpoint, home_context, sample_home
from graphs.checkpointing import open_checkpointer
from graphs.research.runner import ResearchRunner
from graphs.services import services_for


def main() -> None:
    """Research the sample leads at each concurrency against the slow server."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--latency", type=float, default=1.0, help="Seconds per request.")
    parser.add_argument("--concurrency", default="4,16", help="Comma-separated values.")
    parser.add_argument("--leads", type=int, default=160, help="Leads researched per run.")
    args = parser.parse_args()
    root, database_url = sample_home("qualify-llm-bench-")
    with counting_model_endpoint(args.latency) as server:
        context = home_context(root, database_url, engine="llm")
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
