"""Video: sampled frames compared (the worst SSIM, mean absolute difference), the worst pair shown."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from media import stubs
from viewer import imgdiff
from viewer.kinds._util import join

if TYPE_CHECKING:
    from viewer.ci import Comparer, Row

KIND = "video"
METRICS = ("ssim", "mad")
VENDOR: tuple[str, ...] = ()
REENCODE = False
#: Video frames compared per pair (evenly spaced, first and last included).
VIDEO_FRAMES = 16
#: Shown frames narrower than this are enlarged by a whole factor (pixels kept sharp).
VIEW_WIDTH = 160


def _enlarged(rgb: np.ndarray) -> np.ndarray:
    """A frame repeated ``k`` times on both axes, the least ``k`` that makes it VIEW_WIDTH wide."""
    k = -(-VIEW_WIDTH // max(rgb.shape[1], 1))
    return rgb if k <= 1 else np.repeat(np.repeat(rgb, k, axis=0), k, axis=1)


def compare(cmp: Comparer, row: Row, b: dict, c: dict, n: int) -> None:
    row.base_file = cmp.copy(cmp.base, "baseline", b[stubs.PATH])
    row.cand_file = cmp.copy(cmp.cand, "candidate", c[stubs.PATH])
    bpath, cpath = cmp.base.resolve(b[stubs.PATH]), cmp.cand.resolve(c[stubs.PATH])
    if bpath.read_bytes() == cpath.read_bytes():
        row.metrics = {"ssim": 1.0, "mad": 0.0}
        row.text = "identical file"
        return
    nb, nc = b.get("frames"), c.get("frames")
    common = min(nb, nc) if isinstance(nb, int) and isinstance(nc, int) else None
    fa, ta = imgdiff.video_frames(bpath, VIDEO_FRAMES, common)
    fc, tc = imgdiff.video_frames(cpath, VIDEO_FRAMES, common)
    if not fa or not fc:
        raise ValueError("no frames could be decoded")
    if fa[0].shape != fc[0].shape:
        row.score, row.failed_compare = 1.0, True
        row.note = join(row.note, f"size changed {fa[0].shape[1]}x{fa[0].shape[0]} → {fc[0].shape[1]}x{fc[0].shape[0]}")
        row.text = row.note
        return
    pairs = list(zip(fa, fc))
    ssims = [imgdiff.ssim(x, y) if not np.array_equal(x, y) else 1.0 for x, y in pairs]
    mads = [imgdiff.mad(x, y) for x, y in pairs]
    worst = int(np.argmin(ssims))
    s, d = float(min(ssims)), float(np.mean(mads))
    row.metrics = {"ssim": s, "mad": d}
    row.score = min(1.0, max(1.0 - s, d / 255.0, 0.0))
    row.text = f"ssim {s:.4f} (worst of {len(pairs)} frames), mad {d:.3g}"
    if isinstance(nb, int) and isinstance(nc, int) and nb != nc:
        row.score, row.failed_compare = 1.0, True
        row.note = join(row.note, f"frames changed {nb} → {nc}; compared the first {common}")
    h, w = pairs[worst][0].shape[:2]
    k = _enlarged(pairs[worst][0]).shape[1] // w
    row.details.append(f"shown: sampled frame {worst + 1} of {len(pairs)} ({w}x{h}"
                       + (f", drawn {k}x larger)" if k > 1 else ")"))
    row.base_view = cmp.write(_enlarged(pairs[worst][0]), f"spec/{n:04d}-base.png")
    row.cand_view = cmp.write(_enlarged(pairs[worst][1]), f"spec/{n:04d}-cand.png")
    if s < 1.0:
        heat, top = imgdiff.heatmap(imgdiff.absdiff(*pairs[worst]))
        row.diff_view = cmp.write(_enlarged(heat), f"diff/{n:04d}.png")
