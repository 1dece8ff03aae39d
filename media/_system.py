"""System metrics: a background thread that samples the process and the machine every few seconds
and appends one JSON line per sample to the run's ``system.jsonl`` (docs/format.md).

What a sample holds (numbers; a field is left out when it cannot be measured here):

- ``_timestamp`` (Unix seconds), ``_runtime`` (seconds since the run started), ``_step`` (the run's
  current step when sampled, so the System section can use the step as its x-axis);
- the process: ``proc.cpu_percent`` (100 = one core busy), ``proc.rss_mb``, ``proc.threads``;
- the machine: ``cpu.percent`` (all cores, 0-100), ``memory.percent``, ``memory.available_mb``,
  ``disk.percent`` (of the file system holding the run), ``disk.read_mb`` and ``disk.write_mb``,
  ``net.sent_mb`` and ``net.recv_mb`` (each since the run started);
- each NVIDIA GPU ``i`` when NVIDIA's management library is importable (``nvidia-ml-py``) and finds
  devices: ``gpu.i.util``, ``gpu.i.memory_util`` (percent), ``gpu.i.memory_mb``,
  ``gpu.i.memory_total_mb``, ``gpu.i.power_w``, ``gpu.i.temp_c``;
- ``sampler.cpu_ms``: the CPU time this sample cost the sampler thread (its measured overhead).

The training thread never waits for it: the thread only reads ``run._step`` (an int) and writes
with one ``os.write`` per line, so a crash leaves at most one torn last line, which readers skip.
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

MB = 1024 * 1024


class _Gpus:
    """NVIDIA devices through NVML, or none (no library, no driver, no device)."""

    def __init__(self) -> None:
        self.nvml: Any = None
        self.handles: list[Any] = []
        try:
            import pynvml  # nvidia-ml-py

            pynvml.nvmlInit()
            self.handles = [pynvml.nvmlDeviceGetHandleByIndex(i) for i in range(pynvml.nvmlDeviceGetCount())]
            self.nvml = pynvml
        except Exception:  # no library, no driver or no device: no GPU fields
            self.handles = []

    def sample(self, out: dict[str, Any]) -> None:
        nv = self.nvml
        for i, h in enumerate(self.handles):
            p = f"gpu.{i}."
            for name, read in (
                ("util", lambda h=h: nv.nvmlDeviceGetUtilizationRates(h).gpu),
                ("memory_util", lambda h=h: nv.nvmlDeviceGetUtilizationRates(h).memory),
                ("memory_mb", lambda h=h: nv.nvmlDeviceGetMemoryInfo(h).used / MB),
                ("memory_total_mb", lambda h=h: nv.nvmlDeviceGetMemoryInfo(h).total / MB),
                ("power_w", lambda h=h: nv.nvmlDeviceGetPowerUsage(h) / 1000.0),
                ("temp_c", lambda h=h: nv.nvmlDeviceGetTemperature(h, nv.NVML_TEMPERATURE_GPU)),
            ):
                try:
                    out[p + name] = round(float(read()), 3)
                except Exception:  # a field this device does not report
                    pass

    def close(self) -> None:
        if self.nvml is not None:
            try:
                self.nvml.nvmlShutdown()
            except Exception:
                pass


class SystemSampler:
    """Samples every ``interval`` seconds into ``path`` until ``stop()``; ``step()`` gives the
    run's current step. ``on_error(message)`` is called once if the file cannot be written (the
    sampler then stops; training goes on)."""

    def __init__(self, path: Path, interval: float, start: float, step: Callable[[], int],
                 on_error: Callable[[str], None], name: str) -> None:
        self.path, self.interval, self.start, self.step, self.on_error = path, interval, start, step, on_error
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name=name, daemon=True)

    def begin(self) -> None:
        self._thread.start()

    def stop(self, timeout: float = 2.0) -> None:
        self._stop.set()
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join(timeout)

    def _loop(self) -> None:
        try:
            import psutil
        except ImportError:
            self.on_error("system metrics are off: psutil is not installed (pip install psutil)")
            return
        proc = psutil.Process()
        gpus = _Gpus()
        disk0, net0 = _io(psutil)
        proc.cpu_percent(None)
        psutil.cpu_percent(None)
        where = str(self.path.parent)
        fd = None
        try:
            fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
            while True:
                t_cpu = time.thread_time()
                now = time.time()
                sample: dict[str, Any] = {"_timestamp": round(now, 3),
                                          "_runtime": round(now - self.start, 3), "_step": self.step()}
                _machine(psutil, proc, sample, disk0, net0, where)
                gpus.sample(sample)
                sample["sampler.cpu_ms"] = round((time.thread_time() - t_cpu) * 1000, 3)
                os.write(fd, (json.dumps(sample, separators=(",", ":"), allow_nan=False) + "\n").encode())
                if self._stop.wait(self.interval):
                    return
        except OSError as exc:
            self.on_error(f"system metrics stopped: {self.path.name} could not be written "
                          f"({type(exc).__name__}: {exc})")
        finally:
            if fd is not None:
                os.close(fd)
            gpus.close()


def _io(psutil: Any) -> tuple[Any, Any]:
    try:
        disk = psutil.disk_io_counters()
    except Exception:
        disk = None
    try:
        net = psutil.net_io_counters()
    except Exception:
        net = None
    return disk, net


def _machine(psutil: Any, proc: Any, out: dict[str, Any], disk0: Any, net0: Any, where: str) -> None:
    def put(name: str, read: Callable[[], float]) -> None:
        try:
            value = float(read())
        except Exception:  # not measurable on this system
            return
        if value == value and abs(value) != float("inf"):
            out[name] = round(value, 3)

    put("proc.cpu_percent", lambda: proc.cpu_percent(None))
    put("proc.rss_mb", lambda: proc.memory_info().rss / MB)
    put("proc.threads", proc.num_threads)
    put("cpu.percent", lambda: psutil.cpu_percent(None))
    vm = psutil.virtual_memory()
    put("memory.percent", lambda: vm.percent)
    put("memory.available_mb", lambda: vm.available / MB)
    put("disk.percent", lambda: psutil.disk_usage(where).percent)
    disk, net = _io(psutil)
    if disk is not None and disk0 is not None:
        put("disk.read_mb", lambda: (disk.read_bytes - disk0.read_bytes) / MB)
        put("disk.write_mb", lambda: (disk.write_bytes - disk0.write_bytes) / MB)
    if net is not None and net0 is not None:
        put("net.sent_mb", lambda: (net.bytes_sent - net0.bytes_sent) / MB)
        put("net.recv_mb", lambda: (net.bytes_recv - net0.bytes_recv) / MB)
