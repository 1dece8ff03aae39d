"""Histogram: binned counts of a sequence of numbers, stored inline in the stub (no file).

The stub is documented in ``docs/kinds/histogram.md``. Arrays and tensors with more than 32
elements logged bare (``log({"w": weights})``) become a 64-bin Histogram (see ``media._registry``).

Example::

    media.log({"grad": media.Histogram(grads, num_bins=128)})
    media.log({"scores": media.Histogram(np_histogram=np.histogram(x, bins=20))})
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from media._arrays import to_numpy
from media._base import Media
from media.errors import MediaTypeError, MediaValueError, describe, warn


def _clip_list(values: np.ndarray, limit: int = 8) -> str:
    """``[a, b, ... z]`` of at most ``limit`` values, for messages."""
    items = values.tolist()
    if len(items) <= limit:
        return str(items)
    return f"[{', '.join(map(str, items[:limit - 1]))}, ... {items[-1]}] ({len(items)} values)"


class Histogram(Media):
    """A histogram: ``num_bins`` counts over equal-width bins spanning the finite data.

    - ``sequence``: anything numpy can flatten (list, N-D array, torch tensor on any device).
      NaN and +-inf are left out with a warning giving their count (the stub records it as
      ``nonfinite``). Empty data (or only non-finite values) gives zero counts over [0, 1].
    - ``np_histogram=(counts, edges)``, e.g. from ``np.histogram``: ``len(edges)`` must be
      ``len(counts) + 1``, edges finite and non-decreasing, counts finite. Edges in decreasing
      order (every one at most the one before) are reversed together with the counts, with a
      warning; edges that go up and down (overlapping bins) are refused.
    - ``num_bins``: 1 to ``MAX_BINS`` (512).

    Example::

        Histogram(np.random.randn(1000))                  # 64 bins
        Histogram(np_histogram=([1, 2, 4], [0, 1, 2, 3]))
    """

    kind = "histogram"

    #: the most bins a histogram may have (wandb's limit too)
    MAX_BINS: ClassVar[int] = 512

    def __init__(self, sequence: Any = None, np_histogram: Any = None, num_bins: int = 64) -> None:
        if sequence is not None and np_histogram is not None:
            raise MediaValueError("Histogram: expected either sequence or np_histogram; got both.")
        self.nonfinite = 0
        if np_histogram is None and _looks_like_np_histogram(sequence):
            # Histogram(np.histogram(x)): wandb's docs show it (wandb itself refuses it); the
            # (counts, edges) pair cannot be a sequence of values, so it is read as np_histogram
            warn("Histogram: the first argument is a (counts, edges) pair from np.histogram; read as "
                 "np_histogram=(counts, edges). Pass np_histogram= to say so.")
            np_histogram, sequence = sequence, None
        if np_histogram is not None:
            counts, edges = self._from_np_histogram(np_histogram)
        elif sequence is not None:
            counts, edges = self._from_sequence(sequence, num_bins)
        else:
            raise MediaValueError(
                "Histogram: expected a sequence (Histogram(values)) or "
                "np_histogram=(counts, edges); got neither."
            )
        self.counts: list[float] | list[int] = counts
        self.edges: list[float] = edges

    def _check_bins(self, n: Any, what: str) -> int:
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)):
            raise MediaTypeError(f"Histogram: {what}: expected an int; got {describe(n)}.")
        if not 1 <= n <= self.MAX_BINS:
            raise MediaValueError(
                f"Histogram: {what}: expected 1 to {self.MAX_BINS} bins (Histogram.MAX_BINS); got {n}."
            )
        return int(n)

    def _from_sequence(self, sequence: Any, num_bins: Any) -> tuple[list[int], list[float]]:
        bins = self._check_bins(num_bins, "num_bins")
        if isinstance(sequence, (str, bytes)):
            raise MediaTypeError(
                f"Histogram: sequence: expected numbers; got {describe(sequence)}."
            )
        arr = to_numpy(sequence, what="Histogram: sequence").reshape(-1)
        if arr.dtype.kind == "b":
            arr = arr.astype(np.uint8)
        if arr.dtype.kind not in "iuf":
            raise MediaTypeError(
                f"Histogram: sequence: expected numbers; got an array of dtype {arr.dtype}."
            )
        if arr.dtype.kind == "f":
            finite = np.isfinite(arr)
            bad = int(arr.size - np.count_nonzero(finite))
            if bad:
                warn(
                    f"Histogram: {bad} of {arr.size} values are NaN or infinite; they were left "
                    "out of the counts.",
                )
                arr = arr[finite]
                self.nonfinite = bad
        # Wide integers lose nothing that matters for binning as float64.
        counts, edges = np.histogram(arr.astype(np.float64, copy=False), bins=bins)
        return [int(c) for c in counts], [float(e) for e in edges]

    def _from_np_histogram(self, np_histogram: Any) -> tuple[list[Any], list[float]]:
        if not isinstance(np_histogram, (tuple, list)) or len(np_histogram) != 2:
            raise MediaValueError(
                "Histogram: np_histogram: expected a pair (counts, edges) as returned by "
                f"np.histogram; got {describe(np_histogram)}."
            )
        counts = to_numpy(np_histogram[0], what="Histogram: np_histogram counts").reshape(-1)
        edges = to_numpy(np_histogram[1], what="Histogram: np_histogram edges").reshape(-1)
        for name, a in (("counts", counts), ("edges", edges)):
            if a.dtype.kind not in "biuf":
                raise MediaTypeError(
                    f"Histogram: np_histogram {name}: expected numbers; got dtype {a.dtype}."
                )
            if a.dtype.kind == "f" and not np.isfinite(a).all():
                raise MediaValueError(
                    f"Histogram: np_histogram {name}: expected finite numbers; got "
                    f"{int(a.size - np.count_nonzero(np.isfinite(a)))} NaN or infinite values."
                )
        if len(edges) != len(counts) + 1:
            raise MediaValueError(
                "Histogram: np_histogram: expected len(edges) == len(counts) + 1; got "
                f"{len(counts)} counts and {len(edges)} edges."
            )
        self._check_bins(len(counts), "np_histogram")
        steps = np.diff(edges.astype(np.float64))
        if (steps < 0).any():
            if (steps <= 0).all():
                # Edges from high to low (a reversed np.histogram): each count still lies between
                # its two edges, so reversing both keeps every bin as it was.
                warn(f"Histogram: np_histogram edges: expected non-decreasing values; got them "
                     f"in decreasing order ({_clip_list(edges)}); edges and counts were reversed "
                     f"together, so each count keeps its bin.")
                edges, counts = edges[::-1], counts[::-1]
            else:
                first = int(np.argmax(steps < 0))
                raise MediaValueError(
                    f"Histogram: np_histogram edges: expected non-decreasing values (or all "
                    f"decreasing); got edge {first + 1} ({edges[first + 1]}) below edge {first} "
                    f"({edges[first]}) in {_clip_list(edges)}, so some bins overlap and no order "
                    f"of the counts fits. Pass the edges np.histogram returned, or "
                    f"Histogram(sequence) to bin the values here."
                )
        as_int = counts.dtype.kind in "biu" or bool((counts == np.round(counts)).all())
        out_counts = [int(c) for c in counts] if as_int else [float(c) for c in counts]
        return out_counts, [float(e) for e in edges]

    @property
    def num_bins(self) -> int:
        return len(self.counts)

    def _serialize(self, writer: Any) -> dict[str, Any]:
        stub: dict[str, Any] = {
            "_type": "histogram",
            "values": list(self.counts),
            "bins": list(self.edges),
            "count": sum(self.counts),
        }
        if self.nonfinite:
            stub["nonfinite"] = self.nonfinite
        return stub

    def __repr__(self) -> str:
        return f"<Histogram {self.num_bins} bins, count={sum(self.counts)}>"


def _looks_like_np_histogram(value: Any) -> bool:
    """A tuple of two 1-D arrays, the second one longer by one: what np.histogram returns."""
    if not isinstance(value, tuple) or len(value) != 2:
        return False
    counts, edges = value
    return (isinstance(counts, np.ndarray) and isinstance(edges, np.ndarray) and counts.ndim == 1
            and edges.ndim == 1 and len(edges) == len(counts) + 1)
