"""The eval runner: run suites on their datasets, score every case, write the run.

A run folder holds `results-<suite>-<split>.jsonl` (one `CaseResult` a line), `summary.json`
(options, datasets, skipped lines and every suite's metrics), `report.md` and
`report.html`. With the LLM engine, answers are cached by (model, prompt, schema) in a
SQLite file, so running the same cases again makes no model request.
"""

from __future__ import annotations

import hashlib
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.outputs import ChatGeneration, LLMResult
from langchain_core.tracers.context import register_configure_hook
from pydantic import BaseModel, Field

from core.clock import utc_now
from core.settings import get_settings
from evals.dataset_loader import Dataset, load_datasets, split_datasets
from evals.metrics import summarize
from evals.run_folder import write_run
from evals.run_records import EngineName, EvalRun, Split, SuiteRun
from evals.schemas import SUITE_NAMES, CaseResult, EvalCase
from evals.suites import (
    SuiteRuntime,
    base_result,
    prepare_for,
    run_case_for,
    runs_in_parallel,
)
from graphs.context import Context
from graphs.reasoning.base import ReasoningEngine
from graphs.reasoning.llm.response_cache import counting_cache_use, llm_cache_at
from graphs.reasoning.offline import OfflineEngine


class Pricing(BaseModel):
    """Price per million tokens; None: unknown (cost is then not reported)."""

    input_per_mtok: float | None = None
    output_per_mtok: float | None = None

    @classmethod
    def for_model(
        cls, model: str | None, price_in: float | None = None, price_out: float | None = None
    ) -> Pricing:
        """Given prices win; else the price in force (`llm_pricing`); else unknown."""
        listed: tuple[float, float] | None = None
        if model:
            try:
                from graphs.reasoning.llm_pricing import price_for
            except ImportError:  # pricing table not installed: costs are not reported
                price_for = None
            found = price_for(model) if price_for is not None else None
            if found is not None:
                listed = (found.input_per_million, found.output_per_million)
        return cls(
            input_per_mtok=price_in if price_in is not None else (listed[0] if listed else None),
            output_per_mtok=price_out if price_out is not None else (listed[1] if listed else None),
        )

    def cost(self, tokens_in: int, tokens_out: int) -> float | None:
        """Dollars for these tokens, or None when a price is unknown."""
        if self.input_per_mtok is None or self.output_per_mtok is None:
            return None
        return (tokens_in * self.input_per_mtok + tokens_out * self.output_per_mtok) / 1e6


class RunOptions(BaseModel):
    """What `qualify eval run` was asked for."""

    suites: list[str] = Field(default_factory=lambda: list(SUITE_NAMES))
    dataset: Path | None = Field(default=None, description="Only with a single suite.")
    splits: list[Split] = Field(
        default_factory=lambda: ["dev", "test"],
        description="Splits to run; a suite without a test split runs dev only.",
    )
    engine: EngineName = "offline"
    model: str | None = None
    prompt_pins: dict[str, str] = Field(default_factory=dict)
    concurrency: int = Field(default=1, ge=1, le=64)
    out_dir: Path | None = None
    cache_path: Path | None = Field(default=None, description="None: the default cache file.")
    use_cache: bool = True
    price_in: float | None = Field(default=None, ge=0)
    price_out: float | None = Field(default=None, ge=0)


# -- tokens per case ---------------------------------------------------------------------


class _CaseUsage(BaseCallbackHandler):
    """Counts model calls and tokens of one case; a call answered by the cache is free."""

    def __init__(self) -> None:
        self.calls = 0
        self.cached = 0
        self.tokens_in = 0
        self.tokens_out = 0
        self.billed_in = 0
        self.billed_out = 0

    def on_llm_end(self, response: LLMResult, **kwargs: Any) -> None:
        """Add the call's token usage."""
        for generation in (g for batch in response.generations for g in batch):
            message = generation.message if isinstance(generation, ChatGeneration) else None
            used = getattr(message, "usage_metadata", None) or {}
            tokens_in = int(used.get("input_tokens", 0) or 0)
            tokens_out = int(used.get("output_tokens", 0) or 0)
            self.calls += 1
            self.tokens_in += tokens_in
            self.tokens_out += tokens_out
            # LangChain zeroes `total_cost` on answers it took from the cache.
            if used.get("total_cost") == 0:
                self.cached += 1
            else:
                self.billed_in += tokens_in
                self.billed_out += tokens_out


_case_usage: ContextVar[_CaseUsage | None] = ContextVar("qualify_eval_case_usage", default=None)
# Every chat model call made while the variable is set reports to its handler.
register_configure_hook(_case_usage, inheritable=True)


def _measured(
    suite: str,
    run_case: Callable[[EvalCase, SuiteRuntime], CaseResult],
    case: EvalCase,
    runtime: SuiteRuntime,
    pricing: Pricing,
) -> CaseResult:
    """Run one case, timing it and counting its model calls, tokens and cost."""
    handler = _CaseUsage()
    token = _case_usage.set(handler)
    started = time.perf_counter()
    try:
        with counting_cache_use() as stats:
            try:
                result = run_case(case, runtime)
            except Exception as exc:  # one broken case must not stop the run: it is
                # reported as failed with its error, and counted in the metrics
                result = base_result(case, suite)
                result.error = f"{type(exc).__name__}: {exc}"
    finally:
        _case_usage.reset(token)
    result.latency_ms = (time.perf_counter() - started) * 1000
    result.llm_calls = handler.calls
    result.cached_calls = max(handler.cached, stats.hits if handler.calls else 0)
    result.tokens_in, result.tokens_out = handler.tokens_in, handler.tokens_out
    result.cost_usd = (
        0.0 if handler.calls == 0 else pricing.cost(handler.billed_in, handler.billed_out)
    )
    return result


# -- running -----------------------------------------------------------------------------


def parse_prompt_pins(pairs: list[str]) -> dict[str, str]:
    """'NODE=VERSION' strings as a dict; a malformed pair raises ValueError naming it."""
    pins: dict[str, str] = {}
    for pair in pairs:
        key, sep, version = pair.partition("=")
        if not sep or not key.strip() or not version.strip():
            raise ValueError(
                f"--prompt {pair!r}: write NODE=VERSION or PROMPT=VERSION, e.g. reply_reader=3"
            )
        pins[key.strip()] = version.strip()
    return pins


def expand_pins(pins: dict[str, str], database_url: str) -> tuple[tuple[str, str], ...]:
    """Pins as `Context.prompt_versions`: nodes expanded to their prompts when the prompt
    versioning module is there, else taken as prompt names."""
    if not pins:
        return ()
    try:
        from prompts.versioning import expand_prompt_pins
    except ImportError:
        return tuple(sorted(pins.items()))
    return tuple(expand_prompt_pins(pins, database_url))


def build_runtime_engine(context: Context) -> ReasoningEngine:
    """The engine measured: offline, or the LLM itself.

    The LLM engine is measured without its offline fallback, so a failed model call shows
    as that case's error instead of passing off an offline answer as the model's.
    """
    if context.engine == "offline":
        return OfflineEngine()
    from graphs.services import build_reasoning_engine

    engine = build_reasoning_engine(context)
    return getattr(engine, "primary", engine)


def default_cache_path() -> Path:
    """`$QUALIFY_HOME/eval_cache/llm_cache.sqlite`."""
    return get_settings().home / "eval_cache" / "llm_cache.sqlite"


def _sha256(paths: list[Path]) -> str:
    digest = hashlib.sha256()
    for path in paths:
        digest.update(path.read_bytes())
    return digest.hexdigest()


@dataclass(frozen=True)
class RunProgress:
    """How far a run is: cases finished over the cases of every suite asked for."""

    done: int
    total: int
    suite: str = ""
    """The label of the suite that finished a case, e.g. `email (dev)`."""


def run_suite(
    suite: str,
    datasets: list[Path],
    runtime: SuiteRuntime,
    *,
    split: Split | None = None,
    concurrency: int = 1,
    pricing: Pricing | None = None,
    loaded: Dataset | None = None,
    on_case: Callable[[], None] | None = None,
) -> SuiteRun:
    """Run every valid case of the dataset files (bad lines are reported in `problems`);
    `loaded`: those files already read; `on_case` is called after each case."""
    started = time.perf_counter()
    loaded = loaded if loaded is not None else load_datasets(datasets, suite)
    run_case = run_case_for(suite)
    prepare = prepare_for(suite)
    if prepare is not None and loaded.cases:
        prepare(runtime)
    price = pricing or Pricing()

    def one(case: EvalCase) -> CaseResult:
        result = _measured(suite, run_case, case, runtime, price)
        if on_case is not None:
            on_case()
        return result

    if concurrency > 1 and len(loaded.cases) > 1 and runs_in_parallel(suite):
        with ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="eval") as pool:
            results = list(pool.map(one, loaded.cases))
    else:
        results = [one(case) for case in loaded.cases]
    return SuiteRun(
        suite=suite,
        split=split,
        dataset=loaded.path,
        dataset_sha256=_sha256(datasets),
        problems=loaded.problems,
        results=results,
        metrics=summarize(suite, results),
        seconds=time.perf_counter() - started,
    )


def run_id_for(options: RunOptions, now: datetime) -> str:
    model = f"-{options.model}" if options.engine == "llm" and options.model else ""
    safe = "".join(c if c.isalnum() or c in "-._" else "_" for c in model)
    return f"{now:%Y%m%d-%H%M%S}-{options.engine}{safe}"


def _planned(options: RunOptions) -> list[tuple[str, Split | None, list[Path]]]:
    """(suite, split, dataset files) for every suite run the options ask for, in order."""
    if options.dataset is not None:
        return [(suite, None, [options.dataset]) for suite in options.suites]
    planned: list[tuple[str, Split | None, list[Path]]] = []
    for suite in options.suites:
        for split in options.splits:
            files = split_datasets(suite, split)
            if files:
                planned.append((suite, split, files))
    return planned


def run_eval(options: RunOptions, progress: Callable[[RunProgress], None] | None = None) -> EvalRun:
    """Run the asked suites and, with an out folder, write the run there. `progress` is
    called after every case (from the case's thread) with the cases done over all."""
    for suite in options.suites:
        if suite not in SUITE_NAMES:
            raise ValueError(f"unknown suite {suite!r}; use one of {', '.join(SUITE_NAMES)}")
    if options.dataset is not None and len(options.suites) != 1:
        raise ValueError("--dataset runs one suite: name it (e.g. `qualify eval run replies`)")
    now = utc_now()
    base = Context(engine=options.engine)
    context = Context(
        engine=options.engine,
        model=options.model or base.model,
        prompt_versions=expand_pins(options.prompt_pins, base.database_url),
    )
    engine = build_runtime_engine(context)
    model = context.model if options.engine == "llm" else None
    pricing = Pricing.for_model(model, options.price_in, options.price_out)
    cache_path = (
        (options.cache_path or default_cache_path())
        if options.use_cache and options.engine == "llm"
        else None
    )
    # Read up front, so the progress has its total before the first case.
    planned = [
        (suite, split, files, load_datasets(files, suite))
        for suite, split, files in _planned(options)
    ]
    total = sum(len(loaded.cases) for *_, loaded in planned)
    done = 0
    counting = threading.Lock()

    def case_done(label: str) -> Callable[[], None] | None:
        if progress is None:
            return None

        def tell() -> None:
            nonlocal done
            with counting:  # told in order, even with cases side by side
                done += 1
                progress(RunProgress(done=done, total=total, suite=label))

        return tell

    if progress is not None:
        progress(RunProgress(done=0, total=total))
    started = time.perf_counter()
    runs: list[SuiteRun] = []
    with (
        tempfile.TemporaryDirectory(prefix="qualify-eval-") as scratch,
        llm_cache_at(cache_path),
    ):
        runtime = SuiteRuntime(engine=engine, context=context, work_dir=Path(scratch))
        for suite, split, files, loaded in planned:
            label = f"{suite} ({split})" if split else suite
            runs.append(
                run_suite(
                    suite,
                    files,
                    runtime,
                    split=split,
                    concurrency=options.concurrency,
                    pricing=pricing,
                    loaded=loaded,
                    on_case=case_done(label),
                )
            )
    run = EvalRun(
        run_id=run_id_for(options, now),
        started_on=now,
        engine=options.engine,
        model=model,
        prompt_versions=list(context.prompt_versions),
        concurrency=options.concurrency,
        seconds=time.perf_counter() - started,
        out_dir=str(options.out_dir) if options.out_dir else None,
        cache=str(cache_path) if cache_path else None,
        suites=runs,
    )
    if options.out_dir is not None:
        write_run(run, options.out_dir)
    return run
