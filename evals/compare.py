"""Compare two eval runs: metrics side by side with deltas, and the cases that changed.

Used to choose between two prompt versions or two models before an admin switches.
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from evals.metrics import SuiteMetrics
from evals.run_records import EvalRun, SuiteRun

CHANGES_SHOWN = 50


class MetricRow(BaseModel):
    """One figure in both runs; delta = B - A (None when either is missing)."""

    name: str
    a: float | None
    b: float | None
    higher_is_better: bool = True

    @property
    def delta(self) -> float | None:
        """B minus A."""
        return None if self.a is None or self.b is None else self.b - self.a


class CaseChange(BaseModel):
    """A case whose outcome differs between the runs."""

    id: str
    change: str = Field(description="fixed, broke or changed (both failed, differently).")
    a_label: str | None
    b_label: str | None
    expected: str | None


class SuiteComparison(BaseModel):
    """One suite in both runs."""

    suite: str
    rows: list[MetricRow]
    changes: list[CaseChange]
    only_in_a: list[str]
    only_in_b: list[str]
    same_dataset: bool


class Comparison(BaseModel):
    """Two runs compared."""

    run_a: str
    run_b: str
    a_setup: str
    b_setup: str
    suites: list[SuiteComparison]
    missing: list[str] = Field(description="Suites run in only one of the two.")


def metric_rows(a: SuiteMetrics | None, b: SuiteMetrics | None) -> list[MetricRow]:
    """The headline figures of a suite, then F1 per class and accuracy per field."""

    def get(m: SuiteMetrics | None, pick) -> float | None:
        if m is None:
            return None
        try:
            return pick(m)
        except (KeyError, AttributeError, TypeError):
            return None

    def row(name: str, pick, higher: bool = True) -> MetricRow:
        return MetricRow(name=name, a=get(a, pick), b=get(b, pick), higher_is_better=higher)

    rows = [
        row("accuracy", lambda m: m.accuracy),
        row("macro-F1", lambda m: m.macro_f1),
        row("errors", lambda m: float(m.errors), higher=False),
    ]
    classes = sorted(set(a.classes if a else {}) | set(b.classes if b else {}))
    rows += [row(f"F1 {c}", lambda m, c=c: m.classes[c].f1) for c in classes]
    fields = sorted(set(a.field_accuracy if a else {}) | set(b.field_accuracy if b else {}))
    rows += [row(f"field {f}", lambda m, f=f: m.field_accuracy[f]) for f in fields]
    rows += [
        row("evidence token F1", lambda m: m.spans.mean_token_f1),
        row("Brier", lambda m: m.calibration.brier, higher=False),
        row("ECE", lambda m: m.calibration.ece, higher=False),
        row("latency p50 ms", lambda m: m.usage.latency_p50_ms, higher=False),
        row("latency p95 ms", lambda m: m.usage.latency_p95_ms, higher=False),
        row(
            "tokens/case",
            lambda m: m.usage.tokens_in_per_case + m.usage.tokens_out_per_case,
            higher=False,
        ),
        row("cost/case $", lambda m: m.usage.cost_usd_per_case, higher=False),
    ]
    return [r for r in rows if r.a is not None or r.b is not None]


def _changes(a: SuiteRun, b: SuiteRun) -> tuple[list[CaseChange], list[str], list[str]]:
    by_id_a = {r.id: r for r in a.results}
    by_id_b = {r.id: r for r in b.results}
    changes: list[CaseChange] = []
    for case_id, ra in by_id_a.items():
        rb = by_id_b.get(case_id)
        if rb is None:
            continue
        if ra.passed != rb.passed:
            kind = "fixed" if rb.passed else "broke"
        elif not ra.passed and ra.label_got != rb.label_got:
            kind = "changed"
        else:
            continue
        changes.append(
            CaseChange(
                id=case_id,
                change=kind,
                a_label=ra.label_got if ra.error is None else f"error: {ra.error}",
                b_label=rb.label_got if rb.error is None else f"error: {rb.error}",
                expected=rb.label_expected,
            )
        )
    only_a = sorted(set(by_id_a) - set(by_id_b))
    only_b = sorted(set(by_id_b) - set(by_id_a))
    return changes, only_a, only_b


def _setup(run: EvalRun) -> str:
    prompts = ", ".join(f"{n}={v}" for n, v in run.prompt_versions) or "prompts in force"
    return f"{run.engine}" + (f" {run.model}" if run.model else "") + f", {prompts}"


def compare_runs(a: EvalRun, b: EvalRun) -> Comparison:
    """Every suite both runs have, side by side, with the cases that changed outcome."""
    suites_a = {s.label: s for s in a.suites}
    suites_b = {s.label: s for s in b.suites}
    compared: list[SuiteComparison] = []
    for name in [s for s in suites_a if s in suites_b]:
        sa, sb = suites_a[name], suites_b[name]
        changes, only_a, only_b = _changes(sa, sb)
        compared.append(
            SuiteComparison(
                suite=name,
                rows=metric_rows(sa.metrics, sb.metrics),
                changes=changes,
                only_in_a=only_a,
                only_in_b=only_b,
                same_dataset=sa.dataset_sha256 == sb.dataset_sha256,
            )
        )
    missing = sorted(set(suites_a) ^ set(suites_b))
    return Comparison(
        run_a=a.run_id,
        run_b=b.run_id,
        a_setup=_setup(a),
        b_setup=_setup(b),
        suites=compared,
        missing=missing,
    )


def metric_text(value: float | None, name: str) -> str:
    if value is None:
        return "—"
    if name.startswith(("accuracy", "field")):
        return f"{value * 100:.1f}%"
    if name.startswith("cost"):
        return f"{value:.5f}"
    if name.startswith(("latency", "tokens", "errors")):
        return f"{value:.1f}"
    return f"{value:.3f}"


def delta_text(row: MetricRow) -> str:
    delta = row.delta
    if delta is None:
        return "—"
    if abs(delta) < 1e-12:
        return "="
    better = (delta > 0) == row.higher_is_better
    scaled = delta * 100 if row.name.startswith(("accuracy", "field")) else delta
    unit = " pt" if row.name.startswith(("accuracy", "field")) else ""
    digits = 1 if unit or row.name.startswith(("latency", "tokens", "errors")) else 3
    return f"{scaled:+.{digits}f}{unit} {'▲' if better else '▼'}"


def comparison_markdown(comparison: Comparison) -> str:
    """The comparison as Markdown: a table per suite, then the changed cases."""
    lines = [
        f"# Eval compare: A = {comparison.run_a}, B = {comparison.run_b}",
        "",
        f"A: {comparison.a_setup}  ",
        f"B: {comparison.b_setup}",
        "",
    ]
    if comparison.missing:
        lines += [f"Suites in only one run (not compared): {', '.join(comparison.missing)}", ""]
    for suite in comparison.suites:
        lines += [f"## {suite.suite}", ""]
        if not suite.same_dataset:
            lines += ["Note: the two runs used different dataset files.", ""]
        lines += ["| metric | A | B | B − A |", "|---|---|---|---|"]
        lines += [
            f"| {r.name} | {metric_text(r.a, r.name)} | {metric_text(r.b, r.name)} "
            f"| {delta_text(r)} |"
            for r in suite.rows
        ]
        fixed = sum(c.change == "fixed" for c in suite.changes)
        broke = sum(c.change == "broke" for c in suite.changes)
        lines += [
            "",
            f"Cases that changed outcome: {fixed} fixed, {broke} broke, "
            f"{len(suite.changes) - fixed - broke} failing differently.",
        ]
        for change in suite.changes[:CHANGES_SHOWN]:
            lines.append(
                f"- `{change.id}` {change.change}: expected {change.expected}; "
                f"A {change.a_label} → B {change.b_label}"
            )
        if len(suite.changes) > CHANGES_SHOWN:
            lines.append(f"- … and {len(suite.changes) - CHANGES_SHOWN} more")
        if suite.only_in_a or suite.only_in_b:
            lines.append(
                f"Cases in only one run: {len(suite.only_in_a)} only in A, "
                f"{len(suite.only_in_b)} only in B."
            )
        lines.append("")
    return "\n".join(lines)
