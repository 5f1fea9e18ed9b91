"""What an eval run produced: one record per suite and one for the whole run."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel

from evals.dataset_loader import DatasetProblem
from evals.metrics import SuiteMetrics
from evals.schemas import CaseResult

EngineName = Literal["offline", "llm"]
# dev: the split the rules were studied on; test: frozen, written before them (see
# evals/datasets/frozen/README.md); None: a dataset given with --dataset.
Split = Literal["dev", "test"]


class SuiteRun(BaseModel):
    """One suite's run: the dataset, skipped lines, results and metrics."""

    suite: str
    split: Split | None = None
    dataset: str
    dataset_sha256: str
    problems: list[DatasetProblem]
    results: list[CaseResult]
    metrics: SuiteMetrics
    seconds: float

    @property
    def label(self) -> str:
        """The suite's name with its split, e.g. `replies (test)`."""
        return f"{self.suite} ({self.split})" if self.split else self.suite


class EvalRun(BaseModel):
    """A whole run, as written to `summary.json` (results are in the JSONL files)."""

    run_id: str
    started_on: datetime
    engine: EngineName
    model: str | None
    prompt_versions: list[tuple[str, str]]
    concurrency: int
    seconds: float
    out_dir: str | None = None
    cache: str | None = None
    suites: list[SuiteRun]


class SplitGap(BaseModel):
    """One suite's dev and test figures side by side: the gap shows rules tuned to dev."""

    suite: str
    dev_accuracy: float
    test_accuracy: float
    dev_macro_f1: float
    test_macro_f1: float

    @property
    def accuracy_gap(self) -> float:
        """Dev minus test, in points of accuracy (positive: worse on unseen cases)."""
        return self.dev_accuracy - self.test_accuracy


def split_gaps(run: EvalRun) -> list[SplitGap]:
    """Every suite that ran on both splits."""
    by_split = {(s.suite, s.split): s for s in run.suites}
    gaps = []
    for suite in dict.fromkeys(s.suite for s in run.suites):
        dev, test = by_split.get((suite, "dev")), by_split.get((suite, "test"))
        if dev is not None and test is not None:
            gaps.append(
                SplitGap(
                    suite=suite,
                    dev_accuracy=dev.metrics.accuracy,
                    test_accuracy=test.metrics.accuracy,
                    dev_macro_f1=dev.metrics.macro_f1,
                    test_macro_f1=test.metrics.macro_f1,
                )
            )
    return gaps
