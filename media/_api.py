"""Module-level API (``media.init``, ``media.log``, ...), wandb's names and semantics.

``media.run``, ``media.config`` and ``media.summary`` are module attributes that ``init`` points
at the new run's objects and ``finish`` points back at placeholders, as in wandb.
"""

from __future__ import annotations

import atexit
import os
import sys
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from media import runfolder as rf
from media._preinit import _PreInit
from media.errors import MediaTypeError, MediaValueError, RunStateError, describe

_lock = threading.RLock()
_current: Any = None
_atexit_registered = False
_uncaught_exception = False

MODES = ("online", "offline", "disabled", "dryrun", "run")


class _Noop:
    """Dict-like, attribute-settable, persists nothing: config/summary of a disabled run."""

    def __init__(self) -> None:
        object.__setattr__(self, "_d", {})

    def __getitem__(self, k: str) -> Any:
        return self._d[k]

    def __setitem__(self, k: str, v: Any) -> None:
        self._d[k] = v

    def __delitem__(self, k: str) -> None:
        self._d.pop(k, None)

    def __contains__(self, k: object) -> bool:
        return k in self._d

    def __iter__(self):  # noqa: ANN204
        return iter(self._d)

    def __len__(self) -> int:
        return len(self._d)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        try:
            return self._d[name]
        except KeyError:
            raise AttributeError(name) from None

    def __setattr__(self, name: str, value: Any) -> None:
        self._d[name] = value

    def update(self, data: Any = None, *_: Any, **kw: Any) -> None:
        if data is not None:
            self._d.update(data if isinstance(data, Mapping) else vars(data))
        self._d.update(kw)

    def get(self, k: str, default: Any = None) -> Any:
        return self._d.get(k, default)

    def keys(self):  # noqa: ANN201
        return self._d.keys()

    def items(self):  # noqa: ANN201
        return self._d.items()

    def as_dict(self) -> dict[str, Any]:
        return dict(self._d)


class DisabledRun:
    """What init(mode="disabled") returns: every call is a cheap no-op and nothing touches disk."""

    mode = "disabled"

    def __init__(self, project: str, name: str | None, config: Any) -> None:
        self.id = "disabled"
        self.project = project
        self.name = name or "disabled"
        self.notes = self.group = self.job_type = None
        self.tags: list[str] = []
        self.dir = os.devnull
        self.path = f"{project}/disabled"
        self.step = 0
        self.config = _Noop()
        if isinstance(config, Mapping):
            self.config.update(config)
        self.summary = _Noop()

    def log(self, data: Any, step: int | None = None, commit: bool | None = None,
            sync: bool | None = None) -> None:
        return None

    def save(self, *_: Any, **__: Any) -> list[str]:
        return []

    def define_metric(self, *_: Any, **__: Any) -> None:
        return None

    def alert(self, *_: Any, **__: Any) -> None:
        return None

    def _label(self, *_: Any, **__: Any) -> None:
        return None

    def log_artifact(self, artifact_or_path: Any, *_: Any, **__: Any) -> Any:
        return artifact_or_path  # nothing is stored; the artifact comes back as given

    def use_artifact(self, artifact_or_name: Any, *_: Any, **__: Any) -> Any:
        return artifact_or_name

    def log_model(self, *_: Any, **__: Any) -> None:
        return None

    def use_model(self, *_: Any, **__: Any) -> str:
        return os.devnull

    def link_artifact(self, artifact: Any, *_: Any, **__: Any) -> Any:
        return artifact

    def watch(self, *_: Any, **__: Any) -> None:
        return None

    def unwatch(self, *_: Any, **__: Any) -> None:
        return None

    def finish(self, exit_code: int | None = None, quiet: bool | None = None) -> None:
        finish(exit_code=exit_code, run=self)

    def _close(self, exit_code: int | None = None) -> None:
        return None

    def __enter__(self) -> DisabledRun:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.finish()


def _set_module_state(run: Any) -> None:
    import media

    media.run = run
    media.config = run.config if run is not None else _PreInit("config")
    media.summary = run.summary if run is not None else _PreInit("summary")


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
    ``<root>/<project>/<id>/`` (see docs/format.md). An active run is finished first.
    ``mode="disabled"`` returns a run whose every call is a no-op.

    This is the writer's own init; ``media.init`` (``media/_session.py``) wraps it: it reads the
    ``WANDB_*``/``MEDIABOARD_*`` environment variables and applies ``reinit`` (``"create_new"``,
    ``"finish_previous"``, ``"return_previous"``, ``"default"``) before calling here.

    Every keyword of ``wandb.init`` is accepted. These are accepted and ignored here (there is no
    server, account or sync): ``entity``, ``anonymous``, ``reinit`` (handled by the wrapper; here an
    active run is always finished first), ``save_code``, ``magic``, ``allow_val_change`` (config values may always
    change), ``force``, ``tensorboard``, ``sync_tensorboard``, ``monitor_gym``, ``fork_from`` and
    ``resume_from`` (no forking or rewinding: the run starts as ``id`` and ``resume`` say). Any
    other keyword is a ``TypeError``, as in wandb: ``init() got an unexpected keyword argument
    'projcet'``; the active run is kept.

    Example::

        run = media.init(project="mnist", config={"lr": 1e-3})
        media.log({"loss": 0.5})
        media.finish()
    """
    # accepted for wandb compatibility, no effect here (see the docstring)
    del reinit, entity, anonymous, save_code, magic, allow_val_change, force, tensorboard
    del sync_tensorboard, monitor_gym, fork_from, resume_from
    global _atexit_registered
    from media._config import Config, resolve_init_config
    from media._run import SETTINGS, Run, check_init_args

    mode = mode or os.environ.get("MEDIABOARD_MODE") or os.environ.get("WANDB_MODE") or "offline"
    if mode not in MODES:
        raise MediaValueError(f"init(): mode must be one of {', '.join(MODES)}; got {mode!r}.")
    project = project or os.environ.get("WANDB_PROJECT") or "uncategorized"
    if not isinstance(project, str):
        raise MediaTypeError(f"init(): project must be a string; got {describe(project)}.")
    if tags is not None and (isinstance(tags, (str, bytes)) or not isinstance(tags, (list, tuple, set, frozenset))
                             or not all(isinstance(t, str) for t in tags)):
        raise MediaTypeError(f"init(): tags must be a list of strings; got {describe(tags)}.")
    if dir is not None and not isinstance(dir, (str, os.PathLike)):
        raise MediaTypeError(f"init(): dir must be a folder path (str or PathLike) or None; got {describe(dir)}.")
    if dir is not None and "\x00" in os.fspath(dir):
        raise MediaValueError(f"init(): dir must be a path without NUL characters; got {os.fspath(dir)!r}.")
    if id is not None and not isinstance(id, str):
        raise MediaTypeError(f"init(): id must be a string; got {describe(id)}.")
    if settings is not None and not isinstance(settings, dict):
        settings = {k: getattr(settings, k) for k in SETTINGS if getattr(settings, k, None) is not None}
    if id == "":
        raise MediaValueError("init(): id must be a non-empty string; got ''.")
    if mode != "disabled":
        # the config is read and checked before the active run is finished (a bad one keeps it)
        config = resolve_init_config(config)
        if config_exclude_keys or config_include_keys:
            config = {
                k: v for k, v in config.items()
                if (not config_include_keys or k in config_include_keys)
                and k not in (config_exclude_keys or ())
            }
        Config().update(config)
        check_init_args(project=project, name=name, notes=notes, tags=tags, group=group,
                        job_type=job_type, resume=resume, run_id=id, settings=settings)
    with _lock:
        if _current is not None:
            finish()
        if mode == "disabled":
            run: Any = DisabledRun(project, name, config)
        else:
            root = Path(dir) if dir is not None else rf.default_root()
            if root.exists() and not root.is_dir():
                raise MediaValueError(
                    f"init(): dir must be a folder (or not exist yet); got {str(root)!r}, which is a file."
                )
            run = Run(
                root=root, project=project, run_id=id, name=name, notes=notes,
                tags=list(tags) if tags is not None else None, group=group, job_type=job_type,
                config=config, resume=resume, mode=mode,
                settings=settings,
            )
        _set_current(run)
        if not _atexit_registered:
            atexit.register(_finish_at_exit)
            _install_excepthook()
            _atexit_registered = True
        return run


def _set_current(run: Any) -> None:
    global _current
    _current = run
    _set_module_state(run)


def log(data: Mapping[str, Any], step: int | None = None, commit: bool | None = None,
        sync: bool | None = None) -> None:
    """Log to the current run (see ``Run.log``). ``sync`` is wandb's and is ignored; any other
    keyword is a ``TypeError``."""
    run = _current
    if run is None:
        raise RunStateError("media.log(): no active run; call media.init() first.")
    run.log(data, step=step, commit=commit, sync=sync)


def save(glob_str: str | os.PathLike[str] | None = None, base_path: str | None = None,
         policy: str = "live") -> list[str]:
    """Copy files matching ``glob_str`` into the run's ``files/`` folder, keeping relative names.

    With policy "live" or "end" the files are copied again at finish, so their last version is kept.
    """
    run = _current
    if run is None:
        raise RunStateError("media.save(): no active run; call media.init() first.")
    return run.save(glob_str, base_path=base_path, policy=policy)


def finish(exit_code: int | None = None, quiet: bool | None = None, run: Any = None) -> None:
    """Finish the current run (or ``run``): drain the media worker, write summary and status.

    ``quiet`` is wandb's and is ignored; any other keyword is a ``TypeError``."""
    del quiet
    with _lock:
        target = run if run is not None else _current
        if target is None:
            return
        target._close(exit_code=exit_code)
        if target is _current:
            _set_current(None)


def define_metric(name: str, step_metric: str | None = None, **kwargs: Any) -> None:
    """Record a metric definition on the current run (see ``Run.define_metric``)."""
    run = _current
    if run is None:
        raise RunStateError("media.define_metric(): no active run; call media.init() first.")
    run.define_metric(name, step_metric=step_metric, **kwargs)


def login(*_: Any, **__: Any) -> bool:
    """Accepted for wandb compatibility: there is no account; always True."""
    return True


def termlog(string: str = "", newline: bool = True, repeat: bool = True, prefix: bool = True) -> None:
    """wandb's ``termlog``: a line on stderr, ``mediaboard: `` in front (``prefix=False``: none);
    ``repeat=False`` prints each text once per process. Integrations call it for their notices."""
    _term(string, newline=newline, repeat=repeat, prefix=prefix, level="")


def termwarn(string: str = "", newline: bool = True, repeat: bool = True, prefix: bool = True) -> None:
    """wandb's ``termwarn``: as ``termlog``, marked ``WARNING``."""
    _term(string, newline=newline, repeat=repeat, prefix=prefix, level="WARNING ")


def termerror(string: str = "", newline: bool = True, repeat: bool = True, prefix: bool = True) -> None:
    """wandb's ``termerror``: as ``termlog``, marked ``ERROR``."""
    _term(string, newline=newline, repeat=repeat, prefix=prefix, level="ERROR ")


_printed: set[str] = set()


def _term(string: Any, *, newline: bool, repeat: bool, prefix: bool, level: str) -> None:
    text = str(string)
    if not repeat:
        if text in _printed:
            return
        _printed.add(text)
    head = f"mediaboard: {level}" if prefix else level
    sys.stderr.write(head + text + ("\n" if newline else ""))
    sys.stderr.flush()


def _finish_at_exit() -> None:
    if _current is not None:
        finish(exit_code=1 if _uncaught_exception else 0)


def _install_excepthook() -> None:
    previous = sys.excepthook

    def hook(exc_type: Any, exc: Any, tb: Any) -> None:
        global _uncaught_exception
        _uncaught_exception = True
        previous(exc_type, exc, tb)

    sys.excepthook = hook
