"""Build the static site: read run folders (through ``media.runfolder`` only) and write pages,
data shards, media links and vendor JavaScript into one self-contained folder.

Site layout (see docs/viewer.md)::

    SITE/index.html                       the app (runs index and run pages, routed by the URL hash)
    SITE/static/...                       our JS and CSS
    SITE/vendor/plotly-<v>.min.js         copied from the installed plotly package
    SITE/vendor/bokeh-<v>.min.js ...      copied from the installed bokeh package
    SITE/data/index.js                    MB.data.index([...runs])
    SITE/data/live.js                     MB.data.live({gen, runs}): polled by open pages (live)
    SITE/data/sweeps.js, sweeps/<key>.js  the sweeps and each sweep's page data (viewer/sweeps.py)
    SITE/data/artifacts.js                MB.data.artifacts({projects}): the artifact stores' manifests
                                          and lineage (viewer/artifacts.py)
    SITE/data/<run>/run.js                MB.data.run(run, {meta, config, summary, media keys, ...})
    SITE/data/<run>/scalars.js            MB.data.scalars(run, {columns})
    SITE/data/<run>/s/<group>/<chunk>.js  MB.data.shard(run, key, chunk, [{step, stub}, ...]), one
                                          call per media key of the group (keys logged at the same
                                          steps, at most SHARD_GROUP of them), so one cursor jump
                                          loads one script per group, not one per key
    SITE/files/<run>/...                  the run's media/ and files/, hard-linked (or copied)

Data reaches the page as script files because browsers refuse fetch() of file:// URLs.
A rebuild writes only files whose content changed, and skips runs whose files did not change.

Example::

    from viewer.build import build_site
    stats = build_site(["mediaboard"], "site")
    print(stats.index_html)
"""

from __future__ import annotations

import functools
import hashlib
import json
import math
import os
import shutil
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from media import runfolder as rf
from media import stubs
from viewer import artifacts, kinds, policy, sweeps
from viewer.outdir import inside_out
from viewer.text import js_value, templates

#: logged entries per media key in a shard file
CHUNK = 50
#: media keys (logged at the same steps) that share shard files; a page keeps at least 24 shards
#: (app.js SHARD_CACHE), so one file never holds more keys than the page can keep
SHARD_GROUP = 16

HERE = Path(__file__).resolve().parent
STATE_FILE = ".mediaboard-build.json"
#: what wrote a run's data: a new version of this module rebuilds runs whose files did not change
BUILDER = hashlib.sha256(b"".join(
    p.read_bytes() for p in [Path(__file__), *sorted((HERE / "kinds").glob("*.py"))])).hexdigest()[:16]


@dataclass
class SiteRun:
    """One run as the site holds it: ``data`` (data/<key>/run.js), ``scalars`` (scalars.js) and
    every media key's ``entries`` ([{step, stub}], the shards) and ``system`` (system.js), for the
    export to take in memory."""

    key: str
    data: dict[str, Any]
    scalars: dict[str, Any]
    entries: dict[str, list[dict[str, Any]]]
    #: the System section's samples as columns (system.js), None when the run has none
    system: dict[str, Any] | None = None
    #: the Logs section's lines (console.js), None when the run kept no console
    console: dict[str, Any] | None = None


@dataclass
class BuildStats:
    """What a build did."""

    out: Path
    runs: int = 0
    runs_rebuilt: int = 0
    written: int = 0
    unchanged: int = 0
    linked: int = 0
    problems: list[str] = field(default_factory=list)
    #: with build_site(keep_data=True): the index and each run's data as the pages get them
    index: list[dict[str, Any]] = field(default_factory=list)
    data: dict[str, SiteRun] = field(default_factory=dict)

    @property
    def index_html(self) -> Path:
        return self.out / "index.html"


class _Writer:
    """Writes files into the site only when their content changed; counts what it did."""

    def __init__(self, out: Path, stats: BuildStats) -> None:
        self.out = out
        self.stats = stats
        self.touched: set[Path] = set()

    def text(self, rel: str, content: str) -> None:
        self.bytes(rel, content.encode("utf-8"))

    def dest(self, rel: str) -> Path:
        """``out/rel``, checked to stay inside the output folder (see ``inside_out``)."""
        return inside_out(self.out, rel)

    def bytes(self, rel: str, data: bytes) -> None:
        target = self.dest(rel)
        self.touched.add(target)
        try:
            if target.stat().st_size == len(data) and target.read_bytes() == data:
                self.stats.unchanged += 1
                return
        except FileNotFoundError:
            pass
        rf.atomic_write_bytes(target, data, fsync=False)
        self.stats.written += 1

    def copy(self, rel: str, src: Path, *, link: bool = False) -> None:
        target = self.dest(rel)
        self.touched.add(target)
        st = src.stat()
        try:
            tt = target.stat()
            if tt.st_size == st.st_size and (
                (tt.st_ino == st.st_ino and tt.st_dev == st.st_dev) or tt.st_mtime_ns == st.st_mtime_ns
            ):
                self.stats.unchanged += 1
                return
        except FileNotFoundError:
            pass
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".{target.name}.tmp")
        if tmp.exists():
            tmp.unlink()
        linked = False
        if link:
            try:
                os.link(src, tmp)
                linked = True
            except OSError:
                pass
        if not linked:
            shutil.copy2(src, tmp)  # keeps the mtime that tells an unchanged copy
            os.chmod(tmp, rf.file_mode())  # the umask's mode, not the source's
        os.replace(tmp, target)
        self.stats.linked += 1


# ------------------------------------------------------------------------------------------------
# vendor JavaScript, copied from the installed packages
# ------------------------------------------------------------------------------------------------


def vendor_files() -> list[tuple[str, Path]]:
    """``[(site-relative name, source path)]`` for plotly.js and BokehJS from installed packages."""
    out: list[tuple[str, Path]] = []
    try:
        import plotly

        src = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
        if src.is_file():
            out.append((f"vendor/plotly-{plotly.__version__}.min.js", src))
    except ImportError:
        pass
    try:
        import bokeh

        base = Path(bokeh.__file__).parent / "server" / "static" / "js"
        for name in ("bokeh", "bokeh-gl", "bokeh-widgets", "bokeh-tables", "bokeh-api"):
            src = base / f"{name}.min.js"
            if src.is_file():
                # shipped as text: the page hands it to sandboxed frames, never runs it itself
                out.append((f"vendor/{name}-{bokeh.__version__}.text.js", src))
    except ImportError:
        pass
    return out


def vendor_text(rel: str, src: Path) -> str:
    """A script that hands ``src``'s code to the page as text (``MB.vendorText``), not to run."""
    return _vendor_text(rel, str(src), src.stat().st_mtime_ns)


@functools.lru_cache(maxsize=16)
def _vendor_text(rel: str, src: str, _mtime: int) -> str:
    group = rel.split("/")[-1].split("-")[0]
    return f"MB.vendorText({js_value(group)},{js_value(rel)},{js_value(Path(src).read_text(encoding='utf-8'))});\n"


# ------------------------------------------------------------------------------------------------
# per-run data
# ------------------------------------------------------------------------------------------------


def run_key(reader: rf.RunReader) -> str:
    """The run's folder-safe name inside the site: ``<project>.<id>``."""
    return f"{rf.safe_segment(str(reader.project))}.{rf.safe_segment(str(reader.id))}"


#: system-metrics samples per run in the site (more are thinned evenly)
SYSTEM_ROWS = 4000
#: console lines per run in the site (the last ones; the page says how many were left out)
CONSOLE_LINES = 20000


def _signature(reader: rf.RunReader) -> list[Any]:
    sig = []
    for name in (rf.RUN_JSON, rf.CONFIG_JSON, rf.SUMMARY_JSON, rf.HISTORY_JSONL, rf.ALERTS_JSONL,
                 rf.SYSTEM_JSONL, rf.MODEL_JSON, rf.CONSOLE_JSONL):
        try:
            st = (reader.path / name).stat()
            sig.append([name, st.st_size, st.st_mtime_ns])
        except FileNotFoundError:
            sig.append([name, None, None])
    sig.append(["status", reader.status])
    sig.append(["builder", BUILDER])
    return sig


def _scalar_leaves(value: Any, prefix: str = "") -> dict[str, Any]:
    """Flatten nested dicts to ``a.b`` leaves of plain values (for index columns)."""
    out: dict[str, Any] = {}
    if isinstance(value, dict) and "_type" not in value:
        for k, v in value.items():
            out.update(_scalar_leaves(v, f"{prefix}{k}."))
    elif isinstance(value, (int, float, str, bool)) or value is None:
        out[prefix[:-1]] = value
    elif isinstance(value, list) and len(value) <= 8 and all(
        isinstance(x, (int, float, str, bool)) for x in value
    ):
        out[prefix[:-1]] = json.dumps(value)
    return out


@dataclass
class Enrich:
    """One stub on its way to the page: ``stub`` as logged, ``out`` its copy for the page,
    ``inline`` ({path: content}) and ``missing`` ([path]) collected so far; a kind's ``enrich(e)``
    (viewer/kinds/<kind>.py) adds to them, ``e.enrich(value)`` enriches stubs nested in a file."""

    stub: dict[str, Any]
    out: dict[str, Any]
    inline: dict[str, Any]
    missing: list[str]
    reader: rf.RunReader
    problems: list[str]
    #: run file -> the text the site ships instead of the file itself (a page made safe to frame)
    rewrites: dict[str, str]

    def enrich(self, value: Any) -> Any:
        return _enrich(value, self.reader, self.problems, self.rewrites)


def _enrich(stub: Any, reader: rf.RunReader, problems: list[str],
            rewrites: dict[str, str] | None = None) -> Any:
    """Copy a stub, inlining what the browser cannot load from file:// itself.

    - every ``*.json`` file a stub names goes in ``__inline[path]`` (parsed);
    - files that are missing are listed in ``__missing``;
    - then the stub's kind adds its own (viewer/kinds/<kind>.py ``enrich``): image mask PNGs as
      data: URIs, Html text, an audio waveform, the stubs in a table's cells.
    """
    if isinstance(stub, list):
        return [_enrich(s, reader, problems, rewrites) for s in stub]
    if not isinstance(stub, dict):
        return stub
    out = {k: _enrich(v, reader, problems, rewrites) if isinstance(v, (dict, list)) else v
           for k, v in stub.items()}
    inline: dict[str, Any] = {}
    missing: list[str] = []
    for field_name in (stubs.PATH, stubs.PREVIEW):
        value = stub.get(field_name)
        if not isinstance(value, str):
            continue
        try:
            target = reader.resolve(value)
        except rf.FormatError:
            missing.append(value)
            continue
        if not target.is_file():
            missing.append(value)
            continue
        if value.endswith(".json"):
            try:
                inline[value] = json.loads(target.read_text(encoding="utf-8"))
            except (OSError, ValueError) as exc:
                problems.append(f"{value}: unreadable JSON ({exc})")
                missing.append(value)
    kind = stubs.kind_of(stub)
    hook = getattr(kinds.get(kind), "enrich", None) if kind in stubs.STUBS else None
    if hook is not None:
        hook(Enrich(stub, out, inline, missing, reader, problems, {} if rewrites is None else rewrites))
    if inline:
        out[stubs.INLINE] = inline
    if missing:
        out[stubs.MISSING] = missing
    return out


def _run_data(reader: rf.RunReader, key: str, w: _Writer, stats: BuildStats,
              keep: bool = False) -> dict[str, Any]:
    problems: list[str] = []
    rows = list(reader.history())
    problems.extend(reader.problems)
    media_keys = reader.media_keys()
    text_keys = [k for k in reader.text_keys() if k not in media_keys]
    scalar_keys = [k for k in reader.scalar_keys() if k not in media_keys]

    # scalars, as columns aligned with rows that have at least one scalar
    columns: dict[str, list[Any]] = {k: [] for k in scalar_keys}
    steps: list[int] = []
    runtime: list[float | None] = []
    stamp: list[float | None] = []
    user_scalars = [k for k in scalar_keys if k not in rf.RESERVED_FIELDS]
    for row in rows:
        if not any(k in row for k in user_scalars):
            continue
        steps.append(row["_step"])
        runtime.append(row.get("_runtime"))
        stamp.append(row.get("_timestamp"))
        for k in user_scalars:
            v = row.get(k)
            columns[k].append(v if isinstance(v, (int, float)) and not isinstance(v, bool) else None)
    scalars = {"_step": steps, "_runtime": runtime, "_timestamp": stamp}
    scalars.update({k: columns[k] for k in user_scalars})
    w.text(f"data/{key}/scalars.js", f"MB.data.scalars({js_value(key)},{js_value(scalars)});\n")

    media_index: dict[str, Any] = {}
    rewrites: dict[str, str] = {}  # files the site ships changed (viewer/kinds/html.py)
    all_entries: dict[str, list[dict[str, Any]]] = {}
    for mkey, kind in list(media_keys.items()) + [(k, "text") for k in text_keys]:
        entries = []
        for step, value in reader.media(mkey):
            if kind == "text":
                if not isinstance(value, str):
                    continue
                stub: Any = {"_type": "text", "text": value}
            else:
                stub = _enrich(value, reader, problems, rewrites)
            entries.append({"step": step, "stub": stub})
        entries.sort(key=lambda e: e["step"])
        slug = rf.key_dir(mkey).replace("/", "~")
        all_entries[mkey] = entries
        media_index[mkey] = {"kind": kind, "steps": [e["step"] for e in entries], "slug": slug,
                             "chunk": CHUNK}

    # keys logged at the same steps share their shard files (chunk c covers the same steps for all)
    groups: dict[tuple[int, ...], list[str]] = {}
    for mkey in media_index:
        groups.setdefault(tuple(media_index[mkey]["steps"]), []).append(mkey)
    gid = 0
    for members in groups.values():
        for start in range(0, len(members), SHARD_GROUP):
            chunk_keys = members[start:start + SHARD_GROUP]
            n = len(all_entries[chunk_keys[0]])
            for c in range(0, max(1, math.ceil(n / CHUNK))):
                w.text(f"data/{key}/s/{gid}/{c}.js", "".join(
                    f"MB.data.shard({js_value(key)},{js_value(mkey)},{c},{js_value(all_entries[mkey][c * CHUNK:(c + 1) * CHUNK])});\n"
                    for mkey in chunk_keys))
            for mkey in chunk_keys:
                media_index[mkey]["file"] = f"s/{gid}"
            gid += 1

    # the run's files, linked into the site: only what the reader's gate lets leave the run
    # (a symlink that leaves it is skipped and named in the run's problems)
    shipped = reader.shipped_files()
    for rel, real in shipped:
        if rel in rewrites:
            w.text(f"files/{key}/{rel}", rewrites[rel])
        elif rel.startswith(rf.FILES_DIR + "/"):
            # saved files are linked from the run page: a scripted document goes as text
            w.copy(f"files/{key}/{policy.linkable(rel)}", real, link=True)
        else:
            w.copy(f"files/{key}/{rel}", real, link=True)
    summary, config, alerts, system = reader.summary, reader.config, reader.alerts, reader.system()
    model = reader.model()
    console = reader.console()
    console_data: dict[str, Any] | None = None
    if console:
        # the Logs section's lines, loaded when it is opened: the last CONSOLE_LINES
        kept = console[-CONSOLE_LINES:]
        console_data = {"lines": [[c["step"], 1 if c["stream"] == "stderr" else 0, c["line"]] for c in kept],
                        "dropped": len(console) - len(kept)}
        w.text(f"data/{key}/console.js", f"MB.data.console({js_value(key)},{js_value(console_data)});\n")
    system_columns: dict[str, Any] | None = None
    problems.extend(p for p in reader.problems if p not in problems)
    if system:
        # the System section's samples, loaded when it is opened: at most SYSTEM_ROWS (evenly
        # spaced, the first and last kept) as columns
        if len(system) > SYSTEM_ROWS:
            pick = sorted({round(i * (len(system) - 1) / (SYSTEM_ROWS - 1)) for i in range(SYSTEM_ROWS)})
            system = [system[i] for i in pick]
        fields = sorted({k for row in system for k in row})
        system_columns = {k: [row.get(k) for row in system] for k in fields}
        columns = system_columns
        w.text(f"data/{key}/system.js", f"MB.data.system({js_value(key)},{js_value(columns)});\n")
    meta = {k: reader.meta.get(k) for k in ("id", "name", "project", "group", "job_type", "notes",
                                             "tags", "start_time", "end_time", "exit_code",
                                             "host", "program", "python", "errors", "environment",
                                             "sweep")}
    # define_metric per chart key, resolved by the contract (an exact name, else the last glob
    # such as "val/*" that matches)
    defined = reader.meta.get("metrics")
    meta["metrics"] = {k: m for k in user_scalars if (m := rf.metric_for(defined, k)) is not None}
    meta["status"] = reader.status
    meta["duration"] = reader.duration
    data = {
        "key": key,
        "meta": meta,
        "config": config,
        "summary": summary,
        "alerts": alerts,
        "system": len(system),
        "model": model,
        "console": len(console),
        "files": [policy.linkable(rel) for rel, _ in shipped if rel.startswith(rf.FILES_DIR + "/")],
        "media": media_index,
        "scalars": user_scalars,
        "rows": len(rows),
        "problems": problems,
    }
    w.text(f"data/{key}/run.js", f"MB.data.run({js_value(key)},{js_value(data)});\n")
    stats.problems.extend(f"{key}: {p}" for p in problems)
    if keep:
        stats.data[key] = SiteRun(key, data, scalars, all_entries, system_columns, console_data)
    return data


def _index_entry(reader: rf.RunReader, key: str) -> dict[str, Any]:
    summary = {k: v for k, v in _scalar_leaves(reader.summary).items()
               if not k.startswith("_") or k in ("_step", "_runtime")}
    return {
        "key": key,
        "id": reader.id,
        "name": reader.name,
        "project": reader.project,
        "group": reader.group,
        "job_type": reader.job_type,
        "status": reader.status,
        "start_time": reader.start_time,
        "duration": reader.duration,
        "tags": reader.tags,
        "notes": reader.notes,
        "config": _scalar_leaves(reader.config),
        "summary": summary,
        "alerts": _alert_count(reader.alerts),
    }


def _alert_count(alerts: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The index's alert column: how many, the highest level, the newest title."""
    if not alerts:
        return None
    order = {"INFO": 0, "WARN": 1, "ERROR": 2}
    return {"n": len(alerts), "level": max((a["level"] for a in alerts), key=lambda lv: order.get(lv, 0)),
            "title": alerts[-1]["title"]}


# ------------------------------------------------------------------------------------------------
# the build
# ------------------------------------------------------------------------------------------------


def find_runs(sources: Iterable[str | os.PathLike[str]], *, allow_empty: bool = True) -> list[rf.RunReader]:
    """Every run under each source (a run folder or a folder of runs), without duplicates.

    A source that does not exist, is not a folder, cannot be read, or (unless ``allow_empty``,
    as for ``watch``, where runs appear later) holds no run is a FormatError naming it."""
    seen: set[Path] = set()
    runs: list[rf.RunReader] = []
    expected = "expected a run folder or a folder of runs"
    for src in sources:
        p = Path(src)
        if not p.exists():
            raise FileNotFoundError(f"build: {expected}; got {str(p)!r}, which does not exist.")
        if not p.is_dir():
            raise rf.FormatError(f"build: {expected}; got {str(p)!r}, which is a file.")
        try:
            next(os.scandir(p), None)
        except OSError as exc:
            raise rf.FormatError(f"build: {expected}; got {str(p)!r}, which cannot be read "
                                 f"({exc.strerror}).") from None
        if (p / rf.RUN_JSON).exists():
            rf.open_run(p)  # a run folder whose run.json is not ours: its own clear error
        found = rf.list_runs(p)
        if not found and not allow_empty:
            raise rf.FormatError(f"build: {expected}; got {str(p)!r}, which holds no run (no "
                                 f"{rf.RUN_JSON} within 4 levels).")
        for r in found:
            real = r.path.resolve()
            if real not in seen:
                seen.add(real)
                runs.append(r)
    return runs


def _static_files() -> list[tuple[str, Path]]:
    base = HERE / "static"
    return sorted((f"static/{p.relative_to(base).as_posix()}", p)
                  for p in base.rglob("*") if p.is_file())


def render_index(vendor: dict[str, list[str]], scripts: list[str], styles: list[str],
                 title: str) -> str:
    """The app page (one Jinja2 template, autoescaped, undefined variables are errors).

    Vendor scripts are not loaded by the page itself: the app loads plotly.js or BokehJS only
    when a view needs them (``vendor`` maps "plotly"/"bokeh" to their files).
    """
    return templates().get_template("index.html").render(vendor_json=json.dumps(vendor), scripts=scripts,
                                                 styles=styles, title=title, csp=policy.SITE)


def build_site(sources: Iterable[str | os.PathLike[str]], out: str | os.PathLike[str], *,
               progress: Callable[[str], None] | None = None, title: str = "mediaboard",
               allow_empty: bool = True, keep_data: bool = False) -> BuildStats:
    """Build (or incrementally rebuild) the site for every run under ``sources`` into ``out``.

    ``keep_data``: also keep every run's data in ``stats.data`` (and the index in
    ``stats.index``), rebuilding every run; the export takes them from there."""
    out_path = Path(out)
    if out_path.exists() and not out_path.is_dir():
        raise NotADirectoryError(f"build: -o must be a folder; got {str(out_path)!r}, which is a file.")
    out_path.mkdir(parents=True, exist_ok=True)
    stats = BuildStats(out=out_path)
    w = _Writer(out_path, stats)
    say = progress or (lambda _msg: None)

    runs = find_runs(sources, allow_empty=allow_empty)
    stats.runs = len(runs)
    state_path = out_path / STATE_FILE
    try:
        state = json.loads(state_path.read_text())
    except (FileNotFoundError, ValueError):
        state = {}
    new_state: dict[str, Any] = {"runs": {}}

    static = _static_files()
    for rel, src in static:
        if rel == "static/frame.html":  # its policy is written in from viewer/policy.py
            w.text(rel, src.read_text(encoding="utf-8").replace("FRAME_POLICY", policy.FRAME))
        else:
            w.copy(rel, src)
    vendor = vendor_files()
    for rel, src in vendor:
        if rel.endswith(".text.js"):
            w.text(rel, vendor_text(rel, src))
        else:
            w.copy(rel, src)

    index = []
    used: set[str] = set()
    kept: set[str] = set()
    for i, reader in enumerate(runs, start=1):
        key = run_key(reader)
        n = 2
        while key in used:
            key = f"{run_key(reader)}-{n}"
            n += 1
        used.add(key)
        sig = _signature(reader)
        old = state.get("runs", {}).get(key)
        if not keep_data and old and old.get("sig") == sig and old.get("path") == str(reader.path.resolve()) \
                and (out_path / "data" / key / "run.js").is_file():
            say(f"[{i}/{len(runs)}] {reader.project}/{reader.name}: unchanged")
            kept.add(key)  # its data/<key> and files/<key> stay as they are: not walked at all
        else:
            say(f"[{i}/{len(runs)}] {reader.project}/{reader.name}: building")
            _run_data(reader, key, w, stats, keep=keep_data)
            stats.runs_rebuilt += 1
        new_state["runs"][key] = {"sig": sig, "path": str(reader.path.resolve())}
        index.append(_index_entry(reader, key))

    w.text("data/index.js", f"MB.data.index({js_value(index)});\n")
    # what open pages poll to follow runs while they are written (static/app.js, "Live pages"):
    # a digest of the index and of each run's signature, so a page reloads only what changed
    run_sigs = {k: hashlib.sha256(json.dumps(v["sig"]).encode()).hexdigest()[:16]
                for k, v in new_state["runs"].items()}
    gen = hashlib.sha256(json.dumps([index, run_sigs], sort_keys=True, default=str).encode()).hexdigest()[:16]
    # the sweep pages (viewer/sweeps.py): data/sweeps.js and data/sweeps/<key>.js; live with the runs
    swept = sweeps.write_sweeps(sources, index, [r.path for r in runs], w.text, stats.problems)
    gen = hashlib.sha256(f"{gen}:{swept}".encode()).hexdigest()[:16]
    # the Artifacts pages (viewer/artifacts.py): data/artifacts.js; live with the runs
    stored = artifacts.write_artifacts(sources, index, [r.path for r in runs], w.text, stats.problems)
    gen = hashlib.sha256(f"{gen}:{stored}".encode()).hexdigest()[:16]
    w.text("data/live.js", f"MB.data.live({js_value({'gen': gen, 'runs': run_sigs})});\n")
    if keep_data:
        stats.index = index
    scripts = [rel for rel, _ in static if rel.endswith(".js")]
    # the shell first, renderers after it (alphabetical), so they can register
    scripts.sort(key=lambda s: (0 if s == "static/app.js" else 1 if "/renderers/" not in s else 2, s))
    styles = [rel for rel, _ in static if rel.endswith(".css")]
    vendor_map = {
        "plotly": [rel for rel, _ in vendor if rel.startswith("vendor/plotly-")],
        "bokeh": [rel for rel, _ in vendor if rel.startswith("vendor/bokeh")],
    }
    w.text("index.html", render_index(vendor_map, scripts, styles, title))
    w.text(STATE_FILE, json.dumps(new_state, indent=1))

    # remove files of runs or steps that no longer exist (never outside data/ and files/)
    for sub in ("data", "files"):
        base = out_path / sub
        if not base.is_dir():
            continue
        for top in base.iterdir():
            if top.name in kept and top.is_dir() and not top.is_symlink():
                continue  # an unchanged run: its tree is the one the last build wrote
            if top.is_symlink() or not top.is_dir():
                if top not in w.touched:
                    top.unlink()  # removes a link itself, never what it points to
                continue
            for dirpath, dirnames, filenames in os.walk(top, topdown=False, followlinks=False):
                for name in filenames + [d for d in dirnames if os.path.islink(os.path.join(dirpath, d))]:
                    p = Path(dirpath) / name
                    if p not in w.touched:
                        p.unlink()
                if not any(os.scandir(dirpath)):
                    os.rmdir(dirpath)
    return stats


def site_digest(out: str | os.PathLike[str]) -> str:
    """A digest of every file in a site (tests use it to prove a rebuild changed nothing)."""
    h = hashlib.sha256()
    base = Path(out)
    for p in sorted(base.rglob("*")):
        if p.is_file() and p.name != STATE_FILE:
            h.update(p.relative_to(base).as_posix().encode())
            h.update(p.read_bytes())
    return h.hexdigest()
