"""Table: construction tables, column kinds, media cells as files, pandas read-back, run round trip."""

from __future__ import annotations

import datetime
import decimal
import json
import warnings

import numpy as np
import pytest

import media
from media.html import Html
from media.image import Image
from media.runfolder import MediaWriter
from media.table import Table

pd = pytest.importorskip("pandas")


def ser(t: Table, tmp_path, step: int = 4) -> tuple[dict, dict]:
    stub = t._serialize(MediaWriter(tmp_path, "tab", step))
    with open(tmp_path / stub["path"], encoding="utf-8") as f:
        return stub, json.load(f)


GOOD = [
    # id, make, columns, rows, column kinds
    (
        "columns + data",
        lambda: Table(columns=["a", "b"], data=[[1, "x"], [2.5, "y"]]),
        ["a", "b"],
        [[1, "x"], [2.5, "y"]],
        {"a": "number", "b": "string"},
    ),
    (
        "rows alias, tuples",
        lambda: Table(columns=["a"], rows=[(1,), (None,)]),
        ["a"],
        [[1], [None]],
        {"a": "number"},
    ),
    (
        "default columns",
        lambda: Table(data=[["t", "pos", "neg"]]),
        ["Input", "Output", "Expected"],
        [["t", "pos", "neg"]],
        {"Input": "string", "Output": "string", "Expected": "string"},
    ),
    (
        "int column names",
        lambda: Table(columns=[0, 1], data=[[True, None]]),
        ["0", "1"],
        [[True, None]],
        {"0": "bool", "1": "none"},
    ),
    (
        "2-D array",
        lambda: Table(columns=["x", "y"], data=np.array([[1, 2], [3, 4]], np.int16)),
        ["x", "y"],
        [[1, 2], [3, 4]],
        {"x": "number", "y": "number"},
    ),
    (
        "numpy scalars",
        lambda: Table(
            columns=["i", "f", "b"], data=[[np.int64(3), np.float32(0.5), np.bool_(True)]]
        ),
        ["i", "f", "b"],
        [[3, 0.5, True]],
        {"i": "number", "f": "number", "b": "bool"},
    ),
    (
        "dates and decimals",
        lambda: Table(
            columns=["d", "t", "n", "m"],
            data=[
                [
                    datetime.date(2000, 12, 1),
                    datetime.datetime(2000, 12, 1, 6, 30),
                    np.datetime64("2000-12-01"),
                    decimal.Decimal("1.25"),
                ]
            ],
        ),
        ["d", "t", "n", "m"],
        [["2000-12-01", "2000-12-01T06:30:00", "2000-12-01", 1.25]],
        {"d": "datetime", "t": "datetime", "n": "datetime", "m": "number"},
    ),
    (
        "list cells",
        lambda: Table(columns=["v"], data=[[[1, 2]], [np.array([0.5, 1.5])], [(3,)]]),
        ["v"],
        [[[1, 2]], [[0.5, 1.5]], [[3]]],
        {"v": "list"},
    ),
    (
        "mixed allowed",
        lambda: Table(columns=["m"], data=[[1], ["a"]], allow_mixed_types=True),
        ["m"],
        [[1], ["a"]],
        {"m": "mixed"},
    ),
    ("empty", lambda: Table(columns=["a"]), ["a"], [], {"a": "none"}),
]


@pytest.mark.parametrize(
    "make, columns, rows, kinds", [g[1:] for g in GOOD], ids=[g[0] for g in GOOD]
)
def test_good_tables_and_pandas_reads_the_file(tmp_path, make, columns, rows, kinds):
    t = make()
    stub, doc = ser(t, tmp_path)
    assert stub == {
        "_type": "table",
        "path": "media/tab/4_0.table.json",
        "columns": columns,
        "nrows": len(rows),
        "ncols": len(columns),
        "column_kinds": kinds,
    }
    assert doc == {"columns": columns, "data": rows}
    assert len(t) == len(rows) and list(t) == rows
    df = pd.read_json(tmp_path / stub["path"], orient="split")
    assert list(map(str, df.columns)) == columns and len(df) == len(rows)


def test_dataframe_columns_keep_their_values(tmp_path):
    df = pd.DataFrame(
        {
            "n": [1, 2, 3],
            "f": [0.5, np.nan, 2.0],
            "s": ["a", np.nan, "c"],
            "b": [True, False, True],
            "d": pd.to_datetime(["2020-01-01", None, "2020-01-03"]),
            "i": pd.array([1, None, 3], dtype="Int64"),
        }
    )
    t = Table(dataframe=df)
    assert t.column_kinds == {
        "n": "number",
        "f": "number",
        "s": "string",
        "b": "bool",
        "d": "datetime",
        "i": "number",
    }
    stub, doc = ser(t, tmp_path)
    row = doc["data"][1]
    assert row[0] == 2 and np.isnan(row[1]) and row[2:] == [None, False, None, None]
    assert doc["data"][2][4:] == ["2020-01-03T00:00:00", 3]
    back = pd.read_json(tmp_path / stub["path"], orient="split")
    assert back["n"].tolist() == [1, 2, 3]
    assert back["f"].isna().tolist() == [False, True, False] and back["f"][2] == 2.0
    assert back["s"][0] == "a" and pd.isna(back["s"][1]) and back["s"][2] == "c"
    assert back["b"].tolist() == [True, False, True]
    # the same frame through data= and the rows are equal
    assert json.dumps(Table(data=df).data) == json.dumps(t.data)
    assert t.get_dataframe()["n"].tolist() == [1, 2, 3]


def test_add_data_add_column_get_column_iteration():
    t = Table(columns=["a", "b"])
    t.add_data(1, "x")
    t.add_data(2, "y")
    t.add_row(3, "z")
    t.add_column("c", np.array([0.1, 0.2, 0.3]))
    assert t.columns == ["a", "b", "c"] and len(t) == 3
    assert t.get_column("c") == [0.1, 0.2, 0.3]
    assert t.get_column("a", convert_to="numpy").tolist() == [1, 2, 3]
    assert [i for i, _ in t.iterrows()] == [0, 1, 2]
    assert list(t)[2] == [3, "z", 0.3]
    empty = Table(columns=[])
    empty.add_column("first", [1, 2, 3, 4])
    assert len(empty) == 4 and empty.get_column("first") == [1, 2, 3, 4]


def test_failed_add_column_leaves_the_table_unchanged():
    t = Table(columns=["a"], data=[[1], [2]])
    with pytest.raises(TypeError, match=r"column 'b'.*expected a number, string"):
        t.add_column("b", [1, object()])
    assert t.columns == ["a"] and t.data == [[1], [2]]


BAD = [
    (
        "wrong row length",
        lambda: Table(columns=["a", "b"], data=[[1, 2], [3]]),
        ValueError,
        r"Table: data row 1: expected 2 values \(columns \['a', 'b'\]\); got 1\.",
    ),
    (
        "number then string",
        lambda: Table(columns=["a"], data=[[1], ["x"]]),
        TypeError,
        r"data row 1, column 'a': expected number .*got string.*allow_mixed_types=True",
    ),
    (
        "image then html",
        lambda: Table(columns=["m"], data=[[Image(np.zeros((2, 2)))], [Html("<p>")]]),
        TypeError,
        r"expected image .*got html",
    ),
    (
        "list as columns",
        lambda: Table([[1, 2], [3, 4]]),
        TypeError,
        r"got a list of rows. Pass the rows as data=",
    ),
    ("duplicate names", lambda: Table(columns=["a", "a"]), ValueError, r"\['a'\] appear more"),
    ("float name", lambda: Table(columns=[1.5]), TypeError, r"str or int; got float"),
    (
        "object cell",
        lambda: Table(columns=["a"], data=[[object()]]),
        TypeError,
        r"column 'a': expected a number, string, bool, None, date, list, dict \(JSON data\) or "
        r"media value; got object",
    ),
    (
        "table cell",
        lambda: Table(columns=["a"], data=[[Table()]]),
        TypeError,
        r"a Table cannot be a table cell",
    ),
    (
        "string data",
        lambda: Table(columns=["a"], data="abc"),
        TypeError,
        r"data: expected a list of rows",
    ),
    (
        "3-D array",
        lambda: Table(columns=["a"], data=np.zeros((2, 2, 2))),
        ValueError,
        r"expected a 2-D array",
    ),
    (
        "dataframe + columns",
        lambda: Table(columns=["a"], dataframe=pd.DataFrame({"a": [1]})),
        ValueError,
        r"do not also pass columns",
    ),
    (
        "dataframe not a frame",
        lambda: Table(dataframe=[[1]]),
        TypeError,
        r"dataframe: expected a pandas DataFrame",
    ),
    (
        "data and rows",
        lambda: Table(columns=["a"], data=[[1]], rows=[[1]]),
        ValueError,
        r"both data and rows",
    ),
]


@pytest.mark.parametrize("make, exc, match", [b[1:] for b in BAD], ids=[b[0] for b in BAD])
def test_bad_inputs(make, exc, match):
    with pytest.raises(exc, match=match):
        make()


@pytest.mark.parametrize(
    "call, exc, match",
    [
        (lambda t: t.add_data(1), ValueError, r"add_data: row 1: expected 2 values"),
        (lambda t: t.add_column("a", [1]), ValueError, r"column 'a' already exists"),
        (lambda t: t.add_column("c", [1, 2]), ValueError, r"expected 1 values \(one per row\)"),
        (lambda t: t.get_column("zz"), ValueError, r"no column 'zz'; the columns are"),
        (lambda t: t.get_column("a", convert_to="torch"), ValueError, r"convert_to"),
    ],
    ids=["add_data arity", "add_column dup", "add_column length", "get_column name", "convert_to"],
)
def test_bad_method_calls(call, exc, match):
    t = Table(columns=["a", "b"], data=[[1, "x"]])
    with pytest.raises(exc, match=match):
        call(t)


def test_row_limit_warns_and_keeps_every_row(tmp_path, monkeypatch):
    monkeypatch.setattr(Table, "MAX_ROWS", 5)
    with pytest.warns(
        UserWarning, match=r"Table: 6 rows is more than Table.MAX_ROWS=5; all rows"
    ) as w:
        t = Table(columns=["i"], data=[[i] for i in range(6)])
    assert w[0].filename == __file__
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        t.add_data(6)  # warned once already
    stub, doc = ser(t, tmp_path)
    assert stub["nrows"] == 7 and [r[0] for r in doc["data"]] == list(range(7))
    t2 = Table(columns=["i"], data=[[i] for i in range(5)])
    with pytest.warns(UserWarning, match=r"6 rows is more than") as w:
        t2.add_data(5)
    assert w[0].filename == __file__


def test_media_cells_are_files_referenced_by_stubs(tmp_path):
    masks = {"pred": {"mask_data": np.array([[0, 1], [1, 0]]), "class_labels": {1: "cat"}}}
    t = Table(columns=["id", "image", "page"])
    t.add_data(0, Image(np.zeros((2, 2)), masks=masks, caption="c0"), Html("<b>0</b>"))
    t.add_data(1, None, Html("<b>1</b>"))
    stub, doc = ser(t, tmp_path)
    assert stub["column_kinds"] == {"id": "number", "image": "image", "page": "html"}
    img = doc["data"][0][1]
    assert img["_type"] == "image" and img["caption"] == "c0"
    assert img["path"] == "media/tab/4_0.r0c1.png"
    assert (tmp_path / img["path"]).is_file()
    assert (tmp_path / img["masks"]["pred"]["path"]).is_file()
    assert doc["data"][1][1] is None
    pages = [doc["data"][i][2] for i in range(2)]
    assert [p["path"] for p in pages] == ["media/tab/4_0.r0c2.html", "media/tab/4_0.r1c2.html"]
    assert "<b>1</b>" in (tmp_path / pages[1]["path"]).read_text()
    # pandas reads the plain columns directly; media cells come back as their stubs
    df = pd.read_json(tmp_path / stub["path"], orient="split")
    assert df["id"].tolist() == [0, 1] and df["image"][0]["_type"] == "image"


def test_table_through_a_run_keeps_every_version(root):
    run = media.init(project="t")
    t = Table(columns=["step", "img"])
    for step in range(2):
        t.add_data(step, Image(np.full((3, 3), step * 200, np.uint8)))
        media.log({"preds": t})  # a snapshot: the next add_data does not reach this version
    media.log({"frame": pd.DataFrame({"a": [1, 2]})})  # a bare DataFrame becomes a Table
    media.finish()
    r = media.open_run(run.dir)
    versions = [s for _, s in r.media("preds")]
    assert [v["nrows"] for v in versions] == [1, 2]
    assert versions[0]["path"] != versions[1]["path"]
    for v in versions:
        doc = json.loads(r.resolve(v["path"]).read_text())
        for _, cell in doc["data"]:
            assert r.resolve(cell["path"]).is_file()
    ((_, frame),) = r.media("frame")
    assert frame["_type"] == "table" and frame["column_kinds"] == {"a": "number"}
    assert pd.read_json(r.resolve(frame["path"]), orient="split")["a"].tolist() == [1, 2]


def test_log_takes_a_snapshot(tmp_path):
    from media._registry import coerce

    t = Table(columns=["a"], data=[[1]])
    kept = coerce(t, key="k")
    t.add_data(2)
    t.data[0][0] = 99
    t.add_column("b", ["x", "y"])
    stub, doc = ser(kept, tmp_path)
    assert doc == {"columns": ["a"], "data": [[1]]} and stub["nrows"] == 1


def test_video_audio_and_object3d_cells(tmp_path):
    from media.object3d import Object3D
    from media.video import Video

    pytest.importorskip("imageio_ffmpeg")
    frames = np.zeros((2, 3, 8, 8), np.uint8)
    t = Table(columns=["clip", "cloud"])
    t.add_data(Video(frames, caption="v"), Object3D(np.zeros((4, 3))))
    cells = [Video(frames, format="gif"), Object3D(np.ones((2, 6)))]
    t.add_data(*cells)
    stub, doc = ser(t, tmp_path)
    assert stub["column_kinds"] == {"clip": "video", "cloud": "object3d"}
    v0, c0 = doc["data"][0]
    assert v0["path"] == "media/tab/4_0.r0c0.mp4" and v0["frames"] == 2
    assert c0["path"] == "media/tab/4_0.r0c1.ply"
    assert c0["preview"] == "media/tab/4_0.r0c1.preview.json"
    for row in doc["data"]:
        for cell in row:
            assert (tmp_path / cell["path"]).is_file()
    assert (tmp_path / doc["data"][1][1]["preview"]).is_file()
    from media.audio import Audio

    pytest.importorskip("soundfile")
    a = Table(columns=["a"], data=[[Audio(np.zeros(800), sample_rate=8000)]])
    stub, doc = ser(a, tmp_path / "a")
    assert stub["column_kinds"] == {"a": "audio"}
    assert (tmp_path / "a" / doc["data"][0][0]["path"]).is_file()


# ---- JSON cells (issue 22) -------------------------------------------------------------------

DETECTION = {"boxes": [[0, 0, 4, 4], [1, 2, 3, 4], [5, 5, 9, 9]], "score": 0.9, "label": None,
             "ok": True, "nested": {"a": [{"b": []}]}}


def test_json_cells_round_trip_through_json(tmp_path):
    t = Table(columns=["id", "pred", "extra"])
    t.add_data(0, DETECTION, [{"k": 1}, 2])
    t.add_data(1, {"boxes": [], "score": float("nan")}, None)
    t.add_data(2, None, [np.float32(0.5), {"arr": np.arange(3)}])
    t.add_data(3, {7: "seven", "inf": float("inf")}, [])
    stub, doc = ser(t, tmp_path)
    assert stub["column_kinds"] == {"id": "number", "pred": "json", "extra": "json"}
    rows = doc["data"]
    assert rows[0] == [0, DETECTION, [{"k": 1}, 2]]
    assert rows[1][1]["boxes"] == [] and rows[1][1]["score"] != rows[1][1]["score"]  # NaN kept
    assert rows[2] == [2, None, [0.5, {"arr": [0, 1, 2]}]]
    assert rows[3][1] == {"7": "seven", "inf": float("inf")}  # int keys as json writes them
    # written with the NaN/Infinity literals, like history; pandas reads the file
    text = (tmp_path / stub["path"]).read_text()
    assert "NaN" in text and "Infinity" in text
    assert pd.read_json(tmp_path / stub["path"], orient="split")["pred"][0]["score"] == 0.9


def test_a_column_mixing_dicts_and_scalars_is_json():
    t = Table(columns=["v"], data=[[1], [{"three": 3}], ["two"], [[4]], [True]])
    assert t.column_kinds == {"v": "json"}
    t2 = Table(columns=["v"], data=[[{"a": 1}], [2.5]])
    assert t2.column_kinds == {"v": "json"}
    # a list of plain values stays a list column; images still refuse a dict
    assert Table(columns=["v"], data=[[[1, 2]]]).column_kinds == {"v": "list"}
    with pytest.raises(TypeError, match=r"expected image .*got json"):
        Table(columns=["v"], data=[[Image(np.zeros((2, 2)))], [{"a": 1}]])


def _deep(n: int) -> list:
    out: list = [0]
    for _ in range(n):
        out = [out]
    return out


def _cyclic() -> dict:
    d: dict = {"x": 1}
    d["self"] = d
    return d


BAD_JSON = [
    ("object inside", {"a": [1, object()]}, TypeError,
     r"data row 0, column 'c' at \['a'\]\[1\]: expected JSON data .*; got object"),
    ("media inside", {"img": Image(np.zeros((2, 2)))}, TypeError,
     r"column 'c' at \['img'\]: a media value cannot be inside a list or dict cell.*got Image"),
    ("tuple key", {(1, 2): 3}, TypeError, r"column 'c': expected dict keys that are str or int"),
    ("clashing keys", {1: "a", "1": "b"}, ValueError, r"expected distinct keys; '1' appears twice"),
    ("stub-like", {"_type": "image", "path": "x.png"}, ValueError,
     r"column 'c': expected JSON data whose dicts have no '_type' naming a media kind.*"
     r"got '_type': 'image'"),
    ("cycle", _cyclic(), ValueError, r"column 'c' at \['self'\]: expected JSON data without cycles"),
    ("too deep", _deep(20), ValueError, r"expected JSON data nested at most 10 deep"),
]


@pytest.mark.parametrize("cell, exc, match", [b[1:] for b in BAD_JSON], ids=[b[0] for b in BAD_JSON])
def test_bad_json_cells_are_named(monkeypatch, cell, exc, match):
    monkeypatch.setattr("media.table.MAX_JSON_DEPTH", 10)
    with pytest.raises(exc, match=match):
        Table(columns=["c"], data=[[cell]])
    t = Table(columns=["c"])
    with pytest.raises(exc, match=match.replace("data row 0", "Table.add_data: row 0")):
        t.add_data(cell)
    assert t.data == []


def test_json_cells_through_a_run(root):
    run = media.init(project="t")
    media.log({"det": Table(columns=["id", "pred"], data=[[0, DETECTION], [1, {"boxes": []}]])})
    media.finish()
    r = media.open_run(run.dir)
    ((_, stub),) = r.media("det")
    doc = json.loads(r.resolve(stub["path"]).read_text())
    assert doc["data"][0][1] == DETECTION and stub["column_kinds"]["pred"] == "json"


# ---- log modes (issue 22) --------------------------------------------------------------------


def test_log_mode_is_checked():
    assert Table(columns=["a"]).log_mode == "IMMUTABLE"
    assert Table(columns=["a"], log_mode=None).log_mode == "IMMUTABLE"
    with pytest.raises(ValueError, match=r"log_mode: expected one of IMMUTABLE, MUTABLE, "
                                         r"INCREMENTAL; got str \('append'\)"):
        Table(columns=["a"], log_mode="append")


def test_incremental_logs_write_only_new_rows(root):
    run = media.init(project="t")
    t = Table(columns=["step", "img", "pred"], log_mode="INCREMENTAL")
    for step in range(3):
        for k in range(step + 1):  # 1, 2, 3 new rows
            t.add_data(step, Image(np.full((3, 3), 40 * k, np.uint8)), {"k": k})
        media.log({"inc": t}, step=step)
    media.log({"inc": t}, step=3)  # nothing new: an empty increment
    media.finish()
    r = media.open_run(run.dir)
    stubs_ = [s for _, s in r.media("inc")]
    assert [s["nrows"] for s in stubs_] == [1, 2, 3, 0]
    assert [s["row_offset"] for s in stubs_] == [0, 1, 3, 6]
    assert [s["increment"] for s in stubs_] == [0, 1, 2, 3]
    assert {s["log_mode"] for s in stubs_} == {"INCREMENTAL"}
    assert len({s["table_id"] for s in stubs_}) == 1
    rows = []
    for s in stubs_:  # json alone rebuilds the table: the increments' rows in order
        doc = json.loads(r.resolve(s["path"]).read_text())
        assert doc["columns"] == ["step", "img", "pred"]
        rows += doc["data"]
    assert [row[0] for row in rows] == [0, 1, 1, 2, 2, 2]
    assert [row[2]["k"] for row in rows] == [0, 0, 1, 0, 1, 2]
    # a media cell's file is named by its row in the whole table
    assert rows[5][1]["path"].endswith(".r5c1.png") and r.resolve(rows[5][1]["path"]).is_file()
    with pytest.raises(ValueError, match=r"add_column: column 'x': expected a table with "
                                         r"log_mode IMMUTABLE or MUTABLE; got log_mode='INCREMENTAL'"):
        t.add_column("x", [0] * 6)


def test_a_refused_log_keeps_an_incremental_tables_rows_for_the_next(root):
    """A log() call refused for another key takes nothing: the table's new rows are written by
    the next log that is taken (they used to count as logged and were never written)."""
    run = media.init(project="t")
    t = Table(columns=["a"], log_mode="INCREMENTAL")
    t.add_data(1)
    media.log({"inc": t}, step=0)
    t.add_data(2)
    with pytest.raises(media.MediaError):
        media.log({"inc": t, "bad": object()}, step=1)
    t.add_data(3)
    media.log({"inc": t}, step=1)
    media.finish()
    r = media.open_run(run.dir)
    stubs_ = [s for _, s in r.media("inc")]
    assert [s["nrows"] for s in stubs_] == [1, 2]
    assert [s["row_offset"] for s in stubs_] == [0, 1] and [s["increment"] for s in stubs_] == [0, 1]
    rows = [row for s in stubs_ for row in json.loads(r.resolve(s["path"]).read_text())["data"]]
    assert rows == [[1], [2], [3]]


def test_mutable_relog_after_add_data_has_the_new_row(root):
    run = media.init(project="t")
    t = Table(columns=["a"], data=[[1]], log_mode="MUTABLE")
    media.log({"m": t}, step=0)
    t.add_data(2)
    t.add_column("b", [{"x": 1}, {"x": 2}])
    media.log({"m": t}, step=1)
    media.finish()
    r = media.open_run(run.dir)
    (_, first), (_, second) = r.media("m")
    assert first["log_mode"] == second["log_mode"] == "MUTABLE"
    assert json.loads(r.resolve(first["path"]).read_text())["data"] == [[1]]
    assert json.loads(r.resolve(second["path"]).read_text()) == {
        "columns": ["a", "b"], "data": [[1, {"x": 1}], [2, {"x": 2}]]}
    assert second["nrows"] == 2 and "increment" not in second
