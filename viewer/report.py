"""``mediaboard report``: a Markdown file with live panels of runs, as a static page.

    mediaboard report REPORT.md -o OUT [--runs ROOT ...]

OUT is a normal mediaboard site of the runs the report names (``OUT/index.html``, data, files,
vendor JavaScript) plus the report page ``OUT/report.html``; it opens from ``file://`` with no
network. Fenced code blocks of language ``mediaboard`` become panels::

    ```mediaboard
    chart: train/loss, val/loss
    runs: demo/fixture-a, demo/fixture-b
    ```

Panel kinds and options are in ``PANELS`` and docs/report.md. A mistake in a block (unknown
kind or option, bad value, missing run or key) is one line on stderr naming the file and line
(``report.md:14: unknown option 'colour' ...``) and exit code 2.
Runs are read only through ``media.runfolder``.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from media import runfolder as rf
from viewer import markdown, policy
from viewer.errors import Command, UsageError
from viewer.text import templates

HERE = Path(__file__).resolve().parent
REPORT_HTML = "report.html"
#: run colours (the compare view's palette, in the same order)
PALETTE = [
    "#1f77b4",
    "#d62728",
    "#2ca02c",
    "#ff7f0e",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#17becf",
    "#bcbd22",
    "#7f7f7f",
]

#: panel kind -> the options it accepts besides its own line (``chart: KEYS`` etc.)
PANELS: dict[str, tuple[str, ...]] = {
    "chart": ("runs", "run", "x", "smooth", "logy", "cursor", "title"),
    "media": ("run", "step", "cursor", "title"),
    "table": ("run", "step", "cursor", "title"),
    "compare": ("runs", "run", "step", "cursor", "title"),
    "config": ("title",),
    "summary": ("title",),
}
X_BUILTIN = ("_step", "_runtime", "_timestamp")
#: a shared cursor's name (``cursor: NAME``)
CURSOR_NAME = re.compile(r"[A-Za-z0-9_.-]{1,40}")
TRUE, FALSE = ("yes", "true", "on", "1"), ("no", "false", "off", "0")


class ReportError(UsageError):
    """A mistake in the report or its arguments: one line, exit code 2."""

    def __init__(self, message: str, where: str | None = None, line: int | None = None) -> None:
        self.where, self.line = where, line
        self.prefixed = not (where and line)
        super().__init__(f"{where}:{line}: {message}" if where and line else message)


@dataclass
class Option:
    name: str
    value: str
    line: int


@dataclass
class Panel:
    """One ``mediaboard`` block, parsed (values checked against the runs later)."""

    kind: str
    value: str
    line: int
    options: dict[str, Option]
    node: dict[str, Any]


# ------------------------------------------------------------------------------------------------
# parsing mediaboard blocks
# ------------------------------------------------------------------------------------------------


def _strip_comment(text: str) -> str:
    """Drop a ``#`` comment that starts the line or follows a space (``a#b`` is kept)."""
    for i, c in enumerate(text):
        if c == "#" and (i == 0 or text[i - 1] in " \t"):
            return text[:i]
    return text


def parse_block(node: dict[str, Any], where: str) -> Panel:
    """Parse the ``key: value`` lines of one ``mediaboard`` code block; raises ReportError."""
    if not node.get("closed", True):
        raise ReportError(
            "mediaboard block is not closed (expected a closing ``` line)", where, node["line"]
        )
    entries: list[Option] = []
    for no, raw in node["lines"]:
        text = _strip_comment(raw).strip()
        if not text:
            continue
        name, sep, value = text.partition(":")
        name = name.strip()
        if not sep or not name or " " in name:
            raise ReportError(
                f"expected 'option: value' in mediaboard block; got {text!r}", where, no
            )
        entries.append(Option(name.lower(), value.strip(), no))
    if not entries:
        raise ReportError(
            "empty mediaboard block (expected a panel line such as 'chart: train/loss'; "
            f"kinds: {', '.join(PANELS)})",
            where,
            node["line"],
        )
    kinds = [e for e in entries if e.name in PANELS]
    if not kinds:
        first = entries[0]
        raise ReportError(
            f"unknown panel kind {first.name!r} in mediaboard block "
            f"(expected one of: {', '.join(PANELS)})",
            where,
            first.line,
        )
    if len(kinds) > 1:
        raise ReportError(
            f"two panel kinds in one mediaboard block ({kinds[0].name!r} on line "
            f"{kinds[0].line} and {kinds[1].name!r}); one panel per block",
            where,
            kinds[1].line,
        )
    head = kinds[0]
    allowed = PANELS[head.name]
    options: dict[str, Option] = {}
    for e in entries:
        if e is head:
            continue
        if e.name not in allowed:
            raise ReportError(
                f"unknown option {e.name!r} in mediaboard {head.name} block "
                f"(expected one of: {', '.join(allowed)})",
                where,
                e.line,
            )
        canon = "runs" if e.name == "run" and "runs" in allowed else e.name
        if canon in options:
            raise ReportError(
                f"option {e.name!r} given twice (first on line {options[canon].line})",
                where,
                e.line,
            )
        options[canon] = Option(canon, e.value, e.line)
    if not head.value:
        what = (
            "a run"
            if head.name in ("config", "summary")
            else "keys"
            if head.name == "chart"
            else "a key"
        )
        raise ReportError(f"{head.name}: expected {what} after '{head.name}:'", where, head.line)
    return Panel(head.name, head.value, head.line, options, node)


def _split(value: str) -> list[str]:
    return [p.strip() for p in value.split(",") if p.strip()]


# ------------------------------------------------------------------------------------------------
# runs
# ------------------------------------------------------------------------------------------------


class Runs:
    """Finds runs by ``project/id``, id, name or folder path, under the given roots."""

    def __init__(self, roots: list[Path], base: Path) -> None:
        self.roots = roots
        self.base = base
        self._all: list[rf.RunReader] | None = None
        self.used: dict[Path, rf.RunReader] = {}  # in the order the report first names them
        self._media_steps: dict[tuple[Path, str], list[int]] = {}

    def all(self) -> list[rf.RunReader]:
        if self._all is None:
            from viewer.build import find_runs

            self._all = find_runs([r for r in self.roots if r.exists()])
        return self._all

    def find(self, ref: str, where: str, line: int) -> rf.RunReader:
        reader = self._find(ref, where, line)
        real = reader.path.resolve()
        return self.used.setdefault(real, reader)

    def _find(self, ref: str, where: str, line: int) -> rf.RunReader:
        for base in (self.base, Path.cwd()):
            p = Path(ref).expanduser()
            p = p if p.is_absolute() else base / p
            if (p / rf.RUN_JSON).is_file():
                try:
                    return rf.open_run(p)
                except Exception as exc:  # noqa: BLE001 - any unreadable run is one line for the user
                    raise ReportError(
                        f"run {ref!r}: cannot read {p} ({exc})", where, line
                    ) from None
        runs = self.all()
        for test in (
            lambda r: f"{r.project}/{r.id}" == ref,
            lambda r: str(r.id) == ref,
            lambda r: str(r.name) == ref,
        ):
            hits = [r for r in runs if test(r)]
            if len(hits) == 1:
                return hits[0]
            if len(hits) > 1:
                names = ", ".join(f"{r.project}/{r.id}" for r in hits[:10])
                raise ReportError(
                    f"run {ref!r} is ambiguous: {len(hits)} runs match ({names}); give project/id",
                    where,
                    line,
                )
        roots = ", ".join(str(r) for r in self.roots) or "(no run root)"
        known = ", ".join(f"{r.project}/{r.id}" for r in runs[:10]) + (
            " ..." if len(runs) > 10 else ""
        )
        raise ReportError(
            f"run {ref!r} not found under {roots} (give project/id, a run name or a run "
            f"folder; known: {known or 'none'})",
            where,
            line,
        )

    def steps(self, reader: rf.RunReader, key: str) -> list[int]:
        k = (reader.path.resolve(), key)
        if k not in self._media_steps:
            self._media_steps[k] = sorted(step for step, _ in reader.media(key))
        return self._media_steps[k]


def _label(reader: rf.RunReader) -> str:
    return f"{reader.project}/{reader.id}"


def site_keys(readers: list[rf.RunReader]) -> dict[Path, str]:
    """The key ``build_site`` gives each run when built from these run folders, in this order."""
    from viewer.build import run_key

    keys: dict[Path, str] = {}
    used: set[str] = set()
    for r in readers:
        key, n = run_key(r), 2
        while key in used:
            key = f"{run_key(r)}-{n}"
            n += 1
        used.add(key)
        keys[r.path.resolve()] = key
    return keys


# ------------------------------------------------------------------------------------------------
# checking panels against the runs
# ------------------------------------------------------------------------------------------------


def _int(opt: Option, where: str) -> int:
    try:
        v = int(opt.value)
    except ValueError:
        v = -1
    if v < 0:
        raise ReportError(
            f"{opt.name}: expected a step (an integer >= 0); got {opt.value!r}", where, opt.line
        )
    return v


def _runs_of(panel: Panel, runs: Runs, where: str, *, many: bool) -> list[rf.RunReader]:
    name = "runs" if many else "run"
    opt = panel.options.get(name)
    if opt is None:
        raise ReportError(
            f"mediaboard {panel.kind} block needs '{name}: ...' (project/id, run name or "
            "run folder)",
            where,
            panel.line,
        )
    refs = _split(opt.value)
    if not refs:
        raise ReportError(
            f"{name}: expected {'one or more runs' if many else 'a run'}; got nothing",
            where,
            opt.line,
        )
    if not many and len(refs) > 1:
        raise ReportError(f"run: expected one run; got {len(refs)} ({opt.value})", where, opt.line)
    out = []
    for ref in refs:
        r = runs.find(ref, where, opt.line)
        if r not in out:
            out.append(r)
    return out


def check_panel(panel: Panel, runs: Runs, where: str) -> dict[str, Any]:
    """Resolve a panel's runs and keys; returns its spec (run folders, not yet site keys)."""
    k, o = panel.kind, panel.options
    spec: dict[str, Any] = {"kind": k, "line": panel.line}
    if "title" in o:
        spec["title"] = o["title"].value
    if k in ("config", "summary"):
        spec["runs"] = [runs.find(panel.value, where, panel.line)]
        spec["what"] = ""
        return spec
    if "cursor" in o:
        c = o["cursor"]
        if not CURSOR_NAME.fullmatch(c.value):
            raise ReportError(
                f"cursor: expected a name of letters, digits, '_', '.' or '-' (up to 40); "
                f"got {c.value!r}",
                where,
                c.line,
            )
        if "step" in o:
            raise ReportError(
                f"cursor: a panel with 'step: {o['step'].value}' shows one fixed step and cannot "
                "follow a cursor; give either cursor: or step:",
                where,
                c.line,
            )
        if k == "chart" and "x" in o and o["x"].value != "_step":
            raise ReportError(
                f"cursor: a chart marks the cursor's step on an x-axis of steps; this "
                f"chart's x is {o['x'].value!r} (use x: _step or leave x out)",
                where,
                c.line,
            )
        spec["cursor"] = c.value
        spec["cursor_line"] = c.line
    if k == "chart":
        readers = _runs_of(panel, runs, where, many=True)
        keys = _split(panel.value)
        for key in keys:
            for r in readers:
                numeric = [s for s in r.scalar_keys() if s not in rf.RESERVED_FIELDS]
                if key not in numeric:
                    hint = ", ".join(numeric[:12]) or "none"
                    raise ReportError(
                        f"chart: key {key!r} is not a numeric key of run {_label(r)} "
                        f"(its numeric keys: {hint})",
                        where,
                        panel.line,
                    )
        x = o["x"].value if "x" in o else "_step"
        if x not in X_BUILTIN:
            for r in readers:
                if x not in r.scalar_keys():
                    raise ReportError(
                        f"x: expected _step, _runtime, _timestamp or a numeric key of every "
                        f"run; {x!r} is not a key of run {_label(r)}",
                        where,
                        o["x"].line,
                    )
        smooth = 0.0
        if "smooth" in o:
            try:
                smooth = float(o["smooth"].value)
            except ValueError:
                smooth = -1.0
            if not 0 <= smooth < 1:
                raise ReportError(
                    f"smooth: expected a number from 0 to 0.99; got {o['smooth'].value!r}",
                    where,
                    o["smooth"].line,
                )
        logy = False
        if "logy" in o:
            v = o["logy"].value.lower()
            if v not in TRUE + FALSE:
                raise ReportError(
                    f"logy: expected yes or no; got {o['logy'].value!r}", where, o["logy"].line
                )
            logy = v in TRUE
        spec.update(runs=readers, keys=keys, x=x, smooth=smooth, logy=logy, what=", ".join(keys))
        return spec
    # media, table, compare: one media key
    key = panel.value
    readers = _runs_of(panel, runs, where, many=(k == "compare"))
    step = _int(o["step"], where) if "step" in o else None
    found_any = False
    for r in readers:
        kinds = dict(r.media_keys())
        kinds.update({t: "text" for t in r.text_keys() if t not in kinds})
        if key not in kinds:
            hint = ", ".join(sorted(kinds)[:12]) or "none"
            raise ReportError(
                f"{k}: key {key!r} is not a media key of run {_label(r)} (its media keys: {hint})",
                where,
                panel.line,
            )
        if k == "table" and kinds[key] != "table":
            raise ReportError(
                f"table: key {key!r} of run {_label(r)} holds {kinds[key]} values, not tables "
                "(use 'media:' for other kinds)",
                where,
                panel.line,
            )
        steps = runs.steps(r, key)
        if step is not None:
            if any(s <= step for s in steps):
                found_any = True
            elif k != "compare":
                raise ReportError(
                    f"step: {key!r} of run {_label(r)} has no entry at or before step {step} "
                    f"(first logged at step {steps[0] if steps else 'never'})",
                    where,
                    o["step"].line,
                )
    if step is not None and not found_any:
        raise ReportError(
            f"step: {key!r} has no entry at or before step {step} in any of the runs",
            where,
            o["step"].line,
        )
    spec.update(runs=readers, key=key, step=step, what=key)
    return spec


def _shared_cursors(specs: list[dict[str, Any]], runs: Runs, where: str) -> None:
    """Give every panel of a shared cursor its steps: the union of the steps at which the media
    panels of that cursor logged their keys. A cursor only charts follow is an error."""
    groups: dict[str, list[dict[str, Any]]] = {}
    for spec in specs:
        if "cursor" in spec:
            groups.setdefault(spec["cursor"], []).append(spec)
    for name, members in groups.items():
        steps: set[int] = set()
        for spec in members:
            if spec["kind"] != "chart":
                for r in spec["runs"]:
                    steps.update(runs.steps(r, spec["key"]))
        if not any(spec["kind"] != "chart" for spec in members):
            raise ReportError(
                f"cursor: {name!r} is followed by charts only; a media, table or compare panel "
                "with the same cursor: moves it",
                where,
                members[0]["cursor_line"],
            )
        ordered = sorted(steps)
        for spec in members:
            spec["cursor_steps"] = ordered
            spec["cursor_panels"] = len(members)
    for spec in specs:
        spec.pop("cursor_line", None)


# ------------------------------------------------------------------------------------------------
# the report
# ------------------------------------------------------------------------------------------------


def _vendor_map() -> dict[str, list[str]]:
    from viewer.build import vendor_files

    vendor = vendor_files()
    return {
        "plotly": [rel for rel, _ in vendor if rel.startswith("vendor/plotly-")],
        "bokeh": [rel for rel, _ in vendor if rel.startswith("vendor/bokeh")],
    }


def _page_assets(out: Path) -> tuple[list[str], list[str]]:
    """Scripts and styles of the site, in the order the site's own page loads them."""
    from viewer.build import _static_files

    static = _static_files()
    scripts = [rel for rel, _ in static if rel.endswith(".js")]
    scripts.sort(
        key=lambda s: (0 if s == "static/app.js" else 1 if "/renderers/" not in s else 2, s)
    )
    styles = [rel for rel, _ in static if rel.endswith(".css")]
    return scripts, styles


def build_report(
    source: str | os.PathLike[str],
    out: str | os.PathLike[str],
    roots: Sequence[str] | None = None,
    *,
    progress: Any = None,
) -> Path:
    """Render the Markdown file ``source`` with its panels into the folder ``out``; returns the page.

    ``roots``: folders of runs that panels may name by project/id or name (default: the run root).
    Raises ReportError (with ``file:line:``) for any mistake in the report.
    """
    src = Path(source)
    where = str(source)
    try:
        text = src.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ReportError(
            f"report: expected a Markdown file; got {where!r}, which does not exist"
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ReportError(f"report: cannot read {where!r} ({exc})") from None
    root_paths = [Path(r) for r in roots] if roots else [rf.default_root()]
    if roots:
        for r in root_paths:
            if not r.exists():
                raise ReportError(
                    f"--runs: expected a run folder or a folder of runs; got {str(r)!r}, "
                    "which does not exist"
                )
    blocks = markdown.parse(text)
    runs = Runs(root_paths, src.resolve().parent)
    panels: list[tuple[dict[str, Any], dict[str, Any]]] = []
    for node in markdown.walk(blocks):
        if node["t"] == "code" and node["lang"].lower() == "mediaboard":
            panel = parse_block(node, where)
            panels.append((node, check_panel(panel, runs, where)))

    _shared_cursors([spec for _, spec in panels], runs, where)
    readers = list(runs.used.values())
    keys = site_keys(readers)
    colors = {p: PALETTE[i % len(PALETTE)] for i, p in enumerate(keys)}
    out_path = Path(out)
    from viewer.build import build_site

    build_site(
        [str(r.path) for r in readers],
        out_path,
        progress=progress,
        title=f"mediaboard — {src.stem}",
    )
    for index, (node, spec) in enumerate(panels, start=1):
        run_refs = []
        for r in spec.pop("runs"):
            real = r.path.resolve()
            run_refs.append(
                {
                    "key": keys[real],
                    "label": str(r.name or r.id),
                    "id": _label(r),
                    "color": colors[real],
                    "href": "index.html#/run/" + quote(keys[real], safe=""),
                }
            )
        spec["runs"] = run_refs
        what = spec.pop("what")
        node.clear()
        node.update(
            t="panel",
            kind=spec["kind"],
            line=spec["line"],
            index=index,
            what=what,
            title=spec.get("title"),
            runs=run_refs,
            spec_json=json.dumps(spec, ensure_ascii=True, allow_nan=False),  # \u escapes survive finalize
        )
    title = next(
        (markdown.plain_text(b["inl"]) for b in markdown.walk(blocks) if b["t"] == "heading"),
        src.stem,
    )
    scripts, styles = _page_assets(out_path)
    page = render_page(
        blocks, title=title, source=src.name, scripts=scripts, styles=styles, vendor=_vendor_map()
    )
    target = out_path / REPORT_HTML
    rf.atomic_write_bytes(target, page.encode("utf-8"), fsync=False)
    return target


def render_page(
    blocks: list[dict[str, Any]],
    *,
    title: str,
    source: str,
    scripts: list[str],
    styles: list[str],
    vendor: dict[str, list[str]],
) -> str:
    """The report page (Jinja2, autoescaped, undefined variables are errors)."""
    return templates().get_template(REPORT_HTML).render(
        content=blocks,
        title=title,
        source=source,
        scripts=scripts,
        styles=styles,
        vendor_json=json.dumps(vendor),
        csp=policy.SITE,
    )


# ------------------------------------------------------------------------------------------------
# CLI
# ------------------------------------------------------------------------------------------------


def add_arguments(p: argparse.ArgumentParser) -> argparse.ArgumentParser:
    p.add_argument("report", metavar="REPORT.md", help="the Markdown file")
    p.add_argument(
        "-o",
        "--out",
        required=True,
        metavar="OUT",
        help="output folder: OUT/report.html and the site of the runs it shows",
    )
    p.add_argument(
        "--runs",
        nargs="+",
        action="extend",
        default=[],
        metavar="ROOT",
        help="folders of runs (or run folders) that panels name (default: the run root)",
    )
    p.add_argument("-q", "--quiet", action="store_true", help="no progress lines")
    p.add_argument("--watch", action="store_true",
                   help="build again every --interval seconds while runs are written (an open report "
                        "follows them); Ctrl-C to stop")
    p.add_argument("--interval", type=float, default=2.0, help="seconds between builds with --watch")
    p.add_argument("--rounds", type=int, default=0, help=argparse.SUPPRESS)
    return p


def _run(args: argparse.Namespace) -> int:
    t0 = time.perf_counter()
    progress = None if args.quiet else (lambda msg: print(msg, file=sys.stderr, flush=True))
    page = build_report(args.report, args.out, args.runs or None, progress=progress)
    if not args.quiet:
        print(f"report built in {time.perf_counter() - t0:.2f} s", file=sys.stderr)
    rounds = 1
    if args.watch:
        # the site beside the report is rebuilt like `mediaboard watch` does; an open report polls
        # its data/live.js and redraws the panels of the runs that changed
        if not args.quiet:
            print(f"watching the runs of {args.report} every {args.interval:g} s; Ctrl-C to stop",
                  file=sys.stderr, flush=True)
        try:
            while not args.rounds or rounds < args.rounds:
                time.sleep(args.interval)
                page = build_report(args.report, args.out, args.runs or None)
                rounds += 1
        except KeyboardInterrupt:
            pass
    print(page.resolve())
    return 0


#: ``mediaboard report``: add_parser(subparsers), run(args), main(argv) (viewer/errors.py Command)
COMMAND = Command("report", "render a Markdown report with live run panels",
                  __doc__.split("\n\n")[0], add_arguments, _run)
add_parser, run, main = COMMAND.add_parser, COMMAND.run, COMMAND.main


if __name__ == "__main__":
    raise SystemExit(main())
