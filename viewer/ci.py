"""``mediaboard ci``: compare a candidate run with a baseline run, write a ranked gallery page, a
Markdown summary for a pull request or job summary, and check ``--fail-on`` rules.

Example::

    mediaboard ci --baseline runs/base --candidate runs/new -o ci-out \\
        --fail-on 'image:examples.ssim>=0.95' --fail-on 'scalar:loss.rel<=0.05'

Exit codes: 0 every rule passes, 1 a rule fails, 2 bad usage or unreadable input.
Metrics and pairing rules are described in docs/ci.md and in ``viewer.imgdiff``.
Runs are read only through ``media.runfolder``.
"""

from __future__ import annotations

import argparse
import math
import os
import re
import shutil
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeGuard

import numpy as np

from media import runfolder, stubs
from viewer import cichart, imgdiff, kinds, policy
from viewer.errors import Command, UsageError
from viewer.kinds._util import cell_text, fmt, join
from viewer.outdir import inside_out
from viewer.text import templates, visible

#: The summary must stay under the 1 MiB cap of a GitHub job summary / comment.
SUMMARY_LIMIT = 1_000_000
THUMB_SIDE = 128
#: Marks OUT as ours, so a later run may clear it.
MARKER = ".mediaboard-ci"

OPERATORS = {
    ">=": lambda a, b: a >= b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    "<": lambda a, b: a < b,
    "==": lambda a, b: a == b,
}
#: Metrics a rule may name, per kind (each kind's module says its own: viewer/kinds/<kind>.py).
RULE_METRICS: dict[str, tuple[str, ...]] = {
    **{kind: module.METRICS for kind, module in kinds.all_kinds().items()},
    "scalar": ("rel", "delta", "value", "mean_rel", "last_rel"),
}
#: Media kinds compared (the rest are listed as not compared).
MEDIA_KINDS = stubs.MEDIA_KINDS


# ---- rules ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Rule:
    text: str
    kind: str  # image, audio, scalar, table, summary
    key: str
    metric: str  # "value" for summary rules
    op: str
    threshold: float


_RULE_RE = re.compile(r"^(?P<lhs>.+?)\s*(?P<op>>=|<=|==|>|<)\s*(?P<num>[^<>=]+?)\s*$")


def parse_rule(text: str) -> Rule:
    """Parse ``summary.KEY OP X`` or ``KIND:KEY.METRIC OP X`` (KIND a key of ``RULE_METRICS``).

    Raises UsageError naming the rule and what was expected.
    """
    expected = (
        "expected summary.KEY OP NUMBER or KIND:KEY.METRIC OP NUMBER with KIND in "
        + "/".join(RULE_METRICS) + " and OP in >=, <=, >, <, =="
    )
    m = _RULE_RE.match(text.strip())
    if not m:
        raise UsageError(f"--fail-on {text!r}: {expected}.")
    lhs, op, num = m.group("lhs"), m.group("op"), m.group("num")
    try:
        threshold = float(num)
    except ValueError:
        raise UsageError(f"--fail-on {text!r}: threshold {num!r} is not a number; {expected}.") from None
    if not math.isfinite(threshold):
        raise UsageError(f"--fail-on {text!r}: threshold must be finite; got {num!r}.")
    if lhs.startswith("summary."):
        key = lhs[len("summary.") :]
        if not key:
            raise UsageError(f"--fail-on {text!r}: missing the summary key; {expected}.")
        return Rule(text, "summary", key, "value", op, threshold)
    kind, sep, rest = lhs.partition(":")
    if not sep or kind not in RULE_METRICS:
        raise UsageError(f"--fail-on {text!r}: unknown rule kind {kind!r}; {expected}.")
    key, dot, metric = rest.rpartition(".")
    if not dot or not key:
        raise UsageError(f"--fail-on {text!r}: expected {kind}:KEY.METRIC; got {lhs!r}.")
    if metric not in RULE_METRICS[kind]:
        raise UsageError(
            f"--fail-on {text!r}: {kind} rules take metric {', '.join(RULE_METRICS[kind])}; got {metric!r}."
        )
    return Rule(text, kind, key, metric, op, threshold)


# ---- comparison rows --------------------------------------------------------------------------
@dataclass
class Row:
    """One compared thing: an image/audio item, a table, a scalar or a summary value."""

    kind: str
    key: str
    step: str = ""  # shown: "10", or "3 → 7" when the steps differ
    item: int | None = None
    score: float = 0.0  # 0 (same) .. 1 (completely different), used for ranking
    metrics: dict[str, float] = field(default_factory=dict)
    text: str = ""  # the metric values in words
    note: str = ""  # why something could not be compared, or how it was paired
    caption: str = ""
    base_file: str = ""  # paths relative to OUT
    cand_file: str = ""
    base_view: str = ""  # images shown in the gallery (the file itself, or a spectrogram)
    base_frame: str = ""  # Html: its text as a script file, shown in a sandboxed frame
    cand_frame: str = ""
    cand_view: str = ""
    diff_view: str = ""
    thumbs: dict[str, str] = field(default_factory=dict)  # base/cand/diff -> path relative to OUT
    chart: cichart.Chart | None = None  # drawn in the difference column (histograms, scalars)
    at: dict[str, str] = field(default_factory=dict)  # metric -> where its value was found ("step 5")
    details: list[str] = field(default_factory=list)
    failed_compare: bool = False  # missing on one side, size changed, unreadable

    @property
    def where(self) -> str:
        w = f"step {self.step}" if self.step != "" else "summary"
        return w if self.item is None else f"{w} item {self.item}"


def _items(stub: Any) -> list[Any]:
    if isinstance(stub, dict) and stub.get(stubs.TYPE) == stubs.MEDIA_LIST:
        return list(stub.get(stubs.ITEMS) or [])
    return [stub]


def _pair_steps(
    base: list[tuple[int, Any]], cand: list[tuple[int, Any]]
) -> tuple[list[tuple[int, Any, int, Any]], list[str], list[int], list[int]]:
    """Pairs (bstep, bstub, cstep, cstub), notes, steps only in baseline, only in candidate."""
    bmap = {s: v for s, v in base}
    cmap = {s: v for s, v in cand}
    common = sorted(set(bmap) & set(cmap))
    if common:
        pairs = [(s, bmap[s], s, cmap[s]) for s in common]
        return pairs, [], sorted(set(bmap) - set(cmap)), sorted(set(cmap) - set(bmap))
    bs, cs = max(bmap), max(cmap)
    note = (
        f"logged at different steps (baseline {min(bmap)}..{bs}, candidate {min(cmap)}..{cs}); "
        f"compared the last step of each"
    )
    return [(bs, bmap[bs], cs, cmap[cs])], [note], [], []


class Comparer:
    """Builds the rows for one baseline/candidate pair, writing images into ``out``."""

    def __init__(self, base: Any, cand: Any, out: Path) -> None:
        self.base, self.cand, self.out = base, cand, out
        self.rows: list[Row] = []
        self.skipped: list[str] = []  # keys not compared, with why

    # -- files --
    def copy(self, run: Any, side: str, relpath: str) -> str:
        """Copy (hard-link) a file of ``run`` into the gallery's ``files/<side>/``; returns its path
        there. A file a browser would open as a document that runs scripts (``.html``, ``.svg``,
        ...: never a format the writer writes for these kinds) gets ``.txt`` added, so that a
        link to it shows its text instead of running it in the gallery's origin."""
        src = run.resolve(relpath)  # the gate: a plain path inside the run, links kept inside
        rel = policy.linkable(f"files/{side}/{relpath}")
        dst = inside_out(self.out, rel)
        dst.parent.mkdir(parents=True, exist_ok=True)
        if dst.exists():
            dst.unlink()
        try:
            os.link(src, dst)
        except OSError:
            shutil.copyfile(src, dst)
        return rel

    def write(self, rgb: np.ndarray, rel: str) -> str:
        """Write an RGB image into the gallery at ``rel``; returns ``rel``."""
        imgdiff.save_png(rgb, inside_out(self.out, rel))
        return rel

    def thumbs(self, rows: list[Row]) -> None:
        """Write the summary's thumbnails (longer side <= THUMB_SIDE) for ``rows``."""
        for n, row in enumerate(rows, 1):
            for name, rel in (("base", row.base_view), ("cand", row.cand_view), ("diff", row.diff_view)):
                if rel:
                    small = imgdiff.thumbnail(imgdiff.load_rgb(self.out / rel), THUMB_SIDE)
                    row.thumbs[name] = self.write(small, f"thumbs/{n:04d}-{name}.png")

    # -- kinds --
    def compare_all(self) -> None:
        bkeys, ckeys = self.base.media_keys(), self.cand.media_keys()
        for key in list(ckeys) + [k for k in bkeys if k not in ckeys]:
            kinds = {bkeys.get(key), ckeys.get(key)} - {None}
            if key not in bkeys or key not in ckeys:
                side = "candidate" if key in ckeys else "baseline"
                self.rows.append(
                    Row(kind=kinds.pop(), key=key, score=1.0, failed_compare=True,
                        note=f"key only in the {side}")
                )
                continue
            if len(kinds) != 1:
                self.skipped.append(f"{key}: kind changed ({bkeys[key]} → {ckeys[key]})")
                continue
            kind = kinds.pop()
            if kind not in MEDIA_KINDS:
                self.skipped.append(f"{key}: {kind} is not compared")
                continue
            self._compare_media(key, kind)
        self._compare_scalars()
        self._compare_summary()

    def _compare_media(self, key: str, kind: str) -> None:
        pairs, notes, only_b, only_c = _pair_steps(self.base.media(key), self.cand.media(key))
        for steps, side in ((only_b, "baseline"), (only_c, "candidate")):
            for s in steps:
                self.rows.append(Row(kind=kind, key=key, step=str(s), score=1.0, failed_compare=True,
                                     note=f"step logged only in the {side}"))
        for bstep, bstub, cstep, cstub in pairs:
            step = str(cstep) if bstep == cstep else f"{bstep} → {cstep}"
            bitems, citems = _items(bstub), _items(cstub)
            listed = any(isinstance(v, dict) and v.get(stubs.TYPE) == stubs.MEDIA_LIST for v in (bstub, cstub))
            for i in range(max(len(bitems), len(citems))):
                row = Row(kind=kind, key=key, step=step, item=i if listed else None, note="; ".join(notes))
                if i >= len(bitems) or i >= len(citems):
                    side = "candidate" if i >= len(bitems) else "baseline"
                    row.score, row.failed_compare = 1.0, True
                    row.note = join(row.note, f"item only in the {side}")
                    self.rows.append(row)
                    continue
                b, c = bitems[i], citems[i]
                row.caption = str(c.get("caption") or b.get("caption") or "") if isinstance(c, dict) else ""
                try:
                    if not (isinstance(b, dict) and isinstance(c, dict)) or stubs.kind_of(b) != kind or stubs.kind_of(c) != kind:
                        raise ValueError(f"expected two {kind} stubs; got {_stub_type(b)} and {_stub_type(c)}")
                    kinds.get(kind).compare(self, row, b, c, len(self.rows) + 1)
                except Exception as exc:  # one unreadable file must not hide the others
                    row.score, row.failed_compare = 1.0, True
                    row.note = join(row.note, f"not compared: {exc}")
                    # what could not be read is not shown as an image (links to the files stay)
                    row.base_view = row.cand_view = row.diff_view = ""
                self.rows.append(row)


    def _compare_scalars(self) -> None:
        skip = {"_step", "_runtime", "_timestamp"}
        bkeys = [k for k in self.base.scalar_keys() if k not in skip]
        ckeys = [k for k in self.cand.scalar_keys() if k not in skip]
        for key in ckeys + [k for k in bkeys if k not in ckeys]:
            bc, cc = _curve(self.base, key), _curve(self.cand, key)
            bs, cs = (max(bc) if bc else None), (max(cc) if cc else None)
            row = Row(kind="scalar", key=key, step=_step_text(bs, cs))
            self._numbers(row, bc.get(bs) if bs is not None else None, cc.get(cs) if cs is not None else None)
            if bc and cc:
                _compare_curves(row, bc, cc)
            self.rows.append(row)

    def _compare_summary(self) -> None:
        history_keys = set(self.base.keys()) | set(self.cand.keys())
        bsum, csum = self.base.summary, self.cand.summary
        for key in list(csum) + [k for k in bsum if k not in csum]:
            if key.startswith("_") or key in history_keys:
                continue
            bv, cv = bsum.get(key), csum.get(key)
            if not (_is_number(bv) or _is_number(cv)):
                continue
            row = Row(kind="summary", key=key)
            self._numbers(row, bv if _is_number(bv) else None, cv if _is_number(cv) else None)
            self.rows.append(row)

    @staticmethod
    def _numbers(row: Row, bv: float | None, cv: float | None) -> None:
        if bv is None or cv is None:
            row.score, row.failed_compare = 1.0, True
            row.note = "only in the " + ("candidate" if bv is None else "baseline")
            row.text = f"{fmt(bv) if bv is not None else '—'} → {fmt(cv) if cv is not None else '—'}"
            if cv is not None:
                row.metrics = {"value": float(cv)}
            return
        delta = cv - bv
        if bv == cv or (math.isnan(bv) and math.isnan(cv)):
            rel = 0.0
        elif bv == 0 or not math.isfinite(bv) or not math.isfinite(cv):
            rel = math.inf
        else:
            rel = abs(delta) / abs(bv)
        row.metrics = {"rel": rel, "delta": delta, "value": float(cv)}
        row.score = min(1.0, rel) if not math.isnan(rel) else 1.0
        row.text = f"{fmt(bv)} → {fmt(cv)} ({'+' if delta >= 0 else ''}{fmt(delta)}, rel {fmt(rel)})"


def _stub_type(v: Any) -> str:
    return repr(v.get(stubs.TYPE)) if isinstance(v, dict) else type(v).__name__


def _is_number(v: Any) -> TypeGuard[float]:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _curve(run: Any, key: str) -> dict[int, float]:
    """{step: value} of a history key's numbers (a step logged twice keeps its last value)."""
    out: dict[int, float] = {}
    for r in run.history(keys=[key]):
        v = r.get(key)
        if _is_number(v):
            out[int(r["_step"])] = float(v)
    return out


def _compare_curves(row: Row, bc: dict[int, float], cc: dict[int, float]) -> None:
    """A scalar's whole curves, aligned on the steps both logged: ``rel`` is the largest relative
    change (``row.at`` says at which step), ``mean_rel`` the mean; the last values' own relative
    change stays as ``last_rel`` (``delta`` and ``value`` are the last values'). With no common
    step, the last values are all there is to compare."""
    last = row.metrics.pop("rel")
    row.metrics["last_rel"] = last
    last_text = row.text
    common = sorted(set(bc) & set(cc))
    if not common:
        row.metrics.update(rel=last, mean_rel=last)
        row.note = join(row.note, "no step logged by both runs; compared the last values")
        worst = None
    else:
        rel = imgdiff.relative_change([bc[s] for s in common], [cc[s] for s in common])
        k = int(np.argmax(rel))
        row.metrics.update(rel=float(rel[k]), mean_rel=float(rel.mean()))
        if rel[k] > 0:
            worst = common[k]
            row.at["rel"] = f"step {worst}"
            row.step = str(worst)  # the row is about the curve: "where" is where it changed most
            row.text = (f"max rel change {fmt(float(rel[k]))} at step {worst} "
                        f"({fmt(bc[worst])} → {fmt(cc[worst])}), mean {fmt(float(rel.mean()))} "
                        f"over {len(common)} common steps; last {last_text}")
        else:
            worst = None
            row.text = f"same values at all {len(common)} common steps; last {last_text}"
        only = [(n, side) for n, side in ((len(set(bc) - set(cc)), "baseline"), (len(set(cc) - set(bc)), "candidate")) if n]
        for n, side in only:
            row.details.append(f"{n} {'step' if n == 1 else 'steps'} logged only in the {side}")
    rel_max = row.metrics["rel"]
    row.score = min(1.0, rel_max) if not math.isnan(rel_max) else 1.0
    row.chart = cichart.curve_chart(bc, cc, worst)


def _step_text(bs: int | None, cs: int | None) -> str:
    if bs is None or cs is None or bs == cs:
        return str(cs if cs is not None else bs)
    return f"{bs} → {cs}"


# ---- verdicts ---------------------------------------------------------------------------------
@dataclass
class Verdict:
    rule: Rule
    passed: bool
    detail: str

    @property
    def line(self) -> str:
        return f"{'PASS' if self.passed else 'FAIL'} {self.rule.text} ({self.detail})"


def evaluate(rule: Rule, rows: list[Row], cand_summary: dict[str, Any]) -> Verdict:
    """Check one rule against the comparison rows (or, for summary rules, the candidate summary)."""
    check = OPERATORS[rule.op]
    if rule.kind == "summary":
        v = cand_summary.get(rule.key)
        if not _is_number(v):
            got = "missing" if v is None else f"not a number: {cell_text(v)}"
            return Verdict(rule, False, f"candidate summary {rule.key!r} is {got}")
        return Verdict(rule, bool(check(float(v), rule.threshold)), f"candidate {fmt(float(v))}")
    mine = [r for r in rows if r.kind == rule.kind and r.key == rule.key]
    if not mine:
        return Verdict(rule, False, f"no {rule.kind} key {rule.key!r} compared")
    broken = [r for r in mine if rule.metric not in r.metrics]
    if broken:
        r = broken[0]
        more = f" and {len(broken) - 1} more" if len(broken) > 1 else ""
        return Verdict(rule, False, f"{r.where}: {r.note or 'not compared'}{more}")
    # the worst value decides: the smallest for >=/>, the largest for <=/<, any mismatch for ==
    if rule.op in (">=", ">"):
        worst = min(mine, key=lambda r: r.metrics[rule.metric])
        word = "min"
    elif rule.op in ("<=", "<"):
        worst = max(mine, key=lambda r: r.metrics[rule.metric])
        word = "max"
    else:
        bad = [r for r in mine if not check(r.metrics[rule.metric], rule.threshold)]
        worst = bad[0] if bad else mine[0]
        word = "first mismatch" if bad else "all"
    value = worst.metrics[rule.metric]
    passed = all(check(r.metrics[rule.metric], rule.threshold) for r in mine)
    where = (f" at {worst.at[rule.metric]}" if rule.metric in worst.at
             else "" if rule.kind == "scalar" else f" at {worst.where}")
    count = f", {len(mine)} compared" if len(mine) > 1 else ""
    return Verdict(rule, passed, f"{word} {fmt(value)}{where}{count}")


# ---- output -----------------------------------------------------------------------------------
def _md(text: str) -> str:
    """A user string made inert in GitHub Markdown (one line, no HTML, no table breaks)."""
    text = " ".join(visible(str(text)).split())
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return re.sub(r"([\\`*_\[\]{}()#+!|~])", r"\\\1", text)


def _url(path: str) -> str:
    from urllib.parse import quote

    return quote(path, safe="/")


def write_summary(
    path: Path, out: Path, rows: list[Row], verdicts: list[Verdict], skipped: list[str],
    info: dict[str, Any], top: int, link_base: str | None, images: bool = True,
) -> None:
    """The Markdown summary: verdicts, then the ``top`` largest changes with thumbnails."""

    def link(rel: str) -> str:
        if link_base:
            return link_base.rstrip("/") + "/" + _url(rel)
        return _url(os.path.relpath(out / rel, path.parent).replace(os.sep, "/"))

    changed = [r for r in rows if r.score > 0]
    lines = [
        "## mediaboard ci: " + ("all rules pass" if all(v.passed for v in verdicts) else "rules failed"),
        "",
        f"Baseline **{_md(info['base_name'])}** vs candidate **{_md(info['cand_name'])}**: "
        f"{len(rows)} compared, {len(changed)} differ. " + (
            f"[Open the gallery]({link('index.html')})." if images or link_base
            else "The gallery is `index.html` in the output folder (the CI artifact)."),
        "",
    ]
    if verdicts:
        lines += ["| verdict | rule | detail |", "|---|---|---|"]
        lines += [f"| {'✅ PASS' if v.passed else '❌ FAIL'} | `{v.rule.text.replace('`', '')}` | {_md(v.detail)} |"
                  for v in verdicts]
        lines.append("")
    else:
        lines += ["No `--fail-on` rules were given.", ""]

    def render(shown: list[Row]) -> list[str]:
        head = "| # | kind | key | where | change |" + (" baseline | candidate | difference |" if images else "")
        body = [f"### Top {len(shown)} changes", "", head, "|---" * head[1:].count("|") + "|"]
        for i, r in enumerate(shown, 1):
            cells = []
            for name in ("base", "cand", "diff"):
                t = r.thumbs.get(name)
                cells.append(f'<img src="{link(t)}" alt="{name}" width="96">' if t and images else "")
            what = _md(join(r.text, r.note) if r.note and r.note not in r.text else r.text)
            line = f"| {i} | {r.kind} | {_md(r.key)} | {_md(r.where)} | {what} |"
            body.append(line + (" " + " | ".join(cells) + " |" if images else ""))
        if len(changed) > len(shown):
            body += ["", f"{len(changed) - len(shown)} more changes are in the gallery."]
        return body

    tail = [""] + ([f"Not compared: {_md('; '.join(skipped))}", ""] if skipped else [])
    tail.append(f"_{_md(info['elapsed'])}_")
    shown = changed[:top]
    while True:
        text = "\n".join(lines + (render(shown) if shown else ["No differences found."]) + tail) + "\n"
        if len(text.encode("utf-8")) < SUMMARY_LIMIT or not shown:
            break
        shown = shown[: len(shown) // 2]  # the note above says how many more are in the gallery
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def write_gallery(out: Path, rows: list[Row], verdicts: list[Verdict], skipped: list[str],
                  info: dict[str, Any]) -> None:
    drawn = {r.kind for r in rows if r.base_frame or r.cand_frame} & {"plotly", "bokeh"}
    vendor = _write_vendor(out, drawn)
    page = templates().get_template("ci_gallery.html").render(
        rows=rows, verdicts=verdicts, skipped=skipped, info=info, vendor=vendor,
        kinds=sorted({r.kind for r in rows}), fmt=fmt, csp=policy.SITE,
    )
    inside_out(out, "index.html").write_text(page, encoding="utf-8")
    # the page's script is a file of its own: the page's Content-Security-Policy allows no inline one
    gallery_js = Path(__file__).parent / "templates" / "ci_gallery.js"
    inside_out(out, "gallery.js").write_text(gallery_js.read_text(encoding="utf-8"), encoding="utf-8")
    if any(r.base_frame or r.cand_frame for r in rows):
        # the sandboxed frames' document, as on the site (viewer/static/frame.html)
        frame = (Path(__file__).parent / "static" / "frame.html").read_text(encoding="utf-8")
        inside_out(out, "frame.html").write_text(frame.replace("FRAME_POLICY", policy.FRAME),
                                                 encoding="utf-8")


def _write_vendor(out: Path, groups: set[str]) -> dict[str, str]:
    """plotly.js and BokehJS, as the site ships them (``viewer.build.vendor_files``: text that a
    script file hands to the page, never run by the gallery itself), for the groups the gallery
    draws; returns {group: its files, space-separated, in load order}."""
    if not groups:
        return {}
    from viewer import build

    files: dict[str, list[str]] = {}
    for rel, src in build.vendor_files():
        group = rel.split("/")[-1].split("-")[0]
        if group in groups:
            inside_out(out, rel).parent.mkdir(parents=True, exist_ok=True)
            inside_out(out, rel).write_text(build.vendor_text(rel, src), encoding="utf-8")
            files.setdefault(group, []).append(rel)
    return {g: " ".join(v) for g, v in files.items()}


# ---- CLI --------------------------------------------------------------------------------------
def add_arguments(p: argparse.ArgumentParser) -> argparse.ArgumentParser:
    p.add_argument("--baseline", required=True, metavar="RUN", help="baseline run folder")
    p.add_argument("--candidate", required=True, metavar="RUN", help="candidate run folder")
    p.add_argument("-o", "--out", required=True, metavar="OUT", help="output folder for the gallery")
    p.add_argument("--summary", metavar="FILE", help="Markdown summary path (default OUT/summary.md)")
    p.add_argument("--fail-on", action="append", default=[], metavar="RULE",
                   help="e.g. 'image:examples.ssim>=0.95', 'scalar:loss.rel<=0.05', 'summary.acc>=0.9'")
    p.add_argument("--top", type=int, default=20, help="changes listed in the summary (default 20)")
    p.add_argument("--link-base", metavar="URL",
                   help="prefix for links in the summary (where OUT is served); default: relative paths")
    p.add_argument("--no-images", action="store_true",
                   help="summary without thumbnails (for a job summary, where relative files cannot be shown)")
    return p


def _open(path: str, which: str) -> Any:
    try:
        return runfolder.open_run(path)
    except Exception as exc:
        raise UsageError(f"--{which} {path!r}: {exc}") from None


def _run(args: argparse.Namespace) -> int:
    t0 = time.perf_counter()
    rules = [parse_rule(t) for t in args.fail_on]
    if args.top < 0:
        raise UsageError(f"--top: expected a count >= 0; got {args.top}.")
    base, cand = _open(args.baseline, "baseline"), _open(args.candidate, "candidate")
    out = Path(args.out)
    try:
        if out.exists() and not out.is_dir():
            raise UsageError(f"-o {str(out)!r}: exists and is not a folder.")
        if out.is_dir() and any(out.iterdir()) and not (out / MARKER).is_file():
            # never clear a folder we did not write (-o . would otherwise delete ./files)
            raise UsageError(f"-o {str(out)!r}: folder is not empty and was not written by mediaboard ci; "
                             "give a new or empty folder.")
        for sub in ("files", "frames", "thumbs", "diff", "spec", "vendor"):  # stale files of an earlier run
            shutil.rmtree(out / sub, ignore_errors=True)
        out.mkdir(parents=True, exist_ok=True)
        (out / MARKER).write_text("written by mediaboard ci; its contents are replaced on the next run\n")
    except OSError as exc:
        raise UsageError(f"-o {str(out)!r}: cannot write there ({exc.strerror}).") from None
    comparer = Comparer(base, cand, out)
    comparer.compare_all()
    rows = sorted(comparer.rows, key=lambda r: -r.score)  # stable: equal scores keep log order
    verdicts = [evaluate(rule, rows, cand.summary) for rule in rules]
    comparer.thumbs([r for r in rows if r.score > 0][: max(args.top, 0)])
    info = {
        "base_name": str(base.name or base.id or args.baseline),
        "cand_name": str(cand.name or cand.id or args.candidate),
        "base_path": str(args.baseline),
        "cand_path": str(args.candidate),
        "elapsed": f"built by mediaboard ci in {time.perf_counter() - t0:.1f} s",
        "problems": list(base.problems) + list(cand.problems),
        "passed": all(v.passed for v in verdicts),
    }
    write_gallery(out, rows, verdicts, comparer.skipped, info)
    summary = Path(args.summary) if args.summary else out / "summary.md"
    write_summary(summary, out, rows, verdicts, comparer.skipped, info, args.top, args.link_base,
                  images=not args.no_images)
    for v in verdicts:
        print(v.line)
    print(f"gallery: {out / 'index.html'}  summary: {summary}", file=sys.stderr)
    return 0 if info["passed"] else 1


#: ``mediaboard ci``: add_parser(subparsers), run(args), main(argv) (viewer/errors.py Command)
COMMAND = Command("ci", "compare two runs: gallery, Markdown summary, pass/fail rules",
                  __doc__.split("\n\n")[0], add_arguments, _run)
add_parser, run, main = COMMAND.add_parser, COMMAND.run, COMMAND.main


if __name__ == "__main__":
    raise SystemExit(main())
