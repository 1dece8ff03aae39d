"""Plotly: figures and figure dicts stored as plain-list plotly JSON; bad inputs; run round trip."""

from __future__ import annotations

import datetime
import json

import numpy as np
import pytest

import media
from media.plotly import Plotly
from media.runfolder import MediaWriter

go = pytest.importorskip("plotly.graph_objects")


def ser(p: Plotly, tmp_path) -> tuple[dict, dict]:
    stub = p._serialize(MediaWriter(tmp_path, "plot", 7))
    with open(tmp_path / stub["path"], encoding="utf-8") as f:
        return stub, json.load(f)


GOOD = [
    # id, figure, expected data of trace 0 (key -> list)
    ("figure lists", lambda: go.Figure(go.Scatter(x=[1, 2, 3], y=[4, 5, 6])), {"y": [4, 5, 6]}),
    (
        "figure numpy",
        lambda: go.Figure(go.Scatter(x=np.arange(3), y=np.array([0.5, 1.5, 2.5]))),
        {"x": [0, 1, 2], "y": [0.5, 1.5, 2.5]},
    ),
    (
        "numpy NaN becomes null",
        lambda: go.Figure(go.Scatter(y=np.array([1.0, np.nan, np.inf]))),
        {"y": [1.0, None, None]},
    ),
    (
        "2-D heatmap",
        lambda: go.Figure(go.Heatmap(z=np.arange(6, dtype=np.float32).reshape(2, 3))),
        {"z": [[0.0, 1.0, 2.0], [3.0, 4.0, 5.0]]},
    ),
    (
        "dict with numpy",
        lambda: {"data": [{"type": "bar", "x": ["a", "b"], "y": np.array([3, 5])}]},
        {"x": ["a", "b"], "y": [3, 5]},
    ),
    (
        "dict with dates",
        lambda: {"data": [{"type": "scatter", "x": [datetime.date(2020, 1, 2)], "y": [1]}]},
        {"x": ["2020-01-02"]},
    ),
    ("FigureWidget-like subclass", lambda: go.Figure(go.Bar(y=[1])), {"y": [1]}),
]


@pytest.mark.parametrize("fig_fn, expected", [g[1:] for g in GOOD], ids=[g[0] for g in GOOD])
def test_good_figures_are_stored_as_plain_json(tmp_path, fig_fn, expected):
    stub, doc = ser(Plotly(fig_fn()), tmp_path)
    assert stub["_type"] == "plotly" and stub["path"] == "media/plot/7_0.plotly.json"
    assert stub["traces"] == 1 and "source" not in stub
    trace = doc["data"][0]
    for key, value in expected.items():
        assert trace[key] == value
    assert "bdata" not in json.dumps(doc)  # no base64 typed arrays: any reader can read it
    # plotly reads the file back into an equivalent figure
    back = go.Figure(doc)
    assert back.data[0].type == trace["type"]


def test_source_is_recorded_and_copy_keeps_it(tmp_path):
    p = Plotly({"data": [{"type": "scatter", "y": [1, 2]}]}, source="matplotlib")
    stub, _ = ser(p, tmp_path)
    assert stub["source"] == "matplotlib"
    assert stub["plotly_version"]
    assert Plotly(p).source == "matplotlib"
    assert Plotly(p, source="other").source == "other"


def test_figure_is_a_snapshot(tmp_path):
    fig = go.Figure(go.Scatter(y=[1, 2]))
    p = Plotly(fig)
    fig.add_trace(go.Scatter(y=[3]))
    stub, doc = ser(p, tmp_path)
    assert stub["traces"] == 1 and len(doc["data"]) == 1


BAD = [
    ("int", 5, TypeError, r"Plotly: fig: expected a plotly Figure.*got int \(5\)"),
    ("string", "fig.json", TypeError, r"Plotly: fig: expected a plotly Figure.*got str"),
    ("unknown trace", {"data": [{"type": "scater"}]}, ValueError, r"not a valid plotly figure"),
    ("bad property", {"data": [{"type": "scatter", "yy": [1]}]}, ValueError, r"yy"),
    ("extra key", {"data": [], "foo": 1}, ValueError, r"got extra keys \['foo'\]"),
]


@pytest.mark.parametrize("fig, exc, match", [b[1:] for b in BAD], ids=[b[0] for b in BAD])
def test_bad_figures(fig, exc, match):
    with pytest.raises(exc, match=match):
        Plotly(fig)


def test_matplotlib_figure_gets_a_hint():
    plt = pytest.importorskip("matplotlib.pyplot")
    fig = plt.figure()
    try:
        with pytest.raises(TypeError, match=r"Log the matplotlib figure directly"):
            Plotly(fig)
    finally:
        plt.close(fig)


@pytest.mark.parametrize("source", ["", 3, "x" * 65])
def test_bad_source(source):
    with pytest.raises(TypeError, match=r"Plotly: source: expected a non-empty str"):
        Plotly({"data": []}, source=source)


def test_plotly_through_a_run(root):
    run = media.init(project="p")
    media.log({"chart": Plotly(go.Figure(go.Scatter(y=[1, 3, 2])))})
    media.log({"chart": go.Figure(go.Bar(y=[5]))})  # a bare figure is wrapped by log()
    media.finish()
    r = media.open_run(run.dir)
    stubs = [s for _, s in r.media("chart")]
    assert [s["_type"] for s in stubs] == ["plotly", "plotly"]
    assert stubs[0]["path"] != stubs[1]["path"]
    docs = [json.loads(r.resolve(s["path"]).read_text()) for s in stubs]
    assert docs[0]["data"][0]["y"] == [1, 3, 2]
    assert docs[1]["data"][0]["type"] == "bar"
