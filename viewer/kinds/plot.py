"""Plot (``media.plot.*``, ``media.plot_table``): a chart of a table. ``ci`` compares the charts'
data: curves on a common x grid per class and their AUC, confusion matrices cell by cell, other
charts by their tables' numbers. The build inlines the table through its nested table stub."""

from __future__ import annotations

import json
import math
from typing import TYPE_CHECKING, Any

import numpy as np

from media import stubs
from viewer.kinds._util import fmt

if TYPE_CHECKING:
    from viewer.ci import Comparer, Row

KIND = "plot"
METRICS = ("change", "auc", "cells")
VENDOR = ("plotly",)
REENCODE = False

CURVES = ("pr_curve", "roc_curve", "curve")
#: the field holding each chart's values (what "change" measures)
VALUE_FIELD = {"line": "y", "scatter": "y", "bar": "value", "histogram": "value",
               "line_series": "lineVal"}


def compare(cmp: Comparer, row: Row, b: dict, c: dict, n: int) -> None:
    tb = _table(cmp.base, b)
    tc = _table(cmp.cand, c)
    chart = c.get("chart")
    if b.get("chart") != chart:
        row.details.append(f"chart {b.get('chart')} → {chart}")
    if chart in CURVES and b.get("chart") == chart:
        _compare_curves(row, b, c, tb, tc)
    elif chart == "confusion_matrix" and b.get("chart") == chart:
        _compare_matrices(row, b, c, tb, tc)
    else:
        _compare_values(row, b, c, tb, tc)
    if b.get("title") != c.get("title"):
        row.details.append(f"title {b.get('title')!r} → {c.get('title')!r}")


def _table(run: Any, stub: dict) -> dict[str, Any]:
    t = stub.get(stubs.TABLE)
    path = t.get(stubs.PATH) if isinstance(t, dict) else None
    if not isinstance(path, str):
        raise ValueError("plot stub without a table")
    with open(run.resolve(path), encoding="utf-8") as f:
        data = json.load(f)
    if not isinstance(data, dict) or "columns" not in data or "data" not in data:
        raise ValueError(f"{path}: expected a split-orient table with columns and data")
    return data


def _column(table: dict, name: Any) -> list[Any]:
    cols = list(table["columns"])
    if name not in cols:
        return []
    j = cols.index(name)
    return [r[j] if j < len(r) else None for r in table["data"]]


def _num(v: Any) -> float:
    return float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else math.nan


def _curves(stub: dict, table: dict) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    f = stub.get("fields") or {}
    xs, ys, ks = (_column(table, f.get(k)) for k in ("x", "y", "class"))
    out: dict[str, tuple[list[float], list[float]]] = {}
    for x, y, k in zip(xs, ys, ks):
        pts = out.setdefault(str(k), ([], []))
        pts[0].append(_num(x))
        pts[1].append(_num(y))
    return {k: (np.asarray(x), np.asarray(y)) for k, (x, y) in out.items()}


def _auc(stub: dict, curves: dict[str, tuple[np.ndarray, np.ndarray]]) -> dict[str, float]:
    stored = stub.get("auc")
    if isinstance(stored, dict):
        return {str(k): _num(v) for k, v in stored.items()}
    out = {}
    for k, (x, y) in curves.items():
        order = np.argsort(x, kind="mergesort")
        xo, yo = x[order], y[order]
        out[k] = float(np.sum(np.diff(xo) * (yo[1:] + yo[:-1]) / 2)) if len(xo) > 1 else math.nan
    return out


def _on_grid(x: np.ndarray, y: np.ndarray, grid: np.ndarray) -> np.ndarray:
    ok = np.isfinite(x) & np.isfinite(y)
    x, y = x[ok], y[ok]
    if not len(x):
        return np.full(len(grid), np.nan)
    order = np.argsort(x, kind="mergesort")
    return np.interp(grid, x[order], y[order])


def _compare_curves(row: Row, b: dict, c: dict, tb: dict, tc: dict) -> None:
    cb, cc = _curves(b, tb), _curves(c, tc)
    ab, ac = _auc(b, cb), _auc(c, cc)
    grid = np.linspace(0.0, 1.0, 101)
    change, auc_change, where = 0.0, 0.0, ""
    for k in [k for k in cb if k in cc]:
        d = np.abs(_on_grid(*cb[k], grid) - _on_grid(*cc[k], grid))
        if np.isfinite(d).any() and float(np.nanmax(d)) > change:
            change = float(np.nanmax(d))
            where = f"class {k} at x {fmt(float(grid[int(np.nanargmax(d))]))}"
        da = abs(ab.get(k, math.nan) - ac.get(k, math.nan))
        if math.isfinite(da):
            auc_change = max(auc_change, da)
        if ab.get(k) != ac.get(k):
            row.details.append(f"{k}: AUC {fmt(ab.get(k, math.nan))} → {fmt(ac.get(k, math.nan))}")
    for k in cb.keys() - cc.keys():
        row.details.append(f"class {k} only in the baseline")
    for k in cc.keys() - cb.keys():
        row.details.append(f"class {k} only in the candidate")
    cells = _changed_cells(tb, tc)
    row.metrics = {"change": change, "auc": auc_change, "cells": float(cells)}
    row.score = min(1.0, change)
    row.text = (f"curve moved by up to {fmt(change)}" + (f" ({where})" if where else "")
                + f", AUC by up to {fmt(auc_change)}")


def _matrix(stub: dict, table: dict) -> tuple[list[str], dict[tuple[str, str], float]]:
    f = stub.get("fields") or {}
    acts = [str(v) for v in _column(table, f.get("Actual"))]
    preds = [str(v) for v in _column(table, f.get("Predicted"))]
    counts = [_num(v) for v in _column(table, f.get("nPredictions"))]
    names = stub.get("class_names") if isinstance(stub.get("class_names"), list) else None
    names = [str(x) for x in names] if names else list(dict.fromkeys(acts + preds))
    return names, {(a, p): n for a, p, n in zip(acts, preds, counts)}


def _compare_matrices(row: Row, b: dict, c: dict, tb: dict, tc: dict) -> None:
    nb, mb = _matrix(b, tb)
    nc, mc = _matrix(c, tc)
    if nb != nc:
        row.details.append(f"classes {len(nb)} → {len(nc)}")
    names = list(dict.fromkeys(nb + nc))
    changed, change = 0, 0.0
    examples: list[str] = []
    for a in names:
        tot_b = sum(v for (x, _), v in mb.items() if x == a) or 1.0
        tot_c = sum(v for (x, _), v in mc.items() if x == a) or 1.0
        for p in names:
            vb, vc = mb.get((a, p), 0.0), mc.get((a, p), 0.0)
            if vb != vc:
                changed += 1
                change = max(change, abs(vc / tot_c - vb / tot_b))
                if len(examples) < 5:
                    examples.append(f"actual {a}, predicted {p}: {fmt(vb)} → {fmt(vc)}")
    row.metrics = {"change": change, "auc": 0.0, "cells": float(changed)}
    row.score = min(1.0, change)
    row.text = (f"{changed} of {len(names) ** 2} cells differ; a class's share moved by up to "
                f"{fmt(change)}")
    row.details.extend(examples)


def _changed_cells(tb: dict, tc: dict) -> int:
    cols = list(dict.fromkeys(list(tb["columns"]) + list(tc["columns"])))
    n = 0
    for col in cols:
        vb, vc = _column(tb, col), _column(tc, col)
        for i in range(max(len(vb), len(vc))):
            x = vb[i] if i < len(vb) else None
            y = vc[i] if i < len(vc) else None
            same = x == y or (isinstance(x, float) and isinstance(y, float) and math.isnan(x) and math.isnan(y))
            n += not same
    return n


def _compare_values(row: Row, b: dict, c: dict, tb: dict, tc: dict) -> None:
    cells = _changed_cells(tb, tc)
    field = VALUE_FIELD.get(str(c.get("chart")))
    vb = [_num(v) for v in _column(tb, (b.get("fields") or {}).get(field))] if field else []
    vc = [_num(v) for v in _column(tc, (c.get("fields") or {}).get(field))] if field else []
    d = [abs(x - y) for x, y in zip(vb, vc) if math.isfinite(x) and math.isfinite(y)]
    change = max(d, default=0.0)
    total = max(len(tb["data"]) * len(tb["columns"]), len(tc["data"]) * len(tc["columns"]), 1)
    row.metrics = {"change": change, "auc": 0.0, "cells": float(cells)}
    row.score = min(1.0, cells / total)
    row.text = f"{cells} of {total} table cells differ" + (f"; values moved by up to {fmt(change)}" if d else "")
    if len(tb["data"]) != len(tc["data"]):
        row.details.append(f"rows {len(tb['data'])} → {len(tc['data'])}")
