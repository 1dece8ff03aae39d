"""The small charts of a ``mediaboard ci`` gallery: a pair's histograms on one axis, a scalar's
two curves with the step of their largest change marked. Geometry only (pixel positions, tick
labels, SVG path data made of numbers): ``templates/ci_chart.html`` draws the markup.

Example::

    c = histogram_chart(([0, 1, 2], [3, 5]), ([0.5, 1.5, 2.5], [4, 4]))
    c.xticks[0], [s.name for s in c.series]   # ((x px, '0'), ['baseline', 'candidate'])
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

#: The two sides' colours, in every chart of the gallery (a blue and an orange that stay apart
#: for the common colour-vision deficiencies).
BASE_COLOUR = "#2f6db5"
CAND_COLOUR = "#e0750b"
WIDTH, HEIGHT = 340, 190
#: Margins of the plot area: tick labels on the left and at the bottom, the legend on top.
LEFT, RIGHT, TOP, BOTTOM = 52, 10, 22, 30
#: Curves longer than this are drawn from evenly spaced points (the marked step always kept).
MAX_POINTS = 400


@dataclass
class Series:
    name: str
    colour: str
    path: str  # SVG path data in pixels
    fill: bool = False  # filled under the path (histograms), or a line (curves)
    width: float = 1.5  # the baseline's line is wider, so that it shows where the candidate covers it


@dataclass
class Chart:
    """One SVG chart: the plot area, ticks as (pixel, label), the series and marks."""

    xlabel: str
    ylabel: str
    series: list[Series]
    xticks: list[tuple[float, str]]
    yticks: list[tuple[float, str]]
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    top: int = TOP
    right: int = WIDTH - RIGHT
    bottom: int = HEIGHT - BOTTOM
    mark_x: float | None = None  # a vertical line (the step of the largest change)
    mark_label: str = ""
    dots: list[tuple[float, float, str]] = field(default_factory=list)  # (x, y, colour)


def nice_ticks(lo: float, hi: float, count: int = 5) -> list[float]:
    """Round tick values (1, 2 or 5 times a power of ten apart) covering lo..hi, about ``count``."""
    if not (math.isfinite(lo) and math.isfinite(hi)):
        return []
    if hi <= lo:
        lo, hi = lo - 0.5, hi + 0.5
    raw = (hi - lo) / max(count, 1)
    mag = 10.0 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 5, 10) if m * mag >= raw * (1 - 1e-9))
    first = math.ceil(lo / step - 1e-9) * step
    n = int(math.floor((hi - first) / step + 1e-9)) + 1
    return [first + i * step for i in range(max(n, 0))]


def tick_label(v: float, step: float) -> str:
    """A tick value written with as many decimals as the tick step needs (``1.5``, ``2000``, ``1e-05``)."""
    if v == 0:
        return "0"
    if abs(v) >= 1e6 or abs(v) < 1e-4:
        return f"{v:.2g}"
    decimals = max(0, -math.floor(math.log10(step) + 1e-9)) if step > 0 else 0
    return f"{v:.{decimals}f}"


class _Scale:
    def __init__(self, lo: float, hi: float, p0: float, p1: float) -> None:
        if not hi > lo:
            lo, hi = lo - 0.5, hi + 0.5
        self.lo, self.hi, self.p0, self.p1 = lo, hi, p0, p1

    def __call__(self, v: float) -> float:
        return round(self.p0 + (v - self.lo) / (self.hi - self.lo) * (self.p1 - self.p0), 1)

    def ticks(self) -> list[tuple[float, str]]:
        vals = [v for v in nice_ticks(self.lo, self.hi) if self.lo - 1e-12 <= v <= self.hi + 1e-12]
        step = vals[1] - vals[0] if len(vals) > 1 else 1.0
        return [(self(v), tick_label(v, step)) for v in vals]


def _frame(xlo: float, xhi: float, ylo: float, yhi: float) -> tuple[_Scale, _Scale]:
    return _Scale(xlo, xhi, LEFT, WIDTH - RIGHT), _Scale(ylo, yhi, HEIGHT - BOTTOM, TOP)


def histogram_chart(base: tuple[Sequence[float], Sequence[float]],
                    cand: tuple[Sequence[float], Sequence[float]]) -> Chart:
    """Both histograms, given as (bins, counts), as outlined steps on one shared x and y axis."""
    pairs = [(np.asarray(b, np.float64), np.asarray(v, np.float64)) for b, v in (base, cand)]
    edges = np.concatenate([b[np.isfinite(b)] for b, _ in pairs])
    top = max(float(np.nanmax(v)) if v.size else 0.0 for _, v in pairs)
    xlo, xhi = (float(edges.min()), float(edges.max())) if edges.size else (0.0, 1.0)
    xs, ys = _frame(xlo, xhi, 0.0, top * 1.05 if top > 0 else 1.0)
    series = []
    for (bins, values), name, colour in zip(pairs, ("baseline", "candidate"), (BASE_COLOUR, CAND_COLOUR)):
        pts = [f"M{xs(bins[0])},{ys(0)}"]
        for i, v in enumerate(values):
            pts.append(f"L{xs(bins[i])},{ys(v)}L{xs(bins[i + 1])},{ys(v)}")
        pts.append(f"L{xs(bins[-1])},{ys(0)}Z")
        series.append(Series(name, colour, "".join(pts), fill=True))
    return Chart("value", "count", series, xs.ticks(), ys.ticks())


def _thin(steps: np.ndarray, keep: int | None) -> np.ndarray:
    """Indices of at most MAX_POINTS evenly spaced points, with ``keep``'s index among them."""
    if len(steps) <= MAX_POINTS:
        return np.arange(len(steps))
    idx = np.unique(np.linspace(0, len(steps) - 1, MAX_POINTS).round().astype(int))
    if keep is not None:
        k = int(np.searchsorted(steps, keep))
        if k < len(steps) and steps[k] == keep:
            idx = np.unique(np.append(idx, k))
    return idx


def curve_chart(base: dict[int, float], cand: dict[int, float], mark: int | None) -> Chart:
    """A scalar's two curves ({step: value}) on one axis; ``mark`` is the step drawn as a line, with
    a dot on each curve there. Values that are not finite leave a gap."""
    finite = [v for d in (base, cand) for v in d.values() if math.isfinite(v)]
    steps = [s for d in (base, cand) for s in d]
    ylo, yhi = (min(finite), max(finite)) if finite else (0.0, 1.0)
    pad = (yhi - ylo) * 0.05
    xs, ys = _frame(min(steps, default=0), max(steps, default=1), ylo - pad, yhi + pad)
    series, dots = [], []
    for curve, name, colour in ((base, "baseline", BASE_COLOUR), (cand, "candidate", CAND_COLOUR)):
        st = np.array(sorted(curve), dtype=np.int64)
        parts, pen = [], "M"
        for i in _thin(st, mark):
            v = curve[int(st[i])]
            if not math.isfinite(v):
                pen = "M"
                continue
            parts.append(f"{pen}{xs(float(st[i]))},{ys(v)}")
            pen = "L"
        series.append(Series(name, colour, "".join(parts), width=3.0 if name == "baseline" else 1.5))
        if mark is not None and mark in curve and math.isfinite(curve[mark]):
            dots.append((xs(mark), ys(curve[mark]), colour))
    steps_ticks = [(x, t) for x, t in xs.ticks() if "." not in t and "e" not in t]  # steps are whole
    chart = Chart("step", "value", series, steps_ticks, ys.ticks(), dots=dots)
    if mark is not None:
        chart.mark_x, chart.mark_label = xs(mark), f"step {mark}"
    return chart
