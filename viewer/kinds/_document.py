"""plotly, bokeh and html values compared as documents: the same content or not, plus how far the
plotted numbers moved (plotly, bokeh) or how alike the text is (html)."""

from __future__ import annotations

import json
import math
from typing import TYPE_CHECKING, Any

from media import stubs
from viewer import imgdiff
from viewer.outdir import inside_out
from viewer.text import js_value

if TYPE_CHECKING:
    from viewer.ci import Comparer, Row


def compare_document(cmp: Comparer, row: Row, b: dict, c: dict, n: int) -> None:
    """plotly / bokeh / HTML: the same content or not. JSON is compared parsed (bokeh's model
    ids renumbered in order of appearance, so two runs that built the same plot compare equal).
    plotly and bokeh also get `dev` (how far the plotted numbers moved), HTML `sim` (how
    alike the two pages' text is); the row ranks by them."""
    if row.kind == "html":
        row.base_frame = html_view(cmp, cmp.base, "baseline", b[stubs.PATH], n)
        row.cand_frame = html_view(cmp, cmp.cand, "candidate", c[stubs.PATH], n)
    else:
        row.base_file = cmp.copy(cmp.base, "baseline", b[stubs.PATH])
        row.cand_file = cmp.copy(cmp.cand, "candidate", c[stubs.PATH])
        # drawn by plotly.js / BokehJS in sandboxed frames (gallery.js), as on the site
        row.base_frame = figure_view(cmp, cmp.base, "baseline", b[stubs.PATH], n)
        row.cand_frame = figure_view(cmp, cmp.cand, "candidate", c[stubs.PATH], n)
    rb, rc = cmp.base.resolve(b[stubs.PATH]).read_bytes(), cmp.cand.resolve(c[stubs.PATH]).read_bytes()
    same = rb == rc
    if not same and row.kind in ("plotly", "bokeh"):
        jb, jc = json.loads(rb), json.loads(rc)
        if row.kind == "bokeh":
            jb, jc = _renumber_ids(jb), _renumber_ids(jc)
        same = jb == jc
        if not same and row.kind == "plotly":
            tb, tc = jb.get("data") or [], jc.get("data") or []
            diff = sum(1 for i in range(max(len(tb), len(tc))) if i >= len(tb) or i >= len(tc) or tb[i] != tc[i])
            row.details.append(f"{diff} of {max(len(tb), len(tc))} traces differ" if diff else "layout differs")
    row.metrics = {"changed": 0.0 if same else 1.0}
    row.score = 0.0 if same else 1.0
    row.text = "same content" if same else "content differs"
    if row.kind in ("plotly", "bokeh"):
        # how far the plotted numbers moved: a rule can allow noise (plotly:pr.dev<=0.01)
        measure = imgdiff.figure_deviation if row.kind == "plotly" else imgdiff.bokeh_deviation
        dev, where = (0.0, "") if same else measure(jb, jc)
        row.metrics["dev"] = dev
        if not same:
            # numbers that moved rank by how far; a change of names or styles alone ranks low
            row.score = 1.0 if not math.isfinite(dev) else min(1.0, dev) if dev > 0 else 0.01
            row.text = (
                f"data changed: {where}" if not math.isfinite(dev)
                else f"largest data change {dev:.3g} of the baseline range ({where})" if dev > 0
                else "same data; names, styles or layout differ"
            )
    if row.kind == "html":
        # how much of the page is still the same text: a one-number change ranks low
        sim = 1.0 if same else imgdiff.text_similarity(
            rb.decode("utf-8", "replace"), rc.decode("utf-8", "replace"))
        row.metrics["sim"] = sim
        if not same:
            row.score = max(0.01, 1.0 - sim)
            row.text = f"content differs ({sim:.1%} similar)"
            row.details.append(f"{len(rb)} → {len(rc)} bytes")


def _frame_script(cmp: Comparer, rel: str, table: str, text: str) -> str:
    """``frames/...``: a script that puts ``text`` in ``window[table][rel]`` (ci alone writes there)."""
    dst = inside_out(cmp.out, rel)
    dst.parent.mkdir(parents=True, exist_ok=True)
    if dst.is_symlink() or dst.exists():
        dst.unlink()
    dst.write_text(f"window.{table} = window.{table} || {{}};\n{table}[{js_value(rel)}] = {js_value(text)};\n",
                   encoding="utf-8")
    return rel


def figure_view(cmp: Comparer, run: Any, side: str, relpath: str, n: int) -> str:
    """A plotly figure or bokeh document for the gallery: its JSON text in a script file,
    ``frames/<n>-<side>.js``, which gallery.js hands, with plotly.js or BokehJS (as text), to a
    sandboxed frame that draws it (its text, styles and callbacks never run in the gallery's
    origin). The row still links the JSON file itself."""
    text = run.resolve(relpath).read_bytes().decode("utf-8", "replace")
    return _frame_script(cmp, f"frames/{n:04d}-{side}.js", "MBG_DOC", text)


def html_view(cmp: Comparer, run: Any, side: str, relpath: str, n: int) -> str:
    """An Html value for the gallery: never the page itself (opened from a link, its scripts
    would run in the gallery's origin), but its text in a script file, ``frames/<n>-<side>.js``
    (a folder ci alone writes: no file of a run is ever copied there, so a run cannot put a
    script of its own in its place), which gallery.js hands to a sandboxed frame (frame.html)."""
    text = run.resolve(relpath).read_bytes().decode("utf-8", "replace")
    return _frame_script(cmp, f"frames/{n:04d}-{side}.js", "MBG_HTML", text)


def _renumber_ids(doc: Any) -> Any:
    """A bokeh JSON document with every model id replaced by its order of first appearance."""
    ids: dict[str, str] = {}

    def collect(v: Any) -> None:
        if isinstance(v, dict):
            for k, x in v.items():
                if k in ("id", "root_id", "target_id") and isinstance(x, str) and x not in ids:
                    ids[x] = f"#{len(ids)}"
                collect(x)
        elif isinstance(v, list):
            for x in v:
                collect(x)

    def swap(v: Any) -> Any:
        if isinstance(v, dict):
            return {k: swap(x) for k, x in v.items()}
        if isinstance(v, list):
            return [swap(x) for x in v]
        return ids.get(v, v) if isinstance(v, str) else v

    collect(doc)
    return swap(doc)
