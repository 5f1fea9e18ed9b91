"""Horizontal bar charts drawn as SVG on the server: the geometry is computed here and a
template macro (`_bar_chart.html`) draws it, so no script runs in the browser."""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import BaseModel

LABEL_WIDTH = 190
BAR_AREA = 420
ROW_HEIGHT = 24
BAR_HEIGHT = 16
VALUE_WIDTH = 150  # room for the value written after the longest bar


class Bar(BaseModel):
    """One labelled bar, its value written after it."""

    label: str
    value_text: str
    y: int
    width: float
    tone: str = "default"


class BarChart(BaseModel):
    """A chart's bars and its size."""

    title: str
    bars: list[Bar]
    width: int
    height: int
    label_width: int = LABEL_WIDTH
    bar_height: int = BAR_HEIGHT


def bar_chart(
    title: str,
    rows: Sequence[tuple[str, float, str]],
    tones: dict[str, str] | None = None,
) -> BarChart:
    """Bars for `rows` of (label, value, value as text), scaled to the largest value."""
    largest = max((value for _, value, _ in rows), default=0) or 1
    bars = [
        Bar(
            label=label,
            value_text=text,
            y=index * ROW_HEIGHT,
            width=round(BAR_AREA * max(value, 0) / largest, 1),
            tone=(tones or {}).get(label, "default"),
        )
        for index, (label, value, text) in enumerate(rows)
    ]
    return BarChart(
        title=title,
        bars=bars,
        width=LABEL_WIDTH + BAR_AREA + VALUE_WIDTH,
        height=max(len(bars), 1) * ROW_HEIGHT,
    )
