"""`qualify eval ...`: run the offline eval suites and compare two runs."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markdown import Markdown

from app.cli.run_context import console, fail
from evals.dataset_loader import guess_suite
from evals.schemas import SUITE_NAMES

eval_app = typer.Typer(help="Run eval suites on labelled datasets and compare runs.")


def _print_markdown(text: str, plain: bool) -> None:
    if plain:
        typer.echo(text)
    else:
        console.print(Markdown(text))


@eval_app.command("run")
def run_command(
    suites: Annotated[
        list[str] | None,
        typer.Argument(help=f"Suites to run: {', '.join(SUITE_NAMES)} (default: all)."),
    ] = None,
    dataset: Annotated[
        Path | None,
        typer.Option("--dataset", help="A JSONL file following one suite's schema."),
    ] = None,
    split: Annotated[
        list[str] | None,
        typer.Option(
            "--split",
            help="dev (studied) or test (frozen); repeat for both (default: both where a "
            "suite has a test split).",
        ),
    ] = None,
    engine: Annotated[str, typer.Option("--engine", help="offline or llm.")] = "offline",
    model: Annotated[
        str | None, typer.Option("--model", help="Model for --engine llm (QUALIFY_MODEL).")
    ] = None,
    prompt: Annotated[
        list[str] | None,
        typer.Option("--prompt", help="Pin a prompt version: NODE=VERSION or PROMPT=VERSION."),
    ] = None,
    concurrency: Annotated[
        int, typer.Option("--concurrency", min=1, max=64, help="Cases run at once.")
    ] = 1,
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Run folder (default: $QUALIFY_HOME/eval_runs/<run id>)."),
    ] = None,
    no_cache: Annotated[
        bool, typer.Option("--no-cache", help="Ask the model again even for cached prompts.")
    ] = False,
    cache: Annotated[Path | None, typer.Option("--cache", help="LLM cache file (SQLite).")] = None,
    price_in: Annotated[
        float | None, typer.Option("--price-in", help="USD per million input tokens.")
    ] = None,
    price_out: Annotated[
        float | None, typer.Option("--price-out", help="USD per million output tokens.")
    ] = None,
    plain: Annotated[bool, typer.Option("--plain", help="Print raw Markdown.")] = False,
) -> None:
    """Run suites, write results, summary and reports, and print the Markdown report."""
    from evals.report import markdown_report
    from evals.runner import RunOptions, parse_prompt_pins, run_eval
    from prompts.registry import PromptError

    if engine not in ("offline", "llm"):
        raise typer.BadParameter("use 'offline' or 'llm'", param_hint="--engine")
    splits = list(dict.fromkeys(split or ["dev", "test"]))
    if any(s not in ("dev", "test") for s in splits):
        raise typer.BadParameter("use 'dev' or 'test'", param_hint="--split")
    chosen = list(suites or [])
    unknown = [s for s in chosen if s not in SUITE_NAMES]
    if unknown:
        raise fail(
            f"unknown suite {', '.join(unknown)}; use {', '.join(SUITE_NAMES)}", soft_wrap=True
        )
    if dataset is not None:
        if not dataset.is_file():
            raise fail(f"dataset {dataset} not found", soft_wrap=True)
        if not chosen:
            guessed = guess_suite(dataset)
            if guessed is None:
                raise fail(
                    f"cannot tell which suite {dataset} is for; name it, e.g. "
                    f"`qualify eval run replies --dataset {dataset}`",
                    soft_wrap=True,
                )
            chosen = [guessed]
        if len(chosen) != 1:
            raise fail("--dataset runs one suite; name only that one", soft_wrap=True)
    try:
        pins = parse_prompt_pins(list(prompt or []))
        options = RunOptions(
            suites=chosen or list(SUITE_NAMES),
            dataset=dataset,
            splits=splits,  # type: ignore[arg-type]
            engine=engine,  # type: ignore[arg-type]
            model=model,
            prompt_pins=pins,
            concurrency=concurrency,
            out_dir=out,
            cache_path=cache,
            use_cache=not no_cache,
            price_in=price_in,
            price_out=price_out,
        )
        if options.out_dir is None:
            from core.clock import utc_now
            from evals.run_folder import runs_dir
            from evals.runner import run_id_for

            options.out_dir = runs_dir() / run_id_for(options, utc_now())
        run = run_eval(options)
    except (ValueError, PromptError, FileNotFoundError) as exc:
        raise fail(str(exc), soft_wrap=True) from exc
    _print_markdown(markdown_report(run), plain)
    console.print(
        f"Run written to {options.out_dir} (report.html, report.md, summary.json, results-*.jsonl)",
        highlight=False,
    )


@eval_app.command("compare")
def compare_command(
    run_a: Annotated[Path, typer.Argument(help="Run folder A (the baseline).")],
    run_b: Annotated[Path, typer.Argument(help="Run folder B (the candidate).")],
    plain: Annotated[bool, typer.Option("--plain", help="Print raw Markdown.")] = False,
) -> None:
    """Metrics of two runs side by side with deltas, and the cases that changed outcome."""
    from evals.compare import compare_runs, comparison_markdown
    from evals.run_folder import load_run

    try:
        comparison = compare_runs(load_run(run_a), load_run(run_b))
    except (FileNotFoundError, ValueError) as exc:
        raise fail(str(exc), soft_wrap=True) from exc
    _print_markdown(comparison_markdown(comparison), plain)


@eval_app.command("cues")
def cues_command(
    out: Annotated[
        Path | None, typer.Option("--out", help="Write the full Markdown report to this file.")
    ] = None,
    plain: Annotated[bool, typer.Option("--plain", help="Print raw Markdown.")] = False,
) -> None:
    """Which reply-reading cue fires on which dev cases (and how many test cases): cues
    that fire on a single dev case and nothing else are listed as suspects."""
    from evals.cue_report import cue_report, markdown_cue_report

    try:
        report = cue_report()
    except (ValueError, FileNotFoundError) as exc:
        raise fail(str(exc), soft_wrap=True) from exc
    text = markdown_cue_report(report)
    if out is not None:
        out.write_text(text, encoding="utf-8")
        console.print(f"Full report written to {out}", highlight=False)
    summary, _, _rest = text.partition("\n## Every cue")
    _print_markdown(summary, plain)
