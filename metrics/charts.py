"""Small charts drawn on the server as inline SVG: no JavaScript, no CDN, readable without styles.

:func:`chart_svg` turns one or more daily series into an ``<svg class="chart">``: lines as a
``<path>`` (a dot when there is a single point), bars as ``<rect>``s, the y axis from 0 to the
largest value with both labelled, the first and last dates under the x axis, a ``<title>`` and an
``aria-label`` saying what the chart shows. Every text is escaped.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Literal

from django.utils.html import escape

WIDTH = 640
HEIGHT = 200
LEFT, RIGHT, TOP, BOTTOM = 56, 12, 30, 26  # margins: the title and legend above, y labels left, dates below
BAR_FILL = 0.8  # share of its slot a bar takes
PALETTE = ("#417690", "#e07b39", "#5b9e4d", "#a04c8f")


@dataclass(frozen=True)
class Series:
    """One row of values, one per date, drawn as a line or as bars."""

    label: str
    values: Sequence[float]
    kind: Literal["line", "bar"] = "line"


def _number(value: float) -> str:
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.2f}"


def _coordinate(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


@dataclass(frozen=True)
class Scale:
    """Maps the i-th of ``count`` dates and a value to SVG coordinates inside the plot area."""

    count: int
    top_value: float
    width: int = WIDTH
    height: int = HEIGHT

    @property
    def slot(self) -> float:
        return (self.width - LEFT - RIGHT) / max(self.count, 1)

    def x(self, i: int) -> float:
        """The centre of the i-th slot (a single point sits in the middle)."""
        return LEFT + self.slot * (i + 0.5)

    def y(self, value: float) -> float:
        plot = self.height - TOP - BOTTOM
        return TOP + plot - (value / self.top_value) * plot if self.top_value else TOP + plot


def chart_svg(
    *, name: str, title: str, dates: Sequence[date], series: Sequence[Series], width: int = WIDTH, height: int = HEIGHT
) -> str:
    """The SVG markup of a chart of ``series`` over ``dates`` (each series has one value per date)."""
    values = [v for s in series for v in s.values]
    top = max(values, default=0)
    scale = Scale(count=len(dates), top_value=top, width=width, height=height)
    baseline = scale.y(0)
    summary = _summary(title, dates, series)
    parts = [
        f'<svg class="chart" data-chart="{escape(name)}" role="img" aria-label="{escape(summary)}" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
        f'<text class="chart-title" x="{LEFT}" y="14" font-size="13" font-weight="bold">{escape(title)}</text>',
        f'<line class="axis" x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{_coordinate(baseline)}" stroke="#999"/>',
        f'<line class="axis" x1="{LEFT}" y1="{_coordinate(baseline)}" x2="{width - RIGHT}" '
        f'y2="{_coordinate(baseline)}" stroke="#999"/>',
        f'<text class="y-max" x="{LEFT - 6}" y="{TOP + 4}" text-anchor="end" font-size="11">{_number(top)}</text>',
        f'<text class="y-min" x="{LEFT - 6}" y="{_coordinate(baseline)}" text-anchor="end" font-size="11">0</text>',
    ]
    if not dates or not values:
        parts.append(
            f'<text class="empty" x="{(LEFT + width - RIGHT) / 2:.0f}" y="{(TOP + baseline) / 2:.0f}" '
            'text-anchor="middle" font-size="13" fill="#666">No data yet</text>'
        )
    else:
        label_y = _coordinate(height - 8)
        parts.append(
            f'<text class="x-first" x="{LEFT}" y="{label_y}" font-size="11">{escape(dates[0].isoformat())}</text>'
        )
        if len(dates) > 1:
            parts.append(
                f'<text class="x-last" x="{width - RIGHT}" y="{label_y}" text-anchor="end" font-size="11">'
                f"{escape(dates[-1].isoformat())}</text>"
            )
        bars = [s for s in series if s.kind == "bar"]
        for index, s in enumerate(series):
            color = PALETTE[index % len(PALETTE)]
            if s.kind == "bar":
                parts.extend(_bars(s, scale, color, position=bars.index(s), of=len(bars)))
            else:
                parts.extend(_line(s, scale, color))
        if len(series) > 1:
            parts.extend(_legend(series, width))
    parts.append("</svg>")
    return "".join(parts)


def _line(series: Series, scale: Scale, color: str) -> list[str]:
    points = [(scale.x(i), scale.y(v)) for i, v in enumerate(series.values)]
    path = " ".join(f"{'M' if i == 0 else 'L'}{_coordinate(x)},{_coordinate(y)}" for i, (x, y) in enumerate(points))
    drawn = [
        f'<path class="line" data-series="{escape(series.label)}" d="{path}" fill="none" stroke="{color}" '
        'stroke-width="2"/>'
    ]
    if len(points) == 1:  # a path of one point draws nothing
        x, y = points[0]
        drawn.append(f'<circle cx="{_coordinate(x)}" cy="{_coordinate(y)}" r="3" fill="{color}"/>')
    return drawn


def _bars(series: Series, scale: Scale, color: str, *, position: int, of: int) -> list[str]:
    width = scale.slot * BAR_FILL / of
    baseline = scale.y(0)
    rects = []
    for i, value in enumerate(series.values):
        x = scale.x(i) - scale.slot * BAR_FILL / 2 + position * width
        y = scale.y(value)
        rects.append(
            f'<rect x="{_coordinate(x)}" y="{_coordinate(y)}" width="{_coordinate(width)}" '
            f'height="{_coordinate(baseline - y)}" fill="{color}"><title>{_number(value)}</title></rect>'
        )
    return rects


def _legend(series: Sequence[Series], width: int) -> list[str]:
    items = []
    x = width - RIGHT
    for index in range(len(series) - 1, -1, -1):
        label = escape(series[index].label)
        x -= 20 + 7 * len(series[index].label)
        color = PALETTE[index % len(PALETTE)]
        items.append(f'<rect x="{x}" y="6" width="8" height="8" fill="{color}"/>')
        items.append(f'<text x="{x + 11}" y="14" font-size="11">{label}</text>')
    return items


def _summary(title: str, dates: Sequence[date], series: Sequence[Series]) -> str:
    if not dates or not any(s.values for s in series):
        return f"{title}: no data yet."
    described = "; ".join(
        f"{s.label} from {_number(s.values[0])} to {_number(s.values[-1])}, "
        f"lowest {_number(min(s.values))}, highest {_number(max(s.values))}"
        for s in series
        if s.values
    )
    return f"{title}, {dates[0].isoformat()} to {dates[-1].isoformat()}: {described}."
