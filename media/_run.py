"""The Run: step rules, the history writer, the media encoders, and run metadata.

``log()`` is on the user's training loop. It validates and flattens the values (so a value the
run folder cannot hold is refused there, naming its key), merges them into the pending row, and
on commit appends the row to ``history.jsonl`` with one ``os.write`` before returning: every step
whose ``log()`` returned is on disk with all its plain values. A row with media lists them under
``_pending``; a pool of encoder threads writes each media value's files and then appends a
"part" line with its stub, which readers merge into the row (docs/format.md, "Crash safety").

Nothing the encoders meet can stop the run: an encoder or disk error becomes a warning naming
key and step, an ``error`` stub, and a line of ``run.json`` ``errors``; rows the disk refuses stay
in memory and are written once it takes them again; ``finish()`` waits only while the encoders
make progress.
"""

from __future__ import annotations

import datetime as _dt
import enum
import glob as _glob
import math
import os
import random
import re
import socket
import sys
import threading
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from media import runfolder as rf
from media._base import Media
from media._config import DEFAULTS_FILE, Config, load_yaml, resolve_init_config
from media._registry import MediaList, coerce
from media._summary import Summary
from media._writer import Encoders, History, RunLock, default_workers
from media.errors import (
    MediaError,
    MediaTypeError,
    MediaValueError,
    RunStateError,
    add_context,
    describe,
    warn,
)

_ADJECTIVES = (
    "amber autumn bold brisk calm cosmic crimson dainty dawn deep eager fancy fiery frosty gentle "
    "glad golden grand hardy hazy icy jolly keen lively lucid misty noble olive polar proud quiet "
    "rapid royal rustic sage scarlet shiny silent smooth snowy solar stellar sunny swift tidy "
    "twilight vivid warm wild winter"
).split()
_NOUNS = (
    "bird breeze brook butterfly cherry cloud comet dew dream dust feather field fire firefly "
    "flower fog forest frog galaxy glade grass haze hill lake leaf meadow moon morning mountain "
    "night ocean paper pine planet pond rain resonance river sea shadow sky smoke snow sound "
    "star sun sunset surf thunder tree violet voice water wave wind wood"
).split()

_ID_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789"

#: how often (seconds) a changed summary is written to disk (and the disk retried after a failure)
SUMMARY_FLUSH_SECONDS = 1.0
#: default bytes of media waiting for the encoders before log() waits (settings "media_queue_mb")
MEDIA_QUEUE_BYTES = 64 * 1024 * 1024
#: default seconds finish() waits for encoders that make no progress (settings "finish_timeout")
FINISH_TIMEOUT_SECONDS = 120.0

#: the settings init(settings={...}) takes, with their environment variables
SETTINGS = {
    "media_workers": "MEDIABOARD_MEDIA_WORKERS",
    "media_queue_mb": "MEDIABOARD_MEDIA_QUEUE_MB",
    "finish_timeout": "MEDIABOARD_FINISH_TIMEOUT",
    "system_interval": "MEDIABOARD_SYSTEM_INTERVAL",
    "record_environment": "MEDIABOARD_RECORD_ENVIRONMENT",
    "record_git": "MEDIABOARD_RECORD_GIT",
    "record_packages": "MEDIABOARD_RECORD_PACKAGES",
    "console_log": "MEDIABOARD_CONSOLE_LOG",
}
#: default seconds between system-metrics samples (settings "system_interval"; 0 turns them off)
SYSTEM_INTERVAL_SECONDS = 5.0

RESUME_VALUES = (None, True, False, "allow", "must", "never", "auto")

#: alert(): wandb's default wait_duration (seconds): a repeat of a title within it is marked
ALERT_WAIT_SECONDS = 60.0


class AlertLevel(str, enum.Enum):
    """Levels of ``media.alert`` (wandb's names); the plain strings are accepted too."""

    INFO = "INFO"
    WARN = "WARN"
    ERROR = "ERROR"

#: an int of more bits than this has more than 4,300 decimal digits (Python's str() limit)
_MAX_INT_BITS = 14_000


def _new_id(rng: random.Random) -> str:
    return "".join(rng.choice(_ID_ALPHABET) for _ in range(8))


_PLAIN = frozenset((int, float, str, bool, type(None)))
_encode = rf.dumps
_REFUSED = frozenset(rf.REFUSED_KEYS)


def _flatten(data: Mapping[str, Any], prefix: str, out: dict[str, Any], depth: int = 0) -> None:
    if depth > 64:
        raise MediaValueError(
            f"log(): expected nested dicts at most 64 levels deep; got deeper under "
            f"{prefix[:60]!r} (a dict that contains itself?); nothing was logged by this call."
        )
    for k, v in data.items():
        if type(k) is not str:
            raise MediaTypeError(
                f"log(): expected string keys; got key {describe(k)}"
                + (f" under {prefix[:-1]!r}" if prefix else "")
                + "."
            )
        if type(v) in _PLAIN:
            out[prefix + k] = v
        elif type(v) is dict or (isinstance(v, Mapping) and not isinstance(v, Media)):
            if v:
                _flatten(v, prefix + k + "/", out, depth + 1)
        else:
            out[prefix + k] = v


def _unicode_error(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _inspect_media(value: Media, *, where: str) -> int:
    """Bytes a media value holds (arrays, encoded bytes), checking every string and int in it.

    Its files and stub are written later on an encoder thread; a string that is not valid
    Unicode or an int past Python's digit limit would fail there, so they are refused here.
    Walks with an explicit stack (circular references are visited once)."""
    total = 0
    seen: set[int] = set()
    stack: list[Any] = [value]
    while stack:
        obj = stack.pop()
        t = type(obj)
        if t is str:
            if _unicode_error(obj):
                raise MediaValueError(
                    f"{where}: expected valid Unicode text in {type(value).__name__}; got a string "
                    f"with a lone surrogate ({obj.encode('utf-8', 'backslashreplace').decode()[:60]!r}),"
                    f" as os.fsdecode returns for a file name that is not UTF-8."
                )
        elif t is int:
            if obj.bit_length() > _MAX_INT_BITS:
                raise MediaValueError(
                    f"{where}: expected ints of at most 4,300 digits in {type(value).__name__}; "
                    f"got one of {obj.bit_length()} bits."
                )
        elif t in (float, bool) or obj is None:
            continue
        elif t in (bytes, bytearray, memoryview):
            total += len(obj)
        elif id(obj) in seen:
            continue
        elif t in (list, tuple, set, frozenset):
            seen.add(id(obj))
            stack.extend(obj)
        elif t is dict:
            seen.add(id(obj))
            stack.extend(obj.keys())
            stack.extend(obj.values())
        elif isinstance(obj, Media):
            seen.add(id(obj))
            stack.extend(vars(obj).values())
        else:
            nbytes = getattr(obj, "nbytes", None)  # numpy arrays
            if isinstance(nbytes, int):
                total += nbytes
                if getattr(getattr(obj, "dtype", None), "kind", "") in "OU" and obj.size < 100_000:
                    seen.add(id(obj))
                    stack.extend(obj.ravel().tolist())
            elif hasattr(obj, "getbands") and hasattr(obj, "size"):  # PIL images
                w, h = obj.size
                total += w * h * len(obj.getbands())
    return total


def _pending_kind(value: Media) -> str:
    if isinstance(value, MediaList):
        kinds = {getattr(v, "kind", None) for v in value.items}
        return str(kinds.pop()) if len(kinds) == 1 else "media-list"
    return str(getattr(value, "kind", "media"))


def _check_text(value: Any, *, where: str, optional: bool = True) -> str | None:
    if value is None and optional:
        return None
    if not isinstance(value, str):
        raise MediaTypeError(f"{where}: expected a string{' or None' if optional else ''}; got {describe(value)}.")
    if _unicode_error(value):
        raise MediaValueError(
            f"{where}: expected valid Unicode text; got a string with a lone surrogate "
            f"({value.encode('utf-8', 'backslashreplace').decode()[:60]!r})."
        )
    if "\x00" in value:
        raise MediaValueError(f"{where}: expected text without NUL characters; got {value[:60]!r}.")
    return value


def _check_tags(value: Any, *, where: str) -> list[str]:
    if value is None:
        return []
    if isinstance(value, (str, bytes)) or not isinstance(value, (list, tuple, set, frozenset)):
        raise MediaTypeError(f"{where}: expected a list of strings; got {describe(value)}.")
    out = []
    for i, t in enumerate(value):
        out.append(_check_text(t, where=f"{where}[{i}]", optional=False))
    return out  # type: ignore[return-value]


def _setting(settings: dict[str, Any], name: str, default: float, *, minimum: float) -> float:
    raw = settings.get(name)
    source = f"init(settings={{'{name}': ...}})"
    if raw is None:
        env = os.environ.get(SETTINGS[name])
        if env is None or env == "":
            return default
        raw, source = env, f"${SETTINGS[name]}"
    try:
        value = float(raw)
        if isinstance(raw, bool) or value != value or (value == float("inf") and name != "finish_timeout"):
            raise ValueError
    except (TypeError, ValueError):
        raise MediaValueError(f"{source}: expected a number >= {minimum:g}; got {describe(raw)}.") from None
    if value < minimum:
        raise MediaValueError(f"{source}: expected a number >= {minimum:g}; got {raw!r}.")
    return value


def check_init_args(*, project: Any, name: Any, notes: Any, tags: Any, group: Any, job_type: Any,
                    resume: Any, run_id: Any, settings: dict[str, Any] | None) -> None:
    """Refuse bad ``init()`` arguments before anything happens (the active run is kept)."""
    _check_text(project, where="init(): project", optional=False)
    _check_text(name, where="init(): name")
    _check_text(notes, where="init(): notes")
    _check_text(group, where="init(): group")
    _check_text(job_type, where="init(): job_type")
    if run_id is not None:
        _check_text(run_id, where="init(): id", optional=False)
    if tags is not None:
        _check_tags(tags, where="init(): tags")
    if not (resume is None or isinstance(resume, bool)
            or (isinstance(resume, str) and resume in RESUME_VALUES)):
        raise MediaValueError(
            f"init(): resume must be one of 'allow', 'must', 'never', 'auto', True, False or "
            f"None; got {describe(resume)}."
        )
    for key in (settings or {}):
        if key in SETTINGS:
            _setting(settings or {}, key, 0, minimum=1 if key == "media_workers" else 0)


_DEFINE_SUMMARIES = frozenset(("min", "max", "mean", "last", "best", "first", "none", "copy"))
_GOALS = ("minimize", "maximize")
_COMMIT_RE = re.compile(rb'"_(?:commit|part)":(\d+)')


def _unfinished_last_run(root: Path, project: str) -> str | None:
    """For init(resume="auto") without an id: the id of the last run started for ``project``
    under ``root`` if it did not finish (crashed, or failed), else None (start a new run)."""
    run_id = rf.last_run_id(root, project)
    if run_id is None:
        return None
    try:
        reader = rf.open_run(rf.run_dir_for(root, project, run_id))
    except (MediaError, OSError):
        return None
    if reader.id != run_id or reader.project != project:
        return None
    return run_id if reader.status in ("crashed", "failed") else None


class Run:
    """One run: where ``log``/``config``/``summary`` go. Created by ``media.init()``."""

    def __init__(
        self,
        *,
        root: Path,
        project: str,
        run_id: str | None,
        name: str | None,
        notes: str | None,
        tags: list[str] | None,
        group: str | None,
        job_type: str | None,
        config: Any,
        resume: Any,
        mode: str,
        settings: dict[str, Any] | None = None,
    ) -> None:
        rng = random.Random()
        self.project = project
        self.mode = mode
        self._finished = False
        self._closed = False
        #: one lock for the step state, the summary and every append (RLock: summary callbacks)
        self._lock = threading.RLock()
        self._settings = dict(settings or {})
        check_init_args(project=project, name=name, notes=notes, tags=tags, group=group,
                        job_type=job_type, resume=resume, run_id=run_id, settings=self._settings)
        if tags is not None:
            tags = list(tags)
        workers = int(_setting(self._settings, "media_workers", default_workers(), minimum=1))
        self._queue_cap = int(_setting(self._settings, "media_queue_mb", MEDIA_QUEUE_BYTES / 2**20,
                                       minimum=0) * 2**20)
        self._finish_timeout = _setting(self._settings, "finish_timeout", FINISH_TIMEOUT_SECONDS,
                                        minimum=0)
        self._system_interval = _setting(self._settings, "system_interval", SYSTEM_INTERVAL_SECONDS,
                                         minimum=0)

        # config: config-defaults.yaml < init(config=...), checked before anything is written
        defaults = {}
        if Path(DEFAULTS_FILE).is_file():
            defaults = load_yaml(DEFAULTS_FILE, what=f"init(): {DEFAULTS_FILE}")
        merged = dict(defaults)
        merged.update(resolve_init_config(config))
        self.config = Config(on_change=None)
        self.config.update(merged)

        if run_id is None and resume in ("auto", True):
            run_id = _unfinished_last_run(root, project)
        if run_id is None:
            while True:
                run_id = _new_id(rng)
                path = rf.run_dir_for(root, project, run_id)
                try:
                    path.mkdir(parents=True)
                    break
                except FileExistsError:
                    continue
        else:
            if not isinstance(run_id, str):
                run_id = str(run_id)
            if not run_id:
                raise MediaValueError("init(): id must be a non-empty string; got ''.")
            _check_text(run_id, where="init(): id", optional=False)
            path = rf.run_dir_for(root, project, run_id)
            if resume == "must" and not (path / rf.RUN_JSON).is_file():
                raise MediaValueError(
                    f"init(): resume='must' but run {run_id!r} does not exist under {str(path.parent)!r}."
                )
            path.mkdir(parents=True, exist_ok=True)
        self.id = run_id
        self._path = path
        # One writer per run: the lock is taken before the existence check, so of two processes
        # starting the same id at once exactly one gets it.
        self._run_lock = RunLock.acquire(path, run_id=run_id)
        try:
            self._open(root, rng, name=name, notes=notes, tags=tags, group=group,
                       job_type=job_type, resume=resume, defaults=merged)
        except BaseException:
            self._run_lock.release()
            raise
        try:  # a hint for a later init(resume="auto"); losing it loses nothing else
            rf.atomic_write_json(path.parent / rf.LAST_RUN_FILE, {"id": run_id}, fsync=False)
        except OSError as exc:
            self._error(f"{rf.LAST_RUN_FILE} could not be written ({type(exc).__name__}: {exc}); "
                        f"init(resume='auto') will not find this run")
        self._alert_sent: dict[str, float] = {}
        #: called with each log() call's data once its row is kept (a sweep's pruner listens here)
        self._observers: list[Callable[[Mapping[str, Any]], None]] = []
        self._encoders = Encoders(workers, f"mediaboard-{run_id}", self._encoder_crashed)
        self._stop = threading.Event()
        self._housekeeper = threading.Thread(target=self._housekeep, name=f"mediaboard-{run_id}-beat",
                                             daemon=True)
        self._housekeeper.start()
        # code and environment, gathered in a thread of their own (media/_environment.py)
        from media._environment import Recorder

        wants = [_setting(self._settings, k, 1, minimum=0) > 0
                 for k in ("record_environment", "record_git", "record_packages")]
        self._env = None
        if any(wants):
            self._env = Recorder(environment=wants[0], git=wants[1], packages_=wants[2], cwd=os.getcwd(),
                                 done=self._environment_done, name=f"mediaboard-{run_id}-environment")
            self._env.begin()
        # the console: stdout and stderr teed into console.jsonl (media/_console.py)
        self._console = None
        if _setting(self._settings, "console_log", 1, minimum=0) > 0:
            from media._console import Console

            self._console = Console(self._path / rf.CONSOLE_JSONL, lambda: self._step, self._error)
            self._console.start()
        # system metrics in a thread of their own (media/_system.py); the training thread never waits
        self._system = None
        if self._system_interval > 0:
            from media._system import SystemSampler

            self._system = SystemSampler(self._path / rf.SYSTEM_JSONL, self._system_interval, self._start,
                                         lambda: self._step, self._error, f"mediaboard-{run_id}-system")
            self._system.begin()

    def _open(self, root: Path, rng: random.Random, *, name: str | None, notes: str | None,
              tags: list[str] | None, group: str | None, job_type: str | None, resume: Any,
              defaults: dict[str, Any]) -> None:
        path = self._path
        exists = (path / rf.RUN_JSON).is_file()
        if resume == "must" and not exists:
            raise MediaValueError(
                f"init(): resume='must' but run {self.id!r} does not exist under {str(path.parent)!r}."
            )
        if exists and resume in (None, False, "never"):
            raise MediaValueError(
                f"init(): a run with id {self.id!r} already exists at {str(path)!r}; "
                f"pass resume='allow' to continue it, or choose another id."
            )
        self._start = time.time()
        self._step = 0
        self._pending: dict[str, Any] = {}
        self._pending_bytes: dict[str, int] = {}
        self._errors: list[str] = []
        self._next_commit = 0
        #: for media keys: the commit whose value the summary holds (parts land out of order)
        self._media_commit: dict[str, int] = {}
        # encoder bookkeeping, under _cond (never held while taking _lock)
        self._cond = threading.Condition()
        self._inflight: dict[int, tuple[str, int]] = {}
        self._waiting_bytes = 0
        self._done = 0
        self._job_no = 0
        self._warned_wait = False
        #: files whose last write failed (reported once until a write of that file succeeds)
        self._failing: set[str] = set()
        self._config_dirty = self._summary_dirty = self._meta_dirty = False
        self._config_pending: dict[str, Any] | None = None
        self._closing = False
        self._flush_lock = threading.Lock()
        self.summary = Summary(on_set=self._summary_values, on_change=self._summary_changed,
                               lock=self._lock)
        self._meta: dict[str, Any]

        resumed_v1 = False
        if exists:
            reader = rf.open_run(path)
            self._meta = dict(reader.meta)
            self._start = float(self._meta.get("start_time") or self._start)
            steps = reader.steps()
            self._step = (max(steps) + 1) if steps else 0
            explicit = [k for k in self._meta.get("summary_explicit") or [] if isinstance(k, str)]
            summary = reader.summary
            self.summary._restore(summary, explicit)
            metrics = self._meta.get("metrics")
            self.summary._set_metrics(metrics if isinstance(metrics, dict) else {})
            # summary.json can be a second behind history after a crash: replay the newer rows
            # (and every row into define_metric aggregates, whose counts are not on disk)
            seen = summary.get("_timestamp")
            for row in reader.history():
                newer = not isinstance(seen, (int, float)) or row.get("_timestamp", 0) > seen
                self.summary._absorb_row(row, late=bool(row.get("_late")), aggregates_only=not newer)
            try:
                raw = (path / rf.HISTORY_JSONL).read_bytes()
                self._next_commit = max((int(m) for m in _COMMIT_RE.findall(raw)), default=-1) + 1
            except OSError:
                pass
            resumed = dict(reader.config)
            resumed.update(defaults)
            self.config._load(resumed)
            resumed_v1 = self._meta.get("format_version") == 1
            self._meta.update(status="running", end_time=None, exit_code=None, resumed_at=time.time(),
                              format_version=rf.FORMAT_VERSION)
            self._meta.pop("errors", None)
            if name is not None:
                self._meta["name"] = name
        else:
            self._meta = {
                "format_version": rf.FORMAT_VERSION,
                "id": self.id,
                "name": name or self._generate_name(root, rng),
                "project": self.project,
                "group": group,
                "job_type": job_type,
                "notes": notes,
                "tags": list(tags or []),
                "status": "running",
                "exit_code": None,
                "start_time": self._start,
                "end_time": None,
                "heartbeat_at": self._start,
                "host": socket.gethostname(),
                "pid": os.getpid(),
                "python": sys.version.split()[0],
                "program": sys.argv[0] if sys.argv else None,
                "mediaboard_version": _version(),
                "metrics": {},
            }
        self._meta["pid"] = os.getpid()
        self._meta["host"] = socket.gethostname()
        for field, value in (("group", group), ("job_type", job_type), ("notes", notes)):
            if value is not None:
                self._meta[field] = value
        if tags is not None:
            self._meta["tags"] = list(tags)
        rf.check_storable(self._meta, where="init(): run metadata")  # program name, host, ...
        self._history = History(path / rf.HISTORY_JSONL)
        if exists and resumed_v1:
            # lines before this byte offset are format 1 (no link fields); see merge_history
            self._meta["links_from"] = self._history.size
        self._write_meta()
        self._write_config(self.config.as_dict())
        self.config._set_on_change(self._config_changed)
        if not (path / rf.SUMMARY_JSON).exists():
            rf.atomic_write_json(path / rf.SUMMARY_JSON, {}, fsync=False)
        if self._history.repaired:
            self._error(
                f"init(): {rf.HISTORY_JSONL} ended in a torn line of {self._history.repaired} bytes "
                f"(an earlier writer died mid-write); it was cut off before appending"
            )

    # ------------------------------------------------------------------------------------------
    # metadata
    # ------------------------------------------------------------------------------------------
    @property
    def dir(self) -> str:
        """The run folder (a str)."""
        return str(self._path)

    @property
    def path(self) -> str:
        """``project/id``, as accepted by ``Api().run()``."""
        return f"{self.project}/{self.id}"

    @property
    def step(self) -> int:
        """The step the next committed row will get (wandb's ``run.step``)."""
        return self._step

    @property
    def start_time(self) -> float:
        return self._start

    @property
    def sweep_id(self) -> str | None:
        """The sweep this run is a trial of (wandb's ``run.sweep_id``), else None."""
        sweep = self._meta.get("sweep")
        return sweep.get("id") if isinstance(sweep, dict) else None

    def _meta_prop(field: str):  # type: ignore[misc]  # noqa: N805 - property factory
        def getter(self: Run) -> Any:
            return self._meta.get(field)

        def setter(self: Run, value: Any) -> None:
            if field == "tags":
                value = _check_tags(value, where="run.tags")
            else:
                value = _check_text(value, where=f"run.{field}")
            self._set_meta(field, value)

        return property(getter, setter)

    name = _meta_prop("name")
    notes = _meta_prop("notes")
    tags = _meta_prop("tags")
    group = _meta_prop("group")
    job_type = _meta_prop("job_type")
    del _meta_prop

    def _generate_name(self, root: Path, rng: random.Random) -> str:
        project_dir = rf.run_dir_for(root, self.project, "x").parent
        try:
            count = sum(1 for p in project_dir.iterdir() if (p / rf.RUN_JSON).is_file())
        except OSError:
            count = 0
        return f"{rng.choice(_ADJECTIVES)}-{rng.choice(_NOUNS)}-{count + 1}"

    def _environment_done(self, meta: dict[str, Any], files: dict[str, bytes]) -> None:
        """The environment thread's results: files/requirements.txt, files/diff.patch and
        run.json's ``environment`` (never after the run has ended)."""
        from media._environment import run_folder_file

        with self._lock:
            if self._finished:
                return
            for name, data in files.items():
                try:
                    run_folder_file(self._path, name, data)
                except OSError as exc:
                    self._error(f"files/{name} could not be written ({type(exc).__name__}: {exc})")
            if meta:
                try:
                    rf.check_storable(meta, where="run.environment")
                except MediaError:
                    return
                self._meta["environment"] = meta
                self._write_meta()

    def _set_meta(self, field: str, value: Any) -> None:
        """Change one run.json field: checked, then written, then kept (a refused value changes
        nothing in memory or on disk)."""
        rf.check_storable(value, where=f"run.{field}")
        with self._lock:
            self._meta[field] = value
            if not self._finished:
                self._write_meta()

    def _write_meta(self) -> None:
        with self._lock:
            try:
                rf.atomic_write_json(self._path / rf.RUN_JSON, self._meta)
                self._meta_dirty = False
                self._failing.discard(rf.RUN_JSON)
            except OSError as exc:
                self._meta_dirty = True
                self._file_error(rf.RUN_JSON, rf.RUN_JSON, exc)

    def _config_changed(self, items: dict[str, Any]) -> None:
        """Config's on_change: refuses changes to a finished run, then saves."""
        if self._finished or self._closing:
            raise RunStateError(
                f"config: run {self.id!r} has finished; its config can no longer change."
            )
        self._write_config(items)

    def _write_config(self, items: dict[str, Any]) -> None:
        with self._lock:
            try:
                rf.atomic_write_json(self._path / rf.CONFIG_JSON, items)
                self._config_dirty = False
                self._config_pending = None
                self._failing.discard(rf.CONFIG_JSON)
            except OSError as exc:
                # Valid but not on disk yet: kept, and written again by the housekeeper (the
                # latest items given, so a retry never writes an older config).
                self._config_dirty = True
                self._config_pending = dict(items)
                self._file_error(rf.CONFIG_JSON, rf.CONFIG_JSON, exc)

    def save(self, glob_str: str | os.PathLike[str] | None = None, base_path: str | None = None,
             policy: str = "live") -> list[str]:
        """With no argument, persist the run's metadata; else ``media.save(glob_str, ...)``."""
        if glob_str is None:
            with self._lock:
                self._write_meta()
            return []
        if not isinstance(glob_str, (str, os.PathLike)):
            raise MediaTypeError(f"save(): glob_str must be a path or a glob pattern (str); got {describe(glob_str)}.")
        if base_path is not None and not isinstance(base_path, (str, os.PathLike)):
            raise MediaTypeError(f"save(): base_path must be a folder (str) or None; got {describe(base_path)}.")
        glob_str = _check_text(os.fspath(glob_str), where="save(): glob_str", optional=False)
        if base_path is not None:
            base_path = _check_text(os.fspath(base_path), where="save(): base_path", optional=False)
        return self._save_files(str(glob_str), base_path, policy)

    def define_metric(self, name: str, step_metric: str | None = None, summary: str | None = None,
                      goal: str | None = None, hidden: bool | None = None, **_: Any) -> None:
        """Record a metric definition in run.json (the viewer uses ``step_metric`` as its x-axis).

        ``name`` may be a glob (``"val/*"``). ``summary`` ("min", "max", "mean", "first",
        "last", "best", "none", "copy", or several comma-separated) shapes the summary of the
        values logged from now on, as in wandb: ``define_metric("loss", summary="min")`` makes
        ``run.summary["loss"] == {"min": 0.12}``; ``"best"`` follows ``goal`` (minimize unless
        "maximize"); ``"none"`` leaves the key out of the summary.

        Example::

            run.define_metric("val/*", summary="max", goal="maximize")
        """
        name = _check_text(name, where="define_metric(): name", optional=False)  # type: ignore[assignment]
        if not name:
            raise MediaValueError("define_metric(): name must be a non-empty string; got ''.")
        step_metric = _check_text(step_metric, where="define_metric(): step_metric")
        summary = _check_text(summary, where="define_metric(): summary")
        if summary is not None:
            parts = [p.strip() for p in summary.split(",")]
            bad = [p for p in parts if p not in _DEFINE_SUMMARIES]
            if bad:
                raise MediaValueError(
                    f"define_metric(): summary must be one or more (comma-separated) of "
                    f"{', '.join(sorted(_DEFINE_SUMMARIES))}; got {summary!r}."
                )
        if goal is not None and goal not in _GOALS:
            raise MediaValueError(f"define_metric(): goal must be 'minimize', 'maximize' or None; got {describe(goal)}.")
        if hidden is not None and not isinstance(hidden, bool):
            raise MediaTypeError(f"define_metric(): hidden must be a bool or None; got {describe(hidden)}.")
        entry = {k: v for k, v in (("step_metric", step_metric), ("summary", summary),
                                   ("goal", goal), ("hidden", hidden)) if v is not None}
        metrics = dict(self._meta.get("metrics") or {})
        # a second definition of the same name merges into the first, as wandb's does: the
        # fields it gives replace the old ones, and summaries add up ("min" then "max": both)
        old = metrics.get(name)
        if isinstance(old, dict):
            merged = dict(old)
            merged.update(entry)
            if summary is not None and isinstance(old.get("summary"), str):
                parts = [p.strip() for p in old["summary"].split(",")]
                parts += [p.strip() for p in summary.split(",") if p.strip() not in parts]
                merged["summary"] = ",".join(parts)
            entry = merged
        metrics[name] = entry
        self._set_meta("metrics", metrics)
        with self._lock:
            self.summary._set_metrics(metrics)

    def watch(self, models: Any, criterion: Any = None, log: str | None = "gradients", log_freq: int = 1000,
              idx: int | None = None, log_graph: bool = False) -> Any:
        """``media.watch`` for this run (``run.watch(model)``, as Lightning's logger calls it)."""
        from media._watch import watch

        return watch(models, criterion, log, log_freq, idx, log_graph, _run=self)

    def unwatch(self, models: Any = None) -> None:
        from media._watch import unwatch

        unwatch(models)

    # ---- artifacts (media/_artifacts.py) ------------------------------------------------------
    def log_artifact(self, artifact_or_path: Any, name: str | None = None, type: str | None = None,  # noqa: A002
                     aliases: list[str] | None = None, tags: list[str] | None = None) -> Any:
        """Store an Artifact (or a file or folder as one) as the next version of its name; see
        ``media._artifacts``. Identical content makes no new version."""
        from media._artifacts import run_log_artifact

        return run_log_artifact(self, artifact_or_path, name, type, aliases, tags)

    def use_artifact(self, artifact_or_name: Any, type: str | None = None,  # noqa: A002
                     aliases: list[str] | None = None, use_as: str | None = None) -> Any:
        """The artifact ``"name:alias"`` / ``"project/name:v3"``, recorded as used by this run."""
        from media._artifacts import run_use_artifact

        return run_use_artifact(self, artifact_or_name, type, aliases, use_as)

    def log_model(self, path: Any, name: str | None = None, aliases: list[str] | None = None) -> Any:
        from media._artifacts import run_log_model

        return run_log_model(self, path, name, aliases)

    def use_model(self, name: str) -> str:
        from media._artifacts import run_use_model

        return run_use_model(self, name)

    def link_artifact(self, artifact: Any, target_path: str, aliases: list[str] | None = None) -> Any:
        from media._artifacts import run_link_artifact

        return run_link_artifact(self, artifact, target_path, aliases)

    def _label(self, *_: Any, **__: Any) -> None:
        """wandb's private ``run._label(repo=..., code=...)`` (integrations tag their runs with it:
        Lightning, CycleGAN): accepted, nothing to record here."""
        return None

    def alert(self, title: str, text: str, level: str | AlertLevel | None = None,
              wait_duration: float | _dt.timedelta | None = None) -> None:
        """Record an alert in the run folder's ``alerts.jsonl`` (wandb's ``run.alert``).

        There is no one to notify here: the alert is kept with its step and time, and the viewer
        shows it. ``level`` is ``media.AlertLevel.INFO`` (default), ``WARN`` or ``ERROR`` (or the
        same strings). ``wait_duration`` (seconds or a timedelta; default 60) is wandb's quiet
        time: an alert of the same title within it is still recorded, marked ``"repeat": true``.

        Example::

            if loss > 10:
                run.alert(title="loss diverged", text=f"loss {loss:.2f} at step {run.step}",
                          level=media.AlertLevel.WARN)
        """
        if self._finished or self._closing:
            raise RunStateError(f"alert(): run {self.id!r} has finished; call media.init() first.")
        if not isinstance(title, str) or not title:
            raise MediaTypeError(f"alert(): title must be a non-empty string; got {describe(title)}.")
        if not isinstance(text, str):
            raise MediaTypeError(f"alert(): text must be a string; got {describe(text)}.")
        _check_text(title, where="alert(): title", optional=False)
        _check_text(text, where="alert(): text", optional=False)
        if level is None:
            level = AlertLevel.INFO
        elif not isinstance(level, AlertLevel):
            if not isinstance(level, str) or level.upper() not in AlertLevel.__members__:
                raise MediaValueError(f"alert(): level must be media.AlertLevel.INFO, WARN or ERROR "
                                      f"(or 'INFO', 'WARN', 'ERROR'); got {describe(level)}.")
            level = AlertLevel[level.upper()]
        if wait_duration is None:
            wait = ALERT_WAIT_SECONDS
        elif isinstance(wait_duration, _dt.timedelta):
            wait = wait_duration.total_seconds()
        elif isinstance(wait_duration, (int, float)) and not isinstance(wait_duration, bool):
            wait = float(wait_duration)
        else:
            raise MediaTypeError(f"alert(): wait_duration must be seconds (int or float), a "
                                 f"datetime.timedelta or None; got {describe(wait_duration)}.")
        if not math.isfinite(wait) or wait < 0:
            raise MediaValueError(f"alert(): wait_duration must be finite seconds >= 0; got {wait_duration!r}.")
        with self._lock:
            now = time.time()
            sent = self._alert_sent.get(title)
            entry: dict[str, Any] = {"step": self._step, "time": now, "title": title, "text": text,
                                     "level": level.value, "wait_duration": wait}
            if sent is not None and now - sent < wait:
                entry["repeat"] = True
            else:
                self._alert_sent[title] = now
            line = (rf.dumps(entry) + "\n").encode("utf-8")
            try:
                fd = os.open(self._path / rf.ALERTS_JSONL,
                             os.O_WRONLY | os.O_APPEND | os.O_CREAT | getattr(os, "O_CLOEXEC", 0),
                             rf.file_mode())
                try:
                    written = os.write(fd, line)
                finally:
                    os.close(fd)
                if written != len(line):
                    raise OSError(f"short write ({written} of {len(line)} bytes)")
                self._failing.discard(rf.ALERTS_JSONL)
            except OSError as exc:
                self._file_error(rf.ALERTS_JSONL, f"the alert {title!r} at step {self._step}", exc,
                                 kept="it is lost")

    # ------------------------------------------------------------------------------------------
    # log
    # ------------------------------------------------------------------------------------------
    def log(self, data: Mapping[str, Any], step: int | None = None, commit: bool | None = None,
            sync: bool | None = None) -> None:
        """Log a dict of values at the current step (wandb's rules; see docs/format.md).

        Without ``step`` each call is one step unless ``commit=False``. With ``step``: equal to the
        current step merges, larger commits the pending row first, smaller is kept as a late row
        with a warning. Values: numbers, strings, bools, None, lists, numpy arrays, tensors and
        media values; nested dicts flatten to ``a/b`` keys. When ``log()`` returns, the step's
        row is on disk (its media follow as the encoders finish them). ``sync`` is wandb's
        (deprecated there) and is ignored. A refused value raises a MediaError whose ``key`` and
        ``step`` name it; nothing of that call is logged.
        """
        self._log(data, step, commit)
        if self._observers:  # e.g. a sweep trial's pruner (media/_sweep.py), after the row is kept
            for observe in tuple(self._observers):
                observe(data)

    def _log(self, data: Mapping[str, Any], step: int | None, commit: bool | None) -> None:
        if self._finished or self._closing:
            raise RunStateError(
                f"log(): run {self.id!r} has finished; call media.init() to start a new run."
            )
        if step is None and commit is None and type(data) is dict and not self._pending:
            # The common case (a flat dict of plain values, one step), in one pass and one write.
            for k, v in data.items():
                if type(v) not in _PLAIN or type(k) is not str or not k or k in _REFUSED:
                    break
            else:
                with self._lock:
                    if not self._pending and not self._closing:
                        at = self._step
                        now = time.time()
                        row = {"_step": at, "_timestamp": now, "_runtime": now - self._start}
                        row.update(data)
                        try:
                            line = (_encode(row) + "\n").encode("utf-8")
                        except (ValueError, TypeError, RecursionError, UnicodeError):
                            self._refuse(data, at)
                        self._next_commit += 1
                        self._step = at + 1
                        err = self._history.append(line)
                        if err is not None or self._failing:
                            self._appended(err, f"the row of step {at}")
                        self.summary._absorb_row(row)
                        if self._media_commit:
                            for k in data:
                                if k in self._media_commit:
                                    self._media_commit[k] = self._next_commit - 1
                        self._summary_dirty = True
                        return
        if type(data) is not dict and not isinstance(data, Mapping):
            raise MediaTypeError(f"log(): expected a dict of {{str: value}}; got {describe(data)}.")
        if step is not None and (isinstance(step, bool) or not isinstance(step, int)):
            if type(step).__module__ == "numpy" and hasattr(step, "item") and \
                    getattr(getattr(step, "dtype", None), "kind", "") in "iu":
                step = int(step.item())
            else:
                raise MediaTypeError(f"log(): step must be an int; got {describe(step)}.")
        if step is not None and step < 0:
            raise MediaValueError(f"log(): step must be >= 0; got {step}.")
        if commit is not None and not isinstance(commit, bool):
            raise MediaTypeError(f"log(): commit must be True, False or None; got {describe(commit)}.")
        values: dict[str, Any] = {}
        at = self._step if step is None else step
        try:
            _flatten(data, "", values)
        except RecursionError:
            raise MediaValueError(
                "log(): expected nested dicts of bounded depth; got a dict that contains itself; "
                "nothing was logged by this call.", step=at
            ) from None
        except MediaError as exc:
            add_context(exc, step=at)
            raise
        media: dict[str, Media] | None = None
        for k, v in values.items():
            if not k or k in _REFUSED:
                raise MediaValueError(
                    f"log(): key {k!r} is reserved or empty; the run writes "
                    f"{', '.join(rf.REFUSED_KEYS)} itself.", key=k, step=at
                )
            if type(v) in _PLAIN:
                continue
            try:
                c = coerce(v, key=k)
            except MediaError as exc:
                add_context(exc, key=k, step=at, suffix=f"(step {at}; nothing was logged by this call)")
                raise
            except RecursionError:
                raise MediaValueError(
                    f"log(): key {k!r}: expected lists of bounded depth; got a list that contains "
                    f"itself (step {at}; nothing was logged by this call).", key=k, step=at
                ) from None
            if isinstance(c, Media):
                if media is None:
                    media = {}
                media[k] = c
            values[k] = c

        if step is None and commit is not False and media is None and not self._pending:
            # The common case (one call, one step, plain values), without the general machinery.
            with self._lock:
                if not self._pending and not self._closing:
                    self._commit(values, self._step, None, False)
                    self._step += 1
                    return
        # Everything else: check this call's plain values now (a pending row commits later).
        plain = {k: v for k, v in values.items() if media is None or k not in media}
        try:
            rf.dumps(plain).encode("utf-8")
        except (ValueError, TypeError, RecursionError, UnicodeError):
            self._refuse(plain, at)
        nbytes: dict[str, int] = {}
        for k, m in (media or {}).items():
            try:
                nbytes[k] = _inspect_media(
                    m, where=f"log(): key {k!r} (step {at}; nothing was logged by this call)"
                )
            except MediaError as exc:
                add_context(exc, key=k, step=at)
                raise
        wait = False
        with self._lock:
            if self._closing:
                raise RunStateError(f"log(): run {self.id!r} has finished; call media.init() to start a new run.")
            for m in (media or {}).values():
                m._accepted()  # this call is taken: e.g. an INCREMENTAL table's rows now count as logged
            if step is not None and step < self._step:
                # Late data: keep it as its own row flagged _late, never drop it.
                warn(
                    f"log(): step {step} is less than the current step {self._step}; the data is kept "
                    f"as a late row (_late: true) at step {step}. Steps should increase."
                )
                wait = self._commit(plain, step, media, True, nbytes)
            else:
                if step is not None and step > self._step:
                    if self._pending:
                        wait = self._commit_pending()
                    self._step = step
                self._pending.update(values)
                self._pending_bytes.update(nbytes)
                if commit is None:
                    commit = step is None
                if commit:
                    wait = self._commit_pending() or wait
        if wait:
            self._wait_for_room()

    def _refuse(self, values: dict[str, Any], step: int) -> None:
        found = rf.find_unstorable(values)
        key, reason = found if found else ("?", "a value with no JSON form")
        raise MediaValueError(
            f"log(): key {key!r}: expected a value the run folder can store (UTF-8 JSON); got "
            f"{reason} (step {step}; nothing was logged by this call).",
            key=key if found else None, step=step,
        )

    def _commit_pending(self) -> bool:
        """Commit the pending row at the current step and move on (caller holds the lock)."""
        wait = False
        if self._pending:
            values = self._pending
            media = {k: v for k, v in values.items() if isinstance(v, Media)} or None
            plain = {k: v for k, v in values.items() if not isinstance(v, Media)} if media else values
            nbytes = self._pending_bytes
            self._pending = {}
            self._pending_bytes = {}
            wait = self._commit(plain, self._step, media, False, nbytes)
        self._step += 1
        return wait

    def _commit(self, plain: dict[str, Any], step: int, media: dict[str, Media] | None,
                late: bool, nbytes: dict[str, int] | None = None) -> bool:
        """Append one row (caller holds the lock), fold it into the summary, and hand its media to
        the encoders. Returns True when log() should wait for the encoders (too many bytes)."""
        now = time.time()
        commit = self._next_commit
        row: dict[str, Any] = {"_step": step, "_timestamp": now, "_runtime": now - self._start}
        if late:
            row["_late"] = True
        row.update(plain)
        if media:
            line_obj = dict(row)
            line_obj["_commit"] = commit
            line_obj["_pending"] = {k: _pending_kind(v) for k, v in media.items()}
        else:
            line_obj = row
        try:
            line = (rf.dumps(line_obj) + "\n").encode("utf-8")
        except (ValueError, TypeError, RecursionError, UnicodeError):
            self._refuse(plain, step)
        self._next_commit = commit + 1
        self._write_line(line, f"the row of step {step}")
        self.summary._absorb_row(row, late=late)
        if self._media_commit:
            for k in plain:
                if k in self._media_commit:
                    self._media_commit[k] = commit
        self._summary_dirty = True
        if not media:
            return False
        label = str(step)
        total = 0
        for k in media:
            # the summary takes a part's stub only if no later commit has set the key since
            self._media_commit[k] = commit
        with self._cond:
            for k, value in media.items():
                size = (nbytes or {}).get(k, 0)
                total += size
                job_no = self._job_no
                self._job_no += 1
                self._inflight[job_no] = (k, step)
                self._waiting_bytes += size
                self._encoders.submit(self._job(job_no, commit, step, label, k, value, late, size))
            over = self._waiting_bytes > self._queue_cap
        return over

    def _job(self, job_no: int, commit: int, step: int, label: str, key: str, value: Media,
             late: bool, size: int):  # noqa: ANN202 - a closure for the encoder pool
        def run() -> None:
            try:
                if self._closed:
                    return  # finish() gave up on this one; it is reported as lost
                try:
                    stub = self._serialize_value(key, label, value)
                except rf.WriteCancelled:
                    return
                try:
                    line = (rf.dumps({"_step": step, "_part": commit, key: stub}) + "\n").encode("utf-8")
                except (ValueError, TypeError, RecursionError, UnicodeError) as exc:
                    stub = self._error_stub(value, key, label, exc)
                    line = (rf.dumps({"_step": step, "_part": commit, key: stub}) + "\n").encode("utf-8")
                with self._lock:
                    if self._closed:
                        return
                    self._write_line(line, f"the {_pending_kind(value)} of key {key!r} at step {step}")
                    if late:
                        self.summary._absorb_late(key, stub, only_if_missing=True)
                    elif (commit >= self._media_commit.get(key, -1)
                          and self.summary._absorb_late(key, stub)):
                        self._media_commit[key] = commit
                        self._summary_dirty = True
            finally:
                with self._cond:
                    self._inflight.pop(job_no, None)
                    self._waiting_bytes -= size
                    self._done += 1
                    self._cond.notify_all()

        return run

    def _wait_for_room(self) -> None:
        """Back-pressure: wait (outside the run lock) while more media bytes than the limit wait."""
        with self._cond:
            if self._waiting_bytes <= self._queue_cap:
                return
            if not self._warned_wait:
                self._warned_wait = True
                warn(
                    f"log(): the media encoders are behind ({self._waiting_bytes / 2**20:.1f} MB "
                    f"of media waiting, limit {self._queue_cap / 2**20:.1f} MB); log() waits until "
                    f"they catch up. Raise init(settings={{'media_queue_mb': ...}}) or "
                    f"${SETTINGS['media_queue_mb']} to let more wait in memory, or "
                    f"'media_workers' to encode on more threads. Shown once per run."
                )
            while self._waiting_bytes > self._queue_cap and self._inflight:
                self._cond.wait(0.5)

    def _write_line(self, line: bytes, what: str) -> None:
        """Append a line (caller holds the lock); a disk error is reported, the line kept."""
        self._appended(self._history.append(line), what)

    def _appended(self, err: OSError | None, what: str) -> None:
        if err is not None:
            self._file_error(rf.HISTORY_JSONL, f"{rf.HISTORY_JSONL}: {what}", err,
                             kept=f"kept in memory ({self._history.backlog_bytes} bytes) and "
                                  f"written when the disk takes it again")
        elif not self._history.unwritten:
            self._failing.discard(rf.HISTORY_JSONL)

    def _file_error(self, file: str, what: str, exc: BaseException, kept: str = "kept in memory "
                    "and written again later") -> None:
        """Report a failed write of ``file`` once, until a write of that file succeeds again
        (a warning and a line of run.json errors)."""
        if file in self._failing:
            return
        self._failing.add(file)
        self._error(f"{what} could not be written ({type(exc).__name__}: {exc}); {kept}")

    def _error(self, message: str) -> None:
        """Record a problem and warn. Never raises, even under ``-W error`` (the warning is then
        printed instead), so no writer thread can die of a report."""
        self._errors.append(message)
        try:
            warn(f"mediaboard run {self.id!r}: {message}", RuntimeWarning)
        except Exception:  # noqa: BLE001 - warnings turned into errors
            try:
                sys.stderr.write(f"RuntimeWarning: mediaboard run {self.id!r}: {message}\n")
            except Exception:  # noqa: BLE001
                pass

    def _encoder_crashed(self, exc: BaseException) -> None:
        self._error(f"a media encoder job failed unexpectedly ({type(exc).__name__}: {exc})")

    # ------------------------------------------------------------------------------------------
    # media encoding
    # ------------------------------------------------------------------------------------------
    def _error_stub(self, value: Media, key: str, step_label: str, exc: BaseException) -> dict[str, Any]:
        text = str(exc).encode("utf-8", "backslashreplace").decode("utf-8")
        message = (f"{type(value).__name__} for key {key!r} at step {step_label} failed to "
                   f"serialize: {type(exc).__name__}: {text}")
        self._error(message)
        return {"_type": "error", "kind": getattr(value, "kind", None), "message": message}

    def _serialize_value(self, key: str, step_label: str, value: Media) -> Any:
        writer = rf.MediaWriter(self._path, key, step_label, cancelled=self._is_closed)
        try:
            return value._serialize(writer)
        except rf.WriteCancelled:
            raise
        except Exception as exc:  # noqa: BLE001 - a failed encode must not lose the rest of the row
            return self._error_stub(value, key, step_label, exc)

    def _is_closed(self) -> bool:
        return self._closed

    # ------------------------------------------------------------------------------------------
    # summary
    # ------------------------------------------------------------------------------------------
    def _summary_values(self, items: dict[str, Any]) -> dict[str, Any]:
        """Convert explicitly set summary values: every value is checked first, then media are
        serialized (label 'summary'), so a refused update writes no file."""
        if self._finished or self._closing:
            raise RunStateError(f"summary: run {self.id!r} has finished; call media.init() first.")
        prepared = {k: self._summary_prepare(k, v, 0) for k, v in items.items()}
        return {k: self._summary_store(k, v) for k, v in prepared.items()}

    def _summary_prepare(self, key: str, value: Any, depth: int) -> Any:
        """Check and convert one explicitly set summary value; a refusal's ``key`` names it."""
        if depth > 64:
            raise MediaValueError(f"summary key {key!r}: expected nested dicts at most 64 levels deep; "
                                  f"got a dict that contains itself?", key=key)
        try:
            _check_text(key, where="summary: key", optional=False)
            if isinstance(value, Mapping) and not isinstance(value, Media):
                return {str(k): self._summary_prepare(f"{key}/{k}", v, depth + 1)
                        for k, v in value.items()}
            try:
                c = coerce(value, key=key)
            except RecursionError:
                raise MediaValueError(f"summary key {key!r}: expected lists of bounded depth; got a "
                                      f"list that contains itself.", key=key) from None
            except MediaError as exc:
                add_context(exc, replace=("log(): ", "summary: "))
                raise
            if isinstance(c, Media):
                _inspect_media(c, where=f"summary key {key!r}")
                c._accepted()
            else:
                rf.check_storable(c, where=f"summary key {key!r}")
            return c
        except MediaError as exc:
            add_context(exc, key=key)
            raise

    def _summary_store(self, key: str, value: Any) -> Any:
        if isinstance(value, dict):
            return {k: self._summary_store(f"{key}/{k}", v) for k, v in value.items()}
        if isinstance(value, Media):
            return self._serialize_value(key, "summary", value)
        return value

    def _summary_changed(self) -> None:
        self._summary_dirty = True
        explicit = self.summary._explicit_keys()
        if explicit != (self._meta.get("summary_explicit") or []):
            # Remembered in run.json, so a resumed run keeps them winning over later logs.
            self._set_meta("summary_explicit", explicit)

    def _flush_summary(self) -> None:
        # One flush at a time (snapshot and rename together), so an older snapshot can never
        # replace a newer file; the run lock is held only for the snapshot.
        with self._flush_lock:
            if not self._summary_dirty:
                return
            with self._lock:
                snapshot = self.summary.as_dict()
                self._summary_dirty = False
            try:
                rf.atomic_write_json(self._path / rf.SUMMARY_JSON, snapshot, fsync=False)
                self._failing.discard(rf.SUMMARY_JSON)
            except (OSError, ValueError, TypeError) as exc:
                self._summary_dirty = True
                self._file_error(rf.SUMMARY_JSON, rf.SUMMARY_JSON, exc)

    def _housekeep(self) -> None:
        """Summary at most once a second, heartbeat every 30 s, and retries after disk errors."""
        last_beat = time.time()
        while not self._stop.wait(SUMMARY_FLUSH_SECONDS):
            try:
                self._flush_summary()
                with self._lock:
                    if self._closed:
                        return
                    if self._history.unwritten:
                        self._write_line(b"", "rows kept in memory")
                    if self._config_dirty and self._config_pending is not None:
                        self._write_config(self._config_pending)
                    now = time.time()
                    if now - last_beat > rf.HEARTBEAT_SECONDS or self._meta_dirty:
                        last_beat = now
                        self._meta["heartbeat_at"] = now
                        self._write_meta()
            except Exception as exc:  # noqa: BLE001 - the housekeeper must outlive anything
                self._error(f"housekeeping failed ({type(exc).__name__}: {exc})")

    # ------------------------------------------------------------------------------------------
    # files
    # ------------------------------------------------------------------------------------------
    def _save_files(self, glob_str: str, base_path: str | None, policy: str) -> list[str]:
        if policy not in ("live", "now", "end"):
            raise MediaValueError(f"save(): policy must be 'live', 'now' or 'end'; got {policy!r}.")
        matches = sorted(_glob.glob(glob_str, recursive=True))
        if not matches:
            warn(f"save(): no file matches {glob_str!r}; nothing was saved.")
            return []
        if base_path is None:
            # Keep names relative to the part of the pattern before its first wildcard.
            head = glob_str.split("*")[0].split("?")[0].split("[")[0]
            base_path = os.path.dirname(head) if not head.endswith(os.sep) else head
        base = Path(base_path or ".").resolve()
        dest_root = self._path / rf.FILES_DIR
        saved = []
        for m in matches:
            src = Path(m)
            if not src.is_file():
                continue
            try:
                rel = src.resolve().relative_to(base)
            except ValueError:
                rel = Path(src.name)
            dest = dest_root / rel
            if dest_root.resolve() not in dest.resolve().parents:
                dest = dest_root / src.name
            dest.parent.mkdir(parents=True, exist_ok=True)
            rf.atomic_copy(src, dest)
            saved.append(dest.relative_to(self._path).as_posix())
        if policy in ("live", "end"):
            entry = {"glob": glob_str, "base_path": str(base)}
            saved_globs = list(self._meta.get("saved") or [])
            if entry not in saved_globs:
                saved_globs.append(entry)
                self._set_meta("saved", saved_globs)
        return saved

    # ------------------------------------------------------------------------------------------
    # finish
    # ------------------------------------------------------------------------------------------
    def finish(self, exit_code: int | None = None, quiet: bool | None = None) -> None:
        """Commit the pending row, wait for media encoding, and mark the run finished (or failed)."""
        from media import _api

        _api.finish(exit_code=exit_code, quiet=quiet, run=self)

    def _wait_for_encoders(self) -> list[tuple[str, int]]:
        """Wait while the encoders make progress (a value finished, or their threads used CPU);
        return (key, step) of what was left if they stalled for longer than the finish timeout."""
        with self._cond:
            last = (self._done, self._encoders.cpu_ticks())
            last_progress = time.monotonic()
            while self._inflight:
                self._cond.wait(min(0.5, max(self._finish_timeout, 0.01)))
                now = (self._done, self._encoders.cpu_ticks())
                if now != last:
                    last = now
                    last_progress = time.monotonic()
                elif time.monotonic() - last_progress >= self._finish_timeout:
                    return sorted(self._inflight.values(), key=lambda ks: (ks[1], ks[0]))
        return []

    def _close(self, exit_code: int | None = None) -> None:
        if self._finished:
            return
        if exit_code is not None and (isinstance(exit_code, bool) or not isinstance(exit_code, int)):
            if type(exit_code).__module__ == "numpy" and hasattr(exit_code, "item"):
                exit_code = int(exit_code.item())
            else:
                raise MediaTypeError(f"finish(): exit_code must be an int or None; got {describe(exit_code)}.")
        try:
            with self._lock:
                if self._pending:
                    self._commit_pending()
                # From here on log() (from any thread) is refused: nothing can slip in behind
                # the encoders' stop and be dropped unreported.
                self._closing = True
            if self._system is not None:
                self._system.stop()
            if self._env is not None:
                self._env.join(10.0)  # git and the package list, usually well under a second
            if self._console is not None:
                self._console.stop()
            if "media._watch" in sys.modules:  # watch() hooks that log into this run go with it
                sys.modules["media._watch"].finished(self)
            for entry in self._meta.get("saved", []):
                try:
                    self._save_files(entry["glob"], entry["base_path"], "now")
                except (OSError, MediaError):
                    pass
            left = self._wait_for_encoders()
            if left:
                shown = ", ".join(f"{k!r} at step {s}" for k, s in left[:10])
                more = f" and {len(left) - 10} more" if len(left) > 10 else ""
                self._error(
                    f"finish(): the media encoders made no progress for {self._finish_timeout:g} s; "
                    f"gave up on {len(left)} value(s) not yet written: {shown}{more}. Their rows "
                    f"are kept; readers report these values as lost"
                )
        finally:
            self._stop.set()
            self._encoders.stop()
            if self._housekeeper is not threading.current_thread():
                self._housekeeper.join(timeout=10)
            with self._lock:
                self._finished = True
                self._closed = True
                if self._history.unwritten:
                    self._failing.discard(rf.HISTORY_JSONL)
                    self._write_line(b"", "rows kept in memory")
                    if self._history.backlog:
                        self._error(
                            f"finish(): {self._history.backlog_bytes} bytes of history rows could "
                            f"not be written (the disk still refuses them) and are lost"
                        )
                if self._history.dropped:
                    self._error(f"{self._history.dropped} history rows were dropped: the disk refused "
                                f"them and more than 64 MB waited in memory")
                self._history.close()
            self._summary_dirty = True
            self._flush_summary()
            if self._config_dirty and self._config_pending is not None:
                self._write_config(self._config_pending)
            end = time.time()
            self._meta.update(
                status="finished" if not exit_code else "failed",
                exit_code=exit_code or 0,
                end_time=end,
                heartbeat_at=end,
            )
            if self._errors:
                self._meta["errors"] = list(self._errors)
            self._write_meta()
            self._run_lock.release()
            if self._errors:
                try:
                    warn(
                        f"finish(): run {self.id!r} met {len(self._errors)} problem(s) while "
                        f"writing; the rest of the run is kept. First: {self._errors[0]} (all of "
                        f"them are in {rf.RUN_JSON} 'errors').",
                        RuntimeWarning,
                    )
                except Exception:  # noqa: BLE001 - warnings as errors: the run is closed anyway
                    sys.stderr.write(f"RuntimeWarning: finish(): run {self.id!r} met "
                                     f"{len(self._errors)} problem(s); see {rf.RUN_JSON} 'errors'\n")

    def __enter__(self) -> Run:
        return self

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        from media import _api

        _api.finish(exit_code=1 if exc_type is not None else 0, run=self)

    def __repr__(self) -> str:
        return f"<Run {self.path} {self.name!r}>"


def _version() -> str:
    from media._version import __version__

    return __version__
