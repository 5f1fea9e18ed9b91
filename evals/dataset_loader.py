"""Load an eval dataset (JSONL): every good case, and every bad line reported and skipped.

A line that is not JSON, a case that fails its suite's schema and a repeated id are
each reported with the file, the line number and what to fix; the other cases still run.
"""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import BaseModel, ValidationError

from evals.schemas import CASE_MODELS, SUITE_NAMES, EvalCase

DATASETS_DIR = Path(__file__).parent / "datasets"
# The frozen test splits, written before the rules they judge (datasets/frozen/README.md).
TEST_DIR = DATASETS_DIR / "frozen"


class DatasetProblem(BaseModel):
    """A line of a dataset that was skipped, and why."""

    file: str
    line: int
    case_id: str | None = None
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}"
        return (
            f"{where} ({self.case_id}): {self.message}"
            if self.case_id
            else f"{where}: {self.message}"
        )


class Dataset(BaseModel):
    """The cases of one file that passed their schema, and the lines that did not."""

    suite: str
    path: str
    cases: list[EvalCase]
    problems: list[DatasetProblem]


def default_dataset(suite: str) -> Path:
    """`evals/datasets/<suite>.jsonl`: the suite's `dev` split."""
    return DATASETS_DIR / f"{suite}.jsonl"


def split_datasets(suite: str, split: str) -> list[Path]:
    """The files of a suite's split: `dev` is one file; `test` is every
    `evals/datasets/frozen/<suite>-test*.jsonl` (none for a suite without one yet)."""
    if split == "dev":
        return [default_dataset(suite)]
    if split == "test":
        return sorted(TEST_DIR.glob(f"{suite}-test*.jsonl"))
    raise ValueError(f"unknown split {split!r}; use dev or test")


def _pydantic_message(error: ValidationError) -> str:
    parts = []
    for item in error.errors():
        loc = ".".join(str(p) for p in item["loc"]) or "(the case)"
        parts.append(f"{loc}: {item['msg']}")
    return "; ".join(parts)


def guess_suite(path: Path) -> str | None:
    """The suite a file belongs to: its name ('replies.jsonl', 'email-extra.jsonl'), else the
    prefix of its first case id ('icp-0001')."""
    stem = path.name.split(".", 1)[0].lower()
    for suite in SUITE_NAMES:
        if stem == suite or stem.startswith(f"{suite}-") or stem.startswith(f"{suite}_"):
            return suite
    try:
        with path.open(encoding="utf-8") as handle:
            for line in handle:
                if line.strip():
                    first = json.loads(line).get("id", "")
                    prefix = str(first).split("-", 1)[0]
                    return prefix if prefix in SUITE_NAMES else None
    except (OSError, ValueError, AttributeError):
        return None
    return None


def load_datasets(paths: list[Path], suite: str) -> Dataset:
    """Every file of a split as one dataset; an id repeated across files is a problem."""
    loaded = [load_dataset(path, suite) for path in paths]
    cases: list[EvalCase] = []
    problems = [problem for dataset in loaded for problem in dataset.problems]
    seen: dict[str, str] = {}
    for dataset in loaded:
        for case in dataset.cases:
            if case.id in seen:
                problems.append(
                    DatasetProblem(
                        file=dataset.path,
                        line=0,
                        case_id=case.id,
                        message=f"id {case.id!r} is also used in {seen[case.id]}",
                    )
                )
                continue
            seen[case.id] = dataset.path
            cases.append(case)
    return Dataset(
        suite=suite, path=", ".join(d.path for d in loaded), cases=cases, problems=problems
    )


def load_dataset(path: Path, suite: str) -> Dataset:
    """Parse and validate every line of `path` against `suite`'s schema.

    Raises FileNotFoundError (naming the file) when it does not exist; any problem inside
    the file is reported per line, never raised.
    """
    if suite not in CASE_MODELS:
        raise ValueError(f"unknown suite {suite!r}; use one of {', '.join(SUITE_NAMES)}")
    if not path.is_file():
        raise FileNotFoundError(
            f"dataset {path} not found; give a JSONL file following the {suite} schema "
            "(see evals/schemas.py)"
        )
    model = CASE_MODELS[suite]
    cases: list[EvalCase] = []
    problems: list[DatasetProblem] = []
    seen: dict[str, int] = {}
    shown = str(path)
    text = path.read_text(encoding="utf-8-sig")
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
        except json.JSONDecodeError as exc:
            problems.append(
                DatasetProblem(
                    file=shown,
                    line=number,
                    message=f"not valid JSON ({exc.msg} at column {exc.colno}); "
                    "write one JSON object per line",
                )
            )
            continue
        case_id = data.get("id") if isinstance(data, dict) else None
        case_id = str(case_id) if case_id is not None else None
        try:
            case = model.model_validate(data)
        except ValidationError as exc:
            problems.append(
                DatasetProblem(
                    file=shown, line=number, case_id=case_id, message=_pydantic_message(exc)
                )
            )
            continue
        if case.id in seen:
            problems.append(
                DatasetProblem(
                    file=shown,
                    line=number,
                    case_id=case.id,
                    message=f"id {case.id!r} is already used on line {seen[case.id]}; "
                    "give each case its own id",
                )
            )
            continue
        seen[case.id] = number
        cases.append(case)
    return Dataset(suite=suite, path=shown, cases=cases, problems=problems)
