"""``mediaboard export``: one self-contained HTML file of one or more runs, under a size budget.

    mediaboard export RUN [RUN ...] --single-file out.html --budget 20MB [--keep-step 40]

The file opens from ``file://`` (or as an e-mail attachment, a CI artifact) with no network: the
app, its data shards, the vendor JavaScript a run needs and every media file are inlined. When
the whole export does not fit the budget, a fixed ladder of reductions is tried in order (fewer
steps per key, images re-encoded as WebP at a smaller size, audio/video left out) and the first
that fits is written; every reduced panel carries a note saying what was left out. The rule is in
docs/export.md and in ``LADDER`` below; it is the same every time for the same runs.

Exit codes: 0 written, 1 even the smallest export does not fit the budget, 2 bad usage or
unreadable input. Errors are one line on stderr; ``--debug`` shows the traceback.

Example::

    from viewer.export import main
    main(["runs/abc", "--single-file", "report.html", "--budget", "20MB"])
"""

from __future__ import annotations

import argparse
import base64
import copy
import html
import io
import json
import mimetypes
import re
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from media import runfolder as rf
from media import stubs
from viewer import kinds, policy
from viewer.build import CHUNK, SiteRun, build_site
from viewer.errors import Command, UsageError, VerdictError
from viewer.text import js_value, json_block, script_text

#: suffixes of image files that may be downscaled and re-encoded as WebP
REENCODABLE = (".png", ".jpg", ".jpeg", ".webp", ".bmp")
#: images per media key encoded to estimate a level's size before encoding them all
SAMPLE = 8
UNITS = {"b": 1, "kb": 1000, "mb": 1000**2, "gb": 1000**3, "kib": 1024, "mib": 1024**2, "gib": 1024**3}


@dataclass(frozen=True)
class Level:
    """One rung of the reduction ladder.

    ``max_steps``: at most this many logged steps per media key (None: all); ``side``: images
    larger than this (longest side, px) are downscaled and every image is re-encoded as WebP at
    ``quality`` when that is smaller (None: files as logged); ``keep_av``: audio, video and other
    files that cannot be re-encoded are kept (else left out, with a note).
    """

    max_steps: int | None
    side: int | None
    quality: int = 80
    keep_av: bool = True

    def describe(self) -> str:
        if self.max_steps is None and self.side is None:
            return "everything as logged"
        parts = [f"at most {self.max_steps} steps per key" if self.max_steps else "all steps"]
        if self.side:
            parts.append(f"images as WebP <= {self.side} px (quality {self.quality})")
        if not self.keep_av:
            parts.append("no audio/video")
        return ", ".join(parts)


#: tried in order; the first level whose page fits the budget is written
LADDER: tuple[Level, ...] = (
    Level(None, None),
    Level(None, 1024, 85),
    Level(None, 512, 80),
    Level(None, 256, 75),
    Level(50, 256, 75),
    Level(25, 256, 70),
    Level(12, 256, 70),
    Level(12, 192, 65),
    Level(6, 128, 60),
    Level(6, 128, 60, keep_av=False),
    Level(2, 96, 50, keep_av=False),
    Level(2, 64, 40, keep_av=False),
)

#: the site's page code for data an export does not hold (the Artifacts page reads the stores'
#: manifests, the sweep page the sweep folders, not runs): left out of the export
SITE_ONLY = ("static/artifacts.js", "static/artifacts.css", "static/sweep.js", "static/sweep.css",
             "static/parcoords.js")

# The export's own page code: MB_INLINE (read by MB.loadScript / MB.fileUrl in static/app.js),
# the notes on reduced panels and the banner. Kept here because only the export uses it.
BOOT_JS = r"""(function () {
  "use strict";
  var cfg = JSON.parse(document.getElementById("mb-export").textContent);
  function block(id) { var el = document.getElementById(id); return el ? el.textContent : undefined; }
  function clean(s) { try { return decodeURIComponent(s); } catch (e) { return s; } }
  // Browsers refuse to open data: URLs in a tab, so saved files (links, not media) become blob: URLs.
  var blobs = {};
  function blobUrl(id, uri, note) {
    if (!blobs[id]) {
      var blob;
      if (uri === undefined) blob = new Blob([note], { type: "text/plain;charset=utf-8" });
      else {
        var comma = uri.indexOf(","), bin = atob(uri.slice(comma + 1)), bytes = new Uint8Array(bin.length);
        for (var i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
        blob = new Blob([bytes], { type: uri.slice(5, comma).replace(/;base64$/, "") });
      }
      blobs[id] = URL.createObjectURL(blob);
    }
    return blobs[id];
  }
  window.MB_INLINE = {
    script: function (src) {
      if (src === "static/frame.html") { var f = block("mb-frame"); return f === undefined ? f : JSON.parse(f); }
      return block("mb-js:" + clean(src));
    },
    file: function (run, path) {
      var id = "mb-file:" + run + "/" + path, uri = block(id);
      var note = "Left out of this single-file export: " + path;
      if (String(path).indexOf("files/") === 0) return blobUrl(id, uri, note);
      if (uri !== undefined) return uri;
      return "data:text/plain;charset=utf-8," + encodeURIComponent(note);
    },
  };
  if (!location.hash && cfg.runs.length === 1) history.replaceState(null, "", "#/run/" + encodeURIComponent(cfg.runs[0]));
  function note(cls, text) {
    var p = document.createElement("p");
    p.className = cls; p.setAttribute("role", "note"); p.textContent = text;
    return p;
  }
  function notePanels() {
    var view = window.MB && MB.view;
    var run = view && view.path && view.path[0] === "run" ? view.path[1] : null;
    var notes = (run && cfg.notes[run]) || {};
    var panels = document.querySelectorAll("article.panel[data-key]");
    for (var i = 0; i < panels.length; i++) {
      var p = panels[i], text = notes[p.getAttribute("data-key")];
      if (!text || p.querySelector(":scope > .export-note")) continue;
      var head = p.querySelector(":scope > header");
      p.insertBefore(note("export-note", text), head ? head.nextSibling : p.firstChild);
    }
  }
  document.addEventListener("DOMContentLoaded", function () {
    var top = document.querySelector("header.top");
    if (top) top.parentNode.insertBefore(note("export-banner", cfg.banner), top.nextSibling);
    new MutationObserver(notePanels).observe(document.getElementById("app"), { childList: true, subtree: true });
  });
})();
"""

EXPORT_CSS = """.export-banner{margin:0;padding:.35rem 1rem;font-size:.85em;background:#eef3fb;color:#243b5a;border-bottom:1px solid #c9d6ea}
.export-note{margin:.2rem 0 .4rem;padding:.25rem .5rem;font-size:.82em;background:#fff6d5;border-left:3px solid #c99a00;color:#4d3d00}
"""


class ExportError(UsageError):
    """Bad arguments or unreadable input: exit code 2."""


class BudgetError(VerdictError):
    """Even the smallest export does not fit the budget: exit code 1."""


def parse_size(text: str) -> int:
    """Bytes in ``"20MB"``, ``"512 KiB"``, ``"1.5GB"`` or ``"300000"`` (kB/MB/GB are powers of 1000)."""
    m = re.fullmatch(r"\s*(\d+(?:\.\d*)?)\s*([kmg]i?b|b)?\s*", str(text), flags=re.IGNORECASE)
    if not m:
        raise ExportError(f"--budget: expected a size like 20MB, 500KB or 3MiB; got {text!r}.")
    value = float(m.group(1)) * UNITS[(m.group(2) or "b").lower()]
    if value < 1:
        raise ExportError(f"--budget: expected a size of at least 1 byte; got {text!r}.")
    return int(value)


def fmt_size(n: float) -> str:
    """``1234567`` -> ``"1.23 MB"`` (powers of 1000, like --budget)."""
    for unit, scale in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if n >= scale:
            return f"{n / scale:.2f} {unit}"
    return f"{int(n)} B"


def keep_indices(n: int, cap: int | None, flagged: Iterable[int] = ()) -> list[int]:
    """Indices of the logged steps kept when at most ``cap`` are shown.

    ``cap`` evenly spaced indices (``round(i * (n - 1) / (cap - 1))``, so the first and the last
    are always in), plus every flagged index. ``cap=None`` or ``n <= cap`` keeps everything.

    >>> keep_indices(10, 4)
    [0, 3, 6, 9]
    """
    if cap is None or n <= cap:
        return list(range(n))
    cap = max(2, cap)
    picked = {(i * (n - 1) + (cap - 1) // 2) // (cap - 1) for i in range(cap)}
    picked.update(i for i in flagged if 0 <= i < n)
    return sorted(picked)


# ------------------------------------------------------------------------------------------------
# media files
# ------------------------------------------------------------------------------------------------


@dataclass
class FileRef:
    owner: dict[str, Any]  # the stub (or mask layer's stub) that names the file
    path: str
    kind: str


def _inlined(obj: Any) -> set[str]:
    """Every path the build inlined anywhere in ``obj`` (the ``__inline`` keys of its stubs)."""
    return {p for d in stubs.walk(obj) if isinstance(d.get(stubs.INLINE), dict) for p in d[stubs.INLINE]}


def _refs(obj: Any) -> Iterable[FileRef]:
    """Every file the stubs in ``obj`` name that the page would load by URL (not already inlined,
    not missing): ``media.stubs.files_of``, table cells included once the build inlined the table."""
    inlined = _inlined(obj)
    for ref in stubs.files_of(obj):
        missing = list(ref.stub.get(stubs.MISSING) or [])
        if ref.layer is not None:  # a layer's own dict may list it too
            layer = (ref.stub.get(ref.field) or {}).get(ref.layer) or {}
            missing += layer.get(stubs.MISSING) or []
        if ref.path in inlined or ref.path in missing:
            continue
        # class-id mask PNGs: usually inlined by the build; never re-encoded (ids must stay exact)
        yield FileRef(ref.stub, ref.path, "mask" if ref.role == "mask" else ref.kind)


def _data_uri(mime: str, data: bytes) -> str:
    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"


def _mime(path: str) -> str:
    return mimetypes.guess_type(path)[0] or "application/octet-stream"


@dataclass
class Encoded:
    uri: str
    reencoded: bool
    original: int


class MediaCache:
    """Data URIs of the site's files, per (file, side, quality); each encoding is done once."""

    def __init__(self, site: Path) -> None:
        self.site = site
        self.cache: dict[tuple[str, int | None, int], Encoded | None] = {}

    def get(self, run: str, ref: FileRef, level: Level) -> Encoded | None:
        try:  # a stub path that leaves the run's files (../, a symlink out) is never inlined
            src = rf.contained(self.site / "files" / run, ref.path, what=f"site run {run!r}")
        except rf.FormatError:
            return None
        can = (ref.kind in stubs.STUBS and kinds.get(ref.kind).REENCODE
               and ref.path.lower().endswith(REENCODABLE) and level.side)
        side = level.side if can else None
        ck = (f"{run}/{ref.path}", side, level.quality if side else 0)
        if ck not in self.cache:
            self.cache[ck] = self._encode(src, ref.path, side, level.quality)
        return self.cache[ck]

    def _encode(self, src: Path, path: str, side: int | None, quality: int) -> Encoded | None:
        try:
            raw = src.read_bytes()
        except OSError:
            return None
        if side is None:
            return Encoded(_data_uri(_mime(path), raw), False, len(raw))
        from PIL import Image as PILImage

        try:
            with PILImage.open(io.BytesIO(raw)) as im:
                im.load()
                big = max(im.size) > side
                if im.mode not in ("RGB", "RGBA"):
                    im = im.convert("RGBA" if "A" in im.mode or "transparency" in im.info else "RGB")
                if big:
                    im.thumbnail((side, side), PILImage.Resampling.LANCZOS)
                buf = io.BytesIO()
                im.save(buf, format="WEBP", quality=quality, method=4)
        except (OSError, ValueError):
            return Encoded(_data_uri(_mime(path), raw), False, len(raw))
        out = buf.getvalue()
        if not big and len(out) >= len(raw):
            return Encoded(_data_uri(_mime(path), raw), False, len(raw))
        return Encoded(_data_uri("image/webp", out), True, len(raw))


# ------------------------------------------------------------------------------------------------
# planning and writing the page
# ------------------------------------------------------------------------------------------------


@dataclass
class Plan:
    level: Level
    runs: list[SiteRun]  # as kept at this level
    files: dict[str, str]  # "run/path" -> data URI
    notes: dict[str, dict[str, str]]
    reduced: bool
    saved_files: bool = True
    vendor: list[str] = field(default_factory=list)


def _plan(runs: list[SiteRun], level: Level, cache: MediaCache, flagged: set[int],
          saved_files: bool) -> Plan:
    out_runs = []
    files: dict[str, str] = {}
    notes: dict[str, dict[str, str]] = {}
    reduced = False
    for rd in runs:
        data = copy.deepcopy(rd.data)
        entries_out: dict[str, list[dict[str, Any]]] = {}
        for mkey, entries in rd.entries.items():
            steps = [e["step"] for e in entries]
            flagged_idx = [i for i, s in enumerate(steps) if s in flagged]
            kept = [copy.deepcopy(entries[i]) for i in keep_indices(len(entries), level.max_steps, flagged_idx)]
            reenc = images = 0
            dropped: dict[str, list[int]] = {}
            for e in kept:
                for ref in _refs(e["stub"]):
                    enc = cache.get(rd.key, ref, level)
                    if enc is None:
                        continue  # not in the site: the page shows it as missing
                    if not enc.reencoded and not level.keep_av and ref.kind != "image":
                        ref.owner.setdefault(stubs.MISSING, []).append(ref.path)
                        d = dropped.setdefault(ref.kind or "media", [0, 0])
                        d[0] += 1
                        d[1] += enc.original
                        continue
                    files[f"{rd.key}/{ref.path}"] = enc.uri
                    if ref.kind == "image":
                        images += 1
                        reenc += enc.reencoded
            parts = []
            if len(kept) < len(entries):
                parts.append(f"showing {len(kept)} of {len(entries)} logged steps (evenly spaced; "
                             f"first{', last and --keep-step' if flagged_idx else ' and last'} kept)")
            if reenc:
                parts.append(f"{'images' if reenc == images else f'{reenc} of {images} images'} "
                             f"re-encoded as WebP at <= {level.side} px (quality {level.quality})")
            for kind, (n, size) in sorted(dropped.items()):
                parts.append(f"{n} {kind} file{'s' if n != 1 else ''} left out ({fmt_size(size)})")
            if parts:
                notes.setdefault(rd.key, {})[mkey] = "Reduced in this export: " + "; ".join(parts) + "."
                reduced = True
            data["media"][mkey]["steps"] = [e["step"] for e in kept]
            data["media"][mkey]["chunk"] = CHUNK
            entries_out[mkey] = kept
        if saved_files:
            for f in data.get("files") or []:
                enc = cache.get(rd.key, FileRef({}, f, "file"), Level(None, None))
                if enc is not None:
                    files[f"{rd.key}/{f}"] = enc.uri
        elif data.get("files"):
            data.setdefault("problems", []).append(
                f"{len(data['files'])} saved file(s) are left out of this single-file export "
                "(the links show a note); export with a larger --budget to include them.")
        out_runs.append(SiteRun(rd.key, data, rd.scalars, entries_out, rd.system, rd.console))
    plan = Plan(level, out_runs, files, notes, reduced or not saved_files, saved_files)
    used: set[str] = set()
    for kept_run in out_runs:
        used.update(k for d in stubs.walk(kept_run.entries) if (k := stubs.kind_of(d)))
        if kept_run.data.get("scalars"):
            used.add("__charts")
    needed = {v for k in used if k in stubs.STUBS for v in kinds.get(k).VENDOR}
    if "__charts" in used:
        needed.add("plotly")  # the scalar charts
    plan.vendor = [v for v in ("plotly", "bokeh") if v in needed]
    return plan


def _estimate(runs: list[SiteRun], level: Level, cache: MediaCache, flagged: set[int]) -> int:
    """Bytes of the media data URIs at ``level``, from at most SAMPLE images per key (evenly spaced).

    Only used to skip levels that are clearly over budget without encoding every image."""
    total = 0
    for rd in runs:
        for entries in rd.entries.values():
            steps = [e["step"] for e in entries]
            flagged_idx = [i for i, s in enumerate(steps) if s in flagged]
            refs = [r for i in keep_indices(len(entries), level.max_steps, flagged_idx)
                    for r in _refs(entries[i]["stub"])]
            images = [r for r in refs if r.kind == "image"]
            for r in refs:
                if r.kind != "image" and level.keep_av:
                    try:
                        total += rf.contained(cache.site / "files" / rd.key, r.path,
                                              what="site").stat().st_size * 4 // 3
                    except (OSError, rf.FormatError):
                        pass
            if images:
                sample = [images[i] for i in keep_indices(len(images), SAMPLE)]
                sizes = [len(enc.uri) for r in sample if (enc := cache.get(rd.key, r, level))]
                if sizes:
                    total += sum(sizes) * len(images) // len(sizes)
    return total


CSP_MARK = "<!--mediaboard:csp-->"
_SCRIPT = re.compile(r"<script\b([^>]*)>(.*?)</script>", re.IGNORECASE | re.DOTALL)
_TYPE = re.compile(r"""\btype\s*=\s*["']?([^"'\s>]*)""", re.IGNORECASE)
_JS_TYPES = ("", "text/javascript", "application/javascript", "module")


def _inline_scripts(page: str) -> list[str]:
    """The text of every inline script the browser would run in ``page``, as it hashes it (its
    newlines normalised). Data blocks (application/json, text/x-mediaboard) are not scripts."""
    out = []
    for m in _SCRIPT.finditer(page):
        typ = _TYPE.search(m.group(1))
        if (typ.group(1).lower() if typ else "") in _JS_TYPES:
            out.append(m.group(2).replace("\r\n", "\n").replace("\r", "\n"))
    return out


def _block(block_id: str, text: str) -> str:
    return (f'<script type="text/x-mediaboard" id="{html.escape(block_id, quote=True)}">'
            f"{script_text(text)}</script>\n")


class Page:
    """The parts of the page that do not depend on the level, read once from the built site."""

    def __init__(self, site: Path, index: list[Any]) -> None:
        self.site = site
        self.index = index
        shell = (site / "index.html").read_text(encoding="utf-8")
        vendor_attr = re.search(r'data-vendor="([^"]*)"', shell)
        self.vendor_map: dict[str, list[str]] = json.loads(html.unescape(vendor_attr.group(1))) \
            if vendor_attr else {}
        shell = re.sub(r'<link\b[^>]*\brel="stylesheet"[^>]*\bhref="([^"]+)"[^>]*>',
                       lambda m: "" if m.group(1) in SITE_ONLY else "<style>" + self._read(m.group(1))
                       .replace("</style", "<\\/style") + "</style>", shell)
        shell = re.sub(r'<script\b[^>]*\bsrc="([^"]+)"[^>]*>\s*</script>',
                       lambda m: "" if m.group(1) in SITE_ONLY else
                       "<script>" + script_text(self._read(m.group(1))) + "</script>", shell)
        # The site's Content-Security-Policy allows only script files; the export's own (hashes of
        # its inline scripts) is written in by render() once the page is whole.
        shell, found = re.subn(r'<meta http-equiv="Content-Security-Policy"[^>]*>', CSP_MARK, shell)
        if found != 1:
            raise ExportError("the site page carries no Content-Security-Policy; rebuild it.")
        left = re.search(r"<(?:link|script)\b[^>]*\b(?:href|src)=[^>]*>", shell)
        if left:
            raise ExportError(f"the site page loads {left.group(0)!r}, which export cannot inline.")
        self.shell = shell
        self.frame = self._read("static/frame.html")
        self.vendor_blocks = {
            name: "".join(_block(f"mb-js:{rel}", self._read(rel)) for rel in files)
            for name, files in self.vendor_map.items()
        }

    def _read(self, rel: str) -> str:
        return rf.contained(self.site, html.unescape(rel), what="site").read_text(encoding="utf-8")

    def render(self, plan: Plan, banner: str) -> str:
        vendor = {name: files for name, files in self.vendor_map.items() if name in plan.vendor}
        cfg = {"runs": [r.key for r in plan.runs], "notes": plan.notes, "banner": banner}
        page = self.shell.replace("</head>", f"<style>{EXPORT_CSS}</style>\n</head>", 1)
        page = re.sub(r'data-vendor="[^"]*"',
                      lambda _m: f'data-vendor="{html.escape(json.dumps(vendor), quote=True)}"', page, count=1)
        cfg_json = json_block(cfg)
        parts = [f'<script type="application/json" id="mb-export">{cfg_json}</script>\n',
                 f"<script>{script_text(BOOT_JS)}</script>\n"]
        # the document of sandboxed frames (Html, Bokeh), used as their srcdoc here
        frame_json = json_block(self.frame)
        parts.append(f'<script type="application/json" id="mb-frame">{frame_json}</script>\n')
        for r in plan.runs:
            key, data = r.key, r.data
            parts.append(_block(f"mb-js:data/{key}/run.js", f"MB.data.run({js_value(key)},{js_value(data)});\n"))
            parts.append(_block(f"mb-js:data/{key}/scalars.js",
                                f"MB.data.scalars({js_value(key)},{js_value(r.scalars)});\n"))
            if r.system:
                parts.append(_block(f"mb-js:data/{key}/system.js",
                                    f"MB.data.system({js_value(key)},{js_value(r.system)});\n"))
            if r.console:
                parts.append(_block(f"mb-js:data/{key}/console.js",
                                    f"MB.data.console({js_value(key)},{js_value(r.console)});\n"))
            for mkey, kept in r.entries.items():
                slug = data["media"][mkey]["slug"]
                for c in range(max(1, -(-len(kept) // CHUNK))):
                    part = kept[c * CHUNK:(c + 1) * CHUNK]
                    parts.append(_block(f"mb-js:data/{key}/k/{slug}/{c}.js",
                                        f"MB.data.shard({js_value(key)},{js_value(mkey)},{c},{js_value(part)});\n"))
        for name in plan.vendor:
            parts.append(self.vendor_blocks.get(name, ""))
        for ident, uri in plan.files.items():
            parts.append(_block(f"mb-file:{ident}", uri))
        # the first inlined <script> of the shell comes after <body>: data and MB_INLINE go before it
        head, sep, tail = page.partition("<script>")
        page = head + "".join(parts) + sep + tail
        # the policy trusts exactly the scripts the parser will run: the page's and the frame's
        hashes = [policy.script_hash(t) for t in _inline_scripts(page) + _inline_scripts(self.frame)]
        return page.replace(CSP_MARK, policy.meta(policy.export(hashes)), 1)


@dataclass
class ExportResult:
    out: Path
    size: int
    budget: int
    level: Level
    reduced: bool
    notes: dict[str, dict[str, str]]
    vendor: list[str]


def export(sources: Sequence[str | Path], out: str | Path, budget: int, *,
           keep_steps: Iterable[int] = (), title: str = "mediaboard export",
           progress: Callable[[str], None] | None = None) -> ExportResult:
    """Write ONE self-contained HTML file of the runs under ``sources`` into ``out``, at most
    ``budget`` bytes; raises BudgetError when even the smallest level of LADDER does not fit."""
    say = progress or (lambda _m: None)
    out_path = Path(out)
    if out_path.is_dir():
        raise ExportError(f"--single-file: expected a file name; got {str(out_path)!r}, which is a folder.")
    flagged = set(keep_steps)
    with tempfile.TemporaryDirectory(prefix="mediaboard-export-") as tmp:
        site = Path(tmp) / "site"
        try:
            stats = build_site(list(sources), site, title=title, keep_data=True)
        except (FileNotFoundError, NotADirectoryError, rf.FormatError) as exc:
            raise ExportError(str(exc)) from None
        if stats.runs == 0:
            raise ExportError(f"no runs found under {', '.join(map(str, sources))}.")
        index = stats.index
        runs = [stats.data[entry["key"]] for entry in index]
        for rd in runs:  # the export writes one file per key (k/<slug>), whatever the site's grouping
            for info in rd.data["media"].values():
                info.pop("file", None)
        page = Page(site, index)
        cache = MediaCache(site)
        smallest = None
        for i, level in enumerate(LADDER, start=1):
            guess = _estimate(runs, level, cache, flagged)
            if guess > budget * 1.1 and i < len(LADDER):
                say(f"[{i}/{len(LADDER)}] {level.describe()}: skipped, media alone estimated at "
                    f"{fmt_size(guess)}")
                continue
            plan = _plan(runs, level, cache, flagged, saved_files=(i == 1))
            vendor_note = ""
            if "plotly" in plan.vendor:
                vendor_note = " plotly.js is included for the charts."
            banner = (f"Single-file export of {len(runs)} run(s), made by mediaboard export under a "
                      f"budget of {fmt_size(budget)}." + vendor_note +
                      (" Some panels were reduced to fit; each says what was left out." if plan.reduced
                       else " Nothing was left out."))
            text = page.render(plan, banner)
            size = len(text.encode("utf-8"))
            say(f"[{i}/{len(LADDER)}] {level.describe()}: {fmt_size(size)}"
                f" {'<=' if size <= budget else '>'} {fmt_size(budget)}")
            smallest = size
            if size <= budget:
                out_path.parent.mkdir(parents=True, exist_ok=True)
                tmp_out = out_path.with_name(f".{out_path.name}.tmp")
                tmp_out.write_text(text, encoding="utf-8")
                tmp_out.replace(out_path)
                return ExportResult(out_path, size, budget, level, plan.reduced, plan.notes, plan.vendor)
        vendor_size = sum(len(page.vendor_blocks.get(v, "")) for v in plan.vendor)
        extra = f", of which {fmt_size(vendor_size)} is {' and '.join(plan.vendor)}.js" if vendor_size else ""
        raise BudgetError(
            f"budget {fmt_size(budget)} is too small: the smallest export ({LADDER[-1].describe()}) "
            f"needs {fmt_size(smallest or 0)}{extra}; give a larger --budget.")


# ------------------------------------------------------------------------------------------------
# command line
# ------------------------------------------------------------------------------------------------


def add_arguments(p: argparse.ArgumentParser) -> argparse.ArgumentParser:
    p.add_argument("runs", nargs="+", help="run folders or folders of runs")
    p.add_argument("--single-file", required=True, metavar="OUT.html", help="the HTML file to write")
    p.add_argument("--budget", default="20MB", help="largest size of the file (default 20MB; kB/MB are 1000-based, KiB/MiB 1024)")
    p.add_argument("--keep-step", type=int, action="append", default=[], metavar="STEP",
                   help="a step that is always kept when steps are reduced (repeatable)")
    p.add_argument("--title", default="mediaboard export", help="page title")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress lines")
    return p


def _run(args: argparse.Namespace) -> int:
    t0 = time.perf_counter()
    budget = parse_size(args.budget)
    progress = None if args.quiet else (lambda m: print(m, file=sys.stderr, flush=True))
    res = export(args.runs, args.single_file, budget, keep_steps=args.keep_step, title=args.title,
                 progress=progress)
    reduced = sum(len(v) for v in res.notes.values())
    print(f"wrote {fmt_size(res.size)} of a {fmt_size(res.budget)} budget in {time.perf_counter() - t0:.1f} s"
          f" ({res.level.describe()}; {reduced} panel(s) reduced"
          f"{'; plotly.js included' if 'plotly' in res.vendor else ''})", file=sys.stderr)
    print(res.out.resolve())
    return 0


#: ``mediaboard export``: add_parser(subparsers), run(args), main(argv) (viewer/errors.py Command)
COMMAND = Command("export", "one self-contained HTML file under a size budget",
                  __doc__.split("\n\n")[0], add_arguments, _run)
add_parser, run, main = COMMAND.add_parser, COMMAND.run, COMMAND.main


if __name__ == "__main__":
    raise SystemExit(main())
