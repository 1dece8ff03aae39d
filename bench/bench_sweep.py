"""What a sweep adds per trial: the agent (Optuna's ask/tell on the sweep's storage, the trial
record, the config merge, the metric read back from the run) around a trial that logs a few rows,
against floors measured in the same run:

- the same trial as a plain run (init, log, finish; no sweep) — what the user pays anyway;
- Optuna alone: ask, suggest, tell on the same journal-file storage, with no run at all.

    python bench/bench_sweep.py [--trials 40] [--rows 20] [--repeats 3]

Function mode (``media.agent(id, function=train)``) on the journal file and on SQLite, and the
program mode of ``mediaboard agent`` (a Python process per trial) against the same program run
bare. Prints ms per trial (median of the repeats) and writes bench/results/bench_sweep.json.
Nothing is asserted. wandb's sweeps need its server and are not measured (no offline mode).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from _common import machine, table, write_results  # noqa: E402

os.environ.setdefault("MEDIABOARD_RECORD_PACKAGES", "0")
os.environ.setdefault("MEDIABOARD_RECORD_GIT", "0")
os.environ.setdefault("MEDIABOARD_SYSTEM_INTERVAL", "0")

CONFIG = {"method": "random", "metric": {"name": "loss", "goal": "minimize"},
          "parameters": {"lr": {"distribution": "log_uniform_values", "min": 1e-4, "max": 1e-1},
                         "width": {"values": [32, 64, 128]}}}
PROGRAM = """
import argparse, media
p = argparse.ArgumentParser(); p.add_argument("--lr", type=float, default=0.01); p.add_argument("--width", type=int, default=32)
a = p.parse_args()
media.init(project="bare", config=vars(a))
for i in range(ROWS):
    media.log({"loss": a.lr / (i + 1), "width": a.width})
media.finish()
"""


def make_train(rows: int):
    import media

    def train() -> None:
        media.init(project="bare", config={"lr": 0.01, "width": 32})
        lr = media.config.lr
        for i in range(rows):
            media.log({"loss": lr / (i + 1), "width": media.config.width})
        media.finish()
    return train


def per_trial(fn, n: int) -> float:
    t = time.perf_counter()
    fn(n)
    return (time.perf_counter() - t) / n * 1000


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--trials", type=int, default=40)
    ap.add_argument("--rows", type=int, default=20)
    ap.add_argument("--programs", type=int, default=8, help="trials of the program mode")
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
    import optuna

    import media

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    train = make_train(args.rows)
    results: dict[str, list[float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["MEDIABOARD_DIR"] = tmp
        devnull = open(os.devnull, "w")
        real_stderr = sys.stderr

        def bare(n: int) -> None:
            for _ in range(n):
                train()

        def optuna_alone(n: int) -> None:
            from optuna.storages import JournalStorage
            from optuna.storages.journal import JournalFileBackend

            path = Path(tempfile.mkdtemp(dir=tmp)) / "j.log"
            study = optuna.create_study(storage=JournalStorage(JournalFileBackend(str(path))),
                                        sampler=optuna.samplers.RandomSampler())
            for _ in range(n):
                t = study.ask()
                t.suggest_float("lr", 1e-4, 1e-1, log=True)
                t.suggest_categorical("width", [32, 64, 128])
                study.tell(t, 0.5)

        def agent(storage):
            def go(n: int) -> None:
                sys.stderr = devnull  # the agent's one line per trial start and end
                try:
                    sid = media.sweep(CONFIG, project="swept", storage=storage() if storage else None)
                    media.agent(sid, function=train, count=n, storage=storage() if storage else None)
                finally:
                    sys.stderr = real_stderr
            return go

        def sqlite_url() -> str:
            return f"sqlite:///{tmp}/sweeps.db"

        program = Path(tmp) / "train.py"
        program.write_text(PROGRAM.replace("ROWS", str(args.rows)))

        def bare_programs(n: int) -> None:
            for _ in range(n):
                subprocess.run([sys.executable, str(program), "--lr=0.01", "--width=32"], check=True,
                               cwd=tmp)

        def agent_programs(n: int) -> None:
            sid = media.sweep(dict(CONFIG, program=str(program)), project="swept")
            subprocess.run([sys.executable, "-m", "viewer.cli", "agent", sid, "--count", str(n)],
                           check=True, cwd=tmp, stderr=subprocess.DEVNULL, stdout=subprocess.DEVNULL)

        cases = [
            ("plain run per trial (floor)", bare, args.trials),
            ("Optuna ask/tell alone, journal file", optuna_alone, args.trials),
            ("media.agent trial, journal file", agent(None), args.trials),
            ("media.agent trial, SQLite", agent(sqlite_url), args.trials),
            ("program run bare (floor)", bare_programs, args.programs),
            ("mediaboard agent, program per trial", agent_programs, args.programs),
        ]
        bare(3)  # warm-up: imports, caches
        for _ in range(args.repeats):
            for name, fn, n in cases:
                results.setdefault(name, []).append(per_trial(fn, n))
        results["plain run per trial (floor, again)"] = [per_trial(bare, args.trials)]
    med = {k: statistics.median(v) for k, v in results.items()}
    floor = med["plain run per trial (floor)"]
    pfloor = med["program run bare (floor)"]
    rows = []
    for name, v in med.items():
        base = pfloor if "program" in name else floor
        rows.append([name, f"{v:.1f} ms", f"{v / base:.2f}", f"{v - base:+.1f} ms"])
    print(table(["per trial", "median", "× floor", "added"], rows))
    write_results("bench_sweep", {"machine": machine(), "args": vars(args), "ms_per_trial": results,
                                  "median_ms": med})


if __name__ == "__main__":
    main()
