"""Snippets from framework integrations (PyTorch Lightning's WandbLogger).

The wandb lines are copied verbatim (cited above each test; ``import wandb`` became
``import media as wandb``); the class around them and the data are stand-ins.
"""

from __future__ import annotations

import argparse
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Optional

import numpy as np
import pandas as pd
import soundfile

import media as wandb

from .conftest import items, one_run, png, rows, table


def rank_zero_only(fn):
    """Stand-in for lightning's rank_zero_only decorator (this process is rank 0)."""
    return fn


rank_zero_only.rank = 0


def _add_prefix(metrics, prefix, join_char):
    """Stand-in for lightning's _add_prefix."""
    return {f"{prefix}{join_char}{k}" if prefix else k: v for k, v in metrics.items()}


class _LightningWandbLogger:
    """Lightning's WandbLogger methods that call wandb, verbatim; the rest is a stand-in."""

    LOGGER_JOIN_CHAR = "-"

    def __init__(self, **wandb_init: Any) -> None:
        self._wandb_init = wandb_init
        self._prefix = ""
        # --- verbatim: WandbLogger.experiment (its next line, self._experiment._label(...),
        # calls a private wandb method mediaboard lacks: see README.md)
        self._experiment = wandb.init(**self._wandb_init)
        self._experiment.define_metric("trainer/global_step")
        self._experiment.define_metric("*", step_metric="trainer/global_step", step_sync=True)
        # ---

    @property
    def experiment(self):
        return self._experiment

    # --- verbatim: WandbLogger.log_hyperparams, log_metrics, log_table, log_image, log_audio,
    # log_video
    @rank_zero_only
    def log_hyperparams(self, params):  # type: ignore[override]
        self.experiment.config.update(params, allow_val_change=True)

    @rank_zero_only
    def log_metrics(self, metrics: Mapping[str, float], step: Optional[int] = None) -> None:  # noqa: UP045
        assert rank_zero_only.rank == 0, "experiment tried to log from global_rank != 0"

        metrics = _add_prefix(metrics, self._prefix, self.LOGGER_JOIN_CHAR)
        if step is not None:
            self.experiment.log(dict(metrics, **{"trainer/global_step": step}))
        else:
            self.experiment.log(metrics)

    @rank_zero_only
    def log_table(
        self,
        key: str,
        columns: Optional[list[str]] = None,  # noqa: UP045
        data: Optional[list[list[Any]]] = None,  # noqa: UP045
        dataframe: Any = None,
        step: Optional[int] = None,  # noqa: UP045
    ) -> None:
        """Log a Table containing any object type (text, image, audio, video, molecule, html, etc).

        Can be defined either with `columns` and `data` or with `dataframe`.

        """
        import media as wandb

        metrics = {key: wandb.Table(columns=columns, data=data, dataframe=dataframe)}
        self.log_metrics(metrics, step)

    @rank_zero_only
    def log_image(self, key: str, images: list[Any], step: Optional[int] = None, **kwargs: Any) -> None:  # noqa: UP045
        """Log images (tensors, numpy arrays, PIL Images or file paths).

        Optional kwargs are lists passed to each image (ex: caption, masks, boxes).

        """
        if not isinstance(images, list):
            raise TypeError(f'Expected a list as "images", found {type(images)}')
        n = len(images)
        for k, v in kwargs.items():
            if len(v) != n:
                raise ValueError(f"Expected {n} items but only found {len(v)} for {k}")
        kwarg_list = [{k: kwargs[k][i] for k in kwargs} for i in range(n)]

        import media as wandb

        metrics = {key: [wandb.Image(img, **kwarg) for img, kwarg in zip(images, kwarg_list)]}
        self.log_metrics(metrics, step)  # type: ignore[arg-type]

    @rank_zero_only
    def log_audio(self, key: str, audios: list[Any], step: Optional[int] = None, **kwargs: Any) -> None:  # noqa: UP045
        if not isinstance(audios, list):
            raise TypeError(f'Expected a list as "audios", found {type(audios)}')
        n = len(audios)
        for k, v in kwargs.items():
            if len(v) != n:
                raise ValueError(f"Expected {n} items but only found {len(v)} for {k}")
        kwarg_list = [{k: kwargs[k][i] for k in kwargs} for i in range(n)]

        import media as wandb

        metrics = {key: [wandb.Audio(audio, **kwarg) for audio, kwarg in zip(audios, kwarg_list)]}
        self.log_metrics(metrics, step)  # type: ignore[arg-type]

    @rank_zero_only
    def log_video(self, key: str, videos: list[Any], step: Optional[int] = None, **kwargs: Any) -> None:  # noqa: UP045
        if not isinstance(videos, list):
            raise TypeError(f'Expected a list as "videos", found {type(videos)}')
        n = len(videos)
        for k, v in kwargs.items():
            if len(v) != n:
                raise ValueError(f"Expected {n} items but only found {len(v)} for {k}")
        kwarg_list = [{k: kwargs[k][i] for k in kwargs} for i in range(n)]

        import media as wandb

        metrics = {key: [wandb.Video(video, **kwarg) for video, kwarg in zip(videos, kwarg_list)]}
        self.log_metrics(metrics, step)  # type: ignore[arg-type]
    # ---


# Lightning-AI/pytorch-lightning, src/lightning/pytorch/loggers/wandb.py @ 02a85b7ccdbb67f18192b3a976169cdfa675d1a9
# https://github.com/Lightning-AI/pytorch-lightning/blob/02a85b7ccdbb67f18192b3a976169cdfa675d1a9/src/lightning/pytorch/loggers/wandb.py
# (the source's type hints say List[...]; written list[...] here, as ruff's UP rules ask)
def test_lightning_metrics_and_hyperparams(run_root: Path) -> None:
    logger = _LightningWandbLogger(project="lit-mnist", name="run-a", tags=["baseline"])
    logger.log_hyperparams(argparse.Namespace(lr=0.02, batch_size=32))
    logger.log_hyperparams({"lr": 0.01})  # allow_val_change
    for global_step in (49, 99, 149):
        logger.log_metrics({"train_loss": 1.0 / global_step, "epoch": global_step // 100}, step=global_step)
    logger.log_metrics({"test_acc": 0.97})
    wandb.finish()

    run = one_run(run_root)
    assert run.config == {"lr": 0.01, "batch_size": 32} and run.meta["tags"] == ["baseline"]
    history = rows(run)
    assert [r.get("trainer/global_step") for r in history] == [49, 99, 149, None]
    assert [r["_step"] for r in history] == [0, 1, 2, 3]
    assert history[1]["train_loss"] == 1.0 / 99 and history[3]["test_acc"] == 0.97
    metrics = run.meta["metrics"]
    assert metrics["*"]["step_metric"] == "trainer/global_step" and "trainer/global_step" in metrics


# Lightning-AI/pytorch-lightning, src/lightning/pytorch/loggers/wandb.py @ 02a85b7ccdbb67f18192b3a976169cdfa675d1a9
def test_lightning_log_table_text_and_dataframe(run_root: Path) -> None:
    logger = _LightningWandbLogger(project="lit-text")
    columns = ["input", "label", "prediction"]
    data = [["the movie was great", "pos", "pos"], ["terrible acting", "neg", "pos"]]
    logger.log_table(key="samples", columns=columns, data=data)
    df = pd.DataFrame({"epoch": [0, 1], "val_acc": [0.5, 0.75]})
    logger.log_table(key="val_table", dataframe=df, step=10)
    wandb.finish()

    run = one_run(run_root)
    history = rows(run)
    t = table(run, history[0]["samples"])
    assert t["columns"] == columns and t["data"] == data
    assert history[1]["trainer/global_step"] == 10
    assert pd.read_json(run.resolve(history[1]["val_table"]["path"]), orient="split").equals(df)


# Lightning-AI/pytorch-lightning, src/lightning/pytorch/loggers/wandb.py @ 02a85b7ccdbb67f18192b3a976169cdfa675d1a9
def test_lightning_log_image_with_captions_and_masks(run_root: Path) -> None:
    logger = _LightningWandbLogger(project="lit-seg")
    rng = np.random.default_rng(3)
    images = [rng.integers(0, 255, (12, 16, 3), dtype=np.uint8) for _ in range(2)]
    masks = [{"predictions": {"mask_data": (np.arange(12 * 16).reshape(12, 16) % 3),
                              "class_labels": {0: "bg", 1: "road", 2: "car"}}}] * 2
    logger.log_image(key="samples", images=images, caption=["img 0", "img 1"], masks=masks, step=7)
    wandb.finish()

    run = one_run(run_root)
    (row,) = rows(run)
    assert row["trainer/global_step"] == 7
    stubs = items(row["samples"])
    assert [s["caption"] for s in stubs] == ["img 0", "img 1"]
    for stub, image in zip(stubs, images):
        assert np.array_equal(np.asarray(png(run, stub)), image)
    mask = stubs[0]["masks"]["predictions"]
    assert sorted(mask["ids"]) == [0, 1, 2]
    from PIL import Image
    decoded = np.asarray(Image.open(run.resolve(mask["path"])))
    assert np.array_equal(decoded, np.arange(12 * 16).reshape(12, 16) % 3)


# Lightning-AI/pytorch-lightning, src/lightning/pytorch/loggers/wandb.py @ 02a85b7ccdbb67f18192b3a976169cdfa675d1a9
def test_lightning_log_audio_and_video(run_root: Path) -> None:
    logger = _LightningWandbLogger(project="lit-av")
    t = np.linspace(0, 0.25, 4000, endpoint=False)
    tone = (0.5 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)
    logger.log_audio(key="audio", audios=[tone, tone[::-1]], caption=["a", "b"], sample_rate=[16000, 16000])
    frames = np.zeros((6, 3, 16, 16), dtype=np.uint8)
    frames[:, 0] = np.arange(6)[:, None, None] * 40
    logger.log_video(key="video", videos=[frames], fps=[3], format=["gif"])
    wandb.finish()

    run = one_run(run_root)
    history = rows(run)
    clips = items(history[0]["audio"])
    assert [c["caption"] for c in clips] == ["a", "b"]
    wav, sr = soundfile.read(run.resolve(clips[0]["path"]))
    assert sr == 16000 and len(wav) == 4000 and np.allclose(wav, tone, atol=1e-3)
    (video,) = items(history[1]["video"])
    assert video["_type"] == "video" and video["path"].endswith(".gif")
    from PIL import Image
    gif = Image.open(run.resolve(video["path"]))
    assert gif.n_frames == 6 and gif.size == (16, 16)
