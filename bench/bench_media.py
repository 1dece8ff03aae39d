"""Cost of logging images: mediaboard against its peers and a Pillow PNG-encode floor.

Run:  python bench/bench_media.py            (all peers, 200 images of 256x256x3 uint8)
      python bench/bench_media.py --images 50 --peers pillow_png mediaboard
      python bench/bench_media.py --scenario small   (16 images of 64x64 per step)
      python bench/bench_media.py --scenario work    (15 ms of the caller's own work between steps)

Scenarios: ``big`` logs one 256x256x3 image per step back to back; ``small`` logs a list of 16
images of 64x64x3 per step (``--images`` counts images, so 800 is 50 steps); ``work`` is ``big``
with ``time.sleep(0.015)`` between steps (a training step that waits on the accelerator), where
the figure that matters is the training thread's time inside ``log()``.

Every library runs in its own fresh Python process inside its own temp dir (see bench/_common.py).
The same 200 seeded images (a smooth pattern plus noise, so PNG has something to compress) are
logged one per step. Reported: ms per image on the training thread (the time spent inside the
user's line: building the peer's image object and logging it), ms per image in total (from the
first log until ``finish()``/``close()`` returns, so background encoding is included), CPU of the
process and of helper processes, files and bytes written. Ratios are to the floor measured in the
same run: ``Image.fromarray(a).save(buf, "PNG")`` into a BytesIO. Results go to
bench/results/bench_media.json.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _common as c  # noqa: E402

PEERS = ["pillow_png", "pillow_png_2t", "mediaboard", "wandb", "tensorboardX", "dvclive", "trackio"]
FLOORS = ("pillow_png", "pillow_png_2t")
SCENARIOS = {"big": (256, 1, 0.0), "small": (64, 16, 0.0), "work": (256, 1, 0.015)}

WHAT = {
    "pillow_png": 'Image.fromarray(a).save(BytesIO(), "PNG") (the floor; nothing written to disk)',
    "pillow_png_2t": "the same encode on a pool of two threads (Pillow releases the GIL): the two-core floor",
    "mediaboard": 'media.log({"img": media.Image(a)}); PNG encoded on the background worker',
    "wandb": 'wandb.log({"img": wandb.Image(a)}); init(mode="offline")',
    "tensorboardX": 'SummaryWriter.add_image("img", a, step, dataformats="HWC")',
    "dvclive": 'Live.log_image(f"img_{step}.png", a) (a distinct name per step, so all are kept)',
    "trackio": 'trackio.log({"img": trackio.Image(a)})',
}


def make_images(n: int, size: int = 256) -> list[Any]:
    """``n`` seeded (size, size, 3) uint8 images: moving sinusoids plus a little noise."""
    import numpy as np

    rng = np.random.default_rng(0)
    yy, xx = np.mgrid[0:size, 0:size].astype(np.float32) / size
    out = []
    for i in range(n):
        phase = i / max(n, 1) * 2 * np.pi
        r = np.sin(6 * xx + phase)
        g = np.cos(5 * yy - phase)
        b = np.sin(4 * (xx + yy) + 2 * phase)
        img = np.stack([r, g, b], axis=-1) * 100 + 128
        img += rng.normal(0, 12, img.shape).astype(np.float32)
        out.append(np.clip(img, 0, 255).astype(np.uint8))
    return out


# ------------------------------------------------------------------------------------------------
# child side
# ------------------------------------------------------------------------------------------------
def _setup(peer: str, tmp: str) -> tuple[Callable[[int, Any], None], Callable[[], None]]:
    if peer == "pillow_png":
        import io

        from PIL import Image

        def step(i: int, a: Any) -> None:
            for x in a if isinstance(a, list) else [a]:
                buf = io.BytesIO()
                Image.fromarray(x).save(buf, "PNG")

        return step, lambda: None
    if peer == "mediaboard":
        import media

        media.init(dir=tmp, project="bench")
        image = media.Image  # the kinds load on first use; the floor's PIL import is untimed too

        def step(i: int, a: Any) -> None:
            if isinstance(a, list):
                media.log({"img": [image(x) for x in a]})
            else:
                media.log({"img": image(a)})

        return step, media.finish
    if peer == "wandb":
        import wandb

        wandb.init(mode="offline", dir=tmp, project="bench")

        def step(i: int, a: Any) -> None:
            if isinstance(a, list):
                wandb.log({"img": [wandb.Image(x) for x in a]})
            else:
                wandb.log({"img": wandb.Image(a)})

        def finish() -> None:
            wandb.finish()

        return step, finish
    if peer == "tensorboardX":
        from tensorboardX import SummaryWriter

        w = SummaryWriter(logdir=os.path.join(tmp, "tb"))

        def step(i: int, a: Any) -> None:
            for j, x in enumerate(a if isinstance(a, list) else [a]):
                w.add_image(f"img/{j}", x, i, dataformats="HWC")

        return step, w.close
    if peer == "dvclive":
        from dvclive import Live

        live = Live(dir=os.path.join(tmp, "dvclive"), save_dvc_exp=False)

        def step(i: int, a: Any) -> None:
            for j, x in enumerate(a if isinstance(a, list) else [a]):
                live.log_image(f"img_{i:04d}_{j:02d}.png", x)

        return step, live.end
    if peer == "trackio":
        import trackio

        trackio.init(project="bench", embed=False)

        def step(i: int, a: Any) -> None:
            if isinstance(a, list):
                trackio.log({"img": [trackio.Image(x) for x in a]})
            else:
                trackio.log({"img": trackio.Image(a)})

        return step, trackio.finish
    raise SystemExit(f"unknown peer {peer!r}")


def _written(tmp: str) -> tuple[int, int, int]:
    """(image files, all files, bytes) under ``tmp``."""
    images = files = size = 0
    for dirpath, _, names in os.walk(tmp):
        for name in names:
            p = os.path.join(dirpath, name)
            try:
                size += os.path.getsize(p)
            except OSError:
                continue
            files += 1
            if name.lower().endswith((".png", ".jpg", ".jpeg", ".webp")):
                images += 1
    return images, files, size


def _two_thread_floor(images: list[Any]) -> Callable[[], None]:
    import io
    from concurrent.futures import ThreadPoolExecutor

    from PIL import Image

    def enc(a: Any) -> None:
        Image.fromarray(a).save(io.BytesIO(), "PNG")

    def run() -> None:
        with ThreadPoolExecutor(2) as ex:
            list(ex.map(enc, images))

    return run


def child(peer: str, tmp: str, n: int, scenario: str = "big") -> None:
    size, per_step, work_s = SCENARIOS[scenario]
    images = make_images(n, size)
    steps: list[Any] = images if per_step == 1 else [
        images[i:i + per_step] for i in range(0, n, per_step)]
    t0 = time.perf_counter()
    if peer == "pillow_png_2t":
        step, finish = (lambda i, a: None), _two_thread_floor(images)
    else:
        step, finish = _setup(peer, tmp)
    setup_s = time.perf_counter() - t0
    samples = [0] * len(steps)
    cpu0 = c.self_cpu()
    sys0 = os.times().system
    ch0, how = c.children_cpu()
    clock = time.perf_counter_ns
    w0 = time.perf_counter()
    for i, a in enumerate(steps):
        t = clock()
        step(i, a)
        samples[i] = clock() - t
        if work_s:
            time.sleep(work_s)
    loop_s = time.perf_counter() - w0
    helpers = c.child_names()
    f0 = time.perf_counter()
    finish()
    end = time.perf_counter()
    if peer == "wandb":
        import wandb

        ch_before, _ = c.children_cpu()
        wandb.teardown()
        ch2 = max(ch_before, c.children_cpu()[0])
    else:
        ch2, _ = c.children_cpu()
    cpu2 = c.self_cpu()
    sys2 = os.times().system
    img_files, files, written = _written(tmp)
    ms = [s / 1e6 for s in samples]
    ordered = sorted(ms)
    c.emit(
        {
            "peer": peer,
            "scenario": scenario,
            "images": n,
            "import_and_init_s": setup_s,
            "thread_ms_per_step": sum(ms) / len(steps),
            "thread_ms_mean": sum(ms) / n,
            "thread_ms_p50": c.percentile(ordered, 50),
            "thread_ms_p99": c.percentile(ordered, 99),
            "loop_s": loop_s,
            "finish_s": end - f0,
            "total_ms_per_image": (end - w0) * 1e3 / n,
            "self_cpu_ms_per_image": (cpu2 - cpu0) * 1e3 / n,
            "sys_cpu_ms_per_image": (sys2 - sys0) * 1e3 / n,
            "helper_cpu_ms_per_image": (ch2 - ch0) * 1e3 / n,
            "helper_cpu_how": how,
            "helper_processes": sorted(set(helpers)),
            "image_files": img_files,
            "files": files,
            "bytes": written,
        }
    )


# ------------------------------------------------------------------------------------------------
# parent side
# ------------------------------------------------------------------------------------------------
def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--images", type=int, default=None,
                    help="images in all (default 200; 800 for --scenario small)")
    ap.add_argument("--scenario", choices=sorted(SCENARIOS), default="big")
    ap.add_argument("--peers", nargs="+", default=PEERS, choices=PEERS)
    ap.add_argument("--timeout", type=float, default=900.0, help="seconds per peer process")
    ap.add_argument(
        "--repeats",
        type=int,
        default=3,
        help="fresh processes per peer; the one with the median total is reported",
    )
    ap.add_argument("--peer", help=argparse.SUPPRESS)
    ap.add_argument("--dir", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)

    if args.images is None:
        args.images = 800 if args.scenario == "small" else 200
    if args.peer:
        child(args.peer, args.dir, args.images, args.scenario)
        return 0

    script = Path(__file__).resolve()
    results = c.run_rounds(
        script,
        args.peers,
        ["--images", str(args.images), "--scenario", args.scenario],
        timeout=args.timeout,
        repeats=args.repeats,
        key=lambda r: r["total_ms_per_image"],
    )
    for r in results.values():
        if r.get("status") == "ok":
            r["version"] = c.version_of(c.PEER_MODULES[r["peer"]])

    floor = results.get("pillow_png", {})
    floor_ms = floor.get("thread_ms_mean") if floor.get("status") == "ok" else None
    floor2 = results.get("pillow_png_2t", {})
    floor2_ms = floor2.get("total_ms_per_image") if floor2.get("status") == "ok" else None
    for r in results.values():
        if r.get("status") != "ok":
            continue
        if floor_ms:
            r["thread_ratio_to_floor"] = r["thread_ms_mean"] / floor_ms
            r["total_ratio_to_floor"] = r["total_ms_per_image"] / floor_ms
            # rates (images/s) as a fraction of the floors' rates: 1.0 = as fast as the floor
            r["rate_vs_1t"] = floor_ms / r["total_ms_per_image"]
            r["cpu_over_floor_ms"] = r["self_cpu_ms_per_image"] - floor["self_cpu_ms_per_image"]
        if floor2_ms:
            r["rate_vs_2t"] = floor2_ms / r["total_ms_per_image"]

    print(report(results, args.images, args.scenario))
    size = SCENARIOS[args.scenario][0]
    path = c.write_results(
        f"bench_media{'' if args.scenario == 'big' else '_' + args.scenario}.json",
        {
            "benchmark": "bench_media",
            "scenario": args.scenario,
            "images": args.images,
            "shape": [size, size, 3],
            "machine": c.machine(),
            "what": WHAT,
            "results": results,
        },
    )
    print(f"\nJSON: {path}")
    return 0


def report(results: dict[str, dict[str, Any]], n: int, scenario: str = "big") -> str:
    m = c.machine()
    size, per_step, work_s = SCENARIOS[scenario]
    what = f"{n} images of {size}x{size}x3 uint8, {per_step} per step" + (
        f", {work_s * 1e3:g} ms of the caller's work between steps" if work_s else "")
    lines = [
        f"bench_media ({scenario}): {what} | {m['date_utc']} | "
        f"Python {m['python']} | {m['cpus']} CPUs ({m['processor']})",
        "",
    ]
    headers = [
        "library",
        "thread ms/img",
        "p50",
        "p99",
        "× floor",
        "total ms/img",
        "runs' totals",
        "× floor",
        "rate/1t",
        "rate/2t",
        "finish ms",
        "CPU ms/img",
        "of it kernel",
        "helper CPU ms/img",
        "image files",
        "MB",
    ]
    rows = []
    for peer, r in results.items():
        if r.get("status") != "ok":
            rows.append([peer, r.get("status"), *["-"] * (len(headers) - 2)])
            continue
        rows.append(
            [
                peer,
                c.fmt(r["thread_ms_mean"], 2),
                c.fmt(r["thread_ms_p50"], 2),
                c.fmt(r["thread_ms_p99"], 2),
                c.fmt(r.get("thread_ratio_to_floor"), 2),
                c.fmt(r["total_ms_per_image"], 2),
                c.spread(r, 1),
                c.fmt(r.get("total_ratio_to_floor"), 2),
                c.fmt(r.get("rate_vs_1t"), 2),
                c.fmt(r.get("rate_vs_2t"), 2),
                c.fmt(r["finish_s"] * 1e3, 0),
                c.fmt(r["self_cpu_ms_per_image"], 2),
                c.fmt(r["sys_cpu_ms_per_image"], 2),
                c.fmt(r["helper_cpu_ms_per_image"], 2),
                str(r["image_files"]),
                c.fmt(r["bytes"] / 1e6, 1),
            ]
        )
    lines.append(c.table(headers, rows))
    lines.append("")
    lines.append("What one step is:")
    lines += [f"  {p}: {WHAT[p]}" for p in results]
    lines.append(
        "thread: time inside the user's line. total: first log until finish() returns, "
        "per image (with the caller's own work in --scenario work, where thread ms is the figure that "
        "matters). rate/1t, rate/2t: images "
        "per second as a fraction of the one- and two-thread Pillow floors' (1.0 = as fast). "
        "kernel: the system part of CPU (file creation and writes; it varies run to run with the "
        "disk's state on a VM). CPU: this process (all threads) over loop + finish; helper CPU: child "
        "processes ("
        + next(
            (r["helper_cpu_how"] for r in results.values() if r.get("helper_cpu_how")), "getrusage"
        )
        + ")."
    )
    if "tensorboardX" in results:
        lines.append("  tensorboardX writes its PNGs inside the event file (0 image files).")
    for peer, r in results.items():
        if r.get("helper_processes"):
            lines.append(f"  {peer}: helper processes: {', '.join(r['helper_processes'])}")
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main())
