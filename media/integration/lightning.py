"""``media.integration.lightning``: a PyTorch Lightning logger that writes a mediaboard run.

``MediaboardLogger`` takes the arguments of Lightning's ``WandbLogger`` and is also exported as
``WandbLogger``, so code switches by its import line only::

    from media.integration.lightning import WandbLogger  # was: from lightning.pytorch.loggers import WandbLogger

    logger = WandbLogger(project="mnist", save_dir="runs", log_model=True)
    trainer = lightning.Trainer(logger=logger, max_epochs=2)
    logger.log_image("samples", [img0, img1], caption=["a", "b"])

Lightning is imported when this module is (``import media`` never imports it): the class derives
from Lightning's ``Logger``. Only rank zero writes; on other ranks ``experiment`` is Lightning's
dummy and every ``log_*`` call does nothing.

What differs from ``WandbLogger``: ``log_model`` logs each checkpoint as a version of the model
artifact ``model-<run id>`` (``checkpoint_name``; file ``model.ckpt``, alias ``best`` on the best)
and also copies it into the run's ``files/checkpoints/`` (``media.save``); the logger's
``use_artifact``/``download_artifact`` do not exist (the run's ``use_artifact`` does); ``finalize`` finishes the run (``"failed"``
with exit code 1), and a later ``trainer.test()`` on the same logger continues the same run.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from lightning.fabric.loggers.logger import rank_zero_experiment
from lightning.fabric.utilities.rank_zero import rank_zero_only
from lightning.pytorch.loggers.logger import Logger

import media
from media.errors import MediaError, MediaTypeError, MediaValueError, describe, warn

__all__ = ["MediaboardLogger", "WandbLogger"]

#: the key of Lightning's global step in each row (the viewer's x-axis through define_metric)
STEP_KEY = "trainer/global_step"
#: joins ``prefix`` and a metric name, as Lightning's loggers do
PREFIX_JOIN = "-"


def _rank() -> int:
    """This process's global rank, as Lightning set it (0 outside distributed training)."""
    return int(getattr(rank_zero_only, "rank", 0) or 0)


def _flatten_params(params: Any, prefix: str = "", out: dict[str, Any] | None = None) -> dict[str, Any]:
    """``params`` (dict or argparse.Namespace, nested) as one level of ``"a/b"`` keys."""
    out = {} if out is None else out
    if isinstance(params, argparse.Namespace):
        params = vars(params)
    for key, value in params.items():
        name = f"{prefix}{key}"
        if isinstance(value, (Mapping, argparse.Namespace)) and value:
            _flatten_params(value, f"{name}/", out)
        else:
            out[name] = value
    return out


def _storable(value: Any) -> Any:
    """A hyperparameter as a config value: callables by their name, values the config cannot
    store (a module, a dtype) by their ``str``, so one odd hyperparameter never stops training."""
    if callable(value) and not isinstance(value, type):
        return getattr(value, "__name__", None) or str(value)
    if isinstance(value, type):
        return f"{value.__module__}.{value.__qualname__}"
    from media._config import to_jsonable

    try:
        to_jsonable(value, where="hyperparameter")
    except (MediaError, RecursionError):
        return str(value)
    return value


class MediaboardLogger(Logger):
    """Lightning's ``WandbLogger``, writing a run folder with ``media.init`` instead of wandb.

    Arguments are ``WandbLogger``'s: ``name`` (the run's name), ``save_dir`` / ``dir`` (the run
    root, ``<save_dir>/<project>/<id>/``), ``version`` / ``id`` (the run id, to resume one),
    ``offline`` and ``anonymous`` (accepted; there is no server), ``project``, ``log_model``
    (``True``: the best and last checkpoints are logged as versions of the model artifact and
    copied into ``files/checkpoints/`` when training ends; ``"all"``: every checkpoint as it is
    written), ``experiment`` (a run to log to instead of starting one), ``prefix`` (put before
    every metric name with ``-``), ``checkpoint_name`` (the artifact's name, default
    ``model-<run id>``); other keywords go to ``media.init`` (``config=``,
    ``tags=``, ``group=``, ``notes=``, ``resume=`` ...).

    Example::

        logger = MediaboardLogger(project="mnist", save_dir="runs")
        trainer = lightning.Trainer(logger=logger)
    """

    LOGGER_JOIN_CHAR = PREFIX_JOIN

    def __init__(
        self,
        name: str | None = None,
        save_dir: str | os.PathLike[str] = ".",
        version: str | None = None,
        offline: bool = False,
        dir: str | os.PathLike[str] | None = None,  # noqa: A002 - WandbLogger's name
        id: str | None = None,  # noqa: A002 - WandbLogger's name
        anonymous: bool | None = None,
        project: str | None = None,
        log_model: bool | str = False,
        experiment: Any = None,
        prefix: str = "",
        checkpoint_name: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__()
        del offline, anonymous  # no server (see the module docstring)
        if checkpoint_name is not None:
            from media.artifactstore import check_name

            check_name(checkpoint_name, where="MediaboardLogger: checkpoint_name")
        self._checkpoint_name = checkpoint_name
        if log_model not in (True, False, "all"):
            raise MediaValueError(
                f"MediaboardLogger: log_model must be True, False or 'all'; got {describe(log_model)}."
            )
        # WandbLogger: dir wins over save_dir when save_dir is left at its default
        if dir is not None and os.fspath(save_dir) == ".":
            save_dir = dir
        self._save_dir = os.fspath(save_dir)
        self._project = project or os.environ.get("MEDIABOARD_PROJECT") or os.environ.get(
            "WANDB_PROJECT") or "lightning_logs"
        self._name = name
        self._id = version or id
        self._log_model = log_model
        self._prefix = prefix
        self._init_kwargs = kwargs
        self._experiment: Any = experiment
        self._owns_run = False  # only a run this logger started is finished by finalize()
        self._checkpoint_callback: Any = None
        self._saved_checkpoints: set[str] = set()

    # -- what Lightning asks of a logger -------------------------------------------------------------
    @property
    def name(self) -> str:
        """The project, as ``WandbLogger.name`` (checkpoints go to ``save_dir/name/version``)."""
        return self._project

    @property
    def version(self) -> str | None:
        """The run's id (known once the run is started, or given as ``version``/``id``)."""
        if self._experiment is not None and getattr(self._experiment, "id", None):
            return str(self._experiment.id)
        return self._id

    @property
    def save_dir(self) -> str:
        """The run root: the run is ``<save_dir>/<project>/<id>/``."""
        return self._save_dir

    @property
    def root_dir(self) -> str:
        return self._save_dir

    @property  # type: ignore[misc]
    @rank_zero_experiment
    def experiment(self) -> Any:
        """The ``media`` Run, started by ``media.init`` on first use (on rank zero only).

        An active run (``media.run``) is used as it is, as WandbLogger uses ``wandb.run``.
        """
        if self._experiment is None:
            self._experiment = self._start()
        return self._experiment

    def _start(self) -> Any:
        if media.run is not None and self._id in (None, media.run.id):
            warn("MediaboardLogger: a run is already active (media.run); logging to it. Call "
                 "media.finish() first to start a new run for this logger.")
            run = media.run
        else:
            kwargs: dict[str, Any] = dict(self._init_kwargs)
            if self._id is not None:
                kwargs.setdefault("resume", "allow")
            run = media.init(project=self._project, name=self._name, id=self._id,
                             dir=self._save_dir, **kwargs)
            self._owns_run = True
        if self._id is None:
            self._id = str(run.id)
        # rows are logged without a step (media counts them); the x-axis is Lightning's step
        run.define_metric(STEP_KEY)
        run.define_metric("*", step_metric=STEP_KEY, step_sync=True)
        return run

    @rank_zero_only
    def log_hyperparams(self, params: Any, *args: Any, **kwargs: Any) -> None:  # type: ignore[override]
        """Hyperparameters (a dict or argparse.Namespace) into ``run.config``, nested keys flattened
        to ``"a/b"``; callables are kept by name and values the config cannot store as ``str``."""
        if params is None:
            return
        if not isinstance(params, (Mapping, argparse.Namespace)):
            raise MediaTypeError(
                f"MediaboardLogger.log_hyperparams(): expected a dict or argparse.Namespace; got "
                f"{describe(params)}."
            )
        flat = {k: _storable(v) for k, v in _flatten_params(params).items()}
        self.experiment.config.update(flat, allow_val_change=True)

    @rank_zero_only
    def log_metrics(self, metrics: Mapping[str, Any], step: int | None = None) -> None:  # type: ignore[override]
        """One row of ``metrics``; with a ``step`` (Lightning's global step) the row also holds it
        as ``trainer/global_step``: the run's own step keeps counting rows, since Lightning logs
        several rows (training, validation) at one global step."""
        if self._prefix:
            metrics = {f"{self._prefix}{PREFIX_JOIN}{k}": v for k, v in metrics.items()}
        row = dict(metrics)
        if step is not None:
            row[STEP_KEY] = step
        self.experiment.log(row)

    # -- WandbLogger's extra logging methods -----------------------------------------------------------
    @rank_zero_only
    def log_table(self, key: str, columns: Sequence[str] | None = None, data: Any = None,
                  dataframe: Any = None, step: int | None = None) -> None:
        """A ``media.Table`` under ``key`` (``columns`` + ``data`` rows, or a pandas ``dataframe``)."""
        self.log_metrics({key: media.Table(columns=columns, data=data, dataframe=dataframe)}, step)

    @rank_zero_only
    def log_text(self, key: str, columns: Sequence[str] | None = None, data: Any = None,
                 dataframe: Any = None, step: int | None = None) -> None:
        """Text as a table, as ``WandbLogger.log_text`` does."""
        self.log_table(key, columns, data, dataframe, step)

    @rank_zero_only
    def log_image(self, key: str, images: Sequence[Any], step: int | None = None, **kwargs: Any) -> None:
        """A list of images under ``key``; each keyword is a list with one value per image
        (``caption=["a", "b"]``, ``masks=[...]``) passed to ``media.Image``."""
        self._log_media(key, images, media.Image, step, kwargs)

    @rank_zero_only
    def log_audio(self, key: str, audios: Sequence[Any], step: int | None = None, **kwargs: Any) -> None:
        """A list of sounds under ``key`` (``sample_rate=[...]``, ``caption=[...]``)."""
        self._log_media(key, audios, media.Audio, step, kwargs)

    @rank_zero_only
    def log_video(self, key: str, videos: Sequence[Any], step: int | None = None, **kwargs: Any) -> None:
        """A list of videos under ``key`` (``fps=[...]``, ``format=[...]``, ``caption=[...]``)."""
        self._log_media(key, videos, media.Video, step, kwargs)

    def _log_media(self, key: str, values: Sequence[Any], kind: Any, step: int | None,
                   kwargs: dict[str, Any]) -> None:
        what = f"MediaboardLogger.log_{kind.__name__.lower()}()"
        if not isinstance(values, (list, tuple)):
            raise MediaTypeError(f"{what}: expected a list of values for {key!r}; got {describe(values)}.")
        n = len(values)
        for name, per_value in kwargs.items():
            if not isinstance(per_value, (list, tuple)) or len(per_value) != n:
                raise MediaValueError(
                    f"{what}: {name}= must be a list with one entry per value ({n}); got "
                    f"{describe(per_value)}."
                )
        logged = [kind(v, **{name: kwargs[name][i] for name in kwargs}) for i, v in enumerate(values)]
        self.log_metrics({key: logged}, step)

    # -- models and checkpoints ---------------------------------------------------------------------
    def watch(self, model: Any, log: str | None = "gradients", log_freq: int = 100,
              log_graph: bool = True) -> None:
        """``media.watch`` on the run: gradient/parameter histograms every ``log_freq`` batches."""
        if _rank() == 0:
            self.experiment.watch(model, log=log, log_freq=log_freq, log_graph=log_graph)

    def after_save_checkpoint(self, checkpoint_callback: Any) -> None:
        """With ``log_model="all"`` (or ``save_top_k=-1``) copy each checkpoint into the run as it is
        written; with ``log_model=True`` remember the callback and copy the best and last at the end."""
        if not self._log_model or _rank() != 0:
            return
        if self._log_model == "all" or getattr(checkpoint_callback, "save_top_k", None) == -1:
            self._save_checkpoints(checkpoint_callback)
        else:
            self._checkpoint_callback = checkpoint_callback

    def _save_checkpoints(self, callback: Any) -> None:
        paths = [getattr(callback, "last_model_path", ""), getattr(callback, "best_model_path", "")]
        paths += list(getattr(callback, "best_k_models", {}) or {})
        run = self.experiment
        best = getattr(callback, "best_model_path", "")
        found = [Path(p) for p in dict.fromkeys(str(p) for p in paths if p) if Path(p).is_file()]
        for path in sorted(found, key=lambda q: q.stat().st_mtime_ns):  # oldest first: latest is the newest
            # files/checkpoints/<file>: relative to the folder above the checkpoint folder
            saved = run.save(str(path), base_path=str(path.parent.parent), policy="now")
            self._saved_checkpoints.update(saved)
            # and a version of the model artifact model-<run id>, as WandbLogger logs it ("best"
            # follows the best checkpoint; the same bytes again make no new version)
            score = (getattr(callback, "best_k_models", {}) or {}).get(str(path))
            meta = {"original_filename": path.name, "score": float(score) if score is not None else None}
            art = media.Artifact(self._checkpoint_name or f"model-{run.id}", type="model", metadata=meta)
            art.add_file(path, name="model.ckpt")
            run.log_artifact(art, aliases=["best"] if str(path) == str(best) else [])
        if best and Path(best).is_file():
            run.summary["best_checkpoint"] = f"checkpoints/{Path(best).name}"
            if getattr(callback, "best_model_score", None) is not None:
                run.summary["best_checkpoint_score"] = float(callback.best_model_score)

    @rank_zero_only
    def finalize(self, status: str) -> None:
        """Copy the remembered checkpoints (``log_model=True``) and finish the run; ``"failed"``
        finishes it with exit code 1. A later use of ``experiment`` continues the same run."""
        if self._experiment is None:
            return
        if status == "success" and self._checkpoint_callback is not None:
            self._save_checkpoints(self._checkpoint_callback)
        if self._owns_run:
            run, self._experiment, self._owns_run = self._experiment, None, False
            media.finish(exit_code=1 if status == "failed" else 0, run=run)


#: the name WandbLogger code imports
WandbLogger = MediaboardLogger
