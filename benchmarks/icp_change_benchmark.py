"""Benchmark: an ICP change re-judges every researched lead from its stored research.

A sample home is made and every eligible lead researched offline under the default ICP
(the sample company's). Then the ICP is changed and `ResearchRunner.research()` timed
while it re-judges them all; each further round switches to the other example ICP
(graphs/icp/examples: outpatient clinics, then fleet telematics, ...), so every round
re-judges every lead. Prints per round the leads, the seconds (wall clock, and this
process's CPU time, which other work on the machine disturbs less), leads per second,
the web searches made (must be 0) and the reasoning engine's calls by kind: with a
model each is a model call; offline none leaves the process. The issue's target: 161
leads in under 2 s offline.

`--model-endpoint` runs the same with the LLM engine against a local endpoint that
counts every request and answers each with an error (the offline engine fills in), and
prints the model requests of each re-judge.

Run: `python -m benchmarks.icp_change_benchmark [--rounds 3] [--profile]`.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import statistics
import time
from collections import Counter
from contextlib import ExitStack

from benchmarks.sample_home import counting_model_endpoint, home_context, sample_home
from core.icp_fingerprint import icp_fingerprint
from core.icp_profile import IcpProfile
from graphs.checkpointing import open_checkpointer
from graphs.icp.profile_file import ICP_EXAMPLES_DIR, load_icp_file
from graphs.research.agent_settings import save_setting_block
from graphs.research.runner import ResearchRunner
from graphs.services import services_for
from tests.call_counts import counted

ENGINE_CALLS = ("digest_account", "summarize_lead", "judge_free_text", "judge_label")
DRAFTS = "write_outreach"


def example_icps() -> list[IcpProfile]:
    """The ICPs rounds switch between: every example, in name order."""
    return [load_icp_file(path) for path in sorted(ICP_EXAMPLES_DIR.glob("*.yaml"))]


def main() -> None:
    """Research the sample's eligible leads, then time re-judges after ICP changes."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=3, help="ICP changes to time.")
    parser.add_argument("--profile", action="store_true", help="cProfile the first round.")
    parser.add_argument(
        "--model-endpoint",
        action="store_true",
        help="Use the LLM engine against a local endpoint that counts requests.",
    )
    args = parser.parse_args()

    with ExitStack() as stack:
        server = stack.enter_context(counting_model_endpoint()) if args.model_endpoint else None
        root, database_url = sample_home("qualify-icp-change-")
        context = home_context(
            root, database_url, engine="llm" if args.model_endpoint else "offline"
        )
        services = services_for(context)
        services.web.sync()  # type: ignore[attr-defined]
        saver = stack.enter_context(open_checkpointer(str(root / "checkpoints.db")))
        runner = ResearchRunner(context, saver)

        started = time.perf_counter()
        first = Counter(o.status for o in runner.research())
        print(
            f"research under the default ICP: {dict(first)} in "
            f"{time.perf_counter() - started:.1f} s"
        )

        icps = example_icps()
        seconds: list[float] = []
        for number in range(args.rounds):
            icp = icps[number % len(icps)]
            save_setting_block(database_url, "icp", icp)
            requests_before = len(server.requests) if server else 0
            profiler = cProfile.Profile() if args.profile and number == 0 else None
            with (
                counted(services.web, "search") as searches,
                counted(services.reasoning, *ENGINE_CALLS, DRAFTS) as calls,
            ):
                if profiler:
                    profiler.enable()
                started, cpu_started = time.perf_counter(), time.process_time()
                outcomes = list(runner.research())
                elapsed = time.perf_counter() - started
                cpu = time.process_time() - cpu_started
                if profiler:
                    profiler.disable()
            seconds.append(elapsed)
            statuses = Counter(o.status for o in outcomes)
            fits = Counter(o.fit_level for o in outcomes)
            print(
                f"round {number + 1}: ICP {icp.name!r} ({icp_fingerprint(icp)}): "
                f"{len(outcomes)} leads in {elapsed:.2f} s ({cpu:.2f} s of CPU), "
                f"{len(outcomes) / elapsed:.0f} leads/s; outcomes {dict(statuses)}; "
                f"fits {dict(fits)}"
            )
            print(
                f"  web searches {searches['search']}; engine calls "
                + ", ".join(f"{name} {calls[name]}" for name in ENGINE_CALLS)
                + f"; drafts written {calls[DRAFTS]} (for fits in outreach.draft_ahead_for)"
            )
            if server is not None:
                kinds = Counter(
                    (request.schema or {}).get("title", "text")
                    for request in server.requests[requests_before:]
                )
                print(
                    f"  model requests {sum(kinds.values())}: "
                    + (", ".join(f"{k} {n}" for k, n in kinds.most_common()) or "none")
                )
            if profiler:
                pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)
        print(
            f"re-judge of {len(outcomes)} leads: median {statistics.median(seconds):.2f} s, "
            f"best {min(seconds):.2f} s over {len(seconds)} rounds (target: 161 leads under 2 s)"
        )


if __name__ == "__main__":
    main()
