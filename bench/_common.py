"""Shared helpers for the benchmarks: peer subprocesses, CPU accounting, statistics, tables.

Each library is measured in its own fresh Python process (``python bench/x.py --peer NAME``) so
that one library's imports, threads and helper processes cannot disturb another's numbers, and so
that ``import`` time is a cold-process figure. The child prints one JSON object on its last stdout
line; the parent collects them and prints ratios to the floor measured in the same run.
"""

from __future__ import annotations

import datetime as _dt
import importlib.util
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
RESULTS_DIR = BENCH_DIR / "results"
RESULT_MARK = "BENCH-RESULT "

#: the module each peer needs; a peer whose module is missing is reported "not installed"
PEER_MODULES = {
    "floor": None,
    "floor_os_write": None,
    "pillow_png": "PIL",
    "pillow_png_2t": "PIL",
    "mediaboard": "media",
    "wandb": "wandb",
    "tensorboardX": "tensorboardX",
    "dvclive": "dvclive",
    "trackio": "trackio",
}


def installed(peer: str) -> bool:
    module = PEER_MODULES.get(peer)
    return module is None or importlib.util.find_spec(module) is not None


def version_of(module: str | None) -> str | None:
    if module is None:
        return None
    try:
        from importlib.metadata import version

        return version({"media": "mediaboard", "PIL": "pillow"}.get(module, module))
    except Exception:  # noqa: BLE001 - a version we cannot read is reported as unknown
        return None


# ------------------------------------------------------------------------------------------------
# CPU accounting
# ------------------------------------------------------------------------------------------------
def self_cpu() -> float:
    """CPU seconds (user + system) of this process, all its threads included."""
    ru = resource.getrusage(resource.RUSAGE_SELF)
    return ru.ru_utime + ru.ru_stime


def children_cpu() -> tuple[float, str]:
    """CPU seconds of this process's helper processes, and how they were measured.

    Live children are read with psutil when it is importable (wandb installs it); children that
    have already exited and been waited for are read with ``getrusage(RUSAGE_CHILDREN)``. The sum
    of both is returned; a child that exits unwaited (re-parented to init) is not seen by either.
    """
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    total = ru.ru_utime + ru.ru_stime
    how = "getrusage(RUSAGE_CHILDREN)"
    try:
        import psutil  # noqa: PLC0415 - optional, imported only when measuring
    except ImportError:
        return total, how + " (psutil not installed: live children not counted)"
    for child in psutil.Process().children(recursive=True):
        try:
            t = child.cpu_times()
            total += t.user + t.system
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            pass
    return total, how + " + psutil live children"


def child_names() -> list[str]:
    """Names of this process's live helper processes ([] without psutil)."""
    try:
        import psutil  # noqa: PLC0415
    except ImportError:
        return []
    names = []
    for child in psutil.Process().children(recursive=True):
        try:
            names.append(child.name())
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            pass
    return names


# ------------------------------------------------------------------------------------------------
# statistics
# ------------------------------------------------------------------------------------------------
def percentile(sorted_values: Sequence[float], q: float) -> float:
    """The q-th percentile (0..100) of already sorted values, by linear interpolation."""
    if not sorted_values:
        return float("nan")
    pos = (len(sorted_values) - 1) * q / 100.0
    lo = int(pos)
    hi = min(lo + 1, len(sorted_values) - 1)
    return sorted_values[lo] + (sorted_values[hi] - sorted_values[lo]) * (pos - lo)


def summarize_ns(
    samples_ns: Sequence[int], *, per: int = 1, window: int = 1000
) -> dict[str, float]:
    """Mean, p50, p99, first/last ``window`` means of per-call times, in microseconds per step.

    ``per`` divides every figure (a peer that needs two calls per step reports per step anyway).
    """
    us = [s / 1000.0 / per for s in samples_ns]
    ordered = sorted(us)
    first = us[:window]
    last = us[-window:]
    return {
        "n": len(us),
        "mean_us": statistics.fmean(us),
        "p50_us": percentile(ordered, 50),
        "p99_us": percentile(ordered, 99),
        "max_us": ordered[-1],
        "first_us": statistics.fmean(first),
        "last_us": statistics.fmean(last),
    }


# ------------------------------------------------------------------------------------------------
# running one peer in a fresh process
# ------------------------------------------------------------------------------------------------
def emit(result: dict[str, Any]) -> None:
    """Child side: hand the result to the parent on one marked stdout line."""
    sys.stdout.flush()
    print(RESULT_MARK + json.dumps(result), flush=True)


def run_peer(script: Path, peer: str, extra: list[str], *, timeout: float) -> dict[str, Any]:
    """Parent side: run ``script --peer peer`` in a fresh interpreter inside a fresh temp dir."""
    if not installed(peer):
        return {"peer": peer, "status": "not installed", "module": PEER_MODULES[peer]}
    with tempfile.TemporaryDirectory(prefix=f"bench-{peer}-") as tmp:
        env = dict(os.environ)
        env.update(
            WANDB_SILENT="true",
            WANDB_MODE="offline",
            WANDB_DIR=tmp,
            WANDB_CACHE_DIR=os.path.join(tmp, "wandb-cache"),
            WANDB_CONFIG_DIR=os.path.join(tmp, "wandb-config"),
            WANDB_DATA_DIR=os.path.join(tmp, "wandb-data"),
            TRACKIO_DIR=os.path.join(tmp, "trackio"),
            HF_HOME=os.path.join(tmp, "hf"),
            HF_HUB_OFFLINE="1",
            GRADIO_ANALYTICS_ENABLED="False",
            DVC_NO_ANALYTICS="1",
            DVCLIVE_OPEN="false",
            MEDIABOARD_DIR=os.path.join(tmp, "mediaboard"),
            PYTHONDONTWRITEBYTECODE="1",
        )
        # The repo root on the path so `media` imports even without `pip install -e .`.
        env["PYTHONPATH"] = os.pathsep.join(
            p for p in (str(BENCH_DIR.parent), env.get("PYTHONPATH", "")) if p
        )
        cmd = [sys.executable, str(script), "--peer", peer, "--dir", tmp, *extra]
        try:
            proc = subprocess.run(
                cmd, cwd=tmp, env=env, capture_output=True, text=True, timeout=timeout
            )
        except subprocess.TimeoutExpired:
            return {"peer": peer, "status": f"timed out after {timeout:.0f} s"}
    for line in reversed(proc.stdout.splitlines()):
        if line.startswith(RESULT_MARK):
            result = json.loads(line[len(RESULT_MARK) :])
            result.setdefault("status", "ok")
            return result
    tail = (proc.stderr or proc.stdout).strip().splitlines()[-6:]
    return {"peer": peer, "status": f"failed (exit {proc.returncode})", "error": "\n".join(tail)}


def machine() -> dict[str, Any]:
    return {
        "date_utc": _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "processor": _cpu_model(),
    }


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def write_results(name: str, payload: dict[str, Any]) -> Path:
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    path = RESULTS_DIR / name
    path.write_text(json.dumps(payload, indent=1) + "\n", encoding="utf-8")
    return path


# ------------------------------------------------------------------------------------------------
# tables
# ------------------------------------------------------------------------------------------------
def fmt(value: Any, digits: int = 1) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        if value != value:  # NaN
            return "-"
        return f"{value:,.{digits}f}"
    return str(value)


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """A GitHub-markdown table (readable in a terminal too), numbers right-aligned."""
    cells = [[str(c) for c in row] for row in rows]
    widths = [
        max(len(h), *(len(r[i]) for r in cells)) if cells else len(h) for i, h in enumerate(headers)
    ]

    def line(values: Sequence[str], numeric: bool) -> str:
        out = []
        for i, v in enumerate(values):
            out.append(v.rjust(widths[i]) if numeric and i > 0 else v.ljust(widths[i]))
        return "| " + " | ".join(out) + " |"

    sep = (
        "|" + "|".join("-" * (w + 1) + (":" if i > 0 else "-") for i, w in enumerate(widths)) + "|"
    )
    return "\n".join([line(headers, False), sep, *(line(r, True) for r in cells)])


def run_rounds(
    script: Path,
    peers: Sequence[str],
    extra: list[str],
    *,
    timeout: float,
    repeats: int,
    key: Any,
    stop_repeating: Any = None,
) -> dict[str, dict[str, Any]]:
    """Run every peer once per round, ``repeats`` rounds; per peer keep the median run by ``key``.

    Rounds interleave the peers (floor, A, B, floor, A, B, ...) so that a slow minute on a shared
    machine hits them all, not one. Each run is a fresh process; every run's ``key`` is kept in
    ``repeat_values`` to show the spread. A peer that failed, or for which ``stop_repeating(run)``
    is true (it used its whole time budget), is not run again.
    """
    runs: dict[str, list[dict[str, Any]]] = {p: [] for p in peers}
    final: dict[str, dict[str, Any]] = {}
    for round_no in range(max(1, repeats)):
        for peer in peers:
            if peer in final:
                continue
            print(f"  round {round_no + 1}/{repeats}: {peer} ...", file=sys.stderr, flush=True)
            r = run_peer(script, peer, extra, timeout=timeout)
            if r.get("status") != "ok":
                final[peer] = r
                print(
                    f"    {peer}: {r['status']}" + (f"\n{r['error']}" if r.get("error") else ""),
                    file=sys.stderr,
                )
                continue
            runs[peer].append(r)
            if stop_repeating is not None and stop_repeating(r):
                final[peer] = r
    out = {}
    for peer in peers:
        if peer in final and final[peer].get("status") != "ok":
            out[peer] = final[peer]
            continue
        ordered = sorted(runs[peer], key=key)
        chosen = ordered[len(ordered) // 2]
        chosen["repeat_values"] = [key(r) for r in runs[peer]]
        out[peer] = chosen
    return out


def spread(result: dict[str, Any], digits: int = 1) -> str:
    """``min–max`` of a peer's per-run figures (one run: that figure)."""
    values = result.get("repeat_values") or []
    if len(values) < 2:
        return "1 run"
    return f"{fmt(min(values), digits)}–{fmt(max(values), digits)}"
