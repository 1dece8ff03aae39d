"""matplotlib -> plotly conversion (media.mpl): every gallery figure converts, and the traces
carry the data that was plotted; unsupported figures fall back to an Image with one warning."""

from __future__ import annotations

import json
import warnings

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import plotly.graph_objects as go  # noqa: E402
import plotly.io as pio  # noqa: E402
import pytest  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

import media  # noqa: E402
from media.errors import MediaTypeError  # noqa: E402
from media.image import Image  # noqa: E402
from media.mpl import convert_figure, from_matplotlib, rgba  # noqa: E402
from media.plotly import Plotly  # noqa: E402
from tests.media import mpl_gallery as g  # noqa: E402


def convert(builder):
    fig = builder()
    out, unsupported = convert_figure(fig)
    assert unsupported == []
    go.Figure(out)  # validates against plotly's schema
    return Plotly(out).to_dict()  # as stored: plain JSON lists, NaN -> null


def types(out):
    return [t["type"] for t in out["data"]]


def legend(out):
    shown = [t for t in out["data"] if t.get("showlegend")]
    return [t["name"] for t in sorted(shown, key=lambda t: t["legendrank"])]


# --- every supported figure converts, without a warning --------------------------------------

EXPECTED_TYPES = {
    "seed_tutorial": ["scatter"],
    "line_styles": ["scatter"] * 10,
    "scatter_sizes_colors": ["scatter"],
    "scatter_colormap": ["scatter"],
    "hue_scatter": ["scatter"] * 3,
    "bar_categories": ["bar"],
    "barh": ["bar"],
    "stacked_bars": ["bar", "bar"],
    "hist": ["bar"],
    "hist_step": ["scatter", "scatter"],
    "fill_between": ["scatter", "scatter"],
    "errorbar": ["scatter"],
    "imshow_upper": ["heatmap"],
    "imshow_lower": ["heatmap"],
    "imshow_rgb": ["image"],
    "text_annotate": ["scatter"],
    "log_scales": ["scatter", "scatter"],
    "inverted_limits": ["scatter"],
    "subplot_grid": ["scatter"] * 6,
    "twin_axes": ["scatter", "scatter"],
    "reference_lines": ["scatter", "scatter"],
    "boxplot": ["scatter"] * 14,
    "dates_line": ["scatter"],
    "stairs_and_events": ["scatter", "bar", "scatter"],
}


def test_gallery_is_covered():
    assert set(EXPECTED_TYPES) == set(g.SUPPORTED)
    assert len(g.SUPPORTED) >= 14


@pytest.mark.parametrize("name", sorted(g.SUPPORTED))
def test_supported_figure_converts_without_fallback(name):
    fig = g.SUPPORTED[name]()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        value = from_matplotlib(fig)
    assert isinstance(value, Plotly)
    assert value.source == "matplotlib"
    out = value.to_dict()
    assert types(out) == EXPECTED_TYPES[name]
    w, h = fig.get_size_inches() * fig.dpi
    assert (out["layout"]["width"], out["layout"]["height"]) == (round(w), round(h))


# --- the data in the traces is the data plotted ------------------------------------------------


def test_seed_tutorial():
    out = convert(g.seed_tutorial)
    (t,) = out["data"]
    assert t["x"] == [0, 1, 2, 3] and t["y"] == [1, 2, 3, 4]
    assert t["mode"] == "lines"
    assert out["layout"]["yaxis"]["title"]["text"] == "some interesting numbers"
    assert "title" not in out["layout"]["xaxis"]
    assert out["layout"]["showlegend"] is False


def test_line_styles_markers_and_legend():
    out = convert(g.line_styles)
    lines = out["data"]
    assert [t["y"] for t in lines[:9]] == [(g.Y + i).tolist() for i in range(9)]
    assert [t.get("line", {}).get("dash") for t in lines[:4]] == ["solid", "dash", "dot", "dashdot"]
    assert lines[4]["mode"] == "markers"  # linestyle "None"
    symbols = [t["marker"]["symbol"] for t in lines[:9]]
    assert symbols == [
        "circle",
        "square",
        "triangle-up",
        "triangle-down",
        "x-thin-open",
        "cross-thin-open",
        "star",
        "diamond",
        "circle",
    ]
    assert lines[1]["marker"]["size"] == pytest.approx(5 * 100 / 72, rel=1e-3)
    assert lines[8]["marker"]["size"] == pytest.approx(12 * 100 / 72 / 2, rel=1e-3)  # '.' is half
    assert lines[2]["line"]["color"].endswith(",0.5)")  # alpha
    assert lines[0]["line"]["color"] == rgba("C0")
    assert legend(out) == [f"run {i}" for i in range(9)]  # the underscore label is not listed
    assert [a["text"] for a in out["layout"]["annotations"] if a.get("name") == "title"] == ["loss"]
    assert out["layout"]["xaxis"]["title"]["text"] == "epoch"


def test_scatter_per_point_sizes_and_colors():
    (t,) = convert(g.scatter_sizes_colors)["data"]
    assert t["x"] == g.X.tolist() and t["y"] == g.Y.tolist()
    assert t["marker"]["symbol"] == "square"
    assert t["marker"]["size"] == pytest.approx(
        (np.sqrt((g.X + 1) * 10) * 100 / 72).tolist(), abs=1e-3
    )
    assert t["marker"]["color"][:3] == [rgba("red"), rgba("green"), rgba("blue")]


def test_scatter_colormap_and_colorbar():
    (t,) = convert(g.scatter_colormap)["data"]
    mk = t["marker"]
    assert mk["color"] == (g.X * 2).tolist()
    assert (mk["cmin"], mk["cmax"]) == (0, 20)
    assert mk["colorscale"][0][1] == rgba(plt.get_cmap("viridis")(0.0))
    assert mk["showscale"] is True and mk["colorbar"]["title"]["text"] == "accuracy"


def test_hue_scatter_has_a_legend():
    out = convert(g.hue_scatter)
    assert legend(out) == ["cat", "dog", "bird"]
    assert out["layout"]["legend"]["title"]["text"] == "class"
    assert len({t["marker"]["color"] for t in out["data"]}) == 3


def test_bars_on_categories():
    out = convert(g.bar_categories)
    (t,) = out["data"]
    assert t["x"] == [0, 1, 2] and t["y"] == pytest.approx([0.9, 0.8, 0.75])
    assert t["base"] == [0, 0, 0] and t["width"] == pytest.approx([0.8] * 3)
    assert t["marker"]["color"] == [rgba("C0"), rgba("C1"), rgba("C2")]
    x = out["layout"]["xaxis"]
    assert x["ticktext"] == ["train", "val", "test"] and x["tickvals"] == [0, 1, 2]
    assert out["layout"]["yaxis"]["range"] == [0, 1]


def test_barh():
    (t,) = convert(g.barh)["data"]
    assert t["orientation"] == "h"
    assert t["x"] == [5, 3, 4, 1] and t["y"] == [0, 1, 2, 3] and t["width"] == [0.5] * 4


def test_stacked_bars():
    out = convert(g.stacked_bars)
    a, b = out["data"]
    assert a["y"] == [1, 2, 3] and a["base"] == [0, 0, 0]
    assert b["y"] == [2, 1, 0.5] and b["base"] == [1, 2, 3]
    assert legend(out) == ["a", "b"]


def test_hist_bars_hold_the_counts():
    (t,) = convert(g.hist)["data"]
    assert len(t["y"]) == 20 and sum(t["y"]) == 500
    assert t["marker"]["line"]["color"] == rgba("black")


def test_hist_step_and_stepfilled():
    out = convert(g.hist_step)
    step, filled = sorted(out["data"], key=lambda t: t["name"] != "step")
    assert step["fill"] == "none" and filled["fill"] == "toself"
    assert max(v for v in step["y"] if v is not None) > 0
    assert legend(out) == ["step", "filled"]


def test_fill_between_is_a_filled_polygon():
    out = convert(g.fill_between)
    band, line = out["data"]  # drawn in zorder: the fill (1) under the line (2)
    assert band["fill"] == "toself" and band["fillcolor"].endswith(",0.3)")
    ys = [v for v in band["y"] if v is not None]
    assert set((g.Y + 1).tolist()) <= set(ys) and set((g.Y - 1).tolist()) <= set(ys)
    assert legend(out) == ["mean", "±1 std"]


def test_errorbar():
    out = convert(g.errorbar)
    (t,) = out["data"]
    assert t["x"] == g.X[:5].tolist() and t["y"] == g.Y[:5].tolist()
    err = t["error_y"]
    assert err["array"] == pytest.approx([0.1, 0.2, 0.3, 0.4, 0.5])
    assert err["arrayminus"] == pytest.approx([0.1, 0.2, 0.3, 0.4, 0.5])
    assert err["width"] > 0  # caps
    assert legend(out) == ["err"]


def test_imshow_origin_upper_keeps_row_zero_on_top():
    out = convert(g.imshow_upper)
    (t,) = out["data"]
    z = np.array(t["z"])
    assert z.shape == (3, 4) and z.tolist() == np.arange(12).reshape(3, 4).tolist()
    assert (t["x0"], t["dx"], t["y0"], t["dy"]) == (0, 1, 0, 1)  # row 0 at y=0 ...
    assert out["layout"]["yaxis"]["range"] == [2.5, -0.5]  # ... which is drawn at the top
    assert t["colorscale"][-1][1] == rgba(plt.get_cmap("magma")(1.0))
    assert (t["zmin"], t["zmax"]) == (0, 11) and t["showscale"] is True


def test_imshow_origin_lower_with_extent():
    out = convert(g.imshow_lower)
    (t,) = out["data"]
    assert np.array(t["z"]).tolist() == np.arange(12).reshape(3, 4).tolist()
    assert (t["x0"], t["dx"], t["y0"], t["dy"]) == (1, 2, 0.5, 1)  # row 0 at the bottom
    assert out["layout"]["yaxis"]["range"] == [0, 3]


def test_imshow_rgb():
    (t,) = convert(g.imshow_rgb)["data"]
    z = np.array(t["z"])
    assert z.shape == (4, 5, 3) and t["colormodel"] == "rgb"
    assert z[0, 0].tolist() == [255, 0, 0] and z[3, 4].tolist() == [0, 0, 255]


def test_text_and_annotations():
    notes = convert(g.text_annotate)["layout"]["annotations"]
    by_text = {a["text"]: a for a in notes}
    peak = by_text["peak soon"]
    assert (peak["x"], peak["y"], peak["xref"], peak["yref"]) == (2, 6, "x", "y")
    assert peak["font"]["color"] == rgba("red")
    assert peak["font"]["size"] == pytest.approx(12 * 100 / 72, rel=1e-3)
    corner = by_text["axes corner"]
    assert (corner["xref"], corner["yref"], corner["yanchor"]) == ("x domain", "y domain", "top")
    best = by_text["best"]
    assert (best["x"], best["y"], best["showarrow"]) == (8, 8.5, True)
    assert best["ax"] == pytest.approx(-30 * 100 / 72) and best["ay"] == pytest.approx(
        -20 * 100 / 72
    )


def test_log_scales():
    out = convert(g.log_scales)
    lay = out["layout"]
    assert lay["xaxis"]["type"] == "linear" and lay["yaxis"]["type"] == "log"
    assert lay["xaxis2"]["type"] == "log" and lay["yaxis2"]["type"] == "log"
    assert lay["xaxis2"]["range"] == pytest.approx([0, np.log10(20)])
    assert out["data"][0]["y"] == pytest.approx((10 ** (g.X / 3)).tolist())
    assert (out["data"][1]["xaxis"], out["data"][1]["yaxis"]) == ("x2", "y2")


def test_inverted_limits():
    lay = convert(g.inverted_limits)["layout"]
    assert lay["xaxis"]["range"] == [9, 0]
    assert lay["yaxis"]["range"] == [-1, 10]


def test_subplot_grid_domains_match_the_figure():
    fig = g.subplot_grid()
    out, _ = convert_figure(fig)
    lay = out["layout"]
    for n, ax in enumerate(fig.axes, start=1):
        sfx = "" if n == 1 else str(n)
        pos = ax.get_position()
        assert lay[f"xaxis{sfx}"]["domain"] == pytest.approx([pos.x0, pos.x1])
        assert lay[f"yaxis{sfx}"]["domain"] == pytest.approx([pos.y0, pos.y1])
        assert out["data"][n - 1]["xaxis"] == f"x{sfx}"
    assert len({tuple(lay[f"xaxis{s}"]["domain"]) for s in ["", "2", "3"]}) == 3
    assert len({tuple(lay[f"yaxis{s}"]["domain"]) for s in ["", "4"]}) == 2
    assert lay["title"]["text"] == "grid"
    titles = [a["text"] for a in lay["annotations"] if a.get("name") == "title"]
    assert titles == [f"panel {i}" for i in range(6)]


def test_twin_axes_overlay():
    lay = convert(g.twin_axes)["layout"]
    assert lay["yaxis2"]["overlaying"] == "y" and lay["yaxis2"]["side"] == "right"
    assert lay["yaxis2"]["title"]["text"] == "lr"
    assert lay["xaxis2"]["matches"] == "x"


def test_reference_lines_and_spans_become_shapes():
    out = convert(g.reference_lines)
    shapes = out["layout"]["shapes"]
    hline = next(s for s in shapes if s["type"] == "line" and s["yref"] == "y")
    assert (hline["y0"], hline["y1"], hline["xref"], hline["line"]["dash"]) == (
        4,
        4,
        "x domain",
        "dash",
    )
    span = next(s for s in shapes if s["type"] == "rect")
    assert (span["x0"], span["x1"], span["yref"]) == (5, 6, "y domain")
    (vl,) = [t for t in out["data"] if None in t["x"]]
    assert vl["x"] == [1, 1, None, 2, 2] and vl["y"] == [0, 3, None, 0, 4]


def test_boxplot_lines_and_labels():
    out = convert(g.boxplot)
    assert out["layout"]["xaxis"]["ticktext"] == ["a", "b"]
    fliers = [t for t in out["data"] if t["mode"] == "markers"]
    assert fliers and all(t["marker"]["symbol"] == "circle-open" for t in fliers)


def test_date_axis():
    out = convert(g.dates_line)
    (t,) = out["data"]
    assert t["x"][0].startswith("2024-01-01") and t["x"][-1].startswith("2024-01-10")
    assert t["y"] == g.Y.tolist()
    x = out["layout"]["xaxis"]
    assert x["type"] == "date" and x["range"][0] < "2024-01-01" < "2024-01-10" < x["range"][1]
    (line,) = out["layout"]["shapes"]
    assert line["x0"].startswith("2024-01-05") and line["yref"] == "y domain"
    (note,) = out["layout"]["annotations"]
    assert note["x"].startswith("2024-01-08") and note["y"] == 7


def test_stairs_events_and_hatched_bars():
    out = convert(g.stairs_and_events)
    stairs, bars, events = out["data"]
    assert stairs["fill"] == "toself" and {3.0, 1.0, 2.0} <= set(stairs["y"])
    assert events["x"] == [0.5, 0.5, None, 1.5, 1.5, None, 2.5, 2.5]
    assert bars["marker"]["pattern"]["shape"] == "/"


def test_other_hatches_fall_back():
    fig = Figure()
    fig.add_subplot().fill_between([0, 1], [1, 2], hatch="o")
    with pytest.warns(UserWarning, match=r"FillBetweenPolyCollection \(hatch 'o'\)"):
        assert isinstance(from_matplotlib(fig), Image)


def test_legend_from_labels_only_and_proxy_handles():
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    fig = Figure()
    ax1, ax2 = fig.subplots(1, 2)
    ax1.plot([1, 2])
    ax1.plot([2, 1])
    ax1.legend(["up", "down"])  # labels only: the artists keep "_child" labels
    ax2.scatter([1, 2], [1, 2], c=["r", "b"])
    ax2.legend(handles=[Patch(color="r", label="red"), Line2D([], [], marker="o", label="dot")])
    out = Plotly(convert_figure(fig)[0]).to_dict()
    shown = [t for t in out["data"] if t.get("showlegend")]
    assert [(t["name"], t.get("legend", "legend")) for t in shown] == [
        ("up", "legend"),
        ("down", "legend"),
        ("red", "legend2"),
        ("dot", "legend2"),
    ]
    assert shown[2]["marker"]["color"] == rgba("r") and shown[3]["x"] == [None]
    assert {"legend", "legend2"} <= set(out["layout"])


# --- fallbacks -----------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(g.UNSUPPORTED))
def test_unsupported_figure_falls_back_to_an_image(name):
    builder, artist = g.UNSUPPORTED[name]
    fig = builder()
    with pytest.warns(UserWarning, match=rf"logged as a PNG image.*cannot convert .*{artist}"):
        value = from_matplotlib(fig)
    assert isinstance(value, Image)
    assert (value.width, value.height) == (640, 480)


def test_unsupported_scale_falls_back():
    fig = Figure()
    ax = fig.add_subplot()
    ax.plot([1, 2, 3])
    ax.set_yscale("symlog")
    with pytest.warns(UserWarning, match=r"cannot convert symlog axis scale"):
        assert isinstance(from_matplotlib(fig), Image)


def test_only_one_warning_for_many_unsupported_artists():
    fig = g.pie()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        from_matplotlib(fig)
    assert len(caught) == 1 and "Wedge x3" in str(caught[0].message)
    assert caught[0].filename == __file__  # points at the caller


# --- inputs and the user's figure ------------------------------------------------------------


def test_axes_and_pyplot_are_accepted():
    plt.close("all")
    fig, ax = plt.subplots()
    ax.plot([3, 1, 2])
    for value in (ax, plt, fig):
        out = from_matplotlib(value).to_dict()
        assert out["data"][0]["y"] == [3, 1, 2]
    plt.close(fig)


def test_bad_matplotlib_value():
    line = Figure().add_subplot().plot([1, 2])[0]
    with pytest.raises(
        MediaTypeError,
        match=r"matplotlib: expected a Figure, an Axes or the "
        r"matplotlib.pyplot module; got Path",
    ):
        from_matplotlib(line.get_path())


def test_conversion_leaves_the_figure_alone():
    plt.close("all")
    fig, ax = plt.subplots()
    ax.plot([1, 2, 3], label="a")
    ax.legend()
    before = (ax.get_xlim(), ax.get_ylim(), len(ax.get_children()), fig.get_size_inches().tolist())
    from_matplotlib(fig)
    with pytest.warns(UserWarning):
        from_matplotlib(g.pie())
    assert plt.fignum_exists(fig.number)
    assert (
        ax.get_xlim(),
        ax.get_ylim(),
        len(ax.get_children()),
        fig.get_size_inches().tolist(),
    ) == before
    plt.close(fig)


# --- through a run -----------------------------------------------------------------------------


def test_pyplot_logged_in_a_run_is_an_interactive_chart(root):
    plt.close("all")
    run = media.init(project="mpl")
    plt.plot([1, 2, 3, 4])
    plt.ylabel("some interesting numbers")
    media.log({"chart": plt})
    with pytest.warns(UserWarning, match="cannot convert Wedge x3") as caught:
        media.log({"chart": g.pie()})
    assert caught[0].filename == __file__  # the warning points at the log() line
    media.finish()
    plt.close("all")
    r = media.open_run(run.dir)
    (_, chart), (_, pie) = list(r.media("chart"))
    assert chart["_type"] == "plotly" and chart["source"] == "matplotlib"
    text = r.resolve(chart["path"]).read_text()
    fig = pio.from_json(text)
    assert list(fig.data[0].y) == [1, 2, 3, 4]
    assert fig.layout.yaxis.title.text == "some interesting numbers"
    go.Figure(json.loads(text))
    assert pie["_type"] == "image"
