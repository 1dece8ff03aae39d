"""Image: compared pixel by pixel (SSIM, mean absolute difference, % changed, a heat map); the
build inlines mask PNGs (a canvas must read their pixels) and box JSON; an export may re-encode."""

from __future__ import annotations

import base64
import json
from typing import TYPE_CHECKING

import numpy as np

from media import runfolder as rf
from media import stubs
from viewer import imgdiff
from viewer.kinds._util import join

if TYPE_CHECKING:
    from viewer.ci import Comparer, Row

KIND = "image"
METRICS = ("ssim", "mad", "changed")
VENDOR: tuple[str, ...] = ()
REENCODE = True
#: mask PNGs up to this size are inlined as data: URIs (canvas reads them without taint)
MASK_INLINE_BYTES = 2_000_000


def compare(cmp: Comparer, row: Row, b: dict, c: dict, n: int) -> None:
    row.base_file = row.base_view = cmp.copy(cmp.base, "baseline", b[stubs.PATH])
    row.cand_file = row.cand_view = cmp.copy(cmp.cand, "candidate", c[stubs.PATH])
    bpath, cpath = cmp.base.resolve(b[stubs.PATH]), cmp.cand.resolve(c[stubs.PATH])
    if bpath.read_bytes() == cpath.read_bytes():  # same file, same pixels: skip decoding
        row.metrics = {"ssim": 1.0, "mad": 0.0, "changed": 0.0}
        row.text = "identical file"
        return
    a, z = imgdiff.load_rgb(bpath), imgdiff.load_rgb(cpath)
    if a.shape != z.shape:
        row.score, row.failed_compare = 1.0, True
        row.note = join(row.note, f"size changed {a.shape[1]}x{a.shape[0]} → {z.shape[1]}x{z.shape[0]}")
        row.text = row.note
        return
    if np.array_equal(a, z):  # the usual case in a regression check, and by definition:
        s, d, p, top = 1.0, 0.0, 0.0, 0  # no heat map: an all-black one says nothing more
    else:
        s, d, p = imgdiff.ssim(a, z), imgdiff.mad(a, z), imgdiff.changed_pct(a, z)
        heat, top = imgdiff.heatmap(imgdiff.absdiff(a, z))
        row.diff_view = cmp.write(heat, f"diff/{n:04d}.png")
    row.metrics = {"ssim": s, "mad": d, "changed": p}
    row.score = min(1.0, max(1.0 - s, d / 255.0, 0.0))
    row.text = f"ssim {s:.4f}, mad {d:.3g}, {p:.3g}% pixels changed"
    row.details.append(f"heat map: white = {top} levels" if top else "heat map: identical")


def enrich(e) -> None:
    for layer in (e.stub.get(stubs.MASKS) or {}).values():
        p = layer.get(stubs.PATH) if isinstance(layer, dict) else None
        if not p:
            continue
        try:
            t = e.reader.resolve(p)
            if t.stat().st_size <= MASK_INLINE_BYTES:
                e.inline[p] = "data:image/png;base64," + base64.b64encode(t.read_bytes()).decode()
        except (OSError, rf.FormatError):
            e.missing.append(p)
    for layer in (e.stub.get(stubs.BOXES) or {}).values():
        p = layer.get(stubs.PATH) if isinstance(layer, dict) else None
        if not p:
            continue
        try:
            e.inline[p] = json.loads(e.reader.resolve(p).read_text(encoding="utf-8"))
        except (OSError, ValueError, rf.FormatError):
            e.missing.append(p)
