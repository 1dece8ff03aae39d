"""The Run: step rules, the history writer, the background media worker, and run metadata.

``log()`` is on the user's training loop. It validates and flattens the values, merges them into
the pending row, and on commit either appends the row with one ``os.write`` (rows of plain
values, when no media row is queued ahead of it) or hands it to the background worker, which
encodes the media files and then appends the row. So history stays in commit order, and a row
that names a file is written only after that file is complete.
"""

from __future__ import annotations

import glob as _glob
import os
import queue
import random
import shutil
import socket
import sys
import threading
import time
import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from media import runfolder as rf
from media._base import Media
from media._registry import coerce
from media.config import DEFAULTS_FILE, Config, load_yaml, resolve_init_config
from media.errors import MediaError, MediaTypeError, MediaValueError, RunStateError, describe
from media.summary import Summary

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

#: how many media rows may wait for the worker before log() blocks (back-pressure)
MAX_QUEUED_MEDIA_ROWS = 64
#: how often (seconds) the worker writes a changed summary to disk
SUMMARY_FLUSH_SECONDS = 1.0


def _new_id(rng: random.Random) -> str:
    return "".join(rng.choice(_ID_ALPHABET) for _ in range(8))


_PLAIN = frozenset((int, float, str, bool, type(None)))
_RESERVED = frozenset(rf.RESERVED_FIELDS)


def _flatten(data: Mapping[str, Any], prefix: str, out: dict[str, Any]) -> None:
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
                _flatten(v, prefix + k + "/", out)
        else:
            out[prefix + k] = v


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
        self._lock = threading.Lock()
        self._settings = dict(settings or {})
        resuming = False
        if run_id is None:
            while True:
                run_id = _new_id(rng)
                if not rf.run_dir_for(root, project, run_id).exists():
                    break
        else:
            run_id = str(run_id)
            if not run_id:
                raise MediaValueError("init(): id must be a non-empty string; got ''.")
        path = rf.run_dir_for(root, project, run_id)
        exists = (path / rf.RUN_JSON).is_file()
        if resume in ("must",) and not exists:
            raise MediaValueError(
                f"init(): resume='must' but run {run_id!r} does not exist under {str(path.parent)!r}."
            )
        if exists:
            if resume in (None, False, "never"):
                raise MediaValueError(
                    f"init(): a run with id {run_id!r} already exists at {str(path)!r}; "
                    f"pass resume='allow' to continue it, or choose another id."
                )
            resuming = True
        self.id = run_id
        self._path = path
        path.mkdir(parents=True, exist_ok=True)

        self._start = time.time()
        self._step = 0
        self._pending: dict[str, Any] = {}
        self._pending_has_media = False
        self._queued = 0  # media rows handed to the worker and not yet written
        self._errors: list[str] = []
        self.config = Config(on_change=self._write_config)
        self.summary = Summary(on_set=self._summary_value, on_change=self._mark_summary_dirty)
        self._summary_dirty = False
        self._meta: dict[str, Any]

        if resuming:
            reader = rf.open_run(path)
            self._meta = dict(reader.meta)
            self._start = float(self._meta.get("start_time") or self._start)
            steps = reader.steps()
            self._step = (max(steps) + 1) if steps else 0
            self.summary._values.update(reader.summary)
            object.__getattribute__(self.config, "_items").update(reader.config)
            self._meta.update(status="running", end_time=None, exit_code=None, resumed_at=time.time())
            if name is not None:
                self._meta["name"] = name
        else:
            self._meta = {
                "format_version": rf.FORMAT_VERSION,
                "id": run_id,
                "name": name or self._generate_name(root, rng),
                "project": project,
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

        # config: config-defaults.yaml < init(config=...); written once, then on each change
        defaults = {}
        if Path(DEFAULTS_FILE).is_file():
            defaults = load_yaml(DEFAULTS_FILE, what=f"init(): {DEFAULTS_FILE}")
        initial = resolve_init_config(config)
        merged = dict(defaults)
        merged.update(initial)
        items = object.__getattribute__(self.config, "_items")
        object.__setattr__(self.config, "_on_change", None)
        self.config.update(merged)
        object.__setattr__(self.config, "_on_change", self._write_config)
        self._write_meta()
        self._write_config(items)
        if not (path / rf.SUMMARY_JSON).exists():
            rf.atomic_write_json(path / rf.SUMMARY_JSON, {}, fsync=False)

        self._history_fd = os.open(
            path / rf.HISTORY_JSONL, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644
        )
        self._queue: queue.Queue[Any] = queue.Queue(maxsize=MAX_QUEUED_MEDIA_ROWS)
        self._worker = threading.Thread(target=self._work, name=f"mediaboard-{run_id}", daemon=True)
        self._worker.start()

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

    def _meta_prop(field: str):  # type: ignore[misc]  # noqa: N805 - property factory
        def getter(self: Run) -> Any:
            return self._meta.get(field)

        def setter(self: Run, value: Any) -> None:
            if field == "tags":
                value = list(value or [])
            elif value is not None and not isinstance(value, str):
                raise MediaTypeError(f"run.{field}: expected a string; got {describe(value)}.")
            self._meta[field] = value
            if not self._finished:
                self._write_meta()

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

    def _write_meta(self) -> None:
        rf.atomic_write_json(self._path / rf.RUN_JSON, self._meta)

    def _write_config(self, items: dict[str, Any]) -> None:
        rf.atomic_write_json(self._path / rf.CONFIG_JSON, items)

    def save(self, glob_str: str | os.PathLike[str] | None = None, base_path: str | None = None,
             policy: str = "live") -> list[str]:
        """With no argument, persist the run's metadata; else ``media.save(glob_str, ...)``."""
        if glob_str is None:
            self._write_meta()
            return []
        return self._save_files(str(glob_str), base_path, policy)

    def define_metric(self, name: str, step_metric: str | None = None, summary: str | None = None,
                      goal: str | None = None, hidden: bool | None = None, **_: Any) -> None:
        """Record a metric definition in run.json (the viewer uses ``step_metric`` as its x-axis)."""
        entry = {k: v for k, v in (("step_metric", step_metric), ("summary", summary),
                                   ("goal", goal), ("hidden", hidden)) if v is not None}
        self._meta.setdefault("metrics", {})[name] = entry
        self._write_meta()

    # ------------------------------------------------------------------------------------------
    # log
    # ------------------------------------------------------------------------------------------
    def log(self, data: Mapping[str, Any], step: int | None = None, commit: bool | None = None) -> None:
        """Log a dict of values at the current step (wandb's rules; see docs/format.md).

        Without ``step`` each call is one step unless ``commit=False``. With ``step``: equal to the
        current step merges, larger commits the pending row first, smaller is kept as a late row
        with a warning. Values: numbers, strings, bools, None, lists, numpy arrays, tensors and
        media values; nested dicts flatten to ``a/b`` keys.
        """
        if self._finished:
            raise RunStateError(
                f"log(): run {self.id!r} has finished; call media.init() to start a new run."
            )
        if type(data) is not dict and not isinstance(data, Mapping):
            raise MediaTypeError(f"log(): expected a dict of {{str: value}}; got {describe(data)}.")
        if step is not None and (isinstance(step, bool) or not isinstance(step, int)):
            if type(step).__module__ == "numpy" and hasattr(step, "item"):
                step = int(step.item())
            else:
                raise MediaTypeError(f"log(): step must be an int; got {describe(step)}.")
        if step is not None and step < 0:
            raise MediaValueError(f"log(): step must be >= 0; got {step}.")
        values: dict[str, Any] = {}
        _flatten(data, "", values)
        has_media = False
        for k, v in values.items():
            if not k or k in _RESERVED:
                raise MediaValueError(
                    f"log(): key {k!r} is reserved or empty; the run writes "
                    f"{', '.join(rf.RESERVED_FIELDS)} itself."
                )
            if type(v) in _PLAIN:
                continue
            try:
                c = coerce(v, key=k, stacklevel=(3 if _called_from_module() else 2) + 1)
            except MediaError as exc:
                raise type(exc)(f"{exc} (step {self._step if step is None else step}; nothing was logged by this call)") from None
            if isinstance(c, Media):
                has_media = True
            values[k] = c

        if step is None and commit is not False and not has_media and not self._pending:
            # The common case (one call, one step, plain values), without the general machinery.
            now = time.time()
            row = {"_step": self._step, "_timestamp": now, "_runtime": now - self._start}
            row.update(values)
            with self._lock:
                if self._queued == 0:
                    self._append(row, False)
                    self._step += 1
                    return
            self._commit(values, self._step, False)
            self._step += 1
            return
        if step is not None and step < self._step:
            # Late data: keep it as its own row flagged _late, never drop it.
            warnings.warn(
                f"log(): step {step} is less than the current step {self._step}; the data is kept "
                f"as a late row (_late: true) at step {step}. Steps should increase.",
                stacklevel=3 if _called_from_module() else 2,
            )
            self._commit(dict(values), step, has_media, late=True)
            return
        if step is not None and step > self._step:
            if self._pending:
                self._commit_pending()
            self._step = step
        self._pending.update(values)
        self._pending_has_media = self._pending_has_media or has_media
        if commit is None:
            commit = step is None
        if commit:
            self._commit_pending()

    def _commit_pending(self) -> None:
        if self._pending:
            self._commit(self._pending, self._step, self._pending_has_media)
            self._pending = {}
            self._pending_has_media = False
        self._step += 1

    def _commit(self, values: dict[str, Any], step: int, has_media: bool, late: bool = False) -> None:
        now = time.time()
        row = {"_step": step, "_timestamp": now, "_runtime": now - self._start}
        if late:
            row["_late"] = True
        row.update(values)
        with self._lock:
            if not has_media and self._queued == 0:
                self._append(row, late)
                return
            self._queued += 1
        # Outside the lock: blocks when the worker is MAX_QUEUED_MEDIA_ROWS behind (back-pressure).
        self._queue.put(("row", row, late))

    def _append(self, row: dict[str, Any], late: bool) -> None:
        """Append one row to history.jsonl (caller holds the lock) and fold it into the summary."""
        os.write(self._history_fd, (rf.dumps(row) + "\n").encode("utf-8"))
        summary = self.summary
        if late or summary._explicit:
            summary._absorb_row(row, late=late)
        else:
            summary._values.update(row)
        self._summary_dirty = True

    # ------------------------------------------------------------------------------------------
    # background worker: media encoding, ordered appends, periodic summary and heartbeat writes
    # ------------------------------------------------------------------------------------------
    def _work(self) -> None:
        last_beat = last_flush = time.time()
        while True:
            try:
                item = self._queue.get(timeout=SUMMARY_FLUSH_SECONDS)
            except queue.Empty:
                item = None
            if item is not None and item[0] == "stop":
                self._flush_summary()
                self._queue.task_done()
                return
            if item is not None:
                _, row, late = item
                try:
                    self._serialize_row(row)
                finally:
                    with self._lock:
                        self._append(row, late)
                        self._queued -= 1
                    self._queue.task_done()
            now = time.time()
            if now - last_flush >= SUMMARY_FLUSH_SECONDS:
                self._flush_summary()
                last_flush = now
            if now - last_beat > rf.HEARTBEAT_SECONDS and not self._finished:
                last_beat = now
                self._meta["heartbeat_at"] = now
                try:
                    self._write_meta()
                except OSError:
                    pass

    def _serialize_row(self, row: dict[str, Any]) -> None:
        step_label = str(row["_step"])
        for k, v in list(row.items()):
            if isinstance(v, Media):
                row[k] = self._serialize_value(k, step_label, v)

    def _serialize_value(self, key: str, step_label: str, value: Media) -> Any:
        try:
            return value._serialize(rf.MediaWriter(self._path, key, step_label))
        except Exception as exc:  # noqa: BLE001 - a failed encode must not lose the rest of the row
            message = f"{type(value).__name__} for key {key!r} at step {step_label} failed to serialize: {type(exc).__name__}: {exc}"
            self._errors.append(message)
            warnings.warn(message, stacklevel=1)
            return {"_type": "error", "kind": getattr(value, "kind", None), "message": message}

    def _flush_summary(self) -> None:
        if not self._summary_dirty:
            return
        with self._lock:
            snapshot = self.summary.as_dict()
            self._summary_dirty = False
        try:
            rf.atomic_write_json(self._path / rf.SUMMARY_JSON, snapshot, fsync=False)
        except OSError as exc:
            self._errors.append(f"summary write failed: {exc}")
            self._summary_dirty = True

    def _mark_summary_dirty(self) -> None:
        self._summary_dirty = True

    def _summary_value(self, key: str, value: Any) -> Any:
        """Convert an explicitly set summary value: media are serialized now, label 'summary'."""
        if isinstance(value, Mapping) and not isinstance(value, Media):
            return {str(k): self._summary_value(f"{key}/{k}", v) for k, v in value.items()}
        c = coerce(value, key=key)
        if isinstance(c, Media):
            return self._serialize_value(key, "summary", c)
        return c

    # ------------------------------------------------------------------------------------------
    # files
    # ------------------------------------------------------------------------------------------
    def _save_files(self, glob_str: str, base_path: str | None, policy: str) -> list[str]:
        if policy not in ("live", "now", "end"):
            raise MediaValueError(f"save(): policy must be 'live', 'now' or 'end'; got {policy!r}.")
        matches = sorted(_glob.glob(glob_str, recursive=True))
        if not matches:
            warnings.warn(f"save(): no file matches {glob_str!r}; nothing was saved.", stacklevel=3)
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
            tmp = dest.with_name(f".{dest.name}.tmp")
            shutil.copyfile(src, tmp)
            os.replace(tmp, dest)
            saved.append(dest.relative_to(self._path).as_posix())
        if policy in ("live", "end"):
            self._meta.setdefault("saved", [])
            entry = {"glob": glob_str, "base_path": str(base)}
            if entry not in self._meta["saved"]:
                self._meta["saved"].append(entry)
        return saved

    # ------------------------------------------------------------------------------------------
    # finish
    # ------------------------------------------------------------------------------------------
    def finish(self, exit_code: int | None = None, quiet: bool | None = None) -> None:
        """Commit the pending row, wait for media encoding, and mark the run finished (or failed)."""
        from media import _api

        _api.finish(exit_code=exit_code, quiet=quiet, run=self)

    def _close(self, exit_code: int | None = None) -> None:
        if self._finished:
            return
        try:
            if self._pending:
                self._commit_pending()
            for entry in self._meta.get("saved", []):
                try:
                    self._save_files(entry["glob"], entry["base_path"], "now")
                except (OSError, MediaError):
                    pass
            self._queue.put(("stop", None, False))
            self._worker.join()
        finally:
            self._finished = True
            try:
                os.close(self._history_fd)
            except OSError:
                pass
            self._flush_summary()
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

    def __enter__(self) -> Run:
        return self

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        from media import _api

        _api.finish(exit_code=1 if exc_type is not None else 0, run=self)

    def __repr__(self) -> str:
        return f"<Run {self.path} {self.name!r}>"


def _called_from_module() -> bool:
    """True when Run.log was reached through media.log (one more frame to skip for warnings)."""
    frame = sys._getframe(2)
    return frame.f_globals.get("__name__") == "media._api"


def _version() -> str:
    from media._version import __version__

    return __version__
