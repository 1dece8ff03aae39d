"""The stub half of the contract (media/stubs.py): every kind has one definition, every file a
writer writes for a value is named by its stub (so a reader that copies ``files_of`` copies the
whole value), and the viewer reads runs through the contract alone."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import media
from media import stubs
from media._registry import KINDS

REPO = Path(__file__).resolve().parents[1]


def test_one_definition_per_kind_matches_the_writer():
    assert set(stubs.MEDIA_KINDS) == set(KINDS)
    for kind, spec in stubs.STUBS.items():
        assert spec.kind == kind
        assert (REPO / spec.doc).is_file()
        doc = (REPO / spec.doc).read_text()
        for field in spec.files + spec.layers:
            assert f"`{field}`" in doc, f"{spec.doc} documents {field}"


def _logged_files(run_dir: Path, reader) -> set[str]:
    named = set()
    for key in reader.media_keys():
        for _, stub in reader.media(key):
            todo = [stub]
            while todo:
                s = todo.pop()
                for ref in stubs.files_of(s):
                    named.add(ref.path)
                    if ref.kind == "table" and ref.field == stubs.PATH:
                        # the cells' stubs are in the table's file
                        todo.append(json.loads((run_dir / ref.path).read_text())["data"])
    return named


def test_files_of_names_every_file_the_writer_wrote(tmp_path):
    pytest.importorskip("plotly")
    pytest.importorskip("bokeh")
    pytest.importorskip("imageio_ffmpeg")
    import plotly.graph_objects as go
    from bokeh.plotting import figure

    media.init(project="p", dir=str(tmp_path), id="all")
    img = np.zeros((16, 16, 3), np.uint8)
    mask = np.zeros((16, 16), np.uint8)
    mask[4:8, 4:8] = 1
    boxes = {"pred": {"box_data": [{"position": {"minX": 1, "maxX": 5, "minY": 1, "maxY": 5},
                                    "class_id": 1, "domain": "pixel"}], "class_labels": {1: "a"}}}
    bk = figure(width=100, height=100)
    bk.line([0, 1], [1, 0])
    t = media.Table(columns=["i", "pic"], data=[[0, media.Image(img)], [1, media.Image(img + 9)]])
    media.log({
        "img": media.Image(img, masks={"gt": {"mask_data": mask, "class_labels": {1: "a"}}},
                           boxes=boxes),
        "list": [media.Image(img), media.Image(img + 1)],
        "hist": media.Histogram(np.arange(10)),
        "aud": media.Audio(np.zeros(800, np.float32), sample_rate=8000),
        "vid": media.Video(np.zeros((4, 3, 16, 16), np.uint8), fps=4),
        "tab": t,
        "pc": media.Object3D(np.random.default_rng(0).random((50, 3))),
        "fig": media.Plotly(go.Figure(go.Scatter(x=[0, 1], y=[1, 0]))),
        "bk": media.Bokeh(bk),
        "page": media.Html("<p>hi</p>"),
        "pr": media.plot.pr_curve([0, 1, 1], [[0.8, 0.2], [0.3, 0.7], [0.6, 0.4]], labels=["a", "b"]),
    }, step=0)
    media.finish()
    run_dir = tmp_path / "p" / "all"
    reader = media.open_run(run_dir)
    on_disk = {p.relative_to(run_dir).as_posix() for p in (run_dir / "media").rglob("*") if p.is_file()}
    named = _logged_files(run_dir, reader)
    assert named == on_disk
    kinds = {ref.kind for key in reader.media_keys() for _, s in reader.media(key)
             for ref in stubs.files_of(s)}
    # a histogram names no file; a plot's file is its table's (the table stub in its `table` field)
    assert kinds == set(stubs.MEDIA_KINDS) - {"histogram", "plot"}
    _, pr = reader.media("pr")[0]
    assert [ref.kind for ref in stubs.files_of(pr)] == ["table"]
    roles = {ref.role for _, s in reader.media("img") for ref in stubs.files_of(s)}
    assert roles == {"file", "mask", "boxes"}
    # deep=False: a media list's own stub names no file, its items do
    _, lst = reader.media("list")[0]
    assert list(stubs.files_of(lst, deep=False)) == [] and len(list(stubs.files_of(lst))) == 2


def test_the_viewer_loads_only_the_contract_of_the_writer():
    code = ("import sys, viewer.build, viewer.ci, viewer.export, viewer.report, viewer.cli; "
            "print(sorted(m for m in sys.modules if m == 'media' or m.startswith('media.')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO,
                         check=True).stdout
    loaded = set(json.loads(out.replace("'", '"')))
    # the contract (runfolder, stubs, errors) and two constants modules; nothing of the writer
    assert {"media.runfolder", "media.stubs"} <= loaded
    assert loaded <= {"media", "media.errors", "media.runfolder", "media.stubs", "media.sweepfolder",
                      "media.artifactstore", "media._version", "media._preinit"}, loaded


def test_loading_the_writer_never_replaces_the_module_state():
    """media.run / media.config / media.summary are the active run's, whatever the lazy loading
    imports (a submodule of the same name would otherwise replace them)."""
    code = """
import importlib, pkgutil, media
media.Run  # loads the writer lazily
for m in pkgutil.iter_modules(media.__path__):
    try:
        importlib.import_module("media." + m.name)
    except ImportError:  # media.keras: an optional framework (keras and its backend) not importable here
        assert m.name == "keras", m.name
assert media.run is None, media.run
for name in ("config", "summary"):
    try:
        getattr(media, name)["lr"]
    except media.RunStateError:
        pass
    else:
        raise AssertionError(name)
try:
    media.init(project=123)
except media.MediaTypeError:
    pass
try:
    media.config["lr"]
except media.RunStateError:
    print("ok")
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO)
    assert out.stdout.strip() == "ok", out.stderr
