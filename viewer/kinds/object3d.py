"""Object3D: compared by mean nearest-point distance of the previews' points; rendered with
plotly.js."""

from __future__ import annotations

import json
import math
from typing import TYPE_CHECKING, Any

import numpy as np

from media import stubs
from viewer import imgdiff

if TYPE_CHECKING:
    from viewer.ci import Comparer, Row

KIND = "object3d"
METRICS = ("dist",)
VENDOR = ("plotly",)
REENCODE = False
#: Relative 3-D distance that counts as a full change when ranking.
POINTS_FULL_SCALE = 0.1


def compare(cmp: Comparer, row: Row, b: dict, c: dict, n: int) -> None:
    if b.get(stubs.PATH) and c.get(stubs.PATH):
        row.base_file = cmp.copy(cmp.base, "baseline", b[stubs.PATH])
        row.cand_file = cmp.copy(cmp.cand, "candidate", c[stubs.PATH])
        if cmp.base.resolve(b[stubs.PATH]).read_bytes() == cmp.cand.resolve(c[stubs.PATH]).read_bytes():
            row.metrics, row.text = {"dist": 0.0}, "identical file"
            return
    pb, pc = _preview_points(cmp.base, b), _preview_points(cmp.cand, c)
    dist = imgdiff.points_distance(pb, pc)
    row.metrics = {"dist": dist}
    row.score = min(1.0, dist / POINTS_FULL_SCALE) if math.isfinite(dist) else 1.0
    row.text = f"mean nearest-point distance {dist:.3g} of the object's size"
    if b.get("points") != c.get("points"):
        row.details.append(f"points {b.get('points')} → {c.get('points')}")
    if b.get("preview_points") not in (None, b.get("points")):
        row.details.append(f"measured on the previews ({len(pb)} and {len(pc)} points)")


def _preview_points(run: Any, stub: dict) -> np.ndarray:
    """The xyz points of a 3-D stub's preview (what the viewer draws; meshes: their vertices)."""
    if not stub.get(stubs.PREVIEW):
        raise ValueError(f"no 3-D preview to compare ({stub.get('preview_skipped') or 'none written'})")
    with open(run.resolve(stub[stubs.PREVIEW]), encoding="utf-8") as f:
        pv = json.load(f)
    pts = [p[:3] for p in pv.get("points") or [] if isinstance(p, list) and len(p) >= 3]
    return np.asarray(pts, np.float64).reshape(-1, 3)
