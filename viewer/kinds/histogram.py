"""Histogram: compared by total variation and earth mover's distance over a common binning, drawn
as small bar charts; rendered with plotly.js."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from viewer import imgdiff
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
    row.base_view = cmp.write(_histogram_image(b), f"spec/{n:04d}-base.png")
    row.cand_view = cmp.write(_histogram_image(c), f"spec/{n:04d}-cand.png")


def _histogram_image(stub: dict, size: tuple[int, int] = (256, 128)) -> np.ndarray:
    """A histogram's bars as a small grey (H, W, 3) picture for the gallery (bar height ∝ count)."""
    w, h = size
    values = np.asarray(stub.get("values") or [0], np.float64)
    top = float(values.max()) or 1.0
    img = np.full((h, w, 3), 255, np.uint8)
    cols = np.minimum((np.arange(w) * len(values)) // w, len(values) - 1)
    heights = np.rint(values[cols] / top * (h - 2)).astype(int)
    for x, bar in enumerate(heights):
        if bar > 0:
            img[h - bar :, x] = (60, 100, 170)
    return img
