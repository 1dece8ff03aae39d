"""Histogram: good and bad input tables, counts checked against numpy, run round trips."""

from __future__ import annotations

import numpy as np
import pytest

import media
from media.histogram import Histogram
from media.runfolder import MediaWriter

RNG = np.random.default_rng(1)
DATA = RNG.normal(size=1000)


def ser(h: Histogram, tmp_path) -> dict:
    return h._serialize(MediaWriter(tmp_path, "h", 0))


GOOD = [
    # id, kwargs, expected number of bins, expected total count
    ("default-64", {"sequence": DATA}, 64, 1000),
    ("ints", {"sequence": RNG.integers(0, 100, 1000)}, 64, 1000),
    ("list", {"sequence": [1, 2, 3, 4]}, 64, 4),
    ("2-D flattened", {"sequence": DATA.reshape(10, 100), "num_bins": 10}, 10, 1000),
    ("bool", {"sequence": np.array([True, False, True])}, 64, 3),
    ("one bin", {"sequence": DATA, "num_bins": 1}, 1, 1000),
    ("512 bins", {"sequence": DATA, "num_bins": 512}, 512, 1000),
    ("numpy int bins", {"sequence": DATA, "num_bins": np.int64(8)}, 8, 1000),
    ("constant", {"sequence": [5, 5, 5], "num_bins": 4}, 4, 3),
    ("empty", {"sequence": []}, 64, 0),
    ("np.histogram", {"np_histogram": np.histogram(DATA)}, 10, 1000),
    ("hand-made", {"np_histogram": ([1, 2, 4], [0, 1, 2, 3])}, 3, 7),
    ("float counts", {"np_histogram": ([0.5, 1.5], [0, 1, 2])}, 2, 2.0),
]


@pytest.mark.parametrize("name,kwargs,bins,total", GOOD, ids=[g[0] for g in GOOD])
def test_good_inputs(tmp_path, name, kwargs, bins, total):
    stub = ser(Histogram(**kwargs), tmp_path)
    assert stub["_type"] == "histogram"
    assert len(stub["values"]) == bins and len(stub["bins"]) == bins + 1
    assert sum(stub["values"]) == stub["count"] == total
    assert stub["bins"] == sorted(stub["bins"])
    assert "nonfinite" not in stub
    assert not list(tmp_path.rglob("*.*")), "a histogram writes no file"


def test_counts_and_edges_equal_numpys(tmp_path):
    stub = ser(Histogram(DATA, num_bins=20), tmp_path)
    counts, edges = np.histogram(DATA, bins=20)
    assert stub["values"] == counts.tolist() and stub["bins"] == pytest.approx(edges.tolist())
    assert all(isinstance(c, int) for c in stub["values"])


def test_nan_and_inf_are_left_out_with_a_warning_and_counted(tmp_path):
    x = np.concatenate([DATA, [np.nan, np.inf, -np.inf, np.nan]])
    with pytest.warns(
        UserWarning, match=r"Histogram: 4 of 1004 values are NaN or infinite; they were left out"
    ) as rec:
        h = Histogram(x)
    assert rec[0].filename == __file__
    stub = ser(h, tmp_path)
    assert sum(stub["values"]) == 1000 and stub["nonfinite"] == 4
    assert all(np.isfinite(stub["bins"]))
    with pytest.warns(UserWarning, match=r"2 of 2 values"):
        only_nan = ser(Histogram([np.nan, np.nan]), tmp_path)
    assert sum(only_nan["values"]) == 0 and only_nan["nonfinite"] == 2


def test_input_is_not_kept_so_later_changes_do_not_leak(tmp_path):
    x = DATA.copy()
    h = Histogram(x)
    x[:] = 0
    assert ser(h, tmp_path)["values"] == np.histogram(DATA, bins=64)[0].tolist()


def test_torch_tensor_with_grad(tmp_path):
    torch = pytest.importorskip("torch")
    t = torch.tensor(DATA, requires_grad=True) * 2
    stub = ser(Histogram(t, num_bins=16), tmp_path)
    assert stub["values"] == np.histogram(DATA * 2, bins=16)[0].tolist()


BAD = [
    ({}, media.MediaValueError, r"Histogram: expected a sequence .* got neither"),
    ({"sequence": DATA, "np_histogram": ([1], [0, 1])}, media.MediaValueError, r"got both"),
    (
        {"sequence": DATA, "num_bins": 513},
        media.MediaValueError,
        r"num_bins: expected 1 to 512 bins \(Histogram.MAX_BINS\); got 513",
    ),
    ({"sequence": DATA, "num_bins": 0}, media.MediaValueError, r"got 0"),
    (
        {"sequence": DATA, "num_bins": 2.5},
        media.MediaTypeError,
        r"num_bins: expected an int; got float",
    ),
    ({"sequence": "abc"}, media.MediaTypeError, r"sequence: expected numbers; got str"),
    ({"sequence": np.array(["a", "b"])}, media.MediaTypeError, r"dtype <U1"),
    ({"sequence": object()}, media.MediaTypeError, r"Histogram: sequence: expected a numpy array"),
    (
        {"np_histogram": ([1, 2, 3], [1])},
        media.MediaValueError,
        r"expected len\(edges\) == len\(counts\) \+ 1; got 3 counts and 1 edges",
    ),
    ({"np_histogram": ([1, 2, 3],)}, media.MediaValueError, r"expected a pair \(counts, edges\)"),
    (
        {"np_histogram": ([1, 2, 4], [3, 10, 20, 0])},
        media.MediaValueError,
        r"edges: expected non-decreasing values \(or all decreasing\); got edge 3 \(0\) below "
        r"edge 2 \(20\) in \[3, 10, 20, 0\], so some bins overlap",
    ),
    (
        {"np_histogram": ([1, np.nan], [0, 1, 2])},
        media.MediaValueError,
        r"counts: expected finite numbers; got 1 NaN",
    ),
    (
        {"np_histogram": ([1] * 513, list(range(514)))},
        media.MediaValueError,
        r"np_histogram: expected 1 to 512 bins",
    ),
]


@pytest.mark.parametrize("kwargs,exc,match", BAD, ids=[str(i) for i in range(len(BAD))])
def test_bad_inputs(kwargs, exc, match):
    with pytest.raises(exc, match=match):
        Histogram(**kwargs)


def test_through_a_run_explicit_bare_array_and_summary(root):
    run = media.init(project="h")
    media.log({"explicit": Histogram(DATA, num_bins=8), "bare": DATA, "small": np.arange(5)})
    with pytest.warns(UserWarning, match="NaN or infinite"):
        media.log({"bare": np.concatenate([DATA, [np.nan]])})
    run.summary["final"] = Histogram(DATA, num_bins=4)
    media.finish()

    r = media.open_run(run.dir)
    rows = list(r.history())
    assert rows[0]["explicit"]["values"] == np.histogram(DATA, bins=8)[0].tolist()
    bare = rows[0]["bare"]
    assert bare["_type"] == "histogram" and len(bare["values"]) == 64 and bare["count"] == 1000
    assert rows[0]["small"] == [0, 1, 2, 3, 4]
    assert rows[1]["bare"]["count"] == 1000 and rows[1]["bare"]["nonfinite"] == 1
    assert r.summary["final"] == {
        "_type": "histogram",
        "values": np.histogram(DATA, bins=4)[0].tolist(),
        "bins": pytest.approx(np.histogram(DATA, bins=4)[1].tolist()),
        "count": 1000,
    }
    assert r.summary["bare"]["nonfinite"] == 1  # the last logged value
    assert r.media_keys()["bare"] == "histogram"


def test_bare_torch_tensor_logged_becomes_a_histogram(root):
    torch = pytest.importorskip("torch")
    run = media.init(project="h")
    media.log({"w": torch.tensor(DATA, requires_grad=True) * 1.0})
    media.finish()
    ((_, stub),) = media.open_run(run.dir).media("w")
    assert (
        stub["_type"] == "histogram" and stub["values"] == np.histogram(DATA, bins=64)[0].tolist()
    )


def test_decreasing_edges_are_reversed_with_their_counts():
    with pytest.warns(UserWarning, match=r"np_histogram edges: expected non-decreasing values; got "
                      r"them in decreasing order \(\[3\.0, 2\.0, 1\.0, 0\.0\]\); edges and counts "
                      r"were reversed together"):
        h = media.Histogram(np_histogram=(np.array([5, 6, 7]), np.array([3.0, 2.0, 1.0, 0.0])))
    assert h.edges == [0.0, 1.0, 2.0, 3.0] and h.counts == [7, 6, 5]


def test_decreasing_histogram_is_logged_with_the_rest_of_the_row(log_one):
    with pytest.warns(UserWarning, match="reversed together"):
        r = log_one({"h": media.Histogram(np_histogram=([1, 2], [2, 1, 0])), "loss": 0.5})
    row = next(r.history())
    assert row["loss"] == 0.5 and row["h"]["_type"] == "histogram"


def test_the_pair_np_histogram_returns_is_read_as_np_histogram():
    """Histogram(np.histogram(x)), as wandb's docs write it: read as np_histogram, with a warning."""
    x = np.arange(10.0)
    with pytest.warns(UserWarning, match=r"read as np_histogram"):
        h = media.Histogram(np.histogram(x, bins=5))
    assert h.counts == [2, 2, 2, 2, 2] and h.edges == pytest.approx([0, 1.8, 3.6, 5.4, 7.2, 9])
    assert media.Histogram((1.0, 2.0)).counts != [2, 2, 2, 2, 2]  # a plain pair of values is a sequence
