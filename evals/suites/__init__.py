"""The eval suites: each turns one dataset case into a `CaseResult`.

Every suite module has `run_case(case, runtime) -> CaseResult`; `SUITES` maps a suite's
name to that function. The runner times the call and adds tokens and cost.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from evals.schemas import SUITE_NAMES, CaseResult, EvalCase, FieldCheck
from graphs.context import Context
from graphs.knowledge.product_catalog import use_stored_products
from graphs.reasoning.base import ReasoningEngine
from prompts.registry import use_prompt_versions

RunCase = Callable[[EvalCase, "SuiteRuntime"], CaseResult]


@dataclass
class SuiteRuntime:
    """What a suite needs: the engine, the run's context and a scratch folder.

    `context.database_url` is where prompt versions are read from; `context.engine`,
    `context.model` and `context.prompt_versions` say what is being measured.
    """

    engine: ReasoningEngine
    context: Context
    work_dir: Path

    @contextmanager
    def as_a_node(self) -> Iterator[None]:
        """Resolve prompts and products as a graph node would: pinned prompt versions, else
        the active ones; the product versions in force in the run's database."""
        reset_prompts = use_prompt_versions(self.context.database_url, self.context.prompt_versions)
        reset_products = use_stored_products(self.context.database_url)
        try:
            yield
        finally:
            reset_products()
            reset_prompts()


def run_case_for(suite: str) -> RunCase:
    """The `run_case` function of a suite (imported on first use)."""
    if suite not in SUITE_NAMES:
        raise ValueError(f"unknown suite {suite!r}; use one of {', '.join(SUITE_NAMES)}")
    module = importlib.import_module(f"evals.suites.{suite}")
    return module.run_case


def prepare_for(suite: str) -> Callable[[SuiteRuntime], None] | None:
    """A suite's optional `prepare(runtime)`, run once before its cases."""
    run_case_for(suite)  # validates the name
    module = importlib.import_module(f"evals.suites.{suite}")
    return getattr(module, "prepare", None)


def runs_in_parallel(suite: str) -> bool:
    """False for suites whose cases must run one at a time (`RUNS_IN_PARALLEL = False`)."""
    run_case_for(suite)
    module = importlib.import_module(f"evals.suites.{suite}")
    return bool(getattr(module, "RUNS_IN_PARALLEL", True))


def check(expected: Any, got: Any) -> FieldCheck:
    """A scored field: equal values match (enums compare by value)."""
    expected = getattr(expected, "value", expected)
    got = getattr(got, "value", got)
    return FieldCheck(expected=expected, got=got, match=expected == got)


def base_result(case: EvalCase, suite: str) -> CaseResult:
    """A result carrying the case's id, tags and expectation, to be filled by a suite."""
    return CaseResult(
        id=case.id,
        suite=suite,
        tags=list(case.tags),
        expected=case.expected.model_dump(mode="json", exclude_none=True),
    )
