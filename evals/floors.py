"""Minimum scores per suite (`evals/floors.yaml`) and the check CI runs against them."""

from __future__ import annotations

from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from evals.metrics import SuiteMetrics
from evals.schemas import SUITE_NAMES

FLOORS_FILE = Path(__file__).parent / "floors.yaml"


class SuiteFloor(BaseModel):
    """The lowest acceptable figures of one suite (unset: not checked)."""

    model_config = ConfigDict(extra="forbid")

    accuracy: float | None = Field(default=None, ge=0, le=1)
    macro_f1: float | None = Field(default=None, ge=0, le=1)
    evidence_token_f1: float | None = Field(default=None, ge=0, le=1)
    fields: dict[str, float] = Field(default_factory=dict, description="Per-field accuracy.")
    measured: dict[str, float] = Field(
        default_factory=dict, description="What was measured when the floor was set (info)."
    )


class Floors(BaseModel):
    """Floors for one engine."""

    model_config = ConfigDict(extra="forbid")

    engine: str = "offline"
    suites: dict[str, SuiteFloor] = Field(
        default_factory=dict, description="Floors on the dev split (the datasets studied)."
    )
    test_suites: dict[str, SuiteFloor] = Field(
        default_factory=dict, description="Floors on the frozen test split, which CI gates on."
    )

    def for_split(self, split: str | None) -> dict[str, SuiteFloor]:
        """The floors of a split: `test` has its own, anything else uses the dev floors."""
        return self.test_suites if split == "test" else self.suites


def load_floors(path: Path = FLOORS_FILE) -> Floors:
    """Read and validate the floors file; errors name the file and the field."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        floors = Floors.model_validate(data)
    except (OSError, yaml.YAMLError, ValidationError) as exc:
        raise ValueError(f"{path}: {exc}") from exc
    unknown = sorted((set(floors.suites) | set(floors.test_suites)) - set(SUITE_NAMES))
    if unknown:
        raise ValueError(f"{path}: unknown suites {unknown}; use {', '.join(SUITE_NAMES)}")
    return floors


def floor_failures(metrics: SuiteMetrics, floor: SuiteFloor) -> list[str]:
    """Every figure of `metrics` below its floor, as 'suite: name 0.912 < floor 0.930'."""
    checks: list[tuple[str, float | None, float | None]] = [
        ("accuracy", metrics.accuracy, floor.accuracy),
        ("macro_f1", metrics.macro_f1, floor.macro_f1),
        (
            "evidence_token_f1",
            metrics.spans.mean_token_f1 if metrics.spans else None,
            floor.evidence_token_f1,
        ),
    ]
    checks += [
        (f"field {name}", metrics.field_accuracy.get(name), minimum)
        for name, minimum in floor.fields.items()
    ]
    failures = []
    for name, value, minimum in checks:
        if minimum is None:
            continue
        if value is None:
            failures.append(f"{metrics.suite}: {name} was not measured (floor {minimum:.3f})")
        elif value + 1e-9 < minimum:
            failures.append(f"{metrics.suite}: {name} {value:.3f} < floor {minimum:.3f}")
    return failures
