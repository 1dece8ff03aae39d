"""Keras 3 callbacks at wandb's names: ``from media.integration.keras import WandbMetricsLogger``.

Three callbacks, each with the signature of wandb's ``wandb.integration.keras`` class of the same
name, writing into the active run (call ``media.init()`` first):

- ``WandbMetricsLogger``: the ``logs`` Keras hands its callbacks, as ``epoch/<name>`` rows (and
  ``batch/<name>`` rows with ``log_freq="batch"`` or an int), with the learning rate.
- ``WandbModelCheckpoint``: ``keras.callbacks.ModelCheckpoint`` that also copies each checkpoint
  into the run's ``files/`` folder.
- ``WandbEvalCallback``: an abstract base for prediction tables (``data_table`` once at train
  begin, ``pred_table`` at each epoch end), logged as ``media.Table`` values.

Importing this module imports Keras (``import media`` and ``import media.integration`` do not).
Keras 3 picks its backend from ``KERAS_BACKEND`` when first imported; set it before this import
(for example ``KERAS_BACKEND=torch``). ``media.keras`` is the same module under wandb's old path.

Example::

    import media as wandb
    from media.integration.keras import WandbMetricsLogger, WandbModelCheckpoint

    wandb.init(project="mnist")
    model.fit(x, y, epochs=5, callbacks=[WandbMetricsLogger(log_freq=10),
                                         WandbModelCheckpoint("model.keras")])
"""

from __future__ import annotations

import abc
import os
from typing import Any

try:
    import keras
except ImportError as exc:  # pragma: no cover - depends on the environment
    if exc.name == "keras":
        raise ImportError(
            "media.integration.keras needs Keras 3: pip install keras (with a backend such as "
            "torch, chosen by KERAS_BACKEND=torch)."
        ) from exc
    backend = os.environ.get("KERAS_BACKEND", "tensorflow (the default)")
    raise ImportError(
        f"media.integration.keras: importing keras failed with backend {backend}: {exc}. "
        "Install that backend or set KERAS_BACKEND (e.g. torch) before the first import of keras."
    ) from exc

import media
from media.errors import MediaTypeError, MediaValueError, RunStateError, describe

__all__ = ["WandbEvalCallback", "WandbMetricsLogger", "WandbModelCheckpoint"]

# keras ships no type information mypy can use for subclassing; the callbacks derive from Any
_Callback: Any = keras.callbacks.Callback
_ModelCheckpoint: Any = keras.callbacks.ModelCheckpoint


def _need_run(who: str) -> None:
    if media.run is None:
        raise RunStateError(
            f"{who}: no active run; call media.init() before creating the callback."
        )


def _scalar(value: Any) -> Any:
    """A Keras log value as a Python number where it is one (tensors and numpy scalars)."""
    if isinstance(value, (bool, int, float, str)) or value is None:
        return value
    try:
        arr = keras.ops.convert_to_numpy(value)
    except Exception:  # not a tensor: log() decides what it accepts
        return value
    return arr.item() if getattr(arr, "size", None) == 1 else arr


class WandbMetricsLogger(_Callback):
    """Log the metrics Keras passes to its callbacks (wandb's ``WandbMetricsLogger``).

    At each epoch end: ``epoch/<name>`` for every entry of ``logs`` (``loss``, ``val_loss``,
    compiled metrics), ``epoch/epoch`` (the epoch, from 0) and ``epoch/learning_rate`` when the
    optimizer has one. With ``log_freq="batch"`` (every batch) or an int ``n`` (every ``n``
    batches of an epoch, counting from its first), also ``batch/<name>``, ``batch/batch_step``
    (the logged batch's global index, advancing by ``log_freq``) and ``batch/learning_rate``.
    As wandb does, ``batch/*`` is defined against ``batch/batch_step`` and ``epoch/*`` against
    ``epoch/epoch`` (``media.define_metric``), so the viewer plots each against its own axis.
    Each logged dict is one ``media.log`` call (one step).

    ``initial_global_step`` is the number of batches already trained when resuming with
    ``model.fit(initial_epoch=...)``: a learning-rate schedule is evaluated at it plus the
    batches seen since. System metrics are the run's own (``media.init``), not this callback's.

    Example::

        model.fit(x, y, epochs=10, callbacks=[WandbMetricsLogger(log_freq=5)])
    """

    def __init__(
        self, log_freq: str | int = "epoch", initial_global_step: int = 0, *args: Any, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        _need_run("WandbMetricsLogger()")
        if log_freq == "batch":
            log_freq = 1
        if log_freq != "epoch" and (isinstance(log_freq, bool) or not isinstance(log_freq, int)):
            raise MediaTypeError(
                f"WandbMetricsLogger: log_freq must be 'epoch', 'batch' or a number of batches "
                f"(int); got {describe(log_freq)}."
            )
        if isinstance(log_freq, int) and log_freq < 1:
            raise MediaValueError(
                f"WandbMetricsLogger: log_freq must be >= 1 batches; got {log_freq}."
            )
        if isinstance(initial_global_step, bool) or not isinstance(initial_global_step, int):
            raise MediaTypeError(
                f"WandbMetricsLogger: initial_global_step must be an int; got {describe(initial_global_step)}."
            )
        self.logging_batch_wise = log_freq != "epoch"
        self.log_freq: Any = log_freq
        self.global_step = initial_global_step
        self.global_batch = 0
        media.define_metric("epoch/epoch")
        media.define_metric("epoch/*", step_metric="epoch/epoch")
        if self.logging_batch_wise:
            media.define_metric("batch/batch_step")
            media.define_metric("batch/*", step_metric="batch/batch_step")

    def _learning_rate(self) -> float | None:
        optimizer = getattr(getattr(self, "model", None), "optimizer", None)
        if optimizer is None:
            return None
        try:
            schedule = getattr(optimizer, "_learning_rate", None)
            if isinstance(schedule, keras.optimizers.schedules.LearningRateSchedule):
                value = schedule(self.global_step)
            else:
                value = optimizer.learning_rate
            return float(keras.ops.convert_to_numpy(value))
        except Exception:  # an optimizer without a readable rate: log the rest
            return None

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        row = {f"epoch/{k}": _scalar(v) for k, v in (logs or {}).items()}
        row["epoch/epoch"] = epoch
        lr = self._learning_rate()
        if lr is not None:
            row["epoch/learning_rate"] = lr
        media.log(row)

    def on_train_batch_end(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        self.global_step += 1
        if not self.logging_batch_wise or batch % self.log_freq != 0:
            return
        row = {f"batch/{k}": _scalar(v) for k, v in (logs or {}).items()}
        row["batch/batch_step"] = self.global_batch
        lr = self._learning_rate()
        if lr is not None:
            row["batch/learning_rate"] = lr
        media.log(row)
        self.global_batch += self.log_freq


class WandbModelCheckpoint(_ModelCheckpoint):
    """``keras.callbacks.ModelCheckpoint`` that also keeps each checkpoint in the run.

    Every argument is Keras's (and wandb's): ``filepath`` ends in ``.keras`` (or ``.weights.h5``
    with ``save_weights_only=True``) and may hold ``{epoch:02d}`` or ``{val_loss:.2f}``;
    ``save_best_only``, ``monitor`` and ``mode`` decide when a checkpoint is written;
    ``save_freq`` is ``"epoch"`` or a number of batches. Each time Keras writes the file it is
    copied into the run folder's ``files/`` under its base name (``media.save(..., policy="now")``),
    so a later checkpoint of the same name replaces the earlier copy.

    Each written checkpoint is also logged as a version of the model artifact ``run_<id>_model``
    (type ``model``) with the alias ``epoch_<n>`` (``epoch_<n>_batch_<m>`` with a number
    ``save_freq``), as wandb does; a checkpoint identical to an earlier one makes no new version.

    Example::

        WandbModelCheckpoint("best.keras", monitor="val_loss", save_best_only=True)
    """

    def __init__(
        self,
        filepath: Any,
        monitor: str = "val_loss",
        verbose: int = 0,
        save_best_only: bool = False,
        save_weights_only: bool = False,
        mode: str = "auto",
        save_freq: str | int = "epoch",
        initial_value_threshold: float | None = None,
        **kwargs: Any,
    ) -> None:
        _need_run("WandbModelCheckpoint()")
        super().__init__(
            filepath,
            monitor=monitor,
            verbose=verbose,
            save_best_only=save_best_only,
            save_weights_only=save_weights_only,
            mode=mode,
            save_freq=save_freq,
            initial_value_threshold=initial_value_threshold,
            **kwargs,
        )

    def _save_model(self, epoch: int, batch: int | None, logs: dict[str, Any] | None) -> None:
        # Keras decides whether to write (save_best_only, monitor); the file's stat before and
        # after tells whether it did, without repeating that decision (it moves ``self.best``).
        path = self._get_file_path(epoch, batch, logs or {})
        before = _stamp(path)
        super()._save_model(epoch, batch, logs)
        after = _stamp(path)
        if after is not None and after != before:
            media.save(path, base_path=os.path.dirname(os.path.abspath(path)), policy="now")
            alias = f"epoch_{epoch + 1}" if batch is None else f"epoch_{epoch + 1}_batch_{batch + 1}"
            art = media.Artifact(f"run_{media.run.id}_model", type="model")
            if os.path.isdir(path):
                art.add_dir(path)
            else:
                art.add_file(path)
            media.run.log_artifact(art, aliases=[alias])


def _stamp(path: str) -> tuple[int, int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_mtime_ns, st.st_size, st.st_ino)


class _TableRef:
    """What ``WandbEvalCallback.data_table_ref`` gives: the logged ground-truth table's rows.

    In wandb it is the table read back from its artifact; here it is the table itself, with the
    two names wandb's examples use: ``data`` (the rows) and ``get_index()`` (the row indices).
    """

    def __init__(self, table: Any) -> None:
        self._table = table

    @property
    def data(self) -> list[list[Any]]:
        return self._table.data

    @property
    def columns(self) -> list[str]:
        return self._table.columns

    def get_index(self) -> list[int]:
        return list(range(len(self._table.data)))

    def __len__(self) -> int:
        return len(self._table.data)


class WandbEvalCallback(_Callback, abc.ABC):
    """Abstract base of callbacks that log prediction tables (wandb's ``WandbEvalCallback``).

    Subclass it and implement ``add_ground_truth(logs)``, which fills ``self.data_table`` (a
    ``media.Table`` with ``data_table_columns``) once at train begin, and
    ``add_model_predictions(epoch, logs)``, which fills ``self.pred_table`` (``pred_table_columns``)
    at each epoch end; ``self.data_table_ref`` gives the ground-truth rows (``.data``,
    ``.get_index()``) to refer to. The base logs ``data_table`` under ``val_data`` and each
    ``pred_table`` under ``eval_data``, each in a row (a step) of its own, so no epoch's table
    replaces another's.

    wandb keeps these tables as artifacts (a ``val`` dataset, an ``evaluation`` per epoch);
    mediaboard has no artifacts yet, so they are logged tables in the run's history.

    ``validation_data`` and ``num_samples`` (keyword-only, mediaboard's) are kept as attributes
    for subclasses; the base does not read them.

    Example::

        class Preds(WandbEvalCallback):
            def __init__(self, x, y):
                super().__init__(["idx", "label"], ["epoch", "idx", "label", "pred"])
                self.x, self.y = x, y

            def add_ground_truth(self, logs=None):
                for i, label in enumerate(self.y):
                    self.data_table.add_data(i, int(label))

            def add_model_predictions(self, epoch, logs=None):
                preds = self.model.predict(self.x, verbose=0).argmax(-1)
                for i in self.data_table_ref.get_index():
                    self.pred_table.add_data(epoch, i, self.data_table_ref.data[i][1], int(preds[i]))
    """

    def __init__(
        self,
        data_table_columns: list[str],
        pred_table_columns: list[str],
        *args: Any,
        validation_data: Any = None,
        num_samples: int | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        _need_run(f"{type(self).__name__}()")
        for name, cols in (
            ("data_table_columns", data_table_columns),
            ("pred_table_columns", pred_table_columns),
        ):
            if isinstance(cols, str) or not isinstance(cols, (list, tuple)):
                raise MediaTypeError(
                    f"WandbEvalCallback: {name} must be a list of column names; got {describe(cols)}."
                )
        self.data_table_columns = list(data_table_columns)
        self.pred_table_columns = list(pred_table_columns)
        self.validation_data = validation_data
        self.num_samples = num_samples
        self.data_table: Any = None
        self.pred_table: Any = None
        self.data_table_ref: Any = None

    def on_train_begin(self, logs: dict[str, Any] | None = None) -> None:
        self.init_data_table(column_names=self.data_table_columns)
        self.add_ground_truth(logs)
        self.log_data_table()

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        self.init_pred_table(column_names=self.pred_table_columns)
        self.add_model_predictions(epoch, logs)
        self.log_pred_table()

    @abc.abstractmethod
    def add_ground_truth(self, logs: dict[str, Any] | None = None) -> None:
        """Fill ``self.data_table`` with the ground truth (``self.data_table.add_data(...)``)."""

    @abc.abstractmethod
    def add_model_predictions(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        """Fill ``self.pred_table`` with this epoch's predictions."""

    def init_data_table(self, column_names: list[str]) -> None:
        self.data_table = media.Table(columns=column_names, allow_mixed_types=True)

    def init_pred_table(self, column_names: list[str]) -> None:
        self.pred_table = media.Table(columns=column_names)

    def log_data_table(
        self, name: str = "val", type: str = "dataset", table_name: str = "val_data"
    ) -> None:
        """Log ``data_table`` under ``table_name`` (``name`` and ``type`` are wandb's artifact
        fields, accepted and unused)."""
        media.log({table_name: self.data_table})
        self.data_table_ref = _TableRef(self.data_table)

    def log_pred_table(
        self,
        type: str = "evaluation",
        table_name: str = "eval_data",
        aliases: list[str] | None = None,
    ) -> None:
        """Log ``pred_table`` under ``table_name`` (``type`` and ``aliases`` are wandb's artifact
        fields, accepted and unused)."""
        media.log({table_name: self.pred_table})
