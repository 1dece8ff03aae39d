"""Cost of logging two scalars per step: mediaboard against its peers and a bare JSON-line floor.

Run:  python bench/bench_log.py            (all peers, 20,000 steps each)
      python bench/bench_log.py --steps 2000 --peers floor mediaboard
      python bench/bench_log.py --profile  (cProfile of mediaboard's log path, top functions)

Every library runs in its own fresh Python process inside its own temp dir (see bench/_common.py).
Per step we time one ``log({"loss": x, "acc": y})`` (or the peer's equivalent: two add_scalar /
log_metric calls count as one step) with ``perf_counter_ns`` around the call. Reported per step:
mean, p50, p99, the mean over the first and the last 1,000 steps (flatness), CPU time of this
process during the loop (all its threads), CPU time of helper processes (wandb's service) over the
loop and finish, ``finish()`` time, ``import`` time (median of 3 fresh interpreters) and ``init()``
time. Ratios are to the floor measured in the same run: ``f.write(json.dumps(row) + "\\n")``.
Results go to bench/results/bench_log.json.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _common as c  # noqa: E402

PEERS = ["floor", "floor_os_write", "mediaboard", "wandb", "tensorboardX", "dvclive", "trackio"]

#: the statement whose cost is "import time" for each peer
IMPORTS = {
    "floor": "import json",
    "floor_os_write": "import json",
    "mediaboard": "import media",
    "wandb": "import wandb",
    "tensorboardX": "from tensorboardX import SummaryWriter",
    "dvclive": "from dvclive import Live",
    "trackio": "import trackio",
}

#: what one step is, per peer (printed under the table)
WHAT = {
    "floor": 'f.write(json.dumps(row) + "\\n"), buffered text file (the floor)',
    "floor_os_write": 'os.write(fd, (json.dumps(row) + "\\n").encode()), O_APPEND, unbuffered '
    "(what per-row crash safety costs)",
    "mediaboard": 'media.log({"loss": x, "acc": y}); init(dir=tmp)',
    "wandb": 'wandb.log({"loss": x, "acc": y}); init(mode="offline", dir=tmp), WANDB_SILENT=true',
    "tensorboardX": "SummaryWriter.add_scalar x2 (loss, acc) per step",
    "dvclive": "Live.log_metric x2 + Live.next_step(); Live(save_dvc_exp=False)",
    "trackio": 'trackio.log({"loss": x, "acc": y}); local storage in TRACKIO_DIR=tmp',
}

GOALS = {"mean_us": 10.0, "import_s": 0.15, "init_ms": 50.0, "flat_ratio": 1.25}


# ------------------------------------------------------------------------------------------------
# child side: one peer, one process
# ------------------------------------------------------------------------------------------------
def _setup(peer: str, tmp: str) -> tuple[Callable[[int, float, float], None], Callable[[], None]]:
    """Import the peer, init a run in ``tmp``; return (log_step, finish). Called timed."""
    if peer == "floor":
        import json

        f = open(os.path.join(tmp, "history.jsonl"), "w", encoding="utf-8")  # noqa: SIM115

        def step(i: int, x: float, y: float) -> None:
            f.write(json.dumps({"_step": i, "loss": x, "acc": y}) + "\n")

        return step, f.close
    if peer == "floor_os_write":
        import json

        fd = os.open(os.path.join(tmp, "history.jsonl"), os.O_WRONLY | os.O_CREAT | os.O_APPEND)

        def step(i: int, x: float, y: float) -> None:
            os.write(fd, (json.dumps({"_step": i, "loss": x, "acc": y}) + "\n").encode())

        return step, lambda: os.close(fd)
    if peer == "mediaboard":
        import media

        media.init(dir=tmp, project="bench")

        def step(i: int, x: float, y: float) -> None:
            media.log({"loss": x, "acc": y})

        return step, media.finish
    if peer == "wandb":
        import wandb

        wandb.init(mode="offline", dir=tmp, project="bench")

        def step(i: int, x: float, y: float) -> None:
            wandb.log({"loss": x, "acc": y})

        def finish() -> None:
            wandb.finish()

        return step, finish
    if peer == "tensorboardX":
        from tensorboardX import SummaryWriter

        w = SummaryWriter(logdir=os.path.join(tmp, "tb"))

        def step(i: int, x: float, y: float) -> None:
            w.add_scalar("loss", x, i)
            w.add_scalar("acc", y, i)

        return step, w.close
    if peer == "dvclive":
        from dvclive import Live

        live = Live(dir=os.path.join(tmp, "dvclive"), save_dvc_exp=False)

        def step(i: int, x: float, y: float) -> None:
            live.log_metric("loss", x)
            live.log_metric("acc", y)
            live.next_step()

        return step, live.end
    if peer == "trackio":
        import trackio

        trackio.init(project="bench", embed=False)

        def step(i: int, x: float, y: float) -> None:
            trackio.log({"loss": x, "acc": y})

        return step, trackio.finish
    raise SystemExit(f"unknown peer {peer!r}")


def child(peer: str, tmp: str, steps: int, budget_s: float) -> None:
    t0 = time.perf_counter()
    step, finish = _setup(peer, tmp)
    setup_s = time.perf_counter() - t0
    samples = [0] * steps
    cpu0 = c.self_cpu()
    ch0, how = c.children_cpu()
    w0 = time.perf_counter()
    clock = time.perf_counter_ns
    deadline = clock() + int(budget_s * 1e9)
    done = steps
    for i in range(steps):
        x = 1.0 / (i + 1)
        y = i / steps
        a = clock()
        step(i, x, y)
        b = clock()
        samples[i] = b - a
        if b > deadline:  # a peer whose per-step cost grows: keep what it did in the budget
            done = i + 1
            break
    samples = samples[:done]
    loop_s = time.perf_counter() - w0
    cpu1 = c.self_cpu()
    ch1, _ = c.children_cpu()
    helpers = c.child_names()
    f0 = time.perf_counter()
    finish()
    finish_s = time.perf_counter() - f0
    if peer == "wandb":
        import wandb

        # wandb keeps its service process until teardown; stop it so its CPU time is counted.
        ch_before_teardown, _ = c.children_cpu()
        wandb.teardown()
        ch2 = max(ch_before_teardown, c.children_cpu()[0])
    else:
        ch2, _ = c.children_cpu()
    cpu2 = c.self_cpu()
    per = 2 if peer in ("tensorboardX",) else 1
    result: dict[str, Any] = {
        "peer": peer,
        "steps": steps,
        "steps_done": done,
        "import_and_init_s": setup_s,
        "loop_s": loop_s,
        "finish_s": finish_s,
        "per_step": c.summarize_ns(samples),
        "per_call": c.summarize_ns(samples, per=per) if per != 1 else None,
        "self_cpu_loop_us_per_step": (cpu1 - cpu0) / done * 1e6,
        "self_cpu_finish_s": cpu2 - cpu1,
        "helper_cpu_loop_us_per_step": (ch1 - ch0) / done * 1e6,
        "helper_cpu_total_us_per_step": (ch2 - ch0) / done * 1e6,
        "all_cpu_us_per_step": ((cpu2 - cpu0) + (ch2 - ch0)) / done * 1e6,
        "helper_cpu_how": how,
        "helper_processes": sorted(set(helpers)),
    }
    c.emit(result)


def child_init_only(peer: str, tmp: str) -> None:
    """Time ``init()`` alone: import first (untimed), then time the setup call."""
    module = {"floor": None, "floor_os_write": None}.get(peer, c.PEER_MODULES[peer])
    if module:
        __import__(module)
        if peer == "tensorboardX":
            from tensorboardX import SummaryWriter  # noqa: F401
        if peer == "dvclive":
            from dvclive import Live  # noqa: F401
    t0 = time.perf_counter()
    _, finish = _setup(peer, tmp)
    init_s = time.perf_counter() - t0
    helpers = c.child_names()
    finish()
    if peer == "wandb":
        import wandb

        wandb.teardown()
    c.emit({"peer": peer, "init_s": init_s, "helper_processes_after_init": sorted(set(helpers))})


# ------------------------------------------------------------------------------------------------
# parent side
# ------------------------------------------------------------------------------------------------
def import_seconds(statement: str, repeats: int = 3) -> float:
    """Median wall time of ``statement`` in ``repeats`` fresh interpreters."""
    code = "import time; t = time.perf_counter(); " + statement + "; print(time.perf_counter() - t)"
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1", WANDB_SILENT="true")
    env["PYTHONPATH"] = os.pathsep.join(
        p for p in (str(c.BENCH_DIR.parent), env.get("PYTHONPATH", "")) if p
    )
    times = []
    for _ in range(repeats):
        out = subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            env=env,
            cwd=c.BENCH_DIR.parent,
            timeout=300,
        )
        if out.returncode != 0:
            return float("nan")
        times.append(float(out.stdout.strip().splitlines()[-1]))
    times.sort()
    return times[len(times) // 2]


def profile_mediaboard(steps: int) -> None:
    """cProfile the mediaboard log path in this process and print where the time goes."""
    import cProfile
    import pstats
    import tempfile

    import media

    with tempfile.TemporaryDirectory() as tmp:
        media.init(dir=tmp, project="bench")
        prof = cProfile.Profile()
        prof.enable()
        for i in range(steps):
            media.log({"loss": 1.0 / (i + 1), "acc": i / steps})
        prof.disable()
        media.finish()
    stats = pstats.Stats(prof)
    stats.sort_stats("tottime").print_stats(15)
    stats.sort_stats("cumulative").print_stats(15)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps", type=int, default=20_000)
    ap.add_argument("--peers", nargs="+", default=PEERS, choices=PEERS)
    ap.add_argument(
        "--budget",
        type=float,
        default=180.0,
        help="seconds of logging per peer; a peer still logging then stops there and "
        "is reported with the steps it did",
    )
    ap.add_argument("--timeout", type=float, default=900.0, help="seconds per peer process")
    ap.add_argument(
        "--repeats",
        type=int,
        default=3,
        help="fresh processes per peer; the one with the median mean is reported",
    )
    ap.add_argument("--profile", action="store_true", help="cProfile mediaboard's log() and exit")
    ap.add_argument("--peer", help=argparse.SUPPRESS)
    ap.add_argument("--dir", help=argparse.SUPPRESS)
    ap.add_argument("--init-only", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)

    if args.peer:
        if args.init_only:
            child_init_only(args.peer, args.dir)
        else:
            child(args.peer, args.dir, args.steps, args.budget)
        return 0
    if args.profile:
        profile_mediaboard(args.steps)
        return 0

    script = Path(__file__).resolve()
    results = c.run_rounds(
        script,
        args.peers,
        ["--steps", str(args.steps), "--budget", str(args.budget)],
        timeout=args.timeout,
        repeats=args.repeats,
        key=lambda r: r["per_step"]["mean_us"],
        stop_repeating=lambda r: r["steps_done"] < r["steps"],
    )
    for peer, r in results.items():
        if r.get("status") == "ok":
            print(f"  init() and import: {peer} ...", file=sys.stderr, flush=True)
            init = c.run_peer(script, peer, ["--init-only"], timeout=args.timeout)
            r["init_s"] = init.get("init_s")
            r["helper_processes_after_init"] = init.get("helper_processes_after_init")
            r["import_s"] = import_seconds(IMPORTS[peer])
            r["version"] = c.version_of(c.PEER_MODULES[peer])

    floor = results.get("floor", {})
    floor_us = floor.get("per_step", {}).get("mean_us") if floor.get("status") == "ok" else None
    for r in results.values():
        if r.get("status") == "ok" and floor_us:
            r["ratio_to_floor"] = r["per_step"]["mean_us"] / floor_us

    print(report(results, args.steps))
    path = c.write_results(
        "bench_log.json",
        {
            "benchmark": "bench_log",
            "steps": args.steps,
            "machine": c.machine(),
            "floor": WHAT["floor"],
            "what": WHAT,
            "goals": GOALS,
            "results": results,
        },
    )
    print(f"\nJSON: {path}")
    return 0


def report(results: dict[str, dict[str, Any]], steps: int) -> str:
    m = c.machine()
    lines = [
        f"bench_log: {steps:,} steps of log({{'loss': x, 'acc': y}}) | {m['date_utc']} | "
        f"Python {m['python']} | {m['cpus']} CPUs ({m['processor']})",
        "",
    ]
    headers = [
        "library",
        "µs/step mean",
        "runs' means",
        "p50",
        "p99",
        "first 1k",
        "last 1k",
        "× floor",
        "CPU µs/step",
        "helper CPU µs/step",
        "all CPU µs/step",
        "finish ms",
        "import s",
        "init ms",
    ]
    rows = []
    notes = []
    for peer, r in results.items():
        if r.get("status") != "ok":
            rows.append([peer, r.get("status"), *["-"] * (len(headers) - 2)])
            continue
        s = r["per_step"]
        rows.append(
            [
                peer,
                c.fmt(s["mean_us"], 2),
                c.spread(r, 1),
                c.fmt(s["p50_us"], 2),
                c.fmt(s["p99_us"], 1),
                c.fmt(s["first_us"], 2),
                c.fmt(s["last_us"], 2),
                c.fmt(r.get("ratio_to_floor"), 1),
                c.fmt(r["self_cpu_loop_us_per_step"], 1),
                c.fmt(r["helper_cpu_total_us_per_step"], 1),
                c.fmt(r["all_cpu_us_per_step"], 1),
                c.fmt(r["finish_s"] * 1e3, 1),
                c.fmt(r.get("import_s"), 3),
                c.fmt((r.get("init_s") or float("nan")) * 1e3, 1),
            ]
        )
        if r["steps_done"] < r["steps"]:
            notes.append(
                f"{peer}: STOPPED after {r['steps_done']:,} of {r['steps']:,} steps "
                f"({r['loop_s']:.0f} s budget); 'last 1k' is its last 1,000 steps"
            )
        if r.get("per_call"):
            notes.append(
                f"{peer}: {c.fmt(r['per_call']['mean_us'], 2)} µs per call (2 calls per step)"
            )
        procs = sorted(
            set(r.get("helper_processes") or []) | set(r.get("helper_processes_after_init") or [])
        )
        if procs:
            notes.append(f"{peer}: helper processes: {', '.join(procs)}")
    lines.append(c.table(headers, rows))
    lines.append("")
    lines.append("What one step is:")
    lines += [f"  {p}: {WHAT[p]}" for p in results]
    lines.append(
        "CPU µs/step: this process, all threads, during the loop. Helper CPU: child "
        "processes over loop + finish. All CPU: this process and its helpers over loop + finish "
        "(background threads and flushes included). Helpers measured via "
        + next(
            (r["helper_cpu_how"] for r in results.values() if r.get("helper_cpu_how")), "getrusage"
        )
        + "."
    )
    lines += [f"  {n}" for n in notes]
    mb = results.get("mediaboard", {})
    if mb.get("status") == "ok":
        s = mb["per_step"]
        checks = [
            ("mean ≤ 10 µs/call", s["mean_us"] <= GOALS["mean_us"], f"{s['mean_us']:.2f} µs"),
            (
                "flat (last 1k ≤ 1.25 × first 1k)",
                s["last_us"] <= GOALS["flat_ratio"] * s["first_us"],
                f"{s['first_us']:.2f} → {s['last_us']:.2f} µs",
            ),
            (
                "no child process",
                not mb.get("helper_processes") and not mb.get("helper_processes_after_init"),
                ", ".join(mb.get("helper_processes") or []) or "none",
            ),
            (
                "import media < 0.15 s",
                (mb.get("import_s") or 1e9) < GOALS["import_s"],
                f"{mb.get('import_s', float('nan')):.3f} s",
            ),
            (
                "init() < 50 ms",
                (mb.get("init_s") or 1e9) * 1e3 < GOALS["init_ms"],
                f"{(mb.get('init_s') or float('nan')) * 1e3:.1f} ms",
            ),
        ]
        lines.append("")
        lines.append("mediaboard goals:")
        lines += [f"  [{'PASS' if ok else 'FAIL'}] {name}: {got}" for name, ok, got in checks]
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main())
