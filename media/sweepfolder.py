"""The sweep folder: what ``media.sweep`` writes beside a project's runs, and how it is read.

Part of the run-folder contract (docs/format.md, *Sweeps*): like ``media.runfolder`` it imports
nothing of the writer, so the viewer reads sweeps through it. Layout::

    <root>/<project>/sweep-<id>/
        sweep.json          the sweep: id, project, method, metric, parameters, the config as given
        optuna.journal      Optuna's journal file (the search state) when no --storage URL is given
        trials/<n>.json     one record per trial, written by the agent that ran it

A trial's run is an ordinary run folder of the project whose ``run.json`` has
``"sweep": {"id": ..., "trial": n}``. A sweep folder is untrusted input like a run folder: a field
of the wrong type is left out and said so in ``problems``, never a crash.

Importance (``importance``) is Optuna's PED-ANOVA evaluator over the finished trials, computed
when asked (Optuna is imported then, and only then).
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from media.errors import FormatError
from media.runfolder import _is_time as _number
from media.runfolder import _short, read_nofollow

SWEEP_JSON = "sweep.json"
TRIALS_DIR = "trials"
JOURNAL_FILE = "optuna.journal"
SWEEP_PREFIX = "sweep-"
#: trial states an agent writes (``running`` until the trial ends)
TRIAL_STATES = ("running", "finished", "pruned", "failed", "no-metric")
METHODS = ("grid", "random", "bayes")
_ID = re.compile(r"^[a-z0-9]{1,64}$")
#: how many trial records one sweep may have before the rest are skipped (said in problems)
MAX_TRIALS = 100_000


def sweep_dir_for(project_dir: str | os.PathLike[str], sweep_id: str) -> Path:
    """The folder of sweep ``sweep_id`` in a project folder."""
    return Path(project_dir) / f"{SWEEP_PREFIX}{sweep_id}"


def valid_id(sweep_id: Any) -> bool:
    return isinstance(sweep_id, str) and bool(_ID.match(sweep_id))


class SweepReader:
    """One sweep folder, read. ``meta`` is ``sweep.json``; ``trials()`` the trial records."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        meta_path = self.path / SWEEP_JSON
        try:
            meta = json.loads(read_nofollow(meta_path))
        except (OSError, ValueError, RecursionError) as exc:
            raise FormatError(f"open_sweep(): {meta_path} could not be read as JSON ({type(exc).__name__}); "
                              "this is not a mediaboard sweep.") from None
        if not isinstance(meta, dict):
            raise FormatError(f"open_sweep(): expected {meta_path} to hold a JSON object; got "
                              f"{type(meta).__name__}.")
        if not valid_id(meta.get("id")):
            raise FormatError(f"open_sweep(): {meta_path} has id {_short(meta.get('id'))}; expected 1 to 64 "
                              "characters a-z 0-9.")
        self.meta: dict[str, Any] = meta
        self.problems: list[str] = []
        self._check_meta()

    def _check_meta(self) -> None:
        meta = self.meta
        for k in ("project", "name", "storage", "program"):
            if meta.get(k) is not None and not isinstance(meta[k], str):
                self.problems.append(f"sweep.json: {k} is {_short(meta[k])}, expected a string; ignored")
                del meta[k]
        if meta.get("method") not in METHODS:
            self.problems.append(f"sweep.json: method is {_short(meta.get('method'))}, expected one of "
                                 f"{', '.join(METHODS)}")
            meta["method"] = None
        metric = meta.get("metric")
        if metric is not None and not (isinstance(metric, dict) and isinstance(metric.get("name"), str)
                                       and metric.get("goal") in ("minimize", "maximize")):
            self.problems.append(f"sweep.json: metric is {_short(metric)}, expected {{name, goal}}; ignored")
            meta["metric"] = None
        params = meta.get("parameters")
        if not isinstance(params, list):
            params = []
        kept = [p for p in params if isinstance(p, dict) and isinstance(p.get("name"), str)
                and isinstance(p.get("distribution"), str)]
        if len(kept) != len(params):
            self.problems.append(f"sweep.json: {len(params) - len(kept)} parameters are not "
                                 "{name, distribution, ...} objects; ignored")
        meta["parameters"] = kept
        for k in ("created", "run_cap", "grid_size"):
            if meta.get(k) is not None and not _number(meta[k]):
                self.problems.append(f"sweep.json: {k} is {_short(meta[k])}, expected a number; ignored")
                meta[k] = None

    def __repr__(self) -> str:
        return f"<SweepReader {self.project}/{self.id} {self.method}>"

    id = property(lambda self: self.meta["id"])
    project = property(lambda self: self.meta.get("project"))
    name = property(lambda self: self.meta.get("name") or self.meta["id"])
    method = property(lambda self: self.meta.get("method"))
    metric = property(lambda self: self.meta.get("metric"))
    parameters = property(lambda self: list(self.meta["parameters"]))
    config = property(lambda self: self.meta.get("config") if isinstance(self.meta.get("config"), dict) else {})
    created = property(lambda self: self.meta.get("created"))
    run_cap = property(lambda self: self.meta.get("run_cap"))

    def trials(self) -> list[dict[str, Any]]:
        """The trial records, by trial number. Each: ``number``, ``state`` (one of ``TRIAL_STATES``),
        ``run_id``, ``params`` (flat ``{name: value}``), ``value`` (the metric, or None),
        ``start_time``, ``end_time``, ``error``, ``pruned_at``, ``agent``. Records that are not such
        an object are skipped and named in ``problems``."""
        self.problems = [p for p in self.problems if not p.startswith(TRIALS_DIR)]
        folder = self.path / TRIALS_DIR
        if folder.is_symlink():
            self.problems.append(f"{TRIALS_DIR}/: a link; not followed")
            return []
        try:
            names = sorted(n for n in os.listdir(folder) if n.endswith(".json") and not n.startswith("."))
        except OSError:
            return []
        if len(names) > MAX_TRIALS:
            self.problems.append(f"{TRIALS_DIR}/: {len(names)} records; only the first {MAX_TRIALS} are read")
            names = names[:MAX_TRIALS]
        out: list[dict[str, Any]] = []
        for n in names:
            rec = _read_json(folder / n)
            why = _bad_trial(rec)
            if why:
                self.problems.append(f"{TRIALS_DIR}/{n}: {why}; ignored")
                continue
            assert isinstance(rec, dict)
            out.append(rec)
        out.sort(key=lambda r: r["number"])
        return out


def _read_json(path: Path) -> Any:
    try:
        return json.loads(read_nofollow(path))
    except (OSError, ValueError, RecursionError):
        return None


def _bad_trial(rec: Any) -> str | None:
    if not isinstance(rec, dict):
        return "not a JSON object"
    n = rec.get("number")
    if not isinstance(n, int) or isinstance(n, bool) or n < 0:
        return f"number is {_short(n)}, expected an integer >= 0"
    if rec.get("state") not in TRIAL_STATES:
        return f"state is {_short(rec.get('state'))}, expected one of {', '.join(TRIAL_STATES)}"
    if rec.get("run_id") is not None and not isinstance(rec.get("run_id"), str):
        return f"run_id is {_short(rec.get('run_id'))}, expected a string"
    if not isinstance(rec.get("params", {}), dict):
        return f"params is {_short(rec.get('params'))}, expected an object"
    for k in ("value", "start_time", "end_time"):
        if rec.get(k) is not None and not _number(rec[k]):
            rec[k] = None  # a NaN metric or a bad time reads as missing
    for k in ("error", "agent"):
        if rec.get(k) is not None and not isinstance(rec[k], str):
            rec[k] = None
    return None


def open_sweep(path: str | os.PathLike[str]) -> SweepReader:
    """Open a sweep folder (``FormatError`` when it is not one)."""
    return SweepReader(path)


def list_sweeps(root: str | os.PathLike[str]) -> list[SweepReader]:
    """Every sweep folder ``<root>/<project>/sweep-<id>/`` (also ``root`` being a project folder),
    oldest first. Folders that fail to read are skipped."""
    base = Path(root)
    found: list[SweepReader] = []
    candidates: list[Path] = []
    try:
        for child in base.iterdir():
            if child.name.startswith(SWEEP_PREFIX) and (child / SWEEP_JSON).is_file():
                candidates.append(child)  # ``root`` is a project folder
            elif child.is_dir() and not child.is_symlink() and not child.name.startswith("."):  # a project
                try:
                    candidates.extend(c for c in child.iterdir() if c.name.startswith(SWEEP_PREFIX))
                except OSError:
                    continue
    except OSError:
        return found
    for folder in candidates:
        if not folder.is_symlink() and (folder / SWEEP_JSON).is_file():  # a link could lead out
            try:
                found.append(SweepReader(folder))
            except FormatError:
                pass
    found.sort(key=lambda s: (s.created or 0, str(s.path)))
    return found


def find_sweep(root: str | os.PathLike[str], sweep_id: str, project: str | None = None) -> SweepReader | None:
    """The sweep with this id under ``root`` (in ``project``'s folder when given), or None."""
    for s in list_sweeps(root):
        if s.id == sweep_id and (project is None or s.project == project):
            return s
    return None


def importance(params: Iterable[dict[str, Any]], trials: Iterable[dict[str, Any]],
               goal: str = "minimize") -> dict[str, Any]:
    """How much each parameter explains the metric, by Optuna's PED-ANOVA evaluator
    (``optuna.importance.PedAnovaImportanceEvaluator``) over the trials that have a value.

    ``params`` are ``sweep.json`` parameters (``name``, ``distribution``, ``values``/``min``/``max``);
    returns ``{"method": ..., "values": {name: share}}`` (shares add up to 1), or
    ``{"method": ..., "error": why}`` when it cannot be computed (too few trials, no Optuna).
    """
    method = "PED-ANOVA (Optuna's PedAnovaImportanceEvaluator)"
    done = [t for t in trials if t.get("value") is not None and t.get("state") in ("finished", "pruned")]
    params = [p for p in params if p.get("distribution") != "constant"]
    if len(done) < 4 or not params:
        return {"method": method, "error": f"needs at least 4 trials with a metric value; has {len(done)}"}
    try:
        import optuna
        from optuna.distributions import CategoricalDistribution, FloatDistribution
    except ImportError:
        return {"method": method, "error": "Optuna is not installed (pip install optuna)"}
    dists: dict[str, Any] = {}
    for p in params:
        name = p["name"]
        vals = [t["params"].get(name) for t in done if name in t.get("params", {})]
        if not vals:
            continue
        if all(_number(v) for v in vals):
            lo, hi = min(vals), max(vals)
            if lo == hi:
                continue
            dists[name] = FloatDistribution(float(lo), float(hi))
        else:
            choices = sorted({json.dumps(v, sort_keys=True) for v in vals})
            if len(choices) < 2:
                continue
            dists[name] = CategoricalDistribution(choices)
    if not dists:
        return {"method": method, "error": "every parameter has one value in the finished trials"}
    made = []
    for t in done:
        ps: dict[str, Any] = {}
        for name, d in dists.items():
            if name not in t["params"]:
                break
            v = t["params"][name]
            ps[name] = float(v) if isinstance(d, FloatDistribution) else json.dumps(v, sort_keys=True)
        else:
            made.append(optuna.trial.create_trial(params=ps, distributions=dists, value=float(t["value"])))
    if len(made) < 4:
        return {"method": method, "error": f"needs at least 4 trials with every parameter; has {len(made)}"}
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study = optuna.create_study(direction="maximize" if goal == "maximize" else "minimize")
    study.add_trials(made)
    try:
        values = optuna.importance.get_param_importances(
            study, evaluator=optuna.importance.PedAnovaImportanceEvaluator())
    except (ValueError, RuntimeError, ZeroDivisionError) as exc:
        return {"method": method, "error": f"{type(exc).__name__}: {exc}"}
    return {"method": method, "values": {k: float(v) for k, v in values.items()}}
