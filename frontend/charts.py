"""Line charts drawn on the server as SVG: readable on a phone, printable, no script.

A chart is described here (coordinates worked out in Python) and drawn by
templates/frontend/_line_chart.html. Each chart carries a text summary of every value for
screen readers; pages put the same numbers in a table beside it.
"""

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.utils.translation import gettext as _

# Room around the plot, in SVG units, for the axis labels.
LEFT, RIGHT, TOP, BOTTOM = 40, 12, 10, 24
SPARK_PAD = 4
MAX_SERIES_STYLES = 6  # series-0 … series-5 in app.css; more series reuse them
# More round labels than this overlap on a phone: label every n-th round, and the latest.
MAX_X_LABELS = 6


def as_percent(value: float) -> str:
    return f"{value:.0%}"


@dataclass(frozen=True)
class Series:
    label: str
    values: Sequence[float | None]  # one per x label; None where there is nothing to plot


@dataclass(frozen=True)
class Dot:
    x: float
    y: float
    text: str  # "2026-Q3: 42%"


@dataclass(frozen=True)
class Line:
    label: str
    style: str  # a CSS class: series-0 … series-5
    segments: tuple[str, ...]  # <polyline> points of each unbroken run; a gap where None
    dots: tuple[Dot, ...]


@dataclass(frozen=True)
class Tick:
    position: float
    text: str


@dataclass(frozen=True)
class LineChart:
    title: str
    summary: str
    width: int
    height: int
    plot_left: float
    plot_right: float
    plot_top: float
    plot_bottom: float
    x_ticks: tuple[Tick, ...]
    y_ticks: tuple[Tick, ...]
    lines: tuple[Line, ...]
    spark: bool  # a small chart in a table row: no axes, no labels

    @property
    def legend(self) -> bool:
        return len(self.lines) > 1 and not self.spark


def line_chart(
    *,
    title: str,
    x_labels: Sequence[str],
    series: Sequence[Series],
    y_max: float = 1.0,
    y_format: Callable[[float], str] = as_percent,
    spark: bool = False,
    width: int = 360,
    height: int = 180,
) -> LineChart:
    """Place every value of every series; y runs from 0 to `y_max` (at least the data's top)."""
    top_value = max((v for s in series for v in s.values if v is not None), default=0.0)
    y_max = max(y_max, top_value) or 1.0
    if spark:
        left = right = top = bottom = SPARK_PAD
    else:
        left, right, top, bottom = LEFT, RIGHT, TOP, BOTTOM
    plot_width, plot_height = width - left - right, height - top - bottom
    count = len(x_labels)

    def x_at(index: int) -> float:
        return left + (plot_width / 2 if count == 1 else plot_width * index / (count - 1))

    def y_at(value: float) -> float:
        return top + plot_height * (1 - value / y_max)

    lines = []
    for number, one in enumerate(series):
        dots: list[Dot] = []
        runs: list[list[str]] = [[]]
        for index, value in enumerate(one.values):
            if value is None:
                runs.append([])
                continue
            x, y = round(x_at(index), 1), round(y_at(value), 1)
            dots.append(Dot(x=x, y=y, text=f"{x_labels[index]}: {y_format(value)}"))
            runs[-1].append(f"{x},{y}")
        lines.append(
            Line(
                label=one.label,
                style=f"series-{number % MAX_SERIES_STYLES}",
                segments=tuple(" ".join(run) for run in runs if len(run) > 1),
                dots=tuple(dots),
            )
        )
    summary = "; ".join(
        f"{line.label}: " + ", ".join(dot.text for dot in line.dots)
        if line.dots
        else _("%(label)s: no data") % {"label": line.label}
        for line in lines
    )
    return LineChart(
        title=title,
        summary=summary,
        width=width,
        height=height,
        plot_left=left,
        plot_right=width - right,
        plot_top=top,
        plot_bottom=top + plot_height,
        x_ticks=tuple(
            Tick(round(x_at(i), 1), label)
            for i, label in enumerate(x_labels)
            if i == count - 1 or (count - 1 - i) % math.ceil(count / MAX_X_LABELS) == 0
        ),
        y_ticks=tuple(
            Tick(round(y_at(y_max * step / 2), 1), y_format(y_max * step / 2)) for step in (0, 1, 2)
        ),
        lines=tuple(lines),
        spark=spark,
    )
