"""Sweeps (media/_sweep.py): wandb's configurations checked, sampled by Optuna, run by agents.

What lands on disk is read back: the sweep folder's trial records, the runs' config and summary,
and the Optuna study itself.
"""

from __future__ import annotations

import collections
import json
import math
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import media
from media import _sweep
from media.runfolder import RunReader, list_runs
from media.sweepfolder import find_sweep, list_sweeps

optuna = pytest.importorskip("optuna")

LR = {"distribution": "log_uniform_values", "min": 1e-4, "max": 1e-1}


def _trials(root: Path, sweep_id: str) -> list[dict]:
    s = find_sweep(root, sweep_id)
    assert s is not None
    return s.trials()


def _runs_of(root: Path, sweep_id: str) -> list[RunReader]:
    return [r for r in list_runs(root) if (r.sweep or {}).get("id") == sweep_id]


# ---- the configuration ---------------------------------------------------------------------------
@pytest.mark.parametrize("config, words", [
    ({"method": "annealing", "parameters": {"x": {"values": [1]}}}, ["method", "annealing"]),
    ({"method": "random", "parameters": {"x": {"distribution": "beta", "min": 0, "max": 1}}},
     ["'x'", "unknown distribution 'beta'"]),
    ({"method": "random", "parameters": {"x": {"distribution": "uniform", "min": 0}}}, ["'x'", "max is missing"]),
    ({"method": "random", "parameters": {"lr": {"min": 0.5, "max": 0.1}}}, ["'lr'", "min must be <= max"]),
    ({"method": "grid", "parameters": {"lr": {"min": 0.1, "max": 0.5}}}, ["'lr'", "grid", "'uniform'"]),
    ({"method": "grid", "parameters": {"a": {"values": [1, 2]}, "lr": LR}}, ["'lr'", "log_uniform_values"]),
    ({"method": "bayes", "parameters": {"x": {"values": [1, 2]}}}, ["bayes", "metric"]),
    ({"method": "random", "parameters": {"x": {"values": [1, 2], "probabilities": [0.5, 0.6]}}},
     ["'x'", "add up to 1"]),
    ({"method": "random", "parameters": {"x": {"values": []}}}, ["'x'", "non-empty list"]),
    ({"method": "random", "parameters": {"x": {"distribution": "log_uniform_values", "min": 0, "max": 1}}},
     ["'x'", "min > 0"]),
    ({"method": "random", "parameters": {"x": {"distribution": "int_uniform", "min": 0.5, "max": 3}}},
     ["'x'", "min must be an int"]),
    ({"method": "random", "parameters": {"x": {"distribution": "normal", "sigma": 0}}}, ["'x'", "sigma"]),
    ({"method": "random", "parameters": {"x": {"valuez": [1]}}}, ["'x'", "unknown key", "'valuez'"]),
    ({"method": "random", "parameters": {"opt": {"parameters": {"lr": {"max": 1}}}}}, ["'opt.lr'"]),
    ({"method": "random", "parameters": {}}, ["parameters", "non-empty"]),
    ({"method": "random", "run_cap": 0, "parameters": {"x": {"values": [1]}}}, ["run_cap"]),
    ({"method": "random", "metric": {"name": "loss", "goal": "lowest"}, "parameters": {"x": {"values": [1]}}},
     ["metric.goal", "lowest"]),
    ({"method": "random", "metric": {"name": "l"}, "early_terminate": {"type": "hyperband"},
      "parameters": {"x": {"values": [1]}}}, ["min_iter or max_iter"]),
    ({"method": "random", "early_terminate": {"type": "hyperband", "min_iter": 1},
      "parameters": {"x": {"values": [1]}}}, ["early_terminate needs metric"]),
    ({"method": "random", "paramaters": {"x": {"values": [1]}}}, ["unknown key", "'paramaters'"]),
])
def test_bad_configs_are_errors_naming_the_key(root, config, words):
    with pytest.raises(media.MediaValueError) as info:
        media.sweep(config, project="p")
    message = str(info.value)
    for w in words:
        assert w in message, message
    assert not list_sweeps(root)  # nothing half-made is left


def test_a_missing_config_file_and_a_bad_type(root, tmp_path):
    with pytest.raises(media.MediaValueError, match="does not exist"):
        media.sweep(str(tmp_path / "nope.yaml"))
    with pytest.raises(media.MediaTypeError, match="sweep must be a dict"):
        media.sweep(42)


def _draw(param: dict, n: int, method: str = "random") -> list:
    spec = _sweep.parse({"method": method, "parameters": {"x": param}})
    study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=1))
    out = []
    for _ in range(n):
        t = study.ask()
        out.append(spec.params[0].suggest(t, method == "grid"))
        study.tell(t, 0.0)
    return out


@pytest.mark.parametrize("param, check", [
    ({"value": 7}, lambda v: v == 7),
    ({"values": ["a", "b"]}, lambda v: v in ("a", "b")),
    ({"values": [[1, 2], {"k": 3}]}, lambda v: v in ([1, 2], {"k": 3})),
    ({"min": 2, "max": 5}, lambda v: isinstance(v, int) and 2 <= v <= 5),
    ({"min": 0.5, "max": 1.5}, lambda v: isinstance(v, float) and 0.5 <= v <= 1.5),
    ({"distribution": "q_uniform", "min": 0, "max": 10, "q": 2},
     lambda v: isinstance(v, int) and v % 2 == 0 and 0 <= v <= 10),
    ({"distribution": "q_uniform", "min": 0.0, "max": 1.0, "q": 0.25},
     lambda v: abs(v / 0.25 - round(v / 0.25)) < 1e-9 and 0 <= v <= 1),
    ({"distribution": "log_uniform_values", "min": 1e-5, "max": 1e-1}, lambda v: 1e-5 <= v <= 1e-1),
    ({"distribution": "q_log_uniform_values", "min": 1, "max": 1024, "q": 1},
     lambda v: isinstance(v, int) and 1 <= v <= 1024),
    ({"distribution": "inv_log_uniform_values", "min": 1e-3, "max": 10}, lambda v: 1e-3 <= v <= 10 + 1e-9),
    ({"distribution": "log_uniform", "min": -5, "max": 0}, lambda v: math.exp(-5) <= v <= 1),
    ({"distribution": "q_log_uniform", "min": 0, "max": 5, "q": 1},
     lambda v: isinstance(v, int) and 1 <= v <= round(math.exp(5))),
    ({"distribution": "inv_log_uniform", "min": 0, "max": 5}, lambda v: math.exp(-5) <= v <= 1),
    ({"distribution": "normal", "mu": 3, "sigma": 0.5}, lambda v: isinstance(v, float)),
    ({"distribution": "q_normal", "mu": 10, "sigma": 3, "q": 2}, lambda v: v % 2 == 0),
    ({"distribution": "log_normal", "mu": 0, "sigma": 1}, lambda v: v > 0),
    ({"distribution": "q_log_normal", "mu": 2, "sigma": 0.5, "q": 1}, lambda v: isinstance(v, int) and v >= 0),
])
def test_every_distribution_respects_its_bounds_and_type(param, check):
    values = _draw(param, 150)
    bad = [v for v in values if not check(v)]
    assert not bad, bad[:5]
    if "values" in param:
        assert len({json.dumps(v) for v in values}) == len(param["values"])  # every value drawn


def test_distribution_shapes():
    normal = _draw({"distribution": "normal", "mu": 3, "sigma": 0.5}, 600)
    mean = sum(normal) / len(normal)
    sd = (sum((v - mean) ** 2 for v in normal) / len(normal)) ** 0.5
    assert abs(mean - 3) < 0.1 and abs(sd - 0.5) < 0.08
    logs = [math.log10(v) for v in _draw({"distribution": "log_uniform_values", "min": 1e-4, "max": 1}, 600)]
    below = sum(v < -2 for v in logs) / len(logs)  # half the decades -> about half the draws
    assert 0.4 < below < 0.6
    weighted = collections.Counter(_draw({"values": ["a", "b", "c"], "probabilities": [0.7, 0.2, 0.1]}, 1000))
    assert 0.64 < weighted["a"] / 1000 < 0.76 and 0.06 < weighted["c"] / 1000 < 0.14


# ---- agents in one process -----------------------------------------------------------------------
def _train(losses=lambda c: c.lr):
    def train():
        media.init(config={"lr": 1.0, "kept": "yes"})
        c = media.config
        for e in range(3):
            media.log({"loss": losses(c) * (3 - e)})
    return train


def test_grid_enumerates_exactly_its_product(root):
    config = {"method": "grid", "metric": {"name": "loss"}, "parameters": {
        "lr": {"values": [0.1, 0.01]}, "layers": {"distribution": "int_uniform", "min": 1, "max": 3},
        "opt": {"parameters": {"name": {"values": ["adam", "sgd"]}, "beta": {"value": 0.9}}},
    }}
    sid = media.sweep(config, project="grid")
    assert media.agent(sid, function=_train(), count=None) == 12
    trials = _trials(root, sid)
    combos = {(t["params"]["lr"], t["params"]["layers"], t["params"]["opt.name"]) for t in trials}
    assert len(trials) == 12 and len(combos) == 12
    assert combos == {(a, b, c) for a in (0.1, 0.01) for b in (1, 2, 3) for c in ("adam", "sgd")}
    runs = _runs_of(root, sid)
    assert len(runs) == 12
    for r in runs:  # the nested parameter lands nested, the constant too, init's own config kept
        assert r.config["opt"]["beta"] == 0.9 and r.config["opt"]["name"] in ("adam", "sgd")
        assert r.config["kept"] == "yes" and r.config["lr"] in (0.1, 0.01)
    assert media.agent(sid, function=_train()) == 0  # the grid is done


def test_trial_config_overrides_init_config_and_defaults_file(root, tmp_path):
    (tmp_path / "config-defaults.yaml").write_text("lr: 5.0\nbatch: 64\n")
    sid = media.sweep({"method": "random", "metric": {"name": "loss"}, "parameters": {"lr": LR}}, project="p")
    media.agent(sid, function=_train(), count=2)
    for r in _runs_of(root, sid):
        assert 1e-4 <= r.config["lr"] <= 1e-1 and r.config["batch"] == 64 and r.config["kept"] == "yes"
        assert r.sweep["id"] == sid and isinstance(r.sweep["trial"], int)
        t = [t for t in _trials(root, sid) if t["run_id"] == r.id][0]
        assert t["params"]["lr"] == r.config["lr"]
        assert t["value"] == pytest.approx(r.config["lr"] * 1)  # the summary's last loss
        assert t["state"] == "finished" and r.status == "finished"


def test_a_failing_trial_is_recorded_and_the_agent_goes_on(root):
    calls = []

    def train():
        calls.append(1)
        media.init()
        media.log({"loss": 1.0})
        if len(calls) == 2:
            raise RuntimeError("out of memory (simulated)")

    sid = media.sweep({"method": "random", "metric": {"name": "loss"}, "parameters": {"lr": LR}}, project="p")
    assert media.agent(sid, function=train, count=3) == 3
    states = [t["state"] for t in _trials(root, sid)]
    assert states == ["finished", "failed", "finished"]
    failed = _trials(root, sid)[1]
    assert "RuntimeError: out of memory (simulated)" == failed["error"]
    run = RunReader(root / "p" / failed["run_id"])
    assert run.status == "failed"
    assert "Traceback" in run.sweep["error"] and "out of memory" in run.sweep["error"]
    assert media.run is None  # nothing left active


def test_a_trial_without_the_metric_or_without_a_run(root):
    def no_metric():
        media.init()
        media.log({"acc": 0.5})

    def no_run():
        pass

    sid = media.sweep({"method": "random", "metric": {"name": "loss"}, "parameters": {"lr": LR}}, project="p")
    media.agent(sid, function=no_metric, count=1)
    media.agent(sid, function=no_run, count=1)
    t0, t1 = _trials(root, sid)
    assert t0["state"] == "no-metric" and t0["value"] is None
    assert t1["state"] == "failed" and "never called media.init()" in t1["error"]
    study = optuna.load_study(study_name=f"mediaboard-{sid}", storage=_sweep._storage(
        find_sweep(root, sid).path, None))
    assert [t.state.name for t in study.trials] == ["FAIL", "FAIL"]


def test_define_metric_summary_and_nested_metric_names(root):
    def train():
        run = media.init()
        run.define_metric("val/loss", summary="min")
        for v in (3.0, 1.0, 2.0):
            media.log({"val": {"loss": v}})

    sid = media.sweep({"method": "random", "metric": {"name": "val/loss", "goal": "minimize"},
                       "parameters": {"lr": LR}}, project="p")
    media.agent(sid, function=train, count=1)
    assert _trials(root, sid)[0]["value"] == 1.0
    assert _sweep.metric_value({"acc": {"max": 0.9, "last": 0.8}}, "acc", "maximize") == 0.9
    assert _sweep.metric_value({"acc": {"max": 0.9, "last": 0.8}}, "acc.last", "maximize") == 0.8


def test_bayes_finds_the_better_region_and_tells_optuna(root, monkeypatch):
    real = _sweep._sampler
    assert isinstance(real(_sweep.parse({"method": "bayes", "metric": {"name": "l"},
                                         "parameters": {"x": {"min": 0.0, "max": 1.0}}})),
                      optuna.samplers.TPESampler)
    # seeded, so the comparison below cannot fail by chance (unseeded it did, about 1 run in 10)
    monkeypatch.setattr(_sweep, "_sampler", lambda spec: optuna.samplers.TPESampler(seed=0)
                        if spec.method == "bayes" else real(spec))
    sid = media.sweep({"method": "bayes", "metric": {"name": "loss", "goal": "minimize"},
                       "parameters": {"x": {"min": -10.0, "max": 10.0}}}, project="p")

    def train():
        media.init()
        media.log({"loss": (media.config.x - 3) ** 2})

    media.agent(sid, function=train, count=30)
    trials = _trials(root, sid)
    assert len(trials) == 30 and all(-10 <= t["params"]["x"] <= 10 for t in trials)
    late = sorted(t["value"] for t in trials[15:])
    early = sorted(t["value"] for t in trials[:10])  # TPE's 10 random start-up trials
    assert late[len(late) // 2] < early[len(early) // 2]  # the median got better
    study = optuna.load_study(study_name=f"mediaboard-{sid}",
                              storage=_sweep._storage(find_sweep(root, sid).path, None))
    assert len(study.trials) == 30 and study.best_value == min(t["value"] for t in trials)


def test_hyperband_prunes_a_trial_that_reports_a_bad_metric_early(root):
    config = {"method": "random", "metric": {"name": "loss", "goal": "minimize"},
              "early_terminate": {"type": "hyperband", "min_iter": 1, "max_iter": 9, "eta": 3},
              "parameters": {"bad": {"values": [0]}}}
    sid = media.sweep(config, project="p")
    bad = {"on": False}
    seen = []

    def train():
        media.init()
        for i in range(9):
            try:
                media.log({"loss": (100.0 if bad["on"] else 1.0 / (i + 1))})
            except media.TrialPruned:
                seen.append(i)
                raise

    media.agent(sid, function=train, count=8)  # good trials fill every bracket's rungs
    bad["on"] = True
    media.agent(sid, function=train, count=6)
    trials = _trials(root, sid)
    assert all(t["state"] == "finished" for t in trials[:8])
    pruned = [t for t in trials[8:] if t["state"] == "pruned"]
    assert pruned and seen, [t["state"] for t in trials]
    # Optuna's hyperband puts each trial in one of 3 brackets, whose first rung is at report 1, 3
    # or 9: a bad trial of the first two is stopped early, one of the last at its 9th report
    assert any(t["pruned_at"] < 9 for t in pruned), [t["pruned_at"] for t in pruned]
    for t in pruned:  # the run ends at the log() call that was told to stop
        run = RunReader(root / "p" / t["run_id"])
        assert run.sweep["state"] == "pruned" and run.sweep["pruned_at"] == t["pruned_at"]
        assert len(list(run.history())) == t["pruned_at"] and run.status == "finished"
    study = optuna.load_study(study_name=f"mediaboard-{sid}",
                              storage=_sweep._storage(find_sweep(root, sid).path, None))
    assert sum(t.state.name == "PRUNED" for t in study.trials) == len(pruned)


def test_wandb_tutorial_sweep_runs_with_import_media_as_wandb(root):
    """The shape of the sweep code in wandb's quickstart and tutorials (written here in our own
    words): a config dict, wandb.sweep, a train function reading wandb.config, wandb.agent."""
    import media as wandb

    sweep_configuration = {
        "method": "random",
        "name": "sweep",
        "metric": {"goal": "maximize", "name": "val_acc"},
        "parameters": {
            "batch_size": {"values": [16, 32, 64]},
            "epochs": {"values": [5, 10, 15]},
            "lr": {"max": 0.1, "min": 0.0001},
        },
    }
    sweep_id = wandb.sweep(sweep=sweep_configuration, project="my-first-sweep")

    def main():
        run = wandb.init()
        assert run.sweep_id == sweep_id and media.init is wandb.init
        lr = wandb.config.lr
        bs = wandb.config.batch_size
        epochs = wandb.config.epochs
        for epoch in range(epochs):
            acc = 1 - 1 / (epoch + 2) - lr / 10 - bs / 1000
            wandb.log({"epoch": epoch, "val_acc": acc, "val_loss": 1 - acc})
        run.finish()

    wandb.agent(sweep_id, function=main, count=4)
    trials = _trials(root, sweep_id)
    assert [t["state"] for t in trials] == ["finished"] * 4
    for t in trials:
        assert t["params"]["batch_size"] in (16, 32, 64) and 0.0001 <= t["params"]["lr"] <= 0.1
        assert t["value"] == pytest.approx(1 - 1 / (t["params"]["epochs"] + 1) - t["params"]["lr"] / 10
                                           - t["params"]["batch_size"] / 1000)
    assert find_sweep(root, sweep_id).name == "sweep"


def test_sweep_from_yaml_and_agent_errors(root, tmp_path):
    (tmp_path / "sweep.yaml").write_text(textwrap.dedent("""
        method: grid
        metric: {name: loss, goal: minimize}
        parameters:
          lr:
            values: [0.1, 0.2]
    """))
    sid = media.sweep(str(tmp_path / "sweep.yaml"), project="y")
    s = find_sweep(root, sid)
    assert s.method == "grid" and s.run_cap == 2 and s.meta["grid_size"] == 2
    assert (s.path / "optuna.journal").is_file()
    with pytest.raises(media.MediaValueError, match="no sweep 'zzzz9999'"):
        media.agent("zzzz9999", function=_train())
    with pytest.raises(media.MediaValueError, match="'entity/project/id'"):
        media.agent("../../etc", function=_train())
    with pytest.raises(media.MediaValueError, match="1 to 64 characters"):
        media.agent("p/ETC!", function=_train())
    with pytest.raises(media.MediaTypeError, match="function must be callable"):
        media.agent(sid, function=42)
    assert media.agent(f"entity/y/{sid}", function=_train(), count=1) == 1  # wandb's full path form


# ---- several agents, several processes --------------------------------------------------------------
AGENT = textwrap.dedent("""
    import sys, time, media
    def train():
        media.init()
        time.sleep(0.25)  # a trial long enough that the other agent, starting a little later, takes part
        media.log({"loss": media.config.lr})
    storage = sys.argv[3] if len(sys.argv) > 3 and sys.argv[3] != "-" else None
    count = None if sys.argv[2] == "none" else int(sys.argv[2])
    media.agent(sys.argv[1], function=train, count=count, storage=storage)
""")


def _two_agents(root: Path, tmp_path: Path, sid: str, count: str, storage: str | None) -> None:
    script = tmp_path / "agent.py"
    script.write_text(AGENT)
    env = dict(os.environ, MEDIABOARD_DIR=str(root))
    procs = [subprocess.Popen([sys.executable, str(script), sid, count, storage or "-"], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(2)]
    for p in procs:
        out, err = p.communicate(timeout=300)
        assert p.returncode == 0, err.decode()[-2000:]


def _check_disjoint(root: Path, sid: str, total: int) -> None:
    trials = _trials(root, sid)
    assert len(trials) == total
    assert sorted(t["number"] for t in trials) == list(range(total))
    assert all(t["state"] == "finished" for t in trials)
    assert len({t["agent"] for t in trials}) == 2  # both agents took part
    runs = _runs_of(root, sid)
    assert len(runs) == total and len({r.id for r in runs}) == total


def test_run_cap_holds_across_two_agent_processes_on_the_journal(root, tmp_path):
    sid = media.sweep({"method": "random", "metric": {"name": "loss"}, "run_cap": 7,
                       "parameters": {"lr": LR}}, project="p")
    _two_agents(root, tmp_path, sid, "none", None)
    _check_disjoint(root, sid, 7)


def test_count_holds_per_agent_across_processes(root, tmp_path):
    sid = media.sweep({"method": "random", "metric": {"name": "loss"}, "parameters": {"lr": LR}}, project="p")
    _two_agents(root, tmp_path, sid, "3", None)
    _check_disjoint(root, sid, 6)


def test_grid_across_two_agent_processes_has_no_duplicates(root, tmp_path):
    sid = media.sweep({"method": "grid", "metric": {"name": "loss"},
                       "parameters": {"lr": {"values": [0.1, 0.2, 0.3, 0.4, 0.5]},
                                      "seed": {"values": [1, 2]}}}, project="p")
    _two_agents(root, tmp_path, sid, "none", None)
    _check_disjoint(root, sid, 10)
    assert len({(t["params"]["lr"], t["params"]["seed"]) for t in _trials(root, sid)}) == 10


def test_sqlite_storage_two_agents(root, tmp_path):
    url = f"sqlite:///{tmp_path / 'sweeps.db'}"
    sid = media.sweep({"method": "random", "metric": {"name": "loss"}, "run_cap": 6,
                       "parameters": {"lr": LR}}, project="p", storage=url)
    s = find_sweep(root, sid)
    assert s.meta["storage"] == url and not (s.path / "optuna.journal").exists()
    with pytest.raises(media.MediaValueError, match="pass storage="):
        media.agent(sid, function=_train())
    _two_agents(root, tmp_path, sid, "none", url)
    _check_disjoint(root, sid, 6)


def _postgres_url() -> str | None:
    url = os.environ.get("MEDIABOARD_TEST_POSTGRES")
    if not url:
        if os.environ.get("MEDIABOARD_REQUIRE_POSTGRES"):
            pytest.fail("MEDIABOARD_REQUIRE_POSTGRES is set but MEDIABOARD_TEST_POSTGRES is not")
        pytest.skip("no PostgreSQL: set MEDIABOARD_TEST_POSTGRES=postgresql://... (.ci/run starts one)")
    return url


def test_postgresql_storage_two_agents_and_a_second_machine(root, tmp_path):
    url = _postgres_url()
    sid = media.sweep({"method": "random", "metric": {"name": "loss"}, "run_cap": 6,
                       "parameters": {"lr": LR}}, project="pg", storage=url)
    s = find_sweep(root, sid)
    assert s.meta["storage"].startswith("postgresql") and ":" not in s.meta["storage"].split("@")[0][13:]
    _two_agents(root, tmp_path, sid, "none", url)
    _check_disjoint(root, sid, 6)
    # a machine that shares the database but not the folder: the sweep folder is made from the study
    other = tmp_path / "elsewhere"
    assert media.agent(sid, function=_train(), storage=url, dir=other, count=2) == 0  # the cap is reached
    assert find_sweep(other, sid) is not None


def test_postgresql_sweep_runs_new_trials_from_another_root(root, tmp_path):
    url = _postgres_url()
    sid = media.sweep({"method": "random", "metric": {"name": "loss"}, "parameters": {"lr": LR}},
                      project="pg2", storage=url)
    other = tmp_path / "elsewhere"
    assert media.agent(sid, function=_train(), storage=url, dir=other, count=2) == 2
    assert len(_trials(other, sid)) == 2 and len(_runs_of(other, sid)) == 2


# ---- the command line ----------------------------------------------------------------------------
PROGRAM = textwrap.dedent("""
    import argparse, media
    p = argparse.ArgumentParser()
    p.add_argument("--lr", type=float, default=1.0)
    p.add_argument("--opt", default="none")
    args = p.parse_args()
    run = media.init(config=vars(args))
    for i in range(9):
        loss = 100.0 if args.opt == "bad" else args.lr / (i + 1)
        media.log({"loss": loss})
    print("done", run.config["lr"], run.config["opt"])
""")


def _cli(*args: str, cwd: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "viewer.cli", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=300, env=env)


def test_cli_sweep_and_agent_run_the_program(root, tmp_path):
    (tmp_path / "train.py").write_text(PROGRAM)
    (tmp_path / "sweep.yaml").write_text(textwrap.dedent("""
        program: train.py
        method: random
        metric: {name: loss, goal: minimize}
        parameters:
          lr: {distribution: log_uniform_values, min: 0.001, max: 0.1}
          opt: {values: [adam, sgd]}
    """))
    env = dict(os.environ, MEDIABOARD_DIR=str(root))
    made = _cli("sweep", "sweep.yaml", "--project", "cli", cwd=tmp_path, env=env)
    assert made.returncode == 0, made.stderr
    sid = made.stdout.strip()
    assert find_sweep(root, sid) is not None
    ran = _cli("agent", sid, "--count", "2", cwd=tmp_path, env=env)
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout.count("done") == 2
    trials = _trials(root, sid)
    assert [t["state"] for t in trials] == ["finished", "finished"]
    for t in trials:
        run = RunReader(root / "cli" / t["run_id"])
        assert run.config["lr"] == pytest.approx(t["params"]["lr"]) and run.config["opt"] == t["params"]["opt"]
        assert t["value"] == pytest.approx(t["params"]["lr"] / 9)
        assert run.sweep == {"id": sid, "trial": t["number"]}
    # a command given after --, with ${args} appended by default; a bad id is exit code 2
    ran = _cli("agent", sid, "--count", "1", "--", sys.executable, "train.py", cwd=tmp_path, env=env)
    assert ran.returncode == 0, ran.stderr
    assert len(_trials(root, sid)) == 3
    bad = _cli("agent", "nope0000", cwd=tmp_path, env=env)
    assert bad.returncode != 0 and "no sweep 'nope0000'" in bad.stderr and "Traceback" not in bad.stderr
    bad = _cli("sweep", "missing.yaml", cwd=tmp_path, env=env)
    assert bad.returncode != 0 and "missing.yaml" in bad.stderr and "Traceback" not in bad.stderr


def test_cli_agent_prunes_a_program_and_marks_failures(root, tmp_path):
    (tmp_path / "train.py").write_text(PROGRAM)
    (tmp_path / "sweep.yaml").write_text(textwrap.dedent("""
        program: train.py
        method: grid
        metric: {name: loss, goal: minimize}
        early_terminate: {type: hyperband, min_iter: 1, max_iter: 9, eta: 3}
        parameters:
          opt: {values: [adam, bad]}
          lr: {values: [0.01, 0.02, 0.03, 0.04, 0.05, 0.06]}
    """))
    env = dict(os.environ, MEDIABOARD_DIR=str(root))
    sid = _cli("sweep", "sweep.yaml", "--project", "hb", cwd=tmp_path, env=env).stdout.strip()
    ran = _cli("agent", sid, cwd=tmp_path, env=env)
    assert ran.returncode == 0, ran.stderr
    trials = _trials(root, sid)
    assert len(trials) == 12
    assert trials[0]["state"] == "finished"  # the first of each bracket has nothing to lose to
    assert all(t["state"] in ("finished", "pruned") for t in trials)
    pruned = [t for t in trials if t["state"] == "pruned"]
    assert sum(t["params"]["opt"] == "bad" for t in pruned) >= 3, [(t["params"], t["state"]) for t in trials]
    for t in pruned:
        run = RunReader(root / "hb" / t["run_id"])
        assert run.status == "finished" and len(list(run.history())) == t["pruned_at"]
    # a program that fails: recorded, the agent goes on
    (tmp_path / "crash.py").write_text("import media\nmedia.init()\nraise SystemExit(3)\n")
    sid2 = media.sweep({"method": "random", "program": "crash.py", "metric": {"name": "loss"},
                        "parameters": {"lr": LR}}, project="hb")
    ran = _cli("agent", sid2, "--count", "2", cwd=tmp_path, env=env)
    assert ran.returncode == 0, ran.stderr
    assert [(t["state"], t["error"]) for t in _trials(root, sid2)] == \
        [("failed", "the program exited with code 3")] * 2
    # an agent whose first trials all fail stops (wandb's rule) instead of failing forever
    ran = _cli("agent", sid2, cwd=tmp_path, env=dict(env, MEDIABOARD_AGENT_MAX_INITIAL_FAILURES="3"))
    assert ran.returncode == 0 and "the first 3 trials of this agent failed" in ran.stderr
    assert len(_trials(root, sid2)) == 5


def test_expand_command_macros(tmp_path):
    config = {"lr": 0.1, "flag": True, "off": False, "layers": [1, 2]}
    argv, f = _sweep.expand_command(["${env}", "${interpreter}", "${program}", "${args}"], config, "t.py")
    assert argv == ["/usr/bin/env", sys.executable, "t.py", "--lr=0.1", "--flag=True", "--off=False",
                    "--layers=[1, 2]"] and f is None
    argv, _ = _sweep.expand_command(["run", "${args_no_hyphens}"], config, None)
    assert argv == ["run", "lr=0.1", "flag=True", "off=False", "layers=[1, 2]"]
    argv, _ = _sweep.expand_command(["run", "${args_no_boolean_flags}"], config, None)
    assert argv == ["run", "--lr=0.1", "--flag", "--layers=[1, 2]"]
    argv, _ = _sweep.expand_command(["run", "${args_json}"], config, None)
    assert json.loads(argv[1]) == config
    argv, f = _sweep.expand_command(["run", "${args_json_file}"], config, None)
    assert json.loads(Path(argv[1]).read_text()) == config
    os.unlink(f)
    with pytest.raises(media.MediaValueError, match="no program"):
        _sweep.expand_command(["${program}"], config, None)


def test_import_media_does_not_load_optuna():
    code = "import media, sys; media.init; assert 'optuna' not in sys.modules and 'media._sweep' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)


def test_an_interrupted_trial_is_recorded_failed_and_the_interrupt_goes_on(root):
    def train():
        media.init()
        media.log({"loss": 1.0})
        raise KeyboardInterrupt

    sid = media.sweep({"method": "random", "metric": {"name": "loss"}, "parameters": {"lr": LR}}, project="p")
    with pytest.raises(KeyboardInterrupt):
        media.agent(sid, function=train, count=3)
    (t,) = _trials(root, sid)
    assert t["state"] == "failed" and t["error"] == "interrupted (KeyboardInterrupt)"
    assert RunReader(root / "p" / t["run_id"]).status == "failed"
    study = optuna.load_study(study_name=f"mediaboard-{sid}",
                              storage=_sweep._storage(find_sweep(root, sid).path, None))
    assert [x.state.name for x in study.trials] == ["FAIL"]
    assert media.run is None


def test_a_project_named_like_a_sweep_folder(root):
    sid = media.sweep({"method": "random", "metric": {"name": "loss"}, "parameters": {"lr": LR}},
                      project="sweep-demo")
    assert media.agent(sid, function=_train(), count=1) == 1
    assert [s.id for s in list_sweeps(root)] == [sid]
    assert [s.id for s in list_sweeps(root / "sweep-demo")] == [sid]  # a project folder as the root


def test_a_trial_whose_agent_was_killed_is_recorded_failed_by_the_next_agent(root, tmp_path):
    sid = media.sweep({"method": "random", "metric": {"name": "loss"}, "run_cap": 3,
                       "parameters": {"lr": LR}}, project="p")
    script = tmp_path / "dies.py"
    script.write_text(textwrap.dedent("""
        import os, signal, sys, media
        def train():
            media.init()
            media.log({"loss": 1.0})
            os.kill(os.getpid(), signal.SIGKILL)  # the agent dies mid-trial
        media.agent(sys.argv[1], function=train, count=1)
    """))
    done = subprocess.run([sys.executable, str(script), sid], env=dict(os.environ, MEDIABOARD_DIR=str(root)),
                          capture_output=True, timeout=120)
    assert done.returncode == -9
    (t0,) = _trials(root, sid)
    assert t0["state"] == "running"  # left so by the killed agent
    assert media.agent(sid, function=_train()) == 2  # the cap of 3 holds: the dead trial counts
    t0, t1, t2 = _trials(root, sid)
    assert t0["state"] == "failed" and "died before the trial ended" in t0["error"]
    assert t1["state"] == t2["state"] == "finished"
    study = optuna.load_study(study_name=f"mediaboard-{sid}",
                              storage=_sweep._storage(find_sweep(root, sid).path, None))
    assert [t.state.name for t in study.trials][:3] == ["FAIL", "COMPLETE", "COMPLETE"]
    assert RunReader(root / "p" / t0["run_id"]).status == "crashed"


def test_api_sweep_reads_runs_best_run_and_state(root):
    sid = media.sweep({"method": "grid", "metric": {"name": "loss", "goal": "minimize"},
                       "parameters": {"lr": {"values": [0.3, 0.1, 0.2]}}}, project="api")
    media.agent(sid, function=_train())
    api = media.Api()
    for path in (sid, f"api/{sid}", f"ent/api/{sid}", f"ent/api/sweeps/{sid}"):
        s = api.sweep(path)
        assert s.id == sid and s.project == "api" and s.method == "grid"
    assert s.state == "FINISHED" and s.expected_run_count == 3
    assert [r.config["lr"] for r in s.runs] == [0.3, 0.1, 0.2]  # by trial number
    assert s.best_run().config["lr"] == 0.1
    assert s.best_run(order="-summary_metrics.loss").config["lr"] == 0.3
    assert s.config["parameters"]["lr"]["values"] == [0.3, 0.1, 0.2]
    with pytest.raises(media.MediaValueError, match="no sweep 'zzzzzzzz'"):
        api.sweep("zzzzzzzz")
    with pytest.raises(media.MediaValueError, match="expected 'entity/project/sweep_id'"):
        api.sweep("a/b/c/d/e")


def test_links_in_a_sweep_folder_are_not_followed(root, tmp_path):
    """A sweep folder is untrusted like a run: a link must not bring outside JSON into a site."""
    sid = media.sweep({"method": "random", "metric": {"name": "loss"}, "parameters": {"lr": LR}}, project="p")
    media.agent(sid, function=_train(), count=1)
    real = find_sweep(root, sid)
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.json").write_text(json.dumps({"number": 7, "state": "finished", "params": {"x": "secret"}}))
    (real.path / "trials" / "000007.json").symlink_to(outside / "secret.json")
    assert [t["number"] for t in real.trials()] == [0]
    assert any("000007.json" in p for p in real.problems)
    # a sweep folder or a project folder that is a link is not listed
    other = tmp_path / "elsewhere"
    (other / "q").mkdir(parents=True)
    import shutil
    shutil.copytree(real.path, other / "q" / "sweep-abcd1234")
    (root / "p" / "sweep-abcd1234").symlink_to(other / "q" / "sweep-abcd1234")
    (root / "linked").symlink_to(other / "q")
    assert [s.id for s in list_sweeps(root)] == [sid]
