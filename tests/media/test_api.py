"""init/log/finish take wandb's keyword arguments and refuse any other with wandb's TypeError."""

from __future__ import annotations

import inspect

import pytest

import media
from tests.conftest import only_run

# wandb.init's keyword arguments (its documented signature); each must keep working here
WANDB_INIT_KWARGS = {
    "job_type": "train",
    "dir": None,  # set to the test's root below
    "config": {"lr": 0.1, "drop": 1},
    "project": "p",
    "entity": "someone",
    "reinit": True,
    "tags": ["a"],
    "group": "g",
    "name": "n",
    "notes": "text",
    "magic": False,
    "config_exclude_keys": ["drop"],
    "config_include_keys": None,
    "anonymous": "never",
    "mode": "offline",
    "allow_val_change": True,
    "resume": None,
    "force": False,
    "tensorboard": False,
    "sync_tensorboard": False,
    "monitor_gym": False,
    "save_code": False,
    "id": "kw1",
    "fork_from": None,
    "resume_from": None,
    "settings": {},
}
WANDB_LOG_KWARGS = ("data", "step", "commit", "sync")
WANDB_FINISH_KWARGS = ("exit_code", "quiet")


def test_init_has_every_keyword_of_wandb_init():
    params = inspect.signature(media.init).parameters
    assert set(WANDB_INIT_KWARGS) <= set(params)
    assert not any(p.kind is p.VAR_KEYWORD for p in params.values())


@pytest.mark.parametrize("fn", [media.log, media.Run.log, media.DisabledRun.log])
def test_log_has_every_keyword_of_wandb_log(fn):
    params = inspect.signature(fn).parameters
    assert set(WANDB_LOG_KWARGS) <= set(params)
    assert not any(p.kind is p.VAR_KEYWORD for p in params.values())


@pytest.mark.parametrize("fn", [media.finish, media.Run.finish, media.DisabledRun.finish])
def test_finish_has_every_keyword_of_wandb_finish(fn):
    params = inspect.signature(fn).parameters
    assert set(WANDB_FINISH_KWARGS) <= set(params)
    assert not any(p.kind is p.VAR_KEYWORD for p in params.values())


def test_wandbs_keyword_arguments_are_accepted(root):
    run = media.init(**{**WANDB_INIT_KWARGS, "dir": root})
    media.log(data={"a": 1}, step=0, commit=False, sync=False)
    run.log(data={"b": 2}, step=0, commit=True, sync=True)
    media.finish(exit_code=0, quiet=True)
    r = only_run(root)
    assert (r.id, r.project, r.name, r.group, r.job_type, r.notes, r.tags) == (
        "kw1", "p", "n", "g", "train", "text", ["a"]
    )
    assert r.config == {"lr": 0.1}  # config_exclude_keys still applies
    assert [(row["_step"], row["a"], row["b"]) for row in r.history()] == [(0, 1, 2)]
    assert r.status == "finished"


def test_run_finish_takes_wandbs_keywords(root):
    run = media.init(project="p")
    run.finish(exit_code=1, quiet=True)
    assert only_run(root).status == "failed"


def test_disabled_run_takes_wandbs_keywords(root):
    run = media.init(project="p", mode="disabled")
    run.log({"a": 1}, step=0, commit=True, sync=False)
    media.log({"a": 1}, sync=False)
    run.finish(exit_code=0, quiet=True)
    assert media.run is None


def test_init_refuses_an_unknown_keyword(root):
    with pytest.raises(TypeError, match=r"^init\(\) got an unexpected keyword argument 'projcet'$"):
        media.init(projcet="x")
    assert media.run is None
    assert not root.exists()  # nothing was written


def test_refused_init_keeps_the_active_run(root):
    run = media.init(project="p", config={"lr": 0.1})
    media.log({"a": 1})
    with pytest.raises(TypeError, match=r"init\(\) got an unexpected keyword argument 'projcet'"):
        media.init(projcet="x", project="q")
    assert media.run is run and media.config.lr == 0.1
    media.log({"a": 2})
    media.finish()
    r = only_run(root)  # no second run was started
    assert r.id == run.id and r.status == "finished"
    assert [row["a"] for row in r.history()] == [1, 2]


@pytest.mark.parametrize("via", ["module", "run"])
def test_log_refuses_an_unknown_keyword(root, via):
    run = media.init(project="p")
    log = media.log if via == "module" else run.log
    with pytest.raises(TypeError, match=r"log\(\) got an unexpected keyword argument 'stpe'"):
        log({"a": 1}, stpe=3)
    assert run.step == 0
    media.finish()
    assert list(only_run(root).history()) == []  # nothing of the refused call was logged


def test_disabled_run_log_refuses_an_unknown_keyword(root):
    run = media.init(project="p", mode="disabled")
    with pytest.raises(TypeError, match=r"log\(\) got an unexpected keyword argument 'stpe'"):
        run.log({"a": 1}, stpe=3)


@pytest.mark.parametrize("via", ["module", "run"])
def test_finish_refuses_an_unknown_keyword(root, via):
    run = media.init(project="p")
    finish = media.finish if via == "module" else run.finish
    with pytest.raises(TypeError, match=r"finish\(\) got an unexpected keyword argument 'exitcode'"):
        finish(exitcode=1)
    assert media.run is run  # still active: the refused call finished nothing
    media.log({"a": 1})
    media.finish()
    r = only_run(root)
    assert r.status == "finished" and [row["a"] for row in r.history()] == [1]
