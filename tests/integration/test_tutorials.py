"""The tutorials' two scripts, unchanged but for their data, run by `python -m media._shim`: a
PyTorch loop that calls wandb.watch(model) right after building the model, and a Keras fit with
the seed's `from wandb.keras import WandbMetricsLogger, WandbModelCheckpoint`. What lands in the
run folders is checked (the run page's sections are tested in tests/viewer/test_system_page.py)."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import media

REPO = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(importlib.util.find_spec("wandb") is not None,
                                reason="a real wandb is installed here (the shim refuses to shadow it)")


def _run(tmp_path: Path, code: str) -> None:
    script = tmp_path / "train.py"
    script.write_text(textwrap.dedent(code), encoding="utf-8")
    env = {**os.environ, "MEDIABOARD_DIR": str(tmp_path / "runs"), "PYTHONPATH": str(REPO),
           "KERAS_BACKEND": "torch", "MEDIABOARD_CONSOLE_LOG": "1"}
    env.pop("MEDIABOARD_AS_WANDB", None)
    done = subprocess.run([sys.executable, "-m", "media._shim", str(script)], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]


def test_pytorch_tutorial_with_watch(tmp_path):
    pytest.importorskip("torch")
    _run(tmp_path, """
        import torch
        import torch.nn as nn
        import wandb

        config = dict(epochs=2, batch_size=16, learning_rate=0.01)
        with wandb.init(project="pytorch-demo", config=config):
            config = wandb.config
            model = nn.Sequential(nn.Conv2d(1, 4, 3), nn.ReLU(), nn.Flatten(), nn.Linear(4 * 6 * 6, 10))
            wandb.watch(model, nn.CrossEntropyLoss(), log="all", log_freq=4)
            optimizer = torch.optim.Adam(model.parameters(), lr=config.learning_rate)
            example_ct = 0
            for epoch in range(config.epochs):
                for _ in range(4):
                    images, labels = torch.randn(config.batch_size, 1, 8, 8), torch.randint(0, 10, (config.batch_size,))
                    loss = nn.CrossEntropyLoss()(model(images), labels)
                    optimizer.zero_grad()
                    loss.backward()
                    optimizer.step()
                    example_ct += len(images)
                    wandb.log({"epoch": epoch, "loss": float(loss)}, step=example_ct)
                print(f"epoch {epoch} done")
    """)
    (run,) = media.list_runs(tmp_path / "runs")
    rows = list(run.history())
    assert len(rows) == 8 and run.config["learning_rate"] == 0.01 and run.status == "finished"
    grads = [r["_step"] for r in rows if "gradients/0.weight" in r]
    params = [r["_step"] for r in rows if "parameters/3.bias" in r]
    # every 4th batch; with log(step=...) a row stays open until a later step is logged, so the
    # histograms of batch 4 (made before its log(step=64)) join the open row, step 48, as in wandb
    assert grads == [48, 112] and params == [48, 112]
    console = run.console()
    assert [c["line"] for c in console if c["stream"] == "stdout"] == ["epoch 0 done", "epoch 1 done"]
    assert any("UserWarning" in c["line"] for c in console if c["stream"] == "stderr")  # torch's warning kept
    assert run.system() is not None and run.meta["environment"]["args"][0].endswith("train.py")


def test_keras_tutorial_with_the_seed_import_lines(tmp_path):
    pytest.importorskip("torch")
    os.environ.setdefault("KERAS_BACKEND", "torch")
    pytest.importorskip("keras")
    _run(tmp_path, """
        import numpy as np
        import keras
        import wandb
        from wandb.keras import WandbMetricsLogger, WandbModelCheckpoint

        run = wandb.init(project="keras-demo", config={"epochs": 3, "batch_size": 8})
        x, y = np.random.rand(64, 4).astype("float32"), np.random.randint(0, 2, 64)
        model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(8, activation="relu"), keras.layers.Dense(2)])
        model.compile(optimizer="adam", loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                      metrics=["accuracy"])
        model.fit(x, y, validation_split=0.25, epochs=wandb.config.epochs, batch_size=wandb.config.batch_size,
                  callbacks=[WandbMetricsLogger(log_freq=2), WandbModelCheckpoint("models.keras")], verbose=0)
        wandb.finish()
    """)
    (run,) = media.list_runs(tmp_path / "runs")
    rows = list(run.history())
    epochs = [r for r in rows if "epoch/loss" in r]
    assert [r["epoch/epoch"] for r in epochs] == [0, 1, 2] and all("epoch/val_loss" in r for r in epochs)
    assert any("batch/loss" in r for r in rows)
    assert (run.path / "files" / "models.keras").is_file() and run.status == "finished"
