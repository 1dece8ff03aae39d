"""The wandb calls real training code makes (issue 22): WANDB_* environment, reinit, resume="auto",
alerts, define_metric summaries, and the wandb names not built here."""

from __future__ import annotations

import datetime
import json
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import media
from media import runfolder as rf
from tests.conftest import only_run

REPO = str(Path(media.__file__).resolve().parents[1])
CHILD_ENV = {**os.environ, "PYTHONPATH": REPO}
ENV_NAMES = [p + s for p in ("WANDB_", "MEDIABOARD_") for s in (
    "NAME", "NOTES", "TAGS", "RUN_GROUP", "JOB_TYPE", "RUN_ID", "RESUME", "SILENT", "DISABLED",
    "PROJECT")]


@pytest.fixture
def clean_env(root, monkeypatch):
    for name in ENV_NAMES:
        monkeypatch.delenv(name, raising=False)
    return root


# -- environment --------------------------------------------------------------------------------
def test_wandb_environment_fills_init_arguments(clean_env, monkeypatch):
    monkeypatch.setenv("WANDB_PROJECT", "envproj")
    monkeypatch.setenv("WANDB_NAME", "env-name")
    monkeypatch.setenv("WANDB_NOTES", "from env")
    monkeypatch.setenv("WANDB_TAGS", "a, b,,c ")
    monkeypatch.setenv("WANDB_RUN_GROUP", "g1")
    monkeypatch.setenv("WANDB_JOB_TYPE", "train")
    monkeypatch.setenv("WANDB_RUN_ID", "envid123")
    monkeypatch.setenv("WANDB_SILENT", "true")
    run = media.init()
    assert (run.project, run.id, run.name, run.notes, run.tags, run.group, run.job_type) == (
        "envproj", "envid123", "env-name", "from env", ["a", "b", "c"], "g1", "train")
    media.finish()
    assert only_run(clean_env).meta["tags"] == ["a", "b", "c"]


def test_mediaboard_environment_wins_over_wandb_and_arguments_win_over_both(clean_env, monkeypatch):
    monkeypatch.setenv("WANDB_NAME", "wandb-name")
    monkeypatch.setenv("MEDIABOARD_NAME", "mb-name")
    monkeypatch.setenv("WANDB_RUN_GROUP", "wg")
    monkeypatch.setenv("MEDIABOARD_RUN_GROUP", "mg")
    run = media.init(project="p")
    assert (run.name, run.group) == ("mb-name", "mg")
    run = media.init(project="p", name="arg-name", group="ag")
    assert (run.name, run.group) == ("arg-name", "ag")


def test_wandb_disabled_and_resume_from_environment(clean_env, monkeypatch):
    monkeypatch.setenv("WANDB_DISABLED", "true")
    assert isinstance(media.init(project="p"), media.DisabledRun)
    assert not clean_env.exists()
    assert not isinstance(media.init(project="p", mode="offline"), media.DisabledRun)  # argument wins
    media.finish()
    monkeypatch.delenv("WANDB_DISABLED")
    monkeypatch.setenv("WANDB_RUN_ID", "same1")
    media.init(project="p")
    media.log({"x": 1})
    media.finish()
    monkeypatch.setenv("WANDB_RESUME", "allow")
    run = media.init(project="p")
    assert run.id == "same1" and run.step == 1


@pytest.mark.parametrize(("name", "value", "match"), [
    ("WANDB_RESUME", "sometimes", r"WANDB_RESUME must be allow, must, never, auto, true or false; got 'sometimes'"),
    ("WANDB_DISABLED", "maybe", r"WANDB_DISABLED must be true or false .*; got 'maybe'"),
    ("MEDIABOARD_SILENT", "2", r"MEDIABOARD_SILENT must be true or false"),
])
def test_bad_environment_values_name_the_variable(clean_env, monkeypatch, name, value, match):
    monkeypatch.setenv(name, value)
    with pytest.raises(media.MediaValueError, match=match):
        media.init(project="p")


# -- reinit ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("reinit", [None, True, False, "default", "finish_previous"])
def test_reinit_finish_previous(clean_env, reinit):
    first = media.init(project="p")
    second = media.init(project="p", reinit=reinit)
    assert second is not first and media.run is second
    assert media.open_run(first.dir).status == "finished"


def test_reinit_return_previous(clean_env):
    first = media.init(project="p", name="one")
    assert media.init(project="p", name="two", reinit="return_previous") is first
    assert first.name == "one" and len(media.list_runs(clean_env)) == 1
    media.finish()
    third = media.init(project="p", reinit="return_previous")  # nothing active: a new run
    assert third is not first and media.run is third


def test_reinit_create_new_runs_beside_the_active_run(clean_env):
    main = media.init(project="p", name="main")
    side = media.init(project="p", name="eval", reinit="create_new")
    assert side is not main and media.run is main  # module-level names stay on the active run
    media.log({"loss": 1.0})
    side.log({"acc": 0.5})
    side.finish()
    media.log({"loss": 0.5})
    assert media.init(project="p", reinit="return_previous") is main
    media.finish()
    by_name = {r.name: r for r in media.list_runs(clean_env)}
    assert [row["loss"] for row in by_name["main"].history()] == [1.0, 0.5]
    assert [row["acc"] for row in by_name["eval"].history()] == [0.5]
    assert {r.status for r in by_name.values()} == {"finished"}


def test_reinit_create_new_run_is_finished_by_finish_previous_and_at_exit(clean_env, tmp_path):
    media.init(project="p")
    side = media.init(project="p", reinit="create_new")
    media.init(project="p", reinit="finish_previous")
    assert media.open_run(side.dir).status == "finished"
    media.finish()
    script = tmp_path / "side.py"
    script.write_text(textwrap.dedent(f"""
        import media
        media.init(project="q", dir={str(tmp_path / "exit")!r})
        side = media.init(project="q", dir={str(tmp_path / "exit")!r}, reinit="create_new")
        side.log({{"a": 1}})
    """))
    subprocess.run([sys.executable, str(script)], check=True, cwd=os.getcwd(), env=CHILD_ENV)
    assert {r.status for r in media.list_runs(tmp_path / "exit")} == {"finished"}


def test_reinit_bad_value(clean_env):
    with pytest.raises(media.MediaValueError, match=r"reinit must be one of 'default', .*; got str \('always'\)"):
        media.init(project="p", reinit="always")


def test_init_typo_is_still_a_type_error(clean_env):
    with pytest.raises(TypeError, match="unexpected keyword argument 'projcet'"):
        media.init(projcet="p", reinit="return_previous")


# -- resume="auto" ------------------------------------------------------------------------------
def _crash(root, project: str) -> str:
    code = textwrap.dedent(f"""
        import os, signal, media
        run = media.init(project={project!r}, dir={str(root)!r})
        media.log({{"x": 1}})
        print(run.id, flush=True)
        os.kill(os.getpid(), signal.SIGKILL)
    """)
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=os.getcwd(), env=CHILD_ENV)
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    return proc.stdout.strip()


def test_resume_auto_continues_the_crashed_run(clean_env):
    crashed = _crash(clean_env, "p")
    assert json.loads((clean_env / "p" / rf.LAST_RUN_FILE).read_text()) == {"id": crashed}
    run = media.init(project="p", resume="auto")
    assert run.id == crashed and run.step == 1
    media.log({"x": 2})
    media.finish()
    assert [row["x"] for row in only_run(clean_env).history()] == [1, 2]
    # finished now: the next resume="auto" starts a new run
    assert media.init(project="p", resume="auto").id != crashed


def test_resume_auto_ignores_finished_runs_other_projects_and_bad_hints(clean_env):
    crashed = _crash(clean_env, "p")
    assert media.init(project="other", resume="auto").id != crashed
    media.finish()
    (clean_env / "p" / rf.LAST_RUN_FILE).write_text("{not json")
    assert media.init(project="p", resume="auto").id != crashed
    media.finish()
    (clean_env / "p" / rf.LAST_RUN_FILE).write_text(json.dumps({"id": "../other"}))
    assert media.init(project="p", resume="auto").id != crashed


# -- alerts ---------------------------------------------------------------------------------------
def test_alert_is_recorded_and_read_back(clean_env):
    run = media.init(project="p")
    media.log({"loss": 1.0})
    media.alert(title="diverged", text="loss 1.0", level=media.AlertLevel.WARN)
    run.alert("diverged", "again", wait_duration=datetime.timedelta(minutes=5))
    run.alert("done", "ok", level="error", wait_duration=0)
    media.finish()
    alerts = media.open_run(run.dir).alerts
    assert [(a["step"], a["title"], a["text"], a["level"], a["repeat"]) for a in alerts] == [
        (1, "diverged", "loss 1.0", "WARN", False),
        (1, "diverged", "again", "INFO", True),
        (1, "done", "ok", "ERROR", False),
    ]
    assert alerts[0]["wait_duration"] == 60.0 and alerts[1]["wait_duration"] == 300.0
    assert all(isinstance(a["time"], float) for a in alerts)


@pytest.mark.parametrize(("kwargs", "error", "match"), [
    ({"title": "", "text": "t"}, media.MediaTypeError, r"alert\(\): title must be a non-empty string; got str \(''\)"),
    ({"title": "t", "text": 3}, media.MediaTypeError, r"alert\(\): text must be a string; got int \(3\)"),
    ({"title": "t", "text": "x", "level": "LOUD"}, media.MediaValueError, r"level must be media.AlertLevel.INFO, WARN or ERROR .*; got str \('LOUD'\)"),
    ({"title": "t", "text": "x", "wait_duration": "1m"}, media.MediaTypeError, r"wait_duration must be seconds"),
    ({"title": "t", "text": "x", "wait_duration": -1}, media.MediaValueError, r"wait_duration must be finite seconds >= 0; got -1"),
])
def test_bad_alerts_name_the_argument(clean_env, kwargs, error, match):
    media.init(project="p")
    with pytest.raises(error, match=match):
        media.alert(**kwargs)


def test_alert_needs_a_run_and_is_a_no_op_when_disabled(clean_env):
    with pytest.raises(media.RunStateError, match=r"media.alert\(\): no active run"):
        media.alert(title="t", text="x")
    media.init(mode="disabled")
    media.alert(title="t", text="x")


def test_alerts_reader_skips_bad_lines(clean_env):
    run = media.init(project="p")
    run.alert("ok", "fine")
    media.finish()
    with open(os.path.join(run.dir, rf.ALERTS_JSONL), "a") as f:
        f.write('[1, 2]\n{"step": -1, "time": 1, "title": "t", "text": "x", "level": "INFO"}\n')
        f.write('{"step": 1, "time": 1, "title": "t", "text": "x", "level": "LOUD"}\nnot json\n{"step": 2')
    r = media.open_run(run.dir)
    assert [a["title"] for a in r.alerts] == ["ok"]
    assert [p.split(" is ")[0] for p in r.problems] == [f"{rf.ALERTS_JSONL}: line {n}" for n in (2, 3, 4, 5, 6)]
    assert "torn" in r.problems[-1]
    assert media.open_run(media.init(project="p").dir).alerts == []


# -- define_metric summaries ----------------------------------------------------------------------
def test_define_metric_shapes_the_summary(clean_env):
    run = media.init(project="p")
    run.define_metric("loss", summary="min")
    run.define_metric("val/*", summary="max,mean", goal="maximize")
    run.define_metric("acc", summary="best", goal="maximize")
    run.define_metric("err", summary="best")
    run.define_metric("lr", summary="none")
    run.define_metric("ep", summary="first,last")
    run.define_metric("name", summary="max")
    for loss, acc, name in ((3, 0.1, "a"), (1, 0.7, "b"), (2, float("nan"), "c")):
        media.log({"loss": loss, "val/acc": acc, "val/f1": acc, "acc": acc, "err": loss, "lr": 0.1,
                   "ep": loss, "name": name, "plain": loss})
    expected = {"loss": {"min": 1}, "acc": {"best": 0.7}, "err": {"best": 1},
                "ep": {"first": 3, "last": 2}, "name": "c", "plain": 2}
    for key, value in expected.items():
        assert run.summary[key] == value, key
    assert run.summary["val/acc"]["max"] == 0.7 and run.summary["val/acc"]["mean"] == pytest.approx(0.4)
    assert "lr" not in run.summary
    media.finish()
    on_disk = media.open_run(run.dir).summary
    assert on_disk["loss"] == {"min": 1} and "lr" not in on_disk


def test_a_second_define_metric_merges_into_the_first(clean_env):
    """wandb merges definitions of one name: summaries add up, other fields are replaced (the
    example of wandb's summary guide defines loss with min and then with max)."""
    run = media.init(project="p")
    run.define_metric("loss", summary="min")
    run.define_metric("loss", summary="max", step_metric="epoch")
    run.define_metric("loss", summary="min")
    for loss, ep in ((3, 0), (1, 0), (2, 1)):
        media.log({"loss": loss, "epoch": ep})
    assert run.summary["loss"] == {"min": 1, "max": 3}
    media.finish()
    meta = media.open_run(run.dir).meta["metrics"]["loss"]
    assert meta == {"summary": "min,max", "step_metric": "epoch"}


def test_private_label_is_accepted(clean_env):
    """Lightning and CycleGAN call wandb's private run._label(repo=...) right after init."""
    run = media.init(project="p")
    assert run._label(repo="lightning") is None
    media.finish()
    assert media.init(project="p", mode="disabled")._label(code="x") is None


def test_define_metric_summary_survives_a_resume(clean_env):
    run = media.init(project="p", id="r1")
    run.define_metric("loss", summary="mean,min")
    for v in (4, 2):
        media.log({"loss": v})
    media.finish()
    run = media.init(project="p", id="r1", resume="allow")
    media.log({"loss": 0})
    assert run.summary["loss"] == {"mean": 2.0, "min": 0}


def test_old_runs_without_aggregates_read_as_before(clean_env):
    """A run whose summary.json holds plain values under a 'min' definition (written before
    summaries were shaped) still reads; a crashed one keeps the writer's value for that key."""
    run = media.init(project="p")
    run.define_metric("val/*", summary="min")
    media.log({"val/loss": 1.0, "x": 1})
    media.finish()
    path = run.dir
    meta = json.loads(open(os.path.join(path, rf.RUN_JSON)).read())
    meta.update(status="running", end_time=None, pid=2**22 + 1)
    rf.atomic_write_json(rf.Path(path) / rf.RUN_JSON, meta)
    rf.atomic_write_json(rf.Path(path) / rf.SUMMARY_JSON, {"val/loss": 0.5})
    r = media.open_run(path)
    assert r.status == "crashed"
    assert r.summary["val/loss"] == 0.5 and r.summary["x"] == 1


# -- names not built here -------------------------------------------------------------------------
@pytest.mark.parametrize(("name", "match"), [
    ("Molecule", r"media.Molecule is not supported.*media.Object3D.*media.Html.*media.save"),
    ("Graph", r"media.Graph is not supported \(wandb itself deprecates it\).*media.Table.*media.Html"),
])
def test_unsupported_wandb_names_say_what_to_use(name, match):
    with pytest.raises(media.NotSupportedError, match=match) as info:
        getattr(media, name)
    assert isinstance(info.value, AttributeError) and isinstance(info.value, media.MediaError)
    assert not hasattr(media, name) and getattr(media, name, None) is None
