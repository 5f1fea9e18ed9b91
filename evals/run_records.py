"""What an eval run produced: one record per suite and one for the whole run."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel

from evals.dataset_loader import DatasetProblem
from evals.metrics import SuiteMetrics
from evals.schemas import CaseResult

EngineName = Literal["offline", "llm"]


class SuiteRun(BaseModel):
    """One suite's run: the dataset, skipped lines, results and metrics."""

    suite: str
    dataset: str
    dataset_sha256: str
    problems: list[DatasetProblem]
    results: list[CaseResult]
    metrics: SuiteMetrics
    seconds: float


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
