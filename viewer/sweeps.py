"""The sweep pages' data: each sweep folder (read through ``media.sweepfolder`` only) joined with
its trials' runs, as the page draws it.

``build.py`` calls ``write_sweeps`` once per build; it writes::

    SITE/data/sweeps.js                 MB.data.sweeps([{key, id, project, name, method, metric, ...}])
    SITE/data/sweeps/<key>.js           MB.data.sweep(key, {trials, parameters, best, ...})

and returns a digest of what it wrote, which goes into ``data/live.js`` so an open sweep page
follows the sweep while its agents run. What a page gets for one sweep (``sweep_data``):

- ``trials``: one row per trial record, joined with its run (the index entry of
  ``<project>/<run_id>``): params, metric value, trial state, run status, duration, group, name,
  the run's site key (the link target) and its flat config (filters);
- ``best``: the best trial with a value, by the goal;
- ``correlation``: per parameter, Pearson's r of the metric with the parameter (with log10 of it
  for a log-scale distribution, as the plot's axis shows it) for numeric parameters, and the
  correlation ratio eta (0..1, no sign) for categorical ones;
- ``importance``: ``media.sweepfolder.importance`` (Optuna's PED-ANOVA), computed again only when
  the finished trials changed;
- ``running_best``: ``[number, value, best so far]`` over trial numbers.

A sweep folder is untrusted input: a value of an unexpected type is shown as text or left out, and
said so in ``problems``; nothing in it can stop the build.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from media import runfolder as rf
from media import sweepfolder as sf
from viewer.text import js_value

#: distributions whose values the page draws on a log axis (when every value is > 0)
LOG_DISTRIBUTIONS = frozenset({"log_uniform", "log_uniform_values", "q_log_uniform", "q_log_uniform_values",
                               "inv_log_uniform", "inv_log_uniform_values"})
PEARSON = "Pearson's r (of log10 of the value for log-scale parameters)"
ETA = "correlation ratio η (0 to 1, no sign)"
#: longest text a parameter value keeps on the page (a longer one is cut and said so)
MAX_TEXT = 200


def sweep_key(sweep: sf.SweepReader) -> str:
    """The sweep's folder-safe name inside the site: ``<project>.sweep-<id>``."""
    return f"{rf.safe_segment(str(sweep.project or sweep.path.parent.name))}.{sf.SWEEP_PREFIX}{sweep.id}"


def find_sweeps(sources: Iterable[str | os.PathLike[str]], run_dirs: Iterable[Path]) -> list[sf.SweepReader]:
    """Every sweep under the sources and in the project folder of every run, without duplicates."""
    seen: set[Path] = set()
    out: list[sf.SweepReader] = []
    places = [Path(s) for s in sources] + sorted({Path(d).parent for d in run_dirs})
    for place in places:
        for s in sf.list_sweeps(place):
            real = s.path.resolve()
            if real not in seen:
                seen.add(real)
                out.append(s)
    out.sort(key=lambda s: (s.created or 0, str(s.path)))
    return out


_number = rf._is_time  # a finite number, not a bool


def _shown(v: Any) -> Any:
    """A parameter value as the page shows it: a finite number stays one, anything else is text."""
    if _number(v):
        return v
    if isinstance(v, str):
        text = v
    else:
        try:
            text = json.dumps(v, sort_keys=True)
        except (TypeError, ValueError, RecursionError):
            text = repr(v)
    return text if len(text) <= MAX_TEXT else text[:MAX_TEXT - 1] + "…"


def _pearson(xs: list[float], ys: list[float]) -> float | None:
    n = len(xs)
    if n < 3:
        return None
    mx, my = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mx) ** 2 for x in xs)
    syy = sum((y - my) ** 2 for y in ys)
    if sxx <= 0 or syy <= 0:
        return None
    r = sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / math.sqrt(sxx * syy)
    return max(-1.0, min(1.0, r))


def _eta(labels: list[str], ys: list[float]) -> float | None:
    """The correlation ratio: sqrt(between-group sum of squares / total sum of squares)."""
    if len(ys) < 3 or len(set(labels)) < 2:
        return None
    mean = sum(ys) / len(ys)
    total = sum((y - mean) ** 2 for y in ys)
    if total <= 0:
        return None
    groups: dict[str, list[float]] = {}
    for lab, y in zip(labels, ys):
        groups.setdefault(lab, []).append(y)
    between = sum(len(g) * (sum(g) / len(g) - mean) ** 2 for g in groups.values())
    return math.sqrt(max(0.0, min(1.0, between / total)))


def _parameters(sweep: sf.SweepReader, trials: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The searched parameters (sweep.json's, then any other name the trials carry), each with
    ``kind`` (numeric, categorical or constant), ``log`` and, for categorical ones, ``choices``."""
    declared = {p["name"]: p for p in sweep.parameters}
    names = list(declared)
    for t in trials:
        for k in t["params"]:
            if k not in declared and k not in names:
                names.append(k)
    out = []
    for name in names:
        p = declared.get(name, {})
        dist = p.get("distribution") if isinstance(p.get("distribution"), str) else "unknown"
        vals = [t["params"][name] for t in trials if name in t["params"]]
        entry: dict[str, Any] = {"name": name, "distribution": dist}
        if dist == "constant":
            entry["kind"] = "constant"
            entry["value"] = _shown(p.get("value"))
        elif vals and all(_number(v) for v in vals):
            entry["kind"] = "numeric"
            entry["log"] = dist in LOG_DISTRIBUTIONS and all(v > 0 for v in vals)
        else:
            entry["kind"] = "categorical"
            declared_values = p.get("values") if isinstance(p.get("values"), list) else []
            choices: list[Any] = []
            for v in [*declared_values, *vals]:
                s = _text_of(v)
                if s not in choices:
                    choices.append(s)
            entry["choices"] = choices[:1000]
        for k in ("min", "max"):
            if _number(p.get(k)):
                entry[k] = p[k]
        out.append(entry)
    return out


def _text_of(v: Any) -> str:
    s = _shown(v)
    return s if isinstance(s, str) else json.dumps(s)


def _better(goal: str | None) -> Callable[[float, float], bool]:
    if goal == "maximize":
        return lambda a, b: a > b
    return lambda a, b: a < b


#: importance by a digest of what it was computed from: `watch` rebuilds every second, Optuna
#: runs again only when a sweep's finished trials changed (a few sweeps' worth is kept)
_IMPORTANCE: dict[str, dict[str, Any]] = {}
IMPORTANCE_CACHE = 16


def _importance(params: list[dict[str, Any]], trials: list[dict[str, Any]], goal: str) -> dict[str, Any]:
    digest = hashlib.sha256(json.dumps([params, trials, goal], sort_keys=True).encode()).hexdigest()
    if digest not in _IMPORTANCE:
        while len(_IMPORTANCE) >= IMPORTANCE_CACHE:
            del _IMPORTANCE[next(iter(_IMPORTANCE))]
        _IMPORTANCE[digest] = sf.importance(params, trials, goal)
    return _IMPORTANCE[digest]


def sweep_data(sweep: sf.SweepReader, runs: dict[tuple[str, str], dict[str, Any]]) -> dict[str, Any]:
    """One sweep as its page gets it (see the module's docstring). ``runs``: the site's index
    entries by (project, run id)."""
    records = sweep.trials()
    problems = list(sweep.problems)
    metric = sweep.metric
    goal = metric["goal"] if metric else None
    project = str(sweep.project or sweep.path.parent.name)
    trials: list[dict[str, Any]] = []
    for rec in records:
        params = rec.get("params") or {}
        run = runs.get((project, rec["run_id"])) if isinstance(rec.get("run_id"), str) else None
        start, end = rec.get("start_time"), rec.get("end_time")
        # a running trial's duration ticks on the page (from start_time): left out of the data, so
        # the page's data changes only when a trial does, not at every heartbeat
        ticking = run.get("status") == "running" if run is not None else rec["state"] == "running"
        duration = run.get("duration") if run and not ticking else None
        if duration is None and not ticking and isinstance(start, (int, float)) and isinstance(end, (int, float)):
            duration = max(0.0, end - start)  # the reader made them finite numbers or None
        trials.append({
            "number": rec["number"],
            "state": rec["state"],
            "run_id": rec.get("run_id"),
            "run": run["key"] if run else None,
            "name": run.get("name") if run else None,
            "group": run.get("group") if run else None,
            "status": run.get("status") if run else None,
            "start_time": (run.get("start_time") if run else None) or start,
            "duration": duration,
            "params": {str(k): _shown(v) for k, v in params.items()},
            "value": rec.get("value") if _number(rec.get("value")) else None,
            "error": _shown(rec["error"]) if rec.get("error") is not None else None,
            "pruned_at": rec.get("pruned_at") if _number(rec.get("pruned_at")) else None,
            "config": run.get("config", {}) if run else {},
        })
    missing = [t["number"] for t in trials if t["run_id"] and t["run"] is None]
    if missing:
        problems.append(f"{len(missing)} trials name a run that is not in this site (trials "
                        f"{', '.join(map(str, missing[:10]))}{', ...' if len(missing) > 10 else ''})")
    params = _parameters(sweep, trials)

    better = _better(goal)
    best: dict[str, Any] | None = None
    running: list[list[Any]] = []
    so_far: float | None = None
    for t in trials:
        v = t["value"]
        if v is None:
            continue
        if so_far is None or better(v, so_far):
            so_far = v
            if metric:
                best = t
        running.append([t["number"], v, so_far])

    correlation: dict[str, Any] = {}
    scored = [t for t in trials if t["value"] is not None]
    for p in params:
        name = p["name"]
        have = [t for t in scored if name in t["params"]]
        ys = [float(t["value"]) for t in have]
        if p["kind"] == "numeric":
            xs = [float(t["params"][name]) for t in have]
            if p.get("log"):
                xs = [math.log10(x) for x in xs]
            r = _pearson(xs, ys)
            correlation[name] = {"method": "pearson", "value": r, "n": len(have)}
        elif p["kind"] == "categorical":
            r = _eta([_text_of(t["params"][name]) for t in have], ys)
            correlation[name] = {"method": "eta", "value": r, "n": len(have)}

    if metric:
        imp_params = [{"name": p["name"], "distribution": p["distribution"]} for p in params if p["kind"] != "constant"]
        imp_trials = [{"state": t["state"], "value": t["value"], "params": t["params"]} for t in trials]
        importance = _importance(imp_params, imp_trials, goal or "minimize")
    else:
        importance = {"method": "PED-ANOVA (Optuna's PedAnovaImportanceEvaluator)",
                      "error": "the sweep has no metric"}

    counts: dict[str, int] = {}
    for t in trials:
        counts[t["state"]] = counts.get(t["state"], 0) + 1
    return {
        "key": sweep_key(sweep),
        "id": sweep.id,
        "project": project,
        "name": _shown(sweep.name),
        "method": sweep.method,
        "metric": metric,
        "created": sweep.created,
        "run_cap": sweep.run_cap,
        "parameters": params,
        "trials": trials,
        "counts": counts,
        "best": {"number": best["number"], "run": best["run"], "name": best["name"], "value": best["value"]}
        if best else None,
        "running_best": running,
        "correlation": {"methods": {"pearson": PEARSON, "eta": ETA}, "values": correlation},
        "importance": importance,
        "groups": sorted({t["group"] for t in trials if isinstance(t["group"], str)}),
        "problems": problems,
    }


def summary_of(data: dict[str, Any]) -> dict[str, Any]:
    """The index's line for a sweep."""
    return {k: data[k] for k in ("key", "id", "project", "name", "method", "metric", "created", "counts", "best")} | {
        "trials": len(data["trials"])}


def write_sweeps(sources: Iterable[str | os.PathLike[str]], index: list[dict[str, Any]],
                 run_dirs: Iterable[Path], write: Callable[[str, str], None],
                 problems: list[str] | None = None) -> str:
    """Write ``data/sweeps.js`` and ``data/sweeps/<key>.js`` (through ``write(rel, text)``) for
    every sweep; returns a digest of them (for ``data/live.js``)."""
    runs = {(str(e.get("project")), str(e.get("id"))): e for e in index}
    summaries = []
    h = hashlib.sha256()
    used: set[str] = set()
    for sweep in find_sweeps(sources, run_dirs):
        try:
            data = sweep_data(sweep, runs)
        except (OSError, ValueError, TypeError, KeyError, AttributeError, RecursionError) as exc:
            # a sweep folder is untrusted: what it holds never stops the build of the others
            if problems is not None:
                problems.append(f"sweep {sweep.path}: could not be read ({type(exc).__name__}: {exc})")
            continue
        key = data["key"]
        n = 2
        while key in used:
            key = f"{data['key']}-{n}"
            n += 1
        used.add(key)
        data["key"] = key
        text = f"MB.data.sweep({js_value(key)},{js_value(data)});\n"
        write(f"data/sweeps/{key}.js", text)
        h.update(text.encode("utf-8"))
        summaries.append(summary_of(data))
        if problems is not None:
            problems.extend(f"{key}: {p}" for p in data["problems"])
    write("data/sweeps.js", f"MB.data.sweeps({js_value(summaries)});\n")
    return h.hexdigest()[:16]

