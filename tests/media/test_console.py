"""The run keeps its console (media/_console.py): real scripts in child processes print, draw a
progress bar with carriage returns, write to stderr, and crash; console.jsonl has every complete
line with its step and stream, the bar collapsed, and the terminal still sees everything."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import media
from media import runfolder as rf

REPO = Path(__file__).resolve().parents[2]


def _script(tmp_path, body: str, env_extra: dict | None = None):
    code = textwrap.dedent("""
        import sys, time
        import media
        run = media.init(project="p", id="c", dir=sys.argv[1], settings={"system_interval": 0})
    """) + textwrap.dedent(body)
    env = {**os.environ, "PYTHONPATH": str(REPO), "MEDIABOARD_CONSOLE_LOG": "1", **(env_extra or {})}
    return subprocess.run([sys.executable, "-c", code, str(tmp_path / "runs")], capture_output=True,
                          text=True, env=env, timeout=60)


def test_lines_steps_streams_and_a_collapsed_progress_bar(tmp_path):
    out = _script(tmp_path, """
        print("starting")
        for step in range(3):
            media.log({"loss": 1.0 / (step + 1)})
            print(f"epoch {step} done")
        for i in range(5):
            sys.stdout.write(f"\\r[{'#' * i}{' ' * (4 - i)}] {i * 25}%")
        sys.stdout.write("\\n")
        print("oops", file=sys.stderr)
        media.finish()
        print("after finish: not in the run")
    """)
    assert out.returncode == 0, out.stderr
    assert "epoch 2 done" in out.stdout and "after finish" in out.stdout and "oops" in out.stderr  # tee, not swallow
    lines = media.open_run(tmp_path / "runs" / "p" / "c").console()
    assert [(x["stream"], x["step"], x["line"]) for x in lines] == [
        ("stdout", 0, "starting"), ("stdout", 1, "epoch 0 done"), ("stdout", 2, "epoch 1 done"),
        ("stdout", 3, "epoch 2 done"), ("stdout", 3, "[####] 100%"), ("stderr", 3, "oops")]


def test_a_crash_keeps_every_line_printed_before_it(tmp_path):
    out = _script(tmp_path, """
        for step in range(4):
            media.log({"x": step})
            print(f"line {step}", flush=True)
        import os
        os._exit(3)  # no finish, no atexit: as a kill
    """)
    assert out.returncode == 3
    lines = media.open_run(tmp_path / "runs" / "p" / "c").console()
    assert [x["line"] for x in lines] == [f"line {i}" for i in range(4)]


def test_one_setting_turns_it_off(tmp_path):
    out = _script(tmp_path, 'print("hello")\nmedia.finish()\n', {"MEDIABOARD_CONSOLE_LOG": "0"})
    assert out.returncode == 0 and "hello" in out.stdout
    assert not (tmp_path / "runs" / "p" / "c" / rf.CONSOLE_JSONL).exists()


def test_readers_skip_what_is_not_a_console_line(tmp_path):
    run = media.init(project="p", dir=str(tmp_path), settings={"system_interval": 0})
    media.finish()
    path = tmp_path / "p" / run.id / rf.CONSOLE_JSONL
    good = {"t": 1.0, "step": 0, "stream": "stdout", "line": "ok"}
    path.write_text(json.dumps(good) + "\n" + json.dumps({**good, "stream": "tty"}) + "\n{\"t\"")
    reader = media.open_run(tmp_path / "p" / run.id)
    assert reader.console() == [good]
    assert any("line 2 is not a console line" in p for p in reader.problems)
    assert any("line 3 is torn" in p for p in reader.problems)
