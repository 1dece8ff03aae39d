"""media.integration.keras: the three callbacks on a tiny Dense model, on the CPU, in real run folders."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import media
from media import runfolder as rf

# Keras 3 fixes its backend at first import; torch is the one installed beside it here
os.environ.setdefault("KERAS_BACKEND", "torch")
keras = pytest.importorskip("keras")

from media.integration.keras import (  # noqa: E402
    WandbEvalCallback,
    WandbMetricsLogger,
    WandbModelCheckpoint,
)

N, BATCH, EPOCHS = 40, 10, 3  # 4 batches an epoch


def _data(seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(N, 4)).astype("float32")
    y = (x[:, 0] > 0).astype("int64")
    return x, y


def _model() -> object:
    keras.utils.set_random_seed(0)
    model = keras.Sequential(
        [
            keras.Input((4,)),
            keras.layers.Dense(8, activation="relu"),
            keras.layers.Dense(2, activation="softmax"),
        ]
    )
    model.compile(
        optimizer=keras.optimizers.Adam(1e-2),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    return model


def _fit(callbacks: list, validation: bool = True) -> None:
    x, y = _data()
    _model().fit(
        x,
        y,
        batch_size=BATCH,
        epochs=EPOCHS,
        verbose=0,
        callbacks=callbacks,
        validation_data=_data(1) if validation else None,
    )


def _rows(reader: rf.RunReader, key: str) -> list[dict]:
    return [r for r in reader.history() if key in r]


def _finish(run) -> rf.RunReader:
    media.finish()
    return media.open_run(run.dir)


def test_epoch_metrics_with_their_own_axis(root):
    run = media.init(project="k")
    _fit([WandbMetricsLogger()])
    reader = _finish(run)
    rows = _rows(reader, "epoch/loss")
    assert [r["epoch/epoch"] for r in rows] == [0, 1, 2]
    for r in rows:
        for k in ("epoch/loss", "epoch/accuracy", "epoch/val_loss", "epoch/val_accuracy"):
            assert isinstance(r[k], float), (k, r)
        assert r["epoch/learning_rate"] == pytest.approx(1e-2)
    assert not any(k.startswith("batch/") for k in reader.keys())
    metrics = reader.meta["metrics"]
    assert metrics["epoch/*"] == {"step_metric": "epoch/epoch"}
    assert "batch/*" not in metrics


@pytest.mark.parametrize(("log_freq", "per_epoch", "advance"), [("batch", 4, 1), (2, 2, 2)])
def test_batch_metrics_every_log_freq_batches(root, log_freq, per_epoch, advance):
    run = media.init(project="k")
    _fit([WandbMetricsLogger(log_freq=log_freq)], validation=False)
    reader = _finish(run)
    batch_rows = _rows(reader, "batch/loss")
    assert len(batch_rows) == per_epoch * EPOCHS
    assert [r["batch/batch_step"] for r in batch_rows] == list(
        range(0, per_epoch * EPOCHS * advance, advance)
    )
    assert all(
        isinstance(r["batch/loss"], float) and "batch/learning_rate" in r for r in batch_rows
    )
    assert len(_rows(reader, "epoch/loss")) == EPOCHS
    assert reader.meta["metrics"]["batch/*"] == {"step_metric": "batch/batch_step"}


def test_learning_rate_schedule_is_followed(root):
    run = media.init(project="k")
    x, y = _data()
    model = _model()
    schedule = keras.optimizers.schedules.ExponentialDecay(0.1, decay_steps=1, decay_rate=0.5)
    model.compile(optimizer=keras.optimizers.SGD(schedule), loss="sparse_categorical_crossentropy")
    model.fit(x, y, batch_size=BATCH, epochs=2, verbose=0, callbacks=[WandbMetricsLogger()])
    reader = _finish(run)
    lrs = [r["epoch/learning_rate"] for r in _rows(reader, "epoch/learning_rate")]
    assert lrs == pytest.approx([0.1 * 0.5**4, 0.1 * 0.5**8])


@pytest.mark.parametrize("bad", ["epochs", 0, 1.5, True])
def test_bad_log_freq_is_named(root, bad):
    media.init(project="k")
    with pytest.raises((TypeError, ValueError), match="log_freq"):
        WandbMetricsLogger(log_freq=bad)


def test_callbacks_need_a_run(root):
    with pytest.raises(media.errors.RunStateError, match="media.init"):
        WandbMetricsLogger()
    with pytest.raises(media.errors.RunStateError, match="media.init"):
        WandbModelCheckpoint("m.keras")


def test_checkpoint_lands_in_the_run_files(root, tmp_path):
    run = media.init(project="k")
    _fit(
        [
            WandbModelCheckpoint(
                str(tmp_path / "ckpt" / "model-{epoch:02d}.keras"), monitor="val_loss"
            )
        ]
    )
    reader = _finish(run)
    files = Path(run.dir) / rf.FILES_DIR
    for e in range(1, EPOCHS + 1):
        saved = files / f"model-{e:02d}.keras"
        assert saved.read_bytes() == (tmp_path / "ckpt" / saved.name).read_bytes()
    assert keras.saving.load_model(files / "model-03.keras").count_params() == 4 * 8 + 8 + 8 * 2 + 2
    assert reader.status == "finished"
    # and each checkpoint is a version of the run's model artifact, found by its epoch alias
    api = media.Api()
    for e in range(1, EPOCHS + 1):
        art = api.artifact(f"k/run_{run.id}_model:epoch_{e}")
        assert art.type == "model" and [f.path for f in art.files()] == [f"model-{e:02d}.keras"]
        got = Path(art.download(root=str(tmp_path / f"dl{e}"))) / f"model-{e:02d}.keras"
        assert got.read_bytes() == (tmp_path / "ckpt" / got.name).read_bytes()
    assert api.artifact(f"k/run_{run.id}_model:latest").aliases == ["epoch_3", "latest"]
    assert [a.qualified_name for a in api.run(f"k/{run.id}").logged_artifacts()] == [
        f"k/run_{run.id}_model:v{v}" for v in range(EPOCHS)]


def test_checkpoint_best_only_and_weights_only(root, tmp_path):
    run = media.init(project="k")
    path = tmp_path / "best.weights.h5"
    cb = WandbModelCheckpoint(
        str(path),
        monitor="loss",
        save_best_only=True,
        save_weights_only=True,
        mode="min",
        initial_value_threshold=-1.0,
    )  # no loss beats -1: never saved
    _fit([cb], validation=False)
    run_files = Path(run.dir) / rf.FILES_DIR
    assert not path.exists() and not (run_files / path.name).exists()
    cb2 = WandbModelCheckpoint(
        str(path), monitor="loss", save_best_only=True, save_weights_only=True
    )
    _fit([cb2], validation=False)
    _finish(run)
    assert (run_files / path.name).read_bytes() == path.read_bytes()


class _Preds(WandbEvalCallback):
    def __init__(self, x, y):
        super().__init__(["idx", "label"], ["epoch", "idx", "label", "pred"])
        self.x, self.y = x, y

    def add_ground_truth(self, logs=None):
        for i, label in enumerate(self.y):
            self.data_table.add_data(i, int(label))

    def add_model_predictions(self, epoch, logs=None):
        preds = self.model.predict(self.x, verbose=0).argmax(-1)
        ref = self.data_table_ref
        for i in ref.get_index():
            self.pred_table.add_data(epoch, i, ref.data[i][1], int(preds[i]))


def _table(reader: rf.RunReader, stub: dict) -> dict:
    return json.loads(reader.resolve(stub["path"]).read_text())


def test_eval_callback_logs_ground_truth_once_and_predictions_each_epoch(root):
    run = media.init(project="k")
    xv, yv = _data(1)
    xv, yv = xv[:6], yv[:6]
    _fit([_Preds(xv, yv), WandbMetricsLogger()])
    reader = _finish(run)
    ((_, data_stub),) = reader.media("val_data")
    data = _table(reader, data_stub)
    assert data["columns"] == ["idx", "label"] and data["data"] == [
        [i, int(v)] for i, v in enumerate(yv)
    ]
    preds = reader.media("eval_data")
    assert len(preds) == EPOCHS
    for epoch, (_, stub) in enumerate(preds):
        table = _table(reader, stub)
        assert table["columns"] == ["epoch", "idx", "label", "pred"]
        assert [r[:3] for r in table["data"]] == [[epoch, i, int(v)] for i, v in enumerate(yv)]
        assert all(r[3] in (0, 1) for r in table["data"])
    assert [r["epoch/epoch"] for r in _rows(reader, "epoch/loss")] == [0, 1, 2]


def test_eval_callback_is_abstract(root):
    media.init(project="k")
    with pytest.raises(TypeError):
        WandbEvalCallback(["a"], ["b"])  # type: ignore[abstract]


SEED_SCRIPT = """
import os
os.environ.setdefault("KERAS_BACKEND", "torch")
import numpy as np
import keras
import media as wandb
from media.keras import WandbMetricsLogger, WandbModelCheckpoint

run = wandb.init(project="seed")
x = np.random.default_rng(0).normal(size=(32, 4)).astype("float32")
y = (x[:, 0] > 0).astype("int64")
model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2, activation="softmax")])
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
model.fit(x, y, batch_size=8, epochs=2, verbose=0,
          callbacks=[WandbMetricsLogger(log_freq="batch"), WandbModelCheckpoint("model.keras", monitor="loss")])
wandb.finish()
print(run.dir)
"""


def test_seed_style_import_path(root, tmp_path):
    # a child process: the old import path, as a wandb script spells it, from a cold start
    script = tmp_path / "train.py"
    script.write_text(SEED_SCRIPT)
    env = dict(os.environ, PYTHONPATH=str(Path(media.__file__).resolve().parent.parent))
    out = subprocess.run(
        [sys.executable, str(script)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert out.returncode == 0, out.stderr
    reader = media.open_run(out.stdout.strip().splitlines()[-1])
    assert len(_rows(reader, "batch/loss")) == 8
    assert len(_rows(reader, "epoch/loss")) == 2
    assert (Path(reader.path) / rf.FILES_DIR / "model.keras").is_file()
    import media.integration.keras as mod
    import media.keras as alias

    assert alias.WandbMetricsLogger is mod.WandbMetricsLogger and set(alias.__all__) == set(
        mod.__all__
    )


def test_import_media_integration_does_not_import_keras():
    code = (
        "import sys, media, media.integration; "
        "assert not any(m == 'keras' or m.startswith('keras.') for m in sys.modules), 'keras'"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=120,
        env=dict(os.environ, PYTHONPATH=str(Path(media.__file__).resolve().parent.parent)),
    )
    assert out.returncode == 0, out.stderr
