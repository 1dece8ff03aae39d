"""Snippets from framework integrations (PyTorch Lightning's WandbLogger).

The wandb lines are copied verbatim (cited above each test; ``import wandb`` became
``import media as wandb``); the class around them and the data are stand-ins.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Optional

import numpy as np
import pandas as pd
import pytest
import soundfile

import media as wandb

from .conftest import column, items, one_run, png, rows, runs, table


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


# --- Hugging Face transformers: WandbCallback -------------------------------------------------
# huggingface/transformers (Apache-2.0), src/transformers/integrations/integration_utils.py
# @ 0101dc058f691005bbf071fe1857370360a14895


def rewrite_logs(d):
    # --- verbatim: rewrite_logs
    new_d = {}
    eval_prefix = "eval_"
    eval_prefix_len = len(eval_prefix)
    test_prefix = "test_"
    test_prefix_len = len(test_prefix)
    for k, v in d.items():
        if k.startswith(eval_prefix):
            new_d["eval/" + k[eval_prefix_len:]] = v
        elif k.startswith(test_prefix):
            new_d["test/" + k[test_prefix_len:]] = v
        else:
            new_d["train/" + k] = v
    return new_d
    # ---


class WandbConfigError(Exception):
    """Stand-in for ``wandb.sdk.lib.config_util.ConfigError`` (the source imports it: see README)."""


def is_torch_xla_available() -> bool:
    return False


class _TrainingArguments(argparse.Namespace):
    """Stand-in for transformers.TrainingArguments: attributes and to_dict()."""

    def to_dict(self) -> dict[str, Any]:
        return dict(vars(self))


class _TrainerState(argparse.Namespace):
    """Stand-in for transformers.TrainerState."""


class _Model:
    """Stand-in for a PreTrainedModel: .config.to_dict() and num_parameters()."""

    class _Config:
        def to_dict(self) -> dict[str, Any]:
            return {"model_type": "bert", "hidden_size": 32, "num_hidden_layers": 2}

    config = _Config()
    peft_config = None

    def num_parameters(self) -> int:
        return 4386


class _HFWandbCallback:
    """transformers' WandbCallback: the methods that call wandb, verbatim; the rest a stand-in."""

    def __init__(self) -> None:
        self._wandb = wandb
        self._initialized = False

    def setup(self, args, state, model, **kwargs):
        import logging

        logger = logging.getLogger("transformers")
        # --- verbatim: WandbCallback.setup, from after the ConfigError import (which needs
        # wandb.sdk: see README) to before the model-artifact block (WANDB_LOG_MODEL is "false")
        if state.is_world_process_zero:
            logger.info(
                'Automatic Weights & Biases logging enabled, to disable set os.environ["WANDB_DISABLED"] = "true"'
            )
            combined_dict = {**args.to_dict()}

            if hasattr(model, "config") and model.config is not None:
                model_config = model.config if isinstance(model.config, dict) else model.config.to_dict()
                combined_dict = {**model_config, **combined_dict}
            if hasattr(model, "peft_config") and model.peft_config is not None:
                peft_config = model.peft_config
                combined_dict = {**{"peft_config": peft_config}, **combined_dict}
            trial_name = state.trial_name
            init_args = {}
            if trial_name is not None:
                init_args["name"] = trial_name
                init_args["group"] = args.run_name
            elif args.run_name is not None:
                init_args["name"] = args.run_name
                if args.run_name == args.output_dir:
                    self._wandb.termwarn(
                        "The `run_name` is currently set to the same value as `TrainingArguments.output_dir`. If this was "
                        "not intended, please specify a different run name by setting the `TrainingArguments.run_name` parameter.",
                        repeat=False,
                    )

            if self._wandb.run is None:
                self._wandb.init(
                    project=os.getenv("WANDB_PROJECT", "huggingface"),
                    **init_args,
                )
            # add config parameters (run may have been created manually)
            self._wandb.config.update(combined_dict, allow_val_change=True)

            # define default x-axis (for latest wandb versions)
            if getattr(self._wandb, "define_metric", None):
                self._wandb.define_metric("train/global_step")
                self._wandb.define_metric("*", step_metric="train/global_step", step_sync=True)

            # keep track of model topology and gradients, unsupported on TPU
            _watch_model = os.getenv("WANDB_WATCH", "false")
            if not is_torch_xla_available() and _watch_model in ("all", "parameters", "gradients"):
                self._wandb.watch(model, log=_watch_model, log_freq=max(100, state.logging_steps))
            self._wandb.run._label(code="transformers_trainer")

            # add number of model parameters to wandb config
            try:
                self._wandb.config["model/num_parameters"] = model.num_parameters()
            except AttributeError:
                logger.info(
                    "Could not log the number of model parameters in Weights & Biases due to an AttributeError."
                )
            except WandbConfigError:
                logger.warning(
                    "A ConfigError was raised whilst setting the number of model parameters in Weights & Biases config."
                )
        # ---
        self._initialized = True

    # --- verbatim: WandbCallback.on_train_begin, on_log, on_predict
    def on_train_begin(self, args, state, control, model=None, **kwargs):
        if self._wandb is None:
            return
        hp_search = state.is_hyper_param_search
        if hp_search:
            self._wandb.finish()
            self._initialized = False
            args.run_name = None
        if not self._initialized:
            self.setup(args, state, model, **kwargs)

    def on_log(self, args, state, control, model=None, logs=None, **kwargs):
        single_value_scalars = [
            "train_runtime",
            "train_samples_per_second",
            "train_steps_per_second",
            "train_loss",
            "total_flos",
        ]

        if self._wandb is None:
            return
        if not self._initialized:
            self.setup(args, state, model)
        if state.is_world_process_zero:
            for k, v in logs.items():
                if k in single_value_scalars:
                    self._wandb.run.summary[k] = v
            non_scalar_logs = {k: v for k, v in logs.items() if k not in single_value_scalars}
            non_scalar_logs = rewrite_logs(non_scalar_logs)
            self._wandb.log({**non_scalar_logs, "train/global_step": state.global_step})

    def on_predict(self, args, state, control, metrics, **kwargs):
        if self._wandb is None:
            return
        if not self._initialized:
            self.setup(args, state, **kwargs)
        if state.is_world_process_zero:
            metrics = rewrite_logs(metrics)
            self._wandb.log(metrics)
    # ---


def _hf_args(**kw: Any) -> _TrainingArguments:
    base = {"output_dir": "out/bert-sst2", "run_name": "bert-sst2-lr3e-5", "learning_rate": 3e-5,
            "per_device_train_batch_size": 8, "num_train_epochs": 2, "logging_steps": 10}
    return _TrainingArguments(**{**base, **kw})


def _hf_state(**kw: Any) -> _TrainerState:
    base = {"is_world_process_zero": True, "trial_name": None, "global_step": 0, "logging_steps": 10,
            "is_hyper_param_search": False}
    return _TrainerState(**{**base, **kw})


# huggingface/transformers, src/transformers/integrations/integration_utils.py @ 0101dc058f691005bbf071fe1857370360a14895
# https://github.com/huggingface/transformers/blob/0101dc058f691005bbf071fe1857370360a14895/src/transformers/integrations/integration_utils.py
def test_transformers_wandb_callback_setup(run_root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WANDB_PROJECT", "sst2")
    callback, args, state = _HFWandbCallback(), _hf_args(), _hf_state()
    callback.on_train_begin(args, state, control=None, model=_Model())
    wandb.finish()

    run = one_run(run_root)
    assert (run.project, run.name) == ("sst2", "bert-sst2-lr3e-5")
    assert run.config == {"model_type": "bert", "hidden_size": 32, "num_hidden_layers": 2, **args.to_dict(),
                          "model/num_parameters": 4386}
    metrics = run.meta["metrics"]
    assert "train/global_step" in metrics and metrics["*"]["step_metric"] == "train/global_step"


# huggingface/transformers, src/transformers/integrations/integration_utils.py @ 0101dc058f691005bbf071fe1857370360a14895
def test_transformers_wandb_callback_on_log(run_root: Path) -> None:
    callback, args = _HFWandbCallback(), _hf_args()
    model = _Model()
    callback.on_train_begin(args, _hf_state(), control=None, model=model)
    logs = [(10, {"loss": 0.69, "grad_norm": 2.5, "learning_rate": 2.9e-5, "epoch": 0.5}),
            (20, {"eval_loss": 0.41, "eval_accuracy": 0.85, "eval_runtime": 1.2, "epoch": 1.0}),
            (40, {"train_runtime": 12.5, "train_samples_per_second": 51.2, "train_loss": 0.52,
                  "total_flos": 1.5e12, "epoch": 2.0})]
    for step, entry in logs:
        callback.on_log(args, _hf_state(global_step=step), control=None, model=model, logs=entry)
    wandb.finish()

    run = one_run(run_root)
    history = rows(run)
    assert [r["train/global_step"] for r in history] == [10, 20, 40]
    assert history[0]["train/loss"] == 0.69 and history[0]["train/learning_rate"] == 2.9e-5
    assert history[1]["eval/accuracy"] == 0.85 and "train/eval_loss" not in history[1]
    assert history[2] == {"train/epoch": 2.0, "train/global_step": 40, "_step": 2,
                          "_timestamp": history[2]["_timestamp"], "_runtime": history[2]["_runtime"]}
    assert run.summary["train_loss"] == 0.52 and run.summary["total_flos"] == 1.5e12
    assert run.summary["train_runtime"] == 12.5 and run.summary["eval/loss"] == 0.41


# huggingface/transformers, src/transformers/integrations/integration_utils.py @ 0101dc058f691005bbf071fe1857370360a14895
def test_transformers_wandb_callback_on_predict(run_root: Path) -> None:
    callback, args = _HFWandbCallback(), _hf_args(run_name="predict")
    callback.on_train_begin(args, _hf_state(), control=None, model=_Model())
    callback.on_predict(args, _hf_state(global_step=40), control=None,
                        metrics={"test_loss": 0.38, "test_accuracy": 0.88, "test_runtime": 0.9})
    wandb.finish()

    (row,) = rows(one_run(run_root))
    assert (row["test/loss"], row["test/accuracy"], row["test/runtime"]) == (0.38, 0.88, 0.9)


# huggingface/transformers, src/transformers/integrations/integration_utils.py @ 0101dc058f691005bbf071fe1857370360a14895
# (hyperparameter search: every trial finishes the run and starts one named by the trial, grouped
# by the original run_name... which on_train_begin has just set to None)
def test_transformers_wandb_callback_hp_search_trials(run_root: Path) -> None:
    callback, model = _HFWandbCallback(), _Model()
    for trial in range(3):
        args = _hf_args(learning_rate=10.0 ** -(trial + 3))
        state = _hf_state(trial_name=f"trial-{trial}", is_hyper_param_search=True)
        callback.on_train_begin(args, state, control=None, model=model)
        callback.on_log(args, _hf_state(global_step=5), control=None, model=model,
                        logs={"eval_loss": 1.0 / (trial + 1)})
    wandb.finish()

    found = runs(run_root)
    assert [r.name for r in found] == ["trial-0", "trial-1", "trial-2"]
    assert all(r.status == "finished" for r in found)
    assert [r.config["learning_rate"] for r in found] == [1e-3, 1e-4, 1e-5]
    assert [column(r, "eval/loss") for r in found] == [[1.0], [0.5], [1 / 3]]


# --- Hugging Face accelerate: WandBTracker ----------------------------------------------------
# huggingface/accelerate (Apache-2.0, the file's own header), src/accelerate/tracking.py
# @ b0d8fa95f4eebc359bf41b73cae91d2737cde338


def on_main_process(fn):
    """Stand-in for accelerate's on_main_process decorator (this process is the main one)."""
    return fn


class _AccelerateWandBTracker:
    """accelerate's WandBTracker, its methods verbatim (docstrings and logger lines left out)."""

    name = "wandb"
    requires_logging_directory = False
    main_process_only = False

    def __init__(self, run_name: str, **kwargs):
        self.run_name = run_name
        self.init_kwargs = kwargs

    # --- verbatim: start, tracker, store_init_configuration, log, log_images, log_table, finish
    @on_main_process
    def start(self):
        import media as wandb

        self.run = wandb.init(project=self.run_name, **self.init_kwargs)

    @property
    def tracker(self):
        return self.run

    @on_main_process
    def store_init_configuration(self, values: dict):
        import media as wandb

        if os.environ.get("WANDB_MODE") == "offline":
            # In offline mode, restart wandb with config included
            if hasattr(self, "run") and self.run:
                self.run.finish()

            init_kwargs = self.init_kwargs.copy()
            init_kwargs["config"] = values
            self.run = wandb.init(project=self.run_name, **init_kwargs)
        else:
            wandb.config.update(values, allow_val_change=True)

    @on_main_process
    def log(self, values: dict, step: Optional[int] = None, **kwargs):  # noqa: UP045
        self.run.log(values, step=step, **kwargs)

    @on_main_process
    def log_images(self, values: dict, step: Optional[int] = None, **kwargs):  # noqa: UP045
        import media as wandb

        for k, v in values.items():
            self.log({k: [wandb.Image(image) for image in v]}, step=step, **kwargs)

    @on_main_process
    def log_table(
        self,
        table_name: str,
        columns: list[str] = None,
        data: list[list[Any]] = None,
        dataframe: Any = None,
        step: Optional[int] = None,  # noqa: UP045
        **kwargs,
    ):
        import media as wandb

        values = {table_name: wandb.Table(columns=columns, data=data, dataframe=dataframe)}
        self.log(values, step=step, **kwargs)

    @on_main_process
    def finish(self):
        self.run.finish()
    # ---


# huggingface/accelerate, src/accelerate/tracking.py @ b0d8fa95f4eebc359bf41b73cae91d2737cde338
# https://github.com/huggingface/accelerate/blob/b0d8fa95f4eebc359bf41b73cae91d2737cde338/src/accelerate/tracking.py
def test_accelerate_tracker_config_and_log_with_step(run_root: Path) -> None:
    # as Accelerator.init_trackers("nlp_example", config, init_kwargs={"wandb": {...}}) calls it
    tracker = _AccelerateWandBTracker("nlp_example", name="glue-mrpc", tags=["accelerate"])
    tracker.start()
    tracker.store_init_configuration({"lr": 2e-5, "num_epochs": 3, "seed": 42, "batch_size": 16})
    for epoch in range(3):
        tracker.log({"accuracy": 0.7 + epoch / 10, "f1": 0.8 + epoch / 20, "train_loss": 0.6 - epoch / 10,
                     "epoch": epoch}, step=epoch * 115)
    tracker.finish()

    run = one_run(run_root)
    assert (run.project, run.name, run.meta["tags"]) == ("nlp_example", "glue-mrpc", ["accelerate"])
    assert run.config == {"lr": 2e-5, "num_epochs": 3, "seed": 42, "batch_size": 16}
    assert [r["_step"] for r in rows(run)] == [0, 115, 230]
    assert column(run, "accuracy") == [0.7 + epoch / 10 for epoch in range(3)]
    assert run.status == "finished"


# huggingface/accelerate, src/accelerate/tracking.py @ b0d8fa95f4eebc359bf41b73cae91d2737cde338
def test_accelerate_tracker_offline_restarts_with_config(run_root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WANDB_MODE", "offline")
    tracker = _AccelerateWandBTracker("offline_example")
    tracker.start()
    first = tracker.tracker
    tracker.store_init_configuration({"lr": 1e-3, "mixed_precision": "bf16"})
    tracker.log({"loss": 0.5}, step=1)
    tracker.finish()

    first_run, second_run = runs(run_root)
    assert first_run.id == first.id and first_run.status == "finished" and rows(first_run) == []
    assert second_run.config == {"lr": 1e-3, "mixed_precision": "bf16"}
    assert column(second_run, "loss") == [0.5] and rows(second_run)[0]["_step"] == 1


# huggingface/accelerate, src/accelerate/tracking.py @ b0d8fa95f4eebc359bf41b73cae91d2737cde338
def test_accelerate_tracker_log_images(run_root: Path) -> None:
    tracker = _AccelerateWandBTracker("diffusion")
    tracker.start()
    rng = np.random.default_rng(11)
    images = [rng.integers(0, 255, (16, 16, 3), dtype=np.uint8) for _ in range(3)]
    # as diffusers' training examples call it: accelerator.get_tracker("wandb").log_images(...)
    tracker.log_images({"validation": images}, step=500)
    tracker.finish()

    run = one_run(run_root)
    (row,) = rows(run)
    assert row["_step"] == 500
    stubs = items(row["validation"])
    assert len(stubs) == 3
    for stub, image in zip(stubs, images):
        assert np.array_equal(np.asarray(png(run, stub)), image)


# huggingface/accelerate, src/accelerate/tracking.py @ b0d8fa95f4eebc359bf41b73cae91d2737cde338
def test_accelerate_tracker_log_table(run_root: Path) -> None:
    tracker = _AccelerateWandBTracker("tables")
    tracker.start()
    tracker.log_table("generations", columns=["prompt", "completion"],
                      data=[["2+2=", "4"], ["capital of France", "Paris"]], step=3)
    df = pd.DataFrame({"step": [10, 20, 30], "reward": [0.1, 0.4, 0.45]})
    tracker.log_table("rewards", dataframe=df, step=4)
    tracker.finish()

    run = one_run(run_root)
    first, second = rows(run)
    t = table(run, first["generations"])
    assert t["columns"] == ["prompt", "completion"] and t["data"][1] == ["capital of France", "Paris"]
    assert (first["_step"], second["_step"]) == (3, 4)
    assert pd.read_json(run.resolve(second["rewards"]["path"]), orient="split").equals(df)


# --- skorch: WandbLogger ----------------------------------------------------------------------
# skorch-dev/skorch (BSD-3-Clause), skorch/callbacks/logging.py @ 570f84119227bdd7116b10d24467211f8a1bdc63


def filter_log_keys(keys, keys_ignored=None):
    """Stand-in for skorch's filter_log_keys: drop ignored keys, ``event_*`` and ``*_best``."""
    keys_ignored = keys_ignored or ()
    for key in keys:
        if not (key == "epoch" or key in keys_ignored or key.endswith("_best") or key.startswith("event_")):
            yield key


class _SkorchNet:
    """Stand-in for a skorch NeuralNet: a history of epoch rows and save_params()."""

    def __init__(self) -> None:
        self.history: list[dict[str, Any]] = []

    def save_params(self, f_params) -> None:
        np.save(f_params, np.arange(6.0))


class _SkorchWandbLogger:
    """skorch's WandbLogger, verbatim (its docstring and on_train_begin's watch() left out)."""

    # --- verbatim: __init__, initialize, on_epoch_end
    def __init__(
            self,
            wandb_run,
            save_model=True,
            keys_ignored=None,
    ):
        self.wandb_run = wandb_run
        self.save_model = save_model
        self.keys_ignored = keys_ignored

    def initialize(self):
        keys_ignored = self.keys_ignored
        if isinstance(keys_ignored, str):
            keys_ignored = [keys_ignored]
        self.keys_ignored_ = set(keys_ignored or [])
        self.keys_ignored_.add('batches')
        return self

    def on_epoch_end(self, net, **kwargs):
        """Log values from the last history step and save best model"""
        hist = net.history[-1]
        keys_kept = filter_log_keys(hist, keys_ignored=self.keys_ignored_)
        logged_vals = {k: hist[k] for k in keys_kept}
        self.wandb_run.log(logged_vals)

        # save best model
        if self.save_model and hist['valid_loss_best']:
            model_path = Path(self.wandb_run.dir) / 'best_model.pth'
            with model_path.open('wb') as model_file:
                net.save_params(f_params=model_file)
    # ---


def _skorch_fit(logger: _SkorchWandbLogger, net: _SkorchNet) -> None:
    logger.initialize()
    best = float("inf")
    for epoch, valid_loss in enumerate([0.9, 0.7, 0.8], start=1):
        net.history.append({"epoch": epoch, "train_loss": 1.0 / epoch, "valid_loss": valid_loss,
                            "valid_loss_best": valid_loss < best, "event_lr": 0.01, "dur": 0.25,
                            "batches": [{"train_loss": 1.0}]})
        best = min(best, valid_loss)
        logger.on_epoch_end(net)


# skorch-dev/skorch, skorch/callbacks/logging.py @ 570f84119227bdd7116b10d24467211f8a1bdc63
# https://github.com/skorch-dev/skorch/blob/570f84119227bdd7116b10d24467211f8a1bdc63/skorch/callbacks/logging.py
def test_skorch_wandb_logger_epochs(run_root: Path) -> None:
    # --- verbatim (the class docstring's example; "net.fit(X, y)" is _skorch_fit below)
    # Create a wandb Run
    wandb_run = wandb.init()
    # Log hyper-parameters (optional)
    wandb_run.config.update({"learning rate": 1e-3, "batch size": 32})
    # ---
    _skorch_fit(_SkorchWandbLogger(wandb_run, save_model=False), _SkorchNet())
    wandb.finish()

    run = one_run(run_root)
    assert run.config == {"learning rate": 1e-3, "batch size": 32}
    history = rows(run)
    assert [sorted(k for k in r if not k.startswith("_")) for r in history] == [
        ["dur", "train_loss", "valid_loss"]] * 3
    assert column(run, "valid_loss") == [0.9, 0.7, 0.8] and run.summary["train_loss"] == 1 / 3


# skorch-dev/skorch, skorch/callbacks/logging.py @ 570f84119227bdd7116b10d24467211f8a1bdc63
# (the best model is written into run.dir; wandb's run.dir is its files/ folder, uploaded and listed
# with the run's files. Here run.dir is the run folder itself, so the file is kept but not listed by
# run.files() nor shipped: see README, "fails")
def test_skorch_wandb_logger_saves_best_model_in_run_dir(run_root: Path) -> None:
    wandb_run = wandb.init(project="skorch")
    _skorch_fit(_SkorchWandbLogger(wandb_run), _SkorchNet())
    wandb.finish()

    run = one_run(run_root)
    saved = [p for p in run.path.rglob("best_model.pth")]
    assert len(saved) == 1, saved
    assert np.array_equal(np.load(saved[0]), np.arange(6.0))
