"""media.watch(model): gradient and parameter histograms every log_freq batches under wandb's
key names, the module tree with log_graph=True, unwatch, and the hooks gone at finish."""

from __future__ import annotations

import json

import numpy as np
import pytest

import media
from media import runfolder as rf

torch = pytest.importorskip("torch")


def _net():
    torch.manual_seed(0)
    return torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.ReLU(), torch.nn.Linear(8, 2))


def _train(model, batches, log_every_step=True):
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    for _ in range(batches):
        x, y = torch.randn(16, 4), torch.randint(0, 2, (16,))
        loss = torch.nn.functional.cross_entropy(model(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        if log_every_step:
            media.log({"loss": float(loss)})


def test_watch_logs_histograms_every_log_freq_batches(tmp_path):
    run = media.init(project="p", dir=str(tmp_path), settings={"system_interval": 0})
    model = _net()
    media.watch(model, log="all", log_freq=2)
    _train(model, 4)
    media.finish()
    r = media.open_run(run.dir)
    rows = list(r.history())
    with_grads = [row["_step"] for row in rows if "gradients/0.weight" in row]
    with_params = [row["_step"] for row in rows if "parameters/2.bias" in row]
    assert with_grads == [1, 3] and with_params == [1, 3]  # the 2nd and 4th batch
    names = {k for row in rows for k in row if k.startswith(("gradients/", "parameters/"))}
    assert names == {f"{kind}/{p}" for kind in ("gradients", "parameters")
                     for p in ("0.weight", "0.bias", "2.weight", "2.bias")}
    # each histogram counts every element of its tensor
    (_, stub), = [(s, v) for s, v in r.media("gradients/0.weight") if s == 3]
    assert stub["_type"] == "histogram" and sum(stub["values"]) == 8 * 4
    assert len(stub["bins"]) == 65


def test_gradients_only_by_default_and_unwatch_stops(tmp_path):
    run = media.init(project="p", dir=str(tmp_path), settings={"system_interval": 0})
    model = _net()
    media.watch(model, log_freq=1)
    _train(model, 2)
    media.unwatch(model)
    _train(model, 2)
    media.finish()
    rows = list(media.open_run(run.dir).history())
    assert [("gradients/0.weight" in row, any(k.startswith("parameters/") for k in row)) for row in rows] == \
        [(True, False), (True, False), (False, False), (False, False)]


def test_finish_removes_the_hooks(tmp_path):
    media.init(project="p", dir=str(tmp_path), settings={"system_interval": 0})
    model = _net()
    media.watch(model, log="parameters", log_freq=1)
    media.finish()
    second = media.init(project="p", dir=str(tmp_path), settings={"system_interval": 0})
    _train(model, 2)  # the old run's hooks are gone: nothing reaches the new run
    media.finish()
    assert not any(k.startswith("parameters/") for row in media.open_run(second.dir).history() for k in row)


def test_log_graph_records_the_module_tree(tmp_path):
    run = media.init(project="p", dir=str(tmp_path), settings={"system_interval": 0})
    model = _net()
    model[0].weight.requires_grad_(False)
    run.watch(model, log=None, log_graph=True)  # run.watch, as Lightning's logger calls it
    media.finish()
    doc = json.loads((tmp_path / "p" / run.id / rf.MODEL_JSON).read_text())
    (m,) = media.open_run(run.dir).model()
    assert m == doc["models"][0]
    assert (m["type"], m["parameters"], m["trainable"]) == ("Sequential", 4 * 8 + 8 + 8 * 2 + 2, 8 + 8 * 2 + 2)
    assert [(x["name"], x["type"], x["count"]) for x in m["modules"]] == [
        ("(root)", "Sequential", 58), ("0", "Linear", 40), ("1", "ReLU", 0), ("2", "Linear", 18)]
    first = m["modules"][1]["params"]
    assert first[0] == {"name": "weight", "shape": [8, 4], "count": 32, "trainable": False}


def test_bad_arguments_are_named(tmp_path):
    media.init(project="p", dir=str(tmp_path), settings={"system_interval": 0})
    with pytest.raises(media.MediaTypeError, match=r"models\[0\]: expected a torch.nn.Module; got"):
        media.watch(np.zeros(3))
    with pytest.raises(media.MediaValueError, match=r"log must be 'gradients', 'parameters', 'all' or None"):
        media.watch(_net(), log="weights")
    with pytest.raises(media.MediaValueError, match=r"log_freq must be an int >= 1; got int \(0\)"):
        media.watch(_net(), log_freq=0)
    media.finish()
    with pytest.raises(media.RunStateError, match=r"no active run"):
        media.watch(_net())
