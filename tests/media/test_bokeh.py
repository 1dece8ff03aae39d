"""Bokeh: models and layouts stored as json_item documents that bokeh loads back; bad inputs."""

from __future__ import annotations

import json

import numpy as np
import pytest

import media
from media.bokeh import Bokeh
from media.runfolder import MediaWriter

bokeh = pytest.importorskip("bokeh")
from bokeh.document import Document  # noqa: E402
from bokeh.layouts import column  # noqa: E402
from bokeh.models import Div  # noqa: E402
from bokeh.plotting import figure  # noqa: E402


def ser(b: Bokeh, tmp_path) -> tuple[dict, dict]:
    stub = b._serialize(MediaWriter(tmp_path, "plot", 3))
    with open(tmp_path / stub["path"], encoding="utf-8") as f:
        return stub, json.load(f)


def line_plot():
    p = figure(title="loss")
    p.line(np.arange(5), np.array([1.0, 0.5, np.nan, 0.3, 0.2]))
    return p


def one_root_document():
    doc = Document()
    doc.add_root(Div(text="<b>hi</b>"))
    return doc


GOOD = [
    ("figure", line_plot, "figure"),
    ("layout", lambda: column(figure(), figure()), "Column"),
    ("widget", lambda: Div(text="x"), "Div"),
    ("document with one root", one_root_document, "Div"),
]


@pytest.mark.parametrize("make, root_name", [g[1:] for g in GOOD], ids=[g[0] for g in GOOD])
def test_models_are_stored_as_json_items_bokeh_can_load(tmp_path, make, root_name):
    stub, item = ser(Bokeh(make()), tmp_path)
    assert stub["_type"] == "bokeh" and stub["path"] == "media/plot/3_0.bokeh.json"
    assert stub["bokeh_version"] == bokeh.__version__ == item["version"]
    assert set(item) == {"target_id", "root_id", "doc", "version"}
    assert stub["root_id"] == item["root_id"]
    doc = Document.from_json(item["doc"])
    (root,) = doc.roots
    assert root.id == item["root_id"] and type(root).__name__ == root_name


def test_file_forms_are_accepted(tmp_path):
    item = Bokeh(line_plot()).to_dict()
    p1 = tmp_path / "item.bokeh.json"
    p1.write_text(json.dumps(item))
    assert Bokeh(p1).to_dict() == item
    p2 = tmp_path / "doc.json"  # a bare document (wandb's form) is wrapped with its first root
    p2.write_text(json.dumps(item["doc"]))
    wrapped = Bokeh(str(p2)).to_dict()
    assert wrapped["root_id"] == item["doc"]["roots"][0]["id"] and wrapped["doc"] == item["doc"]


BAD = [
    ("int", lambda tmp: 5, TypeError, r"Bokeh: obj: expected a bokeh model or layout.*got int"),
    ("missing file", lambda tmp: tmp / "nope.json", ValueError, r"file not found"),
    (
        "not json",
        lambda tmp: (tmp / "x.json").write_text("{") and tmp / "x.json",
        ValueError,
        r"is not JSON",
    ),
    (
        "other json",
        lambda tmp: (tmp / "y.json").write_text('{"a": 1}') and tmp / "y.json",
        ValueError,
        r"expected bokeh JSON",
    ),
    ("empty document", lambda tmp: Document(), ValueError, r"exactly one root; got 0 roots"),
]


@pytest.mark.parametrize("make, exc, match", [b[1:] for b in BAD], ids=[b[0] for b in BAD])
def test_bad_inputs(tmp_path, make, exc, match):
    with pytest.raises(exc, match=match):
        Bokeh(make(tmp_path))


def test_bokeh_through_a_run(root):
    run = media.init(project="b")
    media.log({"plot": Bokeh(line_plot())})
    media.log({"plot": figure()})  # a bare model is wrapped by log()
    media.finish()
    r = media.open_run(run.dir)
    stubs = [s for _, s in r.media("plot")]
    assert [s["_type"] for s in stubs] == ["bokeh", "bokeh"]
    for s in stubs:
        item = json.loads(r.resolve(s["path"]).read_text())
        assert Document.from_json(item["doc"]).roots[0].id == s["root_id"]
