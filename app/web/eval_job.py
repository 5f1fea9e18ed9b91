"""An eval run as a console job: the suites and splits asked for, run as `qualify eval
run` does, written to the runs folder, with progress per case."""

from __future__ import annotations

from collections.abc import Sequence

from app.web.background_jobs import JobProgress, JobWork
from core.clock import utc_now
from evals.run_folder import new_run_dir, runs_dir
from evals.run_records import EngineName, Split
from evals.runner import RunOptions, RunProgress, run_eval, run_id_for


def eval_run(suites: Sequence[str], splits: Sequence[Split], engine: EngineName) -> JobWork:
    """The job's work; its result is the run's page."""

    def work(progress: JobProgress) -> str:
        options = RunOptions(suites=list(suites), splits=list(splits), engine=engine)
        options.out_dir = new_run_dir(runs_dir(), run_id_for(options, utc_now()))

        def tell(step: RunProgress) -> None:
            where = f" · {step.suite}" if step.suite else ""
            progress(step.done, step.total, f"{step.done} of {step.total} cases{where}")

        run_eval(options, progress=tell)
        return f"/evals/{options.out_dir.name}"

    return work
