"""Throughput of Artifact.add_dir + run.log_artifact on a folder of 1,000 files, against a plain
shutil.copytree of the same folder (the floor, measured in the same run), and what logging the
same content again costs (it should write no object bytes and make no version).

    python bench/bench_artifacts.py [--files 1000] [--repeats 5] [--scenario big|small|both]

Scenarios: ``big`` = 1,000 files of 64 KiB (62.5 MiB), ``small`` = 1,000 files of 1 KiB. Floors:
``shutil.copytree`` alone, and copytree plus a SHA-256 of every file (the least that content
addressing must do: read every byte once and write it once). Cases run interleaved, each on a
fresh destination; the median of the repeats is reported, with MB/s and files/s and the ratio to
copytree. Prints a table and writes bench/results/bench_artifacts.json. Nothing is asserted.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from _common import machine, table, write_results  # noqa: E402

SCENARIOS = {"big": 64 * 1024, "small": 1024}


def make_source(folder: Path, files: int, size: int) -> int:
    rng = os.urandom
    for i in range(files):
        sub = folder / f"shard-{i // 100:02d}"
        sub.mkdir(parents=True, exist_ok=True)
        (sub / f"item-{i:04d}.bin").write_bytes(rng(size))
        if not FRESH:  # a dataset already on disk (written an hour ago): see --fresh
            t = time.time() - 3600
            os.utime(sub / f"item-{i:04d}.bin", (t, t))
    return files * size


#: --fresh: the files were written just now, so log_artifact hashes them again (docs/artifacts.md)
FRESH = False


def disk_bytes(folder: Path) -> tuple[int, int]:
    """(files, allocated bytes) under ``folder``."""
    n = b = 0
    for p in folder.rglob("*"):
        if p.is_file():
            n += 1
            b += p.stat().st_blocks * 512
    return n, b


def reflinks(folder: Path) -> bool:
    """Whether this filesystem shares blocks on FICLONE (then the store copies nothing)."""
    import fcntl

    a, b = folder / "reflink-a", folder / "reflink-b"
    a.write_bytes(b"x" * 4096)
    try:
        with open(a, "rb") as src, open(b, "wb") as dst:
            fcntl.ioctl(dst.fileno(), 0x40049409, src.fileno())
        return True
    except OSError:
        return False
    finally:
        a.unlink()
        b.unlink(missing_ok=True)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--files", type=int, default=1000)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--scenario", choices=[*SCENARIOS, "both"], default="both")
    ap.add_argument("--fresh", action="store_true",
                    help="files written just before add_dir (hashed again at log) instead of an hour ago")
    args = ap.parse_args(argv)
    global FRESH
    FRESH = args.fresh
    os.environ.setdefault("MEDIABOARD_RECORD_GIT", "0")
    os.environ.setdefault("MEDIABOARD_RECORD_PACKAGES", "0")
    os.environ.setdefault("MEDIABOARD_CONSOLE_LOG", "0")
    import media

    work = Path(tempfile.mkdtemp(prefix="bench-artifacts-"))
    raw: dict[str, dict[str, list[float]]] = {}
    relog: dict[str, list[dict[str, int]]] = {}
    rows = []
    try:
        print(f"work folder {work}; reflinks: {reflinks(work)}", file=sys.stderr)
        for scenario in (SCENARIOS if args.scenario == "both" else [args.scenario]):
            size = SCENARIOS[scenario]
            src = work / f"src-{scenario}"
            total = make_source(src, args.files, size)
            cases: dict[str, list[float]] = {}
            raw[scenario] = cases
            relog[scenario] = []
            for rep in range(args.repeats):
                # floor: copytree
                dst = work / f"copy-{scenario}-{rep}"
                t0 = time.perf_counter()
                shutil.copytree(src, dst)
                cases.setdefault("floor: shutil.copytree", []).append(time.perf_counter() - t0)
                shutil.rmtree(dst)
                # floor: copytree + sha256 of every file

                def copy_hash(s: str, d: str) -> None:
                    h = hashlib.sha256()
                    with open(s, "rb") as f, open(d, "wb") as g:
                        for chunk in iter(lambda: f.read(1 << 20), b""):
                            h.update(chunk)
                            g.write(chunk)

                t0 = time.perf_counter()
                shutil.copytree(src, dst, copy_function=copy_hash)
                cases.setdefault("floor: copytree + sha256 of each file", []).append(time.perf_counter() - t0)
                shutil.rmtree(dst)
                # mediaboard: add_dir + log_artifact into a fresh store
                root = work / f"runs-{scenario}-{rep}"
                run = media.init(project="bench", dir=str(root), settings={"system_interval": 0})
                t0 = time.perf_counter()
                art = media.Artifact("data", type="dataset")
                art.add_dir(src)
                t1 = time.perf_counter()
                run.log_artifact(art)
                t2 = time.perf_counter()
                cases.setdefault("mediaboard: add_dir + log_artifact", []).append(t2 - t0)
                cases.setdefault("  of which add_dir (hashing)", []).append(t1 - t0)
                cases.setdefault("  of which log_artifact (storing)", []).append(t2 - t1)
                store = root / ".artifacts"
                before = disk_bytes(store)
                t0 = time.perf_counter()
                again = media.Artifact("data", type="dataset")
                again.add_dir(src)
                run.log_artifact(again)
                cases.setdefault("mediaboard: the same content again", []).append(time.perf_counter() - t0)
                after = disk_bytes(store)
                relog[scenario].append({"files_added": after[0] - before[0], "bytes_added": after[1] - before[1],
                                        "version": int(again.version[1:]) if again.version else -1})
                media.finish()
                shutil.rmtree(root)
            floor = statistics.median(cases["floor: shutil.copytree"])
            for name, v in cases.items():
                med = statistics.median(v)
                rows.append([f"{scenario}: {args.files:,} x {size // 1024} KiB", name, f"{med:.3f} s",
                             f"{total / med / 1e6:,.0f}", f"{args.files / med:,.0f}", f"{med / floor:.2f}"])
            r = relog[scenario]
            rows.append([f"{scenario}: {args.files:,} x {size // 1024} KiB", "  re-log: store files / bytes added, version",
                         f"{max(x['files_added'] for x in r)} / {max(x['bytes_added'] for x in r)} B, "
                         f"v{max(x['version'] for x in r)}", "", "", ""])
        print(table(["folder", "case", "median", "MB/s", "files/s", "x copytree"], rows))
        path = write_results("bench_artifacts.json", {"machine": machine(), "args": vars(args),
                                                      "reflinks": reflinks(work), "seconds": raw, "relog": relog})
        print(f"\nraw figures: {path}", file=sys.stderr)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
