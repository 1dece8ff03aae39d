"""mediaboard ci on charts of tables (viewer/kinds/plot.py): curves by their largest change and
AUC, confusion matrices cell by cell, other charts by their tables' numbers."""

from __future__ import annotations

import numpy as np
import pytest

import media


def _ci_run(root, name, flip):
    truth = np.array([0, 0, 1, 1])
    scores = np.array([0.9, 0.8, 0.3, 0.1]) if not flip else np.array([0.9, 0.2, 0.8, 0.1])
    preds = [0, 0, 1, 1] if not flip else [0, 1, 0, 1]
    t = media.Table(columns=["x", "y"], data=[[0, 1.0], [1, 2.0 + flip]])
    media.init(project="ci", dir=str(root), id=name)
    media.log({"roc": media.plot.roc_curve(truth, np.c_[scores, 1 - scores], labels=["a", "b"]),
               "cm": media.plot.confusion_matrix(y_true=truth, preds=preds, class_names=["a", "b"]),
               "line": media.plot.line(t, "x", "y")}, step=0)
    media.finish()
    return tmp_run(root, name)


def tmp_run(root, name):
    return media.open_run(root / "ci" / name)


def test_ci_compares_curves_matrices_and_tables(tmp_path):
    from viewer import ci

    base, same, cand = (_ci_run(tmp_path, n, f) for n, f in (("base", False), ("same", False), ("cand", True)))
    rows = {}
    for other in (same, cand):
        out = tmp_path / f"out-{other.path.name}"
        out.mkdir()
        comparer = ci.Comparer(base, other, out)
        comparer.compare_all()
        rows[other.path.name] = {r.key: r for r in comparer.rows}
    assert all(r.metrics["change"] == 0 and r.metrics["cells"] == 0 for r in rows["same"].values())
    roc, cm, line = rows["cand"]["roc"], rows["cand"]["cm"], rows["cand"]["line"]
    # perfect (AUC 1) -> scores 0.9, 0.2 for class a against 0.8, 0.1: AUC 0.75
    assert roc.metrics["auc"] == pytest.approx(0.25) and roc.metrics["change"] > 0
    assert cm.metrics["cells"] == 4 and cm.metrics["change"] == pytest.approx(0.5)
    assert line.metrics["cells"] == 1 and line.metrics["change"] == pytest.approx(1.0)
