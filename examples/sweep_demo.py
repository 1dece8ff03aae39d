"""A small hyperparameter sweep with datasets and models as artifacts, then the site.

    python examples/sweep_demo.py [--trials 16] [--root mediaboard-sweep] [--out mediaboard-sweep-site]

The tutorials' flow with ``import media as wandb``: a dataset is logged as an artifact, a bayes
sweep (Optuna's TPE, hyperband stopping bad trials early) trains a tiny numpy logistic regression
per trial on that dataset (``use_artifact``), each trial logs its model as an artifact and the
sweep's best run gets the alias ``best``. Prints the path of ``index.html``; the sweep page and
the Artifacts page are linked from the index. About 10 s.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import media as wandb  # noqa: E402

SWEEP = {
    "method": "bayes",
    "name": "logreg",
    "metric": {"name": "val/loss", "goal": "minimize"},
    "early_terminate": {"type": "hyperband", "min_iter": 2, "max_iter": 18, "eta": 3},
    "parameters": {
        "lr": {"distribution": "log_uniform_values", "min": 1e-3, "max": 3.0},
        "l2": {"distribution": "log_uniform_values", "min": 1e-5, "max": 1e-1},
        "batch_size": {"values": [16, 32, 64, 128]},
        "optimizer": {"values": ["sgd", "momentum"]},
    },
}
EPOCHS = 18


def make_dataset(root: str, project: str) -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(1200, 8))
    w = rng.normal(size=8)
    y = (x @ w + 0.5 * rng.normal(size=1200) > 0).astype(np.float64)
    run = wandb.init(project=project, dir=root, job_type="prepare-data", name="prepare-data")
    art = wandb.Artifact("toy-data", type="dataset", description="8 features, a noisy linear label",
                         metadata={"rows": 1200, "features": 8})
    with art.new_file("train.json") as f:
        json.dump({"x": x[:900].tolist(), "y": y[:900].tolist()}, f)
    with art.new_file("val.json") as f:
        json.dump({"x": x[900:].tolist(), "y": y[900:].tolist()}, f)
    run.log_artifact(art)
    run.finish()


def loss_of(w: np.ndarray, x: np.ndarray, y: np.ndarray) -> float:
    p = 1 / (1 + np.exp(-(x @ w)))
    return float(-np.mean(y * np.log(p + 1e-9) + (1 - y) * np.log(1 - p + 1e-9)))


def train() -> None:
    run = wandb.init(job_type="train")
    cfg = wandb.config
    folder = Path(run.use_artifact("toy-data:latest").download())
    tr = json.loads((folder / "train.json").read_text())
    va = json.loads((folder / "val.json").read_text())
    x, y = np.array(tr["x"]), np.array(tr["y"])
    xv, yv = np.array(va["x"]), np.array(va["y"])
    rng = np.random.default_rng(int(cfg.batch_size))
    w = np.zeros(x.shape[1])
    velocity = np.zeros_like(w)
    for epoch in range(EPOCHS):
        order = rng.permutation(len(x))
        for i in range(0, len(x), cfg.batch_size):
            b = order[i:i + cfg.batch_size]
            p = 1 / (1 + np.exp(-(x[b] @ w)))
            grad = x[b].T @ (p - y[b]) / len(b) + cfg.l2 * w
            velocity = 0.9 * velocity + grad if cfg.optimizer == "momentum" else grad
            w = w - cfg.lr * velocity
        acc = float(np.mean(((xv @ w) > 0) == yv))
        wandb.log({"epoch": epoch, "train/loss": loss_of(w, x, y), "val/loss": loss_of(w, xv, yv),
                   "val/acc": acc})
    model = wandb.Artifact(f"logreg-{run.id}", type="model", metadata={"val/acc": acc})
    with model.new_file("weights.json") as f:
        json.dump(w.tolist(), f)
    run.log_artifact(model)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=16)
    parser.add_argument("--root", default="mediaboard-sweep")
    parser.add_argument("--out", default="mediaboard-sweep-site")
    args = parser.parse_args(argv)
    project = "sweep-demo"
    make_dataset(args.root, project)
    sweep_id = wandb.sweep(SWEEP, project=project, dir=args.root)
    wandb.agent(sweep_id, function=train, count=args.trials, dir=args.root)
    # the best trial's model gets the alias "best", as a tutorial's last step does
    from media.sweepfolder import find_sweep

    sweep = find_sweep(args.root, sweep_id)
    assert sweep is not None
    done = [t for t in sweep.trials() if t["state"] == "finished" and t["value"] is not None]
    best = min(done, key=lambda t: t["value"])
    api = wandb.Api(root=args.root)
    model = api.artifact(f"{project}/logreg-{best['run_id']}:latest")
    model.aliases.append("best")
    model.save()
    print(f"sweep {sweep_id}: best trial {best['number']} (run {best['run_id']}), val/loss {best['value']:.4f}",
          file=sys.stderr)
    from viewer.cli import main as viewer_main

    return viewer_main(["build", args.root, "-o", args.out, "-q"])  # prints the path of index.html


if __name__ == "__main__":
    raise SystemExit(main())
