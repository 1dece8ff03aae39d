"""media.plot.* and media.plot_table (media/plot.py): wandb's signatures, the curves and the
confusion matrix computed right on small known examples, the files on disk, bad inputs."""

from __future__ import annotations

import json
import warnings

import numpy as np
import pytest

import media
from media import stubs

T = media.Table(columns=["step", "loss", "run"], data=[[0, 1.0, "a"], [1, 0.5, "a"], [0, 2.0, "b"]])
PERFECT_TRUE = [0, 0, 1, 1, 2]
PERFECT_PROBS = [[0.9, 0.05, 0.05], [0.8, 0.1, 0.1], [0.1, 0.8, 0.1], [0.2, 0.7, 0.1], [0.1, 0.1, 0.8]]


def log_and_read(tmp_path, value, key="c"):
    media.init(project="p", dir=str(tmp_path), id="r")
    media.log({key: value}, step=3)
    media.finish()
    reader = media.open_run(tmp_path / "p" / "r")
    stub = reader.media(key)[0][1]
    table = json.loads((tmp_path / "p" / "r" / stub["table"]["path"]).read_text())
    return stub, table


@pytest.mark.parametrize("make, chart, fields", [
    (lambda: media.plot.line(T, "step", "loss", title="loss"), "line", {"x": "step", "y": "loss"}),
    (lambda: media.plot.line(T, "step", "loss", stroke="run"), "line", {"x": "step", "y": "loss", "stroke": "run"}),
    (lambda: media.plot.scatter(T, "step", "loss"), "scatter", {"x": "step", "y": "loss"}),
    (lambda: media.plot.bar(T, "run", "loss"), "bar", {"label": "run", "value": "loss"}),
    (lambda: media.plot.histogram(T, "loss"), "histogram", {"value": "loss"}),
    (lambda: media.plot_table("wandb/line/v0", T, {"x": "step", "y": "loss"}, {"title": "t"}), "line",
     {"x": "step", "y": "loss"}),
    (lambda: media.plot_table("wandb/bar/v0", T, {"label": "run", "value": "loss"}), "bar",
     {"label": "run", "value": "loss"}),
    (lambda: media.plot_table("me/my-spec", T, {"a": "step"}), "vega", {"a": "step"}),
])
def test_charts_of_a_table(make, chart, fields):
    c = make()
    assert isinstance(c, media.CustomChart) and c.chart == chart and c.fields == fields


def test_logged_chart_writes_its_table_and_stub(tmp_path):
    stub, table = log_and_read(tmp_path, media.plot.line(T, "step", "loss", title="Loss"))
    assert stub["_type"] == "plot" and stub["chart"] == "line" and stub["title"] == "Loss"
    assert stub["spec"] == "wandb/line/v0" and stub["fields"] == {"x": "step", "y": "loss"}
    assert stub["table"]["_type"] == "table" and stub["table"]["path"] == "media/c/3_0.table.json"
    assert table == {"columns": ["step", "loss", "run"], "data": [[0, 1.0, "a"], [1, 0.5, "a"], [0, 2.0, "b"]]}
    files = {p.name for p in (tmp_path / "p" / "r" / "media").rglob("*") if p.is_file()}
    assert files == {"3_0.table.json"}
    assert [r.path for r in stubs.files_of(stub)] == ["media/c/3_0.table.json"]


def test_a_table_changed_after_log_is_not_in_the_chart(tmp_path):
    t = media.Table(columns=["x", "y"], data=[[0, 1]])
    media.init(project="p", dir=str(tmp_path), id="r")
    media.log({"c": media.plot.line(t, "x", "y")}, step=0)
    t.add_data(1, 2)
    media.finish()
    stub = media.open_run(tmp_path / "p" / "r").media("c")[0][1]
    assert stub["table"]["nrows"] == 1


def test_perfect_classifier_has_auc_1():
    pr = media.plot.pr_curve(PERFECT_TRUE, PERFECT_PROBS, labels=["a", "b", "c"])
    roc = media.plot.roc_curve(PERFECT_TRUE, PERFECT_PROBS, labels=["a", "b", "c"])
    assert pr.extra["auc"] == {"a": 1.0, "b": 1.0, "c": 1.0}
    assert roc.extra["auc"] == {"a": 1.0, "b": 1.0, "c": 1.0}
    assert pr.table.columns == ["class", "recall", "precision"]
    assert len(pr.table) == 3 * 21 and all(p == 1.0 for _, _, p in pr.table.data)
    assert pr.fields == {"x": "recall", "y": "precision", "class": "class"}


def test_curves_on_a_known_example():
    # scores 0.9 (pos), 0.8 (neg), 0.7 (pos), 0.1 (neg): ROC (0,0) (0,.5) (.5,.5) (.5,1) (1,1)
    y = [1, 0, 1, 0]
    p = [0.9, 0.8, 0.7, 0.1]  # 1-D: the positive class's score
    roc = media.plot.roc_curve(y, p, classes_to_plot=[1])
    assert roc.extra["auc"] == {"1": pytest.approx(0.75)}
    assert [(f, t) for _, f, t in roc.table.data] == [(0, 0), (0, 0.5), (0.5, 0.5), (0.5, 1), (1, 1)]
    pr = media.plot.pr_curve(y, p, classes_to_plot=[1], interp_size=3)
    # precision 1 at recall .5, 2/3 at recall 1: AP = .5 * 1 + .5 * 2/3
    assert pr.extra["auc"] == {"1": pytest.approx(0.5 + 1 / 3)}
    assert [(r, pytest.approx(q, abs=1e-6)) for _, r, q in pr.table.data] == [(0, 1), (0.5, 1), (1, 2 / 3)]


def test_random_classifier_roc_near_half():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 4000)
    roc = media.plot.roc_curve(y, rng.random((4000, 2)))
    assert all(abs(v - 0.5) < 0.05 for v in roc.extra["auc"].values())


def test_class_names_as_labels_and_classes_to_plot():
    pr = media.plot.pr_curve(["b", "a", "b"], [[0.2, 0.8], [0.9, 0.1], [0.3, 0.7]], labels=["a", "b"],
                             classes_to_plot=["b"])
    assert {r[0] for r in pr.table.data} == {"b"}


def test_confusion_matrix_counts():
    cm = media.plot.confusion_matrix(y_true=[0, 1, 2, 2, 2], preds=[0, 2, 2, 2, 1], class_names=["x", "y", "z"])
    counts = {(a, p): n for a, p, n in cm.table.data}
    assert counts[("z", "z")] == 2 and counts[("y", "z")] == 1 and counts[("z", "y")] == 1
    assert counts[("x", "x")] == 1 and sum(counts.values()) == 5 and len(counts) == 9
    assert cm.extra["class_names"] == ["x", "y", "z"]
    by_probs = media.plot.confusion_matrix(probs=np.eye(3)[[0, 2, 2, 2, 1]], y_true=[0, 1, 2, 2, 2],
                                           class_names=["x", "y", "z"])
    assert by_probs.table.data == cm.table.data
    default = media.plot.confusion_matrix(y_true=[0, 1], preds=[1, 1])
    assert default.extra["class_names"] == ["Class_1", "Class_2"]


def test_line_series():
    c = media.plot.line_series([0, 1, 2], [[1, 2, 3], [3, 2, 1]], keys=["up", "down"], xname="epoch")
    assert c.table.columns == ["step", "lineKey", "lineVal"] and len(c.table) == 6
    assert c.string_fields["xname"] == "epoch"
    per_line = media.plot.line_series([[0, 1], [5, 6, 7]], [[1, 2], [3, 2, 1]])
    assert [r[1] for r in per_line.table.data] == ["key_0"] * 2 + ["key_1"] * 3


def test_confusion_matrix_logs(tmp_path):
    stub, table = log_and_read(tmp_path, media.plot.confusion_matrix(y_true=[0, 1], preds=[0, 0], class_names=["a", "b"]))
    assert stub["chart"] == "confusion_matrix" and stub["spec"] == "wandb/confusion_matrix/v1"
    assert table["columns"] == ["Actual", "Predicted", "nPredictions"]
    assert table["data"] == [["a", "a", 1], ["a", "b", 0], ["b", "a", 1], ["b", "b", 0]]


BAD = [
    (lambda: media.plot.line([[0, 1]], "x", "y"), TypeError, r"plot.line: table: expected a media.Table; got list"),
    (lambda: media.plot.line(T, "x", "loss"), ValueError, r"plot.line: x: expected a column of the table \('step', 'loss', 'run'\); got 'x'"),
    (lambda: media.plot.bar(T, "run", 3), ValueError, r"plot.bar: value: expected a column"),
    (lambda: media.plot.pr_curve([0, 1], [[0.1, 0.9], [0.2, 0.8]], labels=["a", "b", "c"]), ValueError,
     r"labels: expected one name per column of y_probas \(2\); got 3 names"),
    (lambda: media.plot.pr_curve([0, 1, 1], [[0.1, 0.9], [0.2, 0.8]]), ValueError,
     r"y_true: expected one label per row of y_probas \(2\); got 3"),
    (lambda: media.plot.pr_curve([0, 5], [[0.1, 0.9], [0.2, 0.8]]), ValueError, r"y_true: expected class indices 0..1 .*got 5"),
    (lambda: media.plot.pr_curve([0, 1], [[0.1, np.nan], [0.2, 0.8]]), ValueError, r"y_probas: expected finite numbers"),
    (lambda: media.plot.pr_curve([0, 1], None), ValueError, r"expected y_true and y_probas; got only one"),
    (lambda: media.plot.pr_curve([0, 1], [[0.1, 0.9], [0.2, 0.8]], interp_size=1), ValueError, r"interp_size"),
    (lambda: media.plot.roc_curve([0, 1], np.zeros((2, 2, 2))), ValueError, r"y_probas: expected shape \(num_samples, num_classes\); got \(2, 2, 2\)"),
    (lambda: media.plot.confusion_matrix(probs=[[1, 0]], y_true=[0], preds=[0]), ValueError, r"either probs or preds; got both"),
    (lambda: media.plot.confusion_matrix(y_true=[0, 1], preds=[0]), ValueError, r"as many predictions as true labels; got 1 predictions and 2"),
    (lambda: media.plot.confusion_matrix(y_true=[0, 3], preds=[0, 1], class_names=["a", "b"]), ValueError, r"y_true: expected class indices 0..1"),
    (lambda: media.plot.confusion_matrix(probs=[[0.1, 0.9]], y_true=[0], class_names=["a", "b", "c"]), ValueError,
     r"probs: expected one column per class name \(3\); got shape \(1, 2\)"),
    (lambda: media.plot.line_series([0, 1], [[1, 2], [1]]), ValueError, r"ys\[1\]: expected as many values as its x values \(2\); got 1"),
    (lambda: media.plot.line_series([0, 1], [[1, 2]], keys=["a", "b"]), ValueError, r"keys: expected one name per line \(1\); got 2"),
    (lambda: media.plot_table("wandb/line/v0", T, {"x": "step"}), ValueError, r"wandb/line/v0 needs x, y; got x \(missing y\)"),
    (lambda: media.plot_table("wandb/line/v0", T, {"x": "step", "y": "nope"}), ValueError, r"fields\['y'\]: expected a column"),
    (lambda: media.plot_table(None, T, {}), TypeError, r"vega_spec_name"),
]


@pytest.mark.parametrize("make, exc, match", BAD)
def test_bad_inputs(make, exc, match):
    with pytest.raises(exc, match=match) as info:
        make()
    assert isinstance(info.value, media.MediaError)


def test_classes_never_in_y_true_are_left_out_with_a_warning():
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        pr = media.plot.pr_curve([0, 0], [[0.9, 0.1], [0.8, 0.2]], labels=["a", "b"], classes_to_plot=[0, 1])
    assert {r[0] for r in pr.table.data} == {"a"}
    assert any("b never occur" in str(x.message) for x in w)

