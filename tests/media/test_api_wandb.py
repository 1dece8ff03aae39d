"""media.Api in wandb's shape: runs(path, filters, order), run(path), Run fields, history() as
wandb samples it, scan_history(), files(); and malformed runs read without a crash."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

import pytest

import media
from media import runfolder as rf
from media.api import Api, Run


def make(project: str, run_id: str, rows: list[dict] | None = None, *, exit_code: int = 0,
         **init_kwargs) -> str:
    """One finished run with ``rows`` logged at steps 0.. (a row's ``_step`` picks its step)."""
    run = media.init(project=project, id=run_id, **init_kwargs)
    for i, row in enumerate(rows or []):
        row = dict(row)
        media.log(row, step=row.pop("_step", i))
    media.finish(exit_code=exit_code)
    return run.dir


def edit_json(path: Path, **fields) -> None:
    data = json.loads(path.read_text())
    data.update(fields)
    path.write_text(json.dumps(data))


# ---- history ---------------------------------------------------------------------------------


def test_history_is_a_dataframe_of_at_most_500_rows_evenly_spaced(root):
    pd = pytest.importorskip("pandas")
    make("p", "long", [{"loss": 1.0 / (i + 1)} for i in range(1000)])
    run = Api().run("p/long")
    df = run.history()
    assert isinstance(df, pd.DataFrame)
    assert len(df) == 500
    assert {"_step", "_runtime", "_timestamp", "loss"} <= set(df.columns)
    assert df["_step"].iloc[0] == 0 and df["_step"].iloc[-1] == 999
    assert df["_step"].is_monotonic_increasing and df["_step"].is_unique
    four = run.history(samples=4)
    assert list(four["_step"]) == [0, 333, 666, 999]
    assert list(four["loss"]) == [1.0, 1 / 334, 1 / 667, 1 / 1000]
    assert len(run.history(samples=5000)) == 1000  # fewer rows than samples: every row


def test_history_keys_keeps_rows_that_have_every_key_and_the_x_axis(root):
    pytest.importorskip("pandas")
    rows = []
    for i in range(10):
        row: dict = {"a": i}
        if i % 2 == 0:
            row["b"] = -i
        if i % 3 == 0:
            row["epoch"] = i // 3
        rows.append(row)
    make("p", "k", rows)
    run = Api().run("p/k")
    df = run.history(keys=["a", "b"])
    assert list(df.columns) == ["a", "b", "_step"]
    assert list(df["_step"]) == [0, 2, 4, 6, 8] and list(df["b"]) == [0, -2, -4, -6, -8]
    by_epoch = run.history(keys=["a"], x_axis="epoch")
    assert list(by_epoch.columns) == ["a", "epoch"]
    assert list(by_epoch["epoch"]) == [0, 1, 2, 3] and list(by_epoch["a"]) == [0, 3, 6, 9]
    empty = run.history(keys=["nope"])
    assert len(empty) == 0 and list(empty.columns) == ["nope", "_step"]


def test_history_pandas_false_is_a_list_of_dicts(root):
    make("p", "l", [{"x": i} for i in range(7)])
    rows = Api().run("p/l").history(samples=3, pandas=False)
    assert isinstance(rows, list)
    assert [(r["_step"], r["x"]) for r in rows] == [(0, 0), (3, 3), (6, 6)]


def test_system_stream_history_keys_metadata_and_updates(root):
    """history(stream="system") and system_metrics read system.jsonl; history_keys in wandb's
    shape; an ended run's summary and config can be changed (summary.update(), run.update())."""
    folder = Path(make("p", "s", [{"x": i, "name": "a"} for i in range(3)],
                       settings={"system_interval": 0}))
    (folder / rf.SYSTEM_JSONL).write_text('{"_timestamp": 10.0, "_runtime": 0.0, "_step": 0, "cpu.percent": 5}\n'
                                          '{"_timestamp": 15.0, "_runtime": 5.0, "_step": 2, "cpu.percent": 7}\n')
    run = Api().run("p/s")
    assert [r["cpu.percent"] for r in run.history(pandas=False, stream="system")] == [5, 7]
    assert run.system_metrics["cpu.percent"] == 7
    keys = run.history_keys
    assert keys["lastStep"] == 2 and keys["keys"]["x"]["typeCounts"] == [{"type": "number", "count": 3}]
    assert keys["keys"]["name"]["typeCounts"] == [{"type": "string", "count": 3}]
    assert "host" in run.metadata and run.user is None
    assert run.summary._json_dict["x"] == 2
    run.summary.update({"best": 0.9})
    run.config["note"] = "tuned"
    run.update()
    again = Api().run("p/s")
    assert again.summary["best"] == 0.9 and again.config["note"] == "tuned"
    media.init(project="p", id="live", settings={"system_interval": 0})
    with pytest.raises(media.MediaValueError, match=r"still being written by its process"):
        Api().run("p/live").summary.update({"x": 1})
    media.finish()


def test_history_without_pandas_says_pandas_false(root, monkeypatch):
    make("p", "np", [{"x": 1}])
    run = Api().run("p/np")
    monkeypatch.setitem(sys.modules, "pandas", None)  # import pandas now raises ImportError
    with pytest.raises(ImportError, match=r"needs pandas.*pandas=False"):
        run.history()
    assert [r["x"] for r in run.history(pandas=False)] == [1]


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"samples": 0}, r"samples: expected an int >= 1; got int \(0\)"),
    ({"keys": "loss"}, r"keys must be a list of str"),
    ({"stream": "gpu"}, r"stream must be one of default, system, events"),
])
def test_history_refuses_bad_arguments(root, kwargs, match):
    make("p", "bad", [{"x": 1}])
    with pytest.raises(media.MediaValueError, match=match):
        Api().run("p/bad").history(pandas=False, **kwargs)


def test_scan_history_yields_every_row_in_a_step_range(root):
    make("p", "scan", [{"loss": float(i), **({"acc": i} if i % 100 == 0 else {})}
                       for i in range(1200)])
    run = Api().run("p/scan")
    rows = list(run.scan_history())
    assert len(rows) == 1200 and [r["_step"] for r in rows] == list(range(1200))
    part = list(run.scan_history(min_step=10, max_step=20, page_size=3))
    assert [r["_step"] for r in part] == list(range(10, 20))  # max_step excluded, as in wandb
    acc = list(run.scan_history(keys=["acc", "_step"]))
    assert acc == [{"acc": i, "_step": i} for i in range(0, 1200, 100)]
    assert list(run.scan_history(keys=["acc"], min_step=1000)) == [{"acc": 1000}, {"acc": 1100}]
    with pytest.raises(media.MediaValueError, match=r"page_size: expected an int >= 1"):
        run.scan_history(page_size=0)  # refused at the call, not at the first row


# ---- the run's fields --------------------------------------------------------------------------


def test_run_has_wandbs_fields(root):
    folder = make("vision", "r1", [{"acc": 0.5}, {"acc": 0.75}], name="first", config={"lr": 0.1},
                  tags=["base"], notes="n", group="g", job_type="train")
    run = Api().run("someone/vision/r1")
    assert isinstance(run, Run)
    assert (run.id, run.name, run.project, run.entity) == ("r1", "first", "vision", "")
    assert run.path == ["", "vision", "r1"]
    assert Api().run("/".join(run.path)).id == "r1"
    assert run.state == "finished"
    assert run.config == {"lr": 0.1}
    assert run.summary["acc"] == 0.75 and run.summary_metrics["acc"] == 0.75
    assert (run.tags, run.notes, run.group, run.job_type) == (["base"], "n", "g", "train")
    created = datetime.strptime(run.created_at, "%Y-%m-%dT%H:%M:%S").replace(tzinfo=timezone.utc)
    meta = json.loads((Path(folder) / "run.json").read_text())
    assert abs(created.timestamp() - meta["start_time"]) < 1.5  # UTC, whole seconds
    assert run.url == Path(folder).resolve().as_uri()
    assert run.lastHistoryStep == 1
    assert repr(run) == "<Run vision/r1 (finished)>"


def test_state_is_mapped_from_our_statuses(root):
    make("p", "ok")
    make("p", "bad", exit_code=1)
    crashed = make("p", "dead")
    proc = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)
    edit_json(Path(crashed) / "run.json", status="running", end_time=None, exit_code=None,
              host=socket.gethostname(), pid=int(proc.stdout))
    states = {r.id: r.state for r in Api().runs("p")}
    assert states == {"ok": "finished", "bad": "failed", "dead": "crashed"}
    assert len(Api().runs("p", filters={"state": "crashed"})) == 1


# ---- paths ----------------------------------------------------------------------------------


def test_run_and_runs_accept_wandbs_path_forms(root):
    make("a", "one")
    make("a", "two")
    make("b", "two")
    api = Api()
    for path in ("ent/a/one", "a/one", "ent/a/runs/one", "one", "/ent/a/one"):
        assert api.run(path).id == "one", path
    assert api.run("b/two").project == "b"
    with pytest.raises(media.MediaValueError, match=r"'two' is in several projects \(a, b\)"):
        api.run("two")
    assert Api(overrides={"project": "b"}).run("two").project == "b"
    assert [r.id for r in api.runs("ent/a")] == [r.id for r in api.runs("a")] == ["one", "two"]
    assert [r.id for r in api.runs(project="b")] == ["two"]  # the older keyword
    assert [r.id for r in Api(overrides={"project": "b", "entity": "x"}).runs()] == ["two"]
    with pytest.raises(media.MediaValueError, match=r"expected 'entity/project' or 'project'"):
        api.runs("e/a/one")
    with pytest.raises(media.MediaValueError, match=r"overrides: unknown 'proj'"):
        Api(overrides={"proj": "a"})
    assert [p.name for p in api.projects()] == ["a", "b"]
    assert [r.id for r in api.project("ent/b").runs()] == ["two"]


def test_api_root_forms(tmp_path, root):
    other = tmp_path / "elsewhere"
    make("p", "here")
    media.init(project="p", id="there", dir=other)
    media.finish()
    assert [r.id for r in Api().runs()] == ["here"]
    assert [r.id for r in Api(str(other)).runs()] == ["there"]  # a folder first: the older form
    assert [r.id for r in Api({"project": "p"}, root=other).runs()] == ["there"]
    assert [r.id for r in Api(timeout=9, api_key="k").runs("p")] == ["here"]


# ---- filters and order ------------------------------------------------------------------------


@pytest.fixture
def sweep(root):
    make("s", "r1", [{"acc": 0.80}], name="alpha", config={"lr": 0.1, "opt": {"name": "sgd"}},
         tags=["base"])
    make("s", "r2", [{"acc": 0.95}], name="beta", config={"lr": 0.01, "opt": {"name": "adam"}},
         tags=["v2", "big"])
    make("s", "r3", [{"loss": 1.0}], name="gamma", config={"lr": 0.001}, exit_code=1)
    return Api()


@pytest.mark.parametrize(("filters", "ids"), [
    ({"config.lr.value": 0.01}, ["r2"]),  # wandb's config.<key>.value
    ({"config.opt.name": "adam"}, ["r2"]),
    ({"tags": {"$in": ["big", "other"]}}, ["r2"]),
    ({"tags": {"$nin": ["base"]}}, ["r2", "r3"]),
    ({"summary_metrics.acc": {"$gt": 0.9}}, ["r2"]),
    ({"summary_metrics.acc": {"$gte": 0.8, "$lt": 0.9}}, ["r1"]),
    ({"summary_metrics.acc": {"$exists": False}}, ["r3"]),
    ({"summary_metrics.acc": {"$not": {"$gt": 0.9}}}, ["r1", "r3"]),
    ({"$or": [{"config.lr": 0.1}, {"state": "failed"}]}, ["r1", "r3"]),
    ({"$and": [{"config.lr": {"$lt": 0.05}}, {"summary_metrics.acc": {"$exists": True}}]}, ["r2"]),
    ({"$nor": [{"config.lr": 0.1}]}, ["r2", "r3"]),
    ({"display_name": {"$regex": "^(al|ga)"}}, ["r1", "r3"]),
    ({"name": {"$in": ["r2", "r3"]}}, ["r2", "r3"]),  # wandb's "name" is the run id
])
def test_filters(sweep, filters, ids):
    # the forms the API took before (config.lr, state, tags, summary.acc): test_run_lifecycle.py
    assert [r.id for r in sweep.runs("s", filters=filters)] == ids


@pytest.mark.parametrize(("filters", "match"), [
    ({"config.lr": {"$elemMatch": 1}}, r"unsupported operator '\$elemMatch'; expected one of \$eq"),
    ({"$where": "1"}, r"unsupported operator '\$where' at the top level"),
    ({"colour": "red"}, r"unknown field 'colour'; expected config.<key>, summary_metrics.<key>"),
    ({"tags": {"$in": "base"}}, r"\$in expects a list; got str"),
    ({"display_name": {"$regex": "("}}, r"\$regex '\(' is not a valid pattern"),
    ({"$or": []}, r"expected a non-empty list of filters"),
    ([("config.lr", 1)], r"filters: expected a dict; got list"),
])
def test_unsupported_filters_raise_before_any_run_is_read(sweep, filters, match):
    with pytest.raises(media.MediaValueError, match=match):
        sweep.runs("s", filters=filters)


def test_order(sweep):
    assert [r.id for r in sweep.runs("s")] == ["r1", "r2", "r3"]  # +created_at: oldest first
    assert [r.id for r in sweep.runs("s", order="-created_at")] == ["r3", "r2", "r1"]
    assert [r.id for r in sweep.runs("s", order="-summary_metrics.acc")] == ["r2", "r1", "r3"]
    assert [r.id for r in sweep.runs("s", order="+summary_metrics.acc")] == ["r1", "r2", "r3"]
    assert [r.id for r in sweep.runs("s", order="config.lr")] == ["r3", "r2", "r1"]
    with pytest.raises(media.MediaValueError, match=r"order: unknown field 'colour'"):
        sweep.runs("s", order="-colour")


def test_runs_histories(sweep):
    rows = sweep.runs("s", filters={"state": "finished"}).histories(keys=["acc"])
    assert rows == [{"run_id": "r1", "acc": 0.80, "_step": 0}, {"run_id": "r2", "acc": 0.95, "_step": 0}]
    pytest.importorskip("pandas")
    df = sweep.runs("s").histories(keys=["acc"], format="pandas")
    assert list(df.columns) == ["run_id", "acc", "_step"] and list(df["run_id"]) == ["r1", "r2"]


# ---- files --------------------------------------------------------------------------------


def test_files_list_and_download(root, tmp_path):
    np = pytest.importorskip("numpy")
    (tmp_path / "model.txt").write_text("weights\n")
    media.init(project="p", id="f")
    media.save(str(tmp_path / "model.txt"), base_path=str(tmp_path))
    media.log({"img": media.Image(np.zeros((4, 4, 3), dtype=np.uint8))})
    media.finish()
    run = Api().run("p/f")
    files = {f.name: f for f in run.files()}
    assert {"run.json", "config.json", "summary.json", "history.jsonl", "files/model.txt"} <= set(files)
    [png] = [n for n in files if n.startswith("media/img/")]
    assert files[png].mimetype == "image/png" and files[png].size > 0
    assert files["files/model.txt"].size == 8
    assert [f.name for f in run.files(names=["files/model.txt"])] == ["files/model.txt"]
    out = tmp_path / "out"
    with run.file("files/model.txt").download(root=out) as f:
        assert f.read() == "weights\n"
    assert (out / "files" / "model.txt").read_text() == "weights\n"
    with pytest.raises(media.MediaValueError, match=r"exists; pass replace=True"):
        run.file("files/model.txt").download(root=out)
    (out / "files" / "model.txt").write_text("mine")
    with run.file("files/model.txt").download(root=out, exist_ok=True) as f:
        assert f.read() == "mine"
    with run.file("files/model.txt").download(root=out, replace=True) as f:
        assert f.read() == "weights\n"
    with pytest.raises(media.MediaValueError, match=r"does not have"):
        run.file("files/none.txt")


def test_files_never_lists_a_link_out_of_the_run(root, tmp_path):
    folder = Path(make("p", "ln"))
    secret = tmp_path / "secret.txt"
    secret.write_text("private")
    (folder / "files").mkdir(exist_ok=True)
    os.symlink(secret, folder / "files" / "leak.txt")
    (folder / "summary.json").unlink()
    os.symlink(secret, folder / "summary.json")
    run = Api().run("p/ln")
    names = [f.name for f in run.files()]
    assert "files/leak.txt" not in names and "summary.json" not in names
    assert "run.json" in names
    assert any("leak.txt" in p for p in run.problems) and any("summary.json" in p for p in run.problems)
    with pytest.raises(media.MediaValueError, match=r"does not have"):
        run.file("files/leak.txt")


# ---- malformed runs ---------------------------------------------------------------------------


def test_a_malformed_run_is_read_without_a_crash(root):
    folder = Path(make("p", "m", [{"x": 1}, {"x": 2}], config={"lr": 0.1}, tags=["t"]))
    (folder / "config.json").write_text("{not json")
    (folder / "summary.json").write_text("[1, 2]")
    edit_json(folder / "run.json", tags="oops", name=5, status="running", end_time=None,
              host="elsewhere", heartbeat_at="yesterday", start_time=1000.0)
    with open(folder / "history.jsonl", "ab") as f:
        f.write(b'{"_step": 2, "x": 3}\n{"_step": 3, "x"')  # a torn last line
    [run] = Api().runs("p", filters={"config.lr": {"$exists": False}}, order="summary_metrics.x")
    # a summary.json that is not an object reads as empty; a run without an end takes its rows'
    # last values (runfolder.RunReader.summary)
    assert run.config == {} and run.summary == {k: v for k, v in run.summary.items() if k == "x" or k.startswith("_")}
    assert run.summary["x"] == 3
    assert run.tags == [] and run.name == "m"
    assert run.state == "crashed"
    assert [r["x"] for r in run.scan_history()] == [1, 2, 3]
    problems = "\n".join(run.problems)
    for needle in ("config.json: cannot be read", "summary.json: holds list",
                   "tags is 'oops'", "name is 5", "heartbeat_at is 'yesterday'", "torn"):
        assert needle in problems


def test_history_jsonl_that_cannot_be_read_is_empty_with_a_problem(root):
    folder = Path(make("p", "h", [{"x": 1}]))
    (folder / "history.jsonl").unlink()
    (folder / "history.jsonl").mkdir()
    run = Api().run("p/h")
    assert run.history(pandas=False) == [] and list(run.scan_history()) == []
    assert any("history.jsonl: unreadable" in p for p in run.problems)


def test_readers_methods_stay_on_api_runs(root):
    make("p", "c", [{"x": 1, "t": "a"}])
    run = Api().run("p/c")
    assert run.status == "finished" and run.steps() == [0] and run.keys() == ["x", "t"]
    assert [row["x"] for row in run.reader.history()] == [1]  # RunReader.history: an iterator
    assert run.dir == str(root / "p" / "c")
