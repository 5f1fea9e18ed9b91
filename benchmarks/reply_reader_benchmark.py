"""Benchmark: the offline reply reader's throughput on the dev replies dataset.

Prints replies per second and milliseconds per reply (mean, p50, p95, max) over a number
of passes. Issue 10's target is at least 500 replies/s. Run:
`python benchmarks/reply_reader_benchmark.py --passes 5`.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from datetime import datetime

from evals.dataset_loader import default_dataset
from graphs.reply_reader.reader import forget_read_texts, read_reply


def main() -> None:
    """Read every dev reply `--passes` times and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--passes", type=int, default=5)
    args = parser.parse_args()
    lines = default_dataset("replies").read_text(encoding="utf-8").splitlines()
    inputs = [json.loads(line)["input"] for line in lines if line.strip()]
    received = [datetime.fromisoformat(i["received_on"].replace("Z", "+00:00")) for i in inputs]
    # One untimed pass loads the language models and compiles every language's cues; the
    # per-text caches are then dropped before each pass, so every reading is of a new text.
    for given, on in zip(inputs, received, strict=True):
        read_reply(given["reply"], received_on=on, job_title=given.get("job_title"))
    timings: list[float] = []
    seconds = 0.0
    for _ in range(args.passes):
        forget_read_texts()
        started = time.perf_counter()
        for given, on in zip(inputs, received, strict=True):
            t0 = time.perf_counter()
            read_reply(
                given["reply"],
                received_on=on,
                job_title=given.get("job_title"),
                headers=given.get("headers"),
            )
            timings.append((time.perf_counter() - t0) * 1000)
        seconds += time.perf_counter() - started
    ordered = sorted(timings)
    print(f"{len(timings)} readings of {len(inputs)} replies in {seconds:.2f} s")
    print(f"throughput: {len(timings) / seconds:.0f} replies/s")
    print(
        f"per reply: mean {statistics.mean(timings):.2f} ms, p50 {ordered[len(ordered) // 2]:.2f} "
        f"ms, p95 {ordered[int(len(ordered) * 0.95)]:.2f} ms, max {ordered[-1]:.2f} ms"
    )


if __name__ == "__main__":
    main()
