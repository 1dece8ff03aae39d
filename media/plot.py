"""Charts of a table, in wandb's ``wandb.plot.*`` and ``wandb.plot_table`` shapes.

Each function returns a :class:`CustomChart`: a data :class:`~media.table.Table` and a chart
description (which chart, which column plays which part, a title). Logged, it writes the table
as any Table is written (``media/<key>/<step>_0.table.json``) and the stub
``{"_type": "plot", "chart": ..., "fields": ..., "table": {table stub}}`` (docs/kinds/plot.md);
the viewer draws it with plotly.js. PR and ROC curves and the confusion matrix are computed here
with numpy (no scikit-learn).

Example::

    import media as wandb
    wandb.log({"pr": wandb.plot.pr_curve(y_true, y_probas, labels=["cat", "dog"])})
    wandb.log({"cm": wandb.plot.confusion_matrix(y_true=gt, preds=pred, class_names=names)})
    wandb.log({"loss": wandb.plot.line(table, "step", "loss", title="loss")})
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from media._arrays import to_numpy
from media._base import Media
from media.errors import MediaTypeError, MediaValueError, describe, warn
from media.table import Table

__all__ = [
    "CustomChart", "bar", "confusion_matrix", "histogram", "line", "line_series", "plot_table",
    "pr_curve", "roc_curve", "scatter",
]

#: wandb's preset Vega specs -> (our chart, the fields the preset needs, optional fields)
PRESETS: dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]] = {
    "wandb/line/v0": ("line", ("x", "y"), ("stroke",)),
    "wandb/scatter/v0": ("scatter", ("x", "y"), ()),
    "wandb/bar/v0": ("bar", ("label", "value"), ()),
    "wandb/histogram/v0": ("histogram", ("value",), ()),
    "wandb/lineseries/v0": ("line_series", ("step", "lineKey", "lineVal"), ()),
    "wandb/area-under-curve/v0": ("curve", ("x", "y", "class"), ()),
    "wandb/confusion_matrix/v1": ("confusion_matrix", ("Actual", "Predicted", "nPredictions"), ()),
}
#: every ``chart`` a stub may name; "vega" is a custom spec, shown as its table
CHARTS = ("line", "scatter", "bar", "histogram", "line_series", "curve", "pr_curve", "roc_curve",
          "confusion_matrix", "vega")


class CustomChart(Media):
    """A chart of a table: what ``media.plot.*`` and ``media.plot_table`` return.

    ``chart`` is one of :data:`CHARTS`; ``fields`` maps the chart's parts (``x``, ``y``,
    ``class``, ...) to column names of ``table``; ``auc`` (PR and ROC curves) the area under
    each class's curve. Build one with the functions of this module rather than directly.
    """

    kind = "plot"

    def __init__(self, table: Table, chart: str, spec: str, fields: Mapping[str, str], *,
                 title: str = "", string_fields: Mapping[str, str] | None = None,
                 split_table: bool = False, extra: Mapping[str, Any] | None = None) -> None:
        if chart not in CHARTS:
            raise MediaValueError(f"CustomChart: expected chart in {', '.join(CHARTS)}; got {chart!r}.")
        self.table = table
        self.chart = chart
        self.spec = spec
        self.fields = dict(fields)
        self.string_fields = {str(k): str(v) for k, v in (string_fields or {}).items()}
        self.title = str(title)
        self.split_table = bool(split_table)
        self.extra = dict(extra or {})

    def _at_log(self) -> CustomChart:
        snap = CustomChart.__new__(CustomChart)
        snap.__dict__.update(self.__dict__)
        snap.table = self.table._at_log()
        return snap

    def _accepted(self) -> None:
        self.table._accepted()

    def _serialize(self, writer: Any) -> dict[str, Any]:
        stub: dict[str, Any] = {
            "_type": "plot", "chart": self.chart, "spec": self.spec, "title": self.title,
            "fields": self.fields, "string_fields": self.string_fields,
            "split_table": self.split_table,
        }
        stub.update(self.extra)
        stub["table"] = self.table._serialize(writer)
        return stub

    def __repr__(self) -> str:
        return f"<CustomChart {self.chart} {self.title!r} of {self.table!r}>"


# ---- charts of a table you made ----------------------------------------------------------------


def _need_table(table: Any, what: str) -> Table:
    if not isinstance(table, Table):
        raise MediaTypeError(f"{what}: table: expected a media.Table; got {describe(table)}. "
                             f"Build one with media.Table(columns=[...], data=rows).")
    return table


def _need_column(table: Table, name: Any, arg: str, what: str) -> str:
    if not isinstance(name, str) or name not in table.columns:
        raise MediaValueError(f"{what}: {arg}: expected a column of the table ({', '.join(map(repr, table.columns))}); "
                              f"got {name!r}.")
    return name


def line(table: Table, x: str, y: str, stroke: str | None = None, title: str = "",
         split_table: bool = False) -> CustomChart:
    """A line of column ``y`` against column ``x``; with ``stroke``, one line per value of that
    column. Example: ``media.plot.line(t, "step", "loss", title="loss")``."""
    t = _need_table(table, "plot.line")
    fields = {"x": _need_column(t, x, "x", "plot.line"), "y": _need_column(t, y, "y", "plot.line")}
    if stroke is not None:
        fields["stroke"] = _need_column(t, stroke, "stroke", "plot.line")
    return CustomChart(t, "line", "wandb/line/v0", fields, title=title,
                       string_fields={"title": title}, split_table=split_table)


def scatter(table: Table, x: str, y: str, title: str = "", split_table: bool = False) -> CustomChart:
    """Points of column ``y`` against column ``x``."""
    t = _need_table(table, "plot.scatter")
    fields = {"x": _need_column(t, x, "x", "plot.scatter"), "y": _need_column(t, y, "y", "plot.scatter")}
    return CustomChart(t, "scatter", "wandb/scatter/v0", fields, title=title,
                       string_fields={"title": title}, split_table=split_table)


def bar(table: Table, label: str, value: str, title: str = "", split_table: bool = False) -> CustomChart:
    """One bar per row: height ``value``, named by ``label``."""
    t = _need_table(table, "plot.bar")
    fields = {"label": _need_column(t, label, "label", "plot.bar"),
              "value": _need_column(t, value, "value", "plot.bar")}
    return CustomChart(t, "bar", "wandb/bar/v0", fields, title=title,
                       string_fields={"title": title}, split_table=split_table)


def histogram(table: Table, value: str, title: str = "", split_table: bool = False) -> CustomChart:
    """A histogram of column ``value`` (binned by the viewer)."""
    t = _need_table(table, "plot.histogram")
    fields = {"value": _need_column(t, value, "value", "plot.histogram")}
    return CustomChart(t, "histogram", "wandb/histogram/v0", fields, title=title,
                       string_fields={"title": title}, split_table=split_table)


def _floats(v: Any, what: str, ndim: int | None = None) -> np.ndarray:
    try:
        a = to_numpy(v, what=what)
        a = np.asarray(a, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise MediaValueError(f"{what}: expected numbers; got {describe(v)} ({exc}).") from None
    if ndim is not None and a.ndim != ndim:
        raise MediaValueError(f"{what}: expected {ndim} dimension(s); got shape {a.shape}.")
    return a


def line_series(xs: Any, ys: Any, keys: Sequence[str] | None = None, title: str = "",
                xname: str = "x", split_table: bool = False) -> CustomChart:
    """Several lines on one chart: ``ys`` is a list of lines; ``xs`` one list of x values for all
    of them, or one list per line; ``keys`` names the lines (default ``key_0``, ``key_1``, ...).

    Example: ``media.plot.line_series([0, 1, 2], [[1, 2, 3], [3, 2, 1]], keys=["a", "b"])``."""
    what = "plot.line_series"
    if isinstance(ys, (str, bytes)) or not hasattr(ys, "__len__"):
        raise MediaTypeError(f"{what}: ys: expected a list of lines (lists of numbers); got {describe(ys)}.")
    lines = [_floats(y, f"{what}: ys[{i}]", 1) for i, y in enumerate(ys)]
    xs_list = list(xs) if hasattr(xs, "__len__") and not isinstance(xs, (str, bytes)) else None
    if xs_list is None:
        raise MediaTypeError(f"{what}: xs: expected a list of numbers or one list per line; got {describe(xs)}.")
    per_line = bool(xs_list) and all(hasattr(x, "__len__") and not isinstance(x, (str, bytes)) for x in xs_list)
    if per_line:
        if len(xs_list) != len(lines):
            raise MediaValueError(f"{what}: xs: expected one list of x values per line ({len(lines)}); "
                                  f"got {len(xs_list)} lists.")
        xss = [_floats(x, f"{what}: xs[{i}]", 1) for i, x in enumerate(xs_list)]
    else:
        xss = [_floats(xs_list, f"{what}: xs", 1)] * len(lines)
    if keys is None:
        keys = [f"key_{i}" for i in range(len(lines))]
    keys = [str(k) for k in keys]
    if len(keys) != len(lines):
        raise MediaValueError(f"{what}: keys: expected one name per line ({len(lines)}); got {len(keys)}.")
    rows: list[list[Any]] = []
    for i, (x, y) in enumerate(zip(xss, lines)):
        if len(x) != len(y):
            raise MediaValueError(f"{what}: ys[{i}]: expected as many values as its x values ({len(x)}); "
                                  f"got {len(y)}.")
        rows.extend([float(a), keys[i], float(b)] for a, b in zip(x, y))
    t = Table(columns=["step", "lineKey", "lineVal"], data=rows)
    return CustomChart(t, "line_series", "wandb/lineseries/v0",
                       {"step": "step", "lineKey": "lineKey", "lineVal": "lineVal"}, title=title,
                       string_fields={"title": title, "xname": str(xname)}, split_table=split_table)


# ---- classifier charts, computed here ---------------------------------------------------------


def _classes(y_true: Any, y_probas: Any, labels: Any, classes_to_plot: Any,
             what: str) -> tuple[np.ndarray, np.ndarray, list[str], list[int]]:
    """``(truth as column indices, scores (N, K), class names, columns to plot)``."""
    if y_true is None or y_probas is None:
        raise MediaValueError(f"{what}: expected y_true and y_probas; got "
                              f"{'neither' if y_true is None and y_probas is None else 'only one of them'}.")
    probas = _floats(y_probas, f"{what}: y_probas")
    if probas.ndim == 1:  # binary scores of the positive class
        probas = np.stack([1.0 - probas, probas], axis=1)
    if probas.ndim != 2:
        raise MediaValueError(f"{what}: y_probas: expected shape (num_samples, num_classes); got {probas.shape}.")
    n, k = probas.shape
    if not np.isfinite(probas).all():
        raise MediaValueError(f"{what}: y_probas: expected finite numbers; got "
                              f"{int((~np.isfinite(probas)).sum())} NaN or infinite values.")
    if labels is not None:
        labels = [str(x) for x in labels]
        if len(labels) != k:
            raise MediaValueError(f"{what}: labels: expected one name per column of y_probas ({k}); "
                                  f"got {len(labels)} names. y_probas has shape {probas.shape}.")
    names = labels if labels is not None else [str(i) for i in range(k)]
    truth = _indices(y_true, names, k, "y_true", what)
    if len(truth) != n:
        raise MediaValueError(f"{what}: y_true: expected one label per row of y_probas ({n}); got {len(truth)}.")
    present = sorted(set(truth.tolist()))
    if classes_to_plot is None:
        cols = present
    else:
        cols = sorted(set(_indices(classes_to_plot, names, k, "classes_to_plot", what).tolist()))
        absent = [names[c] for c in cols if c not in present]
        if absent:
            warn(f"{what}: classes_to_plot: {', '.join(absent)} never occur in y_true; "
                 f"their curves are left out (recall is undefined without positives).")
            cols = [c for c in cols if c in present]
    return truth, probas, names, cols


def _indices(values: Any, names: list[str], k: int, arg: str, what: str) -> np.ndarray:
    """Class values as column indices: ints 0..k-1, or names found in ``names``."""
    arr = np.asarray(to_numpy(values, what=f"{what}: {arg}"), dtype=object).reshape(-1)
    out = np.empty(len(arr), dtype=np.int64)
    for i, v in enumerate(arr):
        if isinstance(v, (bool, np.bool_)):
            v = int(v)
        if isinstance(v, (int, np.integer)) or (isinstance(v, (float, np.floating)) and float(v).is_integer()):
            j = int(v)
            if not 0 <= j < k:
                raise MediaValueError(f"{what}: {arg}: expected class indices 0..{k - 1} (one per class); "
                                      f"got {j} at position {i}.")
        elif str(v) in names:
            j = names.index(str(v))
        else:
            raise MediaValueError(f"{what}: {arg}: expected class indices 0..{k - 1} or class names "
                                  f"({', '.join(names[:8])}{', ...' if len(names) > 8 else ''}); got {v!r} at position {i}.")
        out[i] = j
    return out


def _counts(positive: np.ndarray, score: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """True and false positives when everything scoring at least each distinct score (highest
    first) is called positive."""
    order = np.argsort(-score, kind="mergesort")
    s, p = score[order], positive[order]
    last = np.r_[np.nonzero(np.diff(s))[0], len(s) - 1]  # the last index of each distinct score
    tp = np.cumsum(p)[last]
    fp = (last + 1) - tp
    return tp.astype(np.float64), fp.astype(np.float64)


def pr_curve(y_true: Any = None, y_probas: Any = None, labels: Sequence[str] | None = None,
             classes_to_plot: Sequence[Any] | None = None, interp_size: int = 21,
             title: str = "Precision-Recall Curve", split_table: bool = False) -> CustomChart:
    """Precision against recall, one curve per class (that class against the rest).

    ``y_true``: (N,) class indices (or names from ``labels``); ``y_probas``: (N, K) scores, one
    column per class (a 1-D array is the positive class's score of a binary problem); ``labels``:
    K class names. Each curve is kept at ``interp_size`` recall values evenly spaced in [0, 1],
    the precision at each being the best precision reached at that recall or more (the usual
    interpolated precision). ``auc`` in the stub is the average precision of the exact curve
    (the sum of precision times each step of recall), so a perfect classifier has 1.

    Example: ``media.plot.pr_curve(y, probs, labels=["cat", "dog", "owl"])``."""
    what = "plot.pr_curve"
    if isinstance(interp_size, bool) or not isinstance(interp_size, (int, np.integer)) or interp_size < 2:
        raise MediaValueError(f"{what}: interp_size: expected an int of at least 2; got {interp_size!r}.")
    truth, probas, names, cols = _classes(y_true, y_probas, labels, classes_to_plot, what)
    grid = np.linspace(0.0, 1.0, int(interp_size))
    rows: list[list[Any]] = []
    auc: dict[str, float] = {}
    for c in cols:
        pos = truth == c
        tp, fp = _counts(pos, probas[:, c])
        recall = tp / pos.sum()
        precision = tp / (tp + fp)
        auc[names[c]] = float(np.sum(np.diff(np.r_[0.0, recall]) * precision))
        # interpolated precision: the best precision at this recall or beyond
        best = np.maximum.accumulate(precision[::-1])[::-1]
        at = np.searchsorted(recall, grid, side="left")
        interp = np.where(at < len(best), best[np.minimum(at, len(best) - 1)], 0.0)
        rows.extend([names[c], float(r), round(float(p), 6)] for r, p in zip(grid, interp))
    t = Table(columns=["class", "recall", "precision"], data=rows)
    return CustomChart(t, "pr_curve", "wandb/area-under-curve/v0",
                       {"x": "recall", "y": "precision", "class": "class"}, title=title,
                       string_fields={"title": title, "x-axis-title": "Recall", "y-axis-title": "Precision"},
                       split_table=split_table, extra={"auc": auc})


def roc_curve(y_true: Any = None, y_probas: Any = None, labels: Sequence[str] | None = None,
              classes_to_plot: Sequence[Any] | None = None, title: str = "ROC Curve",
              split_table: bool = False) -> CustomChart:
    """True positive rate against false positive rate, one curve per class (against the rest).

    Inputs as :func:`pr_curve`. Every threshold where the curve turns is kept (points inside a
    straight segment are left out: the curve drawn is the same); ``auc`` in the stub is the
    area under each curve (trapezoids), 1 for a perfect classifier, 0.5 for a random one.
    A class with no negatives in ``y_true`` has no false positive rate and is left out with a warning.

    Example: ``media.plot.roc_curve(y, probs, labels=["cat", "dog"])``."""
    what = "plot.roc_curve"
    truth, probas, names, cols = _classes(y_true, y_probas, labels, classes_to_plot, what)
    rows: list[list[Any]] = []
    auc: dict[str, float] = {}
    for c in cols:
        pos = truth == c
        if pos.all():
            warn(f"{what}: class {names[c]!r} has no negatives in y_true ({len(pos)} of {len(pos)} "
                 f"samples are {names[c]!r}); its curve is left out.")
            continue
        tp, fp = _counts(pos, probas[:, c])
        tpr = np.r_[0.0, tp / pos.sum()]
        fpr = np.r_[0.0, fp / (~pos).sum()]
        auc[names[c]] = float(np.sum(np.diff(fpr) * (tpr[1:] + tpr[:-1]) / 2))  # trapezoids
        turn = np.r_[True, (np.diff(fpr, 2) != 0) | (np.diff(tpr, 2) != 0), True] if len(fpr) > 2 else np.ones(len(fpr), bool)
        rows.extend([names[c], round(float(f), 6), round(float(r), 6)] for f, r in zip(fpr[turn], tpr[turn]))
    t = Table(columns=["class", "fpr", "tpr"], data=rows)
    return CustomChart(t, "roc_curve", "wandb/area-under-curve/v0",
                       {"x": "fpr", "y": "tpr", "class": "class"}, title=title,
                       string_fields={"title": title, "x-axis-title": "False positive rate",
                                      "y-axis-title": "True positive rate"},
                       split_table=split_table, extra={"auc": auc})


def confusion_matrix(probs: Any = None, y_true: Any = None, preds: Any = None,
                     class_names: Sequence[str] | None = None, title: str = "Confusion Matrix",
                     split_table: bool = False) -> CustomChart:
    """How often each actual class was predicted as each class.

    ``y_true``: (N,) class indices (or names from ``class_names``); either ``preds`` (N,) the
    predicted classes, or ``probs`` (N, K) scores whose largest entry is the prediction.
    ``class_names``: the K names; without it the classes are ``Class_1`` ... ``Class_K`` for
    K = the largest index + 1 (or the number of columns of ``probs``). The table has one row per
    (actual, predicted) pair, zeros included, in the order of the names.

    Example: ``media.plot.confusion_matrix(y_true=gt, preds=pred, class_names=["cat", "dog"])``."""
    what = "plot.confusion_matrix"
    if probs is not None and preds is not None:
        raise MediaValueError(f"{what}: expected either probs or preds; got both.")
    if y_true is None or (probs is None and preds is None):
        raise MediaValueError(f"{what}: expected y_true and one of probs or preds; got "
                              f"{'no y_true' if y_true is None else 'neither probs nor preds'}.")
    names = [str(c) for c in class_names] if class_names is not None else None
    if probs is not None:
        p = _floats(probs, f"{what}: probs", 2)
        if names is not None and p.shape[1] != len(names):
            raise MediaValueError(f"{what}: probs: expected one column per class name ({len(names)}); "
                                  f"got shape {p.shape}.")
        k = p.shape[1]
        pred_values: Any = np.argmax(p, axis=1)
    else:
        pred_values = preds
        k = len(names) if names is not None else 0
    if names is None:
        if k == 0:
            both = [_as_ints(v, arg, what) for v, arg in ((y_true, "y_true"), (pred_values, "preds"))]
            k = int(max((int(b.max()) for b in both if b.size), default=-1)) + 1
        names = [f"Class_{i + 1}" for i in range(k)]
    if not names:
        raise MediaValueError(f"{what}: expected at least one class; got empty y_true and preds.")
    truth = _indices(y_true, names, len(names), "y_true", what)
    pred = _indices(pred_values, names, len(names), "preds", what)
    if len(truth) != len(pred):
        raise MediaValueError(f"{what}: expected as many predictions as true labels; got "
                              f"{len(pred)} predictions and {len(truth)} labels.")
    k = len(names)
    counts = np.bincount(truth * k + pred, minlength=k * k).reshape(k, k)
    rows = [[names[i], names[j], int(counts[i, j])] for i in range(k) for j in range(k)]
    t = Table(columns=["Actual", "Predicted", "nPredictions"], data=rows)
    return CustomChart(t, "confusion_matrix", "wandb/confusion_matrix/v1",
                       {"Actual": "Actual", "Predicted": "Predicted", "nPredictions": "nPredictions"},
                       title=title, string_fields={"title": title}, split_table=split_table,
                       extra={"class_names": names})


def _as_ints(values: Any, arg: str, what: str) -> np.ndarray:
    try:
        a = to_numpy(values, what=f"{what}: {arg}")
    except (TypeError, ValueError):
        a = np.asarray([], dtype=object)
    if a.dtype.kind not in "iub" or a.size and a.min() < 0:
        raise MediaValueError(f"{what}: {arg}: expected class indices (ints from 0), or give class_names; "
                              f"got {describe(values)}.")
    return a.reshape(-1).astype(np.int64)


# ---- wandb.plot_table -------------------------------------------------------------------------


def plot_table(vega_spec_name: str, data_table: Table, fields: Mapping[str, str],
               string_fields: Mapping[str, str] | None = None, split_table: bool = False) -> CustomChart:
    """A chart of ``data_table`` by a Vega spec's name, as ``wandb.plot_table``.

    wandb's preset specs (:data:`PRESETS`: ``wandb/line/v0``, ``wandb/scatter/v0``,
    ``wandb/bar/v0``, ``wandb/histogram/v0``, ``wandb/lineseries/v0``,
    ``wandb/area-under-curve/v0``, ``wandb/confusion_matrix/v1``) are drawn as the chart they
    name; ``fields`` maps the spec's fields to columns and must give every field the preset
    needs. Any other name is a custom Vega spec: the name, fields and table are stored and the
    viewer shows the table with a note that the spec itself is not drawn.

    Example: ``media.plot_table("wandb/line/v0", t, {"x": "step", "y": "loss"}, {"title": "loss"})``."""
    what = "plot_table"
    if not isinstance(vega_spec_name, str) or not vega_spec_name:
        raise MediaTypeError(f"{what}: vega_spec_name: expected a spec name such as 'wandb/line/v0'; "
                             f"got {describe(vega_spec_name)}.")
    t = _need_table(data_table, what)
    if not isinstance(fields, Mapping):
        raise MediaTypeError(f"{what}: fields: expected a dict of {{spec field: column}}; got {describe(fields)}.")
    fields = {str(k): _need_column(t, v, f"fields[{k!r}]", what) for k, v in fields.items()}
    if string_fields is not None and not isinstance(string_fields, Mapping):
        raise MediaTypeError(f"{what}: string_fields: expected a dict of {{name: text}}; got {describe(string_fields)}.")
    strings = {str(k): str(v) for k, v in (string_fields or {}).items()}
    chart, needed, _optional = PRESETS.get(vega_spec_name, ("vega", (), ()))
    missing = [f for f in needed if f not in fields]
    if missing:
        raise MediaValueError(f"{what}: fields: {vega_spec_name} needs {', '.join(needed)}; "
                              f"got {', '.join(fields) or 'none'} (missing {', '.join(missing)}).")
    return CustomChart(t, chart, vega_spec_name, fields, title=strings.get("title", ""),
                       string_fields=strings, split_table=split_table)
