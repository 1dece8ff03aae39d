"""Cost of media.watch(model) per training batch on a small CNN (CPU), against the same loop
without it (the floor, measured in the same run): between logging batches (log_freq large) the
hooks only count; on a logging batch each parameter's histogram is computed and logged.

    python bench/bench_watch.py [--batches 300] [--repeats 3]

Prints a table (ms per batch, median of the repeats, and the ratio to the floor) and writes
bench/results/bench_watch.json. Nothing is asserted. wandb's watch is measured too when wandb is
installed (pip install -e ".[bench]"), offline, in the same run.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from _common import machine, table, write_results  # noqa: E402


def cnn():
    import torch

    torch.manual_seed(0)
    return torch.nn.Sequential(
        torch.nn.Conv2d(3, 16, 3, padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
        torch.nn.Conv2d(16, 32, 3, padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
        torch.nn.Flatten(), torch.nn.Linear(32 * 8 * 8, 64), torch.nn.ReLU(), torch.nn.Linear(64, 10))


def loop(model, batches: int, log) -> float:
    """Seconds per batch of SGD on random 32x32 images, calling log(loss) after each batch."""
    import torch

    opt = torch.optim.SGD(model.parameters(), lr=0.01)
    x, y = torch.randn(32, 3, 32, 32), torch.randint(0, 10, (32,))
    for _ in range(5):  # warm-up
        loss = torch.nn.functional.cross_entropy(model(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
    t0 = time.perf_counter()
    for _ in range(batches):
        loss = torch.nn.functional.cross_entropy(model(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        log(float(loss.detach()))
    return (time.perf_counter() - t0) / batches


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--batches", type=int, default=300)
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args(argv)
    import torch

    import media

    torch.set_num_threads(1)
    work = Path(tempfile.mkdtemp(prefix="bench-watch-"))
    cases: dict[str, list[float]] = {}

    def run_case(name: str, setup) -> None:
        for _ in range(args.repeats):
            model = cnn()
            log, done = setup(model)
            cases.setdefault(name, []).append(loop(model, args.batches, log))
            done()

    loop(cnn(), args.batches, lambda v: None)  # warm-up (allocator, kernels), not counted
    run_case("floor: the loop alone", lambda m: (lambda v: None, lambda: None))

    def ours(log_mode: str, freq: int):
        def setup(model):
            media.init(project="bench", dir=str(work), settings={"system_interval": 0})
            media.watch(model, log=log_mode, log_freq=freq)
            return (lambda v: media.log({"loss": v})), media.finish
        return setup

    run_case("mediaboard: log(loss) only", lambda m: (
        media.init(project="bench", dir=str(work), settings={"system_interval": 0}) and None
        or (lambda v: media.log({"loss": v})), media.finish))
    run_case("mediaboard: watch(log='all', log_freq=1000) + log(loss)", ours("all", 1000))
    run_case("mediaboard: watch(log='all', log_freq=1): every batch logs", ours("all", 1))
    try:
        import wandb

        os.environ.setdefault("WANDB_MODE", "offline")
        os.environ.setdefault("WANDB_SILENT", "true")

        def theirs(freq: int):
            def setup(model):
                run = wandb.init(project="bench", dir=str(work))
                wandb.watch(model, log="all", log_freq=freq)
                return (lambda v: run.log({"loss": v})), run.finish
            return setup

        run_case("wandb offline: watch(log='all', log_freq=1000) + log(loss)", theirs(1000))
        run_case("wandb offline: watch(log='all', log_freq=1)", theirs(1))
    except ImportError:
        pass
    floor = statistics.median(cases["floor: the loop alone"])
    rows = [[name, f"{statistics.median(v) * 1000:.2f} ms", f"{statistics.median(v) / floor:.3f}"]
            for name, v in cases.items()]
    run_case("floor again (drift check)", lambda m: (lambda v: None, lambda: None))
    print(table(["per batch (small CNN, 32x32x3, batch 32, CPU, 1 thread)", "median", "x floor"], rows))
    path = write_results("bench_watch.json", {"machine": machine(), "args": vars(args),
                                              "seconds_per_batch": cases})
    print(f"\nraw figures: {path}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
