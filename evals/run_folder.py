"""A run's folder: results per case (JSONL), the summary (JSON), and the reports."""

from __future__ import annotations

import json
import re
from pathlib import Path

from pydantic import ValidationError

from core.settings import get_settings
from evals.report import html_report, markdown_report
from evals.run_records import EvalRun
from evals.schemas import CaseResult

SUMMARY_FILE = "summary.json"
# A run folder's name as `run_id_for` makes it: no separators, so a name cannot leave the
# runs folder.
_RUN_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$")


def runs_dir() -> Path:
    """Where runs go without `--out`: `$QUALIFY_HOME/eval_runs`."""
    return get_settings().home / "eval_runs"


def new_run_dir(root: Path, run_id: str) -> Path:
    """A new, empty folder `root/run_id` (or `run_id-2`, `-3`... when a run started in
    the same second has the name), made here so two runs cannot both take it."""
    root.mkdir(parents=True, exist_ok=True)
    for n in range(1, 1000):
        candidate = root / (run_id if n == 1 else f"{run_id}-{n}")
        try:
            candidate.mkdir()
        except FileExistsError:
            continue
        return candidate
    raise FileExistsError(f"{root / run_id}: a thousand runs of that second are there already")


def run_dir_named(root: Path, name: str) -> Path | None:
    """The run folder `name` under `root`, if it is a run folder (None otherwise)."""
    if not _RUN_NAME.fullmatch(name) or ".." in name:
        return None
    folder = root / name
    return folder if (folder / SUMMARY_FILE).is_file() else None


def stored_runs(root: Path) -> list[tuple[str, EvalRun]]:
    """(folder name, summary without per-case results) of every run under `root`, newest
    first; a folder whose summary cannot be read is left out."""
    runs: list[tuple[str, EvalRun]] = []
    if not root.is_dir():
        return runs
    for folder in root.iterdir():
        summary = folder / SUMMARY_FILE
        if not _RUN_NAME.fullmatch(folder.name) or not summary.is_file():
            continue
        try:
            runs.append((folder.name, EvalRun.model_validate_json(summary.read_bytes())))
        except (OSError, ValidationError):
            continue
    runs.sort(key=lambda named: (named[1].started_on, named[0]), reverse=True)
    return runs


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
