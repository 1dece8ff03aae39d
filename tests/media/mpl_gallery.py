"""A gallery of matplotlib figures, one builder per kind of training plot.

Used by tests/media/test_mpl.py (converted traces are checked against the data plotted here) and
usable for an eyeball comparison of matplotlib's PNG against the converted plotly chart::

    from tests.media.mpl_gallery import GALLERY
    fig = GALLERY["line_styles"]()

Every builder returns a new ``Figure`` made with ``matplotlib.figure.Figure`` (no pyplot state)
from fixed, seeded data. ``SUPPORTED`` builders convert to plotly; ``UNSUPPORTED`` ones map to
the artist name the fallback warning must name.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from matplotlib.figure import Figure

X = np.arange(10, dtype=float)
Y = np.array([1.0, 3.0, 2.0, 5.0, 4.0, 6.0, 5.5, 7.0, 8.5, 8.0])
RNG_SEED = 7


def _fig(**kw) -> Figure:
    return Figure(figsize=kw.pop("figsize", (6.4, 4.8)), dpi=kw.pop("dpi", 100), **kw)


def seed_tutorial() -> Figure:
    fig = _fig()
    ax = fig.add_subplot()
    ax.plot([1, 2, 3, 4])
    ax.set_ylabel("some interesting numbers")
    return fig


def line_styles() -> Figure:
    fig = _fig()
    ax = fig.add_subplot()
    for i, (style, marker) in enumerate(
        [
            ("-", "o"),
            ("--", "s"),
            (":", "^"),
            ("-.", "v"),
            ("None", "x"),
            ("-", "+"),
            ("-", "*"),
            ("--", "D"),
            (":", "."),
        ]
    ):
        ax.plot(
            X,
            Y + i,
            linestyle=style,
            marker=marker,
            markersize=4 + i,
            linewidth=1 + i / 4,
            color=f"C{i}",
            alpha=0.5 if i == 2 else None,
            label=f"run {i}",
        )
    ax.plot(X, Y - 2, color="gray", label="_hidden baseline")
    ax.set_title("loss")
    ax.set_xlabel("epoch")
    ax.set_ylabel("value")
    ax.legend()
    return fig


def scatter_sizes_colors() -> Figure:
    fig = _fig()
    ax = fig.add_subplot()
    ax.scatter(X, Y, s=(X + 1) * 10, c=["red", "green", "blue", "orange", "purple"] * 2, marker="s")
    return fig


def scatter_colormap() -> Figure:
    fig = _fig()
    ax = fig.add_subplot()
    sc = ax.scatter(X, Y, c=X * 2, cmap="viridis", vmin=0, vmax=20)
    cbar = fig.colorbar(sc, ax=ax)
    cbar.set_label("accuracy")
    return fig


def hue_scatter() -> Figure:
    """Seaborn-style: one scatter call per class, with a legend."""
    rng = np.random.default_rng(RNG_SEED)
    fig = _fig()
    ax = fig.add_subplot()
    for name in ("cat", "dog", "bird"):
        ax.scatter(rng.normal(size=20), rng.normal(size=20), label=name, alpha=0.8)
    ax.legend(title="class")
    return fig


def bar_categories() -> Figure:
    fig = _fig()
    ax = fig.add_subplot()
    ax.bar(["train", "val", "test"], [0.9, 0.8, 0.75], color=["C0", "C1", "C2"])
    ax.set_ylim(0, 1)
    return fig


def barh() -> Figure:
    fig = _fig()
    ax = fig.add_subplot()
    ax.barh([0, 1, 2, 3], [5.0, 3.0, 4.0, 1.0], height=0.5, color="teal")
    return fig


def stacked_bars() -> Figure:
    fig = _fig()
    ax = fig.add_subplot()
    a = np.array([1.0, 2.0, 3.0])
    b = np.array([2.0, 1.0, 0.5])
    ax.bar([0, 1, 2], a, label="a")
    ax.bar([0, 1, 2], b, bottom=a, label="b")
    ax.legend()
    return fig


def hist() -> Figure:
    rng = np.random.default_rng(RNG_SEED)
    fig = _fig()
    ax = fig.add_subplot()
    ax.hist(rng.normal(size=500), bins=20, color="C3", edgecolor="black")
    return fig


def hist_step() -> Figure:
    rng = np.random.default_rng(RNG_SEED)
    fig = _fig()
    ax = fig.add_subplot()
    ax.hist(rng.normal(size=500), bins=15, histtype="step", label="step")
    ax.hist(rng.normal(1, size=500), bins=15, histtype="stepfilled", alpha=0.4, label="filled")
    ax.legend()
    return fig


def fill_between() -> Figure:
    fig = _fig()
    ax = fig.add_subplot()
    ax.plot(X, Y, label="mean")
    ax.fill_between(X, Y - 1, Y + 1, alpha=0.3, label="±1 std")
    ax.legend()
    return fig


def errorbar() -> Figure:
    fig = _fig()
    ax = fig.add_subplot()
    ax.errorbar(X[:5], Y[:5], yerr=[0.1, 0.2, 0.3, 0.4, 0.5], fmt="o-", capsize=3, label="err")
    ax.legend()
    return fig


def imshow_upper() -> Figure:
    fig = _fig()
    ax = fig.add_subplot()
    im = ax.imshow(np.arange(12, dtype=float).reshape(3, 4), cmap="magma")
    fig.colorbar(im, ax=ax)
    return fig


def imshow_lower() -> Figure:
    fig = _fig()
    ax = fig.add_subplot()
    ax.imshow(
        np.arange(12, dtype=float).reshape(3, 4), origin="lower", cmap="gray", extent=(0, 8, 0, 3)
    )
    return fig


def imshow_rgb() -> Figure:
    img = np.zeros((4, 5, 3), dtype=np.uint8)
    img[0, 0] = (255, 0, 0)
    img[3, 4] = (0, 0, 255)
    fig = _fig()
    ax = fig.add_subplot()
    ax.imshow(img)
    return fig


def text_annotate() -> Figure:
    fig = _fig()
    ax = fig.add_subplot()
    ax.plot(X, Y)
    ax.text(2, 6, "peak soon", color="red", fontsize=12)
    ax.text(0.05, 0.95, "axes corner", transform=ax.transAxes, va="top")
    ax.annotate(
        "best",
        xy=(8, 8.5),
        xytext=(-30, 20),
        textcoords="offset points",
        arrowprops={"arrowstyle": "->"},
    )
    return fig


def log_scales() -> Figure:
    fig = _fig(figsize=(8, 4))
    ax1, ax2 = fig.subplots(1, 2)
    ax1.semilogy(X + 1, 10 ** (X / 3))
    ax2.loglog(X + 1, (X + 1) ** 2)
    ax2.set_xlim(1, 20)
    return fig


def inverted_limits() -> Figure:
    fig = _fig()
    ax = fig.add_subplot()
    ax.plot(X, Y)
    ax.set_xlim(9, 0)
    ax.set_ylim(-1, 10)
    return fig


def subplot_grid() -> Figure:
    fig = _fig(figsize=(8, 6))
    axes = fig.subplots(2, 3)
    for i, ax in enumerate(axes.flat):
        ax.plot(X, Y * (i + 1))
        ax.set_title(f"panel {i}")
    fig.suptitle("grid")
    return fig


def twin_axes() -> Figure:
    fig = _fig()
    ax = fig.add_subplot()
    ax.plot(X, Y, color="C0")
    ax.set_ylabel("loss")
    ax2 = ax.twinx()
    ax2.plot(X, Y / 10, color="C1")
    ax2.set_ylabel("lr")
    return fig


def reference_lines() -> Figure:
    fig = _fig()
    ax = fig.add_subplot()
    ax.plot(X, Y)
    ax.axhline(4, color="red", linestyle="--")
    ax.axvline(3, color="gray")
    ax.axvspan(5, 6, alpha=0.2)
    ax.vlines([1, 2], 0, [3, 4], color="k")
    return fig


def boxplot() -> Figure:
    rng = np.random.default_rng(RNG_SEED)
    fig = _fig()
    ax = fig.add_subplot()
    ax.boxplot([rng.normal(size=50), rng.normal(2, size=50)], tick_labels=["a", "b"])
    return fig


def dates_line() -> Figure:
    fig = _fig()
    ax = fig.add_subplot()
    days = np.arange("2024-01-01", "2024-01-11", dtype="datetime64[D]")
    ax.plot(days, Y, marker="o")
    ax.axvline(days[4], color="gray")
    ax.annotate("release", xy=(days[7], 7.0))
    return fig


def stairs_and_events() -> Figure:
    fig = _fig()
    ax = fig.add_subplot()
    ax.stairs([3.0, 1.0, 2.0], [0.0, 1.0, 2.0, 3.0], fill=True, label="stairs")
    ax.eventplot([[0.5, 1.5, 2.5]], lineoffsets=5.0, colors="k")
    ax.bar([0.5, 1.5], [1.0, 2.0], hatch="//", fill=False)
    return fig


SUPPORTED: dict[str, Callable[[], Figure]] = {
    f.__name__: f
    for f in (
        seed_tutorial,
        line_styles,
        scatter_sizes_colors,
        scatter_colormap,
        hue_scatter,
        bar_categories,
        barh,
        stacked_bars,
        hist,
        hist_step,
        fill_between,
        errorbar,
        imshow_upper,
        imshow_lower,
        imshow_rgb,
        text_annotate,
        log_scales,
        inverted_limits,
        subplot_grid,
        twin_axes,
        reference_lines,
        boxplot,
        dates_line,
        stairs_and_events,
    )
}


def axes_3d() -> Figure:
    fig = _fig()
    ax = fig.add_subplot(projection="3d")
    ax.plot(X, Y, X)
    return fig


def polar() -> Figure:
    fig = _fig()
    ax = fig.add_subplot(projection="polar")
    ax.plot(X, Y)
    return fig


def pie() -> Figure:
    fig = _fig()
    ax = fig.add_subplot()
    ax.pie([1, 2, 3], labels=["a", "b", "c"])
    return fig


def contourf() -> Figure:
    fig = _fig()
    ax = fig.add_subplot()
    xx, yy = np.meshgrid(X, X)
    ax.contourf(xx, yy, xx * yy)
    return fig


def pcolormesh() -> Figure:
    fig = _fig()
    ax = fig.add_subplot()
    ax.pcolormesh(np.arange(12, dtype=float).reshape(3, 4))
    return fig


#: builder name -> (builder, text the fallback warning must contain)
UNSUPPORTED: dict[str, tuple[Callable[[], Figure], str]] = {
    "axes_3d": (axes_3d, "Axes3D"),
    "polar": (polar, "PolarAxes"),
    "pie": (pie, "Wedge"),
    "contourf": (contourf, "QuadContourSet"),
    "pcolormesh": (pcolormesh, "QuadMesh"),
}

GALLERY: dict[str, Callable[[], Figure]] = {
    **SUPPORTED,
    **{k: v[0] for k, v in UNSUPPORTED.items()},
}
