"""Eval metrics, as pure functions: accuracy, per-class scores, confusion matrix, evidence
overlap, calibration, latency percentiles, tokens and cost.

Conventions (as scikit-learn's, so figures can be checked against it): a class nobody
predicted has precision 0, a class absent from the expectations has recall 0, and
macro-F1 averages over every class that is expected or predicted.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence

from pydantic import BaseModel, Field

from evals.schemas import CaseResult

# -- classification ----------------------------------------------------------------------


class ConfusionMatrix(BaseModel):
    """counts[i][j]: cases expected as labels[i] and given as labels[j]."""

    labels: list[str]
    counts: list[list[int]]

    def count(self, expected: str, got: str) -> int:
        """Cases expected as `expected` and given as `got`."""
        return self.counts[self.labels.index(expected)][self.labels.index(got)]


class ClassScores(BaseModel):
    """Precision, recall and F1 of one class; support = how many were expected."""

    precision: float
    recall: float
    f1: float
    support: int
    predicted: int


def accuracy(expected: Sequence[object], got: Sequence[object]) -> float:
    """Share of positions where got equals expected (0 for no cases)."""
    if len(expected) != len(got):
        raise ValueError(f"{len(expected)} expected values but {len(got)} given")
    if not expected:
        return 0.0
    return sum(e == g for e, g in zip(expected, got, strict=True)) / len(expected)


def confusion_matrix(
    expected: Sequence[str], got: Sequence[str], labels: Sequence[str] | None = None
) -> ConfusionMatrix:
    """Rows are expected classes, columns given ones; labels default to all seen, sorted."""
    if len(expected) != len(got):
        raise ValueError(f"{len(expected)} expected values but {len(got)} given")
    names = list(labels) if labels is not None else sorted(set(expected) | set(got))
    index = {name: i for i, name in enumerate(names)}
    counts = [[0] * len(names) for _ in names]
    for e, g in zip(expected, got, strict=True):
        if e not in index or g not in index:
            raise ValueError(f"label {e if e not in index else g!r} is not in {names}")
        counts[index[e]][index[g]] += 1
    return ConfusionMatrix(labels=names, counts=counts)


def _ratio(top: float, bottom: float) -> float:
    return top / bottom if bottom else 0.0


def per_class_scores(matrix: ConfusionMatrix) -> dict[str, ClassScores]:
    """Precision, recall and F1 per class of a confusion matrix."""
    scores: dict[str, ClassScores] = {}
    size = len(matrix.labels)
    for i, label in enumerate(matrix.labels):
        hits = matrix.counts[i][i]
        support = sum(matrix.counts[i])
        predicted = sum(matrix.counts[r][i] for r in range(size))
        precision, recall = _ratio(hits, predicted), _ratio(hits, support)
        scores[label] = ClassScores(
            precision=precision,
            recall=recall,
            f1=_ratio(2 * precision * recall, precision + recall),
            support=support,
            predicted=predicted,
        )
    return scores


def macro_f1(scores: dict[str, ClassScores]) -> float:
    """Unweighted mean F1 over classes expected or predicted at least once."""
    used = [s.f1 for s in scores.values() if s.support or s.predicted]
    return sum(used) / len(used) if used else 0.0


# -- evidence spans ----------------------------------------------------------------------

_TOKEN = re.compile(r"\w+", re.UNICODE)


def tokens(text: str | None) -> list[str]:
    """Lowercased word tokens (punctuation and spacing ignored)."""
    return _TOKEN.findall((text or "").lower())


def token_f1(expected: str | None, got: str | None) -> float:
    """Token-level F1 of two quotes (SQuAD-style bag of words); both empty counts as 1."""
    want, have = tokens(expected), tokens(got)
    if not want and not have:
        return 1.0
    common = sum((Counter(want) & Counter(have)).values())
    if common == 0:
        return 0.0
    precision, recall = common / len(have), common / len(want)
    return 2 * precision * recall / (precision + recall)


class SpanOverlap(BaseModel):
    """How well given evidence quotes overlap the expected ones."""

    pairs: int
    mean_token_f1: float
    exact_match: float = Field(description="Share of quotes equal token for token.")
    missing: float = Field(description="Share where no quote was given.")
    by_name: dict[str, float] = Field(default_factory=dict, description="Mean F1 per dimension.")


def span_overlap(pairs: Sequence[tuple[str, str, str | None]]) -> SpanOverlap:
    """Overlap over (name, expected quote, given quote or None) triples."""
    if not pairs:
        return SpanOverlap(pairs=0, mean_token_f1=0.0, exact_match=0.0, missing=0.0)
    f1s = [token_f1(expected, got) for _, expected, got in pairs]
    by_name: dict[str, list[float]] = {}
    for (name, _, _), f1 in zip(pairs, f1s, strict=True):
        by_name.setdefault(name, []).append(f1)
    return SpanOverlap(
        pairs=len(pairs),
        mean_token_f1=sum(f1s) / len(f1s),
        exact_match=sum(tokens(e) == tokens(g) for _, e, g in pairs) / len(pairs),
        missing=sum(g is None for _, _, g in pairs) / len(pairs),
        by_name={name: sum(v) / len(v) for name, v in sorted(by_name.items())},
    )


# -- calibration -------------------------------------------------------------------------


class ReliabilityBin(BaseModel):
    """Cases whose score fell in [lower, upper): mean score vs share of positives."""

    lower: float
    upper: float
    count: int
    mean_score: float | None
    positive_rate: float | None


class Calibration(BaseModel):
    """Scores in [0, 1] against yes/no outcomes."""

    cases: int
    brier: float = Field(description="Mean squared gap between score and outcome (0 best).")
    ece: float = Field(description="Expected calibration error over the bins (0 best).")
    bins: list[ReliabilityBin]


def calibration(scores: Sequence[float], outcomes: Sequence[bool], bins: int = 5) -> Calibration:
    """Reliability bins (equal width; a score of 1 goes in the last bin), Brier and ECE."""
    if len(scores) != len(outcomes):
        raise ValueError(f"{len(scores)} scores but {len(outcomes)} outcomes")
    if bins < 1:
        raise ValueError("use at least one bin")
    for score in scores:
        if not 0.0 <= score <= 1.0:
            raise ValueError(f"score {score} is outside [0, 1]")
    total = len(scores)
    members: list[list[int]] = [[] for _ in range(bins)]
    for i, score in enumerate(scores):
        members[min(int(score * bins), bins - 1)].append(i)
    table: list[ReliabilityBin] = []
    ece = 0.0
    for b, rows in enumerate(members):
        mean = sum(scores[i] for i in rows) / len(rows) if rows else None
        rate = sum(bool(outcomes[i]) for i in rows) / len(rows) if rows else None
        if rows and mean is not None and rate is not None:
            ece += len(rows) / total * abs(mean - rate)
        table.append(
            ReliabilityBin(
                lower=b / bins,
                upper=(b + 1) / bins,
                count=len(rows),
                mean_score=mean,
                positive_rate=rate,
            )
        )
    brier = (
        sum((s - float(bool(o))) ** 2 for s, o in zip(scores, outcomes, strict=True)) / total
        if total
        else 0.0
    )
    return Calibration(cases=total, brier=brier, ece=ece, bins=table)


# -- time and money ----------------------------------------------------------------------


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0-100), linear between closest ranks (numpy's default)."""
    if not values:
        return 0.0
    if not 0 <= q <= 100:
        raise ValueError(f"percentile {q} is outside 0-100")
    ordered = sorted(values)
    rank = (len(ordered) - 1) * q / 100
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


class Usage(BaseModel):
    """Latency, tokens and cost over the cases of a suite."""

    latency_p50_ms: float
    latency_p95_ms: float
    latency_mean_ms: float
    tokens_in_per_case: float
    tokens_out_per_case: float
    tokens_in_total: int
    tokens_out_total: int
    cost_usd_total: float | None = Field(description="None when no price was known.")
    cost_usd_per_case: float | None
    llm_calls: int
    cached_calls: int


def usage(results: Sequence[CaseResult]) -> Usage:
    """Latency percentiles, tokens and cost per case."""
    count = len(results) or 1
    latencies = [r.latency_ms for r in results]
    costs = [r.cost_usd for r in results if r.cost_usd is not None]
    total_cost = sum(costs) if costs else None
    return Usage(
        latency_p50_ms=percentile(latencies, 50),
        latency_p95_ms=percentile(latencies, 95),
        latency_mean_ms=sum(latencies) / count,
        tokens_in_per_case=sum(r.tokens_in for r in results) / count,
        tokens_out_per_case=sum(r.tokens_out for r in results) / count,
        tokens_in_total=sum(r.tokens_in for r in results),
        tokens_out_total=sum(r.tokens_out for r in results),
        cost_usd_total=total_cost,
        cost_usd_per_case=total_cost / count if total_cost is not None else None,
        llm_calls=sum(r.llm_calls for r in results),
        cached_calls=sum(r.cached_calls for r in results),
    )


# -- a suite's summary -------------------------------------------------------------------


class SuiteMetrics(BaseModel):
    """Every figure of one suite's run."""

    suite: str
    cases: int
    passed: int
    errors: int
    accuracy: float = Field(description="Share of cases passing the suite's headline check.")
    macro_f1: float
    classes: dict[str, ClassScores]
    confusion: ConfusionMatrix
    field_accuracy: dict[str, float] = Field(
        description="Per scored field: share of the cases that score it where it matched."
    )
    field_cases: dict[str, int] = Field(default_factory=dict)
    spans: SpanOverlap | None = None
    calibration: Calibration | None = None
    usage: Usage


NO_LABEL = "(error)"


def summarize(
    suite: str, results: Sequence[CaseResult], *, positive: str = "exact"
) -> SuiteMetrics:
    """The suite's metrics from its case results.

    Calibration uses cases with a score: the outcome is "expected label == `positive`"
    (for ICP: the score against an exact fit).
    """
    expected = [r.label_expected or NO_LABEL for r in results]
    got = [r.label_got or NO_LABEL for r in results]
    matrix = confusion_matrix(expected, got)
    classes = per_class_scores(matrix)
    matched: dict[str, list[bool]] = {}
    for result in results:
        for name, field_check in result.fields.items():
            matched.setdefault(name, []).append(field_check.match)
    pairs = [(s.name, s.expected, s.got) for r in results for s in r.spans]
    scored = [r for r in results if r.score is not None]
    return SuiteMetrics(
        suite=suite,
        cases=len(results),
        passed=sum(r.passed for r in results),
        errors=sum(r.error is not None for r in results),
        accuracy=_ratio(sum(r.passed for r in results), len(results)),
        macro_f1=macro_f1(classes),
        classes=classes,
        confusion=matrix,
        field_accuracy={name: sum(v) / len(v) for name, v in sorted(matched.items())},
        field_cases={name: len(v) for name, v in sorted(matched.items())},
        spans=span_overlap(pairs) if pairs else None,
        calibration=calibration(
            [min(1.0, max(0.0, r.score or 0.0)) for r in scored],
            [r.label_expected == positive for r in scored],
        )
        if scored
        else None,
        usage=usage(results),
    )
