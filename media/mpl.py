"""matplotlib -> plotly: our own converter, used when a matplotlib figure is logged.

``log({"chart": fig})`` (or an Axes, or ``matplotlib.pyplot`` = the current figure) calls
``from_matplotlib``. It walks every artist of the figure and classifies it against an explicit
allow-list; when every visible artist is supported, the figure becomes an interactive
``Plotly(fig_dict, source="matplotlib")``. Otherwise (3-D or polar axes, pies, contours, meshes,
any artist type not on the list) -- or if the conversion itself fails -- the figure is rendered
to a PNG ``Image`` at its dpi, with one warning naming what could not be converted. A figure is
never lost and ``log()`` never raises because of a plot's content. The user's figure is not
closed or changed (it is laid out once, as a draw would).

Supported (see docs/kinds/matplotlib.md): lines (styles, markers, steps, axhline/axvline),
scatter (per-point colours and sizes, colormaps and colorbars), bar/barh/hist (stacked too),
polygons and fill_between, errorbar, vlines/hlines, imshow (scalar with colormap, or RGB(A)),
text and annotate, titles, axis labels, limits (inverted too), log scales, legends, twin axes,
subplot grids (domains from ``ax.get_position()``), figure size in pixels.

Example::

    plt.plot([1, 2, 3, 4]); plt.ylabel("some interesting numbers")
    media.log({"chart": plt})  # -> Plotly, source "matplotlib"
"""

from __future__ import annotations

import math
from collections import Counter
from typing import Any

import numpy as np

from media._base import Media
from media.errors import MediaTypeError, describe, warn

#: matplotlib marker -> plotly symbol (line-only markers use the "-open" form, coloured by edge)
_MARKERS: dict[str, str] = {
    "o": "circle",
    ".": "circle",
    ",": "square",
    "s": "square",
    "^": "triangle-up",
    "v": "triangle-down",
    "<": "triangle-left",
    ">": "triangle-right",
    "D": "diamond",
    "d": "diamond-tall",
    "*": "star",
    "p": "pentagon",
    "h": "hexagon",
    "H": "hexagon2",
    "8": "octagon",
    "X": "x",
    "P": "cross",
    "x": "x-thin-open",
    "+": "cross-thin-open",
    "|": "line-ns-open",
    "_": "line-ew-open",
    "1": "y-down-open",
    "2": "y-up-open",
    "3": "y-left-open",
    "4": "y-right-open",
}
#: marker size factor: matplotlib draws '.' at half size and ',' as one pixel
_MARKER_SCALE = {".": 0.5}
_DASHES = {
    "-": "solid",
    "solid": "solid",
    "--": "dash",
    "dashed": "dash",
    ":": "dot",
    "dotted": "dot",
    "-.": "dashdot",
    "dashdot": "dashdot",
}
_STEPS = {"steps-pre": "vh", "steps": "vh", "steps-post": "hv", "steps-mid": "hvh"}
_HA = {"left": "left", "center": "center", "right": "right"}
_VA = {
    "top": "top",
    "center": "middle",
    "center_baseline": "middle",
    "bottom": "bottom",
    "baseline": "bottom",
}


class _Unsupported(Exception):
    """An artist (or a feature of one) the converter does not handle; the message names it."""


def figure_of(value: Any) -> Any:
    """The root ``Figure`` of a Figure, SubFigure, Axes or the ``matplotlib.pyplot`` module."""
    if getattr(value, "__name__", "") == "matplotlib.pyplot":
        return value.gcf()
    get = getattr(value, "get_figure", None)
    if (type(value).__module__ or "").startswith("matplotlib") and get is not None:
        try:
            fig = get(root=True)
        except TypeError:  # matplotlib < 3.10 has no root=
            fig = get()
        if fig is None and hasattr(value, "savefig"):
            fig = value
        if fig is not None and hasattr(fig, "savefig"):
            return fig
    raise MediaTypeError(
        "matplotlib: expected a Figure, an Axes or the matplotlib.pyplot module; "
        f"got {describe(value)}."
    )


def from_matplotlib(value: Any) -> Media:
    """Turn a matplotlib Figure / Axes / ``pyplot`` into ``Plotly`` or, failing that, ``Image``.

    The fallback warns once (``UserWarning``), naming the artists that could not be converted.
    """
    fig = figure_of(value)
    try:
        fig_dict, unsupported = convert_figure(fig)
    except Exception as exc:  # a converter bug must not lose the step's data
        fig_dict, unsupported = None, [f"conversion error ({type(exc).__name__}: {exc})"]
    if not unsupported and fig_dict is not None:
        from media.plotly import Plotly

        try:
            return Plotly(fig_dict, source="matplotlib")
        except Exception as exc:
            unsupported = [f"invalid plotly figure ({type(exc).__name__}: {exc})"]
    from media.image import Image

    counts = Counter(unsupported)
    named = ", ".join(f"{name} x{n}" if n > 1 else name for name, n in counts.items())
    warn(
        f"matplotlib: logged as a PNG image, not an interactive chart: cannot convert {named} "
        "to plotly. Log media.Image(fig) to ask for an image and silence this.",
        UserWarning,
    )
    return Image(fig)


# --- colours and sizes ----------------------------------------------------------------------


def rgba(color: Any, alpha: float | None = None) -> str | None:
    """Any matplotlib colour -> ``"rgba(r,g,b,a)"``; None for 'none' / fully absent colours."""
    from matplotlib.colors import to_rgba

    if color is None or (isinstance(color, str) and color.lower() == "none"):
        return None
    r, g, b, a = to_rgba(color, alpha)
    return f"rgba({round(r * 255)},{round(g * 255)},{round(b * 255)},{round(a, 4):g})"


def _rgba_list(colors: Any, n: int, alpha: float | None = None) -> str | list[str | None] | None:
    arr = np.asarray(colors, dtype=float).reshape(-1, 4) if len(colors) else np.zeros((0, 4))
    if len(arr) == 0:
        return None
    if alpha is not None:
        arr = arr.copy()
        arr[:, 3] = alpha
    if len(arr) == 1 or np.all(arr == arr[0]):
        return rgba(tuple(arr[0]))
    return [rgba(tuple(arr[i % len(arr)])) for i in range(n)]


def _colorscale(cmap: Any) -> list[list[Any]]:
    """A plotly colorscale for a matplotlib colormap (stepwise for small listed maps)."""
    from matplotlib.colors import ListedColormap

    if isinstance(cmap, ListedColormap) and cmap.N <= 32:
        scale: list[list[Any]] = []
        for i in range(cmap.N):
            c = rgba(cmap(i))
            scale += [[i / cmap.N, c], [(i + 1) / cmap.N, c]]
        return scale
    return [[float(t), rgba(cmap(float(t)))] for t in np.linspace(0.0, 1.0, 33)]


def _linear_norm(norm: Any) -> bool:
    from matplotlib.colors import Normalize

    return type(norm) is Normalize


# --- the walk -------------------------------------------------------------------------------


class _Converter:
    def __init__(self, fig: Any) -> None:
        self.fig = fig
        self.dpi = float(fig.dpi)
        self.width = float(fig.bbox.width)
        self.height = float(fig.bbox.height)
        self.traces: list[dict[str, Any]] = []
        self.layout: dict[str, Any] = {}
        self.annotations: list[dict[str, Any]] = []
        self.shapes: list[dict[str, Any]] = []
        self.unsupported: list[str] = []
        self.mappables: dict[int, dict[str, Any]] = {}  # id(mappable) -> its trace
        self.legends = 0

    def px(self, points: float) -> float:
        return float(points) * self.dpi / 72.0

    def font(self, text: Any) -> dict[str, Any]:
        return {"size": round(self.px(text.get_fontsize()), 2), "color": rgba(text.get_color())}

    # figure --------------------------------------------------------------------------------

    def run(self) -> tuple[dict[str, Any], list[str]]:
        fig = self.fig
        for name in ("images", "lines", "patches", "artists"):
            for artist in getattr(fig, name, []):
                if artist.get_visible():
                    self.unsupported.append(f"figure-level {type(artist).__name__}")
        if getattr(fig, "subfigs", None):
            self.unsupported.append("SubFigure")
        fig_legend = any(leg.get_visible() for leg in fig.legends)
        axes = [ax for ax in fig.axes if ax.get_visible()]
        colorbars = [ax for ax in axes if getattr(ax, "_colorbar", None) is not None]
        main = [ax for ax in axes if ax not in colorbars]
        placed: list[tuple[Any, int]] = []
        for n, ax in enumerate(main, start=1):
            if type(ax).__name__ != "Axes" or type(ax).__module__ != "matplotlib.axes._axes":
                self.unsupported.append(type(ax).__name__)
                continue
            self.axes(ax, n, placed, fig_legend)
            placed.append((ax, n))
        for cax in colorbars:
            self.colorbar(cax)
        for leg in fig.legends:
            if leg.get_visible():
                self.legend(leg, [ax for ax, _ in placed], placed)
        for text in fig.texts:
            if text.get_visible() and text.get_text():
                if id(text) == id(getattr(fig, "_suptitle", None)):
                    self.layout["title"] = {
                        "text": text.get_text(),
                        "font": self.font(text),
                        "x": text.get_position()[0],
                        "y": text.get_position()[1],
                        "xanchor": "center",
                        "yanchor": "top",
                        "xref": "paper",
                        "yref": "paper",
                    }
                else:
                    self.text(text, "paper", "paper", None)
        face = fig.patch.get_facecolor() if fig.patch.get_visible() else "white"
        font_size = self.px(_rcfont())
        self.layout.update(
            width=round(self.width),
            height=round(self.height),
            autosize=False,
            margin={"l": 0, "r": 0, "t": 0, "b": 0, "pad": 0},
            template="none",
            paper_bgcolor=rgba(face),
            font={"family": "DejaVu Sans, Arial, sans-serif", "size": round(font_size, 2)},
            hovermode="closest",
            showlegend=any(t.get("showlegend") for t in self.traces),
        )
        if main and main[0].patch.get_visible():
            self.layout["plot_bgcolor"] = rgba(main[0].patch.get_facecolor())
        if self.annotations:
            self.layout["annotations"] = self.annotations
        if self.shapes:
            self.layout["shapes"] = self.shapes
        return {"data": self.traces, "layout": self.layout}, self.unsupported

    # one Axes ------------------------------------------------------------------------------

    def axes(self, ax: Any, n: int, placed: list[tuple[Any, int]], fig_legend: bool) -> None:
        sfx = "" if n == 1 else str(n)
        xa, ya = f"x{sfx}", f"y{sfx}"
        pos = ax.get_position()
        twin = next(
            (m for a, m in placed if np.allclose(a.get_position().bounds, pos.bounds)), None
        )
        xaxis = self.axis(ax, ax.xaxis, "x", [pos.x0, pos.x1], ya)
        yaxis = self.axis(ax, ax.yaxis, "y", [pos.y0, pos.y1], xa)
        if twin is not None:
            tsfx = "" if twin == 1 else str(twin)
            xaxis["overlaying"], yaxis["overlaying"] = f"x{tsfx}", f"y{tsfx}"
        for other, m in placed:
            osfx = "" if m == 1 else str(m)
            if ax.get_shared_x_axes().joined(ax, other):
                xaxis["matches"] = f"x{osfx}"
                break
        for other, m in placed:
            osfx = "" if m == 1 else str(m)
            if ax.get_shared_y_axes().joined(ax, other):
                yaxis["matches"] = f"y{osfx}"
                break
        self.layout[f"xaxis{sfx}"] = xaxis
        self.layout[f"yaxis{sfx}"] = yaxis
        ctx = _Axes(self, ax, xa, ya)
        ctx.walk()
        for key, title in (
            ("center", ax.title),
            ("left", ax._left_title),
            ("right", ax._right_title),
        ):
            if title.get_visible() and title.get_text():
                x = {"center": (pos.x0 + pos.x1) / 2, "left": pos.x0, "right": pos.x1}[key]
                self.annotations.append(
                    {
                        "name": "title",
                        "text": title.get_text(),
                        "font": self.font(title),
                        "x": x,
                        "y": pos.y1,
                        "xref": "paper",
                        "yref": "paper",
                        "xanchor": key,
                        "yanchor": "bottom",
                        "yshift": self.px(6),
                        "showarrow": False,
                    }
                )
        leg = ax.get_legend()
        if leg is not None and leg.get_visible():
            self.legend(leg, [ax], [(ax, n)], ctx)
        elif fig_legend:
            pass  # figure legends are placed once, in run()

    def axis(self, ax: Any, axis: Any, letter: str, domain: list[float], anchor: str) -> dict:
        scale = axis.get_scale()
        lo, hi = ax.get_xlim() if letter == "x" else ax.get_ylim()
        out: dict[str, Any] = {
            "domain": [float(domain[0]), float(domain[1])],
            "anchor": anchor,
            "automargin": False,
            "zeroline": False,
            "autorange": False,
        }
        if scale == "log":
            out["type"] = "log"
            out["range"] = [math.log10(lo), math.log10(hi)]
            if abs(math.log10(hi) - math.log10(lo)) >= 2:  # one tick per decade, as matplotlib
                out["dtick"] = 1
        elif scale == "linear" and _is_date(axis):
            out["type"] = "date"
            out["range"] = _dates([lo, hi])
        elif scale == "linear":
            out["type"] = "linear"
            out["range"] = [float(lo), float(hi)]
        else:
            raise _Unsupported(f"{scale} axis scale")
        label = axis.label
        if label.get_visible() and label.get_text():
            out["title"] = {"text": label.get_text(), "font": self.font(label)}
        params = axis.get_tick_params(which="major")
        side_a, side_b = ("bottom", "top") if letter == "x" else ("left", "right")
        if params.get(f"label{side_b}") and not params.get(f"label{side_a}"):
            out["side"] = side_b
        labels = [t for t in (axis.get_ticklabels()) if t.get_visible()]
        shown = params.get(f"label{side_a}", True) or params.get(f"label{side_b}", False)
        out["showticklabels"] = bool(shown and ax.axison)
        if labels:
            out["tickfont"] = self.font(labels[0])
        formatter = type(axis.get_major_formatter()).__name__
        if formatter in ("FixedFormatter", "StrCategoryFormatter", "FuncFormatter"):
            ticks = [float(v) for v in axis.get_majorticklocs()]
            out["tickmode"] = "array"
            out["tickvals"] = ticks
            out["ticktext"] = [t.get_text() for t in axis.get_ticklabels()][: len(ticks)]
        elif _is_date(axis):
            pass  # plotly's date ticks
        elif formatter not in (
            "ScalarFormatter",
            "LogFormatterSciNotation",
            "LogFormatter",
            "LogFormatterMathtext",
            "NullFormatter",
        ):
            raise _Unsupported(f"{formatter} tick labels")
        if formatter == "NullFormatter":
            out["showticklabels"] = False
        ticks_on = params.get(side_a, True) or params.get(side_b, False)
        major = axis.get_major_ticks()
        if ticks_on and major and ax.axison:
            tick = major[0]
            mark = tick.tick1line if params.get(side_a, True) else tick.tick2line
            out["ticks"] = "inside" if tick._tickdir == "in" else "outside"
            out["ticklen"] = round(self.px(mark.get_markersize()), 2)
            out["tickwidth"] = round(self.px(mark.get_markeredgewidth()), 2)
            out["tickcolor"] = rgba(mark.get_markeredgecolor())
        else:
            out["ticks"] = ""
        grid = [g for g in axis.get_gridlines() if g.get_visible()]
        out["showgrid"] = bool(grid) and bool(params.get("gridOn", False))
        if out["showgrid"]:
            out["gridcolor"] = rgba(grid[0].get_color(), grid[0].get_alpha())
            out["gridwidth"] = round(self.px(grid[0].get_linewidth()), 2)
        sa, sb = ax.spines[side_a], ax.spines[side_b]
        spine = sa if sa.get_visible() else sb
        out["showline"] = bool(ax.axison and (sa.get_visible() or sb.get_visible()))
        out["mirror"] = bool(sa.get_visible() and sb.get_visible())
        if out["showline"]:
            out["linecolor"] = rgba(spine.get_edgecolor())
            out["linewidth"] = round(self.px(spine.get_linewidth()), 2)
        return out

    # legends and colorbars -----------------------------------------------------------------

    def legend(
        self, leg: Any, axes: list[Any], placed: list[tuple[Any, int]], ctx: _Axes | None = None
    ) -> None:
        self.legends += 1
        name = "legend" if self.legends == 1 else f"legend{self.legends}"
        owned = [
            t for t in self.traces if t.get("_ax") in {id(a) for a in axes} and t["type"] != "image"
        ]
        used: set[int] = set()
        for rank, (handle, text) in enumerate(zip(leg.legend_handles, leg.texts, strict=False)):
            label = text.get_text()
            match = next(
                (
                    t
                    for t in owned
                    if t.get("_label") == label and id(t) not in used and not t.get("showlegend")
                ),
                None,
            )
            if match is None:
                match = _proxy_trace(self, handle, label, owned)
                self.traces.append(match)
            used.add(id(match))
            match.update(
                showlegend=True, name=label, legendrank=rank + 1, legendgroup=f"{name}:{label}"
            )
            if name != "legend":
                match["legend"] = name
            for t in owned:  # other parts of the same artist (error bars, stacked patches)
                if t.get("_label") == label and t.get("_group") == match.get("_group"):
                    t.setdefault("legendgroup", f"{name}:{label}")
        bbox = leg.get_window_extent()
        spec: dict[str, Any] = {
            "x": float(bbox.x0 / self.width),
            "y": float(bbox.y1 / self.height),
            "xref": "paper",
            "yref": "paper",
            "xanchor": "left",
            "yanchor": "top",
            "font": {"size": round(self.px(leg.texts[0].get_fontsize()), 2)} if leg.texts else {},
            "tracegroupgap": 0,
        }
        frame = leg.get_frame()
        if leg.get_frame_on() and frame.get_visible():
            spec.update(
                bgcolor=rgba(frame.get_facecolor()),
                bordercolor=rgba(frame.get_edgecolor()),
                borderwidth=round(self.px(frame.get_linewidth()), 2),
            )
        else:
            spec["bgcolor"] = "rgba(0,0,0,0)"
        title = leg.get_title()
        if title.get_visible() and title.get_text():
            spec["title"] = {"text": title.get_text()}
        self.layout[name] = spec

    def colorbar(self, cax: Any) -> None:
        cbar = cax._colorbar
        trace = self.mappables.get(id(cbar.mappable))
        if trace is None:
            self.unsupported.append("Colorbar (of an unconverted mappable)")
            return
        x0, y0, x1, y1 = (float(v) for v in cax.get_position().extents)
        vertical = cbar.orientation == "vertical"
        spec: dict[str, Any] = {
            "thickness": round((x1 - x0) * self.width if vertical else (y1 - y0) * self.height, 2),
            "thicknessmode": "pixels",
            "lenmode": "fraction",
            "outlinewidth": 1,
            "orientation": "v" if vertical else "h",
            "xpad": 0,
            "ypad": 0,
            "xref": "paper",
            "yref": "paper",
        }
        if vertical:
            spec.update(x=x0, xanchor="left", y=(y0 + y1) / 2, yanchor="middle", len=y1 - y0)
        else:
            spec.update(y=y0, yanchor="bottom", x=(x0 + x1) / 2, xanchor="center", len=x1 - x0)
        label = (cax.yaxis if vertical else cax.xaxis).label.get_text()
        if label:
            spec["title"] = {"text": label, "side": "right" if vertical else "bottom"}
        target = trace["marker"] if trace["type"] == "scatter" else trace
        target["showscale"] = True
        target["colorbar"] = spec

    def text(self, text: Any, xref: str, yref: str, ctx: _Axes | None) -> None:
        x, y = text.get_position()
        if ctx is not None:  # mapped on data axes (units, dates); blended refs included
            x, y = ctx.at(x, y, xref, yref)
        self.annotations.append(
            {
                "text": text.get_text().replace("\n", "<br>"),
                "x": x,
                "y": y,
                "xref": xref,
                "yref": yref,
                "showarrow": False,
                "font": self.font(text),
                "xanchor": _HA.get(text.get_horizontalalignment(), "left"),
                "yanchor": _VA.get(text.get_verticalalignment(), "bottom"),
                "textangle": -float(text.get_rotation()),
                **_text_box(text, self),
            }
        )


def _rcfont() -> float:
    import matplotlib

    return float(matplotlib.rcParams["font.size"])


class _Axes:
    """Converts the artists of one Axes; every child is either handled, ignored or unsupported."""

    def __init__(self, conv: _Converter, ax: Any, xa: str, ya: str) -> None:
        self.c, self.ax, self.xa, self.ya = conv, ax, xa, ya
        self.consumed: set[int] = set()
        self.xdate = ax is not None and _is_date(ax.xaxis)
        self.ydate = ax is not None and _is_date(ax.yaxis)

    def xv(self, values: Any) -> Any:
        return _dates(values) if self.xdate else _values(values)

    def joined(self, parts: list[np.ndarray], column: int) -> Any:
        """Several polylines as one trace coordinate, separated by gaps."""
        date = self.xdate if column == 0 else self.ydate
        if date:
            out: list[Any] = []
            for part in parts:
                out += _dates(part[:, column]) + [None]
            return out[:-1]
        gap = np.array([np.nan])
        pieces = [np.concatenate([part[:, column], gap]) for part in parts]
        return np.concatenate(pieces)[:-1] if pieces else np.zeros(0)

    def yv(self, values: Any) -> Any:
        return _dates(values) if self.ydate else _values(values)

    def at(self, x: float, y: float, xref: str, yref: str) -> tuple[Any, Any]:
        """A point for a layout shape or annotation, mapped when its reference is a date axis."""
        if xref == self.xa:
            x = self.xv([self.ax.xaxis.convert_units(x)])[0]
        if yref == self.ya:
            y = self.yv([self.ax.yaxis.convert_units(y)])[0]
        return (x if isinstance(x, str) or x is None else float(x)), (
            y if isinstance(y, str) or y is None else float(y)
        )

    def add(
        self, trace: dict[str, Any], label: str | None = None, group: int | None = None
    ) -> dict:
        trace.setdefault("xaxis", self.xa)
        trace.setdefault("yaxis", self.ya)
        if trace["type"] != "image":  # image traces have no legend entry
            trace["showlegend"] = False
        trace["_ax"] = id(self.ax)
        trace["_label"] = label
        trace["_group"] = group
        if label and not label.startswith("_"):
            trace["name"] = label
        self.c.traces.append(trace)
        return trace

    def walk(self) -> None:
        from matplotlib.axis import Axis
        from matplotlib.collections import (
            EventCollection,
            FillBetweenPolyCollection,
            LineCollection,
            PathCollection,
            PolyCollection,
        )
        from matplotlib.container import BarContainer, ErrorbarContainer
        from matplotlib.image import AxesImage
        from matplotlib.legend import Legend
        from matplotlib.lines import Line2D
        from matplotlib.patches import Polygon, Rectangle, StepPatch
        from matplotlib.spines import Spine
        from matplotlib.text import Annotation, Text

        ax = self.ax
        ignored = {id(ax.patch), id(ax.title), id(ax._left_title), id(ax._right_title)}
        # a container (bars, error bars) is converted where its first member is drawn
        owner: dict[int, Any] = {}
        for container in ax.containers:
            if isinstance(container, (BarContainer, ErrorbarContainer)):
                for member in _members(container):
                    owner.setdefault(id(member), container)
        handlers: dict[type, Any] = {
            Line2D: self.line,
            PathCollection: self.scatter,
            PolyCollection: self.polys,
            FillBetweenPolyCollection: self.polys,
            LineCollection: self.segments,
            Rectangle: self.rectangle,
            Polygon: self.polygon,
            StepPatch: self.steppatch,
            EventCollection: self.segments,
            AxesImage: self.image,
            Text: self.text,
            Annotation: self.annotation,
        }
        # matplotlib draws by zorder (stable), so the traces keep that order
        for child in sorted(ax.get_children(), key=lambda a: a.get_zorder()):
            if id(child) in ignored or id(child) in self.consumed:
                continue
            container = owner.get(id(child))
            if container is not None:
                try:
                    if isinstance(container, BarContainer):
                        self.bars(container)
                    else:
                        self.errorbar(container)
                except _Unsupported as exc:
                    self.c.unsupported.append(str(exc))
                self.consumed.update(id(m) for m in _members(container))
                continue
            if isinstance(child, (Spine, Axis, Legend)):
                continue
            handler = handlers.get(type(child))
            if not child.get_visible():
                continue
            if handler is None:
                self.c.unsupported.append(type(child).__name__)
                continue
            try:
                handler(child)
            except _Unsupported as exc:
                self.c.unsupported.append(str(exc))

    # transforms ----------------------------------------------------------------------------

    def refs(self, transform: Any, what: str) -> tuple[str, str]:
        ax = self.ax
        if transform == ax.transData:
            return self.xa, self.ya
        if transform == ax.transAxes:
            return f"{self.xa} domain", f"{self.ya} domain"
        if transform == ax.get_xaxis_transform():
            return self.xa, f"{self.ya} domain"
        if transform == ax.get_yaxis_transform():
            return f"{self.xa} domain", self.ya
        if transform == self.c.fig.transFigure:
            return "paper", "paper"
        raise _Unsupported(f"{what} (in a non-data coordinate system)")

    # lines ---------------------------------------------------------------------------------

    def line_style(self, line: Any) -> dict[str, Any] | None:
        style = line.get_linestyle()
        width = line.get_linewidth()
        color = rgba(line.get_color(), line.get_alpha())
        if style in ("None", "none", " ", "") or width == 0 or color is None:
            return None
        if style not in _DASHES:
            raise _Unsupported(f"Line2D (line style {style!r})")
        out = {"color": color, "width": round(self.c.px(width), 3), "dash": _DASHES[style]}
        shape = _STEPS.get(line.get_drawstyle())
        if shape:
            out["shape"] = shape
        elif line.get_drawstyle() != "default":
            raise _Unsupported(f"Line2D (draw style {line.get_drawstyle()!r})")
        return out

    def marker_style(self, line: Any) -> dict[str, Any] | None:
        marker = line.get_marker()
        if marker in (None, "None", "none", "", " "):
            return None
        if not isinstance(marker, str) or marker not in _MARKERS:
            raise _Unsupported(f"Line2D (marker {marker!r})")
        if line.get_markevery() is not None and self.ax is not None:  # legend handles have one
            raise _Unsupported("Line2D (markevery)")
        alpha = line.get_alpha()
        symbol = _MARKERS[marker]
        face = rgba(line.get_markerfacecolor(), alpha)
        edge = rgba(line.get_markeredgecolor(), alpha)
        size = self.c.px(line.get_markersize()) * _MARKER_SCALE.get(marker, 1.0)
        if marker == ",":
            size = 1.0
        edge_w = self.c.px(line.get_markeredgewidth())
        if symbol.endswith("-open"):
            return {
                "symbol": symbol,
                "size": round(size, 3),
                "color": edge or face,
                "line": {"width": round(edge_w, 3)},
            }
        if face is None:
            return {
                "symbol": symbol + "-open",
                "size": round(size, 3),
                "color": edge,
                "line": {"width": round(edge_w, 3)},
            }
        return {
            "symbol": symbol,
            "size": round(size, 3),
            "color": face,
            "line": {"color": edge or face, "width": round(edge_w, 3)},
        }

    def line(
        self,
        line: Any,
        error: dict[str, Any] | None = None,
        label: str | None = None,
        group: int | None = None,
    ) -> dict[str, Any] | None:
        xref, yref = self.refs(line.get_transform(), "Line2D")
        x = np.asarray(line.get_xdata(orig=False), dtype=float)
        y = np.asarray(line.get_ydata(orig=False), dtype=float)
        lstyle = self.line_style(line)
        mstyle = self.marker_style(line)
        if (xref, yref) != (self.xa, self.ya):
            if mstyle is not None or lstyle is None or len(x) != 2:
                raise _Unsupported("Line2D (in a non-data coordinate system)")
            self.c.shapes.append(
                {
                    "type": "line",
                    "xref": xref,
                    "yref": yref,
                    **_corners(self.at(x[0], y[0], xref, yref), self.at(x[1], y[1], xref, yref)),
                    "line": {k: lstyle[k] for k in ("color", "width", "dash")},
                    "layer": "above" if line.get_zorder() > 2 else "below",
                }
            )
            return None
        mode = "+".join(m for m, s in (("lines", lstyle), ("markers", mstyle)) if s) or "none"
        trace: dict[str, Any] = {"type": "scatter", "mode": mode, "x": self.xv(x), "y": self.yv(y)}
        if lstyle:
            trace["line"] = lstyle
        if mstyle:
            trace["marker"] = mstyle
        if error:
            trace.update(error)
        return self.add(trace, label if label is not None else line.get_label(), group)

    def segments(self, coll: Any, label: str | None = None, group: int | None = None) -> None:
        xref, yref = self.refs(coll.get_transform(), "LineCollection")
        if (xref, yref) != (self.xa, self.ya):
            raise _Unsupported("LineCollection (in a non-data coordinate system)")
        if np.any(coll.get_offsets()):
            raise _Unsupported("LineCollection (with offsets)")
        segs = coll.get_segments()
        colors = np.asarray(coll.get_colors(), dtype=float).reshape(-1, 4)
        widths = np.atleast_1d(coll.get_linewidths())
        styles = coll.get_linestyles()
        if coll.get_array() is not None:
            coll.update_scalarmappable()
            colors = np.asarray(coll.get_colors(), dtype=float).reshape(-1, 4)
        groups: dict[tuple, list[np.ndarray]] = {}
        for i, seg in enumerate(segs):
            c = rgba(tuple(colors[i % len(colors)]), coll.get_alpha()) if len(colors) else None
            dash = styles[i % len(styles)] if styles else (0, None)
            key = (c, float(widths[i % len(widths)]), _dash_name(dash))
            groups.setdefault(key, []).append(np.asarray(seg, dtype=float))
        lab = label if label is not None else coll.get_label()
        for (color, width, dash), parts in groups.items():
            if color is None or width == 0:
                continue
            self.add(
                {
                    "type": "scatter",
                    "mode": "lines",
                    "x": self.joined(parts, 0),
                    "y": self.joined(parts, 1),
                    "line": {"color": color, "width": round(self.c.px(width), 3), "dash": dash},
                    "hoverinfo": "x+y",
                },
                lab,
                group,
            )

    # scatter -------------------------------------------------------------------------------

    def scatter(self, coll: Any) -> None:
        if coll.get_offset_transform() != self.ax.transData:
            raise _Unsupported("PathCollection (offsets not in data coordinates)")
        paths = coll.get_paths()
        if len(paths) != 1:
            raise _Unsupported("PathCollection (several marker paths)")
        marker = _scatter_marker(paths[0])
        if marker is None:
            raise _Unsupported("PathCollection (custom marker)")
        offsets = np.ma.asarray(coll.get_offsets())
        xy = np.asarray(np.ma.filled(offsets.astype(float), np.nan)).reshape(-1, 2)
        n = len(xy)
        sizes = np.sqrt(np.atleast_1d(np.asarray(coll.get_sizes(), dtype=float)))
        size: Any = (
            np.round(sizes[np.arange(n) % len(sizes)] * self.c.px(1), 3)
            if len(sizes) > 1
            else round(self.c.px(sizes[0]) if len(sizes) else 6.0, 3)
        )
        symbol = _MARKERS[marker]
        mk: dict[str, Any] = {"symbol": symbol, "size": size}
        arr = coll.get_array()
        coll.update_scalarmappable()
        faces = coll.get_facecolors()
        edges = coll.get_edgecolors()
        widths = np.atleast_1d(coll.get_linewidths())
        lw = round(self.c.px(widths[0]), 3) if len(widths) else 0
        if arr is not None and _linear_norm(coll.norm) and len(faces) and np.ndim(arr) == 1:
            mk.update(
                color=_values(np.ma.filled(np.ma.asarray(arr, dtype=float), np.nan)),
                colorscale=_colorscale(coll.get_cmap()),
                cmin=float(coll.norm.vmin),
                cmax=float(coll.norm.vmax),
                showscale=False,
            )
            if coll.get_alpha() is not None:
                mk["opacity"] = float(coll.get_alpha())
        else:
            mk["color"] = _rgba_list(faces, n)
        same = np.shape(edges) == np.shape(faces) and np.array_equal(edges, faces)
        # edgecolor "face" (the default): the outline is the fill, so no per-point line colours
        edge = _rgba_list(edges, n) if len(edges) and not (same and "color" in mk) else None
        if symbol.endswith("-open"):
            mk["color"] = edge or mk.get("color")
            mk["line"] = {"width": lw}
        elif mk.get("color") is None:  # facecolor 'none': hollow markers
            mk["symbol"] = symbol + "-open"
            mk["color"] = edge
            mk["line"] = {"width": lw}
        else:
            mk["line"] = {"width": lw if edge is not None else 0}
            if edge is not None:
                mk["line"]["color"] = edge
        trace = self.add(
            {
                "type": "scatter",
                "mode": "markers",
                "x": self.xv(xy[:, 0]),
                "y": self.yv(xy[:, 1]),
                "marker": mk,
            },
            coll.get_label(),
        )
        if "colorscale" in mk:
            self.c.mappables[id(coll)] = trace

    # patches -------------------------------------------------------------------------------

    def bars(self, container: Any) -> None:
        from matplotlib.patches import Rectangle

        rects = [p for p in container.patches if isinstance(p, Rectangle)]
        if len(rects) != len(container.patches):
            raise _Unsupported("BarContainer (non-rectangle bars)")
        for p in rects:
            self.consumed.add(id(p))
        rects = [p for p in rects if p.get_visible()]
        if not rects:
            return
        if any(p.get_data_transform() != self.ax.transData or p.get_angle() for p in rects):
            raise _Unsupported("BarContainer (bars not in data coordinates)")
        horizontal = getattr(container, "orientation", "vertical") == "horizontal"
        x0 = np.array([p.get_x() for p in rects], dtype=float)
        y0 = np.array([p.get_y() for p in rects], dtype=float)
        w = np.array([p.get_width() for p in rects], dtype=float)
        h = np.array([p.get_height() for p in rects], dtype=float)
        face = _rgba_list([p.get_facecolor() for p in rects], len(rects))
        edge = _rgba_list([p.get_edgecolor() for p in rects], len(rects))
        lw = [p.get_linewidth() for p in rects]
        marker: dict[str, Any] = {
            "color": face if face is not None else "rgba(0,0,0,0)",
            "line": {"width": round(self.c.px(max(lw)), 3)},
        }
        if edge is not None and max(lw) > 0:
            marker["line"]["color"] = edge
        else:
            marker["line"]["width"] = 0
        if horizontal:
            trace = {
                "type": "bar",
                "orientation": "h",
                "y": self.yv(y0 + h / 2),
                "x": self.xv(w),
                "base": self.xv(x0),
                "width": _values(h * _MS_PER_DAY if self.ydate else h),
            }
        else:
            trace = {
                "type": "bar",
                "orientation": "v",
                "x": self.xv(x0 + w / 2),
                "y": self.yv(h),
                "base": self.yv(y0),
                "width": _values(w * _MS_PER_DAY if self.xdate else w),
            }
        pos_axis, value_axis = (
            (self.ax.yaxis, self.ax.xaxis) if horizontal else (self.ax.xaxis, self.ax.yaxis)
        )
        if pos_axis.get_scale() != "linear":
            raise _Unsupported("BarContainer (bars along a log axis)")
        if value_axis.get_scale() == "log":
            bases = x0 if horizontal else y0
            if np.all(bases == 0):  # plotly starts log-axis bars at the axis' bottom
                del trace["base"]
            elif np.any(bases <= 0):
                raise _Unsupported("BarContainer (bars from zero on a log axis, stacked)")
        hatches = {p.get_hatch() or "" for p in rects}
        if hatches != {""}:
            hatch = hatches.pop() if len(hatches) == 1 else None
            if not hatch or len(set(hatch)) != 1 or hatch[0] not in "/\\x-|+.":
                raise _Unsupported(f"BarContainer (hatch {sorted(h for h in hatches if h)})")
            hatch_color = _hatch_color(rects[0])
            marker["pattern"] = {
                "shape": hatch[0],
                "solidity": min(0.15 * len(hatch), 0.6),
                "fgcolor": hatch_color,
                "fillmode": "overlay",
            }
        trace["marker"] = marker
        self.add(trace, container.get_label())
        self.c.layout["barmode"] = "overlay"
        self.c.layout["bargap"] = 0

    def rectangle(self, rect: Any) -> None:
        _no_hatch(rect)
        xref, yref = self.refs(rect.get_data_transform(), "Rectangle")
        if rect.get_angle():
            raise _Unsupported("Rectangle (rotated)")
        x0, y0 = rect.get_xy()
        alpha = rect.get_alpha()
        fill = rgba(rect.get_facecolor(), alpha) if rect.get_fill() else None
        edge = rgba(rect.get_edgecolor(), alpha)
        style = _dash_name(rect.get_linestyle())
        self.c.shapes.append(
            {
                "type": "rect",
                "xref": xref,
                "yref": yref,
                **_corners(
                    self.at(x0, y0, xref, yref),
                    self.at(x0 + rect.get_width(), y0 + rect.get_height(), xref, yref),
                ),
                "fillcolor": fill or "rgba(0,0,0,0)",
                "line": {
                    "color": edge or "rgba(0,0,0,0)",
                    "width": round(self.c.px(rect.get_linewidth()), 3) if edge else 0,
                    "dash": style,
                },
                "layer": "above" if rect.get_zorder() > 1.5 else "below",
            }
        )

    def steppatch(self, patch: Any) -> None:
        if self.refs(patch.get_data_transform(), "StepPatch") != (self.xa, self.ya):
            raise _Unsupported("StepPatch (in a non-data coordinate system)")
        _no_hatch(patch)
        rings = [
            np.asarray(r, dtype=float) for r in patch.get_path().to_polygons(closed_only=False)
        ]
        alpha = patch.get_alpha()
        fill = rgba(patch.get_facecolor(), alpha) if patch.get_fill() else None
        self.fill_trace(
            rings,
            fill,
            rgba(patch.get_edgecolor(), alpha),
            patch.get_linewidth(),
            patch.get_linestyle(),
            patch.get_label(),
            closed=fill is not None,
        )

    def polygon(self, poly: Any) -> None:
        _no_hatch(poly)
        if self.refs(poly.get_data_transform(), "Polygon") != (self.xa, self.ya):
            raise _Unsupported("Polygon (in a non-data coordinate system)")
        xy = np.asarray(poly.get_xy(), dtype=float)
        alpha = poly.get_alpha()
        fill = rgba(poly.get_facecolor(), alpha) if poly.get_fill() else None
        self.fill_trace(
            [xy],
            fill,
            rgba(poly.get_edgecolor(), alpha),
            poly.get_linewidth(),
            poly.get_linestyle(),
            poly.get_label(),
            closed=poly.get_closed(),
        )

    def polys(self, coll: Any) -> None:
        if coll.get_transform() != self.ax.transData and not (
            coll.get_offset_transform() == self.ax.transData and not np.any(coll.get_offsets())
        ):
            raise _Unsupported(f"{type(coll).__name__} (not in data coordinates)")
        if np.any(coll.get_offsets()):
            raise _Unsupported(f"{type(coll).__name__} (with offsets, e.g. hexbin)")
        if coll.get_array() is not None:
            raise _Unsupported(f"{type(coll).__name__} (colormapped faces)")
        _no_hatch(coll)
        faces = np.asarray(coll.get_facecolors(), dtype=float).reshape(-1, 4)
        edges = np.asarray(coll.get_edgecolors(), dtype=float).reshape(-1, 4)
        widths = np.atleast_1d(coll.get_linewidths())
        paths = coll.get_paths()
        groups: dict[tuple, list[np.ndarray]] = {}
        for i, path in enumerate(paths):
            f = rgba(tuple(faces[i % len(faces)])) if len(faces) else None
            e = rgba(tuple(edges[i % len(edges)])) if len(edges) else None
            lw = float(widths[i % len(widths)]) if len(widths) else 0.0
            for ring in path.to_polygons(closed_only=False):
                groups.setdefault((f, e, lw), []).append(np.asarray(ring, dtype=float))
        styles = coll.get_linestyles()
        for (f, e, lw), rings in groups.items():
            self.fill_trace(rings, f, e, lw, styles[0] if styles else "-", coll.get_label())

    def fill_trace(
        self,
        rings: list[np.ndarray],
        fill: str | None,
        edge: str | None,
        lw: float,
        style: Any,
        label: str,
        closed: bool = True,
    ) -> None:
        closed_rings = []
        for ring in rings:
            if closed and len(ring) and not np.array_equal(ring[0], ring[-1]):
                ring = np.vstack([ring, ring[:1]])
            closed_rings.append(ring)
        trace: dict[str, Any] = {
            "type": "scatter",
            "mode": "lines",
            "x": self.joined(closed_rings, 0),
            "y": self.joined(closed_rings, 1),
            "hoveron": "points+fills",
        }
        if fill is not None:
            trace.update(fill="toself", fillcolor=fill)
        else:
            trace["fill"] = "none"
        if edge is not None and lw > 0:
            trace["line"] = {
                "color": edge,
                "width": round(self.c.px(lw), 3),
                "dash": _dash_name(style),
            }
        else:
            trace["line"] = {"width": 0, "color": "rgba(0,0,0,0)"}
        self.add(trace, label)

    # errorbar ------------------------------------------------------------------------------

    def errorbar(self, container: Any) -> None:
        data_line, caplines, barcols = container.lines
        for artist in (data_line, *caplines, *barcols):
            if artist is not None:
                self.consumed.add(id(artist))
        group = id(container)
        label = container.get_label()
        if data_line is not None:
            x = np.asarray(data_line.get_xdata(orig=False), dtype=float)
            y = np.asarray(data_line.get_ydata(orig=False), dtype=float)
        else:
            x = y = None  # type: ignore[assignment]
        error: dict[str, Any] = {}
        cap = caplines[0] if caplines else None
        for bars in barcols:
            segs = [np.asarray(s, dtype=float) for s in bars.get_segments()]
            if not segs:
                continue
            vertical = all(np.isclose(s[0, 0], s[-1, 0]) for s in segs)
            key = "error_y" if vertical else "error_x"
            if self.ydate if vertical else self.xdate:
                raise _Unsupported("ErrorbarContainer (errors on a date axis)")
            if x is None:  # fmt='none': centre from the bars
                x = np.array([s[:, 0].mean() if vertical else np.nan for s in segs])
                y = np.array([np.nan if vertical else s[:, 1].mean() for s in segs])
            centre = y if vertical else x
            axis_i = 1 if vertical else 0
            if centre is None or len(segs) != len(centre):
                raise _Unsupported("ErrorbarContainer (errorevery / masked points)")
            lo = np.array([min(s[0, axis_i], s[-1, axis_i]) for s in segs])
            hi = np.array([max(s[0, axis_i], s[-1, axis_i]) for s in segs])
            colors = bars.get_colors()
            spec: dict[str, Any] = {
                "type": "data",
                "symmetric": False,
                "array": _values(hi - centre),
                "arrayminus": _values(centre - lo),
                "color": rgba(tuple(np.asarray(colors, dtype=float).reshape(-1, 4)[0]))
                if len(colors)
                else None,
                "thickness": round(self.c.px(np.atleast_1d(bars.get_linewidths())[0]), 3),
                "width": round(self.c.px(cap.get_markersize()) / 2, 3)
                if cap is not None and cap.get_visible()
                else 0,
            }
            error[key] = spec
        if data_line is not None and data_line.get_visible():
            self.line(data_line, error=error, label=label, group=group)
        elif x is not None:
            self.add(
                {
                    "type": "scatter",
                    "mode": "markers",
                    "x": self.xv(x),
                    "y": self.yv(y),
                    "marker": {"opacity": 0},
                    **error,
                },
                label,
                group,
            )

    # images --------------------------------------------------------------------------------

    def image(self, im: Any) -> None:
        if im.get_transform() != self.ax.transData:
            raise _Unsupported("AxesImage (not in data coordinates)")
        if self.xdate or self.ydate:
            raise _Unsupported("AxesImage (on a date axis)")
        data = im.get_array()
        if data is None:
            return
        left, right, bottom, top = (float(v) for v in im.get_extent())
        h, w = data.shape[:2]
        dx = (right - left) / w
        first_y, last_y = (top, bottom) if im.origin == "upper" else (bottom, top)
        dy = (last_y - first_y) / h
        x0 = left + dx / 2
        y0 = first_y + dy / 2
        rgb = data.ndim == 3
        linear = not rgb and _linear_norm(im.norm)
        if rgb:  # matplotlib clips float RGB to 0..1 (and warns at imshow time)
            raw = np.ma.filled(np.ma.asarray(data), 0)
            if raw.dtype.kind == "f":
                raw = np.clip(raw, 0, 1) * 255
            z: Any = np.asarray(raw).round().astype(np.uint8)
        elif not linear:  # log and other norms: the colours matplotlib draws, as an RGBA image
            z = np.asarray(im.to_rgba(np.ma.asarray(data), bytes=True))
        else:
            z = np.ma.filled(np.ma.asarray(data, dtype=float), np.nan)
        if dx < 0:  # keep steps positive: flip the array instead
            z, x0, dx = z[:, ::-1], x0 + dx * (w - 1), -dx
        if dy < 0:
            z, y0, dy = z[::-1], y0 + dy * (h - 1), -dy
        alpha = im.get_alpha()
        if z.ndim == 3:
            trace: dict[str, Any] = {
                "type": "image",
                "z": z.tolist(),
                "x0": x0,
                "dx": dx,
                "y0": y0,
                "dy": dy,
                "colormodel": "rgba" if z.shape[2] == 4 else "rgb",
            }
            if z.shape[2] == 4:
                zz = np.asarray(z, dtype=float)
                zz[..., 3] /= 255.0
                trace["z"] = zz.tolist()
        else:
            trace = {
                "type": "heatmap",
                "z": np.asarray(z, dtype=float),
                "x0": x0,
                "dx": dx,
                "y0": y0,
                "dy": dy,
                "colorscale": _colorscale(im.get_cmap()),
                "zmin": float(im.norm.vmin),
                "zmax": float(im.norm.vmax),
                "showscale": False,
            }
        if isinstance(alpha, (int, float)):
            trace["opacity"] = float(alpha)
        elif alpha is not None:
            raise _Unsupported("AxesImage (per-pixel alpha)")
        out = self.add(trace, im.get_label())
        if trace["type"] == "heatmap":
            self.c.mappables[id(im)] = out

    # text ----------------------------------------------------------------------------------

    def text(self, text: Any) -> None:
        if not text.get_text():
            return
        xref, yref = self.refs(text.get_transform(), "Text")
        self.c.text(text, xref, yref, self)

    def annotation(self, ann: Any) -> None:
        if not ann.get_text() and ann.arrow_patch is None:
            return
        names = {
            "data": (self.xa, self.ya),
            "axes fraction": (f"{self.xa} domain", f"{self.ya} domain"),
            "figure fraction": ("paper", "paper"),
        }
        if ann.xycoords not in names:
            raise _Unsupported(f"Annotation (xycoords {ann.xycoords!r})")
        xref, yref = names[ann.xycoords]
        x, y = self.at(ann.xy[0], ann.xy[1], xref, yref)
        spec: dict[str, Any] = {
            "text": ann.get_text().replace("\n", "<br>"),
            "x": x,
            "y": y,
            "xref": xref,
            "yref": yref,
            "font": self.c.font(ann),
            "textangle": -float(ann.get_rotation()),
            **_text_box(ann, self.c),
        }
        tx, ty = ann.xyann
        coords = ann.anncoords
        if ann.arrow_patch is not None:
            props = ann.arrowprops or {}
            spec.update(
                showarrow=True,
                arrowcolor=rgba(
                    props.get("color", props.get("edgecolor", props.get("ec", "black")))
                ),
                arrowwidth=self.c.px(
                    props.get("linewidth", props.get("lw", props.get("width", 1.0)))
                ),
                arrowhead=2 if "arrowstyle" in props else 1,
            )
            if coords in ("offset points", "offset pixels"):
                k = self.c.px(1) if coords == "offset points" else 1.0
                spec.update(ax=float(tx) * k, ay=-float(ty) * k, axref="pixel", ayref="pixel")
            elif coords == ann.xycoords and coords == "data":
                tx, ty = self.at(tx, ty, xref, yref)
                spec.update(ax=tx, ay=ty, axref=xref, ayref=yref)
            else:
                raise _Unsupported(f"Annotation (textcoords {coords!r} with an arrow)")
        else:
            spec.update(
                showarrow=False,
                xanchor=_HA.get(ann.get_horizontalalignment(), "left"),
                yanchor=_VA.get(ann.get_verticalalignment(), "bottom"),
            )
            if coords in ("offset points", "offset pixels"):
                k = self.c.px(1) if coords == "offset points" else 1.0
                spec.update(xshift=float(tx) * k, yshift=float(ty) * k)
            elif coords in names:
                spec["xref"], spec["yref"] = names[coords]
                spec["x"], spec["y"] = self.at(tx, ty, spec["xref"], spec["yref"])
            else:
                raise _Unsupported(f"Annotation (textcoords {coords!r})")
        self.c.annotations.append(spec)


_MS_PER_DAY = 86_400_000.0


def _is_date(axis: Any) -> bool:
    from matplotlib import dates

    fmt = axis.get_major_formatter()
    return isinstance(
        fmt, (dates.AutoDateFormatter, dates.ConciseDateFormatter, dates.DateFormatter)
    )


def _dates(values: Any) -> list[Any]:
    """matplotlib date numbers (days since the epoch) -> ISO strings (NaN -> None)."""
    from matplotlib import dates

    days = np.asarray(values, dtype=float).ravel()
    ok = np.isfinite(days)
    us = np.where(ok, days, 0.0) * 86_400e6
    stamps = np.datetime64(dates.get_epoch(), "us") + us.round().astype("timedelta64[us]")
    text = np.datetime_as_string(stamps, unit="us")
    return [str(t) if good else None for t, good in zip(text, ok, strict=True)]


def _corners(a: tuple[Any, Any], b: tuple[Any, Any]) -> dict[str, Any]:
    return {"x0": a[0], "y0": a[1], "x1": b[0], "y1": b[1]}


def _members(container: Any) -> list[Any]:
    """The artists a bar or error bar container draws (its nested tuples flattened)."""
    out: list[Any] = []
    for item in container:
        if isinstance(item, (tuple, list)):
            out += [a for a in item if a is not None]
        elif item is not None:
            out.append(item)
    return out


def _hatch_color(patch: Any) -> str | None:
    get = getattr(patch, "get_hatchcolor", None)  # matplotlib >= 3.10
    color = get() if get is not None else None
    if color is None or (isinstance(color, str) and color == "edge"):
        color = patch.get_edgecolor()
    return rgba(color)


def _text_box(text: Any, conv: _Converter) -> dict[str, Any]:
    """A text's bbox (``bbox=dict(...)``) as annotation background and border."""
    box = text.get_bbox_patch()
    if box is None or not box.get_visible():
        return {}
    return {
        "bgcolor": rgba(box.get_facecolor()) if box.get_fill() else "rgba(0,0,0,0)",
        "bordercolor": rgba(box.get_edgecolor()) or "rgba(0,0,0,0)",
        "borderwidth": round(conv.px(box.get_linewidth()), 3),
        "borderpad": round(conv.px(4 * 0.3), 3),
    }


def _no_hatch(artist: Any) -> None:
    if artist.get_hatch():
        raise _Unsupported(f"{type(artist).__name__} (hatch {artist.get_hatch()!r})")


def _dash_name(style: Any) -> str:
    if isinstance(style, str):
        return _DASHES.get(style, "solid")
    if isinstance(style, tuple) and len(style) == 2:
        offset, seq = style
        if not seq:
            return "solid"
        return ",".join(f"{max(float(v), 0.5):g}px" for v in seq)
    return "solid"


def _values(values: Any) -> np.ndarray:
    """A flat float64 array (a copy; NaN/inf stay and become JSON null, a plotly gap).

    Arrays, not lists: plotly validates a numpy array at once and a list item by item.
    """
    return np.array(values, dtype=float).ravel()


_SCATTER_PATHS: list[tuple[str, np.ndarray]] = []


def _scatter_marker(path: Any) -> str | None:
    """The marker character whose path ``Axes.scatter`` would have used, or None."""
    from matplotlib.markers import MarkerStyle

    if not _SCATTER_PATHS:
        for m in _MARKERS:
            style = MarkerStyle(m)
            path = style.get_path().transformed(style.get_transform())
            _SCATTER_PATHS.append((m, np.asarray(path.vertices)))
    verts = np.asarray(path.vertices)
    for m, ref in _SCATTER_PATHS:
        if ref.shape == verts.shape and np.allclose(ref, verts):
            return m
    return None


def _proxy_trace(conv: _Converter, handle: Any, label: str, owned: list[dict]) -> dict[str, Any]:
    """A data-less trace that shows one legend entry drawn like the legend's own handle."""
    from matplotlib.collections import Collection
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    xa = owned[0]["xaxis"] if owned else "x"
    ya = owned[0]["yaxis"] if owned else "y"
    trace: dict[str, Any] = {
        "type": "scatter",
        "x": [None],
        "y": [None],
        "xaxis": xa,
        "yaxis": ya,
        "_label": label,
        "hoverinfo": "skip",
    }
    if isinstance(handle, Line2D):
        ctx = _Axes(conv, None, xa, ya)
        line, mk = ctx.line_style(handle), ctx.marker_style(handle)
        trace["mode"] = "+".join(m for m, s in (("lines", line), ("markers", mk)) if s) or "lines"
        if line:
            trace["line"] = line
        if mk:
            trace["marker"] = mk
    elif isinstance(handle, Patch):
        trace.update(
            mode="markers",
            marker={"symbol": "square", "size": conv.px(8), "color": rgba(handle.get_facecolor())},
        )
    elif isinstance(handle, Collection) and np.size(handle.get_facecolor()):
        trace.update(
            mode="markers",
            marker={
                "symbol": "circle",
                "size": conv.px(6),
                "color": rgba(tuple(np.asarray(handle.get_facecolor()).reshape(-1, 4)[0])),
            },
        )
    else:
        raise _Unsupported(f"legend entry ({type(handle).__name__})")
    return trace


def convert_figure(fig: Any) -> tuple[dict[str, Any], list[str]]:
    """Convert a matplotlib ``Figure``: ``(plotly figure dict, names of unsupported artists)``.

    The dict is meaningful only when the list is empty. The figure is laid out once (as a draw
    would do) so positions, autoscaled limits and colours are final; nothing else changes.
    """
    fig.draw_without_rendering()
    conv = _Converter(fig)
    try:
        out, unsupported = conv.run()
    except _Unsupported as exc:
        return {}, [*conv.unsupported, str(exc)]
    for trace in out["data"]:
        for key in [k for k in trace if k.startswith("_")]:
            del trace[key]
    return out, unsupported
