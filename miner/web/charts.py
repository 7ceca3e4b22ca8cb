"""Charts drawn on the server as SVG: geometry computed here, drawn by ``templates/_chart.html``.

No script and no inline style: bars carry a series class (``s0`` .. ``s7``) that the stylesheet
colours, and every chart is shown beside a table of the same numbers (what a screen reader reads).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

#: Series colours the stylesheet defines (``.s0`` .. ``.s7``); more series reuse them in turn.
PALETTE_SIZE = 8


@dataclass(frozen=True, slots=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    value: float
    series: int
    label: str


@dataclass(frozen=True, slots=True)
class Tick:
    position: float
    text: str


@dataclass(frozen=True, slots=True)
class Chart:
    width: int
    height: int
    bars: tuple[Bar, ...]
    x_labels: tuple[Tick, ...]
    y_ticks: tuple[Tick, ...]
    series: tuple[tuple[int, str], ...]
    plot_left: float
    plot_bottom: float
    plot_right: float


def _nice_max(value: float) -> float:
    """The smallest 1, 2, 2.5 or 5 times a power of ten at or above ``value``."""
    if value <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * power:
            return step * power
    return 10 * power


def grouped_bars(
    categories: Sequence[str],
    series: Sequence[tuple[str, Sequence[float | None]]],
    *,
    width: int = 640,
    height: int = 240,
    maximum: float | None = None,
    integers: bool = False,
) -> Chart:
    """Bars of each series side by side in each category (a missing value draws no bar).

    ``integers``: the values are counts, so the axis ticks are whole numbers."""
    left, right, top, bottom = 44.0, 8.0, 10.0, 28.0
    plot_w, plot_h = width - left - right, height - top - bottom
    values = [v for _, vs in series for v in vs if v is not None]
    top_value = maximum if maximum is not None else _nice_max(max(values, default=0.0))
    if integers and maximum is None:
        top_value = 4 * math.ceil(max(values, default=1.0) / 4)  # four whole steps
    n_cat, n_ser = max(1, len(categories)), max(1, len(series))
    slot = plot_w / n_cat
    bar_w = max(2.0, min(28.0, (slot * 0.8) / n_ser))
    bars = []
    for s, (name, vs) in enumerate(series):
        for c, v in enumerate(vs):
            if v is None:
                continue
            h = plot_h * (v / top_value) if top_value else 0.0
            x = left + c * slot + (slot - bar_w * n_ser) / 2 + s * bar_w
            bars.append(
                Bar(
                    round(x, 1),
                    round(top + plot_h - h, 1),
                    round(bar_w - 1, 1),
                    round(h, 1),
                    v,
                    s % PALETTE_SIZE,
                    name,
                )
            )
    x_labels = tuple(Tick(round(left + (c + 0.5) * slot, 1), str(cat)) for c, cat in enumerate(categories))
    y_ticks = tuple(
        Tick(round(top + plot_h - plot_h * k / 4, 1), _short(top_value * k / 4)) for k in range(5)
    )
    return Chart(
        width=width,
        height=height,
        bars=tuple(bars),
        x_labels=x_labels,
        y_ticks=y_ticks,
        series=tuple((s % PALETTE_SIZE, name) for s, (name, _) in enumerate(series)),
        plot_left=left,
        plot_bottom=top + plot_h,
        plot_right=width - right,
    )


def _short(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"
