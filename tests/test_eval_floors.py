"""The CI gate: every offline eval suite on evals/datasets/ must stay above its floor."""

from __future__ import annotations

import time

import pytest

from evals.dataset_loader import default_dataset
from evals.floors import floor_failures, load_floors
from evals.runner import RunOptions, run_eval


@pytest.mark.slow
def test_offline_suites_stay_above_their_floors() -> None:
    floors = load_floors()
    assert floors.engine == "offline"
    missing = [suite for suite in floors.suites if not default_dataset(suite).is_file()]
    assert not missing, f"floors set for suites without a dataset: {missing}"
    started = time.perf_counter()
    run = run_eval(RunOptions(suites=list(floors.suites), engine="offline", concurrency=4))
    seconds = time.perf_counter() - started

    failures: list[str] = []
    print(f"\noffline eval: {seconds:.1f} s")
    for suite in run.suites:
        m = suite.metrics
        spans = f" evidence F1 {m.spans.mean_token_f1:.3f}" if m.spans else ""
        print(
            f"{suite.suite:9} {m.cases:4} cases  accuracy {m.accuracy:.3f}  "
            f"macro-F1 {m.macro_f1:.3f}{spans}  {suite.seconds:.1f} s"
        )
        # The shipped datasets must be clean: a bad line there is a bug, not noise.
        failures += [f"{suite.suite}: skipped {p}" for p in suite.problems]
        failures += [f"{suite.suite}: {r.id} errored: {r.error}" for r in suite.results if r.error]
        failures += floor_failures(m, floors.suites[suite.suite])
    assert not failures, "\n".join(failures)
