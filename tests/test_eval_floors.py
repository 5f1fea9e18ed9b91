"""The CI gate: every offline eval suite must stay above its floors, on its dev split and
on its frozen test split."""

from __future__ import annotations

import time

import pytest

from evals.dataset_loader import default_dataset, split_datasets
from evals.floors import floor_failures, load_floors
from evals.runner import RunOptions, run_eval


@pytest.mark.slow
def test_offline_suites_stay_above_their_floors() -> None:
    floors = load_floors()
    assert floors.engine == "offline"
    missing = [suite for suite in floors.suites if not default_dataset(suite).is_file()]
    missing += [f"{s} (test)" for s in floors.test_suites if not split_datasets(s, "test")]
    assert not missing, f"floors set for suites without a dataset: {missing}"
    started = time.perf_counter()
    suites = list(dict.fromkeys([*floors.suites, *floors.test_suites]))
    run = run_eval(RunOptions(suites=suites, engine="offline", concurrency=4))
    seconds = time.perf_counter() - started

    failures: list[str] = []
    print(f"\noffline eval: {seconds:.1f} s")
    for suite in run.suites:
        m = suite.metrics
        spans = f" evidence F1 {m.spans.mean_token_f1:.3f}" if m.spans else ""
        print(
            f"{suite.label:16} {m.cases:4} cases  accuracy {m.accuracy:.3f}  "
            f"macro-F1 {m.macro_f1:.3f}{spans}  {suite.seconds:.1f} s"
        )
        # The shipped datasets must be clean: a bad line there is a bug, not noise.
        failures += [f"{suite.label}: skipped {p}" for p in suite.problems]
        failures += [f"{suite.label}: {r.id} errored: {r.error}" for r in suite.results if r.error]
        floor = floors.for_split(suite.split).get(suite.suite)
        if floor is not None:
            failures += floor_failures(m, floor)
        elif suite.split == "test":
            failures.append(f"{suite.label}: a test split with no floor in evals/floors.yaml")
    assert not failures, "\n".join(failures)
