"""A run's folder: results per case (JSONL), the summary (JSON), and the reports."""

from __future__ import annotations

import json
from pathlib import Path

from evals.report import html_report, markdown_report
from evals.run_records import EvalRun
from evals.schemas import CaseResult

SUMMARY_FILE = "summary.json"


def results_file(out_dir: Path, suite: str, split: str | None = None) -> Path:
    """`<out>/results-<suite>-<split>.jsonl`, or `results-<suite>.jsonl` for a given dataset."""
    return out_dir / (f"results-{suite}-{split}.jsonl" if split else f"results-{suite}.jsonl")


def write_run(run: EvalRun, out_dir: Path) -> None:
    """Results per case as JSONL, the summary as JSON, and the Markdown and HTML reports."""
    out_dir.mkdir(parents=True, exist_ok=True)
    for suite in run.suites:
        lines = [r.model_dump_json() for r in suite.results]
        results_file(out_dir, suite.suite, suite.split).write_text(
            "".join(f"{line}\n" for line in lines), encoding="utf-8"
        )
    summary = run.model_dump(mode="json")
    for suite in summary["suites"]:
        suite["results"] = []  # in results-<suite>.jsonl, not twice
    (out_dir / SUMMARY_FILE).write_text(
        json.dumps(summary, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    (out_dir / "report.md").write_text(markdown_report(run), encoding="utf-8")
    (out_dir / "report.html").write_text(html_report(run), encoding="utf-8")


def load_run(out_dir: Path) -> EvalRun:
    """A run written by `write_run`, with its results read back."""
    summary_path = out_dir / SUMMARY_FILE
    if not summary_path.is_file():
        raise FileNotFoundError(
            f"{summary_path} not found: give the folder a `qualify eval run --out` wrote"
        )
    run = EvalRun.model_validate_json(summary_path.read_text(encoding="utf-8"))
    for suite in run.suites:
        path = results_file(out_dir, suite.suite, suite.split)
        if path.is_file():
            suite.results = [
                CaseResult.model_validate_json(line)
                for line in path.read_text(encoding="utf-8").splitlines()
                if line.strip()
            ]
    return run
