"""examples/sweep_demo.py end to end, small: a dataset artifact, a bayes sweep with hyperband whose
trials use the dataset and log their models, the alias best on the best trial's model, the site."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

import media
from media.sweepfolder import list_sweeps

pytest.importorskip("optuna")
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def test_sweep_demo_writes_sweep_artifacts_and_site(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    spec = importlib.util.spec_from_file_location("sweep_demo", EXAMPLES / "sweep_demo.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    assert mod.main(["--trials", "6", "--root", "runs", "--out", "site"]) == 0
    assert capsys.readouterr().out.strip().endswith("index.html")
    (sweep,) = list_sweeps(tmp_path / "runs")
    trials = sweep.trials()
    assert len(trials) == 6 and sweep.method == "bayes"
    assert all(t["state"] in ("finished", "pruned") for t in trials)
    best = min((t for t in trials if t["state"] == "finished"), key=lambda t: t["value"])
    api = media.Api(root=str(tmp_path / "runs"))
    model = api.artifact(f"sweep-demo/logreg-{best['run_id']}:best")
    weights = json.loads((Path(model.download(root=str(tmp_path / "dl"))) / "weights.json").read_text())
    assert len(weights) == 8
    data = api.artifact("sweep-demo/toy-data:latest")
    assert {r.id for r in data.used_by()} == {t["run_id"] for t in trials}  # every trial used the dataset
    site = tmp_path / "site"
    assert (site / "data" / "sweeps" / f"sweep-demo.sweep-{sweep.id}.js").is_file()
    assert (site / "index.html").is_file()
