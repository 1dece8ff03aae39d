"""init/finish, run metadata, config forms, summary rules, save, reinit, Api and the readers."""

from __future__ import annotations

import argparse
import enum
import json
from pathlib import Path

import numpy as np
import pytest

import media
from tests.conftest import only_run


def test_quickstart_tutorial_runs_unchanged(root):
    import media as wandb

    run = wandb.init(project="my-awesome-project", config={"learning_rate": 0.02, "epochs": 3})
    assert wandb.run is run
    for epoch in range(2, wandb.config.epochs + 1):
        wandb.log({"acc": 1 - 2**-epoch, "loss": 2**-epoch})
    wandb.finish()
    assert wandb.run is None
    r = only_run(root)
    assert r.project == "my-awesome-project"
    assert r.config == {"learning_rate": 0.02, "epochs": 3}
    assert [row["loss"] for row in r.history()] == [0.25, 0.125]
    assert r.summary["acc"] == 0.875
    assert r.status == "finished"


def test_run_attributes_and_layout(root):
    run = media.init(project="proj", notes="n", tags=["a", "b"], group="g", job_type="train")
    assert Path(run.dir) == root / "proj" / run.id
    assert len(run.id) == 8 and run.id.isalnum()
    assert run.name.count("-") == 2 and run.name.endswith("-1")
    assert (run.project, run.group, run.job_type, run.notes, run.tags) == (
        "proj",
        "g",
        "train",
        "n",
        ["a", "b"],
    )
    media.finish()
    r = media.open_run(run.dir)
    assert (r.id, r.name, r.project, r.group, r.job_type, r.notes, r.tags) == (
        run.id,
        run.name,
        "proj",
        "g",
        "train",
        "n",
        ["a", "b"],
    )
    meta = json.loads((Path(run.dir) / "run.json").read_text())
    assert meta["format_version"] == 2 and meta["status"] == "finished"


def test_second_run_gets_next_number_and_unique_id(root):
    a = media.init(project="p")
    media.finish()
    b = media.init(project="p")
    media.finish()
    assert a.id != b.id
    assert b.name.endswith("-2")


def test_dir_argument_and_default_root(root, tmp_path, monkeypatch):
    other = tmp_path / "elsewhere"
    run = media.init(project="p", dir=str(other))
    assert Path(run.dir).parent.parent == other
    media.finish()
    monkeypatch.delenv("MEDIABOARD_DIR")
    run = media.init(project="p")
    assert Path(run.dir).parent.parent == tmp_path / "mediaboard"
    media.finish()


def test_init_dir_that_is_a_file_is_refused(root, tmp_path):
    f = tmp_path / "afile"
    f.write_text("x")
    with pytest.raises(media.MediaValueError, match=r"dir must be a folder.*which is a file"):
        media.init(dir=str(f))


def test_rename_persists(root):
    run = media.init(project="p")
    media.run.name = "my-run"
    assert media.open_run(run.dir).name == "my-run"
    run.save()  # old tutorials call this after renaming
    media.finish()
    assert media.open_run(run.dir).name == "my-run"


def test_reinit_finishes_previous_run_completely(root):
    a = media.init(project="p")
    media.log({"x": 1})
    media.log({"y": 2}, commit=False)  # pending row must land too
    b = media.init(project="p")
    assert media.run is b
    ra = media.open_run(a.dir)
    assert ra.status == "finished"
    assert [(r["_step"], r.get("x"), r.get("y")) for r in ra.history()] == [
        (0, 1, None),
        (1, None, 2),
    ]
    media.finish()


def test_context_manager_marks_failed_on_exception(root):
    with pytest.raises(ZeroDivisionError):
        with media.init(project="p") as run:
            media.log({"a": 1})
            1 / 0  # noqa: B018
    r = media.open_run(run.dir)
    assert r.status == "failed"
    assert r.meta["exit_code"] == 1
    assert [row["a"] for row in r.history()] == [1]
    with media.init(project="p") as run2:
        media.log({"a": 1})
    assert media.open_run(run2.dir).status == "finished"


def test_finish_with_exit_code(root):
    run = media.init(project="p")
    media.finish(exit_code=3)
    r = media.open_run(run.dir)
    assert r.status == "failed" and r.meta["exit_code"] == 3


# ---- config -------------------------------------------------------------------------------------


class Color(enum.Enum):
    RED = "red"


def test_config_forms(root, tmp_path):
    ns = argparse.Namespace(batch_size=32, lr=0.1)
    run = media.init(project="p", config=ns)
    media.config.epochs = 4
    media.config["dropout"] = 0.2
    media.config.update(
        {
            "layers": (64, 32),
            "path": Path("/data/x"),
            "color": Color.RED,
            "np_val": np.float32(0.5),
            "arr": np.arange(3),
        }
    )
    media.config.update(argparse.Namespace(seed=1))
    assert media.config.epochs == 4 and media.config["batch_size"] == 32
    on_disk = json.loads((Path(run.dir) / "config.json").read_text())
    assert on_disk == {
        "batch_size": 32,
        "lr": 0.1,
        "epochs": 4,
        "dropout": 0.2,
        "layers": [64, 32],
        "path": "/data/x",
        "color": "red",
        "np_val": 0.5,
        "arr": [0, 1, 2],
        "seed": 1,
    }
    media.finish()


def test_config_defaults_yaml_and_explicit_override(root, tmp_path):
    (tmp_path / "config-defaults.yaml").write_text(
        "epochs:\n  desc: number of epochs\n  value: 10\nbatch_size: 16\nlr: 0.5\n"
    )
    run = media.init(project="p", config={"lr": 0.01})
    assert dict(media.config.items()) == {"epochs": 10, "batch_size": 16, "lr": 0.01}
    media.finish()
    assert media.open_run(run.dir).config["epochs"] == 10


def test_config_nested_yaml_params_form(root, tmp_path):
    (tmp_path / "exp.yaml").write_text("lr: 0.1\nmodel: resnet\n")
    run = media.init(project="p", config={"yaml": "exp.yaml", "params": {"lr": 0.2}})
    assert media.open_run(run.dir).config == {"lr": 0.2, "model": "resnet"}
    media.finish()


BAD_CONFIG = [
    ({"f": object()}, r"config key 'f': expected a JSON-serializable value.*got object"),
    ({"nested": {"deep": {1, object()}}}, r"config key 'nested'/deep"),
]


@pytest.mark.parametrize("value,match", BAD_CONFIG)
def test_config_unserializable_names_key_and_keeps_old(root, value, match):
    run = media.init(project="p", config={"ok": 1})
    with pytest.raises(media.MediaTypeError, match=match):
        media.config.update(value)
    assert json.loads((Path(run.dir) / "config.json").read_text()) == {"ok": 1}
    media.finish()


def test_config_refuses_media(root):
    from media._base import Media

    media.init(project="p")
    with pytest.raises(
        media.MediaTypeError, match=r"got a media value \(Media\): media values cannot go in the config"
    ):
        media.config.img = Media()


# ---- summary ------------------------------------------------------------------------------------


def test_summary_last_value_and_explicit_wins(root):
    run = media.init(project="p")
    media.log({"loss": 3, "acc": 0.1})
    media.log({"loss": 2})
    media.summary["best_acc"] = 0.95
    media.summary["loss"] = 0.5  # explicit: later logs of loss do not override
    media.log({"loss": 1, "acc": 0.7})
    media.summary.update({"note": "hello"})
    assert media.summary["loss"] == 0.5 and media.summary["acc"] == 0.7
    del media.summary["note"]
    media.finish()
    s = media.open_run(run.dir).summary
    assert s["loss"] == 0.5 and s["acc"] == 0.7 and s["best_acc"] == 0.95
    assert "note" not in s and s["_step"] == 2


def test_summary_written_while_running(root):
    import time

    run = media.init(project="p")
    media.log({"loss": 3})
    deadline = time.time() + 5
    while time.time() < deadline:
        if media.open_run(run.dir).summary.get("loss") == 3:
            break
        time.sleep(0.1)
    assert media.open_run(run.dir).summary.get("loss") == 3


# ---- save ---------------------------------------------------------------------------------------


def test_save_copies_files_keeping_relative_names(root, tmp_path):
    (tmp_path / "ckpt" / "sub").mkdir(parents=True)
    (tmp_path / "ckpt" / "model.pt").write_bytes(b"weights-1")
    (tmp_path / "ckpt" / "sub" / "opt.pt").write_bytes(b"opt")
    run = media.init(project="p")
    saved = media.save("ckpt/**/*.pt")
    assert sorted(saved) == ["files/model.pt", "files/sub/opt.pt"]
    (tmp_path / "ckpt" / "model.pt").write_bytes(b"weights-2")  # live policy: last version kept
    media.finish()
    r = media.open_run(run.dir)
    assert r.files() == ["files/model.pt", "files/sub/opt.pt"]
    assert (r.path / "files" / "model.pt").read_bytes() == b"weights-2"


def test_save_with_base_path(root, tmp_path):
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "a.txt").write_text("a")
    media.init(project="p")
    assert media.save(str(tmp_path / "out" / "*.txt"), base_path=str(tmp_path)) == [
        "files/out/a.txt"
    ]


# ---- modes, login, Api ----------------------------------------------------------------------------


def test_disabled_mode_is_noop(root):
    run = media.init(project="p", mode="disabled", config={"a": 1})
    media.log({"x": 1})
    media.config.b = 2
    media.summary["c"] = 3
    assert media.config.a == 1
    run.log({"y": 2})
    media.finish()
    assert not root.exists()


def test_login_and_offline_mode_accepted(root):
    assert media.login(key="whatever") is True
    run = media.init(project="p", mode="online")
    media.log({"a": 1})
    media.finish()
    assert media.open_run(run.dir).status == "finished"


def test_bad_mode(root):
    with pytest.raises(media.MediaValueError, match=r"mode must be one of .*got 'cloud'"):
        media.init(mode="cloud")


def test_api_runs_filters_and_history_df(root):
    for lr, acc in [(0.1, 0.8), (0.01, 0.95)]:
        media.init(project="sweep", config={"lr": lr}, tags=["t"])
        media.log({"acc": acc})
        media.finish()
    media.init(project="other")
    media.finish()
    api = media.Api()
    assert len(api.runs()) == 3
    assert len(api.runs("sweep")) == 2
    best = api.runs("sweep", filters={"summary.acc": {"$gte": 0.9}})
    assert [r.config["lr"] for r in best] == [0.01]
    assert len(api.runs(filters={"config.lr": 0.1, "state": "finished", "tags": "t"})) == 1
    r = api.run(f"sweep/{best[0].id}")
    assert r.id == best[0].id
    pytest.importorskip("pandas")
    assert list(r.history(pandas=True)["acc"]) == [0.95]
    with pytest.raises(media.MediaValueError, match=r"matches no run"):
        api.run("sweep/nope")


def test_resume_continues_steps(root):
    run = media.init(project="p", id="fixed")
    media.log({"a": 1})
    media.log({"a": 2})
    media.finish()
    with pytest.raises(media.MediaValueError, match=r"already exists.*resume='allow'"):
        media.init(project="p", id="fixed")
    media.init(project="p", id="fixed", resume="allow")
    media.log({"a": 3})
    media.finish()
    rows = list(media.open_run(run.dir).history())
    assert [(r["_step"], r["a"]) for r in rows] == [(0, 1), (1, 2), (2, 3)]


# ---- readers --------------------------------------------------------------------------------------


def test_reader_tolerates_torn_last_line(root):
    run = media.init(project="p")
    media.log({"a": 1})
    media.log({"a": 2})
    media.finish()
    hist = Path(run.dir) / "history.jsonl"
    with open(hist, "a") as f:
        f.write('{"_step": 2, "a": 3')  # a crash mid-write
    r = media.open_run(run.dir)
    assert [row["a"] for row in r.history()] == [1, 2]
    assert any("torn" in p for p in r.problems)


def test_reader_refuses_non_runs_and_future_versions(tmp_path):
    with pytest.raises(media.FormatError, match=r"expected a run folder containing run.json"):
        media.open_run(tmp_path)
    (tmp_path / "run.json").write_text('{"format_version": 99}')
    with pytest.raises(media.FormatError, match=r"format_version 99"):
        media.open_run(tmp_path)


def test_list_runs_finds_nested_runs(root):
    for p in ("a", "b"):
        media.init(project=p)
        media.finish()
    assert sorted(r.project for r in media.list_runs(root)) == ["a", "b"]
    assert len(media.list_runs(root / "a")) == 1


def test_a_disabled_run_takes_every_call_it_is_given(tmp_path):
    run = media.init(project="p", dir=str(tmp_path), mode="disabled")
    run.alert(title="t", text="x")  # wandb code calls run.alert; a disabled run does nothing
    media.alert(title="t", text="x")
    run.finish()
    assert not any(tmp_path.iterdir())


def test_term_functions_print_to_stderr(capsys):
    """wandb.termlog/termwarn/termerror (transformers' callback calls termwarn)."""
    media.termlog("hello")
    media.termwarn("careful", repeat=False)
    media.termwarn("careful", repeat=False)
    media.termerror("bad", prefix=False)
    assert capsys.readouterr().err == "mediaboard: hello\nmediaboard: WARNING careful\nERROR bad\n"
