"""A table of bad inputs: each is refused with a MediaError that names the argument, says what was
expected and what was got; after each, the run still logs, and nothing logged before is lost."""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pytest

import media

SURROGATE = "file-\udcff.png"  # what os.fsdecode returns for a file name that is not UTF-8
HUGE = 10**5000


def _circular_list():
    x: list = [1]
    x.append(x)
    return x


def _circular_dict():
    d: dict = {"a": 1}
    d["self"] = d
    return d


#: (label, value) pairs that no place accepts
BAD_VALUES = [
    ("surrogate", lambda: SURROGATE),
    ("huge-int", lambda: HUGE),
    ("circular-list", _circular_list),
    ("object", lambda: object()),
    ("list-with-surrogate", lambda: [1, SURROGATE]),
    ("list-with-huge-int", lambda: [HUGE]),
    ("list-with-object", lambda: [object()]),
    ("complex", lambda: 1 + 2j),
    ("function", lambda: len),
    ("nested-surrogate", lambda: [[["x", SURROGATE]]]),
]

# where a bad value can be put, and the text the error must contain to name the argument
PLACES = {
    "log": (lambda run, v: media.log({"k": v}), "'k'"),
    "log-nested": (lambda run, v: media.log({"outer": {"k": v}}), "'outer/k'"),
    "log-pending": (lambda run, v: media.log({"k": v}, commit=False), "'k'"),
    "log-with-step": (lambda run, v: media.log({"k": v}, step=run.step + 3), "'k'"),
    "log-with-media": (lambda run, v: media.log({"k": v, "img": media.Image(np.zeros((4, 4), np.uint8))}), "'k'"),
    "config-item": (lambda run, v: media.config.__setitem__("k", v), "'k'"),
    "config-attr": (lambda run, v: setattr(media.config, "k", v), "'k'"),
    "config-update": (lambda run, v: media.config.update({"k": v, "fine": 2}), "'k'"),
    "summary-item": (lambda run, v: media.summary.__setitem__("k", v), "'k'"),
    "summary-attr": (lambda run, v: setattr(media.summary, "k", v), "'k'"),
    "summary-update": (lambda run, v: media.summary.update({"k": v}), "'k'"),
    "run-summary-attr": (lambda run, v: setattr(run.summary, "k", v), "'k'"),
}

# values a place accepts although they are in BAD_VALUES (none today)
ACCEPTED: set[tuple[str, str]] = set()


def _image(**kw):
    return media.Image(np.zeros((4, 4), np.uint8), **kw)


SPECIFIC = [
    # log(): data, keys, step, commit
    ("log-data-int", lambda run: media.log(5), "log()", "dict"),
    ("log-data-str", lambda run: media.log("loss"), "log()", "dict"),
    ("log-data-list", lambda run: media.log([("a", 1)]), "log()", "dict"),
    ("log-data-none", lambda run: media.log(None), "log()", "dict"),
    ("log-data-circular", lambda run: media.log(_circular_dict()), "log()", "expected"),
    ("log-key-int", lambda run: media.log({1: 2}), "key", "string keys"),
    ("log-key-none", lambda run: media.log({None: 2}), "key", "string keys"),
    ("log-key-tuple", lambda run: media.log({("a",): 2}), "key", "string keys"),
    ("log-key-nested-int", lambda run: media.log({"a": {2: 3}}), "'a'", "string keys"),
    ("log-key-surrogate", lambda run: media.log({SURROGATE: 1}), "key", "expected"),
    ("log-key-empty", lambda run: media.log({"": 1}), "key ''", "reserved"),
    *[(f"log-key-{k}", (lambda key: lambda run: media.log({key: 1}))(k), f"'{k}'", "reserved")
      for k in ("_step", "_timestamp", "_runtime", "_late", "_commit", "_pending", "_part")],
    ("log-step-str", lambda run: media.log({"a": 1}, step="3"), "step", "int"),
    ("log-step-float", lambda run: media.log({"a": 1}, step=1.5), "step", "int"),
    ("log-step-bool", lambda run: media.log({"a": 1}, step=True), "step", "int"),
    ("log-step-negative", lambda run: media.log({"a": 1}, step=-1), "step", ">= 0"),
    ("log-step-npfloat", lambda run: media.log({"a": 1}, step=np.float64(2.0)), "step", "int"),
    ("log-step-list", lambda run: media.log({"a": 1}, step=[1]), "step", "int"),
    ("log-commit-str", lambda run: media.log({"a": 1}, commit="yes"), "commit", "True, False or None"),
    ("log-commit-int", lambda run: media.log({"a": 1}, commit=1), "commit", "True, False or None"),
    ("log-commit-zero", lambda run: media.log({"a": 1}, commit=0), "commit", "True, False or None"),
    ("log-commit-strfalse", lambda run: media.log({"a": 1}, commit="false"), "commit", "True, False or None"),
    ("log-commit-list", lambda run: media.log({"a": 1}, commit=[]), "commit", "True, False or None"),
    ("log-bytes", lambda run: media.log({"k": b"raw"}), "'k'", "expected"),
    ("log-set", lambda run: media.log({"k": {1, 2}}), "'k'", "expected"),
    ("log-mixed-list", lambda run: media.log({"k": [_image(), 1]}), "'k'", "only media values"),
    ("log-np-object", lambda run: media.log({"k": np.array([object()])}), "'k'", "expected"),
    ("log-np-strings-surrogate", lambda run: media.log({"k": np.array([SURROGATE, "b"])}), "'k'", "expected"),
    # media values carrying what the format cannot hold
    ("image-caption-surrogate", lambda run: media.log({"img": _image(caption=SURROGATE)}), "caption", "Unicode"),
    ("image-caption-huge", lambda run: media.log({"img": _image(caption=HUGE)}), "caption", "4,300"),
    ("image-caption-object", lambda run: media.log({"img": _image(caption=object())}), "caption", "str"),
    ("image-list-caption", lambda run: media.log({"imgs": [_image(), _image(caption=SURROGATE)]}), "caption", "Unicode"),
    ("table-cell-surrogate", lambda run: media.log({"t": media.Table(columns=["a"], data=[[SURROGATE]])}), "'t'", "Unicode"),
    ("table-cell-huge", lambda run: media.log({"t": media.Table(columns=["a"], data=[[HUGE]])}), "'t'", "4,300"),
    ("table-column-surrogate", lambda run: media.log({"t": media.Table(columns=[SURROGATE], data=[[1]])}), "'t'", "Unicode"),
    ("table-in-list-surrogate", lambda run: media.log({"t": [media.Table(columns=["a"], data=[["x\udc80"]])]}), "'t'", "Unicode"),
    ("html-surrogate", lambda run: media.log({"h": media.Html("<p>\udcff</p>")}), "Html: data", "Unicode"),
    ("summary-media-surrogate", lambda run: media.summary.update({"img": _image(caption=SURROGATE)}), "caption", "Unicode"),
    ("summary-circular-dict", lambda run: media.summary.update({"k": _circular_dict()}), "'k", "expected"),
    ("summary-key-int", lambda run: media.summary.update({5: 1}), "key", "string keys"),
    ("summary-key-surrogate", lambda run: media.summary.update({SURROGATE: 1}), "key", "Unicode"),
    ("summary-media-table-huge", lambda run: media.summary.update({"t": media.Table(columns=["a"], data=[[HUGE]])}), "'t'", "4,300"),
    # config
    ("config-key-int", lambda run: media.config.update({5: 1}), "key", "string keys"),
    ("config-key-surrogate", lambda run: media.config.update({SURROGATE: 1}), "key", "Unicode"),
    ("config-update-int", lambda run: media.config.update(5), "config.update()", "dict"),
    ("config-update-str", lambda run: media.config.update("lr=1"), "config.update()", "dict"),
    ("config-media", lambda run: media.config.update({"img": _image()}), "'img'", "cannot go in the config"),
    ("config-circular-dict", lambda run: media.config.update({"k": _circular_dict()}), "'k'", "expected"),
    ("config-namespace-bad", lambda run: media.config.update(argparse.Namespace(k=object())), "'k'", "expected"),
    # run metadata
    *[(f"run-{field}-{label}", (lambda f, v: lambda run: setattr(run, f, v))(field, value), f"run.{field}", "expected")
      for field in ("name", "notes", "group", "job_type")
      for label, value in (("int", 5), ("list", ["a"]), ("surrogate", SURROGATE), ("nul", "a\x00b"))],
    ("run-tags-int", lambda run: setattr(run, "tags", 5), "run.tags", "list of strings"),
    ("run-tags-str", lambda run: setattr(run, "tags", "abc"), "run.tags", "list of strings"),
    ("run-tags-object", lambda run: setattr(run, "tags", [object()]), "run.tags[0]", "string"),
    ("run-tags-surrogate", lambda run: setattr(run, "tags", ["ok", SURROGATE]), "run.tags[1]", "Unicode"),
    ("run-tags-none-item", lambda run: setattr(run, "tags", [None]), "run.tags[0]", "string"),
    # define_metric
    ("define-metric-int", lambda run: media.define_metric(5), "name", "string"),
    ("define-metric-empty", lambda run: media.define_metric(""), "name", "non-empty"),
    ("define-metric-surrogate", lambda run: media.define_metric(SURROGATE), "name", "Unicode"),
    ("define-metric-step-object", lambda run: media.define_metric("m", step_metric=object()), "step_metric", "string"),
    ("define-metric-summary-bogus", lambda run: media.define_metric("m", summary="bogus"), "summary", "min"),
    ("define-metric-summary-int", lambda run: media.define_metric("m", summary=5), "summary", "string"),
    ("define-metric-goal", lambda run: media.define_metric("m", goal="up"), "goal", "minimize"),
    ("define-metric-hidden", lambda run: media.define_metric("m", hidden="yes"), "hidden", "bool"),
    # save
    ("save-int", lambda run: media.save(5), "glob_str", "str"),
    ("save-bytes", lambda run: media.save(b"x"), "glob_str", "str"),
    ("save-nul", lambda run: media.save("a\x00b"), "glob_str", "NUL"),
    ("save-surrogate", lambda run: media.save(SURROGATE), "glob_str", "Unicode"),
    ("save-policy", lambda run: media.save("*.txt", policy="sometimes"), "policy", "'live'"),
    ("save-base-path-int", lambda run: media.save("*.txt", base_path=5), "base_path", "folder"),
    # finish
    ("finish-exit-str", lambda run: media.finish(exit_code="x"), "exit_code", "int"),
    ("finish-exit-float", lambda run: media.finish(exit_code=1.5), "exit_code", "int"),
    ("finish-exit-list", lambda run: media.finish(exit_code=[]), "exit_code", "int"),
    ("finish-exit-bool", lambda run: media.finish(exit_code=True), "exit_code", "int"),
    # init (refused before the active run is touched)
    ("init-name-int", lambda run: media.init(project="bad", name=5), "name", "string"),
    ("init-notes-int", lambda run: media.init(project="bad", notes=5), "notes", "string"),
    ("init-group-list", lambda run: media.init(project="bad", group=["g"]), "group", "string"),
    ("init-job-type-object", lambda run: media.init(project="bad", job_type=object()), "job_type", "string"),
    ("init-tags-int", lambda run: media.init(project="bad", tags=5), "tags", "list of strings"),
    ("init-tags-str", lambda run: media.init(project="bad", tags="abc"), "tags", "list of strings"),
    ("init-tags-items", lambda run: media.init(project="bad", tags=[1, 2]), "tags", "list of strings"),
    ("init-resume-bogus", lambda run: media.init(project="bad", resume="bogus"), "resume", "'allow'"),
    ("init-resume-int", lambda run: media.init(project="bad", resume=5), "resume", "'allow'"),
    ("init-mode-bogus", lambda run: media.init(project="bad", mode="bogus"), "mode", "one of"),
    ("init-project-int", lambda run: media.init(project=5), "project", "string"),
    ("init-project-surrogate", lambda run: media.init(project=SURROGATE), "project", "Unicode"),
    ("init-dir-int", lambda run: media.init(project="bad", dir=5), "dir", "folder"),
    ("init-dir-nul", lambda run: media.init(project="bad", dir="a\x00b"), "dir", "NUL"),
    ("init-id-int", lambda run: media.init(project="bad", id=5), "id", "string"),
    ("init-id-empty", lambda run: media.init(project="bad", id=""), "id", "non-empty"),
    ("init-id-surrogate", lambda run: media.init(project="bad", id=SURROGATE), "id", "Unicode"),
    ("init-name-surrogate", lambda run: media.init(project="bad", name=SURROGATE), "name", "Unicode"),
    ("init-workers-zero", lambda run: media.init(project="bad", settings={"media_workers": 0}), "media_workers", ">= 1"),
    ("init-workers-str", lambda run: media.init(project="bad", settings={"media_workers": "many"}), "media_workers", "number"),
    ("init-queue-negative", lambda run: media.init(project="bad", settings={"media_queue_mb": -1}), "media_queue_mb", ">= 0"),
    ("init-queue-inf", lambda run: media.init(project="bad", settings={"media_queue_mb": float("inf")}), "media_queue_mb", "number"),
    ("init-workers-inf", lambda run: media.init(project="bad", settings={"media_workers": "inf"}), "media_workers", "number"),
    ("init-timeout-str", lambda run: media.init(project="bad", settings={"finish_timeout": "soon"}), "finish_timeout", "number"),
    ("init-config-circular", lambda run: media.init(project="bad", config={"k": _circular_dict()}), "'k'", "expected"),
    ("init-config-huge", lambda run: media.init(project="bad", config={"k": HUGE}), "'k'", "4,300"),
    ("init-config-int", lambda run: media.init(project="bad", config=5), "config", "dict"),
    ("init-config-missing-yaml", lambda run: media.init(project="bad", config="nope.yaml"), "config", "YAML"),
]

CASES = [
    (f"{place}:{label}", (lambda p, mk: lambda run: PLACES[p][0](run, mk()))(place, make), PLACES[place][1], "expected")
    for place in PLACES
    for label, make in BAD_VALUES
    if (place, label) not in ACCEPTED
] + SPECIFIC


def test_the_table_has_at_least_200_bad_inputs():
    assert len(CASES) >= 200, len(CASES)
    assert len({c[0] for c in CASES}) == len(CASES)


@pytest.mark.parametrize("label,call,names,expects", CASES, ids=[c[0] for c in CASES])
def test_bad_input_is_refused_clearly_and_nothing_is_lost(root, label, call, names, expects):
    run = media.init(project="p", config={"lr": 0.1}, tags=["t"], notes="n")
    media.log({"ok": 0, "img0": media.Image(np.full((4, 4), 7, np.uint8))})
    media.summary["best"] = 1.0
    with pytest.raises(media.MediaError) as info:
        call(run)
    message = str(info.value)
    assert names in message, message
    assert expects in message, message
    assert "got" in message or "reserved" in message or "exist" in message, message
    message.encode("utf-8")  # the message itself can be printed and written
    assert media.run is run  # the active run is still the one
    media.log({"ok": 1})
    media.config.update({"after": True})
    media.summary["after"] = 2
    media.finish()
    r = media.open_run(run.dir)
    rows = list(r.history())
    assert [row.get("ok") for row in rows if "ok" in row] == [0, 1]
    assert rows[0]["img0"]["_type"] == "image" and Path(r.resolve(rows[0]["img0"]["path"])).is_file()
    assert r.config["lr"] == 0.1 and r.config["after"] is True
    assert r.summary["best"] == 1.0 and r.summary["after"] == 2
    assert r.tags == ["t"] and r.notes == "n"
    assert r.status == "finished" and not r.meta.get("errors")
    assert not [p for p in Path(run.dir).rglob("*.tmp*")]
