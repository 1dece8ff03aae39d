"""What ``media.init`` reads besides its arguments, what it does when a run is active, and alerts.

``init`` here is the public one: it resolves the environment (below) and wandb's ``reinit``
rules, then starts the run with ``media._api.init``.

Environment (wandb's names; each ``MEDIABOARD_`` twin wins over its ``WANDB_`` name, and an
argument given to ``init()`` wins over both, as in wandb):

=================  =============  ===========================================================
variable suffix    argument       value
=================  =============  ===========================================================
``PROJECT``        project        the project
``NAME``           name           the run's display name
``NOTES``          notes          the run's notes
``TAGS``           tags           comma-separated (``"a,b"`` -> ``["a", "b"]``; blanks dropped)
``RUN_GROUP``      group          the group
``JOB_TYPE``       job_type       the job type
``RUN_ID``         id             the run id
``RESUME``         resume         allow, must, never, auto (or true/false)
``MODE``           mode           online, offline, disabled, ...
``DISABLED``       mode           true/1/yes: mode "disabled" (wins over ``MODE``)
``SILENT``         (none)         accepted: mediaboard prints nothing but warnings of problems
=================  =============  ===========================================================

``reinit`` (wandb 0.19+), when ``init`` is called while a run is active:

- ``"finish_previous"`` (also ``True``): finish the active run(s), start a new one;
- ``"return_previous"``: return the most recently started run that is not finished (arguments
  are ignored, as in wandb); start one if there is none;
- ``"create_new"``: start another run beside the active one; ``media.run``, ``media.log`` and
  the other module-level names keep pointing at the active run (as in wandb), so log to the
  new one through the returned object. It is finished at exit like the others;
- ``"default"`` (also ``None`` and ``False``): ``"finish_previous"``. wandb returns the previous
  run in scripts and finishes it in notebooks; mediaboard always finishes it, because a second
  ``init`` usually means a second run (a loop over configurations) and returning the first run
  would silently mix both into one folder and drop the second one's config and name.
"""

from __future__ import annotations

import atexit
import os
import sys
import threading
from typing import Any

from media import _api
from media.errors import MediaValueError, RunStateError, describe

REINIT_VALUES = ("default", "return_previous", "finish_previous", "create_new")

#: init() argument -> environment variable suffix (after "MEDIABOARD_" / "WANDB_")
ENV_ARGS = {
    "project": "PROJECT", "name": "NAME", "notes": "NOTES", "tags": "TAGS", "group": "RUN_GROUP",
    "job_type": "JOB_TYPE", "id": "RUN_ID", "resume": "RESUME", "mode": "MODE",
}
_TRUE = ("1", "true", "yes", "on")
_FALSE = ("0", "false", "no", "off")

#: runs started with reinit="create_new" that may still be running (finished at exit)
_side_runs: list[Any] = []
_side_lock = threading.Lock()
_atexit_registered = False


def env(suffix: str) -> tuple[str, str] | None:
    """``(variable name, value)`` of ``MEDIABOARD_<suffix>``, else ``WANDB_<suffix>``; unset or
    empty variables are skipped."""
    for prefix in ("MEDIABOARD_", "WANDB_"):
        value = os.environ.get(prefix + suffix)
        if value:
            return prefix + suffix, value
    return None


def _flag(suffix: str) -> bool:
    found = env(suffix)
    if found is None:
        return False
    name, value = found
    if value.strip().lower() in _TRUE:
        return True
    if value.strip().lower() in _FALSE:
        return False
    raise MediaValueError(f"init(): environment variable {name} must be true or false "
                          f"(1/0, yes/no, on/off); got {value!r}.")


def _from_env(args: dict[str, Any]) -> dict[str, Any]:
    """``args`` with every argument left as None filled from the environment."""
    out = dict(args)
    for arg, suffix in ENV_ARGS.items():
        if out.get(arg) is not None:
            continue
        found = env(suffix)
        if found is None:
            continue
        name, value = found
        if arg == "tags":
            out[arg] = [t.strip() for t in value.split(",") if t.strip()]
        elif arg == "resume":
            lowered = value.strip().lower()
            if lowered in ("allow", "must", "never", "auto"):
                out[arg] = lowered
            elif lowered in _TRUE or lowered in _FALSE:
                out[arg] = lowered in _TRUE
            else:
                raise MediaValueError(f"init(): environment variable {name} must be allow, must, "
                                      f"never, auto, true or false; got {value!r}.")
        else:
            out[arg] = value
    if args.get("mode") is None and _flag("DISABLED"):
        out["mode"] = "disabled"
    _flag("SILENT")  # checked, nothing to silence (see the module docstring)
    return out


def _reinit_value(reinit: Any, settings: Any) -> str:
    if reinit is None and settings is not None:
        reinit = settings.get("reinit") if isinstance(settings, dict) else getattr(settings, "reinit", None)
    if reinit is None or reinit is False:
        return "default"
    if reinit is True:
        return "finish_previous"
    if isinstance(reinit, str) and reinit in REINIT_VALUES:
        return reinit
    raise MediaValueError(f"init(): reinit must be one of {', '.join(map(repr, REINIT_VALUES))}, "
                          f"True or False; got {describe(reinit)}.")


def _running(run: Any) -> bool:
    if run is None:
        return False
    if hasattr(run, "_finished"):
        return not run._finished
    return run is _api._current  # a DisabledRun is running while it is the active run


def init(
    project: str | None = None,
    name: str | None = None,
    config: Any = None,
    dir: str | os.PathLike[str] | None = None,  # noqa: A002 - wandb's name
    id: str | None = None,  # noqa: A002 - wandb's name
    notes: str | None = None,
    tags: list[str] | tuple[str, ...] | None = None,
    group: str | None = None,
    job_type: str | None = None,
    reinit: Any = None,
    resume: Any = None,
    mode: str | None = None,
    entity: str | None = None,
    anonymous: str | None = None,
    settings: Any = None,
    config_exclude_keys: list[str] | None = None,
    config_include_keys: list[str] | None = None,
    save_code: bool | None = None,
    *,
    magic: Any = None,
    allow_val_change: bool | None = None,
    force: bool | None = None,
    tensorboard: bool | None = None,
    sync_tensorboard: bool | None = None,
    monitor_gym: bool | None = None,
    fork_from: str | None = None,
    resume_from: str | None = None,
) -> Any:
    """Start a run and return it; ``media.run``, ``media.config``, ``media.summary`` point at it.

    Runs are written under ``dir``, else ``$MEDIABOARD_DIR``, else ``./mediaboard``, as
    ``<root>/<project>/<id>/`` (see docs/format.md). Arguments left out are read from the
    ``MEDIABOARD_*`` / ``WANDB_*`` environment (``WANDB_NAME``, ``WANDB_TAGS``, ``WANDB_RUN_ID``,
    ...; see ``media._session``). ``reinit`` decides what happens to an active run:
    "finish_previous" (the default here), "return_previous", "create_new" (a second run beside
    it). ``resume="auto"`` without an id continues this project's last run under the root if it
    did not finish (it crashed or failed). ``mode="disabled"`` returns a run whose every call is
    a no-op.

    Every other keyword of ``wandb.init`` is accepted: ``entity``, ``anonymous``, ``save_code``,
    ``magic``, ``allow_val_change``, ``force``, ``tensorboard``, ``sync_tensorboard``,
    ``monitor_gym``, ``fork_from`` and ``resume_from`` mean nothing here (no server or account).
    Any other keyword is a ``TypeError`` (``init() got an unexpected keyword argument 'projcet'``)
    and the active run is kept.

    Example::

        run = media.init(project="mnist", config={"lr": 1e-3})
        media.log({"loss": 0.5})
        media.finish()
    """
    args = _from_env({"project": project, "name": name, "notes": notes, "tags": tags,
                      "group": group, "job_type": job_type, "id": id, "resume": resume,
                      "mode": mode})
    how = _reinit_value(reinit, settings)
    kwargs = dict(args, config=config, dir=dir, entity=entity, anonymous=anonymous,
                  settings=settings, config_exclude_keys=config_exclude_keys,
                  config_include_keys=config_include_keys, save_code=save_code, magic=magic,
                  allow_val_change=allow_val_change, force=force, tensorboard=tensorboard,
                  sync_tensorboard=sync_tensorboard, monitor_gym=monitor_gym, fork_from=fork_from,
                  resume_from=resume_from)
    trial = _sweep_trial()
    if trial is not None:  # inside a sweep's trial: the run is the trial's (media/_sweep.py)
        kwargs = trial.init_kwargs(kwargs)
        how = "finish_previous"
    with _api._lock:
        with _side_lock:
            _side_runs[:] = [r for r in _side_runs if _running(r)]
            side = list(_side_runs)
        if how == "return_previous":
            candidates = side + ([_api._current] if _running(_api._current) else [])
            if candidates:
                return max(candidates, key=lambda r: getattr(r, "_started_order", 0))
        if how == "create_new":
            return _create_new(kwargs)
        if side:  # "finish_previous" (and "default", the same here): every active run
            for run in side:
                run.finish()
        run = _api.init(**kwargs)
        _stamp(run)
        if trial is not None:
            trial.attach(run)
        return run


def _sweep_trial() -> Any:
    """The sweep trial this init belongs to, if any (without loading media._sweep otherwise)."""
    sweep = sys.modules.get("media._sweep")
    if sweep is None and not os.environ.get("MEDIABOARD_SWEEP_TRIAL_FILE"):
        return None
    from media import _sweep

    return _sweep.trial_context()


_order = 0


def _stamp(run: Any) -> None:
    """Number runs in the order they started (return_previous returns the latest)."""
    global _order
    _order += 1
    try:
        run._started_order = _order
    except AttributeError:  # pragma: no cover - every run class takes attributes
        pass


def _create_new(kwargs: dict[str, Any]) -> Any:
    """Start a run beside the active one, leaving ``media.run`` and the module-level functions
    on the active run. ``_api.init`` finishes whatever is active, so the active run is set aside
    for the call (under ``_api._lock``, which ``finish`` and ``init`` also take) and put back."""
    global _atexit_registered
    previous = _api._current
    _api._current = None
    try:
        run = _api.init(**kwargs)
    finally:
        _api._set_current(previous)
    _stamp(run)
    with _side_lock:
        _side_runs.append(run)
        if not _atexit_registered:
            atexit.register(_finish_side_runs)
            _atexit_registered = True
    return run


def _finish_side_runs() -> None:
    with _side_lock:
        runs = [r for r in _side_runs if _running(r)]
        _side_runs.clear()
    for run in runs:
        try:
            run.finish(exit_code=1 if _api._uncaught_exception else 0)
        except Exception:  # noqa: BLE001, S110 - at exit, one run's failure must not stop the rest
            pass


def alert(title: str, text: str, level: Any = None, wait_duration: Any = None) -> None:
    """Record an alert on the active run (see ``Run.alert``): ``alerts.jsonl`` in its folder.

    Example::

        media.alert(title="low accuracy", text=f"acc {acc:.3f} < 0.5", level=media.AlertLevel.WARN)
    """
    run = _api._current
    if run is None:
        raise RunStateError("media.alert(): no active run; call media.init() first.")
    if not hasattr(run, "alert"):  # a disabled run records nothing
        return
    run.alert(title, text, level=level, wait_duration=wait_duration)
