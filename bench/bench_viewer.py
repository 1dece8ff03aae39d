"""Benchmark the viewer on a large generated root: build time, site size, first paint, cursor
moves and JS heap while scrubbing, in Debian's Chromium from file://.

The root is generated with mediaboard itself (``--runs`` runs x ``--steps`` steps; every step logs
``--keys`` media keys, 60 % small RGB images and 40 % 64-bin histograms, plus ``--scalars`` scalars).
Generation is timed and reported apart from everything else; a generated root is kept (under
``--work``) and reused by later calls with the same size unless ``--regen`` is given.

Goals from the issue: first paint under 1 s, a cursor move under 50 ms, memory that follows what is
on screen rather than the number of steps. Nothing here is asserted: it prints a table and writes
``bench/results/bench_viewer.json``.

Example::

    python bench/bench_viewer.py --quick          # 4 runs x 500 steps, about a minute
    python bench/bench_viewer.py                  # 20 runs x 5,000 steps x 10 keys
    python bench/bench_viewer.py --profile        # also CPU profiles of the build and of cursor moves
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from _common import fmt, machine, percentile, table, version_of, write_results  # noqa: E402

CHROMIUM = os.environ.get("MEDIABOARD_CHROMIUM", "/usr/bin/chromium")
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--no-first-run", "--disable-sync",
               "--enable-precise-memory-info", "--js-flags=--expose-gc"]
GEN_MARK = "bench-generated.json"
IMAGE_SIZE = 32
HIST_BINS = 64


# ------------------------------------------------------------------------------------------------
# generating the root
# ------------------------------------------------------------------------------------------------
def key_names(keys: int, scalars: int) -> tuple[list[str], list[str], list[str]]:
    n_img = max(1, round(keys * 0.6)) if keys else 0
    images = [f"images/cam{i}" for i in range(n_img)]
    hists = [f"hist/layer{i}" for i in range(keys - n_img)]
    scal = [f"train/s{i}" for i in range(scalars)]
    return images, hists, scal


def _gen_run(job: tuple[str, int, int, int, int]) -> float:
    """One run in a worker process; returns its wall time."""
    root, index, steps, keys, scalars = job
    import numpy as np

    import media

    t0 = time.perf_counter()
    images, hists, scal = key_names(keys, scalars)
    rng = np.random.default_rng(index)
    yy, xx = np.mgrid[0:IMAGE_SIZE, 0:IMAGE_SIZE]
    bases = []
    for i in range(len(images)):
        smooth = 127 + 100 * np.sin(xx / (3 + i) + yy / (5 + i))[..., None] * np.array([1.0, 0.6, -0.8])
        bases.append(np.clip(smooth + rng.normal(0, 12, smooth.shape), 0, 255).astype(np.uint8))
    edges = np.linspace(-4, 4, HIST_BINS + 1)
    centers = (edges[:-1] + edges[1:]) / 2
    media.init(dir=root, project="bench", name=f"run-{index:02d}",
               config={"seed": index, "lr": 10 ** -(2 + index % 3), "batch": 32 * (1 + index % 4)})
    for step in range(steps):
        row: dict[str, Any] = {}
        for name, base in zip(images, bases):
            row[name] = media.Image(np.roll(base, step % IMAGE_SIZE, axis=1))
        for j, name in enumerate(hists):
            width = 0.5 + j * 0.2 + step / max(1, steps)
            counts = np.round(1000 * np.exp(-0.5 * (centers / width) ** 2)).astype(np.int64)
            row[name] = media.Histogram(np_histogram=(counts, edges))
        for j, name in enumerate(scal):
            row[name] = float(np.exp(-step / (steps / 3)) * (1 + j) + 0.01 * rng.normal())
        media.log(row)
    media.finish()
    return time.perf_counter() - t0


def generate(root: Path, runs: int, steps: int, keys: int, scalars: int, jobs: int) -> dict[str, Any]:
    mark = root / GEN_MARK
    want = {"runs": runs, "steps": steps, "keys": keys, "scalars": scalars}
    if mark.is_file():
        info = json.loads(mark.read_text())
        if all(info.get(k) == v for k, v in want.items()):
            info["reused"] = True
            print(f"generation: reusing {root} (generated in {info['seconds']:.0f} s)", file=sys.stderr)
            return info
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    print(f"generation: {runs} runs x {steps} steps x {keys} media keys into {root} "
          f"({jobs} processes) ...", file=sys.stderr, flush=True)
    t0 = time.perf_counter()
    ctx = multiprocessing.get_context("fork")
    per_run: list[float] = []
    with ctx.Pool(jobs) as pool:
        for i, sec in enumerate(pool.imap_unordered(
                _gen_run, [(str(root), i, steps, keys, scalars) for i in range(runs)]), start=1):
            per_run.append(sec)
            print(f"  run {i}/{runs} done ({sec:.1f} s)", file=sys.stderr, flush=True)
    seconds = time.perf_counter() - t0
    size, files = tree_size(root)
    info = dict(want, seconds=seconds, per_run_s=per_run, jobs=jobs, bytes=size, files=files,
                media_entries=runs * steps * keys, reused=False)
    mark.write_text(json.dumps(info))
    return info


# ------------------------------------------------------------------------------------------------
# building the site
# ------------------------------------------------------------------------------------------------
def tree_size(base: Path) -> tuple[int, int]:
    size = files = 0
    for dirpath, _dirs, names in os.walk(base):
        for n in names:
            size += os.lstat(os.path.join(dirpath, n)).st_size
            files += 1
    return size, files


def site_sizes(site: Path) -> dict[str, Any]:
    out: dict[str, Any] = {}
    total_b = total_n = 0
    for part in ("data", "files", "static", "vendor"):
        b, n = tree_size(site / part) if (site / part).is_dir() else (0, 0)
        out[part] = {"bytes": b, "files": n}
        total_b += b
        total_n += n
    top = [p for p in site.iterdir() if p.is_file()]
    out["top"] = {"bytes": sum(p.stat().st_size for p in top), "files": len(top)}
    total_b += out["top"]["bytes"]
    total_n += out["top"]["files"]
    out["total"] = {"bytes": total_b, "files": total_n}
    out["without_vendor"] = {"bytes": total_b - out["vendor"]["bytes"],
                             "files": total_n - out["vendor"]["files"]}
    # files/ are hard links to the runs' media: they cost no new disk space
    out["new_on_disk"] = {"bytes": total_b - out["files"]["bytes"],
                          "files": total_n - out["files"]["files"]}
    return out


def build(root: Path, site: Path, profile: bool) -> dict[str, Any]:
    from viewer.build import build_site

    if site.exists():
        shutil.rmtree(site)
    print("build: first build ...", file=sys.stderr, flush=True)
    prof = None
    if profile:
        import cProfile

        prof = cProfile.Profile()
        prof.enable()
    t0 = time.perf_counter()
    first = build_site([root], site)
    first_s = time.perf_counter() - t0
    if prof is not None:
        prof.disable()
    print(f"  {first_s:.1f} s; rebuild with no change ...", file=sys.stderr, flush=True)
    t0 = time.perf_counter()
    again = build_site([root], site)
    again_s = time.perf_counter() - t0
    out = {
        "first_s": first_s, "rebuild_s": again_s,
        "first": {"runs": first.runs, "rebuilt": first.runs_rebuilt, "written": first.written,
                  "linked": first.linked, "unchanged": first.unchanged},
        "rebuild": {"runs": again.runs, "rebuilt": again.runs_rebuilt, "written": again.written,
                    "linked": again.linked, "unchanged": again.unchanged},
        "problems": len(first.problems),
        "size": site_sizes(site),
    }
    if prof is not None:
        out["profile"] = top_python(prof)
    return out


def top_python(prof: Any, n: int = 15) -> list[dict[str, Any]]:
    import pstats

    st = pstats.Stats(prof)
    rows = []
    for (fn, line, name), (_cc, nc, tt, ct, _callers) in st.stats.items():  # type: ignore[attr-defined]
        rows.append({"function": f"{Path(fn).name}:{line}({name})", "calls": nc,
                     "self_s": round(tt, 3), "cum_s": round(ct, 3)})
    rows.sort(key=lambda r: -r["self_s"])
    return rows[:n]


# ------------------------------------------------------------------------------------------------
# the browser
# ------------------------------------------------------------------------------------------------
# Installed before any page script: records (performance.now()) when body first gets data-ready
# and data-cursor, the frame after the first data-cursor, and paint / LCP entries.
INIT_SCRIPT = """
(() => {
  const T = (window.__mbT = {});
  const seen = () => {
    const b = document.body;
    if (!b) return;
    if (b.dataset.ready && T.ready === undefined) { T.ready = performance.now(); T.readyAs = b.dataset.ready; }
    if (b.dataset.cursor !== undefined && T.cursor === undefined) {
      T.cursor = performance.now();
      requestAnimationFrame(() => setTimeout(() => { T.cursorFrame = performance.now(); }, 0));
    }
  };
  new MutationObserver(seen).observe(document, {subtree: true, childList: true, attributes: true,
    attributeFilter: ["data-ready", "data-cursor"]});
  try {
    new PerformanceObserver((l) => { for (const e of l.getEntries()) T.lcp = e.startTime; })
      .observe({type: "largest-contentful-paint", buffered: true});
  } catch (e) {}
})();
"""

# Resolves once every panel shows its content: images decoded, histograms drawn (canvas for one
# step, Plotly for the other views).
SETTLED_JS = """
() => new Promise((resolve) => {
  const t0 = performance.now();
  const check = () => {
    const imgs = [...document.querySelectorAll("article.panel img")];
    const plots = [...document.querySelectorAll("article.panel .mb-plot")];
    const ok = imgs.every((i) => i.complete && i.naturalWidth > 0) &&
      plots.every((p) => (p._fullLayout && p.querySelector(".main-svg")) ||
        p.querySelector("canvas.mb-hist-canvas"));
    if (ok || performance.now() - t0 > 10000) {
      requestAnimationFrame(() => setTimeout(() => resolve({ok, ms: performance.now() - t0,
        imgs: imgs.length, plots: plots.length}), 0));
    } else requestAnimationFrame(check);
  };
  check();
})
"""

# One cursor move: t0 before MB.cursor.set, t1 when a MutationObserver sees data-cursor == target
# (every panel's renderer has run), t2 the frame after that, t3 once images and plots are drawn.
MOVE_JS = """
async ([target, settle]) => {
  const want = String(target);
  const done = new Promise((resolve) => {
    const obs = new MutationObserver(() => {
      if (document.body.dataset.cursor === want) { obs.disconnect(); resolve(performance.now()); }
    });
    obs.observe(document.body, {attributes: true, attributeFilter: ["data-cursor"]});
  });
  const t0 = performance.now();
  MB.cursor.set(target);
  const t1 = await done;
  const t2 = await new Promise((r) => requestAnimationFrame(() => setTimeout(() => r(performance.now()), 0)));
  let t3 = null;
  let stuck = 0;
  if (settle) { const s = await (%s)(); if (s.ok) t3 = t2 + s.ms; else stuck = 1; }
  return {cursor_ms: t1 - t0, frame_ms: t2 - t0, settled_ms: t3 === null ? null : t3 - t0,
          not_drawn: stuck};
}
""".replace("%s", SETTLED_JS.strip())


# A drag of the step slider, watched from inside the page: every animation frame's time (a stall
# is a gap between two frames), long tasks, the slider's input events, the release, then the first
# data-cursor after it (the final step drawn) and the moment every panel shows it (images decoded,
# Plotly plots and 3-D views drawn).
DRAG_WATCH_JS = """
() => {
  const M = (window.__mbDrag = {frames: [], long: [], inputs: 0, down: null, release: null});
  const loop = (t) => { M.frames.push(performance.now()); if (!M.stop) requestAnimationFrame(loop); };
  requestAnimationFrame(loop);
  try {
    new PerformanceObserver((l) => { for (const e of l.getEntries()) M.long.push([e.startTime, e.duration]); })
      .observe({type: "longtask"});
  } catch (e) {}
  const slider = document.getElementById("cursor");
  slider.addEventListener("input", () => { M.inputs++; });
  document.addEventListener("pointerdown", () => { M.down = performance.now(); }, {capture: true});
  document.addEventListener("pointerup", () => { M.release = performance.now(); }, {capture: true});
}
"""
DRAG_SETTLE_JS = """
async () => {
  const M = window.__mbDrag;
  // the final step on screen: the first frame after the release in which the cursor's label and
  // every light panel (all but MB.HEAVY_KINDS) show it (heavy panels follow, one per frame)
  const final = MB.cursor.step();
  const lightAt = await new Promise((resolve) => {
    const t0 = performance.now();
    const check = () => {
      const label = (document.getElementById("cursor-label") || {}).textContent || "";
      const light = [...document.querySelectorAll("article.panel")].filter((p) =>
        !MB.HEAVY_KINDS[(p.className.match(/kind-(\\w+)/) || [])[1]]);
      const ok = label.indexOf("step " + final + " ") === 0 &&
        light.every((p) => !p.dataset.step || Number(p.dataset.step) <= final);
      if (ok || performance.now() - t0 > 10000) resolve(performance.now());
      else requestAnimationFrame(check);
    };
    requestAnimationFrame(check);
  });
  const cursorAt = await new Promise((resolve) => {
    const t0 = performance.now();
    const check = () => {
      if (document.body.dataset.cursor !== undefined || performance.now() - t0 > 10000) resolve(performance.now());
      else requestAnimationFrame(check);
    };
    check();
  });
  const t0 = performance.now();
  const drawnAt = await new Promise((resolve) => {
    const check = () => {
      const imgs = [...document.querySelectorAll("article.panel img, .cmp-cell img")];
      const plots = [...document.querySelectorAll("article.panel .js-plotly-plot, .cmp-cell .js-plotly-plot")];
      const ok = imgs.every((i) => i.complete && i.naturalWidth > 0) &&
        plots.every((p) => p._fullLayout && p.querySelector(".main-svg"));
      if (ok || performance.now() - t0 > 10000) resolve(ok ? performance.now() : null);
      else requestAnimationFrame(check);
    };
    check();
  });
  await new Promise((r) => requestAnimationFrame(() => setTimeout(r, 50)));
  M.stop = true;
  const gaps = (from, to) => {
    let worst = 0;
    for (let i = 1; i < M.frames.length; i++) {
      if (M.frames[i] < from || M.frames[i - 1] > to) continue;
      worst = Math.max(worst, M.frames[i] - M.frames[i - 1]);
    }
    return worst;
  };
  const settled = drawnAt === null ? cursorAt : drawnAt;
  return {inputs: M.inputs, drag_ms: M.release - M.down, step: Number(document.body.dataset.cursor),
          final_ms: lightAt - M.release, settle_ms: cursorAt - M.release, drawn_ms: drawnAt === null ? null : drawnAt - M.release,
          worst_frame_drag_ms: gaps(M.down, M.release), worst_frame_settle_ms: gaps(M.release, settled),
          long_tasks: M.long.filter(([t]) => t >= M.down).map(([t, d]) => Math.round(d)),
          cursor_after: Number(document.body.dataset.cursor)};
}
"""


class Browser:
    def __init__(self) -> None:
        from playwright.sync_api import sync_playwright

        self._pw = sync_playwright().start()
        self.browser = self._pw.chromium.launch(executable_path=CHROMIUM, headless=True,
                                                args=LAUNCH_ARGS)
        self.errors: list[str] = []

    def page(self, site: Path, fragment: str) -> tuple[Any, Any, Any]:
        ctx = self.browser.new_context(viewport={"width": 1280, "height": 800})
        ctx.add_init_script(INIT_SCRIPT)
        page = ctx.new_page()
        page.on("pageerror", lambda e: self.errors.append(f"page error: {e}"))
        page.on("console", lambda m: self.errors.append(f"console: {m.text}") if m.type == "error" else None)
        cdp = ctx.new_cdp_session(page)
        cdp.send("Performance.enable")
        page.goto((site / "index.html").as_uri() + fragment)
        return ctx, page, cdp

    def close(self) -> None:
        self.browser.close()
        self._pw.stop()


def heap(page: Any, cdp: Any) -> dict[str, float]:
    cdp.send("HeapProfiler.collectGarbage")
    cdp.send("HeapProfiler.collectGarbage")
    metrics = {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}
    used = page.evaluate("performance.memory.usedJSHeapSize")
    return {"js_heap_mb": metrics["JSHeapUsedSize"] / 1e6, "memory_api_mb": used / 1e6,
            "nodes": metrics.get("Nodes"), "listeners": metrics.get("JSEventListeners"),
            "scripts": page.evaluate("document.scripts.length"),
            "shards_in_store": page.evaluate("Object.keys(MB.store.shards).length"),
            "imgs_in_page": page.evaluate("document.images.length")}


def first_paint(br: Browser, site: Path, fragment: str, wait: str, repeats: int) -> dict[str, Any]:
    samples = []
    for _ in range(repeats):
        ctx, page, _cdp = br.page(site, fragment)
        page.wait_for_selector(wait, timeout=60000)
        if "cursor" in wait:
            page.wait_for_function("window.__mbT.cursorFrame !== undefined", timeout=60000)
        t = page.evaluate("""() => {
          const p = Object.fromEntries(performance.getEntriesByType('paint').map(e => [e.name, e.startTime]));
          const n = performance.getEntriesByType('navigation')[0];
          return {fcp: p['first-contentful-paint'] ?? null, fp: p['first-paint'] ?? null,
                  dcl: n ? n.domContentLoadedEventEnd : null, ready: window.__mbT.ready ?? null,
                  cursor: window.__mbT.cursor ?? null, cursor_frame: window.__mbT.cursorFrame ?? null};
        }""")
        page.wait_for_timeout(300)  # let LCP settle
        t["lcp"] = page.evaluate("window.__mbT.lcp ?? null")
        samples.append(t)
        ctx.close()
    out: dict[str, Any] = {"repeats": repeats, "samples": samples}
    for k in ("fcp", "fp", "dcl", "ready", "cursor", "cursor_frame", "lcp"):
        vals = [s[k] for s in samples if s.get(k) is not None]
        out[k] = statistics.median(vals) if vals else None
        out[k + "_max"] = max(vals) if vals else None
    return out


def run_page(br: Browser, site: Path, run_key: str, steps: int, scrub: int, moves: int,
             profile: bool) -> dict[str, Any]:
    ctx, page, cdp = br.page(site, f"#/run/{run_key}")
    page.wait_for_selector("body[data-cursor]", timeout=60000)
    page.evaluate(f"({SETTLED_JS.strip()})()")
    page.wait_for_timeout(500)
    all_steps = page.evaluate("MB.cursor.steps")
    chunk = page.evaluate("Object.values(MB.store.runs)[0].media[Object.keys(Object.values(MB.store.runs)[0].media)[0]].chunk")
    out: dict[str, Any] = {"steps_in_cursor": len(all_steps), "chunk": chunk}
    out["heap_after_load"] = heap(page, cdp)

    def move(target: int, settle: bool = True) -> dict[str, float]:
        return page.evaluate(MOVE_JS, [target, settle])

    # far jumps into shards never loaded, then a neighbour step after each
    last = all_steps[-1]
    n_chunks = max(1, (len(all_steps) + chunk - 1) // chunk)
    far_targets = []
    for i in range(moves):
        c = 1 + (i * 7919) % max(1, n_chunks - 1)  # spread over the chunks, never chunk 0
        far_targets.append(min(last, all_steps[min(len(all_steps) - 1, c * chunk + chunk // 2)]))
    far, near = [], []
    for t in far_targets:
        far.append(move(t))
        near.append(move(min(last, t + 1)))
    if profile:  # a second set of moves under the sampling profiler (not in the figures above)
        cdp.send("Profiler.enable")
        cdp.send("Profiler.setSamplingInterval", {"interval": 100})
        cdp.send("Profiler.start")
        for t in far_targets:
            move(max(all_steps[0], t - chunk))
            move(max(all_steps[0], t - chunk + 1))
        prof = cdp.send("Profiler.stop")["profile"]
        out["profile_moves"] = top_js(prof)
    out["far"] = summarize_moves(far)
    out["near"] = summarize_moves(near)
    out["far_targets"] = far_targets

    # scrub one by one from the start, heap at checkpoints
    move(all_steps[0])
    page.wait_for_timeout(300)
    out["heap_before_scrub"] = heap(page, cdp)
    scrub_moves = []
    checkpoints = []
    n = min(scrub, len(all_steps) - 1)
    every = max(1, n // 5)
    for i in range(1, n + 1):
        scrub_moves.append(move(all_steps[i], settle=True))
        if i % every == 0 or i == n:
            checkpoints.append(dict(heap(page, cdp), step=all_steps[i]))
    out["scrub"] = summarize_moves(scrub_moves)
    out["scrub_steps"] = n
    out["heap_checkpoints"] = checkpoints
    out["heap_after_scrub"] = checkpoints[-1] if checkpoints else None
    ctx.close()
    return out


def compare_page(br: Browser, site: Path, run_keys: list[str], moves: int) -> dict[str, Any]:
    """The compare page of several runs: far jumps of its one cursor and a neighbour move after
    each, until every cell has rendered (data-cursor)."""
    ctx, page, cdp = br.page(site, "#/compare?runs=" + ",".join(run_keys))
    page.wait_for_selector("body[data-cursor]", timeout=60000)
    page.wait_for_timeout(500)
    all_steps = page.evaluate("MB.cursor.steps")
    last = all_steps[-1]
    far, near = [], []
    for i in range(moves):
        t = all_steps[min(len(all_steps) - 1, 25 + (i * 7919) % max(1, len(all_steps) - 50))]
        far.append(page.evaluate(MOVE_JS, [t, False]))
        near.append(page.evaluate(MOVE_JS, [min(last, t + 1), False]))
    out = {"runs": len(run_keys), "far": summarize_moves(far), "near": summarize_moves(near),
           "heap": heap(page, cdp)}
    ctx.close()
    return out


def drag(br: Browser, site: Path, fragment: str, events: int = 30, repeats: int = 3) -> dict[str, Any]:
    """A mouse drag of the step slider over ``events`` cursor positions (one mouse move every 16 ms,
    as a 60 Hz mouse), from the middle of the run; repeated on fresh pages. The goal: the final step
    drawn within 100 ms of the release, and no frame longer than 100 ms during the drag."""
    samples = []
    for _ in range(repeats):
        ctx, page, _cdp = br.page(site, fragment)
        page.wait_for_selector("body[data-cursor]", timeout=60000)
        page.wait_for_timeout(1500)  # vendor scripts, heavy panels and the first charts
        n = len(page.evaluate("MB.cursor.steps"))
        page.locator("#cursor").scroll_into_view_if_needed()  # below the charts
        page.wait_for_timeout(300)
        box = page.locator("#cursor").bounding_box()
        thumb = 8.0  # half of Chromium's slider thumb
        width = box["width"] - 2 * thumb
        stride = max(1, -(-(n - 1) // int(width)))  # cursor positions per pixel, rounded up
        span = min(n - 1, events * stride)
        i0 = max(0, (n - 1 - span) // 2)

        left, per = box["x"] + thumb, width / max(1, n - 1)

        page.evaluate("(s) => MB.cursor.set(MB.cursor.steps[s])", i0)
        page.wait_for_selector(f"body[data-cursor='{page.evaluate('(s) => MB.cursor.steps[s]', i0)}']", timeout=60000)
        page.wait_for_timeout(500)
        page.evaluate(f"({DRAG_WATCH_JS.strip()})()")
        y = box["y"] + box["height"] / 2
        page.mouse.move(left + per * i0, y)
        page.mouse.down()
        for k in range(1, events + 1):
            page.mouse.move(left + per * min(n - 1, i0 + round(k * span / events)), y)
            page.wait_for_timeout(16)
        page.mouse.up()
        samples.append(page.evaluate(DRAG_SETTLE_JS))
        ctx.close()
    out: dict[str, Any] = {"repeats": repeats, "events": events, "samples": samples}
    for k in ("final_ms", "settle_ms", "drawn_ms", "worst_frame_drag_ms", "worst_frame_settle_ms", "inputs"):
        vals = [s_[k] for s_ in samples if s_.get(k) is not None]
        out[k] = statistics.median(vals) if vals else None
        out[k + "_max"] = max(vals) if vals else None
    return out


def summarize_moves(moves: list[dict[str, float]]) -> dict[str, Any]:
    out: dict[str, Any] = {"n": len(moves)}
    for k in ("cursor_ms", "frame_ms", "settled_ms"):
        vals = sorted(m[k] for m in moves if m.get(k) is not None)
        if vals:
            out[k] = {"p50": percentile(vals, 50), "p90": percentile(vals, 90),
                      "max": vals[-1], "mean": statistics.fmean(vals)}
    # moves after which some image or plot was still not drawn 10 s later (left out of settled_ms)
    out["not_drawn"] = sum(1 for m in moves if m.get("not_drawn"))
    return out


def top_js(profile: dict[str, Any], n: int = 15) -> list[dict[str, Any]]:
    """Self time per function from a CDP CPU profile (sampled)."""
    nodes = profile["nodes"]
    deltas = profile.get("timeDeltas") or []
    samples = profile.get("samples") or []
    per_node: dict[int, float] = {}
    for node_id, dt in zip(samples, deltas[1:] + [0]):
        per_node[node_id] = per_node.get(node_id, 0.0) + dt / 1000.0
    by_fn: dict[str, float] = {}
    for node in nodes:
        cf = node["callFrame"]
        url = cf.get("url", "").rsplit("/", 1)[-1]
        name = f"{cf.get('functionName') or '(anonymous)'} {url}:{cf.get('lineNumber', -1) + 1}" if url \
            else cf.get("functionName") or "(program)"
        by_fn[name] = by_fn.get(name, 0.0) + per_node.get(node["id"], 0.0)
    total = sum(by_fn.values()) or 1.0
    rows = sorted(by_fn.items(), key=lambda kv: -kv[1])[:n]
    return [{"function": k, "self_ms": round(v, 1), "share": round(v / total, 3)} for k, v in rows]


# ------------------------------------------------------------------------------------------------
# report
# ------------------------------------------------------------------------------------------------
def mb(b: float) -> str:
    return f"{b / 1e6:,.1f} MB"


def report(res: dict[str, Any]) -> str:
    g, b, fp_run, fp_idx, rp = res["generation"], res["build"], res["first_paint_run"], \
        res["first_paint_index"], res["run_page"]
    s = b["size"]
    lines = [f"root: {g['runs']} runs x {g['steps']} steps x {g['keys']} media keys "
             f"({res['image_keys']} image {IMAGE_SIZE}x{IMAGE_SIZE} RGB, {res['hist_keys']} histogram "
             f"{HIST_BINS} bins) + {g['scalars']} scalars = {g['media_entries']:,} media entries, "
             f"{mb(g['bytes'])} in {g['files']:,} files", ""]
    rows = [
        [f"generation (mediaboard logging, {g['jobs']} processes)", f"{g['seconds']:.1f} s", "-",
         "reused" if g.get("reused") else ""],
        ["build_site, first build", f"{b['first_s']:.1f} s", "-",
         f"{b['first']['written']:,} written, {b['first']['linked']:,} linked"],
        ["build_site, rebuild, nothing changed", f"{b['rebuild_s']:.2f} s", "-",
         f"{b['rebuild']['written']} written, {b['rebuild']['rebuilt']} runs rebuilt"],
        ["site size, all", mb(s["total"]["bytes"]), "-", f"{s['total']['files']:,} files"],
        ["site size, without vendor JS", mb(s["without_vendor"]["bytes"]), "-",
         f"{s['without_vendor']['files']:,} files"],
        ["  of which data/ (shards, run.js)", mb(s["data"]["bytes"]), "-", f"{s['data']['files']:,} files"],
        ["  of which files/ (hard links, no new disk)", mb(s["files"]["bytes"]), "-",
         f"{s['files']['files']:,} files"],
        ["  vendor/ (plotly, bokeh)", mb(s["vendor"]["bytes"]), "-", f"{s['vendor']['files']} files"],
        ["new bytes on disk (all but files/)", mb(s["new_on_disk"]["bytes"]), "-", ""],
    ]

    def ms(v: Any) -> str:
        return "-" if v is None else f"{v:,.0f} ms" if v >= 100 else f"{v:,.1f} ms"

    def goal(v: Any, limit: float) -> str:
        return "-" if v is None else ("yes" if v < limit else "NO")

    for label, fp in (("index", fp_idx), ("run page", fp_run)):
        rows.append([f"{label}: first contentful paint (median of {fp['repeats']})", ms(fp["fcp"]),
                     goal(fp["fcp"], 1000), f"max {ms(fp['fcp_max'])}"])
        rows.append([f"{label}: body[data-ready]", ms(fp["ready"]), goal(fp["ready"], 1000),
                     f"max {ms(fp['ready_max'])}"])
    rows.append(["run page: first data-cursor (all panels rendered)", ms(fp_run["cursor"]),
                 goal(fp_run["cursor"], 1000), f"frame after: {ms(fp_run['cursor_frame'])}"])
    rows.append(["run page: largest contentful paint", ms(fp_run["lcp"]), "-", ""])
    for label, m in (("cursor move to an unloaded step (far)", rp["far"]),
                     ("cursor move to the neighbour step", rp["near"]),
                     (f"scrub {rp['scrub_steps']} steps one by one", rp["scrub"])):
        c, f, st = m["cursor_ms"], m["frame_ms"], m.get("settled_ms") or {}
        rows.append([f"{label}: data-cursor p50 (n={m['n']})", ms(c["p50"]), goal(c["p50"], 50),
                     f"p90 {ms(c['p90'])}, max {ms(c['max'])}"])
        rows.append(["  next frame / images+plots drawn p50", ms(f["p50"]), goal(f["p50"], 50),
                     f"drawn p50 {ms(st.get('p50'))}, p90 {ms(st.get('p90'))}"
                     + (f", {m['not_drawn']} not drawn in 10 s" if m.get("not_drawn") else "")])
    h0, h1 = rp["heap_before_scrub"], rp["heap_after_scrub"]
    rows.append(["JS heap after load (GC'd)", mb(rp["heap_after_load"]["js_heap_mb"] * 1e6), "-",
                 f"{rp['heap_after_load']['nodes']:.0f} DOM nodes"])
    rows.append([f"JS heap before / after scrubbing {rp['scrub_steps']} steps",
                 f"{h0['js_heap_mb']:.1f} / {h1['js_heap_mb']:.1f} MB",
                 "yes" if h1["js_heap_mb"] < h0["js_heap_mb"] * 1.25 + 2 else "NO",
                 f"nodes {h0['nodes']:.0f} / {h1['nodes']:.0f}, shards kept {h0['shards_in_store']} / "
                 f"{h1['shards_in_store']}"])
    for cp in res.get("compare", []):
        n, fp = cp["runs"], cp["first_paint"]
        rows.append([f"compare {n} runs: first data-cursor (median of {fp['repeats']})", ms(fp["cursor"]),
                     goal(fp["cursor"], 1000), f"data-ready {ms(fp['ready'])}"])
        for label, m in (("far", cp["far"]), ("neighbour", cp["near"])):
            c = m["cursor_ms"]
            rows.append([f"compare {n} runs: cursor move, {label}, data-cursor p50 (n={m['n']})", ms(c["p50"]),
                         goal(c["p50"], 50) if label == "neighbour" else "-",
                         f"p90 {ms(c['p90'])}, max {ms(c['max'])}"])
    lines.append(table(["measure", "value", "goal met", "detail"], rows))
    lines.append("")
    lines.append("heap while scrubbing: " + ", ".join(
        f"step {c['step']}: {c['js_heap_mb']:.1f} MB ({c['nodes']:.0f} nodes, "
        f"{c['scripts']} script tags)" for c in rp["heap_checkpoints"]))
    if res.get("browser_errors"):
        lines.append(f"browser errors ({len(res['browser_errors'])}): " + "; ".join(res["browser_errors"][:5]))
    for name in ("profile_moves",):
        if rp.get(name):
            lines.append("\nCPU profile of the far + neighbour moves (self time):")
            lines.append(table(["function", "self ms", "share"],
                               [[r["function"], fmt(r["self_ms"]), f"{100 * r['share']:.0f} %"]
                                for r in rp[name]]))
    if b.get("profile"):
        lines.append("\ncProfile of the first build (self time):")
        lines.append(table(["function", "calls", "self s", "cum s"],
                           [[r["function"], r["calls"], fmt(r["self_s"], 2), fmt(r["cum_s"], 2)]
                            for r in b["profile"]]))
    return "\n".join(lines)


def drag_report(drags: dict[str, dict[str, Any]]) -> str:
    def ms(v: Any) -> str:
        return "-" if v is None else f"{v:,.0f} ms"

    rows = []
    for label, d in drags.items():
        rows.append([f"{label}: {d['events']}-position drag, final step on screen after release",
                     ms(d["final_ms"]), "yes" if d["final_ms_max"] is not None and d["final_ms_max"] <= 100 else "NO",
                     f"max {ms(d['final_ms_max'])}; heavy panels too (data-cursor) {ms(d['settle_ms'])} "
                     f"(max {ms(d['settle_ms_max'])}); images and plots drawn {ms(d['drawn_ms'])}"])
        rows.append([f"{label}: longest frame during the drag", ms(d["worst_frame_drag_ms"]),
                     "yes" if d["worst_frame_drag_ms_max"] is not None and d["worst_frame_drag_ms_max"] <= 100 else "NO",
                     f"max {ms(d['worst_frame_drag_ms_max'])}; after release {ms(d['worst_frame_settle_ms'])} "
                     f"(max {ms(d['worst_frame_settle_ms_max'])}); inputs {d['inputs']:.0f}"])
    return table(["slider drag (median of 3 fresh pages)", "value", "goal met (max <= 100 ms)", "detail"], rows)


def drag_site(site: Path, out: str) -> int:
    """The drags alone on a site built elsewhere: its first run page, and the compare page of its
    first two runs when it has two."""
    from media import runfolder as rf  # noqa: F401  (the contract; the site's index lists the runs)

    br = Browser()
    res: dict[str, Any] = {"machine": machine(), "site": str(site)}
    try:
        res["chromium"] = br.browser.version
        ctx, page, _cdp = br.page(site, "#/")
        page.wait_for_selector("body[data-ready=index]", timeout=60000)
        keys = page.evaluate("(MB.store.index || []).map(r => r.key)")
        ctx.close()
        res["drag"] = {"run page": drag(br, site, f"#/run/{keys[0]}")}
        if len(keys) >= 2:
            res["drag"]["compare 2 runs"] = drag(br, site, "#/compare?runs=" + ",".join(keys[:2]))
    finally:
        res["browser_errors"] = br.errors
        br.close()
    print(drag_report(res["drag"]))
    if res["browser_errors"]:
        print("browser errors: " + "; ".join(res["browser_errors"][:5]))
    print(f"\nraw figures: {write_results(out, res)}", file=sys.stderr)
    return 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--steps", type=int, default=5000)
    ap.add_argument("--keys", type=int, default=10, help="media keys per run (60%% images, rest histograms)")
    ap.add_argument("--scalars", type=int, default=3)
    ap.add_argument("--quick", action="store_true", help="4 runs x 500 steps (fast try)")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="generator processes")
    ap.add_argument("--work", type=Path, default=None,
                    help="where the generated root and site go (kept; default: under the temp dir)")
    ap.add_argument("--regen", action="store_true", help="generate again even if the root exists")
    ap.add_argument("--repeats", type=int, default=5, help="page loads per first-paint figure")
    ap.add_argument("--moves", type=int, default=10, help="far jumps (each followed by a neighbour move)")
    ap.add_argument("--scrub", type=int, default=500, help="steps to scrub one by one")
    ap.add_argument("--profile", action="store_true", help="CPU-profile extra cursor moves (Chromium)")
    ap.add_argument("--profile-build", action="store_true", help="cProfile the first build")
    ap.add_argument("--compare", default="2,8", help="compare pages to measure: numbers of runs, comma-separated")
    ap.add_argument("--out", default="bench_viewer.json", help="file name under bench/results/")
    ap.add_argument("--drag-only", action="store_true",
                    help="only the slider drags (run page, compare page of 2 runs), no paint/move/scrub figures")
    ap.add_argument("--site", type=Path, default=None,
                    help="measure the drags on this built site instead (e.g. the demo's: examples/demo.py --out DIR)")
    args = ap.parse_args(argv)
    if args.site:
        return drag_site(args.site, args.out if args.out != "bench_viewer.json" else "bench_viewer_drag_site.json")
    if args.quick:
        args.runs, args.steps = 4, 500
        if args.out == "bench_viewer.json":
            args.out = "bench_viewer_quick.json"
    work = args.work or Path(tempfile.gettempdir()) / (
        f"mediaboard-bench-viewer-{args.runs}x{args.steps}x{args.keys}")
    root, site = work / "root", work / "site"
    images, hists, _ = key_names(args.keys, args.scalars)

    res: dict[str, Any] = {"machine": machine(), "args": {k: str(v) for k, v in vars(args).items()},
                           "versions": {"mediaboard": version_of("media"), "playwright": version_of("playwright")},
                           "image_keys": len(images), "hist_keys": len(hists)}
    res["generation"] = generate(root, args.runs, args.steps, args.keys, args.scalars, args.jobs)
    res["build"] = build(root, site, args.profile_build)

    from media import runfolder as rf
    from viewer.build import run_key

    first_run = run_key(sorted(rf.list_runs(root), key=lambda r: str(r.name))[0])
    print("browser: first paint, cursor moves, scrubbing ...", file=sys.stderr, flush=True)
    br = Browser()
    try:
        res["chromium"] = br.browser.version
        keys = sorted(run_key(r) for r in rf.list_runs(root))
        res["drag"] = {"run page": drag(br, site, f"#/run/{first_run}"),
                       "compare 2 runs": drag(br, site, "#/compare?runs=" + ",".join(keys[:2]))}
        if args.drag_only:
            print(drag_report(res["drag"]))
            print(f"\nraw figures: {write_results(args.out, res)}", file=sys.stderr)
            return 0
        res["first_paint_index"] = first_paint(br, site, "#/", "body[data-ready=index]", args.repeats)
        res["first_paint_run"] = first_paint(br, site, f"#/run/{first_run}", "body[data-cursor]", args.repeats)
        res["run_page"] = run_page(br, site, first_run, args.steps, args.scrub, args.moves, args.profile)
        res["compare"] = []
        for n in [int(x) for x in args.compare.split(",") if x.strip()]:
            chosen = keys[:n]
            frag = "#/compare?runs=" + ",".join(chosen)
            fp = first_paint(br, site, frag, "body[data-cursor]", args.repeats)
            res["compare"].append(dict(compare_page(br, site, chosen, args.moves), first_paint=fp))
    finally:
        res["browser_errors"] = br.errors
        br.close()
    text = report(res) + "\n\n" + drag_report(res["drag"])
    print(text)
    path = write_results(args.out, res)
    print(f"\nraw figures: {path}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
