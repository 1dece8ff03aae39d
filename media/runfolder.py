"""The run-folder format: its layout, its writers' low-level pieces, and its readers.

This module is the contract between ``media/`` (which writes runs) and ``viewer/`` (which reads
them). Every path, file name, row field and stub convention lives here and in ``docs/format.md``;
the viewer imports this module and nothing else from ``media``.

Layout of one run (``FORMAT_VERSION`` 2; version 1 runs are read too)::

    <root>/<project>/<run-id>/
        run.json          metadata: format_version, id, name, project, status, times, ...
        config.json       the run's config (a JSON object)
        summary.json      the run's summary (a JSON object; media values are stubs)
        history.jsonl     one JSON object per committed step, appended at commit, in commit order;
                          a step's media stubs follow in "part" lines as their files complete
        alerts.jsonl      media.alert() calls, one JSON object per line (only if there were any)
        media/<key>/...   media files; <key> is the key's path-safe form
        files/...         files copied by media.save()
        .writer.lock      held (flock) by the one process writing the run

Example::

    >>> import media
    >>> r = media.open_run("mediaboard/my-project/ab12cd34")
    >>> [row["loss"] for row in r.history() if "loss" in row]
"""

from __future__ import annotations

import fnmatch
import hashlib
import itertools
import json
import math
import os
import re
import secrets
import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from media.errors import FormatError, MediaValueError, describe

#: the version this mediaboard writes; it reads every version from 1 up to it
FORMAT_VERSION = 2

RUN_JSON = "run.json"
CONFIG_JSON = "config.json"
SUMMARY_JSON = "summary.json"
HISTORY_JSONL = "history.jsonl"
MEDIA_DIR = "media"
FILES_DIR = "files"

LOCK_FILE = ".writer.lock"
ALERTS_JSONL = "alerts.jsonl"
#: system metrics, one sample per line (media/_system.py)
SYSTEM_JSONL = "system.jsonl"
#: media.watch(model, log_graph=True): the module tree (media/_watch.py)
MODEL_JSON = "model.json"
#: the run's stdout and stderr, one line per JSON object (media/_console.py)
CONSOLE_JSONL = "console.jsonl"
#: Alert levels, as wandb's AlertLevel values.
ALERT_LEVELS = ("INFO", "WARN", "ERROR")
#: In ``<root>/<project>/``: the id of the project's last started run there, for
#: ``init(resume="auto")``. A run folder's name never starts with ".", so it cannot clash.
LAST_RUN_FILE = ".last-run.json"

# Row fields the run adds; every other field is user data.
RESERVED_FIELDS = ("_step", "_timestamp", "_runtime", "_late")
#: Fields of history lines that tie a step's media to it (format 2); readers merge and drop them.
#: ``_commit``: the row's commit number; ``_pending``: {key: kind} of its media still being
#: written; ``_part``: on a media line, the commit number of the row it completes.
LINK_FIELDS = ("_commit", "_pending", "_part")
#: Keys log() refuses: the reserved fields, the link fields, and the empty key.
REFUSED_KEYS = RESERVED_FIELDS + LINK_FIELDS

#: Run statuses as stored in run.json; readers may also report "crashed".
STATUSES = ("running", "finished", "failed", "crashed")

# A run that is "running" on another host is considered crashed when its heartbeat is older.
HEARTBEAT_SECONDS = 30.0
STALE_AFTER_SECONDS = 4 * HEARTBEAT_SECONDS

ENV_ROOT = "MEDIABOARD_DIR"


# --------------------------------------------------------------------------------------------
# Paths
# --------------------------------------------------------------------------------------------


def last_run_id(root: str | os.PathLike[str], project: str) -> str | None:
    """The id in ``<root>/<project>/.last-run.json`` (None if absent or unreadable: the file is
    a hint, never trusted further than naming a run folder to look at)."""
    path = run_dir_for(Path(root), project, "x").parent / LAST_RUN_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    run_id = data.get("id") if isinstance(data, dict) else None
    return run_id if isinstance(run_id, str) and run_id else None


def metric_for(metrics: Any, key: str) -> dict[str, Any] | None:
    """The ``define_metric`` definition (from run.json ``metrics``) that applies to ``key``.

    A definition named exactly ``key`` wins; else the last defined name with a wildcard
    (``"val/*"``, fnmatch rules, ``*`` also crosses ``/``) that matches it; else None.
    """
    if not isinstance(metrics, dict):
        return None
    exact = metrics.get(key)
    if isinstance(exact, dict):
        return exact
    found = None
    for name, definition in metrics.items():
        if isinstance(name, str) and isinstance(definition, dict) and any(c in name for c in "*?[") \
                and fnmatch.fnmatchcase(key, name):
            found = definition
    return found


def default_root() -> Path:
    """Where runs go when ``init`` gets no ``dir``: ``$MEDIABOARD_DIR``, else ``./mediaboard``."""
    env = os.environ.get(ENV_ROOT)
    return Path(env) if env else Path.cwd() / "mediaboard"


_UNSAFE = re.compile(r"[^\w.\-]+", re.UNICODE)
_MAX_SEGMENT = 80


def safe_segment(text: str) -> str:
    """One path segment for ``text``: word characters, ``.``, ``-`` kept; the rest become ``_``.

    When anything had to change, a short hash of the original is appended so that two different
    texts never share a segment (``"a b"`` and ``"a_b"`` stay apart). ``.``/``..``/empty are
    never returned, so the result always stays inside its parent folder.
    """
    cleaned = _UNSAFE.sub("_", text)[:_MAX_SEGMENT].strip(".") or "_"
    if cleaned != text:
        digest = hashlib.sha1(text.encode("utf-8", "surrogatepass")).hexdigest()[:8]
        cleaned = f"{cleaned}~{digest}"
    return cleaned


def key_dir(key: str) -> str:
    """The folder (relative to ``media/``) that holds a key's files: one safe segment per ``/`` part.

    >>> key_dir("val/examples")
    'val/examples'
    >>> key_dir("../x").startswith("..")
    False
    """
    parts = key.split("/")
    return "/".join(safe_segment(p) for p in parts)


def run_dir_for(root: Path, project: str, run_id: str) -> Path:
    """``<root>/<project>/<run-id>``, with the project name made path-safe."""
    return Path(root) / safe_segment(project) / safe_segment(run_id)


# --------------------------------------------------------------------------------------------
# Atomic writes
# --------------------------------------------------------------------------------------------


def _json_default(value: Any) -> Any:
    # numpy scalars and arrays reach here when a stub holds them; everything else is a bug upstream.
    if hasattr(value, "tolist"):
        return value.tolist()
    if isinstance(value, Path):
        return str(value)
    raise TypeError(f"not JSON serializable: {type(value).__name__}")


_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), default=_json_default)


def dumps(obj: Any) -> str:
    """The one JSON encoding used for every file: UTF-8, compact, NaN/Infinity kept as literals."""
    return _ENCODER.encode(obj)


def storable_error(value: Any) -> str | None:
    """Why ``dumps(value)`` cannot go into a run file (UTF-8 JSON), or None when it can.

    Catches what JSON or UTF-8 cannot hold: strings with lone surrogates (``os.fsdecode`` of a
    file name that is not UTF-8), ints of more digits than Python converts, circular or too deeply
    nested lists and dicts, and objects with no JSON form. Used to name the culprit after a failed
    ``dumps``; the fast path just calls ``dumps`` and encodes.
    """
    try:
        dumps(value).encode("utf-8")
    except (ValueError, TypeError, RecursionError, UnicodeError, OverflowError) as exc:
        if isinstance(exc, RecursionError) or "Circular reference" in str(exc):
            return "a circular or too deeply nested structure"
        if isinstance(exc, UnicodeError):
            return "a string that is not valid Unicode (a lone surrogate such as '\\udcff', as " \
                   "os.fsdecode returns for a file name that is not UTF-8)"
        if "digits" in str(exc) or "string conversion" in str(exc):
            return "an int with more digits than Python converts to text (over 4,300)"
        return f"a value with no JSON form ({exc})"
    return None


def check_storable(value: Any, *, where: str) -> None:
    """Raise MediaValueError naming ``where`` when ``value`` cannot be stored (see storable_error)."""
    reason = storable_error(value)
    if reason is not None:
        raise MediaValueError(
            f"{where}: expected a value the run folder can store (UTF-8 JSON); got {reason}: "
            f"{_safe_describe(value)}."
        )


def find_unstorable(values: dict[str, Any]) -> tuple[str, str] | None:
    """The first ``(key, reason)`` of a dict whose value cannot be stored, or None."""
    for k, v in values.items():
        if storable_error(k) is not None:
            return k, "a key that is not valid Unicode"
        reason = storable_error(v)
        if reason is not None:
            return k, reason
    return None


def _safe_describe(value: Any) -> str:
    try:
        text = describe(value)
    except (ValueError, RecursionError):
        return type(value).__name__
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


_umask_cache: int | None = None


def file_mode() -> int:
    """The mode a new file gets from the umask (0o644 under the usual 022).

    Temporary files are created with it, so renamed files are readable by whoever the umask allows
    (``tempfile.mkstemp`` would make them 0600). Read once per process from /proc, else by the
    classic umask round trip."""
    global _umask_cache
    if _umask_cache is None:
        mask = None
        try:
            with open("/proc/self/status", encoding="ascii", errors="replace") as f:
                for line in f:
                    if line.startswith("Umask:"):
                        mask = int(line.split()[1], 8)
                        break
        except (OSError, ValueError):
            mask = None
        if mask is None:
            mask = os.umask(0o022)
            os.umask(mask)
        _umask_cache = mask
    return 0o666 & ~_umask_cache


_TEMP_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
_temp_counter = itertools.count()
_TEMP_TAG = secrets.token_hex(3)


def create_temp(folder: str | os.PathLike[str], name: str, suffix: str = ".tmp") -> tuple[int, str]:
    """Create a new hidden temporary file ``.<name>.<unique><suffix>`` in ``folder``.

    Returns ``(fd, path)``. The file gets the umask's mode (see ``file_mode``); ``O_EXCL`` makes
    sure it is new (the name is tried again on the rare clash)."""
    while True:
        tmp = f"{os.fspath(folder)}/.{name}.{_TEMP_TAG}{os.getpid():x}-{next(_temp_counter)}{suffix}"
        try:
            return os.open(tmp, _TEMP_FLAGS, 0o666), tmp
        except FileExistsError:
            continue


def atomic_write_bytes(path: Path, data: bytes, *, fsync: bool = True) -> None:
    """Write ``data`` to ``path`` so that readers see the old file or the new one, never a part.

    The file gets the mode the umask gives (0644 under 022)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = create_temp(path.parent, path.name)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            if fsync:
                f.flush()
                os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        _unlink_quietly(tmp)
        raise


def atomic_copy(src: str | os.PathLike[str], dest: Path) -> None:
    """Copy ``src`` to ``dest`` through a temporary file beside it: ``dest`` is the old file or the
    whole new one, never a half copy (the temporary file is removed on failure)."""
    import shutil

    fd, tmp = create_temp(dest.parent, dest.name)
    os.close(fd)
    try:
        shutil.copyfile(src, tmp)
        os.replace(tmp, dest)
    except BaseException:
        _unlink_quietly(tmp)
        raise


def atomic_write_json(path: Path, obj: Any, *, fsync: bool = True) -> None:
    """``atomic_write_bytes`` of ``obj`` as pretty JSON (these files are small and read by people)."""
    text = json.dumps(obj, ensure_ascii=False, indent=1, default=_json_default)
    atomic_write_bytes(path, text.encode("utf-8") + b"\n", fsync=fsync)


def _unlink_quietly(path: str | Path) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass


# --------------------------------------------------------------------------------------------
# The media writer handed to Media._serialize
# --------------------------------------------------------------------------------------------


class WriteCancelled(Exception):
    """Raised by a MediaWriter whose run finished before the file was complete (never published)."""


_CLAIM_LOCK = threading.Lock()
_CLAIMED: set[str] = set()


class MediaWriter:
    """Where one media value writes its files. Handed to ``Media._serialize`` by the run.

    File names show the key (the folder) and the step: ``media/<key>/<step>_<index><ext>``, with
    attachments as ``<step>_<index>.<tag><ext>`` (``12_0.mask-predictions.png``). Every file is
    written to a temporary name and renamed when complete, so a name that exists is whole.
    Returned paths are relative to the run folder, with forward slashes.

    Example::

        rel = writer.write_bytes(png_bytes, ".png")
        digest = writer.sha256  # of png_bytes
        mask_rel = writer.child("mask-predictions").write_bytes(mask_png, ".png")
    """

    def __init__(self, run_dir: Path | str, key: str, step_label: str | int, index: int = 0,
                 _base: str | None = None, cancelled: Callable[[], bool] | None = None) -> None:
        self.run_dir = Path(run_dir)
        self._root = os.fspath(run_dir)
        #: when it returns True, files are no longer published (the run finished without them)
        self.cancelled = cancelled
        self.key = key
        self.step_label = str(step_label)
        self.index = index
        self.folder = f"{MEDIA_DIR}/{key_dir(key)}"
        self.base = _base if _base is not None else f"{self.step_label}_{index}"
        #: SHA-256 (hex) of the bytes the last ``write_bytes`` wrote; kinds put it in their stub
        self.sha256: str | None = None

    def item(self, index: int) -> MediaWriter:
        """Writer for item ``index`` of a list logged under this key at this step."""
        return MediaWriter(self.run_dir, self.key, self.step_label, index, cancelled=self.cancelled)

    def child(self, tag: str) -> MediaWriter:
        """Writer for a file that belongs to this one (a mask layer, a table cell)."""
        return MediaWriter(self.run_dir, self.key, self.step_label, self.index,
                           _base=f"{self.base}.{safe_segment(tag)}", cancelled=self.cancelled)

    def _target(self, ext: str) -> tuple[str, str]:
        """Claim a final name no file has and no other thread is writing (see ``_release``)."""
        if ext and not ext.startswith("."):
            ext = "." + ext
        rel = f"{self.folder}/{self.base}{ext}"
        root = self._root
        target = f"{root}/{rel}"
        n = 1
        # Never overwrite a file an earlier row points to (late rows can reuse a step label), nor
        # one another encoder thread is about to rename into place.
        with _CLAIM_LOCK:
            while target in _CLAIMED or os.path.lexists(target):
                rel = f"{self.folder}/{self.base}~{n}{ext}"
                target = f"{root}/{rel}"
                n += 1
            _CLAIMED.add(target)
        return rel, target

    def _publish(self, tmp: str, target: str) -> None:
        if self.cancelled is not None and self.cancelled():
            raise WriteCancelled(f"{target}: the run finished before this file was complete")
        os.replace(tmp, target)

    @staticmethod
    def _release(target: str) -> None:
        with _CLAIM_LOCK:
            _CLAIMED.discard(target)

    def _temp_for(self, target: str, ext: str) -> tuple[int, str]:
        folder, name = target.rsplit("/", 1)
        try:
            return create_temp(folder, name, ".tmp" + ext)
        except FileNotFoundError:
            os.makedirs(folder, exist_ok=True)
            return create_temp(folder, name, ".tmp" + ext)

    def _write(self, ext: str, fill: Callable[[int, str], None]) -> str:
        """Claim a name, let ``fill(fd, tmp_path)`` write the temporary file (it closes ``fd``),
        then publish it under the name; a failure leaves no file behind. Returns the name."""
        if ext and not ext.startswith("."):
            ext = "." + ext
        rel, target = self._target(ext)
        self.sha256 = None
        try:
            fd, tmp = self._temp_for(target, ext)
            try:
                fill(fd, tmp)
                self._publish(tmp, target)
            except BaseException:
                _unlink_quietly(tmp)
                raise
        finally:
            self._release(target)
        return rel

    def write_with(self, ext: str, fn: Callable[[str], None]) -> str:
        """Call ``fn(tmp_path)`` to write the file, then move it to its final name; return that name."""

        def fill(fd: int, tmp: str) -> None:
            os.close(fd)
            fn(tmp)

        return self._write(ext, fill)

    def write_bytes(self, data: bytes, ext: str) -> str:
        """Write ``data`` as this value's file with extension ``ext``; return its relative path."""

        def fill(fd: int, _tmp: str) -> None:
            try:
                view = memoryview(data)
                while view:
                    view = view[os.write(fd, view):]
            finally:
                os.close(fd)

        rel = self._write(ext, fill)
        self.sha256 = hashlib.sha256(data).hexdigest()
        return rel

    def write_json(self, obj: Any, ext: str = ".json") -> str:
        """Write ``obj`` as JSON; return the relative path."""
        return self.write_bytes(dumps(obj).encode("utf-8"), ext)

    def copy_file(self, src: str | os.PathLike[str], ext: str | None = None) -> str:
        """Copy a user's file unchanged (hard-link when possible); return the relative path."""
        src = Path(src)
        if ext is None:
            ext = "".join(src.suffixes[-2:]) if src.name.endswith((".pts.json",)) else src.suffix

        def _copy(tmp: str) -> None:
            _unlink_quietly(tmp)
            try:
                os.link(src, tmp)
            except OSError:
                import shutil

                shutil.copyfile(src, tmp)

        return self.write_with(ext, _copy)


# --------------------------------------------------------------------------------------------
# Readers
# --------------------------------------------------------------------------------------------


def _console_line(obj: Any) -> dict[str, Any] | None:
    """A console.jsonl object, or None when it is not one."""
    if (isinstance(obj, dict) and isinstance(obj.get("line"), str) and _is_time(obj.get("t"))
            and obj.get("stream") in ("stdout", "stderr")
            and isinstance(obj.get("step"), int) and not isinstance(obj.get("step"), bool)):
        return {"t": obj["t"], "step": obj["step"], "stream": obj["stream"], "line": obj["line"]}
    return None


def _sample(obj: Any) -> dict[str, Any] | None:
    """A system.jsonl sample (its numeric fields), or None when it is not one."""
    if isinstance(obj, dict) and _is_time(obj.get("_timestamp")):
        return {k: v for k, v in obj.items() if isinstance(k, str) and _is_time(v)}
    return None


def _is_time(value: Any) -> bool:
    """A finite number (not a bool)."""
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def read_nofollow(path: str | os.PathLike[str]) -> bytes:
    """The bytes of ``path``, refusing a symlink (OSError): the files beside runs that the viewer
    reads (the artifact store, sweep folders) are untrusted input like runs, and a link could
    bring a file from outside them into a site."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0))
    with os.fdopen(fd, "rb") as f:
        return f.read()


def _short(value: Any, limit: int = 40) -> str:
    """A value for a problem line: its repr, cut to ``limit`` characters."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _read_json(path: Path, default: Any) -> Any:
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except FileNotFoundError:
        return default


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    except OSError:
        return False
    return True


def media_kind(value: Any) -> str | None:
    """The media kind of a history value: the stub's ``_type``, or that of a list's items."""
    if isinstance(value, dict):
        t = value.get("_type")
        if t == "media-list":
            return value.get("kind") or "mixed"
        if t == "error" and isinstance(value.get("kind"), str) and value.get("lost"):
            return value["kind"]  # a lost value keeps its key in its kind's panel
        return t if isinstance(t, str) else None
    return None


class RunReader:
    """Read-only view of one run folder. Obtain one with ``open_run`` or ``list_runs``.

    Example::

        r = open_run("mediaboard/demo/ab12cd34")
        r.name, r.status, r.config["lr"], r.summary["loss"]
        for row in r.history(keys=["loss"]): ...
        for step, stub in r.media("examples"): print(step, stub["_type"], r.resolve(stub["path"]))
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        meta_path = self.path / RUN_JSON
        if not meta_path.is_file():
            raise FormatError(
                f"open_run(): expected a run folder containing {RUN_JSON}; got {str(self.path)!r}."
            )
        try:
            self.meta: dict[str, Any] = _read_json(meta_path, {})
        except json.JSONDecodeError as exc:
            raise FormatError(f"open_run(): {meta_path} is not valid JSON: {exc}") from None
        if not isinstance(self.meta, dict):
            raise FormatError(f"open_run(): expected {meta_path} to hold a JSON object; got "
                              f"{type(self.meta).__name__}. This is not a mediaboard run.")
        version = self.meta.get("format_version")
        if not isinstance(version, int) or isinstance(version, bool) or not 1 <= version <= FORMAT_VERSION:
            raise FormatError(
                f"open_run(): {meta_path} has format_version {version!r}; this mediaboard reads "
                f"versions 1..{FORMAT_VERSION}. Upgrade mediaboard to read it."
            )
        #: Problems met while reading (torn lines, unreadable files), as human-readable strings.
        self.problems: list[str] = []
        self._rows: list[dict[str, Any]] | None = None
        self._rows_sig: tuple[int, int, bool] | None = None
        self._check_meta()

    # a run folder is untrusted input: a run.json field of the wrong type is left out (and said
    # so in problems) rather than crash every reader that sorts, subtracts or prints it
    _META_NUMBERS = ("start_time", "end_time", "heartbeat_at")
    _META_TEXTS = ("id", "name", "project", "group", "job_type", "notes", "status", "host")

    def _check_meta(self) -> None:
        meta = self.meta
        for k in self._META_NUMBERS:
            v = meta.get(k)
            if v is not None and not (isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)):
                self.problems.append(f"run.json: {k} is {_short(v)}, expected a number of seconds; ignored")
                del meta[k]
        for k in self._META_TEXTS:
            v = meta.get(k)
            if v is not None and not isinstance(v, str):
                self.problems.append(f"run.json: {k} is {_short(v)}, expected a string; ignored")
                del meta[k]
        pid = meta.get("pid")
        if pid is not None and (not isinstance(pid, int) or isinstance(pid, bool)):
            self.problems.append(f"run.json: pid is {_short(pid)}, expected an integer; ignored")
            del meta["pid"]
        sweep = meta.get("sweep")
        if sweep is not None and not (isinstance(sweep, dict) and isinstance(sweep.get("id"), str)
                                      and isinstance(sweep.get("trial"), int) and not isinstance(sweep.get("trial"), bool)):
            self.problems.append(f"run.json: sweep is {_short(sweep)}, expected {{id, trial}}; ignored")
            del meta["sweep"]
        tags = meta.get("tags")
        if tags is not None and not (isinstance(tags, list) and all(isinstance(t, str) for t in tags)):
            self.problems.append(f"run.json: tags is {_short(tags)}, expected a list of strings; ignored")
            del meta["tags"]

    # ---- metadata -----------------------------------------------------------------------------
    def __repr__(self) -> str:
        return f"<RunReader {self.project}/{self.id} {self.name!r} {self.status}>"

    id = property(lambda self: self.meta.get("id"))
    name = property(lambda self: self.meta.get("name"))
    project = property(lambda self: self.meta.get("project"))
    group = property(lambda self: self.meta.get("group"))
    job_type = property(lambda self: self.meta.get("job_type"))
    notes = property(lambda self: self.meta.get("notes"))
    tags = property(lambda self: list(self.meta.get("tags") or []))
    start_time = property(lambda self: self.meta.get("start_time"))
    end_time = property(lambda self: self.meta.get("end_time"))
    format_version = property(lambda self: self.meta.get("format_version"))
    #: {"id", "trial"[, "state"]} for a sweep's trial (docs/format.md, Sweeps), else None
    sweep = property(lambda self: self.meta.get("sweep"))

    @property
    def status(self) -> str:
        """running, finished, failed, or crashed (a "running" run whose writer is gone)."""
        status = self.meta.get("status", "running")
        if status != "running":
            return status
        if self.meta.get("host") == socket.gethostname():
            pid = self.meta.get("pid")
            if isinstance(pid, int) and not _pid_alive(pid):
                return "crashed"
            return "running"
        beat = self.meta.get("heartbeat_at") or self.meta.get("start_time") or 0
        return "crashed" if time.time() - float(beat) > STALE_AFTER_SECONDS else "running"

    @property
    def duration(self) -> float | None:
        """Seconds from start to end; for a run without an end (running, crashed), to its last
        heartbeat or its last row, whichever is later (a run killed before its first heartbeat
        still shows how long it ran)."""
        start = self.start_time
        if start is None:
            return None
        if self.end_time is not None:
            return max(0.0, float(self.end_time) - float(start))
        ends = []
        beat = self.meta.get("heartbeat_at")
        if isinstance(beat, (int, float)):
            ends.append(float(beat) - float(start))
        runtimes = [r.get("_runtime") for r in self._load_rows()]
        ends.extend(float(t) for t in runtimes if isinstance(t, (int, float)) and not isinstance(t, bool))
        return max(0.0, max(ends)) if ends else None

    def _object(self, name: str) -> dict[str, Any]:
        """A JSON object file of the run; anything else (a list, a number, bad JSON) reads as
        empty, said so in problems."""
        try:
            value = _read_json(self.path / name, {})
        except (OSError, ValueError) as exc:
            value = None
            why = f"cannot be read ({exc})"
        else:
            why = f"holds {type(value).__name__}, expected a JSON object"
        if isinstance(value, dict):
            return value
        note = f"{name}: {why}; read as empty"
        if note not in self.problems:
            self.problems.append(note)
        return {}

    @property
    def config(self) -> dict[str, Any]:
        return self._object(CONFIG_JSON)

    @property
    def summary(self) -> dict[str, Any]:
        """``summary.json``; for a run without an end (running, crashed), with the values of the
        rows written after it (the writer rewrites it about once a second, and a killed writer
        never again): each key's last value, except keys whose ``define_metric`` summary is not
        the last value (min, max, mean, ...), which keep the writer's."""
        summary = self._object(SUMMARY_JSON)
        if self.end_time is not None or self.status not in ("running", "crashed"):
            return summary
        since = summary.get("_step")
        metrics = self.meta.get("metrics") or {}
        kept: dict[str, bool] = {}
        for row in self._load_rows():
            step = row.get("_step")
            if isinstance(since, int) and isinstance(step, int) and step <= since:
                continue
            for k, v in row.items():
                if k.startswith("_") and k not in ("_step", "_runtime", "_timestamp"):
                    continue
                if k not in kept:
                    m = metric_for(metrics, k) if metrics else None
                    kept[k] = m is not None and m.get("summary") not in (None, "last", "copy")
                if not kept[k]:
                    summary[k] = v
        return summary

    # ---- history ------------------------------------------------------------------------------
    def _load_rows(self) -> list[dict[str, Any]]:
        hist = self.path / HISTORY_JSONL
        try:
            st = hist.stat()
            sig = (st.st_size, st.st_mtime_ns)
        except FileNotFoundError:
            return []
        live = self.status == "running"
        if self._rows is not None and self._rows_sig == (*sig, live):
            return self._rows
        with open(hist, "rb") as f:
            data = f.read()
        links_from = self.meta.get("links_from", 0) if self.format_version != 1 else None
        rows, problems = merge_history(data, live=live, links_from=links_from)
        self._rows, self._rows_sig = rows, (*sig, live)
        self.problems = [p for p in self.problems if not p.startswith(HISTORY_JSONL)] + problems
        return rows

    @property
    def lost(self) -> list[tuple[str, int]]:
        """``[(key, step), ...]`` of media values whose row was committed but whose file was never
        written (the writer was killed first, or gave up at finish). Each also has a ``lost`` error
        stub in its row and a line in ``problems``. Empty while the run is running."""
        out = []
        for row in self._load_rows():
            for k, v in row.items():
                if isinstance(v, dict) and v.get("_type") == "error" and v.get("lost"):
                    out.append((k, row["_step"]))
        return out

    @property
    def alerts(self) -> list[dict[str, Any]]:
        """``media.alert()`` calls, oldest first: dicts with ``step`` (int), ``time`` (Unix
        seconds), ``title``, ``text``, ``level`` ("INFO", "WARN" or "ERROR"), ``wait_duration``
        (seconds) and ``repeat`` (True when an alert of the same title came less than its
        ``wait_duration`` before: wandb would not have notified again). Lines that are not such
        an object are skipped and named in ``problems``."""
        return self._jsonl(ALERTS_JSONL, _alert, "not an alert (expected an object with step, time, title, "
                           "text, level)", "no alerts read")

    def _jsonl(self, name: str, parse: Any, expected: str, nothing: str,
               limit: int | None = None) -> list[Any]:
        """The objects of one of the run's append-only JSON-lines files, each through ``parse``
        (None: not one of them). A torn last line, a line that is not JSON and an object ``parse``
        refuses are skipped and named in ``problems`` (the first ``limit`` of them)."""
        out: list[Any] = []
        self.problems = [p for p in self.problems if not p.startswith(name)]
        try:
            data = (self.path / name).read_bytes()
        except FileNotFoundError:
            return out
        except OSError as exc:
            self.problems.append(f"{name}: unreadable ({type(exc).__name__}); {nothing}")
            return out
        lines = data.split(b"\n")
        named = 0
        for lineno, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                item = parse(json.loads(line))
            except ValueError as exc:
                torn = lineno == len(lines) and not data.endswith(b"\n")
                why = "torn (incomplete write)" if torn else f"unreadable ({exc})"
            else:
                if item is not None:
                    out.append(item)
                    continue
                why = expected
            named += 1
            if limit is None or named <= limit:
                self.problems.append(f"{name}: line {lineno} is {why}; ignored")
        return out

    def console(self) -> list[dict[str, Any]]:
        """The run's console lines (``console.jsonl``), in order: dicts with ``t`` (Unix seconds),
        ``step`` (the run's step when printed), ``stream`` ("stdout" or "stderr") and ``line``.
        Lines that are not such an object are skipped and named in ``problems``."""
        return self._jsonl(CONSOLE_JSONL, _console_line, "not a console line (expected an object with t, "
                           "step, stream, line)", "no lines read", limit=5)

    def model(self) -> list[dict[str, Any]]:
        """The module trees ``media.watch(..., log_graph=True)`` recorded (``model.json``): one
        dict per model with ``index``, ``type``, ``parameters``, ``trainable`` and ``modules``
        (each ``name``, ``type``, ``depth``, ``count`` and its own ``params``: ``name``, ``shape``,
        ``count``, ``trainable``); [] when there is none or it is not such a file (said in problems)."""
        self.problems = [p for p in self.problems if not p.startswith(MODEL_JSON)]
        try:
            doc = _read_json(self.path / MODEL_JSON, None)
        except (OSError, ValueError) as exc:
            self.problems.append(f"{MODEL_JSON}: unreadable ({type(exc).__name__}); no model shown")
            return []
        if doc is None:
            return []
        models = doc.get("models") if isinstance(doc, dict) else None
        if not isinstance(models, list) or not all(
                isinstance(m, dict) and isinstance(m.get("modules"), list) for m in models):
            self.problems.append(f"{MODEL_JSON}: expected {{'models': [{{..., 'modules': [...]}}]}}; ignored")
            return []
        return models

    def system(self) -> list[dict[str, Any]]:
        """System-metrics samples (``system.jsonl``), oldest first: dicts of numbers with
        ``_timestamp``, ``_runtime``, ``_step`` and the fields docs/format.md lists. Lines that are
        not such an object are skipped and named in ``problems``."""
        return self._jsonl(SYSTEM_JSONL, _sample, "not a sample (expected an object with a numeric "
                           "_timestamp)", "no samples read")

    def history(self, keys: list[str] | None = None, *, pandas: bool = False) -> Any:
        """Committed rows in step order, each a dict (``_step``, ``_timestamp``, ``_runtime``, keys).

        ``keys`` keeps only rows that have at least one of them (with the reserved fields).
        ``pandas=True`` returns a DataFrame instead (needs pandas).
        """
        rows = self._load_rows()
        if keys is not None:
            wanted = set(keys)
            rows = [
                {k: v for k, v in r.items() if k in wanted or k in RESERVED_FIELDS}
                for r in rows
                if wanted.intersection(r)
            ]
        if pandas:
            return _to_dataframe(rows)
        return iter(list(rows))

    def history_df(self, keys: list[str] | None = None) -> Any:
        """``history(keys, pandas=True)``: a pandas DataFrame, one row per committed step."""
        return self.history(keys, pandas=True)

    def keys(self) -> list[str]:
        """Every user key logged in history, in first-seen order."""
        seen: dict[str, None] = {}
        for row in self._load_rows():
            for k in row:
                if k not in RESERVED_FIELDS:
                    seen.setdefault(k, None)
        return list(seen)

    def scalar_keys(self) -> list[str]:
        """Keys whose logged values are numbers (bools excluded), in first-seen order."""
        out: dict[str, None] = {}
        for row in self._load_rows():
            for k, v in row.items():
                if k in RESERVED_FIELDS and k != "_runtime" and k != "_timestamp":
                    continue
                if isinstance(v, (int, float)) and not isinstance(v, bool):
                    out.setdefault(k, None)
        return list(out)

    def media_keys(self) -> dict[str, str]:
        """``{key: kind}`` for every key whose values are media stubs (kind as in the stub ``_type``)."""
        out: dict[str, str] = {}
        for row in self._load_rows():
            for k, v in row.items():
                kind = media_kind(v)
                if kind and (k not in out or out[k] == "error"):
                    out[k] = kind  # a failed first value does not decide the key's kind
        return out

    def text_keys(self) -> list[str]:
        """Keys whose logged values are strings."""
        out: dict[str, None] = {}
        for row in self._load_rows():
            for k, v in row.items():
                if isinstance(v, str):
                    out.setdefault(k, None)
        return list(out)

    def media(self, key: str) -> list[tuple[int, Any]]:
        """``[(step, stub), ...]`` in step order for one key (a list entry is one stub of kind media-list)."""
        return [(r["_step"], r[key]) for r in self._load_rows() if key in r]

    def steps(self) -> list[int]:
        """Every committed step, in order."""
        return [r["_step"] for r in self._load_rows()]

    def resolve(self, relpath: str) -> Path:
        """The real path of a file a stub names, if it may leave the run: the one gate for every
        file that build, report, ci and export read, link, copy or inline.

        ``relpath`` must be a plain relative path under ``media/`` or ``files/`` (no ``..``, no
        ``.``, no absolute path, no backslash, no NUL), and every symlink on the way must stay
        inside this run folder (a link to another file of the same run is followed). Anything
        else raises FormatError naming the run and the path.
        """
        check_relpath(relpath, what=f"run {str(self.path)!r}: path")
        if relpath.split("/", 1)[0] not in (MEDIA_DIR, FILES_DIR):
            raise FormatError(
                f"resolve(): run {str(self.path)!r}: expected a path under {MEDIA_DIR}/ or "
                f"{FILES_DIR}/; got {relpath!r}."
            )
        return contained(self.path, relpath, what=f"run {str(self.path)!r}")

    def shipped_files(self) -> list[tuple[str, Path]]:
        """``[(relpath, real path)]`` of every file under ``media/`` and ``files/`` that may leave
        the run (see ``resolve``), in name order. Hidden files (temporary ones) are skipped; a
        symlink that leaves the run, a link to a folder, or anything not a regular file is skipped
        and named in ``problems``."""
        out: list[tuple[str, Path]] = []
        root = self.path
        for sub in (MEDIA_DIR, FILES_DIR):
            base = root / sub
            if base.is_symlink():
                self._note_skipped(sub, "it is a symlink")
                continue
            if not base.is_dir():
                continue
            for dirpath, dirnames, filenames in os.walk(base, followlinks=False):
                rel_dir = Path(dirpath).relative_to(root).as_posix()
                for d in list(dirnames):
                    if os.path.islink(os.path.join(dirpath, d)):
                        dirnames.remove(d)
                        self._note_skipped(f"{rel_dir}/{d}", "it is a symlink to a folder")
                dirnames.sort()
                for name in sorted(filenames):
                    if name.startswith("."):
                        continue
                    rel = f"{rel_dir}/{name}"
                    try:
                        real = self.resolve(rel)
                    except FormatError as exc:
                        self._note_skipped(rel, str(exc))
                        continue
                    if not real.is_file():
                        self._note_skipped(rel, "it is not a regular file")
                        continue
                    out.append((rel, real))
        return out

    def _note_skipped(self, rel: str, why: str) -> None:
        note = f"{rel}: not shipped ({why})"
        if note not in self.problems:
            self.problems.append(note)

    def files(self) -> list[str]:
        """Files saved with media.save(), relative to the run folder (``files/...``), that may leave
        the run (see ``shipped_files``)."""
        return [rel for rel, _ in self.shipped_files() if rel.startswith(FILES_DIR + "/")]


def _alert(obj: Any) -> dict[str, Any] | None:
    """One alerts.jsonl line checked field by field (None if it is not an alert)."""
    if not isinstance(obj, dict):
        return None
    step, when, wait = obj.get("step"), obj.get("time"), obj.get("wait_duration", 0)
    title, text, level = obj.get("title"), obj.get("text"), obj.get("level")
    if not (isinstance(step, int) and not isinstance(step, bool) and step >= 0):
        return None
    if not (isinstance(when, (int, float)) and not isinstance(when, bool)):
        return None
    if not (isinstance(wait, (int, float)) and not isinstance(wait, bool)):
        return None
    if not (isinstance(title, str) and isinstance(text, str) and level in ALERT_LEVELS):
        return None
    return {"step": step, "time": float(when), "title": title, "text": text, "level": level,
            "wait_duration": float(wait), "repeat": obj.get("repeat") is True}


def check_relpath(relpath: Any, *, what: str) -> str:
    """``relpath`` if it is a plain relative path (``a/b.png``), else FormatError naming ``what``."""
    if not isinstance(relpath, str) or not relpath:
        raise FormatError(f"{what}: expected a relative path (str); got {relpath!r}.")
    bad = None
    if relpath.startswith("/") or "\\" in relpath or "\x00" in relpath or ":" in relpath.split("/", 1)[0]:
        bad = "an absolute path, a backslash or a NUL"
    elif any(part in ("", ".", "..") for part in relpath.split("/")):
        bad = "an empty, '.' or '..' segment"
    if bad:
        raise FormatError(f"{what}: expected a plain relative path; got {relpath!r}, which has {bad}.")
    return relpath


def contained(base: str | os.PathLike[str], relpath: str, *, what: str) -> Path:
    """The real path of ``base/relpath`` if it stays inside ``base`` once every symlink is
    followed (links between files inside ``base`` are allowed); else FormatError."""
    check_relpath(relpath, what=what)
    root = Path(os.path.realpath(base))
    target = Path(os.path.realpath(os.path.join(root, relpath)))
    if target != root and root not in target.parents:
        raise FormatError(f"{what}: path {relpath!r} leaves {str(base)!r} (through a symlink); refused.")
    return target


def lost_stub(kind: str | None, step: int) -> dict[str, Any]:
    """The stub a reader puts where a committed media value was never written."""
    return {
        "_type": "error",
        "kind": kind,
        "lost": True,
        "message": f"lost at step {step}: the run stopped before this value was written",
    }


def merge_history(data: bytes, *, live: bool = False,
                  links_from: int | None = 0) -> tuple[list[dict[str, Any]], list[str]]:
    """Rows of a ``history.jsonl`` (its bytes), in step order, with media parts merged in.

    Format 2 appends a row at commit; when it has media, the row carries ``_commit`` and
    ``_pending`` ({key: kind}), and each media value follows later in its own line
    ``{"_step": s, "_part": <commit>, key: stub}``. Here parts are merged into their row and the
    link fields dropped, so rows look the same as in format 1. A pending key with no part is still
    being written when ``live`` (the key is left out of the row), else lost: its value becomes a
    ``lost_stub`` and a problem names key and step. Lines before byte ``links_from`` are format 1,
    whose users could log keys named like the link fields (a format 1 run resumed in format 2
    records the offset in run.json ``links_from``; ``None``: the whole file is format 1).
    Returns ``(rows, problems)``.
    """
    rows: list[dict[str, Any]] = []
    problems: list[str] = []
    by_commit: dict[Any, dict[str, Any]] = {}
    pending_of: dict[int, dict[str, Any]] = {}  # id(row) -> its {key: kind} still to come
    lines = data.split(b"\n")
    torn_tail = not data.endswith(b"\n") and lines[-1] != b""
    parts: list[tuple[int, dict[str, Any]]] = []
    late = False
    offset = 0
    for lineno, raw in enumerate(lines, start=1):
        start, offset = offset, offset + len(raw) + 1
        if not raw.strip():
            continue
        try:
            row = json.loads(raw)
            if not isinstance(row, dict) or not isinstance(row.get("_step"), int):
                raise ValueError("not a row object with an integer _step")
        except (ValueError, RecursionError) as exc:
            if torn_tail and lineno == len(lines):
                problems.append(f"{HISTORY_JSONL}: last line {lineno} is torn (incomplete write); ignored")
            else:
                problems.append(f"{HISTORY_JSONL}: line {lineno} is unreadable ({exc}); ignored")
            continue
        late = late or bool(row.get("_late"))
        if links_from is None or start < links_from:
            rows.append(row)  # format 1: every key is the user's
            continue
        if "_part" in row:
            parts.append((lineno, row))
            continue
        if "_commit" in row:
            commit = row.pop("_commit")
            pending = row.pop("_pending", None)
            by_commit[commit] = row
            pending_of[id(row)] = dict(pending) if isinstance(pending, dict) else {}
        rows.append(row)
    for lineno, part in parts:
        commit = part.pop("_part")
        parent = by_commit.get(commit)
        if parent is None:
            problems.append(f"{HISTORY_JSONL}: line {lineno} completes commit {commit!r}, which no "
                            f"earlier row has; ignored")
            continue
        pending = pending_of[id(parent)]
        for k, v in part.items():
            if k != "_step" and k in pending:
                del pending[k]
                parent[k] = v
    if not live:
        for row in rows:
            for k, kind in pending_of.get(id(row), {}).items():
                row[k] = lost_stub(kind if isinstance(kind, str) else None, row["_step"])
                problems.append(f"{HISTORY_JSONL}: media value of key {k!r} at step {row['_step']} "
                                f"was lost (the run stopped before its file was written)")
    # Late rows (see docs/format.md) are appended after later steps; present rows in step order.
    if late:
        rows.sort(key=lambda r: r["_step"])
    return rows, problems


def _to_dataframe(rows: list[dict[str, Any]]) -> Any:
    try:
        import pandas as pd
    except ImportError:
        raise ImportError(
            "history(pandas=True) needs pandas: pip install pandas (or mediaboard[pandas])"
        ) from None
    return pd.DataFrame(rows)


def open_run(path: str | os.PathLike[str]) -> RunReader:
    """Open a run folder for reading. Raises FormatError when ``path`` holds no run.json."""
    return RunReader(path)


def list_runs(root: str | os.PathLike[str] | None = None, *, max_depth: int = 4) -> list[RunReader]:
    """Every run folder under ``root`` (default: ``default_root()``), oldest first.

    A folder is a run when it holds ``run.json``; ``root`` may itself be a run folder.
    Folders that fail to read are skipped.
    """
    base = Path(root) if root is not None else default_root()
    found: list[RunReader] = []
    if not base.exists():
        return found

    def walk(folder: Path, depth: int) -> None:
        if (folder / RUN_JSON).is_file():
            try:
                found.append(RunReader(folder))
            except FormatError:
                pass
            return
        if depth >= max_depth:
            return
        try:
            children = sorted(p for p in folder.iterdir() if p.is_dir() and not p.name.startswith("."))
        except OSError:
            return
        for child in children:
            if child.name in (MEDIA_DIR, FILES_DIR):
                continue
            walk(child, depth + 1)

    walk(base, 0)
    found.sort(key=lambda r: (r.start_time or 0, str(r.path)))
    return found


def iter_run_dirs(root: str | os.PathLike[str]) -> Iterator[Path]:
    """Paths of every run folder under ``root`` (see ``list_runs``)."""
    for r in list_runs(root):
        yield r.path
