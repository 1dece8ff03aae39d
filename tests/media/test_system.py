"""System metrics (media/_system.py): a sampler thread writes system.jsonl; settings turn it off or
change its interval; NVML devices add GPU fields; readers skip what is not a sample."""

from __future__ import annotations

import json
import sys
import time
import types

import pytest

import media
from media import runfolder as rf


def _samples(run_dir):
    return [json.loads(line) for line in (run_dir / rf.SYSTEM_JSONL).read_text().splitlines()]


def test_samples_are_written_every_interval_with_the_step(tmp_path):
    run = media.init(project="p", dir=str(tmp_path), settings={"system_interval": 0.05})
    for s in range(8):
        media.log({"x": s})
        time.sleep(0.05)
    media.finish()
    rows = _samples(tmp_path / "p" / run.id)
    assert len(rows) >= 4
    for field in ("_timestamp", "_runtime", "_step", "proc.cpu_percent", "proc.rss_mb", "cpu.percent",
                  "memory.percent", "memory.available_mb", "disk.percent", "sampler.cpu_ms"):
        assert all(isinstance(r[field], (int, float)) for r in rows), field
    assert [r["_runtime"] for r in rows] == sorted(r["_runtime"] for r in rows)
    assert rows[-1]["_step"] > rows[0]["_step"]  # the run's step when sampled
    assert rows[0]["proc.rss_mb"] > 1
    assert media.open_run(tmp_path / "p" / run.id).system() == rows


@pytest.mark.parametrize("how", ["setting", "env"])
def test_one_setting_turns_them_off(tmp_path, monkeypatch, how):
    if how == "env":
        monkeypatch.setenv("MEDIABOARD_SYSTEM_INTERVAL", "0")
        run = media.init(project="p", dir=str(tmp_path))
    else:
        run = media.init(project="p", dir=str(tmp_path), settings={"system_interval": 0})
    media.log({"x": 1})
    media.finish()
    assert not (tmp_path / "p" / run.id / rf.SYSTEM_JSONL).exists()


def test_a_bad_interval_names_the_setting(tmp_path):
    with pytest.raises(media.MediaValueError, match=r"system_interval.*expected a number >= 0; got"):
        media.init(project="p", dir=str(tmp_path), settings={"system_interval": "often"})


def test_nvml_devices_add_gpu_fields(tmp_path, monkeypatch):
    """With NVIDIA's library present (here a stand-in with one device), each sample has the GPU's
    utilisation, memory, power and temperature."""
    nv = types.SimpleNamespace(
        NVML_TEMPERATURE_GPU=0,
        nvmlInit=lambda: None, nvmlShutdown=lambda: None, nvmlDeviceGetCount=lambda: 1,
        nvmlDeviceGetHandleByIndex=lambda i: f"gpu{i}",
        nvmlDeviceGetUtilizationRates=lambda h: types.SimpleNamespace(gpu=87, memory=41),
        nvmlDeviceGetMemoryInfo=lambda h: types.SimpleNamespace(used=3 * 2**30, total=80 * 2**30),
        nvmlDeviceGetPowerUsage=lambda h: 215_500,  # milliwatts
        nvmlDeviceGetTemperature=lambda h, sensor: 63,
    )
    monkeypatch.setitem(sys.modules, "pynvml", nv)
    run = media.init(project="p", dir=str(tmp_path), settings={"system_interval": 0.05})
    time.sleep(0.12)
    media.finish()
    row = _samples(tmp_path / "p" / run.id)[0]
    assert (row["gpu.0.util"], row["gpu.0.memory_util"], row["gpu.0.memory_mb"], row["gpu.0.memory_total_mb"],
            row["gpu.0.power_w"], row["gpu.0.temp_c"]) == (87, 41, 3072, 81920, 215.5, 63)


def test_readers_skip_lines_that_are_not_samples(tmp_path):
    run = media.init(project="p", dir=str(tmp_path), settings={"system_interval": 0})
    media.finish()
    path = tmp_path / "p" / run.id / rf.SYSTEM_JSONL
    path.write_bytes(b'{"_timestamp": 1.5, "cpu.percent": 20, "note": "x"}\n[1]\n{"_timestamp": "now"}\n{"_timest')
    reader = media.open_run(tmp_path / "p" / run.id)
    assert reader.system() == [{"_timestamp": 1.5, "cpu.percent": 20}]
    problems = "\n".join(reader.problems)
    assert "line 2 is not a sample" in problems and "line 3 is not a sample" in problems
    assert "line 4 is torn" in problems
