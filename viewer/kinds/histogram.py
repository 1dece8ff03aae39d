"""Histogram: compared by total variation and earth mover's distance over a common binning, drawn
on one shared axis (an SVG chart in the gallery, pictures on the same scale for the summary);
rendered with plotly.js."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from viewer import cichart, imgdiff
from viewer.kinds._util import fmt

if TYPE_CHECKING:
    from viewer.ci import Comparer, Row

KIND = "histogram"
METRICS = ("tv", "emd")
VENDOR = ("plotly",)
REENCODE = False


def compare(cmp: Comparer, row: Row, b: dict, c: dict, n: int) -> None:
    tv, emd = imgdiff.histogram_distance(b.get("bins"), b.get("values"), c.get("bins"), c.get("values"))
    row.metrics = {"tv": tv, "emd": emd}
    row.score = tv
    row.text = f"total variation {tv:.3g}, earth mover's {fmt(emd)}"
    for name in ("count",):
        if b.get(name) != c.get(name):
            row.details.append(f"{name} {b.get(name)} → {c.get(name)}")
    # one axis for both: the chart the gallery draws, and the pictures the summary's thumbnails use
    row.chart = cichart.histogram_chart((b["bins"], b["values"]), (c["bins"], c["values"]))
    lo, hi = _range(b, c)
    top = max(float(np.max(b["values"])), float(np.max(c["values"])))
    row.base_view = cmp.write(_histogram_image(b, lo, hi, top, cichart.BASE_COLOUR), f"spec/{n:04d}-base.png")
    row.cand_view = cmp.write(_histogram_image(c, lo, hi, top, cichart.CAND_COLOUR), f"spec/{n:04d}-cand.png")
    row.details.append(f"one axis for both: {fmt(lo)} … {fmt(hi)}, counts up to {fmt(top)}")


def _range(*hists: dict) -> tuple[float, float]:
    edges = np.concatenate([np.asarray(h["bins"], np.float64) for h in hists])
    edges = edges[np.isfinite(edges)]
    return (float(edges.min()), float(edges.max())) if edges.size else (0.0, 1.0)


def _histogram_image(stub: dict, lo: float, hi: float, top: float, colour: str,
                     size: tuple[int, int] = (256, 128)) -> np.ndarray:
    """A histogram's bars as a small (H, W, 3) picture on the x range lo..hi and the count scale
    0..top that it shares with the other side (bar height ∝ count)."""
    w, h = size
    bins = np.asarray(stub["bins"], np.float64)
    values = np.asarray(stub["values"], np.float64)
    img = np.full((h, w, 3), 255, np.uint8)
    x = lo + (np.arange(w) + 0.5) / w * ((hi - lo) or 1.0)  # each column's centre value
    k = np.searchsorted(bins, x, side="right") - 1
    inside = (k >= 0) & (k < len(values))
    heights = np.zeros(w, int)
    heights[inside] = np.rint(values[k[inside]] / (top or 1.0) * (h - 2)).astype(int)
    rgb = tuple(int(colour[i : i + 2], 16) for i in (1, 3, 5))
    for col, bar in enumerate(heights):
        if bar > 0:
            img[h - bar :, col] = rgb
    return img
