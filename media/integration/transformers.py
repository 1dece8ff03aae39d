"""Hugging Face ``transformers`` Trainer logging into a mediaboard run (``WandbCallback``'s behaviour).

``MediaboardCallback`` (also named ``WandbCallback``) is a ``transformers.TrainerCallback``::

    from media.integration.transformers import MediaboardCallback
    trainer = Trainer(model, args, ..., callbacks=[MediaboardCallback()], report_to="none")

On the main process only (``state.is_world_process_zero``):

- ``on_train_begin`` opens a run when none is active (``media.init(project=...)`` with the project
  from ``MEDIABOARD_PROJECT``, else ``WANDB_PROJECT``, else ``"huggingface"``, and
  ``args.run_name`` as the name when it is set and differs from ``output_dir``); puts
  ``model.config.to_dict()`` then ``TrainingArguments.to_dict()`` (the arguments win on a clash) and
  ``model/num_parameters`` into ``run.config``; and makes ``train/global_step`` the step metric of
  every key (``define_metric("*", step_metric="train/global_step")``).
- ``on_log`` logs the Trainer's logs with wandb's key names (``eval_loss`` -> ``eval/loss``,
  ``test_*`` -> ``test/*``, anything else -> ``train/*``) plus ``train/global_step``; the
  once-per-training values (``train_runtime``, ``train_loss``, ``total_flos`` ...) go to
  ``run.summary`` instead, under their own names, as wandb's callback does.
- ``on_train_end`` finishes the run if this callback opened it (``finish=False`` keeps it open).
  A later ``trainer.evaluate()`` reopens the same run (``resume="allow"``) and logs into it.
- ``WANDB_LOG_MODEL`` (or ``MEDIABOARD_LOG_MODEL``), as wandb's callback reads it: ``end`` (or
  the older ``true``) logs the trained model (``save_pretrained``, with the tokenizer when the
  Trainer has one) as the artifact ``model-<run id>`` at ``on_train_end``; ``checkpoint`` logs
  each checkpoint folder the Trainer saves as a version of ``checkpoint-<run id>`` with the
  aliases ``epoch_<e>`` and ``checkpoint_global_step_<n>`` (``<run name>`` instead of the id
  when ``run_name`` is set and differs from ``output_dir``). Metadata: the summary's numbers.
"""

from __future__ import annotations

import numbers
import os
import re
import tempfile
from collections.abc import Mapping
from typing import Any

try:
    from transformers import TrainerCallback
except ImportError as exc:  # pragma: no cover - depends on the environment
    raise ImportError(
        "media.integration.transformers needs the transformers package: pip install transformers"
    ) from exc

import media

#: Trainer logs that describe the whole training: summary values, not history rows
SUMMARY_KEYS = frozenset(
    {"train_runtime", "train_samples_per_second", "train_steps_per_second", "train_loss", "total_flos"}
)


def rewrite_keys(logs: Mapping[str, Any]) -> dict[str, Any]:
    """The Trainer's log keys under wandb's names: ``eval_x`` -> ``eval/x``, ``test_x`` ->
    ``test/x``, any other ``x`` -> ``train/x``.

    Example: ``rewrite_keys({"loss": 1.0, "eval_loss": 2.0}) == {"train/loss": 1.0, "eval/loss": 2.0}``
    """
    out: dict[str, Any] = {}
    for key, value in logs.items():
        for prefix in ("eval", "test"):
            if key.startswith(prefix + "_"):
                out[f"{prefix}/{key[len(prefix) + 1:]}"] = value
                break
        else:
            out["train/" + key] = value
    return out


def _project() -> str:
    for name in ("MEDIABOARD_PROJECT", "WANDB_PROJECT"):
        if os.environ.get(name):
            return os.environ[name]
    return "huggingface"


def _log_model_mode() -> str:
    """``end``, ``checkpoint`` or ``false``, from MEDIABOARD_LOG_MODEL, else WANDB_LOG_MODEL."""
    value = (os.environ.get("MEDIABOARD_LOG_MODEL") or os.environ.get("WANDB_LOG_MODEL") or "false").lower()
    if value in ("end", "true", "1"):  # wandb's older "true" means "end"
        return "end"
    return "checkpoint" if value == "checkpoint" else "false"


class MediaboardCallback(TrainerCallback):  # type: ignore[misc]  # transformers is untyped here
    """Logs a ``transformers.Trainer`` into a mediaboard run, with wandb's keys and config.

    ``finish``: finish at ``on_train_end`` the run this callback opened (a run that was already
    active when training began is left open either way). ``init_kwargs`` go to ``media.init``
    when this callback opens the run (``project=`` there wins over the environment).

    Example::

        trainer = Trainer(model, args, train_dataset=ds, callbacks=[MediaboardCallback()],
                          report_to="none")
    """

    def __init__(self, *, finish: bool = True, **init_kwargs: Any) -> None:
        self._finish = finish
        self._init_kwargs = init_kwargs
        self._run: Any = None  # the run set up for this training
        self._owned = False  # opened by this callback
        self._finished_id: str | None = None  # id of the owned run finished at train end

    def _setup(self, args: Any, state: Any, model: Any) -> None:
        if media.run is None:
            kwargs: dict[str, Any] = {"project": _project()}
            name = getattr(args, "run_name", None)
            if getattr(state, "trial_name", None) is not None:
                kwargs["name"] = state.trial_name
                kwargs["group"] = name or args.output_dir
            elif name is not None and name != getattr(args, "output_dir", None):
                kwargs["name"] = name
            kwargs.update(self._init_kwargs)
            self._run = media.init(**kwargs)
            self._owned = True
        else:
            self._run = media.run
            self._owned = False
        config: dict[str, Any] = {}
        model_config = getattr(model, "config", None)
        if model_config is not None:
            config.update(model_config if isinstance(model_config, dict) else model_config.to_dict())
        config.update(args.to_dict())
        self._run.config.update(config, allow_val_change=True)
        self._run.define_metric("train/global_step")
        self._run.define_metric("*", step_metric="train/global_step")
        if hasattr(model, "num_parameters"):
            self._run.config.update({"model/num_parameters": model.num_parameters()}, allow_val_change=True)

    def _active(self) -> bool:
        """The run set up for this training is still the active one."""
        return self._run is not None and media.run is self._run

    def on_train_begin(self, args: Any, state: Any, control: Any, model: Any = None, **kwargs: Any) -> None:
        if not state.is_world_process_zero:
            return
        if getattr(state, "is_hyper_param_search", False) and self._owned and self._active():
            media.finish()  # each trial gets a run of its own
            self._run = None
        if not self._active():
            self._finished_id = None
            self._setup(args, state, model)

    def on_log(self, args: Any, state: Any, control: Any, model: Any = None,
               logs: Mapping[str, Any] | None = None, **kwargs: Any) -> None:
        if not state.is_world_process_zero or logs is None:
            return
        if not self._active():
            if self._finished_id is not None and media.run is None:
                # trainer.evaluate() after train(): back into the run this callback finished
                self._run = media.init(**{"project": _project(), **self._init_kwargs,
                                          "id": self._finished_id, "resume": "allow"})
                self._owned = True
            else:
                self._setup(args, state, model)
        row = {k: v for k, v in logs.items() if k not in SUMMARY_KEYS}
        for key in logs.keys() & SUMMARY_KEYS:
            self._run.summary[key] = logs[key]
        self._run.log({**rewrite_keys(row), "train/global_step": state.global_step})

    # -- models as artifacts (WANDB_LOG_MODEL) ----------------------------------------------------
    def _artifact_name(self, args: Any, prefix: str) -> str:
        name = getattr(args, "run_name", None)
        base = self._run.id if name is None or name == getattr(args, "output_dir", None) else self._run.name
        return f"{prefix}-{re.sub(r'[^A-Za-z0-9_.-]', '-', str(base))}"

    def _metadata(self) -> dict[str, Any]:
        return {k: v for k, v in self._run.summary.items()
                if isinstance(v, numbers.Number) and not isinstance(v, bool) and not k.startswith("_")}

    def on_save(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
        if not state.is_world_process_zero or _log_model_mode() != "checkpoint" or not self._active():
            return
        folder = os.path.join(args.output_dir, f"checkpoint-{state.global_step}")
        if not os.path.isdir(folder):
            return
        art = media.Artifact(self._artifact_name(args, "checkpoint"), type="model", metadata=self._metadata())
        art.add_dir(folder)
        epoch = round(float(state.epoch or 0), 2)
        self._run.log_artifact(art, aliases=[f"epoch_{epoch}", f"checkpoint_global_step_{state.global_step}"])

    def _log_final_model(self, args: Any, model: Any, tokenizer: Any) -> None:
        if model is None or not hasattr(model, "save_pretrained"):
            return
        meta = self._metadata()
        if hasattr(model, "num_parameters"):
            meta["final/num_parameters"] = model.num_parameters()
        with tempfile.TemporaryDirectory(prefix="mediaboard-model-") as folder:
            model.save_pretrained(folder)
            if tokenizer is not None and hasattr(tokenizer, "save_pretrained"):
                tokenizer.save_pretrained(folder)
            art = media.Artifact(self._artifact_name(args, "model"), type="model", metadata=meta)
            art.add_dir(folder)
            self._run.log_artifact(art)  # copied into the store before the folder goes

    def on_train_end(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
        if not state.is_world_process_zero:
            return
        if _log_model_mode() == "end" and self._active():
            self._log_final_model(args, kwargs.get("model"), kwargs.get("processing_class") or kwargs.get("tokenizer"))
        if not (self._owned and self._finish and self._active()):
            return
        self._finished_id = self._run.id
        media.finish()
        self._run = None


WandbCallback = MediaboardCallback

__all__ = ["MediaboardCallback", "WandbCallback", "rewrite_keys"]
