"""Sweeps: wandb's sweep configurations, searched by Optuna (docs/sweeps.md).

``media.sweep(config, project=...)`` checks the configuration, makes the sweep folder
(``<root>/<project>/sweep-<id>/``, docs/format.md *Sweeps*) and the Optuna study that holds the
search state (a journal file in that folder, or ``storage=`` an RDB URL); ``media.agent(id,
function=train, count=N)`` runs trials: it asks Optuna for the next parameters, calls ``train()``
(whose ``media.init()`` gets a run configured with them), reads the metric from the run's summary
and tells Optuna. ``mediaboard agent ID`` does the same with a program run once per trial.

Methods: ``grid`` (every combination enqueued in the study at creation, handed out once each),
``random`` (Optuna's RandomSampler), ``bayes`` (Optuna's TPESampler). ``early_terminate`` of type
``hyperband`` is Optuna's HyperbandPruner: a trial told to stop raises ``TrialPruned`` from the
``log()`` call that reported the metric (function mode) or exits its process with code 0 (a
program run by ``mediaboard agent``), and is recorded as ``pruned``.

Optuna is imported when a sweep is made or an agent runs, never by ``import media``.
"""

from __future__ import annotations

import itertools
import json
import math
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from media import runfolder as rf
from media import sweepfolder as sf
from media._run import _new_id
from media.errors import MediaError, MediaTypeError, MediaValueError, describe

__all__ = ["TrialPruned", "agent", "sweep"]

#: every distribution of wandb's sweep configuration
DISTRIBUTIONS = (
    "constant", "categorical", "int_uniform", "uniform", "q_uniform", "log_uniform_values",
    "q_log_uniform_values", "inv_log_uniform_values", "normal", "q_normal", "log_normal",
    "q_log_normal", "log_uniform", "q_log_uniform", "inv_log_uniform",
)
#: distributions whose min/max are bounds (checked min <= max)
_BOUNDED = {"int_uniform", "uniform", "q_uniform", "log_uniform_values", "q_log_uniform_values",
            "inv_log_uniform_values", "log_uniform", "q_log_uniform", "inv_log_uniform"}
_NORMALS = {"normal", "q_normal", "log_normal", "q_log_normal"}
_PARAM_KEYS = {"distribution", "value", "values", "probabilities", "min", "max", "q", "mu", "sigma",
               "desc", "description"}
_CONFIG_KEYS = {"method", "metric", "parameters", "name", "description", "program", "command",
                "run_cap", "early_terminate", "project", "entity", "controller", "job", "image"}
#: the most combinations a grid may have (each is a trial enqueued in the study)
MAX_GRID = 100_000
DEFAULT_COMMAND = ["${env}", "${interpreter}", "${program}", "${args}"]
ENV_STORAGE = "MEDIABOARD_SWEEP_STORAGE"
#: set by ``mediaboard agent`` for the program it runs: the trial's context file (JSON)
ENV_TRIAL = "MEDIABOARD_SWEEP_TRIAL_FILE"
_PRIMITIVE = (str, int, float, bool, type(None))
#: an agent whose first N trials all fail stops (wandb's WANDB_AGENT_MAX_INITIAL_FAILURES, 5)
ENV_MAX_FAILURES = "MEDIABOARD_AGENT_MAX_INITIAL_FAILURES"


def _initial_failures() -> int:
    for name in (ENV_MAX_FAILURES, "WANDB_AGENT_MAX_INITIAL_FAILURES"):
        text = os.environ.get(name)
        if text is not None:
            try:
                return max(0, int(text))
            except ValueError:
                raise MediaValueError(f"agent(): ${name} must be an int >= 0; got {text!r}.") from None
    return 5


class TrialPruned(Exception):  # noqa: N818 - Optuna's and wandb users' name for it
    """Raised by ``log()`` inside a sweep trial when the sweep's ``early_terminate`` rule stops the
    trial. The agent catches it and records the trial as ``pruned``; catch it yourself only to
    clean up, then re-raise."""


def _err(message: str) -> MediaValueError:
    return MediaValueError(f"sweep(): {message}")


_is_number = rf._is_time  # a finite number, not a bool


def _is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


# ---- the configuration -------------------------------------------------------------------------
@dataclass
class Param:
    """One parameter of the configuration (nested ones are named ``outer.inner``)."""

    name: str
    distribution: str
    spec: dict[str, Any]

    @property
    def path(self) -> list[str]:
        return self.name.split(".")

    def record(self) -> dict[str, Any]:
        """The parameter as ``sweep.json`` lists it."""
        out: dict[str, Any] = {"name": self.name, "distribution": self.distribution}
        for k in ("value", "values", "probabilities", "min", "max", "q", "mu", "sigma"):
            if k in self.spec:
                out[k] = self.spec[k]
        return out

    # -- what Optuna sees
    def _choices(self, values: list[Any]) -> tuple[list[Any], bool]:
        """Optuna's categorical choices: the values themselves when they are plain (str, number,
        bool, None), else their indices."""
        if all(isinstance(v, _PRIMITIVE) for v in values) and len({json.dumps(v) for v in values}) == len(values):
            return list(values), False
        return list(range(len(values))), True

    def grid_values(self) -> list[Any] | None:
        d, s = self.distribution, self.spec
        if d == "constant":
            return [s["value"]]
        if d == "categorical":
            return list(s["values"])
        if d == "int_uniform":
            return list(range(s["min"], s["max"] + 1))
        if d == "q_uniform":
            q = s.get("q", 1)
            lo, hi = math.ceil(s["min"] / q - 1e-9), math.floor(s["max"] / q + 1e-9)
            if hi - lo + 1 > MAX_GRID:
                return None
            return [_quantize(k * q, q, s) for k in range(lo, hi + 1)]
        return None

    def suggest(self, trial: Any, grid: bool) -> Any:
        """Draw this parameter's value for an Optuna trial (see docs/sweeps.md for the mapping)."""
        d, s, n = self.distribution, self.spec, self.name
        if d == "constant":
            return s["value"]
        if grid or (d == "categorical" and "probabilities" not in s):
            values = self.grid_values() or []
            choices, indexed = self._choices(values)
            got = trial.suggest_categorical(n, choices)
            return values[got] if indexed else got
        if d == "categorical":  # weighted: a uniform draw mapped through the cumulative probabilities
            u = trial.suggest_float(n, 0.0, 1.0)
            acc = 0.0
            for value, p in zip(s["values"], s["probabilities"]):
                acc += p
                if u < acc:
                    return value
            return s["values"][-1]
        if d == "int_uniform":
            return trial.suggest_int(n, s["min"], s["max"])
        if d in ("uniform", "q_uniform"):
            x = trial.suggest_float(n, float(s["min"]), float(s["max"]))
        elif d in ("log_uniform_values", "q_log_uniform_values"):
            x = trial.suggest_float(n, float(s["min"]), float(s["max"]), log=True)
        elif d == "inv_log_uniform_values":  # 1/X log-uniform between 1/max and 1/min
            x = 1.0 / trial.suggest_float(n, 1.0 / s["max"], 1.0 / s["min"], log=True)
        elif d in ("log_uniform", "q_log_uniform"):  # min, max are natural logs of the bounds
            x = trial.suggest_float(n, math.exp(s["min"]), math.exp(s["max"]), log=True)
        elif d == "inv_log_uniform":  # log(1/X) uniform in [min, max]
            x = trial.suggest_float(n, math.exp(-s["max"]), math.exp(-s["min"]), log=True)
        else:  # the normals: a uniform quantile mapped through the inverse normal CDF
            u = trial.suggest_float(n, 0.0, 1.0)
            u = min(max(u, 1e-12), 1.0 - 1e-12)
            x = statistics.NormalDist(s.get("mu", 0.0), s.get("sigma", 1.0)).inv_cdf(u)
            if d in ("log_normal", "q_log_normal"):
                x = math.exp(x)
        if d.startswith("q_"):
            return _quantize(x, s.get("q", 1), s)
        return x


def _quantize(x: float, q: float, spec: dict[str, Any]) -> float | int:
    """round(x / q) * q; an int when q and the bounds given are ints."""
    v = round(x / q) * q
    if _is_int(q) and all(_is_int(spec[k]) for k in ("min", "max") if k in spec):
        return int(round(v))
    return float(round(v, 12))


def _param(name: str, spec: Any) -> Param:
    where = f"parameter {name!r}"
    if not isinstance(spec, Mapping):
        raise _err(f"{where}: expected a mapping such as {{values: [...]}} or {{min: 0, max: 1}}; "
                   f"got {describe(spec)}.")
    spec = dict(spec)
    unknown = sorted(set(map(str, spec)) - _PARAM_KEYS)
    if unknown:
        raise _err(f"{where}: unknown key(s) {', '.join(map(repr, unknown))}; expected some of "
                   f"{', '.join(sorted(_PARAM_KEYS - {'desc', 'description'}))}.")
    d = spec.get("distribution")
    if d is None:
        if "value" in spec:
            d = "constant"
        elif "values" in spec:
            d = "categorical"
        elif "min" in spec and "max" in spec:
            d = "int_uniform" if _is_int(spec["min"]) and _is_int(spec["max"]) else "uniform"
        elif "mu" in spec or "sigma" in spec:
            d = "normal"
        else:
            raise _err(f"{where}: expected one of value, values, or min and max (or a distribution); "
                       f"got keys {sorted(map(str, spec))}.")
    if d not in DISTRIBUTIONS:
        raise _err(f"{where}: unknown distribution {d!r}; expected one of {', '.join(DISTRIBUTIONS)}.")
    if d == "constant":
        if "value" not in spec:
            if isinstance(spec.get("values"), list) and len(spec["values"]) == 1:
                spec["value"] = spec.pop("values")[0]
            else:
                raise _err(f"{where}: distribution 'constant' needs value; got keys {sorted(spec)}.")
        _jsonable(spec["value"], where)
    elif d == "categorical":
        values = spec.get("values")
        if not isinstance(values, list) or not values:
            raise _err(f"{where}: values must be a non-empty list; got {describe(values)}.")
        for v in values:
            _jsonable(v, where)
        if "probabilities" in spec:
            probs = spec["probabilities"]
            if not (isinstance(probs, list) and len(probs) == len(values) and all(_is_number(p) and p >= 0 for p in probs)):
                raise _err(f"{where}: probabilities must be a list of {len(values)} numbers >= 0 (one per "
                           f"value); got {describe(probs)}.")
            if abs(sum(probs) - 1.0) > 1e-6:
                raise _err(f"{where}: probabilities must add up to 1; they add up to {sum(probs):g}.")
    elif d in _BOUNDED:
        for k in ("min", "max"):
            if k not in spec:
                raise _err(f"{where}: distribution {d!r} needs min and max; {k} is missing.")
            want_int = d == "int_uniform"
            ok = _is_int(spec[k]) if want_int else _is_number(spec[k])
            if not ok:
                raise _err(f"{where}: {k} must be {'an int' if want_int else 'a finite number'} for "
                           f"distribution {d!r}; got {describe(spec[k])}.")
        if spec["min"] > spec["max"]:
            raise _err(f"{where}: min must be <= max; got min={spec['min']!r} > max={spec['max']!r}.")
        if d in ("log_uniform_values", "q_log_uniform_values", "inv_log_uniform_values") and spec["min"] <= 0:
            raise _err(f"{where}: distribution {d!r} needs min > 0 (the values themselves, on a log "
                       f"scale); got min={spec['min']!r}.")
    else:  # the normals
        for k, default in (("mu", 0.0), ("sigma", 1.0)):
            if k in spec and not _is_number(spec[k]):
                raise _err(f"{where}: {k} must be a finite number; got {describe(spec[k])}.")
            spec.setdefault(k, default)
        if spec["sigma"] <= 0:
            raise _err(f"{where}: sigma must be > 0; got {spec['sigma']!r}.")
    if d.startswith("q_"):
        q = spec.setdefault("q", 1)
        if not _is_number(q) or q <= 0:
            raise _err(f"{where}: q must be a number > 0; got {describe(q)}.")
    return Param(name, d, spec)


def _jsonable(v: Any, where: str) -> None:
    try:
        rf.dumps(v)
    except (TypeError, ValueError, RecursionError):
        raise _err(f"{where}: values must be JSON values (numbers, strings, bools, null, lists, "
                   f"dicts); got {describe(v)}.") from None


def _params(params: Any, prefix: str, out: list[Param]) -> None:
    if not isinstance(params, Mapping) or not params:
        where = f"parameter {prefix[:-1]!r}: parameters" if prefix else "parameters"
        raise _err(f"{where} must be a non-empty mapping of name -> {{values: ...}} or {{min, max}}; "
                   f"got {describe(params)}.")
    for key, spec in params.items():
        if not isinstance(key, str) or not key or "." in key:
            raise _err(f"parameter names must be non-empty strings without '.'; got {key!r}.")
        name = prefix + key
        if isinstance(spec, Mapping) and "parameters" in spec:
            extra = sorted(set(spec) - {"parameters", "desc", "description"})
            if extra:
                raise _err(f"parameter {name!r}: nested parameters take only 'parameters'; got also {extra}.")
            _params(spec["parameters"], name + ".", out)
        else:
            out.append(_param(name, spec))


@dataclass
class Spec:
    """A checked sweep configuration."""

    config: dict[str, Any]
    method: str
    metric: dict[str, Any] | None
    params: list[Param]
    run_cap: int | None
    grid_size: int | None
    hyperband: dict[str, Any] | None
    command: list[str] = field(default_factory=lambda: list(DEFAULT_COMMAND))
    program: str | None = None


def load_config(config: Any) -> dict[str, Any]:
    """The configuration as a dict: a mapping, or the path of a YAML/JSON file."""
    if isinstance(config, (str, os.PathLike)):
        path = Path(config)
        if not path.is_file():
            raise _err(f"config file {str(path)!r} does not exist.")
        import yaml

        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeError, yaml.YAMLError) as exc:
            raise _err(f"config file {str(path)!r} could not be read as YAML ({type(exc).__name__}: "
                       f"{str(exc)[:200]}).") from None
        if not isinstance(data, dict):
            raise _err(f"config file {str(path)!r} must hold a mapping; got {describe(data)}.")
        return data
    if isinstance(config, Mapping):
        return json.loads(rf.dumps(dict(config)))  # a plain JSON copy (refuses what is not JSON)
    raise MediaTypeError(f"sweep(): sweep must be a dict or the path of a YAML file; got {describe(config)}.")


def parse(config: Any) -> Spec:
    """Check a sweep configuration; a bad one is a MediaValueError naming the key or parameter."""
    try:
        config = load_config(config)
    except (TypeError, ValueError) as exc:
        if isinstance(exc, MediaError):
            raise
        raise _err(f"the configuration must be JSON values; {exc}") from None
    unknown = sorted(set(config) - _CONFIG_KEYS)
    if unknown:
        raise _err(f"unknown key(s) {', '.join(map(repr, unknown))}; expected some of "
                   f"{', '.join(sorted(_CONFIG_KEYS))}.")
    method = config.get("method")
    if method not in sf.METHODS:
        raise _err(f"method must be one of {', '.join(sf.METHODS)}; got {method!r}.")
    metric = config.get("metric")
    if metric is not None:
        if isinstance(metric, str):
            metric = {"name": metric}
        if not isinstance(metric, Mapping) or not isinstance(metric.get("name"), str) or not metric["name"]:
            raise _err(f"metric must be {{name: ..., goal: minimize|maximize}}; got {describe(metric)}.")
        goal = metric.get("goal", "minimize")
        if goal not in ("minimize", "maximize"):
            raise _err(f"metric.goal must be 'minimize' or 'maximize'; got {goal!r}.")
        target = metric.get("target")
        if target is not None and not _is_number(target):
            raise _err(f"metric.target must be a number; got {describe(target)}.")
        metric = {"name": metric["name"], "goal": goal, **({"target": target} if target is not None else {})}
    if method == "bayes" and metric is None:
        raise _err("method 'bayes' needs metric: {name: ..., goal: minimize|maximize} (the value it models).")
    params: list[Param] = []
    _params(config.get("parameters"), "", params)
    grid_size = None
    if method == "grid":
        size = 1
        for p in params:
            values = p.grid_values()
            if values is None:
                raise _err(f"parameter {p.name!r}: method 'grid' needs discrete values (value, values, "
                           f"int_uniform or q_uniform); got distribution {p.distribution!r}.")
            size *= len(values)
            if size > MAX_GRID:
                raise _err(f"the grid has more than {MAX_GRID:,} combinations; use method 'random' or "
                           "'bayes', or fewer values.")
        grid_size = size
    run_cap = config.get("run_cap")
    if run_cap is not None and (not _is_int(run_cap) or run_cap < 1):
        raise _err(f"run_cap must be an int >= 1; got {describe(run_cap)}.")
    if grid_size is not None:
        run_cap = min(run_cap, grid_size) if run_cap is not None else grid_size
    hyperband = None
    et = config.get("early_terminate")
    if et is not None:
        if not isinstance(et, Mapping) or et.get("type") != "hyperband":
            raise _err(f"early_terminate must be {{type: hyperband, min_iter | max_iter, eta, s}}; got "
                       f"{describe(et)}.")
        if metric is None:
            raise _err("early_terminate needs metric: the value hyperband compares.")
        extra = sorted(set(et) - {"type", "min_iter", "max_iter", "eta", "s", "strict"})
        if extra:
            raise _err(f"early_terminate: unknown key(s) {extra}.")
        for k in ("min_iter", "max_iter", "eta", "s"):
            if k in et and (not _is_int(et[k]) or et[k] < (0 if k == "s" else 1)):
                raise _err(f"early_terminate.{k} must be an int >= {0 if k == 's' else 1}; got {describe(et[k])}.")
        if "min_iter" not in et and "max_iter" not in et:
            raise _err("early_terminate: hyperband needs min_iter or max_iter.")
        eta = et.get("eta", 3)
        if eta < 2:
            raise _err(f"early_terminate.eta must be >= 2; got {eta}.")
        if "min_iter" in et:
            min_r = et["min_iter"]
        else:
            min_r = max(1, et["max_iter"] // eta ** et.get("s", 0))
        max_r = et.get("max_iter", "auto")
        if max_r != "auto" and max_r < min_r:
            raise _err(f"early_terminate: max_iter ({max_r}) must be >= min_iter ({min_r}).")
        hyperband = {"min_resource": min_r, "max_resource": max_r, "reduction_factor": eta}
    command = config.get("command", DEFAULT_COMMAND)
    if not (isinstance(command, list) and command and all(isinstance(c, str) for c in command)):
        raise _err(f"command must be a non-empty list of strings; got {describe(command)}.")
    program = config.get("program")
    if program is not None and not isinstance(program, str):
        raise _err(f"program must be a string (a script path); got {describe(program)}.")
    return Spec(config=config, method=method, metric=metric, params=params, run_cap=run_cap,
                grid_size=grid_size, hyperband=hyperband, command=list(command), program=program)


# ---- Optuna --------------------------------------------------------------------------------------
def _optuna() -> Any:
    try:
        import optuna
    except ImportError:
        raise MediaError("sweeps need Optuna: pip install optuna (or pip install 'mediaboard[sweep]').") from None
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    return optuna


def _storage(sweep_dir: Path, url: str | None) -> Any:
    optuna = _optuna()
    if url is None:
        from optuna.storages import JournalStorage
        from optuna.storages.journal import JournalFileBackend

        return JournalStorage(JournalFileBackend(str(sweep_dir / sf.JOURNAL_FILE)))
    if url.startswith("sqlite"):
        return optuna.storages.RDBStorage(url, engine_kwargs={"connect_args": {"timeout": 60}})
    return optuna.storages.RDBStorage(url)


def _public_url(url: str) -> str:
    """The storage URL with any password removed (what sweep.json keeps)."""
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    user = parts.username or ""
    netloc = f"{user}@{host}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


def _sampler(spec: Spec) -> Any:
    optuna = _optuna()
    if spec.method == "bayes":
        return optuna.samplers.TPESampler()
    return optuna.samplers.RandomSampler()  # grid: every combination is enqueued; random: random


def _pruner(spec: Spec) -> Any:
    optuna = _optuna()
    if spec.hyperband:
        return optuna.pruners.HyperbandPruner(**spec.hyperband)
    return optuna.pruners.NopPruner()


def _study_name(sweep_id: str) -> str:
    return f"mediaboard-{sweep_id}"


# ---- media.sweep -----------------------------------------------------------------------------------
def _root(dir: Any) -> Path:  # noqa: A002 - wandb's name
    if dir is None:
        return rf.default_root()
    if not isinstance(dir, (str, os.PathLike)):
        raise MediaTypeError(f"dir must be a folder path; got {describe(dir)}.")
    return Path(dir)


def _project_dir(root: Path, project: str) -> Path:
    return rf.run_dir_for(root, project, "_").parent


def sweep(sweep: Any, entity: str | None = None, project: str | None = None, prior_runs: Any = None, *,
          dir: str | os.PathLike[str] | None = None,  # noqa: A002 - wandb's name
          storage: str | None = None) -> str:
    """Make a sweep from wandb's configuration (a dict or a YAML path) and return its id.

    ``project``: the project (else the config's ``project``, ``$MEDIABOARD_PROJECT``,
    ``$WANDB_PROJECT``, ``uncategorized``). ``dir``: the runs' root, as for ``init``.
    ``storage``: an Optuna RDB URL (``postgresql://user:pw@host/db``, ``sqlite:///sweeps.db``) to
    keep the search state in a database (else ``$MEDIABOARD_SWEEP_STORAGE``, else a journal file in
    the sweep folder). ``entity`` and ``prior_runs`` are accepted and ignored.
    """
    del entity, prior_runs
    spec = parse(sweep)
    project = (project or spec.config.get("project") or os.environ.get("MEDIABOARD_PROJECT")
               or os.environ.get("WANDB_PROJECT") or "uncategorized")
    if not isinstance(project, str):
        raise MediaTypeError(f"sweep(): project must be a string; got {describe(project)}.")
    storage = storage or os.environ.get(ENV_STORAGE) or None
    if storage is not None and not isinstance(storage, str):
        raise MediaTypeError(f"sweep(): storage must be an RDB URL string; got {describe(storage)}.")
    optuna = _optuna()
    root = _root(dir)
    project_dir = _project_dir(root, project)
    project_dir.mkdir(parents=True, exist_ok=True)
    rng = random.SystemRandom()
    while True:
        sweep_id = _new_id(rng)  # 8 characters a-z 0-9, as a run id
        folder = sf.sweep_dir_for(project_dir, sweep_id)
        tmp = project_dir / f".{folder.name}.tmp-{os.getpid()}"
        if not folder.exists():
            break
    # built under a temporary name and renamed when whole: a half-made sweep is never visible
    tmp.mkdir()
    try:
        (tmp / sf.TRIALS_DIR).mkdir()
        meta = {
            "format": 1, "id": sweep_id, "project": project,
            "name": spec.config.get("name") if isinstance(spec.config.get("name"), str) else sweep_id,
            "created": time.time(), "method": spec.method, "metric": spec.metric,
            "parameters": [p.record() for p in spec.params], "run_cap": spec.run_cap,
            "grid_size": spec.grid_size, "storage": "journal" if storage is None else _public_url(storage),
            "program": spec.program, "command": spec.command, "config": spec.config,
        }
        direction = (spec.metric or {}).get("goal", "minimize")
        study = optuna.create_study(study_name=_study_name(sweep_id), storage=_storage(tmp, storage),
                                    direction=direction, sampler=_sampler(spec), pruner=_pruner(spec))
        study.set_user_attr("mediaboard_sweep", meta)
        if spec.method == "grid":
            _enqueue_grid(study, spec)
        rf.atomic_write_json(tmp / sf.SWEEP_JSON, meta)
        os.rename(tmp, folder)
    except BaseException:
        import shutil

        shutil.rmtree(tmp, ignore_errors=True)
        raise
    _say(f"sweep {sweep_id} ({spec.method}, {len(spec.params)} parameters"
         + (f", {spec.grid_size} combinations" if spec.grid_size else "") + f") in {folder}")
    return sweep_id


def _enqueue_grid(study: Any, spec: Spec) -> None:
    searched = [p for p in spec.params if p.distribution != "constant"]
    axes = []
    for p in searched:
        values = p.grid_values() or []
        choices, _ = p._choices(values)
        axes.append(choices)
    for combo in itertools.product(*axes):
        study.enqueue_trial(dict(zip((p.name for p in searched), combo)), skip_if_exists=False)


def _say(text: str) -> None:
    print(f"mediaboard: {text}", file=sys.stderr, flush=True)


# ---- trials ----------------------------------------------------------------------------------------
def _nest(flat: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, value in flat.items():
        parts = name.split(".")
        node = out
        for p in parts[:-1]:
            node = node.setdefault(p, {})
        node[parts[-1]] = value
    return out


def deep_merge(base: Mapping[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    """``base`` with ``over``'s values put in (nested dicts merged, not replaced)."""
    out = dict(base)
    for k, v in over.items():
        if isinstance(v, Mapping) and isinstance(out.get(k), Mapping):
            out[k] = deep_merge(out[k], v)
        else:
            out[k] = v
    return out


def metric_value(summary: Mapping[str, Any], name: str, goal: str) -> float | None:
    """The sweep's metric in a run's summary: the key's value; for a ``define_metric`` summary
    (``{"min": ..., "last": ...}``) the entry matching the goal (min/max), else best, last, mean,
    first; ``name`` may also name one entry (``loss.min``)."""
    v: Any = summary.get(name)
    if v is None and "." in name:
        head, _, tail = name.rpartition(".")
        inner = summary.get(head)
        if isinstance(inner, Mapping):
            v = inner.get(tail)
    if isinstance(v, Mapping):
        for k in ("min" if goal == "minimize" else "max", "best", "last", "mean", "first"):
            if _is_number(v.get(k)):
                return float(v[k])
        return None
    if type(v).__module__ == "numpy" and hasattr(v, "item"):
        v = v.item()
    return float(v) if _is_number(v) else None


def _find_metric(data: Mapping[str, Any], name: str) -> Any:
    """The metric in one log() call's data (nested dicts are keys joined with '/')."""
    if name in data:
        return data[name]
    node: Any = data
    for part in name.split("/"):
        if not isinstance(node, Mapping) or part not in node:
            return None
        node = node[part]
    return node


class _Trial:
    """The context of one trial while it runs: what ``media.init`` applies to the run it starts,
    and the listener on its ``log()`` calls that reports the metric to Optuna's pruner."""

    def __init__(self, *, sweep_id: str, number: int, root: Path, project: str, run_id: str,
                 config: dict[str, Any], metric: dict[str, Any] | None, optuna_trial: Any = None,
                 prune_exit: bool = False) -> None:
        self.sweep_id = sweep_id
        self.number = number
        self.root = root
        self.project = project
        self.run_id = run_id
        self.config = config
        self.metric = metric
        self.optuna_trial = optuna_trial  # set when the sweep prunes
        self.prune_exit = prune_exit  # a program run by `mediaboard agent`: exit instead of raising
        self.run: Any = None
        self.reports = 0
        self.pruned_at: int | None = None
        self.used = False
        self.interrupted: BaseException | None = None

    def init_kwargs(self, kwargs: dict[str, Any]) -> dict[str, Any]:
        """``media.init``'s arguments for the trial's run: its root, project and id, and the
        sampled parameters over ``init(config=...)`` (and so over config-defaults.yaml)."""
        from media._config import resolve_init_config

        self.used = True
        given = resolve_init_config(kwargs.get("config"))
        out = dict(kwargs)
        out.update(dir=str(self.root), project=self.project, id=self.run_id, resume=None,
                   config=deep_merge(given, self.config))
        if out.get("mode") == "disabled":
            out["mode"] = None
        return out

    def attach(self, run: Any) -> None:
        self.run = run
        try:
            run._set_meta("sweep", {"id": self.sweep_id, "trial": self.number})
        except AttributeError:  # a disabled run has no folder
            return
        if self.metric is not None:
            run._observers.append(self.observe)

    def observe(self, data: Mapping[str, Any]) -> None:
        assert self.metric is not None
        v = _find_metric(data, self.metric["name"])
        if type(v).__module__ == "numpy" and hasattr(v, "item"):
            v = v.item()
        if not _is_number(v):
            return
        self.reports += 1
        t = self.optuna_trial
        if t is None or self.pruned_at is not None:
            return
        t.report(float(v), self.reports)
        if t.should_prune():
            self.pruned_at = self.reports
            self.run._set_meta("sweep", {"id": self.sweep_id, "trial": self.number, "state": "pruned",
                                         "pruned_at": self.reports})
            if self.prune_exit:
                _say(f"trial {self.number} pruned by hyperband after {self.reports} reports of "
                     f"{self.metric['name']!r}; the run ends here")
                self.run.finish(exit_code=0)
                raise SystemExit(0)
            raise TrialPruned(f"trial {self.number} of sweep {self.sweep_id} was stopped by hyperband "
                              f"after {self.reports} reports of {self.metric['name']!r}.")


_context: _Trial | None = None
_context_lock = threading.Lock()


def trial_context() -> _Trial | None:
    """The trial a ``media.init`` call now belongs to: the agent's (function mode) or the one
    ``mediaboard agent`` handed this process (``MEDIABOARD_SWEEP_TRIAL_FILE``); None outside."""
    global _context
    ctx = _context
    if ctx is not None:
        return None if ctx.used else ctx
    path = os.environ.get(ENV_TRIAL)
    if not path:
        return None
    with _context_lock:
        if _context is not None:
            return None if _context.used else _context
        _context = _from_file(Path(path))
        return _context


def _from_file(path: Path) -> _Trial:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise MediaError(f"init(): {ENV_TRIAL}={str(path)!r} could not be read ({type(exc).__name__}); "
                         "it is written by `mediaboard agent` for the program it runs.") from None
    optuna_trial = None
    if data.get("prune"):
        optuna = _optuna()
        storage = os.environ.get(ENV_STORAGE) or None
        sweep_dir = Path(data["sweep_dir"])
        study = optuna.load_study(study_name=_study_name(data["sweep_id"]),
                                  storage=_storage(sweep_dir, storage),
                                  pruner=optuna.pruners.HyperbandPruner(**data["prune"]))
        optuna_trial = optuna.trial.Trial(study, data["optuna_trial_id"])
    return _Trial(sweep_id=data["sweep_id"], number=data["number"], root=Path(data["root"]),
                  project=data["project"], run_id=data["run_id"], config=data["config"],
                  metric=data.get("metric"), optuna_trial=optuna_trial, prune_exit=True)


# ---- the agent -------------------------------------------------------------------------------------
def _split_id(sweep_id: Any, project: str | None) -> tuple[str, str | None]:
    if not isinstance(sweep_id, str) or not sweep_id:
        raise MediaTypeError(f"agent(): sweep_id must be the id media.sweep returned; got {describe(sweep_id)}.")
    parts = sweep_id.split("/")
    if len(parts) > 3 or any(p in ("", ".", "..") for p in parts):
        raise MediaValueError(f"agent(): sweep_id must be 'id', 'project/id' or 'entity/project/id'; got {sweep_id!r}.")
    sid = parts[-1]
    if len(parts) >= 2 and project is None:
        project = parts[-2]
    if not sf.valid_id(sid):
        raise MediaValueError(f"agent(): sweep_id must be 1 to 64 characters a-z 0-9; got {sid!r}.")
    return sid, project


class Agent:
    """Runs trials of one sweep until ``count`` are done, the cap or the grid is reached, or the
    metric's target is met. Several agents (threads, processes, machines sharing the root or the
    storage) share the work: Optuna numbers trials atomically, and a trial numbered at or past
    ``run_cap`` is given back unrun."""

    def __init__(self, sweep_id: str, *, project: str | None = None, root: Path | None = None,
                 storage: str | None = None) -> None:
        sid, project = _split_id(sweep_id, project)
        self.root = root if root is not None else rf.default_root()
        self.storage_url = storage or os.environ.get(ENV_STORAGE) or None
        optuna = _optuna()
        found = sf.find_sweep(self.root, sid, project)
        if found is None and self.storage_url is not None:
            found = self._fetch(sid)
        if found is None:
            where = f"project {project!r} under " if project else ""
            raise MediaValueError(f"agent(): no sweep {sid!r} in {where}{str(self.root)!r}; make one with "
                                  "media.sweep(config) (or pass dir=/--dir where it lives, or storage= for "
                                  "a sweep kept in a database).")
        self.reader = found
        meta = found.meta
        if meta.get("storage") not in (None, "journal") and self.storage_url is None:
            raise MediaValueError(f"agent(): sweep {sid!r} keeps its state in {meta['storage']!r}; pass "
                                  f"storage=URL (or --storage, or ${ENV_STORAGE}) with its password.")
        self.spec = parse(meta["config"])
        self.meta = meta
        self.id = sid
        self.project = meta.get("project") or project or "uncategorized"
        self.study = optuna.load_study(study_name=_study_name(sid),
                                       storage=_storage(found.path, self.storage_url),
                                       sampler=_sampler(self.spec), pruner=_pruner(self.spec))
        self.ran = 0
        self.last_state: str | None = None
        self._reaped_at = -1e9
        self._rng = random.SystemRandom()
        self.host = f"{socket.gethostname()}:{os.getpid()}"

    def _fetch(self, sid: str) -> sf.SweepReader | None:
        """A sweep kept in a database, made elsewhere: its folder is written here from the study."""
        optuna = _optuna()
        try:
            study = optuna.load_study(study_name=_study_name(sid), storage=_storage(Path("."), self.storage_url))
        except KeyError:
            return None
        meta = study.user_attrs.get("mediaboard_sweep")
        if not isinstance(meta, dict):
            return None
        folder = sf.sweep_dir_for(_project_dir(self.root, meta["project"]), sid)
        (folder / sf.TRIALS_DIR).mkdir(parents=True, exist_ok=True)
        if not (folder / sf.SWEEP_JSON).is_file():
            rf.atomic_write_json(folder / sf.SWEEP_JSON, meta)
        return sf.SweepReader(folder)

    # -- one trial
    def _target_met(self) -> bool:
        target = (self.spec.metric or {}).get("target")
        if target is None:
            return False
        optuna = _optuna()
        done = self.study.get_trials(deepcopy=False, states=(optuna.trial.TrialState.COMPLETE,))
        if not done:
            return False
        values = [t.value for t in done if t.value is not None]
        if not values:
            return False
        if self.spec.metric and self.spec.metric["goal"] == "maximize":
            return max(values) >= target
        return min(values) <= target

    def _tell(self, trial: Any, value: float | None = None, state: Any = None) -> None:
        """Tell Optuna how a trial ended; one another agent already ended (``_reap``) is left so."""
        try:
            if state is None:
                self.study.tell(trial, value)
            else:
                self.study.tell(trial, state=state)
        except (RuntimeError, ValueError):
            number = trial if isinstance(trial, int) else trial.number
            done = self.study.get_trials(deepcopy=False)
            if not any(t.number == number and t.state.is_finished() for t in done):
                raise

    def _reap(self) -> None:
        """Trials left ``running`` by an agent that died (SIGKILL, a lost machine) are recorded
        failed and told to Optuna as FAIL, so the page and the study stop waiting for them: on
        this host when the agent's process is gone, elsewhere when the trial's run has crashed
        (its heartbeat is older than 2 minutes). At the agent's start, then at most once a minute."""
        now = time.monotonic()
        if now - self._reaped_at < 60:
            return
        self._reaped_at = now
        optuna = _optuna()
        host = socket.gethostname()
        for rec in self.reader.trials():
            if rec["state"] != "running" or rec.get("agent") == self.host:
                continue
            a_host, _, a_pid = str(rec.get("agent") or "").rpartition(":")
            why = None
            if a_host == host and a_pid.isdigit() and not rf._pid_alive(int(a_pid)):
                why = f"its agent ({rec['agent']}) died"
            elif isinstance(rec.get("run_id"), str) and sf.valid_id(rec["run_id"]):
                run_dir = rf.run_dir_for(self.root, self.project, rec["run_id"])
                try:
                    crashed = (run_dir / rf.RUN_JSON).is_file() and rf.RunReader(run_dir).status == "crashed"
                except MediaError:
                    crashed = False
                if crashed:
                    why = f"its run {rec['run_id']} crashed"
            if why is None:
                continue
            rec.update(state="failed", end_time=time.time(), error=f"{why} before the trial ended")
            self._record(rec)
            self._tell(rec["number"], state=optuna.trial.TrialState.FAIL)
            _say(f"sweep {self.id} trial {rec['number']}: {why}; recorded failed")

    def ask(self) -> Any:
        """The next trial, or None when the sweep has run its cap (the trial asked is given back)."""
        optuna = _optuna()
        self._reap()
        if self._target_met():
            _say(f"sweep {self.id}: the metric reached its target; no more trials")
            return None
        trial = self.study.ask()
        cap = self.spec.run_cap
        if cap is not None and trial.number >= cap:
            trial.set_user_attr("mediaboard_state", "over-cap")
            self.study.tell(trial, state=optuna.trial.TrialState.FAIL)
            return None
        return trial

    def _record(self, rec: dict[str, Any]) -> None:
        path = self.reader.path / sf.TRIALS_DIR / f"{rec['number']:06d}.json"
        rf.atomic_write_json(path, rec)

    def run_one(self, function: Callable[[], Any] | None, command: list[str] | None) -> bool:
        """Run one trial; False when the sweep has no more."""
        global _context
        optuna = _optuna()
        trial = self.ask()
        if trial is None:
            return False
        grid = self.spec.method == "grid"
        flat = {p.name: p.suggest(trial, grid) for p in self.spec.params}
        config = _nest(flat)
        run_id = _new_id(self._rng)  # chosen here, so the agent knows where the trial's run is
        rec: dict[str, Any] = {
            "number": trial.number, "state": "running", "run_id": run_id, "params": flat, "value": None,
            "start_time": time.time(), "end_time": None, "error": None, "pruned_at": None,
            "agent": self.host,
        }
        trial.set_user_attr("mediaboard_run", run_id)
        self._record(rec)
        shown = ", ".join(f"{k}={_short(v)}" for k, v in flat.items())
        _say(f"sweep {self.id} trial {trial.number} (run {run_id}): {shown}")
        ctx = _Trial(sweep_id=self.id, number=trial.number, root=self.root, project=self.project,
                     run_id=run_id, config=config, metric=self.spec.metric,
                     optuna_trial=trial if self.spec.hyperband else None)
        state, error = "finished", None
        try:
            if command is None:
                assert function is not None
                state, error = self._call(ctx, function)
            else:
                state, error = self._spawn(ctx, trial, command)
        except BaseException as exc:  # interrupted (Ctrl-C): the trial is failed, not left running
            rec.update(state="failed", end_time=time.time(), error=f"interrupted ({type(exc).__name__})")
            trial.set_user_attr("mediaboard_state", "failed")
            self._tell(trial, state=optuna.trial.TrialState.FAIL)
            self._record(rec)
            raise
        reader = None
        run_dir = rf.run_dir_for(self.root, self.project, run_id)
        if (run_dir / rf.RUN_JSON).is_file():
            try:
                reader = rf.RunReader(run_dir)
            except MediaError:
                reader = None
        if reader is None and state != "failed":
            state, error = "failed", "the trial never called media.init(): no run was written"
        sweep_meta = (reader.sweep if reader is not None else None) or {}
        if sweep_meta.get("state") == "pruned":
            state = "pruned"
            rec["pruned_at"] = sweep_meta.get("pruned_at")
        value = None
        if reader is not None and self.spec.metric is not None:
            value = metric_value(reader.summary, self.spec.metric["name"], self.spec.metric["goal"])
        if state == "finished" and self.spec.metric is not None and value is None:
            state = "no-metric"
            _say(f"sweep {self.id} trial {trial.number}: the metric {self.spec.metric['name']!r} was never "
                 f"logged (the run's summary has {', '.join(sorted(reader.summary)[:8]) if reader else 'nothing'})")
        rec.update(state=state, value=value, end_time=time.time(), error=error)
        trial.set_user_attr("mediaboard_state", state)
        if state == "finished" and value is not None:
            self._tell(trial, value)
        elif state == "pruned":
            self._tell(trial, state=optuna.trial.TrialState.PRUNED)
        else:
            self._tell(trial, state=optuna.trial.TrialState.FAIL)
        self._record(rec)
        got = f"{self.spec.metric['name']}={value:g}" if value is not None and self.spec.metric else "no metric"
        _say(f"sweep {self.id} trial {trial.number}: {state}, {got}" + (f" ({error})" if error else ""))
        self.ran += 1
        self.last_state = state
        return True

    def _call(self, ctx: _Trial, function: Callable[[], Any]) -> tuple[str, str | None]:
        global _context
        from media import _api

        state, error = "finished", None
        with _context_lock:
            _context = ctx
        try:
            function()
        except TrialPruned:
            state = "pruned"
        except BaseException as exc:  # a failing trial is recorded and the agent goes on (as in wandb)
            state, error = "failed", f"{type(exc).__name__}: {exc}"[:500]
            if not isinstance(exc, Exception):  # KeyboardInterrupt, SystemExit: recorded, then raised
                ctx.interrupted = exc
            text = traceback.format_exc()
            print(text, file=sys.stderr, end="", flush=True)  # into the run's console.jsonl too
            if ctx.run is not None and not ctx.run._finished:
                try:
                    ctx.run._set_meta("sweep", {"id": ctx.sweep_id, "trial": ctx.number,
                                                "error": text[-20000:]})
                except Exception:  # noqa: BLE001 - the trial is failed either way
                    pass
        finally:
            with _context_lock:
                _context = None
            run = ctx.run
            if run is not None and not getattr(run, "_finished", True):
                try:
                    if run is _api._current:
                        _api.finish(exit_code=1 if state == "failed" else 0)
                    else:
                        run.finish(exit_code=1 if state == "failed" else 0)
                except Exception as exc:  # noqa: BLE001 - finishing is best effort; said
                    _say(f"trial {ctx.number}: the run could not be finished ({type(exc).__name__}: {exc})")
        if ctx.interrupted is not None:
            raise ctx.interrupted
        return state, error

    def _spawn(self, ctx: _Trial, trial: Any, command: list[str]) -> tuple[str, str | None]:
        data = {
            "sweep_id": self.id, "number": ctx.number, "root": str(self.root.resolve()),
            "project": self.project, "run_id": ctx.run_id, "config": ctx.config, "metric": self.spec.metric,
            "sweep_dir": str(self.reader.path.resolve()), "optuna_trial_id": trial._trial_id,
            "prune": self.spec.hyperband,
        }
        fd, trial_file = tempfile.mkstemp(prefix=f"mediaboard-trial-{ctx.number}-", suffix=".json")
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(data, f)
        args_file = None
        try:
            argv, args_file = expand_command(command, ctx.config, self.meta.get("program"))
            env = dict(os.environ)
            env[ENV_TRIAL] = trial_file
            env["MEDIABOARD_DIR"] = str(self.root.resolve())
            env["MEDIABOARD_PROJECT"] = self.project
            env["MEDIABOARD_RUN_ID"] = ctx.run_id
            env["WANDB_SWEEP_ID"] = self.id
            if self.storage_url:
                env[ENV_STORAGE] = self.storage_url
            try:
                code = subprocess.call(argv, env=env)
            except OSError as exc:
                return "failed", f"could not start {argv[0]!r}: {exc}"
            if code != 0:
                return "failed", f"the program exited with code {code}"
            return "finished", None
        finally:
            os.unlink(trial_file)
            if args_file:
                os.unlink(args_file)

    def run(self, function: Callable[[], Any] | None = None, command: list[str] | None = None,
            count: int | None = None) -> int:
        limit = _initial_failures()
        first_failed = 0  # trials failed in a row since this agent started
        while count is None or self.ran < count:
            if not self.run_one(function, command):
                break
            if self.last_state == "failed" and first_failed == self.ran - 1:
                first_failed += 1
                if limit and first_failed >= limit:
                    _say(f"sweep {self.id}: the first {first_failed} trials of this agent failed; it stops "
                         f"(set {ENV_MAX_FAILURES} to change the limit, 0 for none)")
                    break
        return self.ran


def _short(v: Any) -> str:
    text = repr(v) if not isinstance(v, float) else f"{v:.4g}"
    return text if len(text) <= 40 else text[:37] + "..."


def _arg_value(v: Any) -> str:
    if isinstance(v, (dict, list)):
        return json.dumps(v)
    return str(v)


def expand_command(command: list[str], config: Mapping[str, Any], program: str | None) -> tuple[list[str], str | None]:
    """The command line of a trial, with wandb's macros: ``${env}``, ``${interpreter}``,
    ``${program}``, ``${args}`` (``--name=value``), ``${args_no_hyphens}`` (``name=value``),
    ``${args_no_boolean_flags}`` (``--flag`` for True, nothing for False), ``${args_json}`` (one JSON
    argument), ``${args_json_file}`` (the path of a JSON file). Returns the argv and the file to
    delete afterwards (for ``${args_json_file}``)."""
    argv: list[str] = []
    args_file = None
    for part in command:
        if part == "${env}":
            if os.name == "posix":
                argv.append("/usr/bin/env")
        elif part == "${interpreter}":
            argv.append(sys.executable)
        elif part == "${program}":
            if not program:
                raise MediaValueError("agent(): the command uses ${program} but the sweep configuration has no "
                                      "program; add program: train.py, or give the command after --.")
            argv.append(program)
        elif part == "${args}":
            argv.extend(f"--{k}={_arg_value(v)}" for k, v in config.items())
        elif part == "${args_no_hyphens}":
            argv.extend(f"{k}={_arg_value(v)}" for k, v in config.items())
        elif part == "${args_no_boolean_flags}":
            for k, v in config.items():
                if v is True:
                    argv.append(f"--{k}")
                elif v is not False:
                    argv.append(f"--{k}={_arg_value(v)}")
        elif part == "${args_json}":
            argv.append(json.dumps(config))
        elif part == "${args_json_file}":
            fd, args_file = tempfile.mkstemp(prefix="mediaboard-args-", suffix=".json")
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                json.dump(config, f)
            argv.append(args_file)
        else:
            argv.append(part)
    return argv, args_file


def agent(sweep_id: str, function: Callable[[], Any] | None = None, entity: str | None = None,
          project: str | None = None, count: int | None = None, *,
          dir: str | os.PathLike[str] | None = None,  # noqa: A002 - wandb's name
          storage: str | None = None, command: list[str] | None = None) -> int:
    """Run trials of sweep ``sweep_id``: each calls ``function()``, whose ``media.init()`` starts
    a run configured with the trial's parameters. Stops after ``count`` trials (None: until the
    sweep's ``run_cap`` or its grid is done; a random or bayes sweep with neither runs until
    interrupted). A trial that raises is recorded as failed and the agent goes on. Returns the
    number of trials this agent ran. Without ``function``, runs the configuration's ``program``
    once per trial (as ``mediaboard agent`` does), or ``command`` (a list of arguments with
    wandb's macros, ``${args}`` ...). ``entity`` is accepted and ignored."""
    del entity
    if function is not None and not callable(function):
        raise MediaTypeError(f"agent(): function must be callable; got {describe(function)}.")
    if count is not None and (not _is_int(count) or count < 0):
        raise MediaValueError(f"agent(): count must be an int >= 0 or None; got {describe(count)}.")
    if command is not None and not (isinstance(command, list) and command and all(isinstance(c, str) for c in command)):
        raise MediaTypeError(f"agent(): command must be a non-empty list of strings; got {describe(command)}.")
    a = Agent(sweep_id, project=project, root=_root(dir), storage=storage)
    if function is None and command is None:
        command = a.spec.command
    return a.run(function if command is None else None, command, count)
