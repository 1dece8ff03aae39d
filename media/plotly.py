"""Plotly: one plotly figure, stored as plotly JSON (``.plotly.json``).

The figure is validated and encoded to JSON at construction (so later changes to the user's
figure do not leak in, and a figure that cannot be encoded fails at the user's line); the run's
worker only writes the bytes. Arrays become plain JSON lists (NaN/inf become ``null``, which
plotly draws as a gap), so any JSON reader and any plotly.js version can read the file. The stub
is documented in ``docs/kinds/plotly.md``.

Example::

    import plotly.express as px
    media.log({"scatter": media.Plotly(px.scatter(x=[1, 2, 3], y=[4, 1, 9]))})
"""

from __future__ import annotations

import base64
import json
import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from media._base import Media
from media.errors import MediaTypeError, MediaValueError, describe

#: sources a stub may name; the matplotlib converter passes "matplotlib"
_SOURCE_MAX = 64


def _import_plotly() -> Any:
    try:
        import plotly.graph_objects as go
    except ImportError:
        raise ImportError(
            "Plotly needs plotly: pip install plotly (or pip install mediaboard[charts])"
        ) from None
    return go


class Plotly(Media):
    """A plotly figure stored as plotly JSON.

    ``fig`` may be a plotly ``Figure`` / ``FigureWidget``, a dict in plotly's figure form
    (``{"data": [trace, ...], "layout": {...}}``; it is validated by building a
    ``plotly.graph_objects.Figure`` from it), or another ``Plotly`` (copied). numpy arrays,
    numpy scalars, dates and pandas values inside are encoded; arrays become JSON lists.

    ``source`` (keyword-only, a short string) records where the figure came from; the matplotlib
    converter passes ``source="matplotlib"``. It is written to the stub.

    Example::

        fig = go.Figure(go.Scatter(x=np.arange(10), y=np.random.rand(10)))
        Plotly(fig)
        Plotly({"data": [{"type": "bar", "x": ["a", "b"], "y": [3, 5]}]})
    """

    kind = "plotly"

    def __init__(self, fig: Any, *, source: str | None = None) -> None:
        if source is not None and (
            not isinstance(source, str) or not source or len(source) > _SOURCE_MAX
        ):
            raise MediaTypeError(
                f"Plotly: source: expected a non-empty str of at most {_SOURCE_MAX} characters; "
                f"got {describe(source)}."
            )
        self.source: str | None
        if isinstance(fig, Plotly):
            self._json: bytes = fig._json
            self.traces: int = fig.traces
            self.source = source if source is not None else fig.source
            return
        self.source = source
        go = _import_plotly()
        from plotly.basedatatypes import BaseFigure

        if isinstance(fig, BaseFigure):
            figure = fig
        elif isinstance(fig, Mapping):
            extra = sorted(str(k) for k in fig if k not in ("data", "layout", "frames"))
            if extra:
                raise MediaValueError(
                    "Plotly: fig: expected a figure dict with keys 'data', 'layout' and "
                    f"optionally 'frames'; got extra keys {extra}."
                )
            try:
                figure = go.Figure(dict(fig))
            except (ValueError, TypeError) as exc:
                first = " ".join(str(exc).split())[:300]
                raise MediaValueError(
                    f"Plotly: fig: the dict is not a valid plotly figure: {first}"
                ) from None
        else:
            hint = ""
            mod = type(fig).__module__ or ""
            if mod.startswith("matplotlib"):
                hint = " Log the matplotlib figure directly (log({'k': fig})) to convert it."
            raise MediaTypeError(
                "Plotly: fig: expected a plotly Figure, a figure dict {'data': [...], "
                f"'layout': {{...}}}} or Plotly; got {describe(fig)}.{hint}"
            )
        plain = _plain(figure.to_plotly_json())
        self.traces = len(plain.get("data") or [])
        try:
            from _plotly_utils.utils import PlotlyJSONEncoder

            text = json.dumps(
                plain, cls=PlotlyJSONEncoder, ensure_ascii=False, separators=(",", ":")
            )
        except (TypeError, ValueError) as exc:
            raise MediaValueError(f"Plotly: fig: cannot be encoded as JSON: {exc}") from None
        self._json = text.encode("utf-8")

    def to_dict(self) -> dict[str, Any]:
        """The stored figure, as the dict written to the file."""
        return json.loads(self._json)

    def _serialize(self, writer: Any) -> dict[str, Any]:
        path = writer.write_bytes(self._json, ".plotly.json")
        stub: dict[str, Any] = {"_type": "plotly", "path": path, "traces": self.traces}
        if self.source is not None:
            stub["source"] = self.source
        stub["plotly_version"] = _plotly_version()
        return stub


def _plotly_version() -> str | None:
    try:
        import plotly

        return str(plotly.__version__)
    except ImportError:  # a copied Plotly value never needs plotly at write time
        return None


_BDATA_KEYS = {"dtype", "bdata"}


def _plain(obj: Any) -> Any:
    """Replace numpy arrays and plotly's base64 typed arrays by lists (non-finite -> None)."""
    if isinstance(obj, dict):
        if _BDATA_KEYS <= obj.keys() and obj.keys() <= _BDATA_KEYS | {"shape"}:
            arr = np.frombuffer(base64.b64decode(obj["bdata"]), dtype=np.dtype(obj["dtype"]))
            shape = obj.get("shape")
            if shape:
                dims = [int(s) for s in str(shape).split(",")] if isinstance(shape, str) else shape
                arr = arr.reshape(dims)
            return _array_list(arr)
        return {k: _plain(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_plain(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return _array_list(obj) if obj.dtype.kind in "biuf" else _plain(obj.tolist())
    return obj


def _nulls(items: list[Any]) -> list[Any]:
    return [
        _nulls(v)
        if isinstance(v, list)
        else (None if isinstance(v, float) and not math.isfinite(v) else v)
        for v in items
    ]


def _array_list(arr: np.ndarray) -> list[Any]:
    if arr.dtype.kind == "f" and not np.isfinite(arr).all():
        out: list[Any] = arr.astype(object).tolist()
        return _nulls(out)
    return arr.tolist()  # type: ignore[no-any-return]
