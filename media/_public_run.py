"""``media.api.Run`` and ``File``: one run folder in the shape of wandb's ``wandb.apis.public.Run``.

A run folder is untrusted input: nothing here raises on what a run holds. A file that cannot be
read counts as empty and gets a line in ``run.problems``, like the problems ``RunReader`` reports
(torn lines, lost media). Files leave the run only through ``RunReader.resolve``, the one gate.

Example::

    run = media.Api().run("mnist/ab12cd34")
    df = run.history(keys=["loss"])                # sampled pandas DataFrame: _step, loss
    for row in run.scan_history(min_step=100):     # every row, as dicts
        ...
    run.file("files/model.pt").download(root="out")
"""

from __future__ import annotations

import base64
import hashlib
import mimetypes
import os
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, TextIO

from media import runfolder as rf
from media.errors import FormatError, MediaValueError, describe

#: run.json, config.json, summary.json, history.jsonl: listed by ``Run.files()`` before media/, files/
_TOP_FILES = (rf.RUN_JSON, rf.CONFIG_JSON, rf.SUMMARY_JSON, rf.HISTORY_JSONL)
_STREAMS = ("default", "system", "events")


def _iso(seconds: Any) -> str | None:
    """wandb's timestamp text (UTC, ``2024-05-01T12:00:00``) of Unix seconds, or None."""
    if not isinstance(seconds, (int, float)) or isinstance(seconds, bool):
        return None
    try:
        return datetime.fromtimestamp(seconds, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")
    except (OverflowError, OSError, ValueError):
        return None


def _count(value: Any, *, where: str, minimum: int) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
        raise MediaValueError(f"{where}: expected an int >= {minimum}; got {describe(value)}.")
    return value


def _key_list(keys: Any, *, where: str) -> list[str] | None:
    if keys is None:
        return None
    if not isinstance(keys, (list, tuple)) or not all(isinstance(k, str) for k in keys):
        raise MediaValueError(f"{where}: keys must be a list of str; got {describe(keys)}.")
    return list(keys)


def evenly(rows: list[Any], samples: int) -> list[Any]:
    """At most ``samples`` items of ``rows``, evenly spaced, the first and the last included.

    >>> evenly(list(range(10)), 4)
    [0, 3, 6, 9]
    """
    n = len(rows)
    if n <= samples:
        return list(rows)
    if samples == 1:
        return [rows[-1]]
    return [rows[round(i * (n - 1) / (samples - 1))] for i in range(samples)]


def to_frame(rows: list[dict[str, Any]], columns: list[str] | None, *, where: str) -> Any:
    """A pandas DataFrame of ``rows`` (pandas is imported here, only when asked for)."""
    try:
        import pandas as pd
    except ImportError:
        raise ImportError(
            f"{where} with pandas=True needs pandas: pip install pandas (or mediaboard[pandas]); "
            f"or pass pandas=False for a list of dicts."
        ) from None
    return pd.DataFrame(rows, columns=columns)


class File:
    """One file of a run, as wandb's ``File``: ``name``, ``size``, ``url``, ``download(root=)``.

    ``name`` is the path inside the run folder (``media/examples/3_0.png``, ``files/model.pt``).
    """

    def __init__(self, run: Run, name: str, real: Path) -> None:
        self._run = run
        self.name = name
        #: where the file is on this disk (``download`` copies from here)
        self.path = real
        try:
            st = real.stat()
            self.size: int = st.st_size
            self.updated_at: str | None = _iso(st.st_mtime)
        except OSError:
            self.size, self.updated_at = 0, None
        self.url = real.as_uri()
        self.direct_url = self.url
        self.mimetype = mimetypes.guess_type(name)[0] or "application/octet-stream"

    def __repr__(self) -> str:
        return f"<File {self.name} ({self.mimetype}) {self.size} bytes>"

    @property
    def md5(self) -> str:
        """The MD5 of the file's bytes, base64 as wandb gives it."""
        digest = hashlib.md5(usedforsecurity=False)
        with open(self._run._source(self.name), "rb") as f:
            for chunk in iter(lambda: f.read(1 << 20), b""):
                digest.update(chunk)
        return base64.b64encode(digest.digest()).decode("ascii")

    def download(self, root: str | os.PathLike[str] = ".", replace: bool = False,
                 exist_ok: bool = False) -> TextIO:
        """Copy the file to ``root/<name>`` (folders made as needed) and open the copy for reading,
        as wandb does. An existing copy is kept with ``exist_ok=True``, replaced with
        ``replace=True``, else MediaValueError (a ValueError, as in wandb)."""
        target = Path(root) / self.name
        if target.exists() and not replace:
            if not exist_ok:
                raise MediaValueError(
                    f"File.download(): {str(target)!r} exists; pass replace=True to overwrite it "
                    f"or exist_ok=True to keep it."
                )
            return open(target, encoding="utf-8", errors="replace")
        src = self._run._source(self.name)  # through the gate again: the run may have changed
        target.parent.mkdir(parents=True, exist_ok=True)
        rf.atomic_copy(src, target)
        return open(target, encoding="utf-8", errors="replace")


class Run:
    """One run as wandb's public API shows it, read from its folder (see the module docstring).

    wandb's names: ``id``, ``name``, ``project``, ``entity`` (always ``""``: a run folder has no
    owner), ``path`` (``[entity, project, id]``), ``state`` (``running``, ``finished``,
    ``crashed``, ``failed``), ``config``, ``summary`` and ``summary_metrics`` (plain dicts, read
    once; ``load()`` reads them again; changes are not written back), ``tags``, ``notes``,
    ``group``, ``job_type``, ``created_at``, ``heartbeat_at``, ``url`` (``file://`` of the
    folder), ``lastHistoryStep``, ``history()``, ``scan_history()``, ``files()``, ``file()``.
    Ours beside them: ``reader`` (the ``RunReader``), ``dir``, ``status``, ``meta``,
    ``problems``, ``lost``, ``media(key)``, ``media_keys()``, ``steps()``, ``resolve(path)``.
    """

    entity = ""

    def __init__(self, reader: rf.RunReader) -> None:
        #: the RunReader this run reads through (its ``history()`` yields every row as a dict)
        self.reader = reader
        self._config: dict[str, Any] | None = None
        self._summary: Summary | None = None
        # RunReader.status does arithmetic on these; a run folder may hold anything in them
        for field in ("start_time", "end_time", "heartbeat_at"):
            value = reader.meta.get(field)
            if value is not None and (not isinstance(value, (int, float)) or isinstance(value, bool)):
                self._note(f"{rf.RUN_JSON}: {field} is {describe(value)}, not Unix seconds; ignored")
                reader.meta[field] = None

    # ---- problems ---------------------------------------------------------------------------
    @property
    def problems(self) -> list[str]:
        """What could not be read, one line each (the reader's, and this object's)."""
        return self.reader.problems

    def _note(self, text: str) -> None:
        if text not in self.reader.problems:
            self.reader.problems.append(text)

    def _text(self, field: str) -> str | None:
        value = self.reader.meta.get(field)
        if value is None or isinstance(value, str):
            return value
        self._note(f"{rf.RUN_JSON}: {field} is {describe(value)}, not a string; ignored")
        return None

    # ---- metadata -----------------------------------------------------------------------------
    def __repr__(self) -> str:
        return f"<Run {self.project}/{self.id} ({self.state})>"

    @property
    def meta(self) -> dict[str, Any]:
        """run.json as read (see docs/format.md)."""
        return self.reader.meta

    @property
    def id(self) -> str:
        return self._text("id") or self.reader.path.name

    @property
    def name(self) -> str:
        return self._text("name") or self.id

    @property
    def display_name(self) -> str:
        return self.name

    @property
    def project(self) -> str:
        return self._text("project") or self.reader.path.parent.name

    @property
    def path(self) -> list[str]:
        """``[entity, project, id]``, as wandb gives it: ``"/".join(run.path)`` is accepted by
        ``Api().run()``."""
        return [self.entity, self.project, self.id]

    @property
    def dir(self) -> str:
        """The run folder (a str), as ``media.Run.dir``."""
        return str(self.reader.path)

    @property
    def url(self) -> str:
        return self.reader.path.resolve().as_uri()

    @property
    def group(self) -> str | None:
        return self._text("group")

    @property
    def job_type(self) -> str | None:
        return self._text("job_type")

    @property
    def notes(self) -> str | None:
        return self._text("notes")

    @property
    def tags(self) -> list[str]:
        tags = self.reader.meta.get("tags") or []
        if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
            self._note(f"{rf.RUN_JSON}: tags is {describe(tags)}, not a list of strings; ignored")
            return []
        return list(tags)

    @property
    def state(self) -> str:
        """``running``, ``finished``, ``failed`` or ``crashed`` (our statuses are wandb's states)."""
        status = self.reader.status
        if status not in rf.STATUSES:
            self._note(f"{rf.RUN_JSON}: status is {describe(status)}; reported as crashed")
            return "crashed"
        return status

    status = state

    @property
    def created_at(self) -> str | None:
        """When the run started, as wandb's text (UTC, ``2024-05-01T12:00:00``)."""
        return _iso(self.reader.meta.get("start_time"))

    @property
    def heartbeat_at(self) -> str | None:
        meta = self.reader.meta
        return _iso(meta.get("end_time")) or _iso(meta.get("heartbeat_at")) or self.created_at

    @property
    def start_time(self) -> Any:
        return self.reader.start_time

    @property
    def end_time(self) -> Any:
        return self.reader.end_time

    # ---- config and summary -------------------------------------------------------------------
    def _read_dict(self, what: str, read: Any) -> dict[str, Any]:
        try:
            value = read()
        except (OSError, ValueError, TypeError, AttributeError, RecursionError) as exc:
            self._note(f"{what}: unreadable ({exc}); read as empty")
            return {}
        if not isinstance(value, dict):
            self._note(f"{what}: expected a JSON object; got {describe(value)}; read as empty")
            return {}
        return value

    @property
    def config(self) -> dict[str, Any]:
        if self._config is None:
            self._config = self._read_dict(rf.CONFIG_JSON, lambda: self.reader.config)
        return self._config

    @property
    def summary(self) -> Summary:
        if self._summary is None:
            self._summary = Summary(self, self._read_dict(rf.SUMMARY_JSON, lambda: self.reader.summary))
        return self._summary

    summary_metrics = summary

    # ---- changing a run that has ended (wandb's run.update(), summary.update()) ---------------
    def _writable(self, where: str) -> None:
        if self.reader.status == "running":
            raise MediaValueError(f"{where}: run {self.id!r} is still being written by its process; "
                                  f"change it with media.config / media.summary there, or after it ends.")

    def update(self) -> None:
        """Write this run's ``config`` and ``summary`` (as changed in memory) to its folder, as
        wandb's ``run.update()`` does. Refused while the run's process still writes it."""
        self._writable("Run.update()")
        rf.atomic_write_json(self.reader.path / rf.CONFIG_JSON, dict(self.config))
        rf.atomic_write_json(self.reader.path / rf.SUMMARY_JSON, dict(self.summary))

    @property
    def system_metrics(self) -> dict[str, Any]:
        """The run's last system-metrics sample (``system.jsonl``), or {} when it has none."""
        samples = self.reader.system()
        return dict(samples[-1]) if samples else {}

    @property
    def history_keys(self) -> dict[str, Any]:
        """wandb's shape: ``{"keys": {key: {"typeCounts": [{"type": ..., "count": n}]}}, "lastStep": n}``."""
        counts: dict[str, dict[str, int]] = {}
        for row in self._rows():
            for k, v in row.items():
                kind = ("number" if isinstance(v, (int, float)) and not isinstance(v, bool) else "boolean"
                        if isinstance(v, bool) else "string" if isinstance(v, str) else
                        str(v.get("_type", "map")) if isinstance(v, dict) else "list" if isinstance(v, list) else "nil")
                counts.setdefault(k, {}).setdefault(kind, 0)
                counts[k][kind] += 1
        return {"keys": {k: {"typeCounts": [{"type": t, "count": n} for t, n in c.items()]}
                         for k, c in counts.items()}, "lastStep": self.lastHistoryStep}

    @property
    def metadata(self) -> dict[str, Any]:
        """What the run recorded about where it ran (``run.json``: host, program, python, ...)."""
        return {k: v for k, v in self.reader.meta.items()
                if k in ("host", "program", "python", "os", "args", "git", "cpu_count", "gpu")}

    user = None  # no accounts here
    read_only = False  # config and summary of an ended run can be changed (update())

    def load(self, force: bool = True) -> Run:
        """Read config and summary again (they are read once, on first use)."""
        del force
        self._config = self._summary = None
        return self

    # ---- history ------------------------------------------------------------------------------
    def _rows(self) -> list[dict[str, Any]]:
        """Every committed row in step order (copies: callers may change them)."""
        try:
            rows = self.reader.history()
        except OSError as exc:
            self._note(f"{rf.HISTORY_JSONL}: unreadable ({exc}); read as empty")
            return []
        return [dict(r) for r in rows]

    @property
    def lastHistoryStep(self) -> int:  # noqa: N802 - wandb's name
        """The last committed step, or -1 when there is none."""
        steps = [r["_step"] for r in self._rows()]
        return max(steps) if steps else -1

    def history(self, samples: int = 500, keys: list[str] | None = None, x_axis: str = "_step",
                pandas: bool = True, stream: str = "default") -> Any:
        """At most ``samples`` rows, evenly spaced (the first and the last kept), as a pandas
        DataFrame, or a list of dicts with ``pandas=False``. ``scan_history`` gives every row.

        Without ``keys``, rows hold every key. With ``keys``, as in wandb, only rows that have
        every one of them and ``x_axis`` are kept, with those columns alone. ``stream="system"``
        (or ``"events"``, wandb's names) gives the system-metrics samples (``system.jsonl``).

        Example: ``run.history(keys=["loss"])`` -> columns ``loss``, ``_step``.
        """
        where = "Run.history()"
        _count(samples, where=f"{where}: samples", minimum=1)
        wanted = _key_list(keys, where=where)
        if not isinstance(x_axis, str):
            raise MediaValueError(f"{where}: x_axis must be a key (str); got {describe(x_axis)}.")
        if stream not in _STREAMS:
            raise MediaValueError(f"{where}: stream must be one of {', '.join(_STREAMS)}; got "
                                  f"{describe(stream)}.")
        rows = self._rows() if stream == "default" else [dict(r) for r in self.reader.system()]
        columns = None
        if wanted is not None:
            columns = wanted + ([x_axis] if x_axis not in wanted else [])
            rows = [{k: r[k] for k in columns} for r in rows if all(k in r for k in columns)]
        rows = evenly(rows, samples)
        return to_frame(rows, columns, where=where) if pandas else rows

    def scan_history(self, keys: list[str] | None = None, page_size: int = 1000,
                     min_step: int | None = None, max_step: int | None = None
                     ) -> Iterator[dict[str, Any]]:
        """Every row from ``min_step`` (included) to ``max_step`` (excluded), as dicts in step
        order. With ``keys``, as in wandb, only rows that have all of them, holding those keys
        alone (add ``"_step"`` to keys to keep it). ``page_size`` is accepted (rows are read from
        disk, not fetched in pages).

        Example: ``[row["loss"] for row in run.scan_history(keys=["loss"])]``
        """
        where = "Run.scan_history()"
        wanted = _key_list(keys, where=where)
        _count(page_size, where=f"{where}: page_size", minimum=1)
        for name, bound in (("min_step", min_step), ("max_step", max_step)):
            if bound is not None:
                _count(bound, where=f"{where}: {name}", minimum=-(2**63))
        return self._scan(wanted, min_step, max_step)

    def _scan(self, wanted: list[str] | None, lo: int | None, hi: int | None
              ) -> Iterator[dict[str, Any]]:
        for row in self._rows():
            step = row["_step"]
            if (lo is not None and step < lo) or (hi is not None and step >= hi):
                continue
            if wanted is None:
                yield row
            elif all(k in row for k in wanted):
                yield {k: row[k] for k in wanted}

    # ---- what RunReader offers, for callers of the API before it took wandb's shape ----------
    @property
    def lost(self) -> list[tuple[str, int]]:
        return self.reader.lost

    def media(self, key: str) -> list[tuple[int, Any]]:
        return self.reader.media(key)

    def media_keys(self) -> dict[str, str]:
        return self.reader.media_keys()

    def keys(self) -> list[str]:
        return self.reader.keys()

    def steps(self) -> list[int]:
        return self.reader.steps()

    def resolve(self, relpath: str) -> Path:
        return self.reader.resolve(relpath)

    # ---- files --------------------------------------------------------------------------------
    def _source(self, name: str) -> Path:
        """The real path of the run's file ``name``, through the gate (FormatError if refused)."""
        if name in _TOP_FILES:
            real = rf.contained(self.reader.path, name, what=f"run {self.dir!r}")
        else:
            real = self.reader.resolve(name)
        if not real.is_file():
            raise FormatError(f"run {self.dir!r}: {name!r} is not a regular file.")
        return real

    def files(self, names: list[str] | None = None, per_page: int = 50) -> list[File]:
        """The run's files, as wandb's ``File`` objects: ``run.json``, ``config.json``,
        ``summary.json``, ``history.jsonl``, then every file under ``media/`` and ``files/`` that
        may leave the run (``RunReader.shipped_files``: no symlink out, no temporary file).
        ``names`` keeps only those names; ``per_page`` is accepted."""
        wanted = _key_list(names, where="Run.files(): names")
        _count(per_page, where="Run.files(): per_page", minimum=1)
        found: list[tuple[str, Path]] = []
        for name in _TOP_FILES:
            try:
                found.append((name, self._source(name)))
            except FormatError as exc:
                if (self.reader.path / name).exists() or os.path.islink(self.reader.path / name):
                    self._note(f"{name}: not listed ({exc})")
        try:
            found.extend(self.reader.shipped_files())
        except OSError as exc:
            self._note(f"files: cannot list the run's media/ and files/ ({exc})")
        if wanted:
            found = [(n, p) for n, p in found if n in wanted]
        return [File(self, n, p) for n, p in found]

    def file(self, name: str) -> File:
        """One file of ``files()`` by its name in the run (``"files/model.pt"``)."""
        for f in self.files():
            if f.name == name:
                return f
        raise MediaValueError(
            f"Run.file(): expected the name of one of the run's files (see files()); got "
            f"{name!r}, which run {self.dir!r} does not have."
        )

    # ---- artifacts (media._artifacts) ---------------------------------------------------------
    def _artifacts(self, logged: bool) -> list[Any]:
        from media import artifactstore as st
        from media._artifacts import Artifact

        root = self.reader.path.parent.parent
        store = st.Store(root)
        out = []
        for project in store.projects():
            for name in store.names(project):
                coll = store.collection(project, name)
                for m in coll["versions"]:
                    who = [m["logged_by"]] if logged else m["used_by"]
                    if any(w and w["project"] == self.project and w["run"] == self.id for w in who):
                        out.append(Artifact._from_store(root, project, name, m["version"]))
        return out

    def logged_artifacts(self, per_page: int = 100) -> list[Any]:
        """The artifact versions this run logged (``media.Artifact``), by project and name."""
        del per_page
        return self._artifacts(logged=True)

    def used_artifacts(self, per_page: int = 100) -> list[Any]:
        """The artifact versions this run used (``use_artifact``), by project and name."""
        del per_page
        return self._artifacts(logged=False)


class Summary(dict):  # type: ignore[type-arg]
    """A run's summary as the read API gives it: a dict, with wandb's ``_json_dict`` and an
    ``update()`` that writes it to the run folder (wandb's ``run.summary.update()``)."""

    def __init__(self, run: Run, values: dict[str, Any]) -> None:
        super().__init__(values)
        self._run = run

    @property
    def _json_dict(self) -> dict[str, Any]:
        return dict(self)

    def update(self, *args: Any, **kwargs: Any) -> None:  # type: ignore[override]
        """Change values (as dict.update) and write the summary to the run folder."""
        self._run._writable("Run.summary.update()")
        super().update(*args, **kwargs)
        rf.atomic_write_json(self._run.reader.path / rf.SUMMARY_JSON, dict(self))
