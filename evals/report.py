"""Eval reports: Markdown for the terminal and CI, and one self-contained HTML file.

The HTML file has no external assets and no scripts: CSS and the charts (confusion
matrix heatmaps, per-class F1 bars, reliability diagrams) are inline SVG.
"""

from __future__ import annotations

from html import escape

from evals.metrics import Calibration, ConfusionMatrix, SuiteMetrics
from evals.run_records import EvalRun, SuiteRun, split_gaps

MAX_FAILURES_SHOWN = 15
MAX_PROBLEMS_SHOWN = 20


def pct(value: float | None) -> str:
    """0.912 -> '91.2%'."""
    return "—" if value is None else f"{value * 100:.1f}%"


def num(value: float | None, digits: int = 3) -> str:
    """A score with fixed digits, or a dash."""
    return "—" if value is None else f"{value:.{digits}f}"


def money(value: float | None) -> str:
    """Dollars with enough digits for a fraction of a cent."""
    return "—" if value is None else f"${value:.5f}"


def _md_table(header: list[str], rows: list[list[str]]) -> list[str]:
    def clean(cell: str) -> str:
        return cell.replace("|", "\\|").replace("\n", " ")

    lines = ["| " + " | ".join(clean(h) for h in header) + " |"]
    lines.append("|" + "|".join("---" for _ in header) + "|")
    lines += ["| " + " | ".join(clean(c) for c in row) + " |" for row in rows]
    return lines


def _run_line(run: EvalRun) -> str:
    prompts = ", ".join(f"{n}={v}" for n, v in run.prompt_versions) or "in force"
    model = run.model or "—"
    return (
        f"engine **{run.engine}** · model {model} · prompts {prompts} · "
        f"concurrency {run.concurrency} · {run.seconds:.1f} s · "
        f"started {run.started_on:%Y-%m-%d %H:%M} UTC"
    )


def overview_rows(run: EvalRun) -> list[list[str]]:
    """One row per suite: the headline figures."""
    rows = []
    for suite in run.suites:
        m, u = suite.metrics, suite.metrics.usage
        rows.append(
            [
                suite.label,
                str(m.cases),
                str(m.passed),
                pct(m.accuracy),
                num(m.macro_f1),
                str(m.errors),
                str(len(suite.problems)),
                f"{u.latency_p50_ms:.1f}",
                f"{u.latency_p95_ms:.1f}",
                f"{u.tokens_in_per_case + u.tokens_out_per_case:.0f}",
                money(u.cost_usd_per_case),
                f"{suite.seconds:.1f}",
            ]
        )
    return rows


GAP_HEADER = ["suite", "dev accuracy", "test accuracy", "gap", "dev macro-F1", "test macro-F1"]


def gap_rows(run: EvalRun) -> list[list[str]]:
    """Dev and test side by side for every suite that ran on both, with the gap."""
    return [
        [
            gap.suite,
            pct(gap.dev_accuracy),
            pct(gap.test_accuracy),
            f"{gap.accuracy_gap * 100:+.1f} pts",
            num(gap.dev_macro_f1),
            num(gap.test_macro_f1),
        ]
        for gap in split_gaps(run)
    ]


OVERVIEW_HEADER = [
    "suite",
    "cases",
    "passed",
    "accuracy",
    "macro-F1",
    "errors",
    "skipped lines",
    "p50 ms",
    "p95 ms",
    "tokens/case",
    "cost/case",
    "seconds",
]


def _md_suite(suite: SuiteRun) -> list[str]:
    m = suite.metrics
    lines = [
        f"## {suite.label}",
        "",
        f"Dataset `{suite.dataset}` (sha256 {suite.dataset_sha256[:12]}): {m.cases} cases run, "
        f"{len(suite.problems)} lines skipped. Accuracy **{pct(m.accuracy)}**, "
        f"macro-F1 **{num(m.macro_f1)}**.",
        "",
    ]
    if suite.problems:
        lines.append("Skipped lines:")
        lines += [f"- {p}" for p in suite.problems[:MAX_PROBLEMS_SHOWN]]
        if len(suite.problems) > MAX_PROBLEMS_SHOWN:
            lines.append(f"- … and {len(suite.problems) - MAX_PROBLEMS_SHOWN} more")
        lines.append("")
    lines += _md_table(
        ["class", "precision", "recall", "F1", "support", "predicted"],
        [
            [name, num(s.precision), num(s.recall), num(s.f1), str(s.support), str(s.predicted)]
            for name, s in m.classes.items()
        ],
    )
    lines += ["", "Confusion matrix (rows: expected, columns: given):", ""]
    lines += _md_table(
        ["expected \\ given", *m.confusion.labels],
        [
            [label, *(str(c) for c in row)]
            for label, row in zip(m.confusion.labels, m.confusion.counts, strict=True)
        ],
    )
    if m.field_accuracy:
        lines += ["", "Per field:", ""]
        lines += _md_table(
            ["field", "accuracy", "cases"],
            [[f, pct(a), str(m.field_cases.get(f, 0))] for f, a in m.field_accuracy.items()],
        )
    if m.spans is not None:
        dims = ", ".join(f"{k} {num(v, 2)}" for k, v in m.spans.by_name.items())
        lines += [
            "",
            f"Evidence overlap: mean token F1 **{num(m.spans.mean_token_f1)}** over "
            f"{m.spans.pairs} expected quotes (exact {pct(m.spans.exact_match)}, none given "
            f"{pct(m.spans.missing)}); by dimension: {dims}.",
        ]
    if m.calibration is not None:
        lines += ["", _md_calibration(m.calibration)]
    failures = [r for r in suite.results if not r.passed]
    if failures:
        lines += ["", f"Failed cases ({len(failures)}, first {MAX_FAILURES_SHOWN}):", ""]
        for r in failures[:MAX_FAILURES_SHOWN]:
            wrong = [f"{n}: {c.expected!r} → {c.got!r}" for n, c in r.fields.items() if not c.match]
            detail = r.error or "; ".join(wrong)
            lines.append(f"- `{r.id}` {r.label_expected} → {r.label_got}: {detail}")
    lines.append("")
    return lines


def _md_calibration(cal: Calibration) -> str:
    bins = "; ".join(
        f"[{b.lower:.1f}, {b.upper:.1f}) n={b.count}"
        + (f" score {b.mean_score:.2f} vs {b.positive_rate:.2f}" if b.count else "")
        for b in cal.bins
    )
    return (
        f"Calibration of the score against an exact fit: Brier **{num(cal.brier)}**, "
        f"ECE **{num(cal.ece)}** over {cal.cases} cases. Bins: {bins}."
    )


def markdown_report(run: EvalRun) -> str:
    """The run as Markdown: an overview table, then each suite's details."""
    lines = [f"# Eval run {run.run_id}", "", _run_line(run), ""]
    lines += _md_table(OVERVIEW_HEADER, overview_rows(run))
    lines.append("")
    if gaps := gap_rows(run):
        lines += ["Dev (studied) and test (frozen, unseen by the rules) side by side:", ""]
        lines += _md_table(GAP_HEADER, gaps)
        lines.append("")
    for suite in run.suites:
        lines += _md_suite(suite)
    return "\n".join(lines)


# -- HTML ----------------------------------------------------------------------------------

_CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2rem auto;
max-width:1100px;color:#1f2933;padding:0 1rem}
h1{font-size:1.6rem}h2{margin-top:2.5rem;border-bottom:1px solid #d9e2ec;padding-bottom:.3rem}
table{border-collapse:collapse;margin:.8rem 0;font-size:.9rem}
th,td{border:1px solid #d9e2ec;padding:.25rem .55rem;text-align:right}
th:first-child,td:first-child{text-align:left}th{background:#f0f4f8}
.charts{display:flex;flex-wrap:wrap;gap:2rem;align-items:flex-start}
.muted{color:#627d98}.bad{color:#b42318}.good{color:#067647}
details{margin:.6rem 0}code{background:#f0f4f8;padding:0 .2rem}
"""


def _html_table(header: list[str], rows: list[list[str]]) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _heat(share: float) -> str:
    """White to deep blue by share."""
    r = round(255 - share * (255 - 31))
    g = round(255 - share * (255 - 90))
    b = round(255 - share * (255 - 160))
    return f"rgb({r},{g},{b})"


def confusion_svg(matrix: ConfusionMatrix, title: str = "Confusion matrix") -> str:
    """A heatmap: rows expected, columns given, shaded by share of the row."""
    labels = matrix.labels
    cell, left, top = 46, 150, 120
    size = len(labels)
    width, height = left + cell * size + 20, top + cell * size + 40
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'role="img" aria-label="{escape(title)}" font-size="11">',
        f'<text x="{left}" y="14" font-weight="bold">{escape(title)}</text>',
        f'<text x="{left}" y="30" fill="#627d98">rows: expected · columns: given</text>',
    ]
    for j, label in enumerate(labels):
        x = left + j * cell + cell / 2
        parts.append(
            f'<text transform="translate({x},{top - 6}) rotate(-45)">{escape(label[:22])}</text>'
        )
    for i, label in enumerate(labels):
        y = top + i * cell
        total = sum(matrix.counts[i]) or 1
        parts.append(
            f'<text x="{left - 6}" y="{y + cell / 2 + 4}" text-anchor="end">'
            f"{escape(label[:22])}</text>"
        )
        for j, count in enumerate(matrix.counts[i]):
            share = count / total
            x = left + j * cell
            stroke = ' stroke="#067647" stroke-width="2"' if i == j else ' stroke="#d9e2ec"'
            parts.append(
                f'<rect x="{x}" y="{y}" width="{cell}" height="{cell}" '
                f'fill="{_heat(share)}"{stroke}><title>{escape(label)} → '
                f"{escape(labels[j])}: {count}</title></rect>"
            )
            colour = "#ffffff" if share > 0.55 else "#1f2933"
            parts.append(
                f'<text x="{x + cell / 2}" y="{y + cell / 2 + 4}" text-anchor="middle" '
                f'fill="{colour}">{count}</text>'
            )
    parts.append("</svg>")
    return "".join(parts)


def f1_bars_svg(metrics: SuiteMetrics, title: str = "F1 per class") -> str:
    """Horizontal bars of each class's F1 (precision and recall in the tooltip)."""
    classes = list(metrics.classes.items())
    bar, left, width = 22, 150, 260
    height = 40 + bar * len(classes) + 20
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{left + width + 60}" '
        f'height="{height}" role="img" aria-label="{escape(title)}" font-size="11">',
        f'<text x="{left}" y="14" font-weight="bold">{escape(title)}</text>',
    ]
    for k, (name, s) in enumerate(classes):
        y = 30 + k * bar
        parts.append(
            f'<text x="{left - 6}" y="{y + bar / 2 + 4}" text-anchor="end">'
            f"{escape(name[:22])}</text>"
        )
        parts.append(
            f'<rect x="{left}" y="{y + 3}" width="{width}" height="{bar - 6}" fill="#f0f4f8"/>'
        )
        parts.append(
            f'<rect x="{left}" y="{y + 3}" width="{s.f1 * width:.1f}" height="{bar - 6}" '
            f'fill="#3e7cb1"><title>{escape(name)}: precision {s.precision:.3f}, recall '
            f"{s.recall:.3f}, F1 {s.f1:.3f}, support {s.support}</title></rect>"
        )
        parts.append(f'<text x="{left + width + 6}" y="{y + bar / 2 + 4}">{s.f1:.2f}</text>')
    parts.append("</svg>")
    return "".join(parts)


def reliability_svg(cal: Calibration, title: str = "Reliability (score vs exact fit)") -> str:
    """Mean score against the share of exact fits per bin; the diagonal is perfect."""
    size, pad = 220, 36
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{size + 2 * pad}" '
        f'height="{size + 2 * pad + 10}" role="img" aria-label="{escape(title)}" font-size="11">',
        f'<text x="{pad}" y="14" font-weight="bold">{escape(title)}</text>',
        f'<rect x="{pad}" y="{pad}" width="{size}" height="{size}" fill="none" stroke="#9fb3c8"/>',
        f'<line x1="{pad}" y1="{pad + size}" x2="{pad + size}" y2="{pad}" stroke="#9fb3c8" '
        'stroke-dasharray="4 3"/>',
    ]
    for b in cal.bins:
        if not b.count or b.mean_score is None or b.positive_rate is None:
            continue
        x = pad + b.mean_score * size
        y = pad + size - b.positive_rate * size
        parts.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{3 + min(b.count, 40) / 5:.1f}" '
            f'fill="#3e7cb1" fill-opacity="0.7"><title>[{b.lower:.1f}, {b.upper:.1f}): '
            f"{b.count} cases, mean score {b.mean_score:.2f}, exact {b.positive_rate:.2f}"
            "</title></circle>"
        )
    parts.append(
        f'<text x="{pad + size / 2}" y="{pad + size + 24}" text-anchor="middle">score</text>'
        f'<text x="10" y="{pad + size / 2}" transform="rotate(-90 10 {pad + size / 2})" '
        'text-anchor="middle">share exact</text></svg>'
    )
    return "".join(parts)


def _html_suite(suite: SuiteRun) -> str:
    m = suite.metrics
    out = [
        f'<h2 id="{escape(suite.label)}">{escape(suite.label)}</h2>',
        f"<p>Dataset <code>{escape(suite.dataset)}</code>: {m.cases} cases, "
        f"{len(suite.problems)} lines skipped. Accuracy <b>{pct(m.accuracy)}</b>, macro-F1 "
        f"<b>{num(m.macro_f1)}</b>, {m.errors} errors.</p>",
        '<div class="charts">',
        confusion_svg(m.confusion),
        f1_bars_svg(m),
    ]
    if m.calibration is not None:
        out.append(reliability_svg(m.calibration))
    out.append("</div>")
    out.append(
        _html_table(
            ["class", "precision", "recall", "F1", "support", "predicted"],
            [
                [n, num(s.precision), num(s.recall), num(s.f1), str(s.support), str(s.predicted)]
                for n, s in m.classes.items()
            ],
        )
    )
    if m.field_accuracy:
        out.append(
            _html_table(
                ["field", "accuracy", "cases"],
                [[f, pct(a), str(m.field_cases.get(f, 0))] for f, a in m.field_accuracy.items()],
            )
        )
    if m.spans is not None:
        out.append(
            f"<p>Evidence overlap (token F1): <b>{num(m.spans.mean_token_f1)}</b> over "
            f"{m.spans.pairs} quotes; exact {pct(m.spans.exact_match)}, none given "
            f"{pct(m.spans.missing)}.</p>"
        )
    if m.calibration is not None:
        out.append(f"<p>{escape(_md_calibration(m.calibration).replace('**', ''))}</p>")
    if suite.problems:
        items = "".join(f"<li>{escape(str(p))}</li>" for p in suite.problems)
        out.append(
            f"<details><summary>{len(suite.problems)} skipped lines</summary>"
            f"<ul>{items}</ul></details>"
        )
    failures = [r for r in suite.results if not r.passed]
    if failures:
        rows = [
            [
                r.id,
                r.label_expected or "",
                r.label_got or "",
                r.error
                or "; ".join(
                    f"{n}: {c.expected!r} → {c.got!r}" for n, c in r.fields.items() if not c.match
                ),
            ]
            for r in failures
        ]
        out.append(
            f"<details><summary>{len(failures)} failed cases</summary>"
            + _html_table(["case", "expected", "given", "what differs"], rows)
            + "</details>"
        )
    return "".join(out)


def html_report(run: EvalRun) -> str:
    """The run as one HTML page with inline CSS and SVG charts (no scripts, no assets)."""
    body = [
        f"<h1>Eval run {escape(run.run_id)}</h1>",
        f'<p class="muted">{escape(_run_line(run).replace("**", ""))}</p>',
        _html_table(OVERVIEW_HEADER, overview_rows(run)),
        *(
            ["<h2>Dev and test</h2>", _html_table(GAP_HEADER, gaps)]
            if (gaps := gap_rows(run))
            else []
        ),
        *(_html_suite(suite) for suite in run.suites),
    ]
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        f"<title>Eval run {escape(run.run_id)}</title><style>{_CSS}</style></head>"
        f"<body>{''.join(body)}</body></html>\n"
    )
