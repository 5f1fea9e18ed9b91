"""Evaluator pages: the eval runs in the runs folder with their metrics and HTML reports,
two runs compared, and a form that starts a run as a background job.

Only what the runner reports is shown. A frozen test split's compare lists no case ids:
its changed cases are counted, never named (the project's rule on frozen splits)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, ValidationError
from sqlmodel import Session, col, select

from app.web.background_jobs import jobs_of
from app.web.console_access import EvaluatorViewer, database_url_of
from app.web.eval_job import eval_run
from app.web.templating import render
from evals.compare import compare_runs, delta_text, metric_text
from evals.report import GAP_HEADER, OVERVIEW_HEADER, gap_rows, overview_rows
from evals.run_folder import load_run, run_dir_named, runs_dir, stored_runs
from evals.run_records import EvalRun
from evals.schemas import SUITE_NAMES
from store.console_jobs import ConsoleJob
from store.db import get_db_engine

router = APIRouter()

RunName = Annotated[
    str, PathParam(min_length=1, max_length=200, description="The run's folder name.")
]
# The report is our own HTML but quotes dataset text: no script may run in it, whatever
# it holds, and it cannot reach the console (sandbox without allow-scripts).
REPORT_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; "
    "form-action 'none'; frame-ancestors 'none'; sandbox"
)
RUNS_SHOWN = 200


class SuiteFigures(BaseModel):
    """One suite and split of a run: its headline figures."""

    suite: str
    split: str | None
    cases: int
    passed: int
    errors: int
    accuracy: float
    macro_f1: float
    lines_skipped: int
    seconds: float


class EvalRunListing(BaseModel):
    """A stored run: how it ran and its figures per suite and split."""

    name: str
    run_id: str
    started_on: datetime
    engine: str
    model: str | None
    seconds: float
    suites: list[SuiteFigures]


def _listing(name: str, run: EvalRun) -> EvalRunListing:
    return EvalRunListing(
        name=name,
        run_id=run.run_id,
        started_on=run.started_on,
        engine=run.engine,
        model=run.model,
        seconds=run.seconds,
        suites=[
            SuiteFigures(
                suite=s.suite,
                split=s.split,
                cases=s.metrics.cases,
                passed=s.metrics.passed,
                errors=s.metrics.errors,
                accuracy=s.metrics.accuracy,
                macro_f1=s.metrics.macro_f1,
                lines_skipped=len(s.problems),
                seconds=s.seconds,
            )
            for s in run.suites
        ],
    )


def _run_named(name: str, *, with_results: bool = False) -> EvalRun:
    folder = run_dir_named(runs_dir(), name)
    if folder is None:
        raise HTTPException(status_code=404, detail=f"No eval run {name!r}.")
    try:
        if with_results:
            return load_run(folder)
        return EvalRun.model_validate_json((folder / "summary.json").read_bytes())
    except (OSError, ValueError, ValidationError) as exc:
        raise HTTPException(status_code=404, detail=f"Eval run {name!r} cannot be read.") from exc


# -- JSON API ------------------------------------------------------------------------------


@router.get("/api/evals/runs", response_model=list[EvalRunListing], tags=["evals"])
def list_runs(
    viewer: EvaluatorViewer,
    limit: Annotated[int, Query(ge=1, le=RUNS_SHOWN)] = 50,
) -> list[EvalRunListing]:
    """The stored runs, newest first, with their figures per suite and split."""
    return [_listing(name, run) for name, run in stored_runs(runs_dir())[:limit]]


@router.get("/api/evals/runs/{name}", response_model=EvalRunListing, tags=["evals"])
def one_run(viewer: EvaluatorViewer, name: RunName) -> EvalRunListing:
    """One stored run's figures."""
    return _listing(name, _run_named(name))


# -- pages ---------------------------------------------------------------------------------


def _evals_page(
    request: Request, *, errors: dict[str, str], chosen: dict[str, list[str]], status: int = 200
) -> HTMLResponse:
    with Session(get_db_engine(database_url_of(request))) as session:
        jobs = session.exec(
            select(ConsoleJob)
            .where(ConsoleJob.kind == "eval")
            .order_by(col(ConsoleJob.id).desc())
            .limit(10)
        ).all()
    runs = [_listing(name, run) for name, run in stored_runs(runs_dir())[:RUNS_SHOWN]]
    return render(
        request,
        "evals.html",
        status_code=status,
        runs=runs,
        jobs=jobs,
        suite_names=SUITE_NAMES,
        errors=errors,
        chosen=chosen,
    )


@router.get("/evals", response_class=HTMLResponse, include_in_schema=False)
def evals_page(request: Request, viewer: EvaluatorViewer) -> HTMLResponse:
    """The stored runs, a form to start one, and two runs to compare."""
    return _evals_page(
        request, errors={}, chosen={"suites": [], "splits": ["dev"], "engine": ["offline"]}
    )


@router.post("/evals/runs", include_in_schema=False)
def start_run(
    request: Request,
    viewer: EvaluatorViewer,
    suites: Annotated[list[str] | None, Form(max_length=40)] = None,
    splits: Annotated[list[str] | None, Form(max_length=10)] = None,
    engine: Annotated[str, Form(max_length=20)] = "offline",
) -> Response:
    """Start an eval run as a job and follow it on its page."""
    suites, splits = list(dict.fromkeys(suites or [])), list(dict.fromkeys(splits or []))
    errors: dict[str, str] = {}
    if not suites or any(s not in SUITE_NAMES for s in suites):
        errors["suites"] = f"Choose one or more suites of: {', '.join(SUITE_NAMES)}."
    if not splits or any(s not in ("dev", "test") for s in splits):
        errors["splits"] = "Choose dev, test or both."
    if engine not in ("offline", "llm"):
        errors["engine"] = "Choose offline or llm."
    if errors:
        chosen = {"suites": suites, "splits": splits, "engine": [engine]}
        return _evals_page(request, errors=errors, chosen=chosen, status=422)
    job_id = jobs_of(request.app).start(
        "eval",
        viewer,
        eval_run(suites, splits, engine),  # type: ignore[arg-type]
        message=f"Waiting to run {', '.join(suites)} ({', '.join(splits)})",
    )
    return RedirectResponse(f"/jobs/{job_id}", status_code=303)


@router.get("/evals/compare", response_class=HTMLResponse, include_in_schema=False)
def compare_page(
    request: Request,
    viewer: EvaluatorViewer,
    a: Annotated[str, Query(min_length=1, max_length=200)],
    b: Annotated[str, Query(min_length=1, max_length=200)],
) -> HTMLResponse:
    """Run B against run A: per-metric deltas, and the cases that changed outcome."""
    comparison = compare_runs(_run_named(a, with_results=True), _run_named(b, with_results=True))
    return render(
        request,
        "eval_compare.html",
        a=a,
        b=b,
        comparison=comparison,
        fmt=metric_text,
        delta=delta_text,
    )


@router.get("/evals/{name}", response_class=HTMLResponse, include_in_schema=False)
def run_page(request: Request, viewer: EvaluatorViewer, name: RunName) -> HTMLResponse:
    """One run: its figures per suite and split, the dev–test gap, and its report."""
    run = _run_named(name)
    return render(
        request,
        "eval_run.html",
        name=name,
        run=run,
        overview_header=OVERVIEW_HEADER,
        overview=overview_rows(run),
        gap_header=GAP_HEADER,
        gaps=gap_rows(run),
        others=[n for n, _ in stored_runs(runs_dir())[:RUNS_SHOWN] if n != name],
    )


@router.get("/evals/{name}/report.html", include_in_schema=False)
def run_report(viewer: EvaluatorViewer, name: RunName) -> Response:
    """The run's HTML report as written, under a policy that runs no script."""
    folder = run_dir_named(runs_dir(), name)
    report = folder / "report.html" if folder is not None else None
    if report is None or not report.is_file():
        raise HTTPException(status_code=404, detail=f"No report for eval run {name!r}.")
    return Response(
        report.read_bytes(),
        media_type="text/html; charset=utf-8",
        headers={"Content-Security-Policy": REPORT_POLICY, "Cache-Control": "no-store"},
    )
